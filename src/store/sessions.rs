//! The `sessions` table: one row a login, with heartbeat and how it ended.

use super::Result;
use crate::domain::{Millis, UserId};
use rusqlite::{Connection, OptionalExtension, params};

pub fn insert(
    conn: &Connection,
    id: &str,
    user: UserId,
    at: Millis,
    origin_json: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (id, user_id, started_at, origin, heartbeat_at)
         VALUES (?1, ?2, ?3, ?4, ?3)",
    )?
    .execute(params![id, user.0, at.0, origin_json])?;
    Ok(())
}

/// `Some(started_at)` while the session is open; `None` once ended or unknown.
pub fn open_since(conn: &Connection, id: &str) -> Result<Option<Millis>> {
    Ok(conn
        .prepare_cached("SELECT started_at FROM sessions WHERE id = ?1 AND ended_at IS NULL")?
        .query_row([id], |r| r.get(0).map(Millis))
        .optional()?)
}

pub fn heartbeat(conn: &Connection, id: &str, at: Millis) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET heartbeat_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
    )?
    .execute(params![id, at.0])?;
    Ok(())
}

/// Returns whether this call ended it (false if it had already ended).
pub fn end(conn: &Connection, id: &str, at: Millis, reason: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE id = ?1 AND ended_at IS NULL",
        )?
        .execute(params![id, at.0, reason])?;
    Ok(n > 0)
}

/// End every open session of a user (disabled, role changed, password reset).
pub fn end_all_for_user(
    conn: &Connection,
    user: UserId,
    at: Millis,
    reason: &str,
) -> Result<usize> {
    Ok(conn.prepare_cached("UPDATE sessions SET ended_at = ?2, end_reason = ?3 WHERE user_id = ?1 AND ended_at IS NULL")?.execute(params![user.0, at.0, reason])?)
}
