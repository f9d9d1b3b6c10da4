//! THE permission-checking layer. Every public function takes the caller (a
//! [`Session`] from [`auth::login`], or the unattended [`ServiceSession`]), checks the
//! policy table first (deny by default), then scope, then business rules, and writes its
//! audit event in the same transaction as its change.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod cases;
pub mod clock;
pub mod demo;
pub mod error;
pub mod install;
pub mod instructions;
pub mod opened;
pub mod orgs;
pub mod paper;
pub mod password;
pub mod policy;
pub mod records;
pub mod reports;
pub mod session;
pub mod slots;
pub mod subject_access;
pub mod two_factor;
pub mod users;

pub use crate::crypto::Password;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ServiceError;
pub use session::{Caller, ServiceSession, Session, SessionInfo};

use crate::crypto::KdfParams;
use crate::store::DbOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// The files of one installation.
#[derive(Debug, Clone)]
pub struct Paths {
    pub dir: PathBuf,
    pub db: PathBuf,
    pub keys: PathBuf,
    pub log: PathBuf,
}

impl Paths {
    pub fn new(dir: &Path) -> Paths {
        Paths {
            dir: dir.to_path_buf(),
            db: dir.join("pecs.db"),
            keys: dir.join("pecs.keys"),
            log: dir.join("pecs.log"),
        }
    }
}

/// Security settings the config file may change.
#[derive(Debug, Clone)]
pub struct Settings {
    pub kdf: KdfParams,
    pub reset_code_hours: i64,
    pub session_limit_hours: i64,
    /// Roles that must use two-factor login (DESIGN: sysadmins and supervisors).
    pub two_factor_roles: Vec<crate::domain::Role>,
    pub db: DbOptions,
    pub backup: backup::settings::BackupSettings,
    /// A closed case is kept this many whole years (never under 6).
    pub retention_years: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kdf: KdfParams::DEFAULT,
            reset_code_hours: 24,
            session_limit_hours: 12,
            two_factor_roles: vec![
                crate::domain::Role::Sysadmin,
                crate::domain::Role::Supervisor,
            ],
            db: DbOptions::default(),
            backup: backup::settings::BackupSettings::default(),
            retention_years: crate::domain::retention::MINIMUM_YEARS,
        }
    }
}

/// A handle on one installation (data dir + settings + clock). Holds no key: opening the
/// database needs a login, a service key or a recovery code.
#[derive(Clone)]
pub struct Pecs {
    pub paths: Paths,
    pub settings: Settings,
    clock: Arc<dyn Clock>,
}

impl Pecs {
    pub fn new(dir: &Path, settings: Settings) -> Pecs {
        Pecs {
            paths: Paths::new(dir),
            settings,
            clock: Arc::new(SystemClock),
        }
    }

    /// Tests move time with a [`FixedClock`].
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Pecs {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> crate::domain::Millis {
        self.clock.now()
    }

    pub fn is_installed(&self) -> bool {
        self.paths.db.exists() || self.paths.keys.exists()
    }
}
