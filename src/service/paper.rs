//! The paper register: paper items of a case locked in a filing unit with a named key
//! holder (a user authorised for that unit), checked out to someone and returned, and
//! destroyed (cross-cut shredding on site or a confidential waste contractor, with a
//! certificate reference, a witness and a date) only once the case's retention has
//! ended. Every step is audited; nothing is deleted.

use super::cases::{case_target, scope_of};
use super::policy::Grant;
use super::{Result, ServiceError, Session};
use crate::domain::{Action, CaseStatus, Role, Target};
use crate::store::{self, Conn, cases::Scope};

pub use crate::store::paper::Item;

/// How a paper item was destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    CrossCutOnSite,
    ConfidentialWaste,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::CrossCutOnSite => "cross_cut_on_site",
            Method::ConfidentialWaste => "confidential_waste",
        }
    }
}

fn text(what: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "{what} is 1 to {max} characters with no control characters."
        )));
    }
    Ok(v.to_owned())
}

/// An enabled member of the agency's staff, by user name.
fn staff(tx: &Conn, username: &str, now: crate::domain::Millis) -> Result<crate::domain::User> {
    let name = super::auth::normalise_username(username);
    store::users::by_username(tx, &name)?
        .filter(|u| u.role.is_internal() && u.role != Role::Sysadmin && u.can_log_in(now))
        .ok_or_else(|| {
            ServiceError::Invalid(format!("There is no enabled member of staff {name}."))
        })
}

fn unit(tx: &Conn, name: &str) -> Result<i64> {
    store::paper::unit_by_name(tx, name.trim())?
        .ok_or_else(|| ServiceError::Invalid(format!("There is no filing unit {}.", name.trim())))
}

/// The register's office side (units, key holders) is for grants over every case.
fn office_only(grant: Grant) -> Result<()> {
    if grant == Grant::All {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A new filing unit (a cabinet, a strong room shelf).
pub fn create_filing_unit(s: &Session, name: &str) -> Result<i64> {
    s.act(
        Action::PaperRegister,
        Target::new("filing_unit", "?", name),
        |act| {
            office_only(act.caller.grant)?;
            let name = text("A filing unit's name", name, 100)?;
            if store::paper::unit_by_name(act.tx, &name)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "There is already a filing unit {name}."
                )));
            }
            let id = store::paper::insert_unit(act.tx, &name, s.now())?;
            act.target = Target::new("filing_unit", id, &name);
            Ok(id)
        },
    )
}

/// Authorise a member of staff to hold the key of a filing unit.
pub fn authorise_key_holder(s: &Session, unit_name: &str, username: &str) -> Result<()> {
    s.act(
        Action::PaperRegister,
        Target::new("filing_unit", "?", unit_name),
        |act| {
            office_only(act.caller.grant)?;
            let unit = unit(act.tx, unit_name)?;
            let user = staff(act.tx, username, s.now())?;
            act.note("key holder", user.username.as_str());
            store::paper::add_key_holder(act.tx, unit, user.id)?;
            Ok(())
        },
    )
}

/// Register a paper item of a case, locked in `unit_name` with `key_holder`.
pub fn register(
    s: &Session,
    reference: &str,
    description: &str,
    unit_name: &str,
    key_holder: &str,
) -> Result<i64> {
    s.act(
        Action::PaperRegister,
        Target::new("case", "?", reference),
        |act| {
            let case = store::cases::by_reference(
                act.tx,
                &reference.trim().to_uppercase(),
                scope_of(act.caller),
            )?
            .ok_or(ServiceError::NotFound)?;
            act.target = case_target(&case);
            let description = text("A description", description, 500)?;
            let unit = unit(act.tx, unit_name)?;
            let holder = staff(act.tx, key_holder, s.now())?;
            if !store::paper::is_key_holder(act.tx, unit, holder.id)? {
                return Err(ServiceError::Invalid(format!(
                    "{} does not hold a key to {}.",
                    holder.username,
                    unit_name.trim()
                )));
            }
            let id = store::paper::insert_item(
                act.tx,
                &store::paper::NewItem {
                    case: case.id,
                    description: &description,
                    unit,
                    key_holder: holder.id,
                    by: act.caller.user.id,
                },
                s.now(),
            )?;
            act.note("paper item", id);
            Ok(id)
        },
    )
}

/// The item and its case, if the caller's scope reaches the case.
fn item_in_scope(
    act: &super::session::Act<'_, '_>,
    id: i64,
) -> Result<(Item, crate::domain::Case)> {
    let item = store::paper::item(act.tx, id)?.ok_or(ServiceError::NotFound)?;
    let case = store::cases::get(act.tx, item.case_id, scope_of(act.caller))?
        .ok_or(ServiceError::NotFound)?;
    Ok((item, case))
}

/// Check a paper item out of its unit to a member of staff.
pub fn check_out(s: &Session, item: i64, to: &str) -> Result<()> {
    s.act(
        Action::PaperMove,
        Target::new("paper_item", item, ""),
        |act| {
            let (found, case) = item_in_scope(act, item)?;
            act.target = Target::new("paper_item", item, &case.reference);
            if found.destroyed_on.is_some() {
                return Err(ServiceError::Invalid(
                    "That paper item has been destroyed.".into(),
                ));
            }
            if let Some((who, _)) = &found.out {
                return Err(ServiceError::Conflict(format!(
                    "That paper item is already out, with {who}."
                )));
            }
            let user = staff(act.tx, to, s.now())?;
            act.note("to", user.username.as_str());
            store::paper::check_out(act.tx, item, user.id, act.caller.user.id, s.now())?;
            Ok(())
        },
    )
}

/// Return a paper item to its unit.
pub fn check_in(s: &Session, item: i64) -> Result<()> {
    s.act(
        Action::PaperMove,
        Target::new("paper_item", item, ""),
        |act| {
            let (_, case) = item_in_scope(act, item)?;
            act.target = Target::new("paper_item", item, &case.reference);
            if !store::paper::check_in(act.tx, item, act.caller.user.id, s.now())? {
                return Err(ServiceError::Invalid(
                    "That paper item is not checked out.".into(),
                ));
            }
            Ok(())
        },
    )
}

/// Record a paper item's destruction: only after its case's retention has ended, back
/// in its unit, witnessed by someone other than the person recording it.
pub fn record_destruction(
    s: &Session,
    item: i64,
    method: Method,
    certificate_ref: &str,
    witness: &str,
    destroyed_on: &str,
) -> Result<()> {
    s.act(
        Action::PaperDestructionRecord,
        Target::new("paper_item", item, ""),
        |act| {
            let (found, case) = item_in_scope(act, item)?;
            act.target = Target::new("paper_item", item, &case.reference);
            let today = s.now().to_date();
            let ended = case.status == CaseStatus::Closed
                && case
                    .retain_until
                    .as_deref()
                    .is_some_and(|d| d <= today.as_str());
            if !ended {
                return Err(ServiceError::Invalid(format!(
                    "{}'s retention has not ended ({}): its paper must be kept.",
                    case.reference,
                    case.retain_until
                        .as_deref()
                        .unwrap_or("the case is not closed")
                )));
            }
            if found.destroyed_on.is_some() {
                return Err(ServiceError::Conflict(
                    "That paper item is already recorded as destroyed.".into(),
                ));
            }
            if found.out.is_some() {
                return Err(ServiceError::Invalid(
                    "That paper item is checked out: return it first.".into(),
                ));
            }
            let witness = staff(act.tx, witness, s.now())?;
            if witness.id == act.caller.user.id {
                return Err(ServiceError::Invalid(
                    "The witness must be someone else.".into(),
                ));
            }
            let certificate_ref = text("A certificate reference", certificate_ref, 100)?;
            let on = super::cases::parse_date("The destruction date", destroyed_on)?
                .ok_or_else(|| ServiceError::Invalid("Give the date it was destroyed.".into()))?;
            if on > today {
                return Err(ServiceError::Invalid(
                    "The destruction date is in the future.".into(),
                ));
            }
            act.note("method", method.as_str());
            act.note("certificate", certificate_ref.as_str());
            act.note("witness", witness.username.as_str());
            store::paper::record_destruction(
                act.tx,
                &store::paper::Destruction {
                    item,
                    method: method.as_str(),
                    certificate_ref: &certificate_ref,
                    witness: witness.id,
                    destroyed_on: &on,
                    by: act.caller.user.id,
                },
                s.now(),
            )?;
            Ok(())
        },
    )
}

/// The register as the caller may see it: every item for the office, a client admin's
/// own cases' items; sysadmins without the descriptions (they may name a person).
pub fn register_list(s: &Session) -> Result<Vec<Item>> {
    s.act(
        Action::ArchiveStatus,
        Target::kind_only("paper_register"),
        |act| {
            let scope = scope_of(act.caller);
            let mut items = Vec::new();
            for mut item in store::paper::items(act.tx)? {
                if scope != Scope::default()
                    && store::cases::get(act.tx, item.case_id, scope)?.is_none()
                {
                    continue;
                }
                if act.caller.user.role == Role::Sysadmin {
                    item.description.clear();
                }
                items.push(item);
            }
            act.note("rows", items.len());
            Ok(items)
        },
    )
}
