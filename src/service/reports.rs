//! Activity reports (DESIGN.md §3 "activity reports / export"): who is online, logins
//! with where from, and views and changes by user, case, action and time, per-hour counts
//! and the top viewers of a case. They read the audit log (and the sessions table for who
//! is online) and nothing else. Supervisors and sysadmins see everything; a client admin
//! sees the events of their own organisation's people and every event on their
//! organisation's cases, and nothing else, by any filter. Each report is audited.

use super::policy::Grant;
use super::session::Caller;
use super::{Result, ServiceError, ServiceSession, Session};
use crate::domain::{Action, AuditEvent, Millis, Origin, Outcome, Target};
use crate::store::{self, Conn, audit::OrgScope, audit::ReportQuery};

/// The most events one report shows (a page: several screens of the Reports table, and
/// a read that stops early); exports take up to [`EXPORT_LIMIT`].
pub const PAGE_LIMIT: i64 = 200;
pub const EXPORT_LIMIT: i64 = 100_000;
/// A session whose program has not been heard from for this long has been lost (the
/// terminal UI beats every minute).
pub const LOST_AFTER: i64 = 3 * Millis::MINUTE;
/// What counts as a view on the chart.
const VIEWS: [&str; 3] = ["case.view", "attachment.view", "case.list"];
const LOGIN_EVENTS: [&str; 1] = ["login"];
/// The longest chart: a little over a year of hours.
const MAX_HOURS: usize = 24 * 400;

/// The filters of DESIGN.md §5 (`pecs report activity`) and of the Reports screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    /// Who acted (user name).
    pub user: Option<String>,
    /// Which case (its reference).
    pub case: Option<String>,
    /// One action, e.g. `case.view`.
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    /// Only logins (successful and failed).
    pub logins_only: bool,
}

impl ActivityFilter {
    /// The store's query; `act` is the person's call (for their scope), `None` the
    /// service principal's (everything).
    fn query(&self, caller: Option<&Caller>, limit: i64) -> ReportQuery {
        ReportQuery {
            since: self.since,
            until: self.until,
            actor_name: self.user.as_deref().map(super::auth::normalise_username),
            target_label: self.case.as_deref().map(|c| c.trim().to_uppercase()),
            action: self.action.clone(),
            actions: if self.logins_only {
                LOGIN_EVENTS.iter().map(|a| (*a).to_owned()).collect()
            } else {
                Vec::new()
            },
            outcome: self.outcome.map(|o| o.as_str().to_owned()),
            org: caller.and_then(scope_of),
            limit,
        }
    }

    /// What the audit event of a report records about its filters.
    fn note(&self, detail: &mut serde_json::Map<String, serde_json::Value>) {
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                detail.insert(k.into(), v.into());
            }
        };
        put("since", self.since.map(|t| t.to_rfc3339()));
        put("until", self.until.map(|t| t.to_rfc3339()));
        put("user", self.user.clone());
        put("case", self.case.clone());
        put("action", self.action.clone());
        put("outcome", self.outcome.map(|o| o.as_str().to_owned()));
        if self.logins_only {
            put("logins_only", Some("yes".into()));
        }
    }
}

/// A client admin's reports are their organisation's; everyone else granted sees all.
fn scope_of(caller: &Caller) -> Option<OrgScope> {
    match caller.grant {
        Grant::All => None,
        _ => Some(OrgScope {
            id: caller.org.id.0,
            code: caller.org.code.clone(),
        }),
    }
}

/// Whether a report call leaves an audit event: the first look and every change of
/// filter do; the screen's refresh every few seconds does not (it would drown the log),
/// though it is checked like any call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    Look,
    Refresh,
}

/// Run a report read as `fetch` says: audited through `act`, or checked only.
fn read<T>(
    s: &Session,
    fetch: Fetch,
    target: &str,
    f: impl FnOnce(&Conn, &Caller, &mut serde_json::Map<String, serde_json::Value>) -> Result<T>,
) -> Result<T> {
    match fetch {
        Fetch::Look => s.act(Action::ActivityReport, Target::kind_only(target), |act| {
            let mut detail = serde_json::Map::new();
            let out = f(act.tx, act.caller, &mut detail)?;
            for (k, v) in detail {
                act.note(&k, v);
            }
            Ok(out)
        }),
        Fetch::Refresh => {
            let caller = s.check(Action::ActivityReport, Target::kind_only(target))?;
            f(s.opened.db.conn(), &caller, &mut serde_json::Map::new())
        }
    }
}

/// Events matching `filter`, newest first, a page at a time.
pub fn activity(s: &Session, filter: &ActivityFilter, fetch: Fetch) -> Result<Vec<AuditEvent>> {
    read(s, fetch, "audit_log", |conn, caller, detail| {
        filter.note(detail);
        let events = store::audit::report(conn, &filter.query(Some(caller), PAGE_LIMIT))?;
        detail.insert("rows".into(), events.len().into());
        Ok(events)
    })
}

/// The events matching `filter` for an export (at most [`EXPORT_LIMIT`]); the export is
/// audited.
pub fn export_events(s: &Session, filter: &ActivityFilter) -> Result<Vec<AuditEvent>> {
    s.act(
        Action::ActivityExport,
        Target::kind_only("audit_log"),
        |act| {
            let mut detail = serde_json::Map::new();
            filter.note(&mut detail);
            for (k, v) in detail {
                act.note(&k, v);
            }
            let q = filter.query(Some(act.caller), EXPORT_LIMIT);
            let events = store::audit::report(act.tx, &q)?;
            act.note("rows", events.len());
            Ok(events)
        },
    )
}

/// The same export for a scheduled job run by the service principal (every event).
pub fn export_events_as_service(
    s: &ServiceSession,
    filter: &ActivityFilter,
) -> Result<Vec<AuditEvent>> {
    s.check(Action::ActivityExport)?;
    let q = filter.query(None, EXPORT_LIMIT);
    let events = store::audit::report(s.opened.db.conn(), &q)?;
    let mut detail = serde_json::Map::new();
    detail.insert("rows".into(), events.len().into());
    s.opened
        .record(&[s.event(Action::ActivityExport.as_str(), Outcome::Ok, detail)])?;
    Ok(events)
}

/// CSV of events: one row each, cells a spreadsheet would run as formulas made text.
pub fn to_csv(events: &[AuditEvent]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ServiceError::Invalid(format!("The CSV could not be written: {e}"));
    w.write_record([
        "seq",
        "at",
        "user",
        "role",
        "organisation",
        "action",
        "target",
        "target_id",
        "reference",
        "outcome",
        "from",
        "detail",
    ])
    .map_err(fail)?;
    for e in events {
        let ev = &e.event;
        let row = [
            e.seq.to_string(),
            ev.at.to_rfc3339(),
            ev.actor.name.clone().unwrap_or_default(),
            ev.actor.role.clone().unwrap_or_default(),
            ev.actor.org.clone().unwrap_or_default(),
            ev.action.clone(),
            ev.target.kind.clone(),
            ev.target.id.clone().unwrap_or_default(),
            ev.target.label.clone().unwrap_or_default(),
            ev.outcome.as_str().to_owned(),
            ev.origin.summary(),
            ev.detail.to_string(),
        ]
        .map(|cell| super::instructions::spreadsheet_safe(&cell));
        w.write_record(&row).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ServiceError::Invalid(format!("The CSV could not be written: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ServiceError::Invalid(e.to_string()))
}

/// How a session stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Online,
    /// Not ended, but its program has not been heard from for [`LOST_AFTER`].
    Lost,
    Ended,
}

/// A session in the "who is online" report.
#[derive(Debug, Clone)]
pub struct SessionReport {
    pub id: String,
    pub username: String,
    pub role: String,
    pub org_code: String,
    pub started_at: Millis,
    pub last_seen: Millis,
    pub from: String,
    pub state: SessionState,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<String>,
}

/// Sessions open now and those of the last 24 hours, newest first.
pub fn sessions(s: &Session, fetch: Fetch) -> Result<Vec<SessionReport>> {
    read(s, fetch, "sessions", |conn, caller, detail| {
        let now = s.now();
        let org = scope_of(caller).map(|o| o.id);
        let rows = store::sessions::recent(conn, now.plus_ms(-24 * Millis::HOUR), org)?;
        detail.insert("rows".into(), rows.len().into());
        Ok(rows
            .into_iter()
            .map(|r| SessionReport {
                state: match r.ended_at {
                    Some(_) => SessionState::Ended,
                    None if now.0 - r.heartbeat_at.0 > LOST_AFTER => SessionState::Lost,
                    None => SessionState::Online,
                },
                from: serde_json::from_str::<Origin>(&r.origin)
                    .map(|o| o.summary())
                    .unwrap_or_default(),
                id: r.id,
                username: r.username,
                role: r.role,
                org_code: r.org_code,
                started_at: r.started_at,
                last_seen: r.heartbeat_at,
                ended_at: r.ended_at,
                end_reason: r.end_reason,
            })
            .collect())
    })
}

/// One hour of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourCount {
    pub hour: Millis,
    pub logins: i64,
    pub views: i64,
}

/// Logins and views per hour over `filter`'s range (every hour, zeros included; the
/// range ends now when it has no end).
pub fn per_hour(s: &Session, filter: &ActivityFilter, fetch: Fetch) -> Result<Vec<HourCount>> {
    read(s, fetch, "audit_log", |conn, caller, detail| {
        filter.note(detail);
        detail.insert("chart".into(), "per hour".into());
        let counted = store::audit::per_hour(conn, &filter.query(Some(caller), 0), &VIEWS)?;
        let Some(first) = filter
            .since
            .map(|t| t.0 / Millis::HOUR * Millis::HOUR)
            .or(counted.first().map(|c| c.0))
        else {
            return Ok(Vec::new());
        };
        let last = filter.until.unwrap_or(s.now()).0;
        let mut found = counted.iter().peekable();
        let mut hours = Vec::new();
        let mut at = first;
        while at <= last && hours.len() < MAX_HOURS {
            let (logins, views) = match found.peek() {
                Some((h, l, v)) if *h == at => {
                    found.next();
                    (*l, *v)
                }
                _ => (0, 0),
            };
            hours.push(HourCount {
                hour: Millis(at),
                logins,
                views,
            });
            at += Millis::HOUR;
        }
        Ok(hours)
    })
}

/// Who viewed the case `reference` most, with how many views each.
pub fn top_viewers(s: &Session, reference: &str, fetch: Fetch) -> Result<Vec<(String, i64)>> {
    read(s, fetch, "audit_log", |conn, caller, detail| {
        detail.insert("top viewers of".into(), reference.into());
        let filter = ActivityFilter {
            case: Some(reference.to_owned()),
            action: Some(Action::CaseView.as_str().to_owned()),
            ..ActivityFilter::default()
        };
        Ok(store::audit::top_actors(
            conn,
            &filter.query(Some(caller), 0),
            10,
        )?)
    })
}

/// Whether the audit log verified at its last check, and when (the Reports screen's line).
pub fn audit_state(s: &Session, fetch: Fetch) -> Result<super::audit::ChainState> {
    read(s, fetch, "audit_log", |conn, _, detail| {
        detail.insert("view".into(), "audit state".into());
        super::audit::chain_state(&s.opened, conn)
    })
}
