//! Installation facts inside the encrypted database: demo marker, the sealed-box secret
//! key for failed-login records, and similar single values.

use super::Result;
use rusqlite::{Connection, OptionalExtension, params};

pub const SEAL_SECRET: &str = "seal_secret_key";
pub const DEMO: &str = "demo";
pub const INSTALLED_AT: &str = "installed_at";

pub fn get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}
