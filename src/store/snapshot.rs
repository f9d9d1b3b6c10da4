//! Snapshots of a live database for backups: a consistent copy taken with the online
//! backup API while others write (never a file copy of a WAL database), and the checks a copy must
//! pass: opened read-only with its key, every page's HMAC, the b-tree structure, and
//! the row count of every table.

use super::{Result, StoreError};
use crate::crypto::DataKey;
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;

/// A consistent copy of `conn`'s main database in the new file `target`, keyed with
/// `key` (the database's own key; `None` for the plain key ring). The online backup API
/// copies every page in one step, so under one read transaction: writers carry on (WAL)
/// and the copy is the database as of one moment. The copy uses a rollback journal, so
/// it can later be opened read-only on its own.
pub fn copy_into(conn: &Connection, target: &Path, key: Option<&DataKey>) -> Result<()> {
    let mut dest = Connection::open_with_flags(
        target,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(key) = key {
        apply_key(&dest, key)?;
    }
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut dest)?;
        match backup.step(-1)? {
            rusqlite::backup::StepResult::Done => {}
            other => {
                return Err(StoreError::Malformed(format!(
                    "the snapshot did not complete: {other:?}"
                )));
            }
        }
    }
    dest.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

/// The raw key as the first statement (the literal is wiped when dropped), then
/// SQLCipher's logging off: it otherwise writes to stderr, over the screen the UI draws.
pub(super) fn apply_key(conn: &Connection, key: &DataKey) -> Result<()> {
    let mut sql = zeroize::Zeroizing::new(String::with_capacity(80));
    sql.push_str("PRAGMA key = \"");
    sql.push_str(&key.sqlcipher_literal());
    sql.push_str("\";");
    conn.execute_batch(&sql)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    Ok(())
}

/// A snapshot opened to be checked: read-only, never migrated, never journaled.
pub struct Snapshot {
    conn: Connection,
}

impl Snapshot {
    /// Open a copy of `pecs.db` with its data key.
    pub fn open_database(path: &Path, key: &DataKey) -> Result<Snapshot> {
        let conn = open_read_only(path)?;
        apply_key(&conn, key)?;
        // The checks read every page, the structure check more than once: a large cache
        // saves decrypting the same page again.
        conn.execute_batch("PRAGMA cache_size = -262144;")?;
        let snapshot = Snapshot { conn };
        snapshot.schema_version()?;
        Ok(snapshot)
    }

    /// Open a copy of the plain key ring.
    pub fn open_keyring(path: &Path) -> Result<Snapshot> {
        let snapshot = Snapshot {
            conn: open_read_only(path)?,
        };
        snapshot.schema_version()?;
        Ok(snapshot)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA user_version`: the number of the last migration applied.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Pages whose HMAC does not verify (SQLCipher), one sentence each; empty when clean.
    pub fn cipher_problems(&self) -> Result<Vec<String>> {
        self.pragma_rows("PRAGMA cipher_integrity_check")
    }

    /// What `PRAGMA integrity_check` finds wrong with the b-trees; empty when clean.
    pub fn structure_problems(&self) -> Result<Vec<String>> {
        let rows = self.pragma_rows("PRAGMA integrity_check")?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    fn pragma_rows(&self, pragma: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(pragma)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The number of rows of every table but the virtual ones, by table name.
    pub fn row_counts(&self) -> Result<BTreeMap<String, i64>> {
        row_counts(&self.conn)
    }
}

/// Row counts of `conn`'s ordinary tables, as [`Snapshot::row_counts`].
pub fn row_counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        // A table name from the schema itself, quoted as an identifier.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0))?;
        counts.insert(name, n);
    }
    Ok(counts)
}

fn open_read_only(path: &Path) -> Result<Connection> {
    super::files::require_file(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    Ok(conn)
}
