//! The append-only `audit` table and its hash chain. Triggers refuse UPDATE and DELETE;
//! `append` links each row to the previous one and must run inside a write transaction.

use super::{Result, StoreError};
use crate::crypto::chain::{self, ChainFields};
use crate::domain::{Actor, AuditEvent, Millis, NewAuditEvent, Origin, Outcome, Target};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

/// The stored text of one row, exactly as the chain hashes it.
struct StoredRow {
    seq: i64,
    at: i64,
    text: [Option<String>; 12],
    hash: Vec<u8>,
}

const COLUMNS: &str = "seq, at, session_id, actor_id, actor_name, actor_role, actor_org, action,
                       target_kind, target_id, target_label, origin, outcome, detail, hash";

impl StoredRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<StoredRow> {
        let actor_id: Option<i64> = r.get(3)?;
        Ok(StoredRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            text: [
                r.get(2)?,
                actor_id.map(|id| id.to_string()),
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
            ],
            hash: r.get(14)?,
        })
    }

    fn link_from(&self, prev_hash: &[u8]) -> [u8; 32] {
        let text: Vec<Option<&str>> = self.text.iter().map(|t| t.as_deref()).collect();
        chain::link(
            prev_hash,
            &ChainFields {
                seq: self.seq,
                at_ms: self.at,
                text: &text,
            },
        )
    }

    fn into_event(self) -> Result<AuditEvent> {
        let [
            session_id,
            actor_id,
            actor_name,
            actor_role,
            actor_org,
            action,
            target_kind,
            target_id,
            target_label,
            origin,
            outcome,
            detail,
        ] = self.text;
        let malformed =
            |what: &str| StoreError::Malformed(format!("audit row {}: {what}", self.seq));
        Ok(AuditEvent {
            seq: self.seq,
            hash: hex::encode(&self.hash),
            event: NewAuditEvent {
                at: Millis(self.at),
                session_id,
                actor: Actor {
                    id: actor_id.and_then(|s| s.parse().ok()),
                    name: actor_name,
                    role: actor_role,
                    org: actor_org,
                },
                action: action.ok_or_else(|| malformed("no action"))?,
                target: Target {
                    kind: target_kind.ok_or_else(|| malformed("no target kind"))?,
                    id: target_id,
                    label: target_label,
                },
                origin: serde_json::from_str::<Origin>(origin.as_deref().unwrap_or(""))
                    .map_err(|_| malformed("origin"))?,
                outcome: outcome
                    .as_deref()
                    .and_then(Outcome::parse)
                    .ok_or_else(|| malformed("outcome"))?,
                detail: serde_json::from_str(detail.as_deref().unwrap_or(""))
                    .map_err(|_| malformed("detail"))?,
            },
        })
    }
}

/// The stored hash of event `seq`, if there is one.
pub fn hash_at(conn: &Connection, seq: i64) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM audit WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// The newest (seq, hash), or `None` for an empty log.
pub fn head(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Append one event; returns its (seq, hash). Call inside a write transaction.
pub fn append(conn: &Connection, e: &NewAuditEvent) -> Result<(i64, [u8; 32])> {
    let (prev_seq, prev_hash) = head(conn)?.unwrap_or((0, chain::GENESIS.to_vec()));
    let origin =
        serde_json::to_string(&e.origin).map_err(|x| StoreError::Malformed(x.to_string()))?;
    let detail = e.detail.to_string();
    let row = StoredRow {
        seq: prev_seq + 1,
        at: e.at.0,
        text: [
            e.session_id.clone(),
            e.actor.id.map(|id| id.to_string()),
            e.actor.name.clone(),
            e.actor.role.clone(),
            e.actor.org.clone(),
            Some(e.action.clone()),
            Some(e.target.kind.clone()),
            e.target.id.clone(),
            e.target.label.clone(),
            Some(origin.clone()),
            Some(e.outcome.as_str().to_owned()),
            Some(detail.clone()),
        ],
        hash: Vec::new(),
    };
    let hash = row.link_from(&prev_hash);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, session_id, actor_id, actor_name, actor_role, actor_org,
                            action, target_kind, target_id, target_label, origin, outcome,
                            detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        row.seq,
        row.at,
        e.session_id,
        e.actor.id,
        e.actor.name,
        e.actor.role,
        e.actor.org,
        e.action,
        e.target.kind,
        e.target.id,
        e.target.label,
        origin,
        e.outcome.as_str(),
        detail,
        hash.as_slice()
    ])?;
    Ok((row.seq, hash))
}

/// Where the chain first breaks, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A sequence number is missing or out of order (a row deleted or inserted).
    Gap { expected: i64, found: i64 },
    /// The stored hash does not match the row's contents and its predecessor.
    Hash { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap { expected, found } => write!(
                f,
                "Audit events are missing or out of order: expected event {expected}, found {found}."
            ),
            ChainBreak::Hash { seq } => write!(
                f,
                "Audit event {seq} does not match its hash: the log was altered."
            ),
        }
    }
}

/// The result of walking the whole chain from the first event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainWalk {
    pub count: i64,
    pub head: Option<(i64, Vec<u8>)>,
    pub first_break: Option<ChainBreak>,
    /// The stored hash at `at_seq`, to compare with an external checkpoint.
    pub hash_at_checkpoint: Option<Vec<u8>>,
}

/// Recompute every link. `checkpoint_seq` asks for the hash at that position too.
pub fn walk(conn: &Connection, checkpoint_seq: Option<i64>) -> Result<ChainWalk> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut prev_hash = chain::GENESIS.to_vec();
    let mut expected = 1;
    let mut count = 0;
    let mut first_break = None;
    let mut hash_at_checkpoint = None;
    let mut head = None;
    while let Some(r) = rows.next()? {
        let row = StoredRow::read(r)?;
        count += 1;
        if first_break.is_none() {
            if row.seq != expected {
                first_break = Some(ChainBreak::Gap {
                    expected,
                    found: row.seq,
                });
            } else if row.link_from(&prev_hash).as_slice() != row.hash.as_slice() {
                first_break = Some(ChainBreak::Hash { seq: row.seq });
            }
        }
        if Some(row.seq) == checkpoint_seq {
            hash_at_checkpoint = Some(row.hash.clone());
        }
        expected = row.seq + 1;
        head = Some((row.seq, row.hash.clone()));
        prev_hash = row.hash;
    }
    Ok(ChainWalk {
        count,
        head,
        first_break,
        hash_at_checkpoint,
    })
}

/// The triggers that keep the table append-only.
const GUARDS: [&str; 3] = [
    "audit_append_only_update",
    "audit_append_only_delete",
    "audit_append_only_insert",
];

/// Whether every append-only trigger is in place.
pub fn triggers_present(conn: &Connection) -> Result<bool> {
    let mut stmt = conn.prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit' AND name = ?1",
    )?;
    for name in GUARDS {
        if stmt.query_row([name], |r| r.get::<_, i64>(0))? != 1 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Filters for reading events back; all optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub action: Option<String>,
    pub actor_name: Option<String>,
    pub target_label: Option<String>,
    pub since: Option<Millis>,
    pub limit: Option<i64>,
}

/// Newest first.
pub fn events(conn: &Connection, f: &EventFilter) -> Result<Vec<AuditEvent>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit
         WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR actor_name = ?2)
           AND (?3 IS NULL OR target_label = ?3) AND (?4 IS NULL OR at >= ?4)
         ORDER BY seq DESC LIMIT ?5"
    ))?;
    let rows = stmt.query_map(
        params![
            f.action,
            f.actor_name,
            f.target_label,
            f.since.map(|t| t.0),
            f.limit.unwrap_or(-1)
        ],
        StoredRow::read,
    )?;
    rows.map(|r| r.map_err(StoreError::from).and_then(StoredRow::into_event))
        .collect()
}

/// One person's logins, newest first: their successful ones and the failures typed
/// with their name.
pub fn logins_of(
    conn: &Connection,
    user_id: i64,
    name: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit
         WHERE action = 'login' AND (actor_id = ?1 OR (actor_id IS NULL AND target_label = ?2))
         ORDER BY seq DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(params![user_id, name, limit], StoredRow::read)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(StoredRow::into_event))
        .collect()
}

/// Failed logins recorded for `name` after `since` (all of them when `None`).
pub fn failed_logins_since(conn: &Connection, name: &str, since: Option<Millis>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM audit WHERE action = 'login' AND outcome = 'failed'
         AND target_label = ?1 AND at > ?2",
        )?
        .query_row(params![name, since.map_or(i64::MIN, |t| t.0)], |r| r.get(0))?)
}

/// Which events an activity report reads (every filter optional), newest first.
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub actor_name: Option<String>,
    pub target_label: Option<String>,
    pub action: Option<String>,
    /// Only these actions (e.g. the login events); empty: any.
    pub actions: Vec<String>,
    pub outcome: Option<String>,
    /// A client organisation's view: events by its own people, or on its cases.
    pub org: Option<OrgScope>,
    pub limit: i64,
}

/// A client organisation, as report scope: its code (events by its people carry it)
/// and its id (its cases).
#[derive(Debug, Clone)]
pub struct OrgScope {
    pub id: i64,
    pub code: String,
}

/// The WHERE clause and its values for `q` (without paging).
fn report_where(q: &ReportQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    let mut and = |condition: &str, values: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(condition);
        args.extend(values);
    };
    if let Some(t) = q.since {
        and("at >= ?", vec![t.0.into()]);
    }
    if let Some(t) = q.until {
        and("at < ?", vec![t.0.into()]);
    }
    if let Some(name) = &q.actor_name {
        and("actor_name = ?", vec![name.clone().into()]);
    }
    if let Some(label) = &q.target_label {
        and("target_label = ?", vec![label.clone().into()]);
    }
    kind_conditions(q, &mut and);
    if let Some(org) = &q.org {
        and(
            "(actor_org = ? OR target_label IN (SELECT reference FROM cases WHERE client_org_id = ?))",
            vec![org.code.clone().into(), org.id.into()],
        );
    }
    (sql, args)
}

/// `q`'s conditions on what kind of event it is: its action and outcome.
fn kind_conditions(q: &ReportQuery, and: &mut impl FnMut(&str, Vec<Value>)) {
    if let Some(action) = &q.action {
        and("action = ?", vec![action.clone().into()]);
    }
    if !q.actions.is_empty() {
        let marks = vec!["?"; q.actions.len()].join(", ");
        and(
            &format!("action IN ({marks})"),
            q.actions.iter().map(|a| a.clone().into()).collect(),
        );
    }
    if let Some(outcome) = &q.outcome {
        and("outcome = ?", vec![outcome.clone().into()]);
    }
}

/// A page of events for an activity report, newest first by time (the order the
/// report indexes keep, so a page stops after `limit` rows instead of sorting them all).
pub fn report(conn: &Connection, q: &ReportQuery) -> Result<Vec<AuditEvent>> {
    let (clause, mut args) = report_where(q);
    args.push(q.limit.into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit{clause} ORDER BY at DESC, seq DESC LIMIT ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(args), StoredRow::read)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(StoredRow::into_event))
        .collect()
}

/// For each hour (ms since the epoch, at the hour) with any: logins and views.
///
/// One user's or one case's events are few and read through their own index. Otherwise
/// the whole hours of the range come from the hourly counts (`audit_hours`) and only the
/// part-hours at either end from the events themselves.
pub fn per_hour(
    conn: &Connection,
    q: &ReportQuery,
    views: &[&str],
) -> Result<Vec<(i64, i64, i64)>> {
    if q.actor_name.is_some() || q.target_label.is_some() {
        return per_hour_of_events(conn, q, views);
    }
    let whole_from = q.since.map(|t| hour_at_or_after(t.0));
    let whole_until = q.until.map(|t| t.0.div_euclid(HOUR) * HOUR);
    if let (Some(from), Some(until)) = (whole_from, whole_until)
        && from >= until
    {
        return per_hour_of_events(conn, q, views);
    }
    let mut hours = Vec::new();
    if let (Some(since), Some(from)) = (q.since, whole_from)
        && since.0 < from
    {
        let head = ReportQuery {
            until: Some(Millis(from)),
            ..q.clone()
        };
        hours.extend(per_hour_of_events(conn, &head, views)?);
    }
    hours.extend(per_hour_counted(conn, q, whole_from, whole_until, views)?);
    if let (Some(until), Some(from)) = (q.until, whole_until)
        && from < until.0
    {
        let tail = ReportQuery {
            since: Some(Millis(from)),
            ..q.clone()
        };
        hours.extend(per_hour_of_events(conn, &tail, views)?);
    }
    Ok(hours)
}

const HOUR: i64 = Millis::HOUR;

fn hour_at_or_after(t: i64) -> i64 {
    (t + HOUR - 1).div_euclid(HOUR) * HOUR
}

/// `views` as SQL placeholders and their values (one that matches nothing when empty).
fn view_marks(views: &[&str]) -> (String, Vec<Value>) {
    let marks = vec!["?"; views.len().max(1)].join(", ");
    let mut values: Vec<Value> = views.iter().map(|v| (*v).to_owned().into()).collect();
    if values.is_empty() {
        values.push(String::new().into());
    }
    (marks, values)
}

/// Logins and views per hour counted from the events matching `q`.
fn per_hour_of_events(
    conn: &Connection,
    q: &ReportQuery,
    views: &[&str],
) -> Result<Vec<(i64, i64, i64)>> {
    let (clause, args) = report_where(q);
    let (marks, mut all) = view_marks(views);
    all.extend(args);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT at / 3600000 * 3600000 AS hour,
                sum(action = 'login'),
                sum(action IN ({marks}))
         FROM audit{clause} GROUP BY hour ORDER BY hour"
    ))?;
    let rows = stmt.query_map(params_from_iter(all), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Logins and views per hour from the hourly counts, for the hours in [from, until)
/// matching `q`'s action, outcome and organisation (it names no user and no case).
fn per_hour_counted(
    conn: &Connection,
    q: &ReportQuery,
    from: Option<i64>,
    until: Option<i64>,
    views: &[&str],
) -> Result<Vec<(i64, i64, i64)>> {
    let (marks, mut all) = view_marks(views);
    let mut sql = format!(
        "SELECT hour,
                sum(CASE WHEN action = 'login' THEN events ELSE 0 END),
                sum(CASE WHEN action IN ({marks}) THEN events ELSE 0 END)
         FROM audit_hours WHERE 1"
    );
    let mut and = |condition: &str, values: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(condition);
        all.extend(values);
    };
    if let Some(from) = from {
        and("hour >= ?", vec![from.into()]);
    }
    if let Some(until) = until {
        and("hour < ?", vec![until.into()]);
    }
    kind_conditions(q, &mut and);
    if let Some(org) = &q.org {
        and(
            "(actor_org = ? OR case_org = ?)",
            vec![org.code.clone().into(), org.id.into()],
        );
    }
    sql.push_str(" GROUP BY hour ORDER BY hour");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(all), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Who acted on `q`'s events most (by name), with how many events each, most first.
pub fn top_actors(conn: &Connection, q: &ReportQuery, limit: i64) -> Result<Vec<(String, i64)>> {
    let (clause, mut args) = report_where(q);
    args.push(limit.into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT coalesce(actor_name, '?'), count(*) AS n FROM audit{clause}
         GROUP BY actor_name ORDER BY n DESC, actor_name LIMIT ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
