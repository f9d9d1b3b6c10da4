//! Records keeping (DESIGN.md §3): legal holds set and lifted with a reason; destruction
//! requested by one supervisor and approved or rejected by another, never before the
//! case's `retain_until` nor while a hold is on; an approval redacts the personal data in
//! the same transaction and issues a certificate; the retention review and the Archive
//! counts. Nothing is ever deleted.

use super::cases::case_target;
use super::policy::Grant;
use super::session::Caller;
use super::{Result, ServiceError, Session};
use crate::domain::{Action, Case, CaseStatus, Target};
use crate::store::{self, Conn, cases::Scope};

pub use crate::store::records::{Counts, RetentionRow};

fn case_by_reference(tx: &Conn, reference: &str) -> Result<Case> {
    store::cases::by_reference(tx, &reference.trim().to_uppercase(), Scope::default())?
        .ok_or(ServiceError::NotFound)
}

fn reason_of(what: &str, reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ServiceError::Invalid(format!(
            "{what} needs a reason (1 to 500 characters)."
        )));
    }
    Ok(reason.to_owned())
}

/// Why `case` may not be destroyed on `today`, if it may not.
fn not_destroyable(tx: &Conn, case: &Case, today: &str) -> Result<Option<String>> {
    let r = &case.reference;
    if case.destroyed_at.is_some() {
        return Ok(Some(format!("{r} has already been destroyed.")));
    }
    if case.status != CaseStatus::Closed {
        return Ok(Some(format!(
            "Only a closed case can be destroyed; {r} is {}.",
            case.status
        )));
    }
    match case.retain_until.as_deref() {
        Some(until) if until > today => {
            return Ok(Some(format!("{r} must be kept until {until}.")));
        }
        None => return Ok(Some(format!("{r} has no retention date."))),
        Some(_) => {}
    }
    if let Some(hold) = store::records::active_hold(tx, case.id)? {
        return Ok(Some(format!(
            "{r} is under a legal hold ({}).",
            hold.reason
        )));
    }
    Ok(None)
}

/// Put a legal hold on a case: nothing can destroy it until the hold is lifted.
pub fn set_legal_hold(s: &Session, reference: &str, reason: &str) -> Result<()> {
    s.act(
        Action::LegalHoldSet,
        Target::new("case", "?", reference),
        |act| {
            let case = case_by_reference(act.tx, reference)?;
            act.target = case_target(&case);
            let reason = reason_of("A legal hold", reason)?;
            if store::records::active_hold(act.tx, case.id)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "{} is already under a legal hold.",
                    case.reference
                )));
            }
            act.note("reason", reason.as_str());
            store::records::set_hold(act.tx, case.id, act.caller.user.id, &reason, s.now())?;
            Ok(())
        },
    )
}

/// Lift a case's legal hold, with the reason it may go.
pub fn clear_legal_hold(s: &Session, reference: &str, reason: &str) -> Result<()> {
    s.act(
        Action::LegalHoldClear,
        Target::new("case", "?", reference),
        |act| {
            let case = case_by_reference(act.tx, reference)?;
            act.target = case_target(&case);
            let reason = reason_of("Lifting a legal hold", reason)?;
            let hold = store::records::active_hold(act.tx, case.id)?.ok_or_else(|| {
                ServiceError::Invalid(format!("{} is not under a legal hold.", case.reference))
            })?;
            act.note("reason", reason.as_str());
            store::records::clear_hold(act.tx, hold.id, act.caller.user.id, &reason, s.now())?;
            Ok(())
        },
    )
}

/// Ask for a case to be destroyed; another supervisor decides. Gives the request's number.
pub fn request_destruction(s: &Session, reference: &str, reason: &str) -> Result<i64> {
    s.act(
        Action::DestructionRequest,
        Target::new("case", "?", reference),
        |act| {
            let case = case_by_reference(act.tx, reference)?;
            act.target = case_target(&case);
            let reason = reason_of("A destruction request", reason)?;
            if let Some(why) = not_destroyable(act.tx, &case, &s.now().to_date())? {
                return Err(ServiceError::Invalid(why));
            }
            if store::records::open_request(act.tx, case.id)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "{} already awaits a destruction decision.",
                    case.reference
                )));
            }
            act.note("reason", reason.as_str());
            let id = store::records::insert_request(
                act.tx,
                case.id,
                act.caller.user.id,
                &reason,
                s.now(),
            )?;
            act.note("request", id);
            Ok(id)
        },
    )
}

/// What a decision did: for an approval, the destruction certificate's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub reference: String,
    pub certificate: Option<String>,
}

/// Approve or reject destruction request `request`. The decider must not be the person
/// who asked; an approval checks every rule again and redacts in the same transaction.
pub fn decide_destruction(
    s: &Session,
    request: i64,
    approve: bool,
    reason: &str,
) -> Result<Decided> {
    s.act(
        Action::DestructionApprove,
        Target::new("destruction", request, ""),
        |act| {
            let req = store::records::request(act.tx, request)?
                .filter(|r| r.decision.is_none())
                .ok_or(ServiceError::NotFound)?;
            let case = store::cases::get(act.tx, req.case_id, Scope::default())?
                .ok_or(ServiceError::NotFound)?;
            act.target = Target::new("destruction", request, &case.reference);
            if req.requested_by == act.caller.user.id {
                return Err(ServiceError::Invalid(
                    "A destruction needs two people: a different supervisor must decide the request you made.".into(),
                ));
            }
            let reason = reason_of("A destruction decision", reason)?;
            act.note("decision", if approve { "approved" } else { "rejected" });
            act.note("reason", reason.as_str());
            if !approve {
                store::records::decide(act.tx, request, act.caller.user.id, false, &reason, None, s.now())?;
                return Ok(Decided {
                    reference: case.reference,
                    certificate: None,
                });
            }
            if let Some(why) = not_destroyable(act.tx, &case, &s.now().to_date())? {
                return Err(ServiceError::Invalid(why));
            }
            let certificate = store::records::next_certificate(
                act.tx,
                super::install::INTERNAL_CODE,
                s.now().year(),
            )?;
            store::records::decide(
                act.tx,
                request,
                act.caller.user.id,
                true,
                &reason,
                Some(&certificate),
                s.now(),
            )?;
            store::records::redact(act.tx, case.id, s.now())?;
            act.note("certificate", certificate.as_str());
            Ok(Decided {
                reference: case.reference,
                certificate: Some(certificate),
            })
        },
    )
}

/// A client admin's archive is their organisation's; everyone else granted sees all.
fn org_of(caller: &Caller) -> Option<crate::domain::OrgId> {
    (caller.grant == Grant::OwnOrg).then_some(caller.org.id)
}

/// The monthly retention review: every closed case with its retention date, hold,
/// destruction state and certificate (no personal data).
pub fn retention_report(s: &Session) -> Result<Vec<RetentionRow>> {
    s.act(Action::ArchiveStatus, Target::kind_only("archive"), |act| {
        let rows = store::records::retention_rows(act.tx, org_of(act.caller))?;
        act.note("rows", rows.len());
        Ok(rows)
    })
}

/// The Archive screen's counts at a glance.
pub fn counts(s: &Session) -> Result<Counts> {
    s.act(Action::ArchiveStatus, Target::kind_only("archive"), |act| {
        Ok(store::records::counts(
            act.tx,
            org_of(act.caller),
            &s.now().to_date(),
        )?)
    })
}

/// Requests awaiting a second supervisor, with the case each is for.
pub fn destruction_queue(s: &Session) -> Result<Vec<(i64, String, String)>> {
    s.act(
        Action::DestructionApprove,
        Target::kind_only("destruction"),
        |act| {
            let mut out = Vec::new();
            for r in store::records::queue(act.tx)? {
                let case = store::cases::get(act.tx, r.case_id, Scope::default())?;
                out.push((
                    r.id,
                    case.map(|c| c.reference).unwrap_or_default(),
                    r.reason,
                ));
            }
            Ok(out)
        },
    )
}
