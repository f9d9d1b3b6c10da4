//! Shared fixtures for the integration tests: temporary installations, the demo cast,
//! a clock the tests move, and logins.
#![allow(dead_code)]

use pecs::crypto::{KdfParams, Password};
use pecs::domain::{Millis, Origin, User};
use pecs::service::{FixedClock, Pecs, Session, Settings, demo, users};
use std::sync::Arc;
use tempfile::TempDir;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;
/// 2026-12-04T09:00:00Z.
pub const T0: Millis = Millis(1_796_374_800_000);

/// A light Argon2id for tests that are not about the KDF (parameters are stored per
/// slot, so this is the real code path with smaller numbers).
pub const FAST_KDF: KdfParams = KdfParams {
    m_kib: 8 * 1024,
    t: 1,
    p: 1,
};

pub struct World {
    /// Keeps the temporary folder alive; the data dir is `dir/data`.
    pub tmp: TempDir,
    pub pecs: Pecs,
    pub clock: Arc<FixedClock>,
}

pub fn origin(addr: &str) -> Origin {
    Origin::from_parts(
        Some(&format!("{addr} 50122 10.0.0.1 22")),
        None,
        None,
        Some("srv".into()),
        4242,
    )
}

pub fn local_origin() -> Origin {
    origin("192.0.2.10")
}

impl World {
    /// An uninstalled data dir with the given settings.
    pub fn empty_with(settings: Settings) -> World {
        let tmp = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(FixedClock::at(T0));
        let pecs = Pecs::new(&tmp.path().join("data"), settings).with_clock(clock.clone());
        World { tmp, pecs, clock }
    }

    pub fn empty() -> World {
        World::empty_with(fast_settings())
    }

    /// The demo cast of DESIGN.md §5, made with the fast KDF.
    pub fn demo() -> World {
        let w = World::empty();
        demo::create(&w.pecs, local_origin()).expect("demo seed");
        w
    }

    /// The demo cast with the real Argon2id parameters.
    pub fn demo_real_kdf() -> World {
        let w = World::empty_with(Settings::default());
        demo::create(&w.pecs, local_origin()).expect("demo seed");
        w
    }

    pub fn login(&self, name: &str) -> Session {
        self.pecs
            .login(name, &Password::new(PASSWORD), local_origin())
            .unwrap_or_else(|e| panic!("login {name}: {e}"))
    }

    pub fn login_with(&self, name: &str, secret: &str) -> pecs::service::Result<Session> {
        self.pecs
            .login(name, &Password::new(secret), local_origin())
    }

    /// Look a user up by name, as the sysadmin.
    pub fn user(&self, name: &str) -> User {
        let admin = self.login(demo::SYSADMIN);
        let found = users::list(&admin)
            .expect("list users")
            .into_iter()
            .find(|u| u.username == name)
            .unwrap_or_else(|| panic!("no user {name}"));
        admin.logout().expect("logout");
        found
    }

    pub fn advance_ms(&self, ms: i64) {
        self.clock.advance_ms(ms);
    }
}

pub fn fast_settings() -> Settings {
    Settings {
        kdf: FAST_KDF,
        ..Settings::default()
    }
}

/// The code an authenticator app shows for `secret_text` at `unix_seconds`.
pub fn totp_code_at(secret_text: &str, account: &str, unix_seconds: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_text.replace(' ', "")).expect("base32");
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(pecs::service::two_factor::ISSUER))
        .build()
        .expect("totp")
        .generate(unix_seconds)
        .to_string()
}

/// Enrol the session's user in two-factor login at `now`, as the Profile screen does;
/// returns the secret, for later codes.
pub fn enrol_two_factor(s: &Session, now: Millis) -> String {
    let enrolment = pecs::service::two_factor::begin_enrolment(s).expect("begin enrolment");
    let secret = enrolment.secret_text.to_string();
    let code = totp_code_at(&secret, &s.info().username, (now.0 / 1000) as u64);
    pecs::service::two_factor::confirm_enrolment(s, &code).expect("confirm enrolment");
    secret
}

/// The data key, through a recovery slot made for the purpose (public APIs only).
pub fn data_key(w: &World) -> pecs::crypto::DataKey {
    data_key::data_key_of(&w.pecs, local_origin())
}

pub mod data_key;
pub mod pty;
pub mod sandbox;
pub mod ui;

/// Case details with a subject's name and a client reference, the rest blank.
pub fn details(subject: &str, client_ref: Option<&str>) -> pecs::service::cases::Details {
    pecs::service::cases::Details {
        client_ref: client_ref.map(Into::into),
        case_type: pecs::domain::CaseType::Trace,
        subject_name: subject.into(),
        subject_dob: None,
        subject_address: String::new(),
        priority: pecs::domain::Priority::Normal,
        due_date: None,
    }
}

/// A case for the client organisation `code`, opened by gina.admin.
pub fn open_case(
    w: &World,
    code: &str,
    details: pecs::service::cases::Details,
) -> pecs::domain::Case {
    use pecs::service::cases;
    let gina = w.login("gina.admin");
    let client = cases::directory(&gina)
        .unwrap()
        .client_by_code(code)
        .unwrap()
        .id;
    let case = cases::create(
        &gina,
        &cases::NewCase {
            client_org: client,
            details,
        },
    )
    .unwrap();
    gina.logout().unwrap();
    case
}

/// Take a case through active and completed to closed, as sue.supervisor (today).
pub fn close_case(w: &World, id: pecs::domain::CaseId) {
    use pecs::domain::CaseStatus;
    let sue = w.login("sue.supervisor");
    for to in [
        CaseStatus::Active,
        CaseStatus::Completed,
        CaseStatus::Closed,
    ] {
        pecs::service::cases::set_status(&sue, id, to).unwrap();
    }
    sue.logout().unwrap();
}
