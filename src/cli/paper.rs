//! The paper register and subject access requests on the command line (the office's
//! clerical work, scriptable): `pecs paper …` and `pecs subject-access …`, as a person.

use super::{Cli, Failure, with_session};
use crate::sanitize::inert;
use crate::service::paper::{self, Method};
use crate::service::{Pecs, subject_access};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PaperCommand {
    /// A new filing unit (a cabinet, a strong room shelf).
    Unit { name: String },
    /// Authorise a member of staff to hold a unit's key.
    KeyHolder {
        unit: String,
        /// Their user name (named `holder`: `--user` is who acts).
        holder: String,
    },
    /// Register a paper item of a case, locked in a unit with a key holder.
    Register {
        reference: String,
        #[arg(long)]
        unit: String,
        #[arg(long = "key-holder", value_name = "USER")]
        key_holder: String,
        #[arg(long)]
        description: String,
    },
    /// Check an item out of its unit to a member of staff.
    Out {
        item: i64,
        #[arg(long, value_name = "USER")]
        to: String,
    },
    /// Return an item to its unit.
    In { item: i64 },
    /// Record an item's destruction (only after its case's retention ends).
    Destroyed {
        item: i64,
        #[arg(long, value_enum)]
        method: PaperMethod,
        #[arg(long)]
        certificate: String,
        #[arg(long, value_name = "USER")]
        witness: String,
        #[arg(long, value_name = "DATE")]
        date: String,
    },
    /// Every item: case, unit, key holder, where it is.
    List,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PaperMethod {
    /// Cross-cut shredding on site.
    CrossCut,
    /// A confidential waste contractor.
    ConfidentialWaste,
}

#[derive(Debug, Subcommand)]
pub enum SubjectAccessCommand {
    /// Log a request: its legal due date is one calendar month after it was received.
    Log {
        #[arg(long)]
        subject: String,
        #[arg(long, value_name = "DATE")]
        received: String,
    },
    /// Requests not yet answered, soonest due first.
    List,
    /// The cases held about the request's subject (names compared without case or
    /// accents), to check before the export.
    Find { id: i64 },
    /// Export everything held about the request's subject to a new folder: the cases
    /// `find` shows, or exactly those named with `--case`.
    Export {
        id: i64,
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// A case to export (repeat for each); without it, every case `find` shows.
        #[arg(long = "case", value_name = "REFERENCE")]
        cases: Vec<String>,
    },
}

pub fn paper(cli: &Cli, pecs: &Pecs, command: &PaperCommand) -> Result<(), Failure> {
    with_session(cli, pecs, |s| {
        match command {
            PaperCommand::Unit { name } => {
                let id = paper::create_filing_unit(s, name)?;
                println!("Filing unit {name} created (unit {id}).");
            }
            PaperCommand::KeyHolder { unit, holder } => {
                paper::authorise_key_holder(s, unit, holder)?;
                println!("{holder} may hold the key to {unit}.");
            }
            PaperCommand::Register {
                reference,
                unit,
                key_holder,
                description,
            } => {
                let id = paper::register(s, reference, description, unit, key_holder)?;
                println!(
                    "Paper item {id} of {reference} registered in {unit}, key held by {key_holder}."
                );
            }
            PaperCommand::Out { item, to } => {
                paper::check_out(s, *item, to)?;
                println!("Paper item {item} checked out to {to}.");
            }
            PaperCommand::In { item } => {
                paper::check_in(s, *item)?;
                println!("Paper item {item} returned.");
            }
            PaperCommand::Destroyed {
                item,
                method,
                certificate,
                witness,
                date,
            } => {
                let method = match method {
                    PaperMethod::CrossCut => Method::CrossCutOnSite,
                    PaperMethod::ConfidentialWaste => Method::ConfidentialWaste,
                };
                paper::record_destruction(s, *item, method, certificate, witness, date)?;
                println!("Paper item {item} recorded as destroyed ({certificate}).");
            }
            PaperCommand::List => {
                for i in paper::register_list(s)? {
                    let place = match (&i.destroyed_on, &i.out) {
                        (Some(on), _) => format!("destroyed {on}"),
                        (None, Some((who, at))) => {
                            format!("out with {} since {}", inert(who), at.to_minute())
                        }
                        (None, None) => "in its unit".to_string(),
                    };
                    println!(
                        "{:>5}  {}  {}  key {}  {place}  {}",
                        i.id,
                        i.case_reference,
                        inert(&i.unit),
                        inert(&i.key_holder),
                        inert(&i.description)
                    );
                }
            }
        }
        Ok(())
    })
}

pub fn subject_access(
    cli: &Cli,
    pecs: &Pecs,
    command: &SubjectAccessCommand,
) -> Result<(), Failure> {
    with_session(cli, pecs, |s| {
        match command {
            SubjectAccessCommand::Log { subject, received } => {
                let (id, due) = subject_access::log_request(s, subject, received)?;
                println!("Subject access request {id} logged; it must be answered by {due}.");
            }
            SubjectAccessCommand::List => {
                for r in subject_access::open_requests(s)? {
                    println!(
                        "{:>5}  received {}  due {}  {}",
                        r.id,
                        r.received_on,
                        r.due_on,
                        inert(&r.subject)
                    );
                }
            }
            SubjectAccessCommand::Find { id } => {
                let found = subject_access::matches(s, *id)?;
                if found.is_empty() {
                    println!("No case names this subject: name the cases with --case to export.");
                }
                for c in found {
                    println!(
                        "{}  {}  born {}  {}",
                        c.reference,
                        inert(&c.subject_name),
                        c.subject_dob.as_deref().unwrap_or("unknown"),
                        inert(&c.subject_address)
                    );
                }
            }
            SubjectAccessCommand::Export { id, to, cases } => {
                let done = subject_access::export(s, *id, to, cases)?;
                println!(
                    "Exported {} cases, {} notes and {} documents to {}.",
                    done.cases,
                    done.notes,
                    done.documents,
                    done.folder.display()
                );
            }
        }
        Ok(())
    })
}
