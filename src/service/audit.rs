//! The audit log as a service: where an event comes from, verification of the hash chain
//! against the checkpoint kept in the key ring, and reading events back.

use super::opened::Opened;
use super::{Result, ServiceError, ServiceSession, Session};
use crate::domain::{Action, AuditEvent, Origin, Outcome, Target};
use crate::store;
use serde_json::{Map, Value};

/// Where this process runs from: SSH client address, else tty and host; plus the pid.
pub fn current_origin() -> Origin {
    let tty = std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("/dev/"));
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    Origin::from_parts(
        std::env::var("SSH_CONNECTION").ok().as_deref(),
        std::env::var("SSH_CLIENT").ok().as_deref(),
        tty,
        host,
        std::process::id(),
    )
}

/// The outcome of `pecs audit verify`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    pub events: i64,
    /// The checkpoint compared against: (seq, hash in hex).
    pub checkpoint: Option<(i64, String)>,
    /// `None` when intact; otherwise the one sentence saying what is wrong.
    pub problem: Option<String>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Recompute the chain from the first event and compare with the checkpoint.
fn verify_opened(opened: &Opened) -> Result<VerifyReport> {
    let conn = opened.db.conn();
    let checkpoint = opened.keyring.checkpoint()?;
    let walk = store::audit::walk(conn, checkpoint.as_ref().map(|c| c.seq))?;
    let head_seq = walk.head.as_ref().map_or(0, |h| h.0);
    let problem = if !store::audit::triggers_present(conn)? {
        Some("The audit log's append-only triggers are missing.".to_owned())
    } else if let Some(b) = &walk.first_break {
        Some(b.to_string())
    } else {
        match &checkpoint {
            None if walk.count > 0 => {
                Some("The key ring holds no audit checkpoint to compare with.".to_owned())
            }
            None => None,
            Some(cp) if head_seq < cp.seq => Some(format!(
                "The audit log ends at event {head_seq} but the checkpoint records event {}: events were removed.",
                cp.seq
            )),
            Some(cp) if walk.hash_at_checkpoint.as_deref() != Some(cp.hash.as_slice()) => {
                Some(format!(
                    "Audit event {} differs from the checkpoint: the log was replaced or rolled back.",
                    cp.seq
                ))
            }
            Some(_) => None,
        }
    };
    Ok(VerifyReport {
        events: walk.count,
        checkpoint: checkpoint.map(|c| (c.seq, hex::encode(c.hash))),
        problem,
    })
}

fn verify_detail(report: &VerifyReport) -> (Outcome, Map<String, Value>) {
    let mut d = Map::new();
    d.insert("events".into(), report.events.into());
    if let Some((seq, _)) = &report.checkpoint {
        d.insert("checkpoint_seq".into(), (*seq).into());
    }
    if let Some(p) = &report.problem {
        d.insert("problem".into(), p.clone().into());
    }
    let outcome = if report.intact() {
        Outcome::Ok
    } else {
        Outcome::Failed
    };
    (outcome, d)
}

/// `pecs audit verify` as a person (sysadmin or supervisor). The result is itself audited.
pub fn verify(s: &Session) -> Result<VerifyReport> {
    s.check(Action::AuditVerify, Target::kind_only("audit_log"))?;
    let report = verify_opened(&s.opened)?;
    let (outcome, detail) = verify_detail(&report);
    let ev = s.event(
        Action::AuditVerify.as_str(),
        Target::kind_only("audit_log"),
        outcome,
        detail,
    );
    s.opened.record(&[ev])?;
    Ok(report)
}

/// The daily verification run by the service principal.
pub fn verify_as_service(s: &ServiceSession) -> Result<VerifyReport> {
    s.check(Action::AuditVerify)?;
    let report = verify_opened(&s.opened)?;
    let (outcome, detail) = verify_detail(&report);
    s.opened
        .record(&[s.event(Action::AuditVerify.as_str(), outcome, detail)])?;
    Ok(report)
}

/// The caller's own recent logins, successful and failed, for the Profile screen.
pub fn own_logins(s: &Session, limit: i64) -> Result<Vec<AuditEvent>> {
    let info = s.info();
    s.act(
        Action::OwnProfile,
        Target::new("user", info.user_id, &info.username),
        |act| {
            act.note("view", "own logins");
            Ok(store::audit::logins_of(
                act.tx,
                info.user_id.0,
                &info.username,
                limit,
            )?)
        },
    )
}

/// The most recent events, newest first, for supervisors and sysadmins. (The full
/// activity reports, with client scope, arrive with the Reports screen.)
pub fn recent_events(s: &Session, limit: i64) -> Result<Vec<AuditEvent>> {
    s.act(
        Action::ActivityReport,
        Target::kind_only("audit_log"),
        |act| {
            if act.caller.grant != super::policy::Grant::All {
                return Err(ServiceError::Forbidden);
            }
            act.note("limit", limit);
            Ok(store::audit::events(
                act.tx,
                &store::audit::EventFilter {
                    limit: Some(limit),
                    ..Default::default()
                },
            )?)
        },
    )
}

/// The audit log's state as screens show it, cheaply: whether the log still runs through
/// the key ring's checkpoint, and the last full verification (by anyone) and its outcome.
#[derive(Debug, Clone)]
pub struct ChainState {
    /// The checkpoint's event number, and whether the log's hash there matches it.
    pub checkpoint: Option<(i64, bool)>,
    pub last_verify: Option<AuditEvent>,
}

pub(crate) fn chain_state(opened: &Opened, conn: &store::Conn) -> Result<ChainState> {
    let checkpoint = match opened.keyring.checkpoint()? {
        Some(cp) => {
            let intact = store::audit::hash_at(conn, cp.seq)?.is_some_and(|h| h == cp.hash);
            Some((cp.seq, intact))
        }
        None => None,
    };
    let last_verify = store::audit::events(
        conn,
        &store::audit::EventFilter {
            action: Some(Action::AuditVerify.as_str().to_owned()),
            limit: Some(1),
            ..Default::default()
        },
    )?
    .into_iter()
    .next();
    Ok(ChainState {
        checkpoint,
        last_verify,
    })
}
