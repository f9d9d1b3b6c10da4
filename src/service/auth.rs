//! Logging in and choosing passwords. A wrong password, an unknown user, a disabled or
//! expired account all give the same message after the same Argon2id work. Failures are
//! throttled per name (known or not, so a pause reveals nothing) and sealed into the key
//! ring, to be moved into the audit log the next time the database is opened.

use super::opened::{FailedLogin, Opened, failed_login_event};
use super::session::{Act, KeyringChange, SessionInfo};
use super::slots::{self, SlotSecret};
use super::{Pecs, Result, ServiceError, Session, password, two_factor};
use crate::crypto::{Password, kdf, random, sealed};
use crate::domain::{Action, Millis, Origin, Outcome, SessionId, Target};
use crate::store::keyring::{Keyring, SlotKind, Throttle};
use crate::store::{self, keyring};
use std::time::{Duration, Instant};
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

/// Every failed login answers no sooner than the Argon2id work plus this, so the paths
/// that open the database first (a disabled account with its right password) take as
/// long as a wrong password.
const FAILURE_FLOOR_SLACK: Duration = Duration::from_millis(40);

fn pad_failure(started: Instant, kdf_time: Duration) {
    let floor = kdf_time + FAILURE_FLOOR_SLACK;
    if let Some(rest) = floor.checked_sub(started.elapsed()) {
        std::thread::sleep(rest);
    }
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

/// A success ends the run of failures and takes back the failure its claim counted in
/// advance; the rest of the hourly count stays.
pub fn after_success(t: Throttle) -> Throttle {
    Throttle {
        consecutive: 0,
        locked_until: Millis(0),
        window_failures: (t.window_failures - 1).max(0),
        ..t
    }
}

/// Undo one claim that turned out not to be a failure (a right password still waiting
/// for its two-factor code). A pause that an earlier failure earned stays.
pub fn take_back_claim(t: Throttle) -> Throttle {
    let consecutive = (t.consecutive - 1).max(0);
    Throttle {
        consecutive,
        locked_until: if pause_after(consecutive) == 0 {
            Millis(0)
        } else {
            t.locked_until
        },
        window_failures: (t.window_failures - 1).max(0),
        ..t
    }
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
        self.login_with_code(username, secret, None, origin)
    }

    /// Log in; `code` is the two-factor code, for accounts that have it. Without one,
    /// such an account answers [`ServiceError::CodeRequired`] after a right password.
    pub fn login_with_code(
        &self,
        username: &str,
        secret: &Password,
        code: Option<&str>,
        origin: Origin,
    ) -> Result<Session> {
        let started = Instant::now();
        let keyring = self.keyring()?;
        let name = normalise_username(username);
        let name_hash = keyring.name_hash(&name)?;
        let now = self.now();
        // Counted before the Argon2id work, in one transaction, so parallel attempts
        // cannot slip past the pause; a success ends the run again.
        let claimed = keyring.claim_attempt(&name_hash, now, after_failure)?;
        let kdf_started = Instant::now();
        let attempt = match claimed {
            Err(until) => {
                self.burn_equal_time(secret);
                Err((Failure::Paused, Some(until)))
            }
            Ok(next) => self
                .unlock_personal_slot(&keyring, &name_hash, secret, now)
                .map_err(|f| (f, paused_until(&next, now))),
        };
        let kdf_time = kdf_started.elapsed();
        let failed = |failure: Failure, retry_after| -> Result<Session> {
            self.seal_failure(&keyring, &name, &origin, failure.reason())?;
            pad_failure(started, kdf_time);
            Err(ServiceError::LoginFailed { retry_after })
        };
        let (key, slot) = match attempt {
            Ok(found) => found,
            Err((failure, retry_after)) => return failed(failure, retry_after),
        };
        let pause = paused_until(&keyring.throttle(&name_hash)?, now);
        if slot.kind == SlotKind::Reset && !keyring.delete_slot(&slot.id)? {
            // Single use: another login took this code a moment ago.
            return failed(Failure::WrongSecret, pause);
        }

        let opened = Opened::open(self, keyring, key)?;
        let refused = |why: &str| -> Result<Session> {
            let record = FailedLogin {
                name: name.clone(),
                at: now,
                origin: origin.clone(),
                reason: why.into(),
            };
            opened.record(&[failed_login_event(&record)])?;
            pad_failure(started, kdf_time);
            Err(ServiceError::LoginFailed { retry_after: pause })
        };
        let user = match store::users::by_username(opened.db.conn(), &name)? {
            Some(u) if u.can_log_in(now) => u,
            Some(_) => return refused("account disabled or expired"),
            None => return refused("no such user in the database"),
        };
        match two_factor::check_login_code(&opened, &user, code, now)? {
            two_factor::LoginCode::NotEnrolled | two_factor::LoginCode::Accepted => {}
            two_factor::LoginCode::Missing => {
                // The password was right: not a failure, so the claim is taken back.
                opened
                    .keyring
                    .update_throttle(&name_hash, take_back_claim)?;
                return Err(ServiceError::CodeRequired);
            }
            two_factor::LoginCode::Rejected => {
                return refused("wrong or already used two-factor code");
            }
        }
        opened.keyring.update_throttle(&name_hash, after_success)?;
        start_session(opened, user, origin, slot.kind == SlotKind::Reset)
    }

    /// Unwrap the data key from the name's user or reset slot.
    fn unlock_personal_slot(
        &self,
        keyring: &Keyring,
        name_hash: &[u8],
        secret: &Password,
        now: Millis,
    ) -> std::result::Result<(crate::crypto::DataKey, keyring::SlotRecord), Failure> {
        let slot = match keyring.personal_slot(name_hash) {
            Ok(Some(slot)) => slot,
            Ok(None) | Err(_) => {
                self.burn_equal_time(secret);
                return Err(Failure::UnknownName);
            }
        };
        match slots::unlock(&slot, SlotSecret::Typed(secret)) {
            Err(_) => Err(Failure::WrongSecret),
            Ok(_) if slot.expires_at.is_some_and(|t| t <= now) => Err(Failure::ResetCodeExpired),
            Ok(key) => Ok((key, slot)),
        }
    }

    /// The same Argon2id work as a real attempt, so a missing slot takes as long.
    fn burn_equal_time(&self, secret: &Password) {
        let _ = kdf::derive(secret, &[0u8; 32], self.settings.kdf);
    }

    /// Seal a failed attempt into the key ring, for the audit log at the next open.
    pub(crate) fn seal_failure(
        &self,
        keyring: &Keyring,
        name: &str,
        origin: &Origin,
        reason: &str,
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
            reason: reason.into(),
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&record).unwrap_or_default());
        keyring.push_failed_login(&sealed::seal(&public, &plain))?;
        Ok(())
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
    let must_enrol_two_factor = !user.two_factor
        && two_factor::required(conn, &user, &opened.pecs.settings.two_factor_roles)?;
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
        must_enrol_two_factor,
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
    // The Argon2id check of the current password runs before the write transaction, so
    // the database's write lock is not held for it.
    let name_hash = s.opened.keyring.name_hash(&s.info.username)?;
    let current_ok = s
        .opened
        .keyring
        .personal_slot(&name_hash)?
        .filter(|slot| slot.kind == SlotKind::User)
        .is_some_and(|slot| slots::unlock(&slot, SlotSecret::Typed(current)).is_ok());
    s.act(Action::OwnProfile, s.self_target(), |act| {
        act.note("change", "password");
        if !current_ok {
            return Err(ServiceError::Invalid(
                "The current password is not correct.".into(),
            ));
        }
        set_own_password(act, name_hash, new)
    })
}

/// After a reset-code login (or when the account must change its password): choose one.
pub fn choose_password(s: &Session, new: &Password) -> Result<()> {
    let name_hash = s.opened.keyring.name_hash(&s.info.username)?;
    s.act(Action::OwnProfile, s.self_target(), |act| {
        act.note("change", "password chosen after reset");
        if !act.caller.user.must_change_password {
            return Err(ServiceError::Conflict(
                "This account already has a password: use change password.".into(),
            ));
        }
        set_own_password(act, name_hash, new)
    })
}

/// Check the new password against the policy; the slot itself is made after the commit.
fn set_own_password(act: &mut Act<'_, '_>, name_hash: Vec<u8>, new: &Password) -> Result<()> {
    let caller = act.caller;
    password::check(
        new,
        &caller.user.username,
        &caller.org.code,
        &caller.org.name,
    )
    .map_err(ServiceError::PasswordRefused)?;
    store::users::set_must_change_password(act.tx, caller.user.id, false)?;
    act.after_commit(KeyringChange::PersonalSlot {
        kind: SlotKind::User,
        name_hash,
        secret: new.clone(),
        expires_at: None,
    });
    Ok(())
}
