//! Where backups go and how long they are kept: the `[backup]` part of the config, as
//! the service uses it.

use std::path::PathBuf;

/// One place backups are written to (`[[backup.destination]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub name: String,
    pub path: PathBuf,
}

/// How many backups prune keeps: one an hour for `hourly_hours`, one a day for
/// `daily_days`, one a month for `monthly_years`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub hourly_hours: i64,
    pub daily_days: i64,
    pub monthly_years: i64,
}

impl Default for Keep {
    fn default() -> Self {
        Keep {
            hourly_hours: 48,
            daily_days: 35,
            monthly_years: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSettings {
    /// The first is where each backup is made; the others get verified copies.
    pub destinations: Vec<Destination>,
    pub keep: Keep,
    /// Health warns when the newest verified backup anywhere is older than this.
    pub warn_after_minutes: i64,
    /// Health is critical past this.
    pub critical_after_minutes: i64,
    /// Health warns when a destination has less free space than this.
    pub min_free_mib: u64,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings {
            destinations: Vec::new(),
            keep: Keep::default(),
            warn_after_minutes: 65,
            critical_after_minutes: 120,
            min_free_mib: 1024,
        }
    }
}
