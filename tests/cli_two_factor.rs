//! Two-factor login on the command line, with the default policy (sysadmins must use
//! it): refused until enrolled, then the code is read from the line after the password,
//! and a code is never accepted twice.

mod common;

use assert_cmd::Command;
use common::totp_code_at as code_at;
use pecs::crypto::Password;
use pecs::service::{Pecs, Settings, audit, two_factor};
use std::path::Path;

const PW: &str = "correct-horse-battery-PECS";

fn pecs(home: &Path, data: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("pecs")
        .expect("binary")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("PECS_DATA_DIR")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[test]
fn a_sysadmin_enrols_then_gives_the_code_on_the_next_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, data) = (tmp.path().join("home"), tmp.path().join("data"));
    let verify = [
        "--user",
        "sam.sysadmin",
        "--password-stdin",
        "audit",
        "verify",
    ];

    let (code, _, _) = pecs(
        &home,
        &data,
        &["init", "--admin", "sam.sysadmin", "--password-stdin"],
        &format!("{PW}\n"),
    );
    assert_eq!(code, 0);

    // Not enrolled yet: the command line refuses and says where to go.
    let (code, _, err) = pecs(&home, &data, &verify, &format!("{PW}\n"));
    assert_eq!(code, 1);
    assert!(err.contains("must set up two-factor login first"), "{err}");

    // Enrol as the Profile screen does: a first code switches it on.
    let lib = Pecs::new(&data, Settings::default());
    let s = lib
        .login("sam.sysadmin", &Password::new(PW), audit::current_origin())
        .unwrap();
    assert!(s.info().must_enrol_two_factor);
    let enrolment = two_factor::begin_enrolment(&s).unwrap();
    assert!(
        enrolment.qr.lines().count() >= 15,
        "a QR code drawn in text"
    );
    let first = code_at(&enrolment.secret_text, "sam.sysadmin", now());
    assert!(two_factor::confirm_enrolment(&s, "000000x").is_err());
    two_factor::confirm_enrolment(&s, &first).unwrap();
    s.logout().unwrap();

    // The password alone is no longer enough.
    let (code, _, err) = pecs(&home, &data, &verify, &format!("{PW}\n"));
    assert_eq!(code, 1);
    assert!(err.contains("code from your authenticator app"), "{err}");

    // The enrolment code was used once already: refused, with the generic sentence.
    let (code, _, err) = pecs(&home, &data, &verify, &format!("{PW}\n{first}\n"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Login failed"), "{err}");

    // The next code works, once.
    let next = code_at(&enrolment.secret_text, "sam.sysadmin", now() + 30);
    let (code, out, err) = pecs(&home, &data, &verify, &format!("{PW}\n{next}\n"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Audit log intact"), "{out}");
    let (code, _, err) = pecs(&home, &data, &verify, &format!("{PW}\n{next}\n"));
    assert_eq!(code, 1, "a code is never accepted twice: {err}");
}
