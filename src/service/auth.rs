//! Logging in and choosing passwords. A wrong password, an unknown user, a disabled or
//! expired account all give the same message after the same Argon2id work. Failures are
//! throttled per name (known or not, so a pause reveals nothing) and sealed into the key
//! ring, to be moved into the audit log the next time the database is opened.

use super::opened::{FailedLogin, Opened, failed_login_event};
use super::session::SessionInfo;
use super::slots::{self, SlotSecret};
use super::{Pecs, Result, ServiceError, Session, password};
use crate::crypto::{Password, codes, kdf, random, sealed};
use crate::domain::{Action, Millis, Origin, Outcome, SessionId, Target};
use crate::store::keyring::{Keyring, SlotKind, Throttle};
use crate::store::{self, keyring};
use unicode_normalization::UnicodeNormalization;

/// Consecutive failures before the first pause.
pub const FREE_ATTEMPTS: i64 = 5;
pub const FIRST_PAUSE_MS: i64 = 30 * Millis::SECOND;
pub const MAX_PAUSE_MS: i64 = Millis::HOUR;
/// Failures per name in any hour, however they are spaced.
pub const HOURLY_FAILURE_CAP: i64 = 100;

/// User names are compared NFKC-normalised, trimmed and in lower case.
pub fn normalise_username(typed: &str) -> String {
    typed.nfkc().collect::<String>().trim().to_lowercase()
}

/// The pause after `consecutive` failures: none for the first four, then 30 s doubling
/// to at most an hour.
pub fn pause_after(consecutive: i64) -> i64 {
    if consecutive < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (consecutive - FREE_ATTEMPTS).min(20) as u32;
    (FIRST_PAUSE_MS << doublings).min(MAX_PAUSE_MS)
}

/// The throttle after one more failure at `now`.
pub fn after_failure(mut t: Throttle, now: Millis) -> Throttle {
    if now.0 - t.window_start.0 >= Millis::HOUR {
        t.window_start = now;
        t.window_failures = 0;
    }
    t.window_failures += 1;
    t.consecutive += 1;
    let mut until = now.plus_ms(pause_after(t.consecutive));
    if t.window_failures >= HOURLY_FAILURE_CAP {
        until = until.max(t.window_start.plus_ms(Millis::HOUR));
    }
    t.locked_until = until;
    t
}

fn paused_until(t: &Throttle, now: Millis) -> Option<Millis> {
    (t.locked_until > now).then_some(t.locked_until)
}

/// Why a login failed; sealed into the record, never shown to the person logging in.
enum Failure {
    UnknownName,
    WrongSecret,
    ResetCodeExpired,
    Paused,
}

impl Failure {
    fn reason(&self) -> &'static str {
        match self {
            Failure::UnknownName => "unknown user name",
            Failure::WrongSecret => "wrong password or code",
            Failure::ResetCodeExpired => "reset code expired",
            Failure::Paused => "attempt while paused after repeated failures",
        }
    }
}

impl Pecs {
    /// Log in with a user name and a password (or a one-time reset code).
    pub fn login(&self, username: &str, secret: &Password, origin: Origin) -> Result<Session> {
        let keyring = self.keyring()?;
        let name = normalise_username(username);
        let salt = keyring
            .meta(keyring::NAME_SALT)?
            .ok_or_else(|| store::StoreError::Malformed("key ring has no name salt".into()))?;
        let name_hash = codes::name_hash(&salt, &name);
        let now = self.now();
        let throttle = keyring.throttle(&name_hash)?;

        if let Some(until) = paused_until(&throttle, now) {
            self.burn_equal_time(secret, &salt);
            self.seal_failure(&keyring, &name, &origin, Failure::Paused)?;
            return Err(ServiceError::LoginFailed {
                retry_after: Some(until),
            });
        }

        let unlocked = match keyring.personal_slot(&name_hash)? {
            None => {
                self.burn_equal_time(secret, &salt);
                Err(Failure::UnknownName)
            }
            Some(slot) => match slots::unlock(&slot, SlotSecret::Typed(secret)) {
                Err(_) => Err(Failure::WrongSecret),
                Ok(_) if slot.expires_at.is_some_and(|t| t <= now) => {
                    Err(Failure::ResetCodeExpired)
                }
                Ok(key) => Ok((key, slot)),
            },
        };
        let (key, slot) = match unlocked {
            Ok(found) => found,
            Err(failure) => {
                return Err(self.fail(&keyring, &name_hash, throttle, &name, &origin, failure)?);
            }
        };

        let opened = Opened::open(self, keyring, key)?;
        let user = store::users::by_username(opened.db.conn(), &name)?;
        let user = match user {
            Some(u) if u.can_log_in(now) => u,
            other => {
                let why = if other.is_some() {
                    "account disabled or expired"
                } else {
                    "no such user in the database"
                };
                let failed = FailedLogin {
                    name: name.clone(),
                    at: now,
                    origin: origin.clone(),
                    reason: why.into(),
                };
                opened.record(&[failed_login_event(&failed)])?;
                opened
                    .keyring
                    .set_throttle(&name_hash, &after_failure(throttle, now))?;
                let t = opened.keyring.throttle(&name_hash)?;
                return Err(ServiceError::LoginFailed {
                    retry_after: paused_until(&t, now),
                });
            }
        };
        // Success ends the run of failures, not the hourly count.
        opened.keyring.set_throttle(
            &name_hash,
            &Throttle {
                consecutive: 0,
                locked_until: Millis(0),
                ..throttle
            },
        )?;
        let by_reset_code = slot.kind == SlotKind::Reset;
        if by_reset_code {
            // Single use: the code stops working now; this session may only choose a password.
            opened.keyring.delete_slot(&slot.id)?;
        }
        start_session(opened, user, origin, by_reset_code)
    }

    /// The same Argon2id work as a real attempt, so a missing slot takes as long.
    fn burn_equal_time(&self, secret: &Password, salt: &[u8]) {
        let _ = kdf::derive(secret, salt, self.settings.kdf);
    }

    fn seal_failure(
        &self,
        keyring: &Keyring,
        name: &str,
        origin: &Origin,
        failure: Failure,
    ) -> Result<()> {
        let public: [u8; 32] = keyring
            .meta(keyring::SEAL_PUBLIC)?
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| store::StoreError::Malformed("key ring has no sealing key".into()))?;
        let record = FailedLogin {
            // Bounded: a password pasted into the name field should not fill the disk.
            name: name.chars().take(128).collect(),
            at: self.now(),
            origin: origin.clone(),
            reason: failure.reason().into(),
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&record).unwrap_or_default());
        keyring.push_failed_login(&sealed::seal(&public, &plain))?;
        Ok(())
    }

    fn fail(
        &self,
        keyring: &Keyring,
        name_hash: &[u8],
        throttle: Throttle,
        name: &str,
        origin: &Origin,
        failure: Failure,
    ) -> Result<ServiceError> {
        let now = self.now();
        let next = after_failure(throttle, now);
        keyring.set_throttle(name_hash, &next)?;
        self.seal_failure(keyring, name, origin, failure)?;
        Ok(ServiceError::LoginFailed {
            retry_after: paused_until(&next, now),
        })
    }
}

fn start_session(
    opened: Opened,
    user: crate::domain::User,
    origin: Origin,
    by_reset_code: bool,
) -> Result<Session> {
    let now = opened.now();
    let conn = opened.db.conn();
    let org = store::orgs::get(conn, user.org_id)?.ok_or(ServiceError::NotFound)?;
    let demo = store::meta::get(conn, store::meta::DEMO)?.is_some();
    let previous_login = user
        .last_login_at
        .map(|t| (t, user.last_login_from.clone().unwrap_or_default()));
    let failed_since_previous = store::audit::failed_logins_since(
        conn,
        &user.username,
        previous_login.as_ref().map(|p| p.0),
    )?;
    let info = SessionInfo {
        id: SessionId(random::hex_id()),
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        org_id: org.id,
        org_code: org.code.clone(),
        org_name: org.name.clone(),
        origin: origin.clone(),
        started_at: now,
        must_change_password: by_reset_code || user.must_change_password,
        demo,
        previous_login,
        failed_since_previous,
    };
    let session = Session { opened, info };
    let tx = session.opened.db.write()?;
    let origin_json = serde_json::to_string(&origin).unwrap_or_default();
    store::sessions::insert(&tx, &session.info.id.0, user.id, now, &origin_json)?;
    store::users::record_login(&tx, user.id, now, &origin.summary())?;
    if by_reset_code {
        store::users::set_must_change_password(&tx, user.id, true)?;
    }
    let mut detail = serde_json::Map::new();
    detail.insert(
        "method".into(),
        if by_reset_code {
            "reset_code"
        } else {
            "password"
        }
        .into(),
    );
    let target = Target::new("user", user.id, &user.username);
    let ev = session.event("login", target, Outcome::Ok, detail);
    session.opened.commit(tx, &[ev])?;
    Ok(session)
}

/// Change one's own password: the current one is needed, the new one must pass the policy.
pub fn change_password(s: &Session, current: &Password, new: &Password) -> Result<()> {
    s.act(Action::OwnProfile, self_target(s), |act| {
        act.note("change", "password");
        let (name_hash, slot) = own_slot(s)?;
        let current_ok = slot
            .as_ref()
            .filter(|slot| slot.kind == SlotKind::User)
            .is_some_and(|slot| slots::unlock(slot, SlotSecret::Typed(current)).is_ok());
        if !current_ok {
            return Err(ServiceError::Invalid(
                "The current password is not correct.".into(),
            ));
        }
        set_own_password(s, act, name_hash, new)
    })
}

/// After a reset-code login (or when the account must change its password): choose one.
pub fn choose_password(s: &Session, new: &Password) -> Result<()> {
    s.act(Action::OwnProfile, self_target(s), |act| {
        act.note("change", "password chosen after reset");
        if !act.caller.user.must_change_password {
            return Err(ServiceError::Conflict(
                "This account already has a password: use change password.".into(),
            ));
        }
        let (name_hash, _) = own_slot(s)?;
        set_own_password(s, act, name_hash, new)
    })
}

fn self_target(s: &Session) -> Target {
    Target::new("user", s.info.user_id, &s.info.username)
}

fn own_slot(s: &Session) -> Result<(Vec<u8>, Option<keyring::SlotRecord>)> {
    let keyring = &s.opened.keyring;
    let salt = keyring
        .meta(keyring::NAME_SALT)?
        .ok_or_else(|| store::StoreError::Malformed("key ring has no name salt".into()))?;
    let name_hash = codes::name_hash(&salt, &s.info.username);
    let slot = keyring.personal_slot(&name_hash)?;
    Ok((name_hash, slot))
}

fn set_own_password(
    s: &Session,
    act: &mut super::session::Act<'_, '_>,
    name_hash: Vec<u8>,
    new: &Password,
) -> Result<()> {
    let caller = act.caller;
    password::check(
        new,
        &caller.user.username,
        &caller.org.code,
        &caller.org.name,
    )
    .map_err(ServiceError::Invalid)?;
    let slot = slots::new_slot(
        SlotKind::User,
        Some(name_hash),
        SlotSecret::Typed(new),
        &s.opened.key,
        s.opened.pecs.settings.kdf,
        s.now(),
        None,
    )?;
    store::users::set_must_change_password(act.tx, caller.user.id, false)?;
    s.opened.keyring.replace_personal_slot(&slot)?;
    Ok(())
}
