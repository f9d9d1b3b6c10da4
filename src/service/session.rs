//! Sessions: a [`Session`] exists only after a successful [`super::auth::login`]. Every
//! call re-checks that the session is open and the account still enabled with the same
//! role, then asks the policy table, then runs the operation and audits it in the same
//! transaction. [`ServiceSession`] is the unattended principal opened by a service key.

use super::opened::Opened;
use super::policy::{self, Grant};
use super::{Result, ServiceError};
use crate::crypto::Password;
use crate::domain::{
    Action, Actor, Millis, NewAuditEvent, Org, OrgId, Origin, Outcome, Role, SessionId, Target,
    User, UserId,
};
use crate::store::keyring::{SlotKind, SlotRecord};
use crate::store::{self, Tx};
use serde_json::{Map, Value};

/// Who is logged in, as the screens show it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: SessionId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: OrgId,
    pub org_code: String,
    pub org_name: String,
    pub origin: Origin,
    pub started_at: Millis,
    /// Logged in with a reset code: only one's own profile is open until a password is
    /// chosen.
    pub must_change_password: bool,
    /// Two-factor login is required and not yet set up: only the Profile is open.
    pub must_enrol_two_factor: bool,
    pub demo: bool,
    /// The login before this one: when and from where.
    pub previous_login: Option<(Millis, String)>,
    /// Failed logins with this name since the previous successful one.
    pub failed_since_previous: i64,
}

pub struct Session {
    pub(crate) opened: Opened,
    pub(crate) info: SessionInfo,
}

/// The caller as checked at the start of one operation.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub org: Org,
    pub grant: Grant,
}

/// One operation in progress: its transaction, its checked caller, and the target and
/// detail its audit event will carry.
pub(crate) struct Act<'a, 'c> {
    pub tx: &'a Tx<'c>,
    pub caller: &'a Caller,
    pub target: Target,
    pub detail: Map<String, Value>,
    /// Key-ring changes (another file) to make once the database change has committed,
    /// so a refused or failed operation never leaves one behind.
    after_commit: Vec<KeyringChange>,
}

/// A change to `pecs.keys` that follows a committed database change.
pub(crate) enum KeyringChange {
    /// A user's password or reset code, in place of what the name had (the Argon2id
    /// work happens after the commit, not while holding the database's write lock).
    PersonalSlot {
        kind: SlotKind,
        name_hash: Vec<u8>,
        secret: Password,
        expires_at: Option<Millis>,
    },
    /// The name's password or code stops working.
    RemovePersonalSlot {
        name_hash: Vec<u8>,
    },
    /// A service or recovery slot made in the operation.
    SystemSlot(SlotRecord),
    ClearThrottle {
        name_hash: Vec<u8>,
    },
}

impl Act<'_, '_> {
    pub fn note(&mut self, key: &str, value: impl Into<Value>) {
        self.detail.insert(key.to_owned(), value.into());
    }

    pub fn after_commit(&mut self, change: KeyringChange) {
        self.after_commit.push(change);
    }
}

impl Session {
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    pub(crate) fn now(&self) -> Millis {
        self.opened.now()
    }

    /// An audit event by this session's user.
    pub(crate) fn event(
        &self,
        action: &str,
        target: Target,
        outcome: Outcome,
        detail: Map<String, Value>,
    ) -> NewAuditEvent {
        NewAuditEvent {
            at: self.now(),
            session_id: Some(self.info.id.0.clone()),
            actor: Actor {
                id: Some(self.info.user_id.0),
                name: Some(self.info.username.clone()),
                role: Some(self.info.role.as_str().to_owned()),
                org: Some(self.info.org_code.clone()),
            },
            action: action.to_owned(),
            target,
            origin: self.info.origin.clone(),
            outcome,
            detail: Value::Object(detail),
        }
    }

    /// Check, run and audit one operation. `f` runs inside the write transaction; its
    /// changes and the `ok` event commit together. A refusal rolls `f`'s changes back and
    /// records a `denied` (or `failed`) event with the reason.
    pub(crate) fn act<T>(
        &self,
        action: Action,
        target: Target,
        f: impl FnOnce(&mut Act<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.opened.db.write()?;
        let caller = match self.check_caller(&tx, action) {
            Ok(caller) => caller,
            Err(e) => {
                let ev = self.refusal_event(action, target, &e);
                self.opened.commit(tx, &[ev])?;
                return Err(e);
            }
        };
        let mut act = Act {
            tx: &tx,
            caller: &caller,
            target,
            detail: Map::new(),
            after_commit: Vec::new(),
        };
        let result = f(&mut act);
        let Act {
            target,
            detail,
            after_commit,
            ..
        } = act;
        match result {
            Ok(value) => {
                let ev = self.event(action.as_str(), target.clone(), Outcome::Ok, detail);
                self.opened.commit(tx, &[ev])?;
                for change in after_commit {
                    if let Err(e) = self.opened.apply(change) {
                        let mut d = Map::new();
                        d.insert("reason".into(), format!("key ring not updated: {e}").into());
                        self.opened.record(&[self.event(
                            action.as_str(),
                            target,
                            Outcome::Failed,
                            d,
                        )])?;
                        return Err(e);
                    }
                }
                Ok(value)
            }
            Err(e) => {
                drop(tx);
                let mut ev = self.refusal_event(action, target, &e);
                if let Value::Object(d) = &mut ev.detail {
                    d.extend(detail);
                }
                self.opened.record(&[ev])?;
                Err(e)
            }
        }
    }

    /// Check the caller for `action` on its own, for operations that must not hold the
    /// write lock while they run (a full audit verification). A refusal is audited.
    pub(crate) fn check(&self, action: Action, target: Target) -> Result<Caller> {
        let tx = self.opened.db.write()?;
        match self.check_caller(&tx, action) {
            Ok(caller) => {
                tx.commit()?;
                Ok(caller)
            }
            Err(e) => {
                let ev = self.refusal_event(action, target, &e);
                self.opened.commit(tx, &[ev])?;
                Err(e)
            }
        }
    }

    fn refusal_event(&self, action: Action, target: Target, e: &ServiceError) -> NewAuditEvent {
        let outcome = if e.is_denial() {
            Outcome::Denied
        } else {
            Outcome::Failed
        };
        let mut detail = Map::new();
        let reason = match e {
            // Even a refused password's description says something about it.
            ServiceError::PasswordRefused(_) => "password refused by the policy".to_owned(),
            other => other.to_string(),
        };
        detail.insert("reason".into(), Value::String(reason));
        self.event(action.as_str(), target, outcome, detail)
    }

    /// The live checks of every call: session open and within its limit, account enabled
    /// and unexpired with the role it logged in with, password chosen, policy grants.
    fn check_caller(&self, tx: &Tx<'_>, action: Action) -> Result<Caller> {
        let now = self.now();
        let sid = &self.info.id.0;
        let limit_ms = self.opened.pecs.settings.session_limit_hours * Millis::HOUR;
        match store::sessions::open_since(tx, sid)? {
            None => return Err(ServiceError::SessionEnded),
            Some(started) if now.0 - started.0 >= limit_ms => {
                store::sessions::end(tx, sid, now, "session limit reached")?;
                return Err(ServiceError::SessionEnded);
            }
            Some(_) => {}
        }
        let user = store::users::get(tx, self.info.user_id)?.ok_or(ServiceError::SessionEnded)?;
        if !user.can_log_in(now) || user.role != self.info.role || user.org_id != self.info.org_id {
            store::sessions::end(tx, sid, now, "account changed")?;
            return Err(ServiceError::SessionEnded);
        }
        if action != Action::OwnProfile {
            if user.must_change_password {
                return Err(ServiceError::PasswordChangeRequired);
            }
            let roles = &self.opened.pecs.settings.two_factor_roles;
            if !user.two_factor && super::two_factor::required(tx, &user, roles)? {
                return Err(ServiceError::TwoFactorEnrolmentRequired);
            }
        }
        let grant = policy::grant(user.role, action);
        if grant == Grant::Deny {
            return Err(ServiceError::Forbidden);
        }
        store::sessions::heartbeat(tx, sid, now)?;
        let org = store::orgs::get(tx, user.org_id)?.ok_or(ServiceError::SessionEnded)?;
        Ok(Caller { user, org, grant })
    }

    /// The caller's own account, as an audit target.
    pub(crate) fn self_target(&self) -> Target {
        Target::new("user", self.info.user_id, &self.info.username)
    }

    /// Whether the policy table lets this session's role do `action` at all (the UI
    /// hides what it may not; the service still checks every call).
    pub fn may(&self, action: Action) -> bool {
        policy::grant(self.info.role, action) != Grant::Deny
    }

    /// Tell the database this session's program is still running (no audit event: it is
    /// not an act). A session whose heartbeat stops shows as "ended (lost)".
    pub fn heartbeat(&self) -> Result<()> {
        let tx = self.opened.db.write()?;
        store::sessions::heartbeat(&tx, &self.info.id.0, self.now())?;
        tx.commit()?;
        Ok(())
    }

    /// End the session; the logout is recorded.
    pub fn logout(self) -> Result<()> {
        self.end("logout")
    }

    /// Lock the screen: the session ends and its key is wiped; unlocking is a new login.
    pub fn lock(self) -> Result<()> {
        self.end("lock")
    }

    /// The absolute session limit was reached.
    pub fn expire(self) -> Result<()> {
        self.end("session.limit")
    }

    fn end(self, how: &str) -> Result<()> {
        let now = self.now();
        let tx = self.opened.db.write()?;
        if store::sessions::end(&tx, &self.info.id.0, now, how)? {
            let target = Target::new("session", &self.info.id.0, &self.info.username);
            let ev = self.event(how, target, Outcome::Ok, Map::new());
            self.opened.commit(tx, &[ev])?;
        }
        Ok(())
    }
}

/// The unattended principal (hourly backup, daily verification, health), opened with a
/// service key. It has no personal role and may do only what `policy::service_may` says.
pub struct ServiceSession {
    pub(crate) opened: Opened,
    pub(crate) origin: Origin,
}

impl ServiceSession {
    pub(crate) fn event(
        &self,
        action: &str,
        outcome: Outcome,
        detail: Map<String, Value>,
    ) -> NewAuditEvent {
        NewAuditEvent {
            at: self.opened.now(),
            session_id: None,
            actor: Actor {
                id: None,
                name: Some("service".into()),
                role: Some("service".into()),
                org: None,
            },
            action: action.to_owned(),
            target: Target::kind_only("system"),
            origin: self.origin.clone(),
            outcome,
            detail: Value::Object(detail),
        }
    }

    pub(crate) fn check(&self, action: Action) -> Result<()> {
        if policy::service_may(action) {
            Ok(())
        } else {
            let mut d = Map::new();
            d.insert(
                "reason".into(),
                "not permitted to the service principal".into(),
            );
            self.opened
                .record(&[self.event(action.as_str(), Outcome::Denied, d)])?;
            Err(ServiceError::Forbidden)
        }
    }
}
