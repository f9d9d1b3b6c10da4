//! The config file (TOML) and its defaults. Unknown keys are errors, so a typo is
//! reported rather than silently ignored. Paths default to the `directories` locations.

use crate::service::Settings;
use crate::service::backup::settings::{BackupSettings, Destination, Keep};
use crate::store::DbOptions;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub database: Database,
    #[serde(default)]
    pub backup: Backup,
    #[serde(default)]
    pub records: Records,
    /// Key bindings for the terminal UI: action name -> key or keys.
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, KeySpec>,
}

/// A `[keys]` entry: one key (`quit = "q"`) or several (`quit = ["q", "F10"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// Lock the screen after this many idle minutes.
    pub idle_lock_minutes: u32,
    /// A session ends this many hours after login, however active.
    pub session_limit_hours: u32,
    /// A reset code works once, for this many hours.
    pub reset_code_hours: u32,
    /// Roles that must use two-factor login; `[]` relaxes it (not advised).
    pub two_factor_roles: Vec<crate::domain::Role>,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            idle_lock_minutes: 15,
            session_limit_hours: 12,
            reset_code_hours: 24,
            two_factor_roles: vec![
                crate::domain::Role::Sysadmin,
                crate::domain::Role::Supervisor,
            ],
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// SQLCipher page cache; below ~64 MiB every cache miss costs a page decryption.
    pub cache_mib: u32,
}

impl Default for Database {
    fn default() -> Self {
        Database { cache_mib: 64 }
    }
}

/// `[records]`: how long a closed case is kept.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Records {
    /// Whole years after closing; never below the law's 6.
    pub retention_years: u32,
}

impl Default for Records {
    fn default() -> Self {
        Records {
            retention_years: crate::domain::retention::MINIMUM_YEARS,
        }
    }
}

/// `[backup]`: where backups go (`[[backup.destination]]`), how long they are kept
/// (`[backup.keep]`), and when health warns.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Backup {
    pub destination: Vec<BackupDestination>,
    pub keep: BackupKeep,
    pub warn_after_minutes: u32,
    pub critical_after_minutes: u32,
    pub min_free_mib: u64,
}

impl Default for Backup {
    fn default() -> Self {
        let d = BackupSettings::default();
        Backup {
            destination: Vec::new(),
            keep: BackupKeep::default(),
            warn_after_minutes: d.warn_after_minutes as u32,
            critical_after_minutes: d.critical_after_minutes as u32,
            min_free_mib: d.min_free_mib,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BackupDestination {
    pub name: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupKeep {
    pub hourly_hours: u32,
    pub daily_days: u32,
    pub monthly_years: u32,
}

impl Default for BackupKeep {
    fn default() -> Self {
        let k = Keep::default();
        BackupKeep {
            hourly_hours: k.hourly_hours as u32,
            daily_days: k.daily_days as u32,
            monthly_years: k.monthly_years as u32,
        }
    }
}

impl Backup {
    fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for d in &self.destination {
            let good_name = (1..=32).contains(&d.name.len())
                && d.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !good_name {
                return Err(format!(
                    "backup.destination name \"{}\" must be 1 to 32 of a-z, 0-9, - and _.",
                    d.name
                ));
            }
            if !seen.insert(d.name.as_str()) {
                return Err(format!(
                    "backup.destination name \"{}\" is used twice.",
                    d.name
                ));
            }
            if !d.path.is_absolute() {
                return Err(format!(
                    "backup.destination \"{}\" needs an absolute path.",
                    d.name
                ));
            }
        }
        if self.warn_after_minutes == 0 || self.warn_after_minutes >= self.critical_after_minutes {
            return Err(
                "backup.warn_after_minutes must be above 0 and below backup.critical_after_minutes."
                    .into(),
            );
        }
        let k = &self.keep;
        if k.hourly_hours == 0 || k.daily_days == 0 || k.monthly_years == 0 {
            return Err(
                "backup.keep: hourly_hours, daily_days and monthly_years must each be at least 1."
                    .into(),
            );
        }
        Ok(())
    }

    fn settings(&self) -> BackupSettings {
        BackupSettings {
            destinations: self
                .destination
                .iter()
                .map(|d| Destination {
                    name: d.name.clone(),
                    path: d.path.clone(),
                })
                .collect(),
            keep: Keep {
                hourly_hours: i64::from(self.keep.hourly_hours),
                daily_days: i64::from(self.keep.daily_days),
                monthly_years: i64::from(self.keep.monthly_years),
            },
            warn_after_minutes: i64::from(self.warn_after_minutes),
            critical_after_minutes: i64::from(self.critical_after_minutes),
            min_free_mib: self.min_free_mib,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("Cannot read the config file {path}: {source}.")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("The config file {path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Read `explicit` (which must exist), else the default location if present, else defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_config_path() {
                Some(p) if p.is_file() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&text).map_err(|message| ConfigError::Invalid { path, message })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config =
            toml::from_str(text).map_err(|e| e.message().to_owned() + &location(text, e.span()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let s = &self.security;
        if !(1..=24 * 60).contains(&s.idle_lock_minutes) {
            return Err("security.idle_lock_minutes must be between 1 and 1440.".into());
        }
        if !(1..=24).contains(&s.session_limit_hours) {
            return Err("security.session_limit_hours must be between 1 and 24.".into());
        }
        if !(1..=72).contains(&s.reset_code_hours) {
            return Err("security.reset_code_hours must be between 1 and 72.".into());
        }
        if !(2..=4096).contains(&self.database.cache_mib) {
            return Err("database.cache_mib must be between 2 and 4096.".into());
        }
        if !(crate::domain::retention::MINIMUM_YEARS..=100).contains(&self.records.retention_years)
        {
            return Err(
                "records.retention_years must be between 6 (the Limitation Act period) and 100."
                    .into(),
            );
        }
        self.backup.check()
    }

    /// `--data-dir` / `PECS_DATA_DIR` first, then the config file, then the default.
    pub fn data_dir(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_path_buf)
            .or_else(|| self.data_dir.clone())
            .or_else(|| {
                directories::ProjectDirs::from("", "", "pecs").map(|d| d.data_dir().to_path_buf())
            })
            .unwrap_or_else(|| PathBuf::from("pecs-data"))
    }

    pub fn settings(&self) -> Settings {
        let defaults = Settings::default();
        Settings {
            reset_code_hours: i64::from(self.security.reset_code_hours),
            session_limit_hours: i64::from(self.security.session_limit_hours),
            two_factor_roles: self.security.two_factor_roles.clone(),
            db: DbOptions {
                cache_mib: self.database.cache_mib,
            },
            backup: self.backup.settings(),
            retention_years: self.records.retention_years,
            ..defaults
        }
    }
}

fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pecs").map(|d| d.config_dir().join("config.toml"))
}

fn location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| {
        let start = s.start.min(text.len());
        let line = text[..start].matches('\n').count() + 1;
        let source = text.lines().nth(line - 1).unwrap_or("").trim();
        format!(" (line {line}: {source})")
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let e = Config::parse("[security]\nidle_lock_minute = 5\n").unwrap_err();
        assert!(
            e.contains("idle_lock_minute") && e.contains("line 2"),
            "{e}"
        );
        let e = Config::parse("[security]\nreset_code_hours = 0\n").unwrap_err();
        assert!(e.contains("reset_code_hours"), "{e}");
    }
}
