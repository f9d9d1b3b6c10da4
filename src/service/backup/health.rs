//! `pecs health`: the state of every backup destination as one status line in the
//! monitoring-plugin convention (`PECS BACKUP OK - … | perfdata`, exit 0/1/2/3) and the
//! same facts as JSON. It reads only the destinations (no key, no personal data).

use super::disk;
use super::settings::BackupSettings;
use crate::domain::Millis;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Status {
    /// The monitoring-plugin exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// What one destination holds, as found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestinationState {
    pub name: String,
    pub path: String,
    pub backups: usize,
    pub newest: Option<String>,
    pub newest_age_seconds: Option<i64>,
    pub newest_verified: Option<String>,
    pub newest_verified_age_seconds: Option<i64>,
    /// The latest verification of any backup here failed: which, and why.
    pub failed_verification: Option<String>,
    pub last_verified_at: Option<String>,
    pub free_mib: Option<u64>,
    /// The destination could not be read.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub status: Status,
    pub summary: String,
    pub checked_at: String,
    pub destinations: Vec<DestinationState>,
    #[serde(skip)]
    warn_after_seconds: i64,
    #[serde(skip)]
    critical_after_seconds: i64,
    #[serde(skip)]
    min_free_mib: u64,
}

impl Health {
    /// `PECS BACKUP OK - summary | 'onsite_age'=720s;3900;7200;0 …`
    pub fn line(&self) -> String {
        let mut perf = Vec::new();
        for d in &self.destinations {
            if let Some(age) = d.newest_verified_age_seconds {
                perf.push(format!(
                    "'{}_age'={age}s;{};{};0",
                    d.name, self.warn_after_seconds, self.critical_after_seconds
                ));
            }
            if let Some(free) = d.free_mib {
                perf.push(format!(
                    "'{}_free'={free}MB;{};;0",
                    d.name, self.min_free_mib
                ));
            }
        }
        format!(
            "PECS BACKUP {} - {} | {}",
            self.status.label(),
            self.summary,
            perf.join(" ")
        )
    }
}

/// Look at every destination on `now`.
pub fn survey(settings: &BackupSettings, now: Millis) -> Health {
    let states = settings
        .destinations
        .iter()
        .map(|d| {
            let mut state = DestinationState {
                name: d.name.clone(),
                path: d.path.display().to_string(),
                backups: 0,
                newest: None,
                newest_age_seconds: None,
                newest_verified: None,
                newest_verified_age_seconds: None,
                failed_verification: None,
                last_verified_at: None,
                free_mib: None,
                error: None,
            };
            match disk::list(&d.path) {
                Ok((found, _)) => {
                    let age = |at: Millis| (now.0 - at.0).max(0) / 1000;
                    state.backups = found.len();
                    if let Some(newest) = found.last() {
                        state.newest = Some(newest.name.clone());
                        state.newest_age_seconds = Some(age(newest.at));
                    }
                    if let Some(v) = found
                        .iter()
                        .rev()
                        .find(|f| f.stamp.as_ref().is_some_and(|s| s.ok))
                    {
                        state.newest_verified = Some(v.name.clone());
                        state.newest_verified_age_seconds = Some(age(v.at));
                    }
                    let latest_check = found
                        .iter()
                        .filter_map(|f| f.stamp.as_ref().map(|s| (f, s)))
                        .max_by_key(|(_, s)| s.at_ms);
                    if let Some((f, s)) = latest_check {
                        state.last_verified_at = Some(s.at.clone());
                        if !s.ok {
                            state.failed_verification = Some(format!(
                                "{} failed verification: {}",
                                f.name,
                                s.problems.first().map_or("", String::as_str)
                            ));
                        }
                    }
                    state.free_mib = disk::free_mib(&d.path).ok();
                }
                Err(e) => state.error = Some(format!("{} cannot be read: {e}", d.path.display())),
            }
            state
        })
        .collect();
    evaluate(states, settings, now)
}

/// The status and summary for what was found.
pub fn evaluate(
    destinations: Vec<DestinationState>,
    settings: &BackupSettings,
    now: Millis,
) -> Health {
    let warn = settings.warn_after_minutes * 60;
    let critical = settings.critical_after_minutes * 60;
    let mut status = Status::Ok;
    let mut said = Vec::new();
    if destinations.is_empty() {
        status = Status::Unknown;
        said.push("no backup destination is configured".to_string());
    }
    for d in &destinations {
        let (level, text) = if let Some(e) = &d.error {
            (Status::Critical, format!("{}: {e}", d.name))
        } else if let Some(f) = &d.failed_verification {
            (Status::Critical, format!("{}: {f}", d.name))
        } else {
            match d.newest_verified_age_seconds {
                None => (Status::Critical, format!("{}: no verified backup", d.name)),
                Some(age) => {
                    let level = if age > critical {
                        Status::Critical
                    } else if age > warn {
                        Status::Warning
                    } else {
                        Status::Ok
                    };
                    (
                        level,
                        format!("{}: newest verified backup {} old", d.name, minutes(age)),
                    )
                }
            }
        };
        let (level, text) = match d.free_mib {
            Some(free) if free < settings.min_free_mib => (
                level.max(Status::Warning),
                format!("{text}, only {free} MB free"),
            ),
            _ => (level, text),
        };
        status = status.max(level);
        said.push(text);
    }
    Health {
        status,
        summary: said.join("; "),
        checked_at: now.to_rfc3339(),
        destinations,
        warn_after_seconds: warn,
        critical_after_seconds: critical,
        min_free_mib: settings.min_free_mib,
    }
}

fn minutes(seconds: i64) -> String {
    match seconds / 60 {
        m if m < 120 => format!("{m} min"),
        m => format!("{} h", m / 60),
    }
}
