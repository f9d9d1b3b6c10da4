//! The `cases`, `case_notes`, `case_documents` and `case_status_history` tables, and the
//! full-text index. A [`Scope`] narrows every read to what the caller may see.

use super::{Result, StoreError};
use crate::domain::{
    Case, CaseId, CaseStatus, CaseType, DocumentId, DocumentMeta, Millis, Note, NoteId, OrgId,
    Priority, UserId,
};
use crate::domain::{DetailChange, StatusChange};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

/// Which cases a read may return: one client's, one caseworker's, or all (`None`s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub client_org: Option<OrgId>,
    pub assignee: Option<UserId>,
}

const COLUMNS: &str =
    "id, reference, client_org_id, client_ref, case_type, subject_name, subject_dob,
                       subject_address, status, priority, assigned_to, due_date, opened_at,
                       updated_at, updated_by, completed_at, closed_at, version, retain_until,
                       destroyed_at";

fn parse<T: std::str::FromStr<Err = String>>(i: usize, text: String) -> rusqlite::Result<T> {
    text.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        id: CaseId(r.get(0)?),
        reference: r.get(1)?,
        client_org_id: OrgId(r.get(2)?),
        client_ref: r.get(3)?,
        case_type: parse::<CaseType>(4, r.get(4)?)?,
        subject_name: r.get(5)?,
        subject_dob: r.get(6)?,
        subject_address: r.get(7)?,
        status: parse::<CaseStatus>(8, r.get(8)?)?,
        priority: parse::<Priority>(9, r.get(9)?)?,
        assigned_to: r.get::<_, Option<i64>>(10)?.map(UserId),
        due_date: r.get(11)?,
        opened_at: Millis(r.get(12)?),
        updated_at: Millis(r.get(13)?),
        updated_by: UserId(r.get(14)?),
        completed_at: r.get::<_, Option<i64>>(15)?.map(Millis),
        closed_at: r.get::<_, Option<i64>>(16)?.map(Millis),
        version: r.get(17)?,
        retain_until: r.get(18)?,
        destroyed_at: r.get::<_, Option<i64>>(19)?.map(Millis),
    })
}

/// The next `PE-YYYY-NNNNNN` for `year`; call inside the transaction that inserts it.
pub fn next_reference(conn: &Connection, prefix: &str, year: i32) -> Result<String> {
    let n: i64 = conn
        .prepare_cached(
            "INSERT INTO case_counters (year, last) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([year], |r| r.get(0))?;
    Ok(format!("{prefix}-{year}-{n:06}"))
}

pub struct NewCaseRow<'a> {
    pub reference: &'a str,
    pub client_org_id: OrgId,
    pub details: &'a DetailsRow<'a>,
    pub by: UserId,
}

pub fn insert(conn: &Connection, c: &NewCaseRow<'_>, now: Millis) -> Result<CaseId> {
    let d = c.details;
    conn.prepare_cached(
        "INSERT INTO cases (reference, client_org_id, client_ref, case_type, subject_name, subject_dob,
                            subject_address, priority, due_date, opened_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
    )?
    .execute(params![
            c.reference,
            c.client_org_id.0,
            d.client_ref,
            d.case_type.as_str(),
            d.subject_name,
            d.subject_dob,
            d.subject_address,
            d.priority.as_str(),
            d.due_date,
            now.0,
            c.by.0
        ])?;
    let id = CaseId(conn.last_insert_rowid());
    record_status(conn, id, None, CaseStatus::New, c.by, now)?;
    Ok(id)
}

pub fn client_ref_taken(conn: &Connection, client: OrgId, client_ref: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM cases WHERE client_org_id = ?1 AND client_ref = ?2")?
        .query_row(params![client.0, client_ref], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One case, if it exists and lies in `scope` (else `None`, never a hint it exists).
pub fn get(conn: &Connection, id: CaseId, scope: Scope) -> Result<Option<Case>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM cases WHERE id = ?1
             AND (?2 IS NULL OR client_org_id = ?2) AND (?3 IS NULL OR assigned_to = ?3)"
        ))?
        .query_row(
            params![
                id.0,
                scope.client_org.map(|o| o.0),
                scope.assignee.map(|u| u.0)
            ],
            from_row,
        )
        .optional()?)
}

/// The case with this reference, if it lies in `scope`.
pub fn by_reference(conn: &Connection, reference: &str, scope: Scope) -> Result<Option<Case>> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT id FROM cases WHERE reference = ?1")?
        .query_row([reference], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => get(conn, CaseId(id), scope),
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Soonest due first, cases without a due date last.
    #[default]
    Due,
    /// Most recently changed first.
    Updated,
    Reference,
}

/// The due key of the list's due-date order: cases without a due date sort last.
const NO_DUE_DATE: &str = "~";

/// Where a page starts: just after this case in the list's order (keyset paging, so a
/// deep page costs what the first does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    due_key: String,
    updated_at: i64,
    reference: String,
    id: i64,
}

impl After {
    /// The position just after `case`, the last row of the page before.
    pub fn of(case: &Case) -> After {
        After {
            due_key: case.due_date.clone().unwrap_or_else(|| NO_DUE_DATE.into()),
            updated_at: case.updated_at.0,
            reference: case.reference.clone(),
            id: case.id.0,
        }
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }
}

/// A page of the case list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub scope: Scope,
    pub status: Option<CaseStatus>,
    pub case_type: Option<CaseType>,
    pub client: Option<OrgId>,
    pub assignee: Option<UserId>,
    /// Due before this date (`YYYY-MM-DD`) and not completed or closed.
    pub overdue_on: Option<String>,
    pub sort: Sort,
    /// Start after this case (`None`: the first page).
    pub after: Option<After>,
    pub limit: i64,
}

/// One page in the query's order. Only the filters that are set reach the SQL, so the
/// planner picks the index of migration 0005 that serves the scope and the order.
pub fn list(conn: &Connection, q: &ListQuery) -> Result<Vec<Case>> {
    let mut sql = format!("SELECT {COLUMNS} FROM cases WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    let mut and = |condition: &str, values: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(condition);
        args.extend(values);
    };
    for org in [q.scope.client_org, q.client].into_iter().flatten() {
        and("client_org_id = ?", vec![org.0.into()]);
    }
    for user in [q.scope.assignee, q.assignee].into_iter().flatten() {
        and("assigned_to = ?", vec![user.0.into()]);
    }
    if let Some(status) = q.status {
        and("status = ?", vec![status.as_str().to_owned().into()]);
    }
    if let Some(case_type) = q.case_type {
        and("case_type = ?", vec![case_type.as_str().to_owned().into()]);
    }
    if let Some(today) = &q.overdue_on {
        and(
            "coalesce(due_date, '~') < ? AND status NOT IN ('completed', 'closed')",
            vec![today.clone().into()],
        );
    }
    let order = match (q.sort, &q.after) {
        (Sort::Due, after) => {
            if let Some(a) = after {
                and(
                    "(coalesce(due_date, '~'), id) > (?, ?)",
                    vec![a.due_key.clone().into(), a.id.into()],
                );
            }
            "coalesce(due_date, '~'), id"
        }
        (Sort::Updated, after) => {
            if let Some(a) = after {
                and(
                    "(updated_at, id) < (?, ?)",
                    vec![a.updated_at.into(), a.id.into()],
                );
            }
            "updated_at DESC, id DESC"
        }
        (Sort::Reference, after) => {
            if let Some(a) = after {
                and("reference > ?", vec![a.reference.clone().into()]);
            }
            "reference"
        }
    };
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?"));
    args.push(q.limit.into());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Full-text search within `scope`, newest cases first; `terms` are matched as prefixes,
/// diacritics folded. The index is read in case order and stops at `limit` matches, so a
/// common name costs what a rare one does.
pub fn search(conn: &Connection, terms: &str, scope: Scope, limit: i64) -> Result<Vec<Case>> {
    let query = fts_prefix_query(terms);
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM cases_fts JOIN cases c ON c.id = cases_fts.rowid
         WHERE cases_fts MATCH ?1
           AND (?2 IS NULL OR c.client_org_id = ?2) AND (?3 IS NULL OR c.assigned_to = ?3)
         ORDER BY cases_fts.rowid DESC LIMIT ?4",
        columns.join(", ")
    ))?;
    let rows = stmt.query_map(
        params![
            query,
            scope.client_org.map(|o| o.0),
            scope.assignee.map(|u| u.0),
            limit
        ],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each word as a quoted prefix term: what a person types never becomes FTS syntax.
fn fts_prefix_query(terms: &str) -> String {
    terms
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The details a person enters or edits.
pub struct DetailsRow<'a> {
    pub client_ref: Option<&'a str>,
    pub case_type: CaseType,
    pub subject_name: &'a str,
    pub subject_dob: Option<&'a str>,
    pub subject_address: &'a str,
    pub priority: Priority,
    pub due_date: Option<&'a str>,
}

/// Apply an edit made from `version`; `false` when someone else saved first.
pub fn update_details(
    conn: &Connection,
    id: CaseId,
    version: i64,
    d: &DetailsRow<'_>,
    by: UserId,
    now: Millis,
) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE cases SET client_ref = ?3, case_type = ?4, subject_name = ?5, subject_dob = ?6,
                subject_address = ?7, priority = ?8, due_date = ?9, updated_at = ?10,
                updated_by = ?11, version = version + 1
         WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            id.0,
            version,
            d.client_ref,
            d.case_type.as_str(),
            d.subject_name,
            d.subject_dob,
            d.subject_address,
            d.priority.as_str(),
            d.due_date,
            now.0,
            by.0
        ])?;
    Ok(n == 1)
}

pub fn set_assignee(
    conn: &Connection,
    id: CaseId,
    to: Option<UserId>,
    by: UserId,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE cases SET assigned_to = ?2, updated_at = ?3, updated_by = ?4, version = version + 1
         WHERE id = ?1",
    )?
    .execute(params![id.0, to.map(|u| u.0), now.0, by.0])?;
    Ok(())
}

/// Move a case to `to`; closing also sets the date it is kept until.
pub fn set_status(
    conn: &Connection,
    case: &Case,
    to: CaseStatus,
    retain_until: Option<&str>,
    by: UserId,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE cases SET status = ?2, updated_at = ?3, updated_by = ?4, version = version + 1,
                completed_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_at END,
                closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE closed_at END,
                retain_until = coalesce(?5, retain_until)
         WHERE id = ?1",
    )?
    .execute(params![case.id.0, to.as_str(), now.0, by.0, retain_until])?;
    record_status(conn, case.id, Some(case.status), to, by, now)
}

fn record_status(
    conn: &Connection,
    id: CaseId,
    from: Option<CaseStatus>,
    to: CaseStatus,
    by: UserId,
    now: Millis,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO case_status_history (case_id, from_status, to_status, at, by_user)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id.0,
        from.map(CaseStatus::as_str),
        to.as_str(),
        now.0,
        by.0
    ])?;
    Ok(())
}

/// A case's status moves, oldest first.
pub fn status_history(conn: &Connection, id: CaseId) -> Result<Vec<StatusChange>> {
    let mut stmt = conn.prepare(
        "SELECT from_status, to_status, at, by_user FROM case_status_history WHERE case_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(StatusChange {
            from: r
                .get::<_, Option<String>>(0)?
                .map(|s| parse::<CaseStatus>(0, s))
                .transpose()?,
            to: parse::<CaseStatus>(1, r.get(1)?)?,
            at: Millis(r.get(2)?),
            by: UserId(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_note(
    conn: &Connection,
    case: CaseId,
    author: UserId,
    client_visible: bool,
    body: &str,
    now: Millis,
) -> Result<NoteId> {
    conn.prepare_cached(
        "INSERT INTO case_notes (case_id, author_id, at, client_visible, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![case.0, author.0, now.0, client_visible, body])?;
    Ok(NoteId(conn.last_insert_rowid()))
}

const NOTE_COLUMNS: &str =
    "n.id, n.case_id, n.author_id, u.username, n.at, n.client_visible, n.body,
                            n.voided_at, n.void_reason";

fn note_from_row(r: &Row<'_>) -> rusqlite::Result<Note> {
    let voided_at: Option<i64> = r.get(7)?;
    let reason: Option<String> = r.get(8)?;
    Ok(Note {
        id: NoteId(r.get(0)?),
        case_id: CaseId(r.get(1)?),
        author_id: UserId(r.get(2)?),
        author: r.get(3)?,
        at: Millis(r.get(4)?),
        client_visible: r.get(5)?,
        body: r.get(6)?,
        voided: voided_at.map(|t| (Millis(t), reason.unwrap_or_default())),
    })
}

/// A case's notes, oldest first; client-visible ones only unless `internal_too`.
pub fn notes(conn: &Connection, case: CaseId, internal_too: bool) -> Result<Vec<Note>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {NOTE_COLUMNS} FROM case_notes n JOIN users u ON u.id = n.author_id
         WHERE n.case_id = ?1 AND (?2 OR n.client_visible = 1) ORDER BY n.at, n.id"
    ))?;
    let rows = stmt.query_map(params![case.0, internal_too], note_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn note(conn: &Connection, id: NoteId) -> Result<Option<Note>> {
    Ok(conn.prepare_cached(&format!("SELECT {NOTE_COLUMNS} FROM case_notes n JOIN users u ON u.id = n.author_id WHERE n.id = ?1"))?.query_row([id.0],
            note_from_row)
        .optional()?)
}

pub fn void_note(
    conn: &Connection,
    id: NoteId,
    by: UserId,
    reason: &str,
    now: Millis,
) -> Result<bool> {
    Ok(conn.prepare_cached("UPDATE case_notes SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1 AND voided_at IS NULL")?.execute(params![id.0, now.0, by.0, reason])? == 1)
}

pub struct NewDocument<'a> {
    pub case: CaseId,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub content: &'a [u8],
    pub sha256: &'a [u8],
    pub client_visible: bool,
    pub by: UserId,
}

pub fn insert_document(conn: &Connection, d: &NewDocument<'_>, now: Millis) -> Result<DocumentId> {
    conn.prepare_cached("INSERT INTO case_documents (case_id, file_name, media_type, size, sha256, content, client_visible,
                                     added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![
            d.case.0,
            d.file_name,
            d.media_type,
            d.content.len() as i64,
            d.sha256,
            d.content,
            d.client_visible,
            d.by.0,
            now.0
        ])?;
    Ok(DocumentId(conn.last_insert_rowid()))
}

const DOC_COLUMNS: &str =
    "id, case_id, file_name, media_type, size, sha256, client_visible, added_by, added_at";

fn doc_from_row(r: &Row<'_>) -> rusqlite::Result<DocumentMeta> {
    let sha: Vec<u8> = r.get(5)?;
    Ok(DocumentMeta {
        id: DocumentId(r.get(0)?),
        case_id: CaseId(r.get(1)?),
        file_name: r.get(2)?,
        media_type: r.get(3)?,
        size: r.get(4)?,
        sha256: hex::encode(sha),
        client_visible: r.get(6)?,
        added_by: UserId(r.get(7)?),
        added_at: Millis(r.get(8)?),
    })
}

/// A case's documents (without their content), oldest first.
pub fn documents(conn: &Connection, case: CaseId, internal_too: bool) -> Result<Vec<DocumentMeta>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE case_id = ?1 AND (?2 OR client_visible = 1)
         ORDER BY added_at, id"
    ))?;
    let rows = stmt.query_map(params![case.0, internal_too], doc_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One document with its content.
pub fn document(conn: &Connection, id: DocumentId) -> Result<Option<(DocumentMeta, Vec<u8>)>> {
    conn.prepare_cached(&format!(
        "SELECT {DOC_COLUMNS}, content FROM case_documents WHERE id = ?1"
    ))?
    .query_row([id.0], |r| Ok((doc_from_row(r)?, r.get::<_, Vec<u8>>(9)?)))
    .optional()
    .map_err(StoreError::from)
}

/// Changes of a case's subject data and client reference, oldest first.
pub fn detail_history(conn: &Connection, id: CaseId) -> Result<Vec<DetailChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, by_user, field, old_value, new_value FROM case_detail_history
         WHERE case_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(DetailChange {
            at: Millis(r.get(0)?),
            by: UserId(r.get(1)?),
            field: r.get(2)?,
            old: r.get(3)?,
            new: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
