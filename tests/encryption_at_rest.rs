//! Encryption at rest (DESIGN.md §2): after ordinary use, no known plaintext (user names,
//! display names, organisation names, names typed in failed logins, passwords, codes, the
//! data key) is in the bytes of any file in the data dir, `pecs.db` does not even look
//! like SQLite, and the data dir and its files are private to the owner.

mod common;

use common::data_key;

use common::{PASSWORD, World};
use pecs::crypto::Password;
use pecs::domain::Role;
use pecs::service::{ServiceError, audit, demo, orgs, users};
use pecs::store::keyring::Keyring;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// A display name that appears nowhere but in the new account.
const DISPLAY_MARKER: &str = "Quillon Zebedee-Marchbanks";
const NEW_USERNAME: &str = "quillon.zebedee";
const ORG_MARKER: &str = "Ravenscar Thimbleworth Trust";
/// Names typed at the login prompt that match no account.
const WRONG_NAME: &str = "nobody.typo-4417";
const WRONG_NAME_PENDING: &str = "still.sealed-9083";
const WRONG_PASSWORD: &str = "Tr0ub4dor-not-it-5521";

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read data dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    out.sort();
    out
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every needle, in every file of the data dir: none may be there.
fn assert_no_plaintext(dir: &Path, needles: &[Vec<u8>]) {
    let files = files_in(dir);
    assert!(!files.is_empty());
    for file in &files {
        let bytes = std::fs::read(file).expect("read file");
        for needle in needles {
            assert!(
                !contains(&bytes, needle),
                "{} holds the plaintext {:?}",
                file.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

fn login_fails(w: &World, name: &str, secret: &str) {
    match w.login_with(name, secret) {
        Err(ServiceError::LoginFailed { .. }) => {}
        Err(e) => panic!("login {name}: unexpected error {e}"),
        Ok(_) => panic!("login {name} with a wrong secret succeeded"),
    }
}

#[test]
fn no_known_plaintext_in_any_file_of_the_data_dir() {
    let w = World::demo();
    let paths = w.pecs.paths.clone();
    let key = data_key(&w);

    // Ordinary use: logins, failed logins (one unknown name, one wrong password), a new
    // organisation and a new account with a distinctive display name.
    let hannah = w.login("hannah.harlow");
    login_fails(&w, WRONG_NAME, WRONG_PASSWORD);
    login_fails(&w, "carl.caseworker", WRONG_PASSWORD);
    let sam = w.login(demo::SYSADMIN);
    let org = orgs::create_client(&sam, "RAVEN", ORG_MARKER).expect("create org");
    let (created, issued) = users::create(
        &sam,
        &users::NewUser {
            username: NEW_USERNAME.into(),
            display_name: DISPLAY_MARKER.into(),
            org_id: org.id,
            role: Role::ClientUser,
            expires_at: None,
        },
    )
    .expect("create user");
    let mia = w.login("mia.meridian");

    // The plaintext really was written: the decrypted view shows all of it.
    assert_eq!(created.display_name, DISPLAY_MARKER);
    let listed = users::list(&sam).expect("list");
    assert!(listed.iter().any(|u| u.display_name == DISPLAY_MARKER));
    assert!(listed.iter().any(|u| u.username == "hannah.harlow"));
    assert!(
        orgs::list(&sam)
            .expect("orgs")
            .iter()
            .any(|o| o.name == "Meridian Borough Council")
    );
    let events = audit::recent_events(&sam, 500).expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.event.target.label.as_deref() == Some(WRONG_NAME)),
        "the failed login with an unknown name was imported into the audit log"
    );

    let mut needles: Vec<Vec<u8>> = [
        "hannah.harlow",
        "sam.sysadmin",
        "mia.meridian",
        "carl.caseworker",
        "Hannah Harlow",
        NEW_USERNAME,
        DISPLAY_MARKER,
        "Meridian Borough Council",
        "Harlow & Finch LLP",
        demo::AGENCY_NAME,
        ORG_MARKER,
        WRONG_NAME,
        WRONG_NAME_PENDING,
        WRONG_PASSWORD,
        PASSWORD,
        issued.code.expose(),
        "user.create",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    needles.push(key.as_bytes().to_vec());
    needles.push(key.sqlcipher_literal()[2..66].as_bytes().to_vec());
    needles.push(key.sqlcipher_literal()[2..66].to_uppercase().into_bytes());

    // With sessions open, recent writes sit in the WALs: scan those too.
    assert!(wal(&paths.db).is_file(), "pecs.db-wal exists while open");
    assert!(
        wal(&paths.keys).is_file(),
        "pecs.keys-wal exists while open"
    );
    assert!(std::fs::metadata(wal(&paths.db)).unwrap().len() > 0);
    assert_no_plaintext(&paths.dir, &needles);

    hannah.logout().unwrap();
    mia.logout().unwrap();
    sam.logout().unwrap();
    // A failed login whose sealed record waits in the key ring for the next open.
    login_fails(&w, WRONG_NAME_PENDING, WRONG_PASSWORD);
    let ring = Keyring::open(&paths.keys).expect("key ring");
    assert_eq!(ring.pending_failed_logins().expect("pending"), 1);
    drop(ring);
    assert_no_plaintext(&paths.dir, &needles);
    // The scan can find what is there: the key ring is plain SQLite with readable names.
    let keys = std::fs::read(&paths.keys).unwrap();
    assert!(contains(&keys, b"failed_logins") && contains(&keys, b"name_salt"));
}

#[test]
fn the_database_file_does_not_look_like_sqlite() {
    let w = World::demo();
    let s = w.login(demo::SYSADMIN);
    let check = |p: &Path| {
        let bytes = std::fs::read(p).expect("read");
        assert!(bytes.len() >= 4096, "{} has pages", p.display());
        bytes
    };
    let db = check(&w.pecs.paths.db);
    assert_ne!(&db[..16], SQLITE_HEADER, "pecs.db starts like plain SQLite");
    // The key ring is plain SQLite by design, which shows the check can tell.
    let keys = check(&w.pecs.paths.keys);
    assert_eq!(&keys[..16], SQLITE_HEADER);
    s.logout().unwrap();
    drop(w.login("hannah.harlow"));
    let db = check(&w.pecs.paths.db);
    assert_ne!(&db[..16], SQLITE_HEADER);
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn assert_private(dir: &Path) -> Vec<String> {
    assert!(dir.is_dir());
    assert_eq!(mode(dir), 0o700, "data dir {} mode", dir.display());
    let files = files_in(dir);
    for f in &files {
        assert!(f.is_file(), "{} is a plain file", f.display());
        assert_eq!(mode(f), 0o600, "{} mode {:o}", f.display(), mode(f));
    }
    names(&files)
}

#[test]
fn the_data_dir_is_0700_and_every_file_in_it_0600() {
    let w = World::demo();
    // While sessions are open, the WAL and shared-memory files exist: they count too.
    let sam = w.login(demo::SYSADMIN);
    let hannah = w.login("hannah.harlow");
    let open = assert_private(&w.pecs.paths.dir);
    for expected in [
        "pecs.db",
        "pecs.db-wal",
        "pecs.db-shm",
        "pecs.keys",
        "pecs.keys-wal",
        "pecs.keys-shm",
    ] {
        assert!(
            open.iter().any(|n| n == expected),
            "{expected} missing while open: {open:?}"
        );
    }
    hannah.logout().unwrap();
    sam.logout().unwrap();
    let closed = assert_private(&w.pecs.paths.dir);
    assert!(closed.iter().any(|n| n == "pecs.db"));
    assert!(closed.iter().any(|n| n == "pecs.keys"));
}

#[test]
fn a_fresh_init_is_private_too() {
    let w = World::empty();
    w.pecs
        .init(
            &pecs::service::install::InitRequest {
                admin: "first.admin",
                password: &Password::new(PASSWORD),
                org_name: demo::AGENCY_NAME,
                demo: false,
            },
            common::local_origin(),
        )
        .expect("init");
    let names = assert_private(&w.pecs.paths.dir);
    assert!(names.iter().any(|n| n == "pecs.db"));
    assert!(names.iter().any(|n| n == "pecs.keys"));
    let db = std::fs::read(&w.pecs.paths.db).unwrap();
    assert_ne!(&db[..16], SQLITE_HEADER);
    assert!(!contains(&db, b"first.admin"));
    let keys = std::fs::read(&w.pecs.paths.keys).unwrap();
    assert!(!contains(&keys, b"first.admin"));
}
