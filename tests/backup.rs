//! Backups that prove themselves (issue 7; DESIGN.md §2, §4 and §5), through the service
//! layer: a backup taken while others write is a consistent point in time and verifies;
//! no backup file holds known plaintext; one flipped byte in a backup's database, key
//! ring or manifest is caught by verify and refused by restore; a destination that
//! cannot be written is reported while the others still get their verified copy; prune
//! keeps exactly what the retention rules say; health gives each status; and the
//! disaster drill: lose the data dir and a destination, restore from the other with the
//! service key, and carry on.

mod common;

use common::{PASSWORD, World, data_key, fast_settings, local_origin};
use pecs::crypto::{DataKey, Password};
use pecs::domain::{Case, CaseType, Millis, OrgId, Outcome, Priority};
use pecs::service::backup::disk::{self, Found};
use pecs::service::backup::health::{self, Status};
use pecs::service::backup::settings::{BackupSettings, Destination, Keep};
use pecs::service::backup::{self, Operator, RunReport, Verified, VerifyRequest, check};
use pecs::service::cases::{self, After, Details, ListQuery, NewCase, Sort};
use pecs::service::{Pecs, ServiceError, ServiceSession, Session, audit, demo, orgs, slots};
use pecs::store::keyring::{Keyring, SlotKind};
use pecs::store::snapshot::Snapshot;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const MINUTE: i64 = Millis::MINUTE;
const HOUR: i64 = Millis::HOUR;

/// A demo installation with backup destinations (directories that exist, one per name,
/// in this order) and a service key for the unattended jobs.
struct Site {
    w: World,
    dests: Vec<PathBuf>,
    key_file: PathBuf,
}

fn site(names: &[&str]) -> Site {
    let mut w = World::demo();
    let root = w.tmp.path().join("backups");
    let dests: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            let p = root.join(n);
            fs::create_dir_all(&p).expect("destination dir");
            p
        })
        .collect();
    w.pecs.settings.backup.destinations = names
        .iter()
        .zip(&dests)
        .map(|(n, p)| Destination {
            name: n.to_string(),
            path: p.clone(),
        })
        .collect();
    let key_file = w.tmp.path().join("pecs-service-key");
    let sam = w.login(demo::SYSADMIN);
    slots::create_service_key(&sam, &key_file).expect("service key");
    sam.logout().expect("logout");
    Site { w, dests, key_file }
}

impl Site {
    fn service(&self) -> ServiceSession {
        self.w
            .pecs
            .open_as_service(&self.key_file, local_origin())
            .expect("service session")
    }

    /// `backup run` as the service principal.
    fn run(&self) -> RunReport {
        let s = self.service();
        backup::run(Operator::Service(&s), &mut |_| {}).expect("backup run")
    }

    /// A run that must reach every destination; returns the backup's name.
    #[track_caller]
    fn run_ok(&self) -> String {
        let report = self.run();
        assert!(report.all_ok(), "{report:?}");
        assert_eq!(report.results.len(), self.dests.len(), "{report:?}");
        report.name
    }

    fn verify(&self, request: &VerifyRequest) -> Vec<Verified> {
        let s = self.service();
        backup::verify(Operator::Service(&s), request).expect("verify")
    }

    fn prune(&self) -> backup::Pruned {
        let s = self.service();
        backup::prune(Operator::Service(&s)).expect("prune")
    }

    fn restore(&self, backup_dir: &Path, to: &Path) -> pecs::service::Result<backup::Restored> {
        backup::restore(backup_dir, to, &self.key_file, local_origin())
    }

    /// Move the clock forward to `rfc3339` (UTC).
    fn set_clock(&self, rfc3339: &str) {
        let target = at(rfc3339);
        let now = self.w.pecs.now();
        assert!(target >= now, "the clock only moves forward: {rfc3339}");
        self.w.advance_ms(target.0 - now.0);
    }
}

fn at(rfc3339: &str) -> Millis {
    Millis(
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
            .timestamp_millis(),
    )
}

/// The complete backups in `dir`, oldest first.
fn found(dir: &Path) -> Vec<Found> {
    disk::list(dir).expect("list destination").0
}

fn names_in(dir: &Path) -> Vec<String> {
    found(dir).into_iter().map(|f| f.name).collect()
}

/// Every entry directly in `dir`, by name.
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every regular file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("read dir") {
        let e = e.expect("entry");
        let t = e.file_type().expect("file type");
        if t.is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            assert!(t.is_file(), "only files and directories: {:?}", e.path());
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// XOR one byte of the file with 0xFF.
fn flip(path: &Path, offset: usize) {
    flip_with(path, offset, 0xFF);
}

fn flip_with(path: &Path, offset: usize, mask: u8) {
    let mut bytes = fs::read(path).expect("read");
    assert!(offset < bytes.len(), "{} is too short", path.display());
    bytes[offset] ^= mask;
    fs::write(path, bytes).expect("write");
}

fn org(w: &World, code: &str) -> OrgId {
    let sam = w.login(demo::SYSADMIN);
    let id = orgs::list(&sam)
        .expect("orgs")
        .into_iter()
        .find(|o| o.code == code)
        .unwrap_or_else(|| panic!("no org {code}"))
        .id;
    sam.logout().expect("logout");
    id
}

fn instruction(client: OrgId, subject: &str, client_ref: &str) -> NewCase {
    NewCase {
        client_org: client,
        details: Details {
            client_ref: Some(client_ref.into()),
            case_type: CaseType::Trace,
            subject_name: subject.into(),
            subject_dob: Some("1979-03-02".into()),
            subject_address: "4 Tanners Row, Harlow".into(),
            priority: Priority::Normal,
            due_date: Some("2027-01-15".into()),
        },
    }
}

/// Every case the session may see, page after page.
fn all_cases(s: &Session) -> Vec<Case> {
    let mut all: Vec<Case> = Vec::new();
    loop {
        let page = cases::list(
            s,
            &ListQuery {
                sort: Sort::Reference,
                after: all.last().map(After::of),
                limit: 200,
                ..Default::default()
            },
        )
        .expect("list cases");
        let done = page.len() < 200;
        all.extend(page);
        if done {
            return all;
        }
    }
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The live database, read with its key (only while nobody else has it open).
fn live(w: &World, key: &DataKey) -> Snapshot {
    Snapshot::open_database(&w.pecs.paths.db, key).expect("open the live database")
}

/// A thread with its own `Pecs` on `w`'s data dir (and its clock), running `work` until
/// `stop`; `work` counts each write it makes in `writes` and returns how many it made.
fn writer(
    w: &World,
    stop: &Arc<AtomicBool>,
    writes: &Arc<AtomicU64>,
    work: impl FnOnce(&Pecs, &AtomicBool, &AtomicU64) -> u64 + Send + 'static,
) -> std::thread::JoinHandle<u64> {
    let pecs = Pecs::new(&w.pecs.paths.dir, fast_settings()).with_clock(w.clock.clone());
    let (stop, writes) = (stop.clone(), writes.clone());
    std::thread::spawn(move || work(&pecs, &stop, &writes))
}

// ---------------------------------------------------------------------------------------
// 1. Consistent while others write
// ---------------------------------------------------------------------------------------

#[test]
fn a_backup_taken_while_others_write_is_a_consistent_point_in_time_and_verifies() {
    let site = site(&["onsite", "offsite"]);
    let w = &site.w;
    let harlow = org(w, "HARLOW");
    let gina = w.login("gina.admin");
    let case = cases::create(&gina, &instruction(harlow, "Ada Concurrent", "HF-C1"))
        .expect("case")
        .id;
    gina.logout().expect("logout");
    let key = data_key(w);

    // Two writers, each with its own `Pecs` (own connections) on the same data dir: one
    // adds notes as fast as it can, one logs in and out (key ring and database writes).
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let notes = writer(w, &stop, &writes, move |pecs, stop, writes| {
        let gina = pecs
            .login("gina.admin", &Password::new(PASSWORD), local_origin())
            .expect("gina login");
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) {
            cases::add_note(
                &gina,
                case,
                &format!("Note {n}, written during a backup."),
                false,
            )
            .expect("add note");
            n += 1;
            writes.fetch_add(1, Ordering::SeqCst);
        }
        gina.logout().expect("logout");
        n
    });
    let logins = writer(w, &stop, &writes, |pecs, stop, writes| {
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) {
            let carl = pecs
                .login("carl.caseworker", &Password::new(PASSWORD), local_origin())
                .expect("carl login");
            carl.logout().expect("carl logout");
            n += 1;
            writes.fetch_add(1, Ordering::SeqCst);
        }
        n
    });
    while writes.load(Ordering::SeqCst) < 10 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut made = Vec::new();
    let mut overlapping = 0;
    for _ in 0..3 {
        w.advance_ms(MINUTE);
        let before = writes.load(Ordering::SeqCst);
        let name = site.run_ok();
        let during = writes.load(Ordering::SeqCst) - before;
        if during > 0 {
            overlapping += 1;
        }
        made.push(name);
    }
    stop.store(true, Ordering::SeqCst);
    let notes_written = notes.join().expect("the note writer never failed");
    let logins_done = logins.join().expect("the login loop never failed");
    assert!(
        overlapping > 0,
        "no write happened during any backup: the test proves nothing"
    );
    assert!(notes_written > 0 && logins_done > 0);

    // Every copy verifies, by the service's own check.
    let verified = site.verify(&VerifyRequest {
        all: true,
        destination: None,
    });
    assert_eq!(verified.len(), 2 * made.len(), "{verified:?}");
    for v in &verified {
        assert!(v.problems.is_empty(), "{v:?}");
    }

    // And each is a true point in time of the live data: its audit log is a prefix of
    // the live chain, ending exactly at the manifest's head; every note in it has the
    // audit event written in its transaction (no torn state); its row counts are the
    // manifest's; the key ring's checkpoint lies on its chain.
    let live = live(w, &key);
    let live_head = pecs::store::audit::head(live.conn())
        .expect("head")
        .expect("events");
    let live_notes = count(live.conn(), "SELECT count(*) FROM case_notes");
    assert_eq!(live_notes as u64, notes_written);
    let mut note_counts: Vec<i64> = Vec::new();
    for (d, dest) in site.dests.iter().enumerate() {
        assert_eq!(names_in(dest), made, "{}", dest.display());
        for name in &made {
            let dir = dest.join(name);
            let (manifest, _) = disk::read_manifest(&dir).expect("manifest");
            let snap = Snapshot::open_database(&dir.join(disk::DATABASE), &key).expect("open");
            let head = manifest.audit_head.clone().expect("an audit head");
            let (seq, hash) = pecs::store::audit::head(snap.conn())
                .expect("head")
                .expect("events");
            assert_eq!((seq, hex::encode(&hash)), (head.seq, head.hash.clone()));
            assert!(seq <= live_head.0);
            assert_eq!(
                pecs::store::audit::hash_at(live.conn(), seq).expect("hash"),
                Some(hash),
                "event {seq} of {name} is the live log's event {seq}"
            );
            assert_eq!(snap.row_counts().expect("counts"), manifest.row_counts);
            let in_backup = count(snap.conn(), "SELECT count(*) FROM case_notes");
            assert_eq!(
                in_backup,
                count(
                    snap.conn(),
                    "SELECT count(*) FROM audit WHERE action = 'note.add_internal' AND outcome = 'ok'"
                ),
                "every note in {name} came with its audit event"
            );
            let max_id = count(snap.conn(), "SELECT coalesce(max(id), 0) FROM case_notes");
            assert_eq!(in_backup, max_id, "notes 1..={max_id}, none missing");
            assert_eq!(
                manifest.row_counts.get("case_notes"),
                Some(&in_backup),
                "{name}"
            );
            let ring = Keyring::open_read_only(&dir.join(disk::KEYRING)).expect("key ring");
            let cp = ring
                .checkpoint()
                .expect("checkpoint")
                .expect("a checkpoint");
            assert!(cp.seq <= seq, "the key ring is never ahead of the database");
            assert_eq!(
                pecs::store::audit::hash_at(snap.conn(), cp.seq).expect("hash"),
                Some(cp.hash.clone())
            );
            if d == 0 {
                note_counts.push(in_backup);
            } else {
                let onsite = note_counts[made.iter().position(|m| m == name).unwrap()];
                assert_eq!(
                    in_backup, onsite,
                    "{name}: the copy holds what the original does"
                );
            }
        }
    }
    drop(live);
    assert!(
        note_counts.windows(2).all(|p| p[0] <= p[1]),
        "later backups hold at least as much: {note_counts:?}"
    );

    // The last one taken under load restores and opens as an ordinary installation.
    let last = site.dests[1].join(made.last().expect("a backup"));
    let to = w.tmp.path().join("restored");
    let done = site.restore(&last, &to).expect("restore");
    assert!(done.events > 0);
    let restored = Pecs::new(&to, fast_settings()).with_clock(w.clock.clone());
    let gina = restored
        .login("gina.admin", &Password::new(PASSWORD), local_origin())
        .expect("login in the restored copy");
    let file = cases::open(&gina, case).expect("the case");
    assert_eq!(
        file.notes.len() as i64,
        *note_counts.last().expect("counts")
    );
    assert_audit_intact(&restored, "sue.supervisor");
    gina.logout().expect("logout");
}

/// `audit verify` as `user` (a supervisor) passes: chain and checkpoint.
#[track_caller]
fn assert_audit_intact(pecs: &Pecs, user: &str) {
    let s = pecs
        .login(user, &Password::new(PASSWORD), local_origin())
        .expect("login");
    let report = audit::verify(&s).expect("audit verify");
    s.logout().expect("logout");
    assert!(report.intact(), "{report:?}");
    assert!(report.checkpoint.is_some(), "{report:?}");
}

// ---------------------------------------------------------------------------------------
// 2. No plaintext in any backup file
// ---------------------------------------------------------------------------------------

const SUBJECT_MARKER: &str = "Wolstenholme-Quixby";
const NOTE_MARKER: &str = "seen-at-Thrupp-Lock-4471";
const DOC_MARKER: &str = "STATEMENT-OF-Zephaniah-Obuya";
const DOC_NAME_MARKER: &str = "witness-Ermintrude.txt";
const TYPED_NAME_MARKER: &str = "hortensia.vanderplank";

#[test]
fn no_backup_file_holds_plaintext_of_a_case_note_document_or_failed_login() {
    let site = site(&["onsite", "offsite"]);
    let w = &site.w;
    let harlow = org(w, "HARLOW");
    let gina = w.login("gina.admin");
    let case = cases::create(
        &gina,
        &instruction(harlow, &format!("Percival {SUBJECT_MARKER}"), "HF-P1"),
    )
    .expect("case");
    cases::add_note(&gina, case.id, &format!("Subject {NOTE_MARKER}."), false).expect("note");
    cases::add_document(
        &gina,
        case.id,
        DOC_NAME_MARKER,
        "text/plain",
        format!("{DOC_MARKER}: I saw him at the lock.\n").as_bytes(),
        true,
    )
    .expect("document");
    gina.logout().expect("logout");
    let key = data_key(w);

    // A sysadmin runs the backup; a failed login with a distinctive name comes after
    // their session opened, so its sealed record is still waiting in the key ring.
    let sam = w.login(demo::SYSADMIN);
    assert!(matches!(
        w.login_with(TYPED_NAME_MARKER, "not-a-password-3391"),
        Err(ServiceError::LoginFailed { .. })
    ));
    let report = backup::run(Operator::Person(&sam), &mut |_| {}).expect("run");
    assert!(report.all_ok(), "{report:?}");
    let verified = backup::verify(
        Operator::Person(&sam),
        &VerifyRequest {
            all: true,
            destination: None,
        },
    )
    .expect("verify");
    assert!(
        verified.iter().all(|v| v.problems.is_empty()),
        "{verified:?}"
    );
    sam.logout().expect("logout");

    // With the demo's own known plaintext: names, an organisation, the password.
    let markers = [
        SUBJECT_MARKER,
        NOTE_MARKER,
        DOC_MARKER,
        DOC_NAME_MARKER,
        TYPED_NAME_MARKER,
        "sue.supervisor",
        "Hannah Harlow",
        "Harlow & Finch LLP",
        PASSWORD,
    ];
    let mut scanned = BTreeSet::new();
    for dest in &site.dests {
        let files = files_under(dest);
        for file in &files {
            let bytes = fs::read(file).expect("read");
            for m in markers {
                assert!(
                    !contains(&bytes, m.as_bytes()),
                    "{} holds the plaintext {m:?}",
                    file.display()
                );
            }
            scanned.insert(file.file_name().unwrap().to_string_lossy().into_owned());
        }
        // Private, like the data dir.
        for d in found(dest) {
            assert_eq!(mode(&d.path), 0o700, "{}", d.path.display());
        }
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
        // Every file of the backup was read, the key ring copy among them.
        let dir = dest.join(&report.name);
        for f in [
            "pecs.db",
            "pecs.keys",
            "MANIFEST.json",
            "MANIFEST.mac",
            "verification.json",
        ] {
            assert!(files.contains(&dir.join(f)), "{f} in {}", dir.display());
        }
    }
    assert_eq!(
        scanned,
        [
            "MANIFEST.json",
            "MANIFEST.mac",
            "pecs.db",
            "pecs.keys",
            "verification.json"
        ]
        .map(String::from)
        .into(),
        "no other file in a destination"
    );

    // The data really is in the backup, under the key: the scan could have found it.
    let snap = Snapshot::open_database(&site.dests[1].join(&report.name).join("pecs.db"), &key)
        .expect("open the copy");
    let has = |sql: &str, marker: &str| -> i64 {
        snap.conn()
            .query_row(sql, [format!("%{marker}%")], |r| r.get(0))
            .expect(sql)
    };
    assert_eq!(
        has(
            "SELECT count(*) FROM cases WHERE subject_name LIKE ?1",
            SUBJECT_MARKER
        ),
        1
    );
    assert_eq!(
        has(
            "SELECT count(*) FROM case_notes WHERE body LIKE ?1",
            NOTE_MARKER
        ),
        1
    );
    assert_eq!(
        has(
            "SELECT count(*) FROM case_documents WHERE CAST(content AS TEXT) LIKE ?1",
            DOC_MARKER
        ),
        1
    );
    assert_eq!(
        has(
            "SELECT count(*) FROM case_documents WHERE file_name LIKE ?1",
            DOC_NAME_MARKER
        ),
        1
    );
    let ring = Keyring::open_read_only(&site.dests[1].join(&report.name).join("pecs.keys"))
        .expect("key ring copy");
    assert_eq!(
        ring.pending_failed_logins().expect("pending"),
        1,
        "the failed login is in the copy, sealed"
    );
}

// ---------------------------------------------------------------------------------------
// 3. One flipped byte is caught
// ---------------------------------------------------------------------------------------

/// Where to flip a byte: the file, how to find the offset in its bytes, the bits to
/// flip, and words the verification must say about it.
struct Flip {
    file: &'static str,
    offset: fn(&Path, &[u8]) -> usize,
    mask: u8,
    says: &'static str,
}

/// The offset of the value of the first `"key":` in `text` (a manifest).
fn value_of(bytes: &[u8], key: &str) -> usize {
    let text = std::str::from_utf8(bytes).expect("a UTF-8 manifest");
    let at = text
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("{key} in {text}"));
    at + text[at..].find(": ").expect("a value") + 2
}

/// The offset of the last digit of the number at `at`.
fn last_digit(bytes: &[u8], at: usize) -> usize {
    let len = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    assert!(len > 0, "a number at {at}");
    at + len - 1
}

/// A byte of the wrapped data key in the service slot of the key ring at `path`.
fn service_slot_byte(path: &Path, bytes: &[u8]) -> usize {
    let ring = Keyring::open_read_only(path).expect("key ring");
    let slot = ring
        .slots_of_kind(SlotKind::Service)
        .expect("slots")
        .into_iter()
        .next()
        .expect("a service slot");
    let wrapped = slot.wrapped.ciphertext;
    bytes
        .windows(wrapped.len())
        .position(|w| w == wrapped.as_slice())
        .expect("the wrapped key is in the file")
        + 5
}

#[test]
fn one_flipped_byte_in_a_backup_is_caught_by_verify_and_refused_by_restore() {
    let site = site(&["onsite", "offsite"]);
    let w = &site.w;
    // 0x01 keeps a manifest valid JSON with one changed digit or hex character: only the
    // comparison with the files can catch it. 0xFF makes it invalid UTF-8.
    let flips = [
        Flip {
            file: "pecs.db",
            offset: |_, b| b.len() / 2,
            mask: 0xFF,
            says: "pecs.db",
        },
        Flip {
            file: "pecs.db",
            offset: |_, _| 100, // inside the first page, past the salt
            mask: 0x01,
            says: "pecs.db",
        },
        Flip {
            file: "pecs.keys",
            offset: |_, b| b.len() / 2,
            mask: 0xFF,
            says: "pecs.keys",
        },
        Flip {
            file: "pecs.keys",
            offset: |_, _| 100, // the header of the first page
            mask: 0x01,
            says: "pecs.keys",
        },
        Flip {
            file: "pecs.keys",
            offset: service_slot_byte, // what the service key unwraps
            mask: 0x01,
            says: "pecs.keys does not match its manifest",
        },
        // In the manifest: a character of pecs.db's hash, of pecs.keys' size, of the
        // audit head's hash and seq, a row count, the format, the program version (which
        // only the MAC covers) and the opening brace; and a character of the MAC.
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| {
                let db = value_of(b, "pecs.db");
                db + value_of(&b[db..], "sha256") + 20
            },
            mask: 0x01,
            says: "pecs.db does not match its manifest",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| {
                let keys = value_of(b, "pecs.keys");
                last_digit(b, keys + value_of(&b[keys..], "size"))
            },
            mask: 0x01,
            says: "pecs.keys does not match its manifest",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| {
                let head = value_of(b, "audit_head");
                head + value_of(&b[head..], "hash") + 30
            },
            mask: 0x01,
            says: "does not have the hash the manifest gives",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| {
                let head = value_of(b, "audit_head");
                last_digit(b, head + value_of(&b[head..], "seq"))
            },
            mask: 0x01,
            says: "The audit log ends at event",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| last_digit(b, value_of(b, "users")),
            mask: 0x01,
            says: "Table users has",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| last_digit(b, value_of(b, "schema_version")),
            mask: 0x01,
            says: "schema version",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| value_of(b, "case_notes") - 4, // the name of a table with no rows
            mask: 0x01,
            says: "pecs.db has a table case_notes whose rows the manifest does not count.",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| value_of(b, "format"),
            mask: 0x01,
            says: "MANIFEST.json is of format 3",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, b| value_of(b, "program_version") + 1,
            mask: 0x01,
            says: "MANIFEST.json does not match its MAC in MANIFEST.mac",
        },
        Flip {
            file: "MANIFEST.mac",
            offset: |_, b| b.len() / 2,
            mask: 0x01,
            says: "MANIFEST.json does not match its MAC in MANIFEST.mac",
        },
        Flip {
            file: "MANIFEST.json",
            offset: |_, _| 0,
            mask: 0xFF,
            says: "MANIFEST.json is corrupt",
        },
    ];
    for (i, flip) in flips.iter().enumerate() {
        w.advance_ms(HOUR);
        let name = site.run_ok();
        let dir = site.dests[0].join(&name);
        let path = dir.join(flip.file);
        let before = fs::read(&path).expect("read");
        let offset = (flip.offset)(&path, &before);
        flip_with(&path, offset, flip.mask);
        let what = format!("flip {i}: {} at byte {offset}", flip.file);

        // verify names the backup as bad; the other destination's copy still verifies.
        let results = site.verify(&VerifyRequest::default());
        assert_eq!(results.len(), 2, "{what}: {results:?}");
        let bad = &results[0];
        assert_eq!(
            (bad.destination.as_str(), bad.name.as_str()),
            ("onsite", name.as_str())
        );
        assert!(!bad.problems.is_empty(), "{what}: not caught");
        let said = bad.problems.join(" ");
        assert!(said.contains(flip.says), "{what}: {said}");
        assert!(results[1].problems.is_empty(), "{what}: {:?}", results[1]);
        let stamp = found(&site.dests[0])
            .into_iter()
            .find(|f| f.name == name)
            .and_then(|f| f.stamp)
            .expect("a stamp");
        assert!(!stamp.ok, "{what}: the stamp says failed");
        assert_eq!(stamp.problems, bad.problems, "{what}");
        assert_eq!(stamp.at_ms, w.pecs.now().0);

        // restore refuses it and writes nothing at all.
        let parent = w.tmp.path().join(format!("restore-{i}"));
        fs::create_dir(&parent).expect("parent");
        let to = parent.join("data");
        let refused = site.restore(&dir, &to).map(|r| r.backup);
        assert_eq!(
            refused.map_err(|e| e.to_string()),
            Err(format!(
                "The backup {} is not sound, so nothing was restored: {said}",
                dir.display()
            )),
            "{what}"
        );
        assert!(!to.exists(), "{what}");
        assert!(
            entries(&parent).is_empty(),
            "{what}: {:?}",
            entries(&parent)
        );

        // The flip, undone, is a sound backup again (it was the byte, nothing else).
        fs::write(&path, &before).expect("undo");
        let again = site.verify(&VerifyRequest {
            all: false,
            destination: Some("onsite".into()),
        });
        assert!(again[0].problems.is_empty(), "{what}: {again:?}");
    }
}

/// Every byte of the manifest, changed, is caught: its MAC covers all of it (name, times
/// and program version too); and so is every byte of the MAC.
#[test]
fn every_changed_byte_of_the_manifest_or_its_mac_is_caught() {
    let site = site(&["onsite"]);
    let key = data_key(&site.w);
    let name = site.run_ok();
    let dir = site.dests[0].join(&name);
    for file in [disk::MANIFEST, disk::MANIFEST_MAC] {
        let path = dir.join(file);
        let original = fs::read(&path).expect("read");
        assert!(original.len() > 60, "{file}: {}", original.len());
        let mut missed = Vec::new();
        for i in 0..original.len() {
            let mut bytes = original.clone();
            bytes[i] ^= 0x01;
            fs::write(&path, &bytes).expect("write");
            if check::backup(&dir, &key, Some(&name)).is_empty() {
                missed.push((i, original[i] as char));
            }
        }
        fs::write(&path, &original).expect("undo");
        assert_eq!(missed, [], "changes to {file} nobody noticed");
    }
    assert!(check::backup(&dir, &key, Some(&name)).is_empty());
}

/// A manifest made without the key, or an older backup renamed as a newer one, is
/// named as such by verify.
#[test]
fn a_forged_manifest_and_a_renamed_backup_are_caught() {
    let site = site(&["onsite"]);
    let w = &site.w;
    let first = site.run_ok();
    w.advance_ms(HOUR);
    let second = site.run_ok();
    let (a, b) = (site.dests[0].join(&first), site.dests[0].join(&second));

    // The first backup, whole, in place of the second.
    fs::remove_dir_all(&b).expect("remove the second");
    fs::create_dir(&b).expect("dir");
    for entry in fs::read_dir(&a).expect("first") {
        let from = entry.expect("entry").path();
        fs::copy(&from, b.join(from.file_name().expect("name"))).expect("copy");
    }
    // The first backup's manifest, edited and sealed with another key.
    let (mut manifest, _) = disk::read_manifest(&a).expect("manifest");
    manifest.created_at_ms += 1;
    fs::remove_file(a.join(disk::MANIFEST)).expect("remove");
    fs::remove_file(a.join(disk::MANIFEST_MAC)).expect("remove");
    disk::write_manifest(&a, &manifest, &DataKey::generate()).expect("manifest");

    let results = site.verify(&VerifyRequest {
        all: true,
        destination: None,
    });
    let said: Vec<(String, String)> = results
        .iter()
        .map(|r| (r.name.clone(), r.problems.join(" ")))
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(said[0].0, first);
    assert!(
        said[0]
            .1
            .contains("MANIFEST.json does not match its MAC in MANIFEST.mac"),
        "{said:?}"
    );
    assert_eq!(said[1].0, second);
    assert!(
        said[1].1.contains(&format!(
            "The backup {second} holds the manifest of {first}: it was renamed"
        )),
        "{said:?}"
    );
    // restore refuses it too; the same backup under a name that is not a backup's
    // (copied to a stick as `latest`) restores, and the log names the real backup.
    let to = w.tmp.path().join("restored-renamed");
    let refused = site
        .restore(&b, &to)
        .map(|r| r.backup)
        .map_err(|e| e.to_string());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("holds the manifest of")),
        "{refused:?}"
    );
    let latest = w.tmp.path().join("latest");
    fs::rename(&b, &latest).expect("rename");
    let restored = site.restore(&latest, &to).expect("restore");
    assert_eq!(restored.backup, first);
}

/// A key ring from another moment than the database (here: from a later backup, as a
/// snapshot taken in the wrong order would give) cannot be restored, since its audit
/// checkpoint is not on the database's chain: verify says so before a restore needs it.
#[test]
fn a_key_ring_from_another_moment_than_the_database_is_caught() {
    let site = site(&["onsite"]);
    let w = &site.w;
    let first = site.run_ok();
    w.advance_ms(MINUTE);
    let sam = w.login(demo::SYSADMIN);
    sam.logout().expect("logout");
    let second = site.run_ok();
    let (a, b) = (site.dests[0].join(&first), site.dests[0].join(&second));
    fs::remove_file(a.join(disk::KEYRING)).expect("remove");
    fs::copy(b.join(disk::KEYRING), a.join(disk::KEYRING)).expect("copy");
    let (mut manifest, _) = disk::read_manifest(&a).expect("manifest");
    manifest.files.insert(
        disk::KEYRING.into(),
        disk::hash_file(&a.join(disk::KEYRING)).expect("hash"),
    );
    // Written again with its MAC, as someone holding the key could.
    let key = data_key(w);
    fs::remove_file(a.join(disk::MANIFEST)).expect("remove");
    fs::remove_file(a.join(disk::MANIFEST_MAC)).expect("remove");
    disk::write_manifest(&a, &manifest, &key).expect("manifest");

    let results = site.verify(&VerifyRequest {
        all: true,
        destination: None,
    });
    let bad: Vec<(&str, String)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.problems.join(" ")))
        .collect();
    assert_eq!(bad[1], (second.as_str(), String::new()));
    assert_eq!(bad[0].0, first);
    assert!(
        bad[0]
            .1
            .contains("The audit checkpoint in pecs.keys (event "),
        "{:?}",
        bad[0]
    );
    let parent = w.tmp.path().join("restore");
    fs::create_dir(&parent).expect("dir");
    let e = site.restore(&a, &parent.join("data")).expect_err("refused");
    assert!(e.to_string().contains("nothing was restored"), "{e}");
    assert!(entries(&parent).is_empty(), "{:?}", entries(&parent));
}

// ---------------------------------------------------------------------------------------
// 4. A destination that cannot be written
// ---------------------------------------------------------------------------------------

#[test]
fn an_unwritable_destination_is_reported_and_the_others_still_get_a_verified_copy() {
    let mut site = site(&["onsite", "offsite"]);
    let tmp = site.w.tmp.path().to_path_buf();
    // A path under a regular file (root cannot write there either), a path that is a
    // file, and a missing mount point.
    fs::write(tmp.join("plain-file"), b"not a directory").expect("file");
    let under_file = tmp.join("plain-file").join("backups");
    let is_file = tmp.join("plain-file");
    let not_mounted = tmp.join("usb-not-mounted");
    let bad = [
        ("usb", under_file.clone()),
        ("tape", is_file.clone()),
        ("nas", not_mounted.clone()),
    ];
    let good: Vec<Destination> = site.w.pecs.settings.backup.destinations.clone();
    // The first destination is bad (the snapshot moves on to the next), then good and
    // bad alternate.
    let d = |(n, p): &(&str, PathBuf)| Destination {
        name: n.to_string(),
        path: p.clone(),
    };
    site.w.pecs.settings.backup.destinations = vec![
        d(&bad[0]),
        good[0].clone(),
        d(&bad[1]),
        good[1].clone(),
        d(&bad[2]),
    ];

    let sam = site.w.login(demo::SYSADMIN);
    let report = backup::run(Operator::Person(&sam), &mut |_| {}).expect("run");
    assert!(!report.all_ok());
    let by_name: Vec<(&str, bool)> = report
        .results
        .iter()
        .map(|(n, r)| (n.as_str(), r.is_ok()))
        .collect();
    assert_eq!(
        by_name,
        [
            ("usb", false),
            ("onsite", true),
            ("tape", false),
            ("offsite", true),
            ("nas", false)
        ]
    );
    for (name, path) in &bad {
        let why = report
            .results
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, r)| r.as_ref().err())
            .expect("a reason");
        assert!(
            why.contains(&path.display().to_string()),
            "{name}: the reason names the path: {why}"
        );
    }
    assert!(
        !not_mounted.exists(),
        "a missing mount point is not created"
    );
    assert_eq!(fs::read(&is_file).expect("file"), b"not a directory");
    for dest in &site.dests {
        assert_eq!(names_in(dest), std::slice::from_ref(&report.name));
        assert!(
            entries(dest).iter().all(|e| !e.starts_with(".partial-")),
            "no partial left"
        );
        let f = &found(dest)[0];
        assert!(f.stamp.as_ref().is_some_and(|s| s.ok), "{f:?}");
    }
    for good in ["onsite", "offsite"] {
        let v = backup::verify(
            Operator::Person(&sam),
            &VerifyRequest {
                all: true,
                destination: Some(good.into()),
            },
        )
        .expect("verify");
        assert_eq!(v.len(), 1);
        assert!(v[0].problems.is_empty(), "{v:?}");
    }
    // verify of everything says the bad ones are bad, by name.
    let all = backup::verify(Operator::Person(&sam), &VerifyRequest::default()).expect("verify");
    let bad_ones: Vec<&str> = all
        .iter()
        .filter(|v| !v.problems.is_empty())
        .map(|v| v.destination.as_str())
        .collect();
    assert_eq!(bad_ones, ["usb", "tape", "nas"]);
    sam.logout().expect("logout");

    // The run's audit event failed and says where.
    let sue = site.w.login("sue.supervisor");
    let events = audit::recent_events(&sue, 50).expect("events");
    sue.logout().expect("logout");
    let run = events
        .iter()
        .find(|e| e.event.action == "backup.run")
        .expect("a backup.run event");
    assert_eq!(run.event.outcome, Outcome::Failed);
    let detail = run.event.detail.to_string();
    for word in ["destination usb", "destination nas", "destination tape"] {
        assert!(detail.contains(word), "{detail}");
    }
    assert_eq!(run.event.detail["destination onsite"], "ok");
}

/// A second run within the same second (names have one-second resolution) fails and
/// leaves the first backup as it was.
#[test]
fn a_second_run_in_the_same_second_fails_and_leaves_the_first_intact() {
    let site = site(&["onsite", "offsite"]);
    let name = site.run_ok();
    let before: Vec<Vec<u8>> = ["pecs.db", "pecs.keys", "MANIFEST.json"]
        .iter()
        .map(|f| fs::read(site.dests[0].join(&name).join(f)).expect("read"))
        .collect();
    let again = site.run();
    assert_eq!(again.name, name);
    assert!(again.results.iter().all(|(_, r)| r.is_err()), "{again:?}");
    for dest in &site.dests {
        assert_eq!(entries(dest), [name.clone()].into(), "no partial left");
    }
    let after: Vec<Vec<u8>> = ["pecs.db", "pecs.keys", "MANIFEST.json"]
        .iter()
        .map(|f| fs::read(site.dests[0].join(&name).join(f)).expect("read"))
        .collect();
    assert!(before == after, "the first backup is untouched");
    let v = site.verify(&VerifyRequest::default());
    assert!(v.iter().all(|v| v.problems.is_empty()), "{v:?}");
}

// ---------------------------------------------------------------------------------------
// 5. Prune
// ---------------------------------------------------------------------------------------

#[test]
fn prune_keeps_the_windows_the_newest_verified_and_anything_not_yet_copied() {
    let mut site = site(&["onsite", "offsite"]);
    site.w.pecs.settings.backup.keep = Keep {
        hourly_hours: 6,
        daily_days: 3,
        monthly_years: 1,
    };
    let offsite = site.dests[1].clone();
    // Prune runs at 2027-02-03T00:30Z: the hourly window starts 2027-02-02T18:30, the
    // daily one 2027-01-31T00:30, the monthly one 366 days back. D and H lie ten to forty
    // minutes outside a window, each alone in its day or hour.
    let schedule = [
        ("A", "2026-12-04T09:00:00Z"),
        ("B", "2026-12-20T09:00:00Z"),
        ("C", "2027-01-10T09:00:00Z"),
        ("D", "2027-01-30T23:50:00Z"),
        ("E", "2027-01-31T20:00:00Z"),
        ("F", "2027-02-01T10:00:00Z"),
        ("G", "2027-02-01T20:00:00Z"),
        ("H", "2027-02-02T18:20:00Z"),
        ("I", "2027-02-02T19:10:00Z"),
        ("J", "2027-02-02T19:40:00Z"),
        ("K", "2027-02-03T00:00:00Z"),
    ];
    let mut names = std::collections::BTreeMap::new();
    for (label, when) in schedule {
        site.set_clock(when);
        let name = if label == "C" {
            // The offsite disk is away for this run: C reaches onsite only.
            let away = offsite.with_extension("away");
            fs::rename(&offsite, &away).expect("take the disk away");
            fs::write(&offsite, b"").expect("a file where the disk was");
            let report = site.run();
            fs::remove_file(&offsite).expect("remove the file");
            fs::rename(&away, &offsite).expect("bring the disk back");
            assert!(report.results[0].1.is_ok(), "{report:?}");
            assert!(report.results[1].1.is_err(), "{report:?}");
            report.name
        } else {
            site.run_ok()
        };
        assert_eq!(
            Some(at(when)),
            disk::time_of(&name),
            "names come from the clock"
        );
        names.insert(label, name);
    }
    let n = |labels: &str| -> Vec<String> {
        labels
            .chars()
            .map(|c| names[&*c.to_string()].clone())
            .collect()
    };
    assert_eq!(names_in(&site.dests[0]), n("ABCDEFGHIJK"));
    assert_eq!(names_in(&offsite), n("ABDEFGHIJK"));
    for f in found(&site.dests[0]).iter().chain(&found(&offsite)) {
        assert!(f.stamp.as_ref().is_some_and(|s| s.ok), "{f:?}");
    }

    // Things prune must leave alone, and partial backups: a stale one (> 24 h) and one
    // still being written.
    let onsite = site.dests[0].clone();
    fs::create_dir(onsite.join("lost+found")).expect("dir");
    fs::write(onsite.join("README.txt"), b"backups of PECS").expect("file");
    fs::create_dir(onsite.join(".partial-pecs-20270201T000000Z")).expect("partial");
    fs::create_dir(onsite.join(".partial-pecs-20270203T000000Z")).expect("partial");

    site.set_clock("2027-02-03T00:30:00Z");
    let pruned = site.prune();
    // Hourly: J (newest of 19:00), K. Daily: E (Jan 31), G (Feb 1), J (Feb 2), K (Feb 3).
    // Monthly: B (Dec), E (Jan), K (Feb). C: not in every destination.
    assert_eq!(names_in(&onsite), n("BCEGJK"));
    assert_eq!(names_in(&offsite), n("BEGJK"));
    let mut removed = pruned.removed.clone();
    removed.sort();
    let mut want: Vec<(String, String)> = Vec::new();
    for dest in ["offsite", "onsite"] {
        for name in n("ADFHI") {
            want.push((dest.into(), name));
        }
    }
    want.push(("onsite".into(), ".partial-pecs-20270201T000000Z".into()));
    want.sort();
    assert_eq!(removed, want);
    assert_eq!(pruned.kept, 6 + 5);
    let left = entries(&onsite);
    for e in ["lost+found", "README.txt", ".partial-pecs-20270203T000000Z"] {
        assert!(left.contains(e), "{e} left alone: {left:?}");
    }

    // Years later, nothing is in any window: each destination keeps its newest verified
    // backup (K's onsite copy fails verification, so J there) and C, still not copied.
    flip(&onsite.join(&names["K"]).join("pecs.db"), 5000);
    let v = site.verify(&VerifyRequest {
        all: false,
        destination: Some("onsite".into()),
    });
    assert!(!v[0].problems.is_empty(), "{v:?}");
    site.set_clock("2029-06-01T00:00:00Z");
    site.prune();
    assert_eq!(names_in(&onsite), n("CJ"));
    assert_eq!(names_in(&offsite), n("K"));
    // Prune again: stable.
    site.prune();
    assert_eq!(names_in(&onsite), n("CJ"));
    assert_eq!(names_in(&offsite), n("K"));
}

// ---------------------------------------------------------------------------------------
// 6. Health
// ---------------------------------------------------------------------------------------

#[test]
fn health_gives_ok_warning_critical_and_unknown() {
    let site = site(&["onsite"]);
    let w = &site.w;
    let settings = w.pecs.settings.backup.clone();
    assert_eq!(
        (settings.warn_after_minutes, settings.critical_after_minutes),
        (65, 120)
    );
    let mut settings = BackupSettings {
        min_free_mib: 0,
        ..settings
    };

    // Nothing backed up yet.
    let h = health::survey(&settings, w.pecs.now());
    assert_eq!(h.status, Status::Critical, "{}", h.line());
    assert!(
        h.summary.contains("onsite: no verified backup"),
        "{}",
        h.line()
    );

    let made = w.pecs.now();
    let name = site.run_ok();
    let check = |after_min: i64, settings: &BackupSettings| {
        health::survey(settings, made.plus_ms(after_min * MINUTE))
    };
    let h = check(10, &settings);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Ok, 0),
        "{}",
        h.line()
    );
    assert!(
        h.line().starts_with("PECS BACKUP OK - onsite: newest verified backup 10 min old | 'onsite_age'=600s;3900;7200;0 'onsite_free'="),
        "{}",
        h.line()
    );
    let d = &h.destinations[0];
    assert_eq!(d.newest_verified.as_deref(), Some(name.as_str()));
    assert_eq!(d.newest_verified_age_seconds, Some(600));
    assert_eq!(d.backups, 1);

    let h = check(64, &settings);
    assert_eq!(h.status, Status::Ok, "{}", h.line());
    let h = check(66, &settings);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Warning, 1),
        "{}",
        h.line()
    );
    assert!(
        h.line()
            .starts_with("PECS BACKUP WARNING - onsite: newest verified backup 66 min old |")
    );
    let h = check(121, &settings);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Critical, 2),
        "{}",
        h.line()
    );
    assert!(
        h.line().starts_with("PECS BACKUP CRITICAL - "),
        "{}",
        h.line()
    );

    // Too little free space is a warning on its own.
    let h = check(
        10,
        &BackupSettings {
            min_free_mib: u64::MAX,
            ..settings.clone()
        },
    );
    assert_eq!(h.status, Status::Warning, "{}", h.line());
    assert!(h.summary.contains("MB free"), "{}", h.line());

    // An unreadable destination beside a good one: critical, named.
    let tmp = w.tmp.path();
    fs::write(tmp.join("a-file"), b"x").expect("file");
    let mut with_bad = settings.clone();
    with_bad.destinations.push(Destination {
        name: "usb".into(),
        path: tmp.join("a-file").join("backups"),
    });
    let h = check(10, &with_bad);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Critical, 2),
        "{}",
        h.line()
    );
    assert!(h.summary.contains("usb: "), "{}", h.line());
    assert!(h.destinations[1].error.is_some());
    assert!(
        h.summary
            .contains("onsite: newest verified backup 10 min old")
    );

    // No destination configured.
    settings.destinations.clear();
    let h = check(10, &settings);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Unknown, 3),
        "{}",
        h.line()
    );
    assert!(
        h.line()
            .starts_with("PECS BACKUP UNKNOWN - no backup destination is configured")
    );
    settings.destinations = w.pecs.settings.backup.destinations.clone();

    // A failed verification of the newest backup: critical at once, however fresh.
    flip(&site.dests[0].join(&name).join("pecs.db"), 4096 + 10);
    let v = site.verify(&VerifyRequest::default());
    assert!(!v[0].problems.is_empty());
    let h = check(10, &settings);
    assert_eq!(
        (h.status, h.status.exit_code()),
        (Status::Critical, 2),
        "{}",
        h.line()
    );
    assert!(
        h.summary.contains(&format!("{name} failed verification")),
        "{}",
        h.line()
    );

    // The JSON form says the same.
    let json = serde_json::to_value(&h).expect("json");
    assert_eq!(json["status"], "CRITICAL");
    assert_eq!(json["destinations"][0]["name"], "onsite");
    assert_eq!(json["destinations"][0]["backups"], 1);
}

// ---------------------------------------------------------------------------------------
// 7. The disaster drill, and restore's refusals
// ---------------------------------------------------------------------------------------

#[test]
fn disaster_drill_restore_from_the_second_destination_with_the_service_key() {
    let site = site(&["onsite", "offsite"]);
    let w = &site.w;
    demo::seed_cases(&w.pecs, 90, local_origin()).expect("seed cases");
    let harlow = org(w, "HARLOW");
    let gina = w.login("gina.admin");
    let extra = cases::create(&gina, &instruction(harlow, "Drill Subject", "HF-D1")).expect("case");
    cases::add_note(&gina, extra.id, "Written just before the backup.", true).expect("note");
    gina.logout().expect("logout");
    let sue = w.login("sue.supervisor");
    let before = all_cases(&sue);
    let extra_before = cases::open(&sue, extra.id).expect("open");
    sue.logout().expect("logout");
    assert_eq!(before.len(), 91);

    w.advance_ms(MINUTE);
    let name = site.run_ok();

    // The disaster: the data dir and the onsite disk are gone.
    fs::remove_dir_all(&w.pecs.paths.dir).expect("lose the data dir");
    fs::remove_dir_all(&site.dests[0]).expect("lose onsite");

    let to = w.tmp.path().join("new-server").join("data");
    fs::create_dir(to.parent().unwrap()).expect("parent");
    let done = site
        .restore(&site.dests[1].join(&name), &to)
        .expect("restore");
    assert_eq!(done.backup, name);
    assert_eq!(done.to, to);
    assert!(done.events > 0);
    // The staging dir is gone; the new data dir holds the database and key ring.
    assert_eq!(entries(to.parent().unwrap()), ["data".to_string()].into());
    let files = entries(&to);
    assert!(
        files.contains("pecs.db") && files.contains("pecs.keys"),
        "{files:?}"
    );
    assert_eq!(mode(&to), 0o700);
    for f in &files {
        assert_eq!(mode(&to.join(f)), 0o600, "{f}");
    }

    // The office carries on: an ordinary login with the usual password.
    let pecs = Pecs::new(&to, fast_settings()).with_clock(w.clock.clone());
    assert_audit_intact(&pecs, "sue.supervisor");
    let sue = pecs
        .login("sue.supervisor", &Password::new(PASSWORD), local_origin())
        .expect("login after the restore");
    let after = all_cases(&sue);
    assert_eq!(after.len(), before.len());
    let refs = |cs: &[Case]| cs.iter().map(|c| c.reference.clone()).collect::<Vec<_>>();
    assert_eq!(refs(&after), refs(&before));
    assert_eq!(after, before, "every case, as it was");
    let extra_after = cases::open(&sue, extra.id).expect("open");
    assert_eq!(extra_after.notes, extra_before.notes);
    // The restore itself is in the restored log.
    let events = audit::recent_events(&sue, 20).expect("events");
    let restore = events
        .iter()
        .find(|e| e.event.action == "backup.restore")
        .expect("a backup.restore event");
    assert_eq!(restore.event.detail["backup"], name.as_str());
    sue.logout().expect("logout");
    let hannah = pecs
        .login("hannah.harlow", &Password::new(PASSWORD), local_origin())
        .expect("a client logs in too");
    hannah.logout().expect("logout");
    assert_audit_intact(&pecs, "sue.supervisor");

    // The same service key opens the restored installation for the unattended jobs.
    let service = pecs
        .open_as_service(&site.key_file, local_origin())
        .expect("service session on the restored data");
    let report = audit::verify_as_service(&service).expect("verify");
    assert!(report.intact(), "{report:?}");
}

#[test]
fn restore_refuses_an_existing_data_dir_and_a_wrong_key() {
    let site = site(&["onsite"]);
    let w = &site.w;
    w.advance_ms(MINUTE);
    let name = site.run_ok();
    let backup_dir = site.dests[0].join(&name);

    // A non-empty directory: refused, untouched.
    let occupied = w.tmp.path().join("occupied");
    fs::create_dir(&occupied).expect("dir");
    fs::write(occupied.join("keep-me.txt"), b"precious").expect("file");
    let e = site.restore(&backup_dir, &occupied).expect_err("refused");
    assert!(
        e.to_string().contains("already exists and is not empty"),
        "{e}"
    );
    assert_eq!(entries(&occupied), ["keep-me.txt".to_string()].into());
    assert_eq!(
        fs::read(occupied.join("keep-me.txt")).expect("read"),
        b"precious"
    );

    // The live data dir itself: refused, untouched.
    let live_dir = w.pecs.paths.dir.clone();
    let before = entries(&live_dir);
    let db_before = fs::read(w.pecs.paths.db.clone()).expect("db");
    let e = site.restore(&backup_dir, &live_dir).expect_err("refused");
    assert!(
        e.to_string().contains("already exists and is not empty"),
        "{e}"
    );
    assert_eq!(entries(&live_dir), before);
    assert_eq!(fs::read(&w.pecs.paths.db).expect("db"), db_before);

    // A regular file where the data dir would go: refused.
    let file = w.tmp.path().join("a-file");
    fs::write(&file, b"x").expect("file");
    assert!(site.restore(&backup_dir, &file).is_err());
    assert_eq!(fs::read(&file).expect("read"), b"x");

    // Another installation's service key: refused, nothing written.
    let other = site_key_of_another_installation(w.tmp.path());
    let to = w.tmp.path().join("elsewhere");
    let e = backup::restore(&backup_dir, &to, &other, local_origin()).expect_err("refused");
    assert!(matches!(e, ServiceError::KeyRejected), "{e}");
    assert!(!to.exists());
    assert!(
        entries(w.tmp.path())
            .iter()
            .all(|e| !e.starts_with(".partial-")),
        "{:?}",
        entries(w.tmp.path())
    );

    // An empty directory is fine (a fresh mount point).
    let empty = w.tmp.path().join("empty");
    fs::create_dir(&empty).expect("dir");
    site.restore(&backup_dir, &empty)
        .expect("restore into an empty dir");
    assert!(empty.join("pecs.db").is_file());
}

/// A service key file of a different installation.
fn site_key_of_another_installation(dir: &Path) -> PathBuf {
    let other = World::demo();
    let key = dir.join("other-service-key");
    let sam = other.login(demo::SYSADMIN);
    slots::create_service_key(&sam, &key).expect("service key");
    sam.logout().expect("logout");
    key
}
