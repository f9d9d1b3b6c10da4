//! The backup commands (DESIGN.md §5): `backup run | verify | list | prune`, `restore`
//! and `health`. Run, verify and prune act as the service principal (a service key, or
//! systemd's `$CREDENTIALS_DIRECTORY/pecs-service-key`) or as a sysadmin (`--user`);
//! list and health read only the destinations; restore needs the service key.

use super::{Cli, Failure, login};
use crate::service::backup::{self, Operator, Progress, VerifyRequest, health};
use crate::service::{Pecs, audit};
use clap::Subcommand;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Snapshot, verify and copy to every destination in the config.
    Run,
    /// Check backups again: hashes, every page's HMAC, structure, audit chain, row counts.
    Verify {
        /// Every backup, not only each destination's newest.
        #[arg(long)]
        all: bool,
        /// Only this destination.
        #[arg(long, value_name = "NAME")]
        destination: Option<String>,
    },
    /// Each destination's backups and their state.
    List,
    /// Remove the backups the retention rules do not keep.
    Prune,
}

/// The service key: `--service-key`, else systemd's credential if there is one.
pub fn service_key(cli: &Cli) -> Option<PathBuf> {
    cli.service_key.clone().or_else(|| {
        let path =
            PathBuf::from(std::env::var_os("CREDENTIALS_DIRECTORY")?).join("pecs-service-key");
        path.is_file().then_some(path)
    })
}

/// Run `f` as the service principal, or as the person named by `--user`.
fn as_operator(
    cli: &Cli,
    pecs: &Pecs,
    f: impl FnOnce(Operator<'_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    if cli.user.is_none()
        && let Some(key) = service_key(cli)
    {
        let service = pecs.open_as_service(&key, audit::current_origin())?;
        return f(Operator::Service(&service));
    }
    let session = login(cli, pecs)?;
    let result = f(Operator::Person(&session));
    session.logout()?;
    result
}

pub fn dispatch(cli: &Cli, pecs: &Pecs, command: &BackupCommand) -> Result<(), Failure> {
    match command {
        BackupCommand::Run => as_operator(cli, pecs, run),
        BackupCommand::Verify { all, destination } => as_operator(cli, pecs, |op| {
            let request = VerifyRequest {
                all: *all,
                destination: destination.clone(),
            };
            verify(op, &request)
        }),
        BackupCommand::List => list(pecs),
        BackupCommand::Prune => as_operator(cli, pecs, |op| {
            let pruned = backup::prune(op)?;
            for (dest, name) in &pruned.removed {
                println!("removed {dest}/{name}");
            }
            println!(
                "Pruned {} backups; {} kept.",
                pruned.removed.len(),
                pruned.kept
            );
            if pruned.unreadable.is_empty() {
                Ok(())
            } else {
                let names: Vec<String> = pruned
                    .unreadable
                    .iter()
                    .map(|(d, why)| format!("{d} ({why})"))
                    .collect();
                Err(Failure::Sentence(format!(
                    "Some destinations could not be read, so backups not known to be there were kept: {}.",
                    names.join("; ")
                )))
            }
        }),
    }
}

fn run(op: Operator<'_>) -> Result<(), Failure> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let mut progress = |p: Progress<'_>| {
        if let Some(bar) = &bar {
            bar.set_message(match p {
                Progress::Snapshot(d) => format!("snapshot and verify in {d}"),
                Progress::Copy(d) => format!("copy and verify in {d}"),
            });
        }
    };
    let report = backup::run(op, &mut progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut failed = Vec::new();
    for (dest, result) in &report.results {
        match result {
            Ok(path) => println!("{dest}: {} verified", path.display()),
            Err(why) => {
                println!("{dest}: FAILED: {why}");
                failed.push(format!("{dest} ({why})"));
            }
        }
    }
    if failed.is_empty() {
        println!("Backup {} done in {:.1} s.", report.name, report.seconds);
        Ok(())
    } else {
        Err(Failure::Sentence(format!(
            "The backup {} did not reach every destination: {}.",
            report.name,
            failed.join("; ")
        )))
    }
}

fn verify(op: Operator<'_>, request: &VerifyRequest) -> Result<(), Failure> {
    let results = backup::verify(op, request)?;
    let mut bad = Vec::new();
    for r in &results {
        // A destination with no backup has no name to show.
        let which = format!("{} {}", r.destination, r.name).trim().to_owned();
        if r.problems.is_empty() {
            println!("{which}: verified");
        } else {
            println!("{which}: BAD: {}", r.problems.join(" "));
            bad.push(which);
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Failure::Sentence(format!(
            "Verification failed for {}.",
            bad.join(", ")
        )))
    }
}

fn list(pecs: &Pecs) -> Result<(), Failure> {
    let listings = backup::list(&pecs.settings.backup);
    if listings.is_empty() {
        return Err(Failure::Sentence(
            "No backup destination is configured: add a [[backup.destination]] to the config file."
                .into(),
        ));
    }
    for l in listings {
        println!("{} ({})", l.destination.name, l.destination.path.display());
        match l.backups {
            Err(why) => println!("  unreadable: {why}"),
            Ok((found, partial)) => {
                for f in found.iter().rev() {
                    let state = match &f.stamp {
                        Some(s) if s.ok => format!("verified {}", s.at),
                        Some(s) => {
                            format!("FAILED verification {}: {}", s.at, s.problems.join(" "))
                        }
                        None => "not verified".to_string(),
                    };
                    println!("  {}  {state}", f.name);
                }
                for p in partial {
                    println!("  {p}  incomplete");
                }
            }
        }
    }
    Ok(())
}

/// `pecs restore BACKUP_DIR --to DIR`.
pub fn restore(cli: &Cli, backup_dir: &Path, to: &Path) -> Result<(), Failure> {
    let key = service_key(cli).ok_or_else(|| {
        Failure::Sentence(
            "A restore opens the backup with the service key: give --service-key FILE.".into(),
        )
    })?;
    let done = backup::restore(backup_dir, to, &key, audit::current_origin())?;
    println!(
        "Restored {} to {} in {:.1} s; verified before and after, {} audit events intact.",
        done.backup,
        done.to.display(),
        done.seconds,
        done.events
    );
    Ok(())
}

/// `pecs health [--json]`: the monitoring-plugin line (or JSON) and its exit status.
pub fn health(pecs: &Pecs, json: bool) -> Result<(), Failure> {
    let h = health::survey(&pecs.settings.backup, pecs.now());
    if json {
        let text =
            serde_json::to_string_pretty(&h).map_err(|e| Failure::Sentence(e.to_string()))?;
        println!("{text}");
    } else {
        println!("{}", h.line());
    }
    match h.status.exit_code() {
        0 => Ok(()),
        code => Err(Failure::Status(code)),
    }
}
