//! `pecs retention report [--format csv|json]` (DESIGN.md §5): every closed case with its
//! retention date, legal hold, destruction state and certificate, for the monthly review.
//! No personal data: references, clients and dates only.

use super::{Cli, ExportFormat, Failure, with_session};
use crate::service::records::{self, RetentionRow};
use crate::service::{Pecs, instructions::spreadsheet_safe};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Closed cases: kept until, on hold, destruction requested, destroyed, certificate.
    Report {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

pub fn dispatch(cli: &Cli, pecs: &Pecs, command: &RetentionCommand) -> Result<(), Failure> {
    let RetentionCommand::Report { format } = command;
    let mut rows = Vec::new();
    with_session(cli, pecs, |s| {
        rows = records::retention_report(s)?;
        Ok(())
    })?;
    let text = match format {
        ExportFormat::Csv => csv_of(&rows)?,
        ExportFormat::Json => {
            serde_json::to_string_pretty(&rows).map_err(|e| Failure::Sentence(e.to_string()))?
                + "\n"
        }
    };
    super::write_out(&text)
}

fn csv_of(rows: &[RetentionRow]) -> Result<String, Failure> {
    let fail = |e: csv::Error| Failure::Sentence(format!("The CSV could not be written: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "reference",
        "client",
        "closed_at",
        "retain_until",
        "on_hold",
        "destruction_requested",
        "destroyed_at",
        "certificate",
    ])
    .map_err(fail)?;
    for r in rows {
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        let row = [
            r.reference.clone(),
            r.client.clone(),
            r.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.retain_until.clone().unwrap_or_default(),
            yes(r.on_hold),
            yes(r.destruction_requested),
            r.destroyed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.certificate.clone().unwrap_or_default(),
        ]
        .map(|cell| spreadsheet_safe(&cell));
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Failure::Sentence(format!("The CSV could not be written: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Failure::Sentence(e.to_string()))
}
