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

/// A session as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub user_id: UserId,
    pub username: String,
    pub role: String,
    pub org_code: String,
    pub started_at: Millis,
    pub heartbeat_at: Millis,
    /// JSON of the origin (where from).
    pub origin: String,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<String>,
}

/// Sessions still open, and those that ended at or after `since`, newest first;
/// only `org`'s people when given.
pub fn recent(conn: &Connection, since: Millis, org: Option<i64>) -> Result<Vec<SessionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.user_id, u.username, u.role, o.code, s.started_at, s.heartbeat_at,
                s.origin, s.ended_at, s.end_reason
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id
         WHERE (s.ended_at IS NULL OR s.ended_at >= ?1) AND (?2 IS NULL OR u.org_id = ?2)
         ORDER BY s.started_at DESC, s.rowid DESC LIMIT 500",
    )?;
    let rows = stmt.query_map(params![since.0, org], |r| {
        Ok(SessionRow {
            id: r.get(0)?,
            user_id: UserId(r.get(1)?),
            username: r.get(2)?,
            role: r.get(3)?,
            org_code: r.get(4)?,
            started_at: Millis(r.get(5)?),
            heartbeat_at: Millis(r.get(6)?),
            origin: r.get(7)?,
            ended_at: r.get::<_, Option<i64>>(8)?.map(Millis),
            end_reason: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
