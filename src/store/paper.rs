//! The paper register (filing units, key holders, paper items, movements, destruction
//! records) and the log of subject access requests.

use super::Result;
use crate::domain::{CaseId, Millis, UserId};
use rusqlite::{Connection, OptionalExtension, params};

pub fn unit_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM filing_units WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

pub fn insert_unit(conn: &Connection, name: &str, now: Millis) -> Result<i64> {
    conn.prepare_cached("INSERT INTO filing_units (name, created_at) VALUES (?1, ?2)")?
        .execute(params![name, now.0])?;
    Ok(conn.last_insert_rowid())
}

pub fn add_key_holder(conn: &Connection, unit: i64, user: UserId) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO key_holders (unit_id, user_id) VALUES (?1, ?2)")?
        .execute(params![unit, user.0])?;
    Ok(())
}

pub fn is_key_holder(conn: &Connection, unit: i64, user: UserId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM key_holders WHERE unit_id = ?1 AND user_id = ?2")?
        .query_row(params![unit, user.0], |_| Ok(()))
        .optional()?
        .is_some())
}

pub struct NewItem<'a> {
    pub case: CaseId,
    pub description: &'a str,
    pub unit: i64,
    pub key_holder: UserId,
    pub by: UserId,
}

pub fn insert_item(conn: &Connection, item: &NewItem<'_>, now: Millis) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO paper_items (case_id, description, unit_id, key_holder_id, registered_by,
                                  registered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        item.case.0,
        item.description,
        item.unit,
        item.key_holder.0,
        item.by.0,
        now.0
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A paper item as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub case_id: CaseId,
    pub case_reference: String,
    pub description: String,
    pub unit: String,
    pub key_holder: String,
    /// Checked out to whom, since when (`None`: in its unit).
    pub out: Option<(String, Millis)>,
    pub destroyed_on: Option<String>,
}

const ITEM_SELECT: &str = "SELECT p.id, p.case_id, p.description, f.name, k.username,
        (SELECT u.username FROM paper_movements m JOIN users u ON u.id = m.checked_out_to
           WHERE m.item_id = p.id AND m.returned_at IS NULL),
        (SELECT m.out_at FROM paper_movements m WHERE m.item_id = p.id AND m.returned_at IS NULL),
        (SELECT d.destroyed_on FROM paper_destructions d WHERE d.item_id = p.id), c.reference
     FROM paper_items p JOIN filing_units f ON f.id = p.unit_id
     JOIN users k ON k.id = p.key_holder_id JOIN cases c ON c.id = p.case_id";

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let out_to: Option<String> = r.get(5)?;
    let out_at: Option<i64> = r.get(6)?;
    Ok(Item {
        id: r.get(0)?,
        case_id: CaseId(r.get(1)?),
        case_reference: r.get(8)?,
        description: r.get(2)?,
        unit: r.get(3)?,
        key_holder: r.get(4)?,
        out: out_to.zip(out_at.map(Millis)),
        destroyed_on: r.get(7)?,
    })
}

pub fn item(conn: &Connection, id: i64) -> Result<Option<Item>> {
    Ok(conn
        .prepare_cached(&format!("{ITEM_SELECT} WHERE p.id = ?1"))?
        .query_row([id], item_row)
        .optional()?)
}

/// Every paper item, by filing unit.
pub fn items(conn: &Connection) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(&format!("{ITEM_SELECT} ORDER BY f.name, p.id"))?;
    let rows = stmt.query_map([], item_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn check_out(conn: &Connection, item: i64, to: UserId, by: UserId, now: Millis) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO paper_movements (item_id, checked_out_to, out_at, out_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![item, to.0, now.0, by.0])?;
    Ok(())
}

/// Returns whether the item was out (and is now back).
pub fn check_in(conn: &Connection, item: i64, by: UserId, now: Millis) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE paper_movements SET returned_at = ?2, returned_by = ?3
             WHERE item_id = ?1 AND returned_at IS NULL",
        )?
        .execute(params![item, now.0, by.0])?
        > 0)
}

pub struct Destruction<'a> {
    pub item: i64,
    pub method: &'a str,
    pub certificate_ref: &'a str,
    pub witness: UserId,
    pub destroyed_on: &'a str,
    pub by: UserId,
}

pub fn record_destruction(conn: &Connection, d: &Destruction<'_>, now: Millis) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO paper_destructions (item_id, method, certificate_ref, witness_id,
                                         destroyed_on, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        d.item,
        d.method,
        d.certificate_ref,
        d.witness.0,
        d.destroyed_on,
        d.by.0,
        now.0
    ])?;
    Ok(())
}

/// A logged subject access request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub id: i64,
    pub subject: String,
    pub received_on: String,
    pub due_on: String,
    pub exported_at: Option<Millis>,
}

pub fn insert_access_request(
    conn: &Connection,
    subject: &str,
    received_on: &str,
    due_on: &str,
    by: UserId,
    now: Millis,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO subject_access_requests (subject, received_on, due_on, logged_by, logged_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![subject, received_on, due_on, by.0, now.0])?;
    Ok(conn.last_insert_rowid())
}

fn access_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessRequest> {
    Ok(AccessRequest {
        id: r.get(0)?,
        subject: r.get(1)?,
        received_on: r.get(2)?,
        due_on: r.get(3)?,
        exported_at: r.get::<_, Option<i64>>(4)?.map(Millis),
    })
}

pub fn access_request(conn: &Connection, id: i64) -> Result<Option<AccessRequest>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, subject, received_on, due_on, exported_at FROM subject_access_requests
             WHERE id = ?1",
        )?
        .query_row([id], access_row)
        .optional()?)
}

/// Requests not yet answered, soonest due first.
pub fn open_access_requests(conn: &Connection) -> Result<Vec<AccessRequest>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, subject, received_on, due_on, exported_at FROM subject_access_requests
         WHERE exported_at IS NULL ORDER BY due_on, id",
    )?;
    let rows = stmt.query_map([], access_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_exported(conn: &Connection, id: i64, path: &str, now: Millis) -> Result<()> {
    conn.prepare_cached(
        "UPDATE subject_access_requests SET exported_at = ?2, export_path = ?3 WHERE id = ?1",
    )?
    .execute(params![id, now.0, path])?;
    Ok(())
}
