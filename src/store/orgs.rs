//! The `orgs` table.

use super::{Result, StoreError};
use crate::domain::{Millis, Org, OrgId, OrgKind};
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, code, name, kind, require_two_factor";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Org> {
    let kind: String = r.get(3)?;
    Ok(Org {
        id: OrgId(r.get(0)?),
        code: r.get(1)?,
        name: r.get(2)?,
        kind: if kind == "internal" {
            OrgKind::Internal
        } else {
            OrgKind::Client
        },
        require_two_factor: r.get(4)?,
    })
}

pub fn insert(
    conn: &Connection,
    code: &str,
    name: &str,
    kind: OrgKind,
    now: Millis,
) -> Result<OrgId> {
    conn.prepare_cached("INSERT INTO orgs (code, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![code, name, kind.as_str(), now.0])?;
    Ok(OrgId(conn.last_insert_rowid()))
}

pub fn get(conn: &Connection, id: OrgId) -> Result<Option<Org>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orgs WHERE id = ?1"))?
        .query_row([id.0], from_row)
        .optional()?)
}

pub fn by_code(conn: &Connection, code: &str) -> Result<Option<Org>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orgs WHERE code = ?1"))?
        .query_row([code], from_row)
        .optional()?)
}

pub fn internal(conn: &Connection) -> Result<Org> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orgs WHERE kind = 'internal'"
    ))?
    .query_row([], from_row)
    .optional()?
    .ok_or_else(|| StoreError::Malformed("no internal organisation".into()))
}

pub fn list(conn: &Connection) -> Result<Vec<Org>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM orgs ORDER BY kind DESC, code"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_require_two_factor(conn: &Connection, id: OrgId, required: bool) -> Result<()> {
    conn.prepare_cached("UPDATE orgs SET require_two_factor = ?2 WHERE id = ?1")?
        .execute(params![id.0, required])?;
    Ok(())
}

pub fn rename(conn: &Connection, id: OrgId, name: &str) -> Result<()> {
    conn.prepare_cached("UPDATE orgs SET name = ?2 WHERE id = ?1")?
        .execute(params![id.0, name])?;
    Ok(())
}
