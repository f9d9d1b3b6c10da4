//! The only code that speaks SQL. Opens the encrypted database (key first), sets its
//! pragmas, runs the numbered migrations, and offers one module per table group.
//! Functions take `&Connection`, so they run inside whatever transaction the service
//! layer holds: a change and its audit event commit together.

pub mod audit;
pub mod cases;
pub mod files;
pub mod keyring;
pub mod meta;
pub mod migrate;
pub mod orgs;
pub mod paper;
pub mod records;
pub mod sessions;
pub mod snapshot;
pub mod users;

use crate::crypto::DataKey;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::ops::Deref;
use std::path::Path;
use std::time::{Duration, Instant};

pub use rusqlite::Connection as Conn;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLCipher's "file is not a database": the key does not fit, or the file is damaged.
    #[error("the database could not be opened: wrong key, or the file is corrupt")]
    WrongKeyOrCorrupt,
    #[error("{0}")]
    Constraint(String),
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data is malformed: {0}")]
    Malformed(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::WrongKeyOrCorrupt,
            Some(ErrorCode::ConstraintViolation) => StoreError::Constraint(e.to_string()),
            _ => StoreError::Sql(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Prepared statements kept per connection: more than the store has distinct ones.
pub const STATEMENT_CACHE: usize = 128;

/// How long a connection waits for another connection's lock before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
const LOCK_POLL: Duration = Duration::from_millis(1);

/// Make `conn` wait for a lock held by another connection by trying again every
/// millisecond, up to [`LOCK_WAIT`]. SQLite's own `busy_timeout` backs off to 100 ms
/// sleeps, and a writer that commits and begins again in a loop can then keep the lock
/// through every one of them until the waiter gives up: a backup's audit record failed so.
pub(crate) fn wait_for_locks(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(try_again_after_a_millisecond))
}

fn try_again_after_a_millisecond(attempts_so_far: i32) -> bool {
    thread_local! {
        /// When the current wait began (SQLite calls the handler on the waiting thread).
        static WAITING_SINCE: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
    }
    let now = Instant::now();
    let since = WAITING_SINCE.with(|since| {
        if attempts_so_far == 0 || since.get().is_none() {
            since.set(Some(now));
        }
        since.get().unwrap_or(now)
    });
    if now.duration_since(since) >= LOCK_WAIT {
        return false;
    }
    std::thread::sleep(LOCK_POLL);
    true
}

/// Tunables for opening `pecs.db`.
#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    pub cache_mib: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { cache_mib: 64 }
    }
}

/// An open, keyed, migrated `pecs.db`.
pub struct Db {
    conn: Connection,
}

/// A write transaction (`BEGIN IMMEDIATE`): it takes the write lock at the start (waiting
/// up to [`LOCK_WAIT`]), so a read followed by a write cannot fail half-way.
pub struct Tx<'c> {
    inner: rusqlite::Transaction<'c>,
}

impl Db {
    /// Open an existing database. A wrong key is reported as [`StoreError::WrongKeyOrCorrupt`].
    pub fn open(path: &Path, key: &DataKey, options: DbOptions) -> Result<Db> {
        files::require_file(path)?;
        Self::open_keyed(path, key, options)
    }

    /// Create a new database file (mode 0600) and its schema.
    pub fn create(path: &Path, key: &DataKey, options: DbOptions) -> Result<Db> {
        files::create_private_file(path)?;
        Self::open_keyed(path, key, options)
    }

    fn open_keyed(path: &Path, key: &DataKey, options: DbOptions) -> Result<Db> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        wait_for_locks(&mut conn)?;
        snapshot::apply_key(&conn, key)?;
        // PRAGMA key never fails: a wrong key shows at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA cache_size = -{};",
            u64::from(options.cache_mib) * 1024
        ))?;
        migrate::run(&conn, migrate::CORE)?;
        // Every statement of the store is prepared once per connection and kept.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Db { conn })
    }

    /// Begin a write transaction.
    pub fn write(&self) -> Result<Tx<'_>> {
        let inner =
            rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        Ok(Tx { inner })
    }

    /// A consistent copy of the database in the new file `target` (for a backup),
    /// encrypted under the same key.
    pub fn snapshot_into(&self, target: &Path, key: &DataKey) -> Result<()> {
        snapshot::copy_into(&self.conn, target, Some(key))
    }

    /// For reads that need no transaction.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        Ok(self.inner.commit()?)
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.inner
    }
}
