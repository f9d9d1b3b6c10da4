//! User accounts: create, list, view, change role, disable / enable, expiry, unlock and
//! password reset. Client admins act only on their own organisation's client accounts,
//! never on themselves; the last enabled sysadmin cannot be switched off. An admin never
//! sets or learns a password: creating or resetting an account issues a one-time code.

use super::opened::Opened;
use super::policy::Grant;
use super::session::{Act, Caller, KeyringChange};
use super::{Result, ServiceError, Session, auth};
use crate::crypto::{Password, codes};
use crate::domain::{
    Action, Actor, Millis, NewAuditEvent, OrgId, OrgKind, Origin, Outcome, Role, Target, User,
    UserId,
};
use crate::store::keyring::SlotKind;
use crate::store::{self, Conn};

/// A one-time reset code, shown once to the admin to pass on by phone.
#[derive(Debug)]
pub struct IssuedCode {
    pub username: String,
    pub code: Password,
    pub expires_at: Millis,
}

/// What a new account needs; the person chooses their password at first login.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: OrgId,
    pub role: Role,
    pub expires_at: Option<Millis>,
}

/// 3 to 64 of a-z, 0-9, dot, hyphen, underscore: no look-alike characters in logins.
pub fn valid_username(name: &str) -> Result<()> {
    let ok_len = (3..=64).contains(&name.len());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(ServiceError::Invalid(
            "A user name is 3 to 64 characters: letters a-z, digits, dot, hyphen or underscore."
                .into(),
        ))
    }
}

fn valid_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(
            "A display name is 1 to 100 characters with no control characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

fn user_target(u: &User) -> Target {
    Target::new("user", u.id, &u.username)
}

/// May this caller see `user`? Out of scope reads as NotFound, never as Forbidden.
fn visible(caller: &Caller, user: &User) -> bool {
    match caller.grant {
        Grant::All => true,
        Grant::OwnOrg | Grant::OwnOrgClientUsersNotSelf => user.org_id == caller.org.id,
        _ => false,
    }
}

/// Load `id` for a change by the caller: scope first (NotFound), then the rule of
/// client self-service: never oneself. (A client organisation holds client roles only,
/// so a client admin can never reach an internal account.)
fn target_for_change(act: &Act<'_, '_>, id: UserId) -> Result<User> {
    let user = store::users::get(act.tx, id)?.ok_or(ServiceError::NotFound)?;
    if !visible(act.caller, &user) {
        return Err(ServiceError::NotFound);
    }
    if act.caller.grant == Grant::OwnOrgClientUsersNotSelf && user.id == act.caller.user.id {
        return Err(ServiceError::Refused(
            "You cannot change your own account here: ask another administrator.".into(),
        ));
    }
    Ok(user)
}

fn check_role_fits_org(role: Role, kind: OrgKind) -> Result<()> {
    let fits = match kind {
        OrgKind::Internal => role.is_internal(),
        OrgKind::Client => role.is_client(),
    };
    if fits {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "The role {role} does not belong in a {} organisation.",
            kind.as_str()
        )))
    }
}

/// Refuse a change that would leave no enabled sysadmin.
fn keep_a_sysadmin(tx: &Conn, user: &User, now: Millis) -> Result<()> {
    if user.role == Role::Sysadmin
        && user.can_log_in(now)
        && store::users::count_active_sysadmins(tx, now)? <= 1
    {
        return Err(ServiceError::Conflict(format!(
            "{} is the last enabled sysadmin: enable or create another first.",
            user.username
        )));
    }
    Ok(())
}

/// A fresh start for an account: a one-time reset code in place of its password, the
/// password-choice flag set, two-factor enrolment forgotten, its sessions ended. The
/// database part happens in `tx`; the key-ring part is returned, for after the commit.
fn reset_code_for(
    opened: &Opened,
    tx: &Conn,
    user: &User,
) -> Result<(IssuedCode, Vec<KeyringChange>)> {
    let now = opened.now();
    let expires_at = now.plus_ms(opened.pecs.settings.reset_code_hours * Millis::HOUR);
    let name_hash = opened.keyring.name_hash(&user.username)?;
    let code = codes::reset_code();
    store::users::set_must_change_password(tx, user.id, true)?;
    // For the person who lost their phone as well as their password: two-factor login
    // is set up again after the new password.
    store::users::clear_totp(tx, user.id)?;
    store::sessions::end_all_for_user(tx, user.id, now, "password reset")?;
    let changes = vec![
        KeyringChange::PersonalSlot {
            kind: SlotKind::Reset,
            name_hash: name_hash.clone(),
            secret: code.clone(),
            expires_at: Some(expires_at),
        },
        KeyringChange::ClearThrottle { name_hash },
    ];
    let issued = IssuedCode {
        username: user.username.clone(),
        code,
        expires_at,
    };
    Ok((issued, changes))
}

/// Issue a reset code inside an operation: audited with its expiry, never the code.
fn issue_reset_code(s: &Session, act: &mut Act<'_, '_>, user: &User) -> Result<IssuedCode> {
    let (issued, changes) = reset_code_for(&s.opened, act.tx, user)?;
    act.note("code_expires_at", issued.expires_at.to_rfc3339());
    for change in changes {
        act.after_commit(change);
    }
    Ok(issued)
}

/// Create an account; returns its first one-time code.
pub fn create(s: &Session, new: &NewUser) -> Result<(User, IssuedCode)> {
    let username = auth::normalise_username(&new.username);
    s.act(
        Action::UserCreate,
        Target::new("user", "new", &username),
        |act| {
            let org = store::orgs::get(act.tx, new.org_id)?.ok_or(ServiceError::NotFound)?;
            if act.caller.grant == Grant::OwnOrgClientUsersNotSelf && org.id != act.caller.org.id {
                return Err(ServiceError::NotFound);
            }
            valid_username(&username)?;
            let display_name = valid_display_name(&new.display_name)?;
            check_role_fits_org(new.role, org.kind)?;
            if store::users::by_username(act.tx, &username)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "The user name {username} is taken."
                )));
            }
            let id = store::users::insert(
                act.tx,
                &store::users::NewUserRow {
                    username: &username,
                    display_name: &display_name,
                    org_id: org.id,
                    role: new.role,
                    expires_at: new.expires_at,
                },
                s.now(),
            )?;
            let user = store::users::get(act.tx, id)?.ok_or(ServiceError::NotFound)?;
            act.target = user_target(&user);
            act.note("role", user.role.as_str());
            act.note("org", org.code.as_str());
            let code = issue_reset_code(s, act, &user)?;
            Ok((user, code))
        },
    )
}

/// Users the caller may see: everyone for sysadmins and supervisors, one's own
/// organisation for client admins.
pub fn list(s: &Session) -> Result<Vec<User>> {
    s.act(Action::UserList, Target::kind_only("user"), |act| {
        let org = (act.caller.grant != Grant::All).then_some(act.caller.org.id);
        let users = store::users::list(act.tx, org)?;
        act.note("count", users.len());
        Ok(users)
    })
}

/// A row of the Users screen: the account, its organisation's code, and any login pause.
#[derive(Debug, Clone)]
pub struct UserOverview {
    pub user: User,
    pub org_code: String,
    /// Logins with this name are paused until then, after repeated failures.
    pub paused_until: Option<Millis>,
}

/// [`list`] with what the Users screen shows beside each account.
pub fn overview(s: &Session) -> Result<Vec<UserOverview>> {
    s.act(Action::UserList, Target::kind_only("user"), |act| {
        let org = (act.caller.grant != Grant::All).then_some(act.caller.org.id);
        let orgs = store::orgs::list(act.tx)?;
        let users = store::users::list(act.tx, org)?;
        act.note("count", users.len());
        let now = s.now();
        let keyring = &s.opened.keyring;
        users
            .into_iter()
            .map(|user| {
                let org_code = orgs
                    .iter()
                    .find(|o| o.id == user.org_id)
                    .map(|o| o.code.clone())
                    .unwrap_or_default();
                let throttle = keyring.throttle(&keyring.name_hash(&user.username)?)?;
                let paused_until = (throttle.locked_until > now).then_some(throttle.locked_until);
                Ok(UserOverview {
                    user,
                    org_code,
                    paused_until,
                })
            })
            .collect()
    })
}

pub fn get(s: &Session, id: UserId) -> Result<User> {
    s.act(Action::UserView, Target::id_only("user", id), |act| {
        let user = store::users::get(act.tx, id)?.ok_or(ServiceError::NotFound)?;
        if !visible(act.caller, &user) {
            return Err(ServiceError::NotFound);
        }
        act.target = user_target(&user);
        Ok(user)
    })
}

/// A change to one account: scope and self-service rules checked, then `f`, audited.
fn change<T>(
    s: &Session,
    action: Action,
    id: UserId,
    f: impl FnOnce(&mut Act<'_, '_>, &User) -> Result<T>,
) -> Result<T> {
    s.act(action, Target::id_only("user", id), |act| {
        let user = target_for_change(act, id)?;
        act.target = user_target(&user);
        f(act, &user)
    })
}

pub fn set_role(s: &Session, id: UserId, role: Role) -> Result<()> {
    change(s, Action::UserEdit, id, |act, user| {
        let org = store::orgs::get(act.tx, user.org_id)?.ok_or(ServiceError::NotFound)?;
        check_role_fits_org(role, org.kind)?;
        if role != Role::Sysadmin {
            keep_a_sysadmin(act.tx, user, s.now())?;
        }
        act.note("from", user.role.as_str());
        act.note("to", role.as_str());
        store::users::set_role(act.tx, user.id, role)?;
        store::sessions::end_all_for_user(act.tx, user.id, s.now(), "role changed")?;
        Ok(())
    })
}

pub fn set_display_name(s: &Session, id: UserId, name: &str) -> Result<()> {
    change(s, Action::UserEdit, id, |act, user| {
        let name = valid_display_name(name)?;
        store::users::set_display_name(act.tx, user.id, &name)?;
        Ok(())
    })
}

/// Disable an account: its sessions end and its password is removed from the key ring,
/// so not even a copy of the files opens the data with it. Enabling issues a new code.
pub fn disable(s: &Session, id: UserId) -> Result<()> {
    change(s, Action::UserDisable, id, |act, user| {
        keep_a_sysadmin(act.tx, user, s.now())?;
        store::users::set_enabled(act.tx, user.id, false)?;
        store::sessions::end_all_for_user(act.tx, user.id, s.now(), "account disabled")?;
        let name_hash = s.opened.keyring.name_hash(&user.username)?;
        act.after_commit(KeyringChange::RemovePersonalSlot { name_hash });
        Ok(())
    })
}

/// Enable an account again, with a one-time code to choose a new password.
pub fn enable(s: &Session, id: UserId) -> Result<IssuedCode> {
    change(s, Action::UserEnable, id, |act, user| {
        store::users::set_enabled(act.tx, user.id, true)?;
        issue_reset_code(s, act, user)
    })
}

/// `None` removes the expiry. The last enabled sysadmin can have none.
pub fn set_expiry(s: &Session, id: UserId, expires_at: Option<Millis>) -> Result<()> {
    change(s, Action::UserEdit, id, |act, user| {
        if expires_at.is_some() {
            keep_a_sysadmin(act.tx, user, s.now())?;
        }
        act.note("expires_at", expires_at.map(Millis::to_rfc3339));
        store::users::set_expiry(act.tx, user.id, expires_at)?;
        Ok(())
    })
}

/// Require (or stop requiring) two-factor login for one account.
pub fn set_two_factor_required(s: &Session, id: UserId, required: bool) -> Result<()> {
    change(s, Action::UserEdit, id, |act, user| {
        act.note("require_two_factor", required);
        store::users::set_require_two_factor(act.tx, user.id, required)?;
        Ok(())
    })
}

/// Lift a login pause after repeated failures.
pub fn unlock(s: &Session, id: UserId) -> Result<()> {
    change(s, Action::UserUnlock, id, |act, user| {
        let name_hash = s.opened.keyring.name_hash(&user.username)?;
        act.after_commit(KeyringChange::ClearThrottle { name_hash });
        Ok(())
    })
}

/// Issue a one-time reset code; the user's password stops working and their sessions end.
pub fn reset_password(s: &Session, id: UserId) -> Result<IssuedCode> {
    change(s, Action::UserReset, id, |act, user| {
        issue_reset_code(s, act, user)
    })
}

/// The recovery path (see [`super::Pecs::recover`]): re-enable a sysadmin and issue a
/// code. Refusals are audited too: the recovery code itself was right.
pub(crate) fn recover_sysadmin(
    opened: &Opened,
    username: &str,
    origin: Origin,
    slot_id: &str,
) -> Result<IssuedCode> {
    let name = auth::normalise_username(username);
    let event = |target: Target, outcome: Outcome, detail: serde_json::Value| NewAuditEvent {
        at: opened.now(),
        session_id: None,
        actor: Actor {
            name: Some("recovery code".into()),
            role: Some("recovery".into()),
            ..Actor::default()
        },
        action: "recovery.reset_sysadmin".into(),
        target,
        origin: origin.clone(),
        outcome,
        detail,
    };
    let tx = opened.db.write()?;
    let Some(user) = store::users::by_username(&tx, &name)?.filter(|u| u.role == Role::Sysadmin)
    else {
        drop(tx);
        let refused = ServiceError::Invalid(format!("{name} is not a sysadmin account."));
        let detail = serde_json::json!({ "slot": slot_id, "reason": refused.to_string() });
        opened.record(&[event(
            Target::new("user", "?", &name),
            Outcome::Denied,
            detail,
        )])?;
        return Err(refused);
    };
    store::users::set_enabled(&tx, user.id, true)?;
    store::users::set_expiry(&tx, user.id, None)?;
    let (issued, changes) = reset_code_for(opened, &tx, &user)?;
    let detail =
        serde_json::json!({ "slot": slot_id, "code_expires_at": issued.expires_at.to_rfc3339() });
    opened.commit(tx, &[event(user_target(&user), Outcome::Ok, detail)])?;
    for change in changes {
        opened.apply(change)?;
    }
    Ok(issued)
}
