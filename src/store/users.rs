//! The `users` table. Users are disabled, never deleted (a trigger refuses DELETE).

use super::Result;
use crate::domain::{Millis, OrgId, Role, User, UserId};
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, username, display_name, org_id, role, enabled, must_change_password,
                       expires_at, created_at, last_login_at, last_login_from,
                       totp_secret IS NOT NULL, require_two_factor";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(4)?;
    let role = role.parse::<Role>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(User {
        id: UserId(r.get(0)?),
        username: r.get(1)?,
        display_name: r.get(2)?,
        org_id: OrgId(r.get(3)?),
        role,
        enabled: r.get(5)?,
        must_change_password: r.get(6)?,
        expires_at: r.get::<_, Option<i64>>(7)?.map(Millis),
        created_at: Millis(r.get(8)?),
        last_login_at: r.get::<_, Option<i64>>(9)?.map(Millis),
        last_login_from: r.get(10)?,
        two_factor: r.get(11)?,
        require_two_factor: r.get(12)?,
    })
}

pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org_id: OrgId,
    pub role: Role,
    pub expires_at: Option<Millis>,
}

pub fn insert(conn: &Connection, new: &NewUserRow<'_>, now: Millis) -> Result<UserId> {
    conn.prepare_cached(
        "INSERT INTO users (username, display_name, org_id, role, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        new.username,
        new.display_name,
        new.org_id.0,
        new.role.as_str(),
        new.expires_at.map(|t| t.0),
        now.0
    ])?;
    Ok(UserId(conn.last_insert_rowid()))
}

pub fn get(conn: &Connection, id: UserId) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id.0], from_row)
        .optional()?)
}

pub fn by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE username = ?1"))?
        .query_row([username], from_row)
        .optional()?)
}

/// All users, or one organisation's.
pub fn list(conn: &Connection, org: Option<OrgId>) -> Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM users WHERE ?1 IS NULL OR org_id = ?1 ORDER BY username"
    ))?;
    let rows = stmt.query_map([org.map(|o| o.0)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Enabled sysadmins whose accounts have not expired.
pub fn count_active_sysadmins(conn: &Connection, now: Millis) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM users
         WHERE role = 'sysadmin' AND enabled = 1 AND (expires_at IS NULL OR expires_at > ?1)",
        )?
        .query_row([now.0], |r| r.get(0))?)
}

pub fn set_enabled(conn: &Connection, id: UserId, enabled: bool) -> Result<()> {
    conn.prepare_cached("UPDATE users SET enabled = ?2 WHERE id = ?1")?
        .execute(params![id.0, enabled])?;
    Ok(())
}

pub fn set_role(conn: &Connection, id: UserId, role: Role) -> Result<()> {
    conn.prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
        .execute(params![id.0, role.as_str()])?;
    Ok(())
}

pub fn set_expiry(conn: &Connection, id: UserId, expires_at: Option<Millis>) -> Result<()> {
    conn.prepare_cached("UPDATE users SET expires_at = ?2 WHERE id = ?1")?
        .execute(params![id.0, expires_at.map(|t| t.0)])?;
    Ok(())
}

pub fn set_display_name(conn: &Connection, id: UserId, name: &str) -> Result<()> {
    conn.prepare_cached("UPDATE users SET display_name = ?2 WHERE id = ?1")?
        .execute(params![id.0, name])?;
    Ok(())
}

pub fn set_must_change_password(conn: &Connection, id: UserId, must: bool) -> Result<()> {
    conn.prepare_cached("UPDATE users SET must_change_password = ?2 WHERE id = ?1")?
        .execute(params![id.0, must])?;
    Ok(())
}

pub fn set_require_two_factor(conn: &Connection, id: UserId, required: bool) -> Result<()> {
    conn.prepare_cached("UPDATE users SET require_two_factor = ?2 WHERE id = ?1")?
        .execute(params![id.0, required])?;
    Ok(())
}

/// A secret waiting for its first code (`None` abandons it).
pub fn set_totp_pending(conn: &Connection, id: UserId, secret: Option<&[u8]>) -> Result<()> {
    conn.prepare_cached("UPDATE users SET totp_pending = ?2 WHERE id = ?1")?
        .execute(params![id.0, secret])?;
    Ok(())
}

pub fn totp_pending(conn: &Connection, id: UserId) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT totp_pending FROM users WHERE id = ?1")?
        .query_row([id.0], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Switch two-factor login on with the confirmed secret and the step just used.
pub fn enable_totp(conn: &Connection, id: UserId, secret: &[u8], step: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE users SET totp_secret = ?2, totp_last_step = ?3, totp_pending = NULL WHERE id = ?1",
    )?
    .execute(params![id.0, secret, step])?;
    Ok(())
}

/// The confirmed secret and the last accepted step.
pub fn totp(conn: &Connection, id: UserId) -> Result<Option<(Vec<u8>, Option<i64>)>> {
    Ok(conn.prepare_cached("SELECT totp_secret, totp_last_step FROM users WHERE id = ?1 AND totp_secret IS NOT NULL")?.query_row([id.0],
            |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn set_totp_last_step(conn: &Connection, id: UserId, step: i64) -> Result<()> {
    conn.prepare_cached("UPDATE users SET totp_last_step = ?2 WHERE id = ?1")?
        .execute(params![id.0, step])?;
    Ok(())
}

/// Forget the account's two-factor enrolment (a password reset starts it afresh).
pub fn clear_totp(conn: &Connection, id: UserId) -> Result<()> {
    conn.prepare_cached("UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = ?1")?.execute([id.0])?;
    Ok(())
}

pub fn record_login(conn: &Connection, id: UserId, at: Millis, from: &str) -> Result<()> {
    conn.prepare_cached("UPDATE users SET last_login_at = ?2, last_login_from = ?3 WHERE id = ?1")?
        .execute(params![id.0, at.0, from])?;
    Ok(())
}
