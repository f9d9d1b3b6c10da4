//! `pecs report activity` (DESIGN.md §5): the activity report for scheduled jobs, as CSV
//! or JSON on standard output, with the Reports screen's filters.

use super::{Cli, ExportFormat, Failure, with_session};
use crate::domain::Millis;
use crate::service::reports::{self, ActivityFilter};
use crate::service::{Pecs, audit};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Logins, views and changes the caller may see, newest first.
    Activity {
        /// From this time: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
        #[arg(long, value_name = "T")]
        since: Option<String>,
        /// Until this time (not included).
        #[arg(long, value_name = "T")]
        until: Option<String>,
        /// Only what this person did (with --service-key, --user names them too).
        #[arg(long = "who", value_name = "NAME")]
        who: Option<String>,
        /// Only events on this case (its reference).
        #[arg(long = "case", value_name = "REF")]
        case: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

/// A time as typed: a date (midnight UTC) or an RFC 3339 time.
fn parse_time(flag: &str, text: &str) -> Result<Millis, Failure> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let midnight = d
            .and_hms_opt(0, 0, 0)
            .map(|m| m.and_utc().timestamp_millis());
        return midnight.map(Millis).ok_or_else(|| bad_time(flag, t));
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| Millis(d.timestamp_millis()))
        .map_err(|_| bad_time(flag, t))
}

fn bad_time(flag: &str, text: &str) -> Failure {
    Failure::Sentence(format!(
        "--{flag} {text} is not a time: give YYYY-MM-DD or an RFC 3339 time such as 2026-12-04T09:00:00Z."
    ))
}

pub fn dispatch(cli: &Cli, pecs: &Pecs, command: &ReportCommand) -> Result<(), Failure> {
    let ReportCommand::Activity {
        since,
        until,
        who,
        case,
        format,
    } = command;
    let mut filter = ActivityFilter {
        since: since
            .as_deref()
            .map(|t| parse_time("since", t))
            .transpose()?,
        until: until
            .as_deref()
            .map(|t| parse_time("until", t))
            .transpose()?,
        user: who.clone(),
        case: case.clone(),
        ..ActivityFilter::default()
    };
    let events = match super::backup::service_key(cli) {
        // A scheduled report: the service principal, and --user names whose activity.
        Some(key) => {
            filter.user = filter.user.or_else(|| cli.user.clone());
            let service = pecs.open_as_service(&key, audit::current_origin())?;
            reports::export_events_as_service(&service, &filter)?
        }
        None => {
            let mut events = Vec::new();
            with_session(cli, pecs, |s| {
                events = reports::export_events(s, &filter)?;
                Ok(())
            })?;
            events
        }
    };
    let text = match format {
        ExportFormat::Csv => reports::to_csv(&events)?,
        ExportFormat::Json => {
            serde_json::to_string_pretty(&events).map_err(|e| Failure::Sentence(e.to_string()))?
                + "\n"
        }
    };
    super::write_out(&text)
}
