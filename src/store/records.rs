//! Records keeping: legal holds, destruction requests and decisions with their
//! certificates, the redaction that destroys a case's personal data in place (leaving the
//! row as a tombstone), and the retention listing and counts.

use super::Result;
use crate::domain::{CaseId, Millis, OrgId, UserId};
use rusqlite::{Connection, OptionalExtension, named_params, params};

/// A legal hold in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: i64,
    pub set_by: UserId,
    pub set_at: Millis,
    pub reason: String,
}

pub fn active_hold(conn: &Connection, case: CaseId) -> Result<Option<Hold>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, set_by, set_at, reason FROM legal_holds
             WHERE case_id = ?1 AND cleared_at IS NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row([case.0], |r| {
            Ok(Hold {
                id: r.get(0)?,
                set_by: UserId(r.get(1)?),
                set_at: Millis(r.get(2)?),
                reason: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn set_hold(
    conn: &Connection,
    case: CaseId,
    by: UserId,
    reason: &str,
    now: Millis,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO legal_holds (case_id, set_by, set_at, reason) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![case.0, by.0, now.0, reason])?;
    Ok(conn.last_insert_rowid())
}

pub fn clear_hold(
    conn: &Connection,
    hold: i64,
    by: UserId,
    reason: &str,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE legal_holds SET cleared_by = ?2, cleared_at = ?3, clear_reason = ?4
         WHERE id = ?1 AND cleared_at IS NULL",
    )?
    .execute(params![hold, by.0, now.0, reason])?;
    Ok(())
}

/// A destruction request and, once made, its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub case_id: CaseId,
    pub requested_by: UserId,
    pub requested_at: Millis,
    pub reason: String,
    pub decision: Option<String>,
    pub certificate: Option<String>,
}

const REQUEST_COLUMNS: &str =
    "id, case_id, requested_by, requested_at, request_reason, decision, certificate";

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Request> {
    Ok(Request {
        id: r.get(0)?,
        case_id: CaseId(r.get(1)?),
        requested_by: UserId(r.get(2)?),
        requested_at: Millis(r.get(3)?),
        reason: r.get(4)?,
        decision: r.get(5)?,
        certificate: r.get(6)?,
    })
}

pub fn request(conn: &Connection, id: i64) -> Result<Option<Request>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM destructions WHERE id = ?1"
        ))?
        .query_row([id], request_row)
        .optional()?)
}

/// The request awaiting a decision for `case`, if there is one.
pub fn open_request(conn: &Connection, case: CaseId) -> Result<Option<Request>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM destructions WHERE case_id = ?1 AND decision IS NULL"
        ))?
        .query_row([case.0], request_row)
        .optional()?)
}

/// Requests awaiting a decision, oldest first.
pub fn queue(conn: &Connection) -> Result<Vec<Request>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {REQUEST_COLUMNS} FROM destructions WHERE decision IS NULL ORDER BY id"
    ))?;
    let rows = stmt.query_map([], request_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_request(
    conn: &Connection,
    case: CaseId,
    by: UserId,
    reason: &str,
    now: Millis,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO destructions (case_id, requested_by, requested_at, request_reason)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![case.0, by.0, now.0, reason])?;
    Ok(conn.last_insert_rowid())
}

/// Record the decision on request `id` (a certificate only for an approval).
pub fn decide(
    conn: &Connection,
    id: i64,
    by: UserId,
    approved: bool,
    reason: &str,
    certificate: Option<&str>,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE destructions SET decided_by = ?2, decided_at = ?3, decision = ?4,
                decision_reason = ?5, certificate = ?6
         WHERE id = ?1 AND decision IS NULL",
    )?
    .execute(params![
        id,
        by.0,
        now.0,
        if approved { "approved" } else { "rejected" },
        reason,
        certificate
    ])?;
    Ok(())
}

/// The next destruction certificate number, `PE-DC-YYYY-NNNN`.
pub fn next_certificate(conn: &Connection, prefix: &str, year: i32) -> Result<String> {
    let n: i64 = conn
        .prepare_cached(
            "INSERT INTO certificate_counters (year, last) VALUES (?1, 1)
             ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([year], |r| r.get(0))?;
    Ok(format!("{prefix}-DC-{year}-{n:04}"))
}

/// Destroy the personal data of `case` in place: the subject, the client's reference,
/// every note's words and void reason, every document's name, contents and hash, the
/// descriptions of its paper items, the old and new values of its detail history, and
/// the search index's entries for them (the index deletes securely, migration 0012, so
/// the old words leave it with the update). What is
/// left is the tombstone: reference, client, type, status, dates and the history.
pub fn redact(conn: &Connection, case: CaseId, now: Millis) -> Result<()> {
    conn.prepare_cached(
        "UPDATE cases SET subject_name = '[destroyed]', subject_dob = NULL,
                subject_address = '', client_ref = NULL, destroyed_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![case.0, now.0])?;
    conn.prepare_cached(
        "UPDATE case_notes SET body = '',
                void_reason = CASE WHEN void_reason IS NULL THEN NULL ELSE '' END
         WHERE case_id = ?1",
    )?
    .execute([case.0])?;
    conn.prepare_cached(
        "UPDATE case_documents SET file_name = '[destroyed]', content = x'', sha256 = x'', size = 0
         WHERE case_id = ?1",
    )?
    .execute([case.0])?;
    conn.prepare_cached("UPDATE paper_items SET description = '[destroyed]' WHERE case_id = ?1")?
        .execute([case.0])?;
    conn.prepare_cached(
        "UPDATE case_detail_history SET old_value = '[destroyed]', new_value = '[destroyed]'
         WHERE case_id = ?1",
    )?
    .execute([case.0])?;
    // The update trigger replaced the case's search index entries, and the index deletes
    // securely (migration 0012): the destroyed words are gone from it too.
    Ok(())
}

/// A closed case as the retention review sees it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetentionRow {
    pub reference: String,
    pub client: String,
    pub closed_at: Option<Millis>,
    pub retain_until: Option<String>,
    pub on_hold: bool,
    pub destruction_requested: bool,
    pub destroyed_at: Option<Millis>,
    pub certificate: Option<String>,
}

/// Every closed case (in `org`, if given), soonest retention end first.
pub fn retention_rows(conn: &Connection, org: Option<OrgId>) -> Result<Vec<RetentionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.reference, o.code, c.closed_at, c.retain_until,
                EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = c.id AND h.cleared_at IS NULL),
                EXISTS (SELECT 1 FROM destructions d WHERE d.case_id = c.id AND d.decision IS NULL),
                c.destroyed_at,
                (SELECT d.certificate FROM destructions d WHERE d.case_id = c.id
                   AND d.decision = 'approved')
         FROM cases c JOIN orgs o ON o.id = c.client_org_id
         WHERE c.status = 'closed' AND (?1 IS NULL OR c.client_org_id = ?1)
         ORDER BY c.retain_until, c.id",
    )?;
    let rows = stmt.query_map([org.map(|o| o.0)], |r| {
        Ok(RetentionRow {
            reference: r.get(0)?,
            client: r.get(1)?,
            closed_at: r.get::<_, Option<i64>>(2)?.map(Millis),
            retain_until: r.get(3)?,
            on_hold: r.get(4)?,
            destruction_requested: r.get(5)?,
            destroyed_at: r.get::<_, Option<i64>>(6)?.map(Millis),
            certificate: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many cases are in each state of their life, for the Archive screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub open: i64,
    pub completed: i64,
    pub closed_retained: i64,
    pub eligible: i64,
    pub on_hold: i64,
    pub destroyed: i64,
    pub awaiting_decision: i64,
}

pub fn counts(conn: &Connection, org: Option<OrgId>, today: &str) -> Result<Counts> {
    // Scoped or not, each statement has a plain condition the planner can use an index for.
    let org_id = org.map(|o| o.0);
    let in_scope = match org {
        Some(_) => "c.client_org_id = :org",
        None => ":org IS NULL",
    };
    let args = named_params! {":today": today, ":org": org_id};
    let (open, completed, closed_retained, closed_due, destroyed) = conn
        .prepare_cached(&format!(
            "SELECT sum(status IN ('new', 'active', 'on_hold')),
                    sum(status = 'completed'),
                    sum(status = 'closed' AND destroyed_at IS NULL AND retain_until > :today),
                    sum(status = 'closed' AND destroyed_at IS NULL AND retain_until <= :today),
                    sum(destroyed_at IS NOT NULL)
             FROM cases c INDEXED BY cases_archive_state WHERE {in_scope}"
        ))?
        .query_row(args, |r| {
            let n = |i: usize| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0));
            Ok((n(0)?, n(1)?, n(2)?, n(3)?, n(4)?))
        })?;
    // Holds and open requests are few: count them from their own tables.
    let (on_hold, held_and_due): (i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT count(DISTINCT h.case_id),
                    count(DISTINCT CASE WHEN c.status = 'closed' AND c.destroyed_at IS NULL
                                         AND c.retain_until <= :today THEN h.case_id END)
             FROM legal_holds h JOIN cases c ON c.id = h.case_id
             WHERE h.cleared_at IS NULL AND {in_scope}"
        ))?
        .query_row(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
    let awaiting_decision: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM destructions d JOIN cases c ON c.id = d.case_id
             WHERE d.decision IS NULL AND {in_scope}"
        ))?
        .query_row(named_params! {":org": org_id}, |r| r.get(0))?;
    Ok(Counts {
        open,
        completed,
        closed_retained,
        eligible: closed_due - held_and_due,
        on_hold,
        destroyed,
        awaiting_decision,
    })
}
