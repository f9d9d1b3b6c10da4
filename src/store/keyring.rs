//! `pecs.keys`: a small plain SQLite file holding key slots, login throttling counters,
//! sealed failed-login records and the audit checkpoint. Nothing in it is readable
//! personal data: slots are found by a keyed hash of the user name.

use super::{Result, StoreError, files, migrate};
use crate::crypto::KdfParams;
use crate::crypto::wrap::Wrapped;
use crate::domain::Millis;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    User,
    Reset,
    Service,
    Recovery,
}

impl SlotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotKind::User => "user",
            SlotKind::Reset => "reset",
            SlotKind::Service => "service",
            SlotKind::Recovery => "recovery",
        }
    }

    fn parse(s: &str) -> Option<SlotKind> {
        [
            SlotKind::User,
            SlotKind::Reset,
            SlotKind::Service,
            SlotKind::Recovery,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One way in: the data key wrapped under a key-encryption key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRecord {
    pub id: String,
    pub kind: SlotKind,
    pub name_hash: Option<Vec<u8>>,
    /// `None` for service slots, whose key file is the key-encryption key itself.
    pub kdf: Option<KdfParams>,
    pub salt: Vec<u8>,
    pub wrapped: Wrapped,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
}

/// Login throttling state for one name hash (known user or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    pub consecutive: i64,
    pub locked_until: Millis,
    pub window_start: Millis,
    pub window_failures: i64,
}

/// The last audit (seq, hash) written, kept outside the database it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: Vec<u8>,
}

pub const NAME_SALT: &str = "name_salt";
pub const SEAL_PUBLIC: &str = "seal_public_key";
/// Present when `pecs demo` made the installation (also marked inside the database).
pub const DEMO: &str = "demo";
/// Sealed failed-login records kept while waiting for the next open.
const MAX_PENDING_FAILURES: i64 = 10_000;
const CHECKPOINT_SEQ: &str = "audit_checkpoint_seq";
const CHECKPOINT_HASH: &str = "audit_checkpoint_hash";

const SLOT_COLUMNS: &str = "id, kind, name_hash, kdf, salt, nonce, wrapped, created_at, expires_at";

fn slot_from_row(r: &Row<'_>) -> rusqlite::Result<SlotRecord> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("bad slot {what}").into(),
        )
    };
    let kind: String = r.get(1)?;
    let kdf: Option<String> = r.get(3)?;
    let nonce: Vec<u8> = r.get(5)?;
    Ok(SlotRecord {
        id: r.get(0)?,
        kind: SlotKind::parse(&kind).ok_or_else(|| bad(1, "kind"))?,
        name_hash: r.get(2)?,
        kdf: kdf
            .map(|k| serde_json::from_str(&k).map_err(|_| bad(3, "kdf")))
            .transpose()?,
        salt: r.get(4)?,
        wrapped: Wrapped {
            nonce: nonce.as_slice().try_into().map_err(|_| bad(5, "nonce"))?,
            ciphertext: r.get(6)?,
        },
        created_at: Millis(r.get(7)?),
        expires_at: r.get::<_, Option<i64>>(8)?.map(Millis),
    })
}

pub struct Keyring {
    conn: Connection,
}

impl Keyring {
    /// Create a new key ring file (mode 0600); fails if one exists.
    pub fn create(path: &Path) -> Result<Keyring> {
        files::create_private_file(path)?;
        Self::open_path(path)
    }

    pub fn open(path: &Path) -> Result<Keyring> {
        files::require_file(path)?;
        Self::open_path(path)
    }

    fn open_path(path: &Path) -> Result<Keyring> {
        let mut conn = Connection::open(path)?;
        super::wait_for_locks(&mut conn)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
        )?;
        migrate::run(&conn, migrate::KEYRING)?;
        // Every statement of the store is prepared once per connection and kept.
        conn.set_prepared_statement_cache_capacity(super::STATEMENT_CACHE);
        Ok(Keyring { conn })
    }

    /// A key ring copied into a backup, opened only to read its slots.
    pub fn open_read_only(path: &Path) -> Result<Keyring> {
        files::require_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Ok(Keyring { conn })
    }

    /// A consistent copy of the key ring in the new file `target` (for a backup).
    pub fn snapshot_into(&self, target: &Path) -> Result<()> {
        super::snapshot::copy_into(&self.conn, target, None)
    }

    /// Run `f` in one IMMEDIATE transaction of the key ring.
    pub fn atomically<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        super::meta::get(&self.conn, key)
    }

    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        super::meta::set(&self.conn, key, value)
    }

    /// The keyed hash that finds a name's slot and throttle row.
    pub fn name_hash(&self, normalised_name: &str) -> Result<Vec<u8>> {
        let salt = self
            .meta(NAME_SALT)?
            .ok_or_else(|| StoreError::Malformed("key ring has no name salt".into()))?;
        Ok(crate::crypto::codes::name_hash(&salt, normalised_name))
    }

    pub fn insert_slot(&self, slot: &SlotRecord) -> Result<()> {
        insert_slot(&self.conn, slot)
    }

    /// Put `slot` in place of whatever personal slot its name had, atomically.
    pub fn replace_personal_slot(&self, slot: &SlotRecord) -> Result<()> {
        self.atomically(|c| {
            c.prepare_cached("DELETE FROM slots WHERE name_hash = ?1")?
                .execute([&slot.name_hash])?;
            insert_slot(c, slot)
        })?;
        self.scrub_wal();
        Ok(())
    }

    /// Remove a name's personal slot: its password or code stops working.
    pub fn delete_personal_slot(&self, name_hash: &[u8]) -> Result<bool> {
        let removed = self
            .conn
            .prepare_cached("DELETE FROM slots WHERE name_hash = ?1")?
            .execute([name_hash])?
            > 0;
        self.scrub_wal();
        Ok(removed)
    }

    /// A removed slot's old page lives on in the WAL until a checkpoint: fold it back
    /// (secure_delete has already overwritten it in the main file). Best effort: a
    /// reader elsewhere may hold the WAL, and the next removal tries again.
    fn scrub_wal(&self) {
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
    }

    /// The user or reset slot for a name hash.
    pub fn personal_slot(&self, name_hash: &[u8]) -> Result<Option<SlotRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SLOT_COLUMNS} FROM slots WHERE name_hash = ?1"
            ))?
            .query_row([name_hash], slot_from_row)
            .optional()?)
    }

    pub fn slots_of_kind(&self, kind: SlotKind) -> Result<Vec<SlotRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SLOT_COLUMNS} FROM slots WHERE kind = ?1 ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([kind.as_str()], slot_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Returns whether a slot was removed (false: it was already gone).
    pub fn delete_slot(&self, id: &str) -> Result<bool> {
        let removed = self
            .conn
            .prepare_cached("DELETE FROM slots WHERE id = ?1")?
            .execute([id])?
            > 0;
        self.scrub_wal();
        Ok(removed)
    }

    pub fn throttle(&self, name_hash: &[u8]) -> Result<Throttle> {
        read_throttle(&self.conn, name_hash)
    }

    /// Count a login attempt before its password is checked: `Err(until)` while the
    /// name is paused (not counted), else the throttle as it will stand if the attempt
    /// fails, already stored. One transaction, so parallel attempts each count.
    pub fn claim_attempt(
        &self,
        name_hash: &[u8],
        now: Millis,
        after_failure: impl Fn(Throttle, Millis) -> Throttle,
    ) -> Result<std::result::Result<Throttle, Millis>> {
        self.atomically(|c| {
            let current = read_throttle(c, name_hash)?;
            if current.locked_until > now {
                return Ok(Err(current.locked_until));
            }
            let next = after_failure(current, now);
            write_throttle(c, name_hash, &next)?;
            // Rows for names nobody has tried for an hour keep no state worth keeping.
            c.prepare_cached("DELETE FROM throttle WHERE locked_until < ?1 AND window_start < ?1")?
                .execute([now.0 - Millis::HOUR])?;
            Ok(Ok(next))
        })
    }

    /// Change a name's throttle in one transaction (read, `f`, write).
    pub fn update_throttle(
        &self,
        name_hash: &[u8],
        f: impl FnOnce(Throttle) -> Throttle,
    ) -> Result<Throttle> {
        self.atomically(|c| {
            let next = f(read_throttle(c, name_hash)?);
            write_throttle(c, name_hash, &next)?;
            Ok(next)
        })
    }

    pub fn clear_throttle(&self, name_hash: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM throttle WHERE name_hash = ?1")?
            .execute([name_hash])?;
        Ok(())
    }

    /// Queue a sealed failed-login record. Bounded, so a flood of attempts while the
    /// database stays shut cannot fill the disk; the throttle still counts them all.
    pub fn push_failed_login(&self, sealed: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO failed_logins (sealed)
             SELECT ?1 WHERE (SELECT count(*) FROM failed_logins) < ?2",
            )?
            .execute(params![sealed, MAX_PENDING_FAILURES])?;
        Ok(())
    }

    /// How many sealed records wait for the next open.
    pub fn pending_failed_logins(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM failed_logins")?
            .query_row([], |r| r.get(0))?)
    }

    /// Take every pending sealed record, oldest first, in one transaction: two
    /// processes opening at once cannot both import the same record.
    pub fn take_failed_logins(&self) -> Result<Vec<Vec<u8>>> {
        self.atomically(|c| {
            let mut stmt = c.prepare("DELETE FROM failed_logins RETURNING id, sealed")?;
            let mut rows: Vec<(i64, Vec<u8>)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            rows.sort_by_key(|(id, _)| *id);
            Ok(rows.into_iter().map(|(_, sealed)| sealed).collect())
        })
    }

    /// Put records back when they could not be imported.
    pub fn return_failed_logins(&self, records: &[Vec<u8>]) -> Result<()> {
        self.atomically(|c| {
            for sealed in records {
                c.prepare_cached("INSERT INTO failed_logins (sealed) VALUES (?1)")?
                    .execute([sealed])?;
            }
            Ok(())
        })
    }

    pub fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        // One statement: a consistent pair even while another process advances it.
        let (seq, hash): (Option<Vec<u8>>, Option<Vec<u8>>) = self.conn.prepare_cached("SELECT (SELECT value FROM meta WHERE key = ?1), (SELECT value FROM meta WHERE key = ?2)")?.query_row([CHECKPOINT_SEQ, CHECKPOINT_HASH],
            |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(match (seq, hash) {
            (Some(seq), Some(hash)) => {
                let seq = String::from_utf8(seq)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| StoreError::Malformed("audit checkpoint".into()))?;
                Some(Checkpoint { seq, hash })
            }
            _ => None,
        })
    }

    /// Move the checkpoint forward; an older (seq) value never replaces a newer one.
    ///
    /// This one write is not fsynced (`synchronous = NORMAL` in WAL mode): a power cut can
    /// lose only the newest advances, which leaves the checkpoint behind the chain — still
    /// a valid checkpoint — and the next fsynced key-ring write makes it durable. It saves
    /// a second fsync on every audited action.
    pub fn advance_checkpoint(&self, cp: &Checkpoint) -> Result<()> {
        self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        let advanced = self.write_checkpoint(cp);
        self.conn.execute_batch("PRAGMA synchronous = FULL")?;
        advanced
    }

    fn write_checkpoint(&self, cp: &Checkpoint) -> Result<()> {
        self.atomically(|c| {
            let current = super::meta::get(c, CHECKPOINT_SEQ)?
                .and_then(|v| String::from_utf8(v).ok())
                .and_then(|s| s.parse::<i64>().ok());
            if current.is_some_and(|seq| seq >= cp.seq) {
                return Ok(());
            }
            super::meta::set(c, CHECKPOINT_SEQ, cp.seq.to_string().as_bytes())?;
            super::meta::set(c, CHECKPOINT_HASH, &cp.hash)
        })
    }
}

fn read_throttle(conn: &Connection, name_hash: &[u8]) -> Result<Throttle> {
    Ok(conn
        .prepare_cached(
            "SELECT consecutive, locked_until, window_start, window_failures
             FROM throttle WHERE name_hash = ?1",
        )?
        .query_row([name_hash], |r| {
            Ok(Throttle {
                consecutive: r.get(0)?,
                locked_until: Millis(r.get(1)?),
                window_start: Millis(r.get(2)?),
                window_failures: r.get(3)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

fn write_throttle(conn: &Connection, name_hash: &[u8], t: &Throttle) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO throttle (name_hash, consecutive, locked_until, window_start, window_failures)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name_hash) DO UPDATE SET consecutive = excluded.consecutive,
            locked_until = excluded.locked_until, window_start = excluded.window_start,
            window_failures = excluded.window_failures",
    )?
    .execute(params![
        name_hash,
        t.consecutive,
        t.locked_until.0,
        t.window_start.0,
        t.window_failures
    ])?;
    Ok(())
}

fn insert_slot(conn: &Connection, slot: &SlotRecord) -> Result<()> {
    let kdf = slot
        .kdf
        .map(|k| serde_json::to_string(&k).map_err(|e| StoreError::Malformed(e.to_string())))
        .transpose()?;
    conn.prepare_cached(&format!(
        "INSERT INTO slots ({SLOT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?
    .execute(params![
        slot.id,
        slot.kind.as_str(),
        slot.name_hash,
        kdf,
        slot.salt,
        slot.wrapped.nonce.as_slice(),
        slot.wrapped.ciphertext,
        slot.created_at.0,
        slot.expires_at.map(|t| t.0)
    ])?;
    Ok(())
}
