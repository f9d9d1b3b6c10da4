//! Two-factor login (TOTP, RFC 6238: SHA-1, 6 digits, 30 s steps, one step of skew).
//! Enrolment shows the secret once, as a QR code and as text, and switches two-factor
//! login on only when a first code is confirmed. A code's time step is remembered, so a
//! code is never accepted twice. The secret is stored only inside the encrypted database
//! and every copy in memory is wiped after use.

use super::opened::Opened;
use super::{Result, ServiceError, Session};
use crate::crypto::random;
use crate::domain::{Action, Millis, User};
use crate::store::{self, Conn};
use zeroize::Zeroizing;

pub const ISSUER: &str = "PECS";
const SECRET_BYTES: usize = 20;

/// What the Profile screen shows while enrolling: never stored outside the database.
pub struct Enrolment {
    /// The key in groups of four, for typing into an app by hand.
    pub secret_text: Zeroizing<String>,
    /// The QR code drawn with Unicode half blocks, light on dark.
    pub qr: Zeroizing<String>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

fn totp(secret: &[u8], account: &str) -> Result<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ServiceError::Invalid(format!("Two-factor set-up failed: {e}.")))
}

fn unix_seconds(t: Millis) -> u64 {
    u64::try_from(t.0 / 1000).unwrap_or(0)
}

/// The time step `code` matches for `secret` at `now`, if it is right and not yet used.
pub(crate) fn accept_code(
    secret: &[u8],
    account: &str,
    code: &str,
    now: Millis,
    last_step: Option<i64>,
) -> Result<Option<i64>> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let step = totp(secret, account)?
        .check(&digits, unix_seconds(now))
        .and_then(|s| i64::try_from(s).ok());
    Ok(step.filter(|s| last_step.is_none_or(|last| *s > last)))
}

/// Whether `user` must use two-factor login: their own flag, their organisation's, or
/// their role's by the installation's settings. Demo data never requires it.
pub(crate) fn required(
    conn: &Conn,
    user: &User,
    required_roles: &[crate::domain::Role],
) -> Result<bool> {
    if store::meta::get(conn, store::meta::DEMO)?.is_some() {
        return Ok(false);
    }
    let org_requires = store::orgs::get(conn, user.org_id)?.is_some_and(|o| o.require_two_factor);
    Ok(user.require_two_factor || org_requires || required_roles.contains(&user.role))
}

/// How a login's two-factor step went.
pub(crate) enum LoginCode {
    NotEnrolled,
    Missing,
    Accepted,
    Rejected,
}

/// Check a login's code in one IMMEDIATE transaction, so two logins racing with the
/// same code cannot both be accepted.
pub(crate) fn check_login_code(
    opened: &Opened,
    user: &User,
    code: Option<&str>,
    now: Millis,
) -> Result<LoginCode> {
    let tx = opened.db.write()?;
    let Some((secret, last_step)) = store::users::totp(&tx, user.id)? else {
        return Ok(LoginCode::NotEnrolled);
    };
    let secret = Zeroizing::new(secret);
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(LoginCode::Missing);
    };
    match accept_code(&secret, &user.username, code, now, last_step)? {
        Some(step) => {
            store::users::set_totp_last_step(&tx, user.id, step)?;
            tx.commit()?;
            Ok(LoginCode::Accepted)
        }
        None => Ok(LoginCode::Rejected),
    }
}

pub fn is_enrolled(s: &Session) -> Result<bool> {
    s.act(Action::OwnProfile, s.self_target(), |act| {
        Ok(act.caller.user.two_factor)
    })
}

/// Start (or restart) enrolment: a new secret, pending until confirmed.
pub fn begin_enrolment(s: &Session) -> Result<Enrolment> {
    s.act(Action::OwnProfile, s.self_target(), |act| {
        act.note("change", "two-factor enrolment started");
        if act.caller.user.two_factor {
            return Err(ServiceError::Conflict(
                "Two-factor login is already on for this account.".into(),
            ));
        }
        let secret = Zeroizing::new(random::bytes::<SECRET_BYTES>());
        let account = act.caller.user.username.clone();
        let url = Zeroizing::new(
            totp(secret.as_slice(), &account)?
                .to_url()
                .map_err(|e| ServiceError::Invalid(format!("Two-factor set-up failed: {e}.")))?,
        );
        let qr = Zeroizing::new(draw_qr(&url)?);
        drop(url);
        store::users::set_totp_pending(act.tx, act.caller.user.id, Some(secret.as_slice()))?;
        let base32 = Zeroizing::new(totp_rs::Secret::from(secret.to_vec()).to_base32());
        let mut grouped = Zeroizing::new(String::with_capacity(base32.len() * 2));
        for (i, c) in base32.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        Ok(Enrolment {
            secret_text: grouped,
            qr,
        })
    })
}

/// Confirm enrolment with the first code from the app; only then is it switched on.
pub fn confirm_enrolment(s: &Session, code: &str) -> Result<()> {
    s.act(Action::OwnProfile, s.self_target(), |act| {
        act.note("change", "two-factor enrolment confirmed");
        let user = &act.caller.user;
        let pending = Zeroizing::new(
            store::users::totp_pending(act.tx, user.id)?
                .ok_or_else(|| ServiceError::Conflict("Start enrolment first.".into()))?,
        );
        let step =
            accept_code(&pending, &user.username, code, s.now(), None)?.ok_or_else(|| {
                ServiceError::Invalid(
                    "That code is not right: check the app's clock and try the next code.".into(),
                )
            })?;
        store::users::enable_totp(act.tx, user.id, &pending, step)?;
        Ok(())
    })
}

/// Abandon an enrolment that was started but not confirmed: its secret is forgotten.
pub fn cancel_enrolment(s: &Session) -> Result<()> {
    s.act(Action::OwnProfile, s.self_target(), |act| {
        act.note("change", "two-factor enrolment cancelled");
        store::users::set_totp_pending(act.tx, act.caller.user.id, None)?;
        Ok(())
    })
}

fn draw_qr(url: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| ServiceError::Invalid(format!("Two-factor set-up failed: {e}.")))?;
    // Dark terminals: draw the modules light on dark, as phone cameras still read it.
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .build())
}
