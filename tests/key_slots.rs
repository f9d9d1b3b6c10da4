//! Key slots (DESIGN.md §2): every way in (password, reset code, service key file,
//! recovery code) wraps the one data key; removing a slot makes its secret useless at
//! once; and a wrong secret fails without saying which part was wrong.

mod common;

use common::{PASSWORD, World, local_origin};
use pecs::crypto::wrap::{self, UnwrapError, Wrapped};
use pecs::crypto::{DataKey, KdfParams, Kek, Password, codes, kdf};
use pecs::domain::{Millis, User};
use pecs::service::{ServiceError, Session, auth, demo, slots, users};
use pecs::store::keyring::{self, Keyring, SlotKind, SlotRecord};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn ring(w: &World) -> Keyring {
    Keyring::open(&w.pecs.paths.keys).expect("key ring")
}

/// The user or reset slot of `username`, found the way login finds it.
fn personal_slot(ring: &Keyring, username: &str) -> Option<SlotRecord> {
    let salt = ring
        .meta(keyring::NAME_SALT)
        .expect("meta")
        .expect("name salt");
    ring.personal_slot(&codes::name_hash(&salt, username))
        .expect("personal slot")
}

fn system_slot(ring: &Keyring, kind: SlotKind, id: &str) -> SlotRecord {
    ring.slots_of_kind(kind)
        .expect("slots")
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no {} slot {id}", kind.as_str()))
}

/// The key-encryption key for a typed secret, as each slot kind treats it.
fn typed_kek(slot: &SlotRecord, typed: &str) -> Kek {
    let typed = Password::new(typed);
    let secret = match slot.kind {
        SlotKind::Reset | SlotKind::Recovery => codes::normalise_code(&typed),
        SlotKind::User | SlotKind::Service => typed,
    };
    kdf::derive(
        &secret,
        &slot.salt,
        slot.kdf.expect("typed slots have KDF parameters"),
    )
    .expect("derive")
}

fn unwrap_with(slot: &SlotRecord, kek: &Kek) -> Result<DataKey, UnwrapError> {
    wrap::unwrap(&slot.wrapped, kek, &slot.id, slot.kind.as_str())
}

fn key_file_kek(path: &Path) -> Kek {
    let bytes: [u8; 32] = std::fs::read(path)
        .expect("read key file")
        .try_into()
        .expect("a service key is 32 bytes");
    Kek::from_bytes(bytes)
}

/// The key really opens `pecs.db`: it is the data key, not just some agreed value.
fn assert_opens_the_database(w: &World, key: &DataKey) {
    let conn = rusqlite::Connection::open(&w.pecs.paths.db).expect("open");
    conn.execute_batch(&format!(
        "PRAGMA key = \"{}\";",
        key.sqlcipher_literal().as_str()
    ))
    .expect("key");
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")
        .expect("log level");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE username = 'sue.supervisor'",
            [],
            |r| r.get(0),
        )
        .expect("the key opens pecs.db");
    assert_eq!(n, 1);
}

fn user(s: &Session, name: &str) -> User {
    users::list(s)
        .expect("list users")
        .into_iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("no user {name}"))
}

fn login_failed(r: pecs::service::Result<Session>) -> ServiceError {
    match r {
        Err(e @ ServiceError::LoginFailed { .. }) => e,
        Err(e) => panic!("expected a failed login, got {e:?}"),
        Ok(s) => panic!("expected a failed login, {} logged in", s.info().username),
    }
}

fn service_key_path(w: &World, name: &str) -> PathBuf {
    w.tmp.path().join(name)
}

#[test]
fn every_slot_kind_unwraps_the_same_data_key() {
    // The real Argon2id parameters, end to end.
    let w = World::demo_real_kdf();
    let sam = w.login(demo::SYSADMIN);
    let key_path = service_key_path(&w, "service.key");
    let service = slots::create_service_key(&sam, &key_path).expect("service key");
    let (recovery, recovery_code) = slots::create_recovery_code(&sam).expect("recovery code");
    let carl = user(&sam, "carl.caseworker");
    let reset = users::reset_password(&sam, carl.id).expect("reset");
    sam.logout().unwrap();

    let file = std::fs::metadata(&key_path).unwrap();
    assert_eq!(file.len(), 32);
    assert_eq!(file.permissions().mode() & 0o777, 0o600);

    let ring = ring(&w);
    let sue_slot = personal_slot(&ring, "sue.supervisor").expect("sue has a slot");
    let sam_slot = personal_slot(&ring, demo::SYSADMIN).expect("sam has a slot");
    let reset_slot = personal_slot(&ring, "carl.caseworker").expect("carl has a slot");
    let service_slot = system_slot(&ring, SlotKind::Service, &service.id);
    let recovery_slot = system_slot(&ring, SlotKind::Recovery, &recovery.id);
    assert!(personal_slot(&ring, "nobody.here").is_none());

    assert_eq!(sue_slot.kind, SlotKind::User);
    assert_eq!(sam_slot.kind, SlotKind::User);
    assert_eq!(reset_slot.kind, SlotKind::Reset);
    assert_eq!(reset_slot.expires_at, Some(reset.expires_at));
    for typed in [&sue_slot, &sam_slot, &reset_slot, &recovery_slot] {
        assert_eq!(typed.kdf, Some(KdfParams::DEFAULT), "{:?}", typed.kind);
    }
    assert_eq!(service_slot.kdf, None, "a key file needs no KDF");

    let keys = [
        unwrap_with(&sue_slot, &typed_kek(&sue_slot, PASSWORD)).expect("user slot"),
        unwrap_with(&sam_slot, &typed_kek(&sam_slot, PASSWORD)).expect("user slot"),
        unwrap_with(&reset_slot, &typed_kek(&reset_slot, reset.code.expose())).expect("reset slot"),
        unwrap_with(&service_slot, &key_file_kek(&key_path)).expect("service slot"),
        unwrap_with(
            &recovery_slot,
            &typed_kek(&recovery_slot, recovery_code.expose()),
        )
        .expect("recovery slot"),
    ];
    for k in &keys[1..] {
        assert_eq!(k, &keys[0], "every slot wraps the same data key");
    }
    assert_opens_the_database(&w, &keys[0]);

    // Each slot has its own salt and its own wrapping.
    let all = [
        &sue_slot,
        &sam_slot,
        &reset_slot,
        &service_slot,
        &recovery_slot,
    ];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a.id, b.id);
            assert_ne!(a.salt, b.salt);
            assert_ne!(a.wrapped, b.wrapped);
        }
    }
    drop(ring);

    // And behaviourally, through the service layer.
    let svc = w
        .pecs
        .open_as_service(&key_path, local_origin())
        .expect("service key opens");
    drop(svc);
    let by_code = w
        .pecs
        .login("carl.caseworker", &reset.code, local_origin())
        .expect("reset code logs in");
    assert!(by_code.info().must_change_password);
    drop(by_code);
    // A recovery code as a person types it from the paper: lower case, spaces.
    let sloppy = Password::new(&recovery_code.expose().to_lowercase().replace('-', " "));
    let issued = w
        .pecs
        .recover(&sloppy, demo::SYSADMIN, local_origin())
        .expect("recovery code opens");
    assert_eq!(issued.username, demo::SYSADMIN);
    let sam = w
        .pecs
        .login(demo::SYSADMIN, &issued.code, local_origin())
        .expect("recovered sysadmin logs in");
    assert!(sam.info().must_change_password);
}

#[test]
fn revoking_a_system_slot_makes_its_secret_useless() {
    let w = World::demo();
    let sam = w.login(demo::SYSADMIN);
    let first_path = service_key_path(&w, "first.key");
    let second_path = service_key_path(&w, "second.key");
    let first = slots::create_service_key(&sam, &first_path).unwrap();
    let second = slots::create_service_key(&sam, &second_path).unwrap();
    let (rec_a, code_a) = slots::create_recovery_code(&sam).unwrap();
    let (_, code_b) = slots::create_recovery_code(&sam).unwrap();

    // Before: every secret works.
    for p in [&first_path, &second_path] {
        w.pecs.open_as_service(p, local_origin()).expect("opens");
    }

    slots::revoke_system_slot(&sam, &first.id).expect("revoke service slot");
    slots::revoke_system_slot(&sam, &rec_a.id).expect("revoke recovery slot");
    let listed = slots::list_system_slots(&sam).unwrap();
    assert!(!listed.iter().any(|s| s.id == first.id || s.id == rec_a.id));
    assert!(listed.iter().any(|s| s.id == second.id));

    // Personal slots are not system slots: they cannot be revoked this way.
    let sue_slot = personal_slot(&ring(&w), "sue.supervisor").unwrap();
    assert!(matches!(
        slots::revoke_system_slot(&sam, &sue_slot.id),
        Err(ServiceError::NotFound)
    ));
    assert!(personal_slot(&ring(&w), "sue.supervisor").is_some());
    // Revoking twice finds nothing.
    assert!(matches!(
        slots::revoke_system_slot(&sam, &first.id),
        Err(ServiceError::NotFound)
    ));
    sam.logout().unwrap();

    assert!(matches!(
        w.pecs.open_as_service(&first_path, local_origin()),
        Err(ServiceError::KeyRejected)
    ));
    assert!(matches!(
        w.pecs.recover(&code_a, demo::SYSADMIN, local_origin()),
        Err(ServiceError::KeyRejected)
    ));
    // A key file nobody registered is rejected the same way.
    let stranger = service_key_path(&w, "stranger.key");
    std::fs::write(&stranger, [0x5a; 32]).unwrap();
    assert!(matches!(
        w.pecs.open_as_service(&stranger, local_origin()),
        Err(ServiceError::KeyRejected)
    ));

    // The other slots still work, and still hold the same key: nothing was re-encrypted.
    w.pecs
        .open_as_service(&second_path, local_origin())
        .expect("second key still opens");
    let ring = ring(&w);
    let from_file = unwrap_with(
        &system_slot(&ring, SlotKind::Service, &second.id),
        &key_file_kek(&second_path),
    )
    .unwrap();
    let from_password = unwrap_with(&sue_slot, &typed_kek(&sue_slot, PASSWORD)).unwrap();
    assert_eq!(from_file, from_password);
    assert_opens_the_database(&w, &from_file);
    drop(ring);
    w.pecs
        .recover(&code_b, demo::SYSADMIN, local_origin())
        .expect("second recovery code still works");
}

#[test]
fn after_a_reset_the_old_password_fails_and_the_code_works_once() {
    let w = World::demo();
    let sam = w.login(demo::SYSADMIN);
    let carl = user(&sam, "carl.caseworker");
    let issued = users::reset_password(&sam, carl.id).expect("reset");
    sam.logout().unwrap();

    login_failed(w.login_with("carl.caseworker", PASSWORD));

    // Typed sloppily, the code still works (once).
    let sloppy = issued.code.expose().to_lowercase().replace('-', "");
    let s = w
        .login_with("carl.caseworker", &sloppy)
        .expect("the reset code logs in");
    assert!(s.info().must_change_password);
    assert!(
        personal_slot(&ring(&w), "carl.caseworker").is_none(),
        "the reset slot is gone once used"
    );
    login_failed(w.login_with("carl.caseworker", issued.code.expose()));

    // The session it opened may choose a password; the code stays dead afterwards.
    let chosen = "another-pass-PECS-2027";
    auth::choose_password(&s, &Password::new(chosen)).expect("choose password");
    s.logout().unwrap();
    login_failed(w.login_with("carl.caseworker", issued.code.expose()));
    login_failed(w.login_with("carl.caseworker", PASSWORD));
    w.login_with("carl.caseworker", chosen)
        .expect("the chosen password logs in")
        .logout()
        .unwrap();
}

#[test]
fn a_reset_code_expires() {
    let w = World::demo();
    let sam = w.login(demo::SYSADMIN);
    let carl = users::reset_password(&sam, user(&sam, "carl.caseworker").id).unwrap();
    let cara = users::reset_password(&sam, user(&sam, "cara.caseworker").id).unwrap();
    sam.logout().unwrap();
    let hours = w.pecs.settings.reset_code_hours;
    assert_eq!(hours, 24, "the default expiry");

    w.advance_ms(hours * Millis::HOUR - 1);
    w.login_with("carl.caseworker", carl.code.expose())
        .expect("valid until its expiry");
    w.advance_ms(1);
    login_failed(w.login_with("cara.caseworker", cara.code.expose()));
}

#[test]
fn wrong_secrets_all_fail_the_same_way() {
    let w = World::demo();
    let sam = w.login(demo::SYSADMIN);
    let key_path = service_key_path(&w, "service.key");
    let service = slots::create_service_key(&sam, &key_path).unwrap();
    sam.logout().unwrap();
    let ring = ring(&w);
    let slot = personal_slot(&ring, "sue.supervisor").unwrap();
    let other = personal_slot(&ring, "gina.admin").unwrap();
    let kek = typed_kek(&slot, PASSWORD);
    let right = unwrap_with(&slot, &kek).expect("the right secret unwraps");

    let with = |w: &Wrapped, kek: &Kek, id: &str, kind: &str| wrap::unwrap(w, kek, id, kind);
    let flip = |i: usize| {
        let mut w = slot.wrapped.clone();
        w.ciphertext[i] ^= 0x01;
        w
    };
    let n = slot.wrapped.ciphertext.len();
    let mut nonce_flipped = slot.wrapped.clone();
    nonce_flipped.nonce[7] ^= 0x80;
    let mut truncated = slot.wrapped.clone();
    truncated.ciphertext.pop();
    let mut extended = slot.wrapped.clone();
    extended.ciphertext.push(0);
    let empty = Wrapped {
        nonce: slot.wrapped.nonce,
        ciphertext: Vec::new(),
    };

    let failures = [
        (
            "wrong password",
            with(
                &slot.wrapped,
                &typed_kek(&slot, "demo-pass-PECS-2025"),
                &slot.id,
                "user",
            ),
        ),
        (
            "wrong KEK bytes",
            with(&slot.wrapped, &Kek::from_bytes([0; 32]), &slot.id, "user"),
        ),
        (
            "service key as KEK",
            with(&slot.wrapped, &key_file_kek(&key_path), &slot.id, "user"),
        ),
        (
            "wrong slot id",
            with(&slot.wrapped, &kek, &other.id, "user"),
        ),
        (
            "service slot id",
            with(&slot.wrapped, &kek, &service.id, "user"),
        ),
        ("kind reset", with(&slot.wrapped, &kek, &slot.id, "reset")),
        (
            "kind service",
            with(&slot.wrapped, &kek, &slot.id, "service"),
        ),
        (
            "kind recovery",
            with(&slot.wrapped, &kek, &slot.id, "recovery"),
        ),
        ("first byte altered", with(&flip(0), &kek, &slot.id, "user")),
        (
            "middle byte altered",
            with(&flip(n / 2), &kek, &slot.id, "user"),
        ),
        ("tag altered", with(&flip(n - 1), &kek, &slot.id, "user")),
        (
            "nonce altered",
            with(&nonce_flipped, &kek, &slot.id, "user"),
        ),
        ("truncated", with(&truncated, &kek, &slot.id, "user")),
        ("extended", with(&extended, &kek, &slot.id, "user")),
        ("empty", with(&empty, &kek, &slot.id, "user")),
        (
            "another slot's wrapping",
            with(&other.wrapped, &kek, &slot.id, "user"),
        ),
    ];
    let (first_name, first) = &failures[0];
    let first = first.as_ref().expect_err(first_name);
    for (name, result) in &failures {
        let err = result
            .as_ref()
            .map(|_| ())
            .expect_err(&format!("{name} must not unwrap"));
        assert_eq!(err, first, "{name}");
        assert_eq!(err.to_string(), first.to_string(), "{name}");
        assert_eq!(format!("{err:?}"), format!("{first:?}"), "{name}");
    }
    // The control: nothing above was wrong by accident.
    assert_eq!(with(&slot.wrapped, &kek, &slot.id, "user").unwrap(), right);
}

#[test]
fn login_failures_do_not_say_which_part_was_wrong() {
    let w = World::demo();
    let sam = w.login(demo::SYSADMIN);
    let gina = user(&sam, "gina.admin");
    let kim = user(&sam, "kim.kestrel");
    users::disable(&sam, gina.id).expect("disable");
    users::set_expiry(&sam, kim.id, Some(w.pecs.now())).expect("expire");
    let carl = users::reset_password(&sam, user(&sam, "carl.caseworker").id).unwrap();
    sam.logout().unwrap();
    w.advance_ms(w.pecs.settings.reset_code_hours * Millis::HOUR);

    let failures = [
        (
            "unknown user",
            login_failed(w.login_with("no.such.user", PASSWORD)),
        ),
        (
            "wrong password",
            login_failed(w.login_with("sue.supervisor", "demo-pass-PECS-2025")),
        ),
        (
            "disabled account, right password",
            login_failed(w.login_with("gina.admin", PASSWORD)),
        ),
        (
            "disabled account, wrong password",
            login_failed(w.login_with("gina.admin", "demo-pass-PECS-2025")),
        ),
        (
            "expired account, right password",
            login_failed(w.login_with("kim.kestrel", PASSWORD)),
        ),
        (
            "expired reset code",
            login_failed(w.login_with("carl.caseworker", carl.code.expose())),
        ),
        ("empty name", login_failed(w.login_with("", PASSWORD))),
    ];
    let first = failures[0].1.to_string();
    for (name, err) in &failures {
        assert_eq!(err.to_string(), first, "{name}");
        assert!(
            matches!(err, ServiceError::LoginFailed { retry_after: None }),
            "{name}: {err:?}"
        );
    }
    // A right password for an enabled account still works: the checks above had teeth.
    w.login("sue.supervisor").logout().unwrap();
}

#[test]
fn repeated_failures_pause_known_and_unknown_names_alike() {
    let w = World::demo();
    for attempt in 1..=auth::FREE_ATTEMPTS + 1 {
        let known = login_failed(w.login_with("cara.caseworker", "not-the-password"));
        let unknown = login_failed(w.login_with("cara.caseworkr", "not-the-password"));
        assert_eq!(known.to_string(), unknown.to_string(), "attempt {attempt}");
    }
    // Paused now: even the right password gets the same answer as for a stranger.
    let known = login_failed(w.login_with("cara.caseworker", PASSWORD));
    let unknown = login_failed(w.login_with("cara.caseworkr", PASSWORD));
    assert!(matches!(
        known,
        ServiceError::LoginFailed {
            retry_after: Some(_)
        }
    ));
    assert_eq!(known.to_string(), unknown.to_string());
}
