//! Audit tamper tests (DESIGN.md §4): whoever holds the data key and a raw SQLite
//! connection can get past the append-only triggers, so the hash chain and the checkpoint
//! in the key ring must make every change, deletion, reordering, insertion, truncation and
//! rollback visible to `pecs audit verify`.

mod common;

use common::data_key;

use common::{World, fast_settings};
use pecs::crypto::{DataKey, chain};
use pecs::service::{Session, audit, demo};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rusqlite::{Connection, params};
use std::path::Path;

const TRIGGERS: [&str; 2] = ["audit_append_only_update", "audit_append_only_delete"];

// ---------------------------------------------------------------------------------------
// Getting in behind the service layer.

/// A raw rusqlite connection on `pecs.db`, keyed like the store does it.
fn raw(db: &Path, key: &DataKey) -> Connection {
    let conn = Connection::open(db).expect("open pecs.db");
    conn.execute_batch(&format!(
        "PRAGMA key = \"{}\";",
        key.sqlcipher_literal().as_str()
    ))
    .expect("PRAGMA key");
    conn.execute_batch("PRAGMA cipher_log_level = NONE; PRAGMA busy_timeout = 5000;")
        .expect("pragmas");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .expect("the data key opens pecs.db");
    conn
}

fn verify(s: &Session) -> audit::VerifyReport {
    audit::verify(s).expect("audit verify runs")
}

/// A copy of `base`'s installation in a new temporary folder (no connection may be open
/// on `base`).
fn copy_world(base: &World) -> World {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).expect("data dir");
    for entry in std::fs::read_dir(&base.pecs.paths.dir).expect("read data dir") {
        let entry = entry.expect("dir entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy file");
    }
    let clock = std::sync::Arc::new(pecs::service::FixedClock::at(base.pecs.now()));
    let pecs = pecs::service::Pecs::new(&dir, fast_settings()).with_clock(clock.clone());
    World { tmp, pecs, clock }
}

// ---------------------------------------------------------------------------------------
// The audit table as plain rows, and rewriting it with the triggers out of the way.

#[derive(Debug, Clone, PartialEq)]
struct AuditRow {
    seq: i64,
    at: i64,
    session_id: Option<String>,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    actor_role: Option<String>,
    actor_org: Option<String>,
    action: String,
    target_kind: String,
    target_id: Option<String>,
    target_label: Option<String>,
    origin: String,
    outcome: String,
    detail: String,
    hash: Vec<u8>,
}

impl AuditRow {
    /// Everything but the position and the hash: what the event says.
    fn content(&self) -> AuditRow {
        AuditRow {
            seq: 0,
            hash: Vec::new(),
            ..self.clone()
        }
    }

    /// The chain link as DESIGN.md §4 defines it: SHA-256(prev_hash || row).
    fn link_from(&self, prev: &[u8]) -> [u8; 32] {
        let actor_id = self.actor_id.map(|id| id.to_string());
        let text = [
            self.session_id.as_deref(),
            actor_id.as_deref(),
            self.actor_name.as_deref(),
            self.actor_role.as_deref(),
            self.actor_org.as_deref(),
            Some(self.action.as_str()),
            Some(self.target_kind.as_str()),
            self.target_id.as_deref(),
            self.target_label.as_deref(),
            Some(self.origin.as_str()),
            Some(self.outcome.as_str()),
            Some(self.detail.as_str()),
        ];
        chain::link(
            prev,
            &chain::ChainFields {
                seq: self.seq,
                at_ms: self.at,
                text: &text,
            },
        )
    }
}

fn read_rows(conn: &Connection) -> Vec<AuditRow> {
    let mut stmt = conn
        .prepare(
            "SELECT seq, at, session_id, actor_id, actor_name, actor_role, actor_org, action,
                    target_kind, target_id, target_label, origin, outcome, detail, hash
             FROM audit ORDER BY seq",
        )
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            session_id: r.get(2)?,
            actor_id: r.get(3)?,
            actor_name: r.get(4)?,
            actor_role: r.get(5)?,
            actor_org: r.get(6)?,
            action: r.get(7)?,
            target_kind: r.get(8)?,
            target_id: r.get(9)?,
            target_label: r.get(10)?,
            origin: r.get(11)?,
            outcome: r.get(12)?,
            detail: r.get(13)?,
            hash: r.get(14)?,
        })
    })
    .expect("query")
    .collect::<rusqlite::Result<_>>()
    .expect("rows")
}

/// What a forger with the data key does: number the rows 1..n and recompute every hash,
/// so the chain inside the database is consistent again.
fn rechain(rows: &mut [AuditRow]) {
    let mut prev = chain::GENESIS.to_vec();
    for (i, row) in rows.iter_mut().enumerate() {
        row.seq = i as i64 + 1;
        row.hash = row.link_from(&prev).to_vec();
        prev = row.hash.clone();
    }
}

fn triggers_sql(conn: &Connection) -> Vec<String> {
    TRIGGERS
        .iter()
        .map(|name| {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("trigger {name}: {e}"))
        })
        .collect()
}

/// Replace the whole audit table with `rows` in one transaction: drop the append-only
/// triggers, rewrite, put the triggers back exactly as they were.
fn rewrite_audit(conn: &mut Connection, rows: &[AuditRow]) {
    let triggers = triggers_sql(conn);
    let tx = conn.transaction().expect("begin");
    for name in TRIGGERS {
        tx.execute_batch(&format!("DROP TRIGGER {name};"))
            .expect("drop trigger");
    }
    tx.execute("DELETE FROM audit", []).expect("delete rows");
    for r in rows {
        tx.execute(
            "INSERT INTO audit (seq, at, session_id, actor_id, actor_name, actor_role, actor_org,
                                action, target_kind, target_id, target_label, origin, outcome,
                                detail, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                r.seq,
                r.at,
                r.session_id,
                r.actor_id,
                r.actor_name,
                r.actor_role,
                r.actor_org,
                r.action,
                r.target_kind,
                r.target_id,
                r.target_label,
                r.origin,
                r.outcome,
                r.detail,
                r.hash
            ],
        )
        .expect("insert row");
    }
    for sql in &triggers {
        tx.execute_batch(sql).expect("recreate trigger");
    }
    tx.commit().expect("commit");
    assert!(
        pecs::store::audit::triggers_present(conn).expect("trigger check"),
        "the triggers are back in place"
    );
}

fn assert_chain_consistent(conn: &Connection) {
    let walk = pecs::store::audit::walk(conn, None).expect("walk");
    assert_eq!(
        walk.first_break, None,
        "the rewritten chain is self-consistent"
    );
}

/// The demo installation plus its data key, with every connection closed.
fn keyed_demo() -> (World, DataKey) {
    let w = World::demo();
    let key = data_key(&w);
    (w, key)
}

// ---------------------------------------------------------------------------------------
// Plain tests.

#[test]
fn untouched_log_verifies_intact() {
    let (w, key) = keyed_demo();
    let rows = read_rows(&raw(&w.pecs.paths.db, &key));
    assert!(rows.len() > 20, "the demo seed wrote its events");
    // Our reading of the chain encoding is the implementation's: rechaining changes nothing.
    let mut again = rows.clone();
    rechain(&mut again);
    assert_eq!(again, rows, "recomputed hashes equal the stored ones");

    let s = w.login(demo::SYSADMIN);
    let report = verify(&s);
    assert!(report.intact(), "{:?}", report.problem);
    assert!(report.events > rows.len() as i64);
    assert!(report.checkpoint.is_some());
    s.logout().unwrap();

    // Still intact after more use, and for a supervisor too.
    let sue = w.login("sue.supervisor");
    let report = verify(&sue);
    assert!(report.intact(), "{:?}", report.problem);
    sue.logout().unwrap();
}

#[test]
fn triggers_refuse_update_and_delete_through_a_raw_connection() {
    let (w, key) = keyed_demo();
    let conn = raw(&w.pecs.paths.db, &key);
    let before = read_rows(&conn);
    let last = before.last().unwrap().seq;

    let refused = |sql: &str| {
        let err = conn
            .execute(sql, [])
            .expect_err(&format!("the triggers refuse: {sql}"));
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    };
    refused("UPDATE audit SET detail = '{}' WHERE seq = 1");
    refused("UPDATE audit SET outcome = 'denied'");
    refused(&format!("UPDATE audit SET hash = x'00' WHERE seq = {last}"));
    refused("DELETE FROM audit WHERE seq = 1");
    refused(&format!("DELETE FROM audit WHERE seq = {last}"));
    refused("DELETE FROM audit");
    assert_eq!(read_rows(&conn), before, "nothing changed");

    let s = w.login(demo::SYSADMIN);
    assert!(verify(&s).intact());
}

#[test]
fn replace_cannot_overwrite_an_audit_row() {
    // INSERT OR REPLACE removes the conflicting row without firing DELETE triggers (unless
    // recursive_triggers is on): an append-only table must refuse it as well.
    let (w, key) = keyed_demo();
    let conn = raw(&w.pecs.paths.db, &key);
    let before = read_rows(&conn);
    let result = conn.execute(
        "INSERT OR REPLACE INTO audit (seq, at, session_id, actor_id, actor_name, actor_role,
                                       actor_org, action, target_kind, target_id, target_label,
                                       origin, outcome, detail, hash)
         SELECT seq, at, session_id, actor_id, actor_name, actor_role, actor_org, action,
                target_kind, target_id, 'rewritten', origin, outcome, detail, hash
         FROM audit WHERE seq = 2",
        [],
    );
    let after = read_rows(&conn);
    assert!(
        result.is_err(),
        "INSERT OR REPLACE rewrote audit event 2: {:?} -> {:?}",
        before[1].target_label,
        after[1].target_label
    );
    assert_eq!(after, before);
}

#[test]
fn dropping_the_triggers_alone_is_reported() {
    for which in [vec![0], vec![1], vec![0, 1]] {
        let (w, key) = keyed_demo();
        let conn = raw(&w.pecs.paths.db, &key);
        for i in &which {
            conn.execute_batch(&format!("DROP TRIGGER {};", TRIGGERS[*i]))
                .unwrap();
        }
        assert_chain_consistent(&conn);
        let s = w.login(demo::SYSADMIN);
        let report = verify(&s);
        assert!(
            !report.intact(),
            "dropping {which:?} went unnoticed: {report:?}"
        );
    }
}

#[test]
fn truncating_the_newest_rows_is_caught_by_the_keyring_checkpoint() {
    let (base, key) = keyed_demo();
    for removed in [1usize, 2, 5] {
        for held in [true, false] {
            let w = copy_world(&base);
            // Held open across the tampering, verify sees exactly the truncated log;
            // otherwise a new login comes first, as `pecs audit verify` does it.
            let s = held.then(|| w.login(demo::SYSADMIN));
            let mut conn = raw(&w.pecs.paths.db, &key);
            let mut rows = read_rows(&conn);
            rows.truncate(rows.len() - removed);
            rewrite_audit(&mut conn, &rows);
            // A prefix of a valid chain is a valid chain: only the checkpoint can tell.
            assert_chain_consistent(&conn);
            let s = s.unwrap_or_else(|| w.login("sue.supervisor"));
            let report = verify(&s);
            assert!(
                !report.intact(),
                "removing the newest {removed} (session held: {held}) went unnoticed"
            );
            let (cp_seq, _) = report.checkpoint.clone().expect("a checkpoint");
            assert!(cp_seq > rows.last().unwrap().seq);
        }
    }
}

/// Copy `pecs.db` (and its WAL, if any) aside; no connection may be open.
fn snapshot_db(w: &World, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for suffix in ["", "-wal"] {
        let from = Path::new(&format!("{}{suffix}", w.pecs.paths.db.display())).to_owned();
        let dest = to.join(format!("pecs.db{suffix}"));
        let _ = std::fs::remove_file(&dest);
        if from.exists() {
            std::fs::copy(&from, &dest).unwrap();
        }
    }
}

/// Put an older copy of `pecs.db` in place of the current one (key ring untouched).
fn roll_back_db(w: &World, from: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", w.pecs.paths.db.display()));
    }
    for suffix in ["", "-wal"] {
        let src = from.join(format!("pecs.db{suffix}"));
        if src.exists() {
            std::fs::copy(&src, format!("{}{suffix}", w.pecs.paths.db.display())).unwrap();
        }
    }
}

fn some_activity(w: &World) {
    let admin = w.login(demo::SYSADMIN);
    pecs::service::users::list(&admin).unwrap();
    admin.logout().unwrap();
    for name in ["hannah.harlow", "carl.caseworker", "mia.meridian"] {
        w.login(name).logout().unwrap();
    }
}

#[test]
fn replacing_the_database_with_an_older_copy_is_detected() {
    let (w, key) = keyed_demo();
    let old = w.tmp.path().join("old");
    snapshot_db(&w, &old);
    some_activity(&w);
    roll_back_db(&w, &old);

    // The older file is a perfectly good database with a perfectly good chain.
    assert_chain_consistent(&raw(&w.pecs.paths.db, &key));
    let s = w.login(demo::SYSADMIN);
    let report = verify(&s);
    assert!(!report.intact(), "a rollback went unnoticed: {report:?}");
}

// The next three describe one defect: each commit moves the key-ring checkpoint to the new
// head without checking that the chain still passes through the old checkpoint, so a
// rollback, truncation or rewrite stops being reported once enough new events arrive.

#[test]
fn a_rollback_is_still_reported_after_later_activity() {
    let (w, key) = keyed_demo();
    let old = w.tmp.path().join("old");
    snapshot_db(&w, &old);
    some_activity(&w);
    roll_back_db(&w, &old);
    assert_chain_consistent(&raw(&w.pecs.paths.db, &key));
    // An ordinary morning: people log in and out before the daily verification runs.
    for _ in 0..3 {
        some_activity(&w);
    }
    let s = w.login(demo::SYSADMIN);
    let report = verify(&s);
    assert!(
        !report.intact(),
        "a rollback stopped being reported after later logins: {report:?}"
    );
}

#[test]
fn a_truncation_is_still_reported_after_later_activity() {
    let (w, key) = keyed_demo();
    let mut conn = raw(&w.pecs.paths.db, &key);
    let mut rows = read_rows(&conn);
    rows.truncate(rows.len() - 3);
    rewrite_audit(&mut conn, &rows);
    drop(conn);
    some_activity(&w);
    let s = w.login(demo::SYSADMIN);
    let report = verify(&s);
    assert!(
        !report.intact(),
        "a truncation stopped being reported after later logins: {report:?}"
    );
}

#[test]
fn a_rewritten_history_is_reported_by_every_later_verify() {
    let (w, key) = keyed_demo();
    let s = w.login(demo::SYSADMIN);
    let mut conn = raw(&w.pecs.paths.db, &key);
    let mut rows = read_rows(&conn);
    // Who was created in event 2 (the first sysadmin)? Someone else, says the forger.
    rows[1].target_label = Some("mallory".into());
    rechain(&mut rows);
    rewrite_audit(&mut conn, &rows);
    assert_chain_consistent(&conn);
    let first = verify(&s);
    assert!(!first.intact(), "the rewrite went unnoticed");
    let second = verify(&s);
    assert!(
        !second.intact(),
        "the rewrite was reported once, then no more: {second:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The property: any tampering is reported.

#[derive(Debug, Clone)]
enum Field {
    At(i64),
    SessionId(Option<String>),
    ActorId(Option<i64>),
    ActorName(Option<String>),
    ActorRole(Option<String>),
    ActorOrg(Option<String>),
    Action(String),
    TargetKind(String),
    TargetId(Option<String>),
    TargetLabel(Option<String>),
    Origin(String),
    Outcome(Index),
    Detail(String),
}

#[derive(Debug, Clone)]
enum Tamper {
    /// Change one column of one row.
    Edit {
        row: Index,
        field: Field,
        rechain: bool,
    },
    /// Change the stored hash of one row.
    FlipHashBit { row: Index, bit: u8 },
    /// Delete one row (and with `rechain`, close the gap).
    Delete { row: Index, rechain: bool },
    /// Exchange the places of two rows.
    Swap { a: Index, b: Index, rechain: bool },
    /// Insert a copy of one row before another, correctly linked to its predecessor.
    Insert {
        before: Index,
        copy_of: Index,
        rechain: bool,
    },
    /// Remove the newest rows.
    Truncate { count: Index },
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,12}"
}

fn field() -> impl Strategy<Value = Field> {
    let opt = || proptest::option::of(text());
    prop_oneof![
        prop_oneof![-1_000_000i64..0, 1i64..1_000_000].prop_map(Field::At),
        opt().prop_map(Field::SessionId),
        proptest::option::of(-5i64..100).prop_map(Field::ActorId),
        opt().prop_map(Field::ActorName),
        opt().prop_map(Field::ActorRole),
        opt().prop_map(Field::ActorOrg),
        text().prop_map(Field::Action),
        text().prop_map(Field::TargetKind),
        opt().prop_map(Field::TargetId),
        opt().prop_map(Field::TargetLabel),
        text().prop_map(Field::Origin),
        any::<Index>().prop_map(Field::Outcome),
        text().prop_map(Field::Detail),
    ]
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<Index>(), field(), any::<bool>()).prop_map(|(row, field, rechain)| Tamper::Edit {
            row,
            field,
            rechain
        }),
        (any::<Index>(), any::<u8>()).prop_map(|(row, bit)| Tamper::FlipHashBit { row, bit }),
        (any::<Index>(), any::<bool>()).prop_map(|(row, rechain)| Tamper::Delete { row, rechain }),
        (any::<Index>(), any::<Index>(), any::<bool>()).prop_map(|(a, b, rechain)| Tamper::Swap {
            a,
            b,
            rechain
        }),
        (any::<Index>(), any::<Index>(), any::<bool>()).prop_map(|(before, copy_of, rechain)| {
            Tamper::Insert {
                before,
                copy_of,
                rechain,
            }
        }),
        any::<Index>().prop_map(|count| Tamper::Truncate { count }),
    ]
}

/// A value guaranteed to differ from `old`.
fn changed_opt(old: &Option<String>, new: &Option<String>) -> Option<String> {
    if new == old {
        Some(format!("{}x", old.clone().unwrap_or_default()))
    } else {
        new.clone()
    }
}

fn changed(old: &str, new: &str) -> String {
    if new == old {
        format!("{old}x")
    } else {
        new.to_owned()
    }
}

fn edit(row: &mut AuditRow, field: &Field) {
    match field {
        Field::At(delta) => row.at += delta,
        Field::SessionId(v) => row.session_id = changed_opt(&row.session_id, v),
        Field::ActorId(v) => {
            row.actor_id = if *v == row.actor_id {
                Some(row.actor_id.map_or(0, |id| id + 1))
            } else {
                *v
            }
        }
        Field::ActorName(v) => row.actor_name = changed_opt(&row.actor_name, v),
        Field::ActorRole(v) => row.actor_role = changed_opt(&row.actor_role, v),
        Field::ActorOrg(v) => row.actor_org = changed_opt(&row.actor_org, v),
        Field::Action(v) => row.action = changed(&row.action, v),
        Field::TargetKind(v) => row.target_kind = changed(&row.target_kind, v),
        Field::TargetId(v) => row.target_id = changed_opt(&row.target_id, v),
        Field::TargetLabel(v) => row.target_label = changed_opt(&row.target_label, v),
        Field::Origin(v) => row.origin = changed(&row.origin, v),
        Field::Outcome(i) => {
            let others: Vec<&str> = ["ok", "denied", "failed"]
                .into_iter()
                .filter(|o| *o != row.outcome)
                .collect();
            row.outcome = i.get(&others).to_string();
        }
        Field::Detail(v) => row.detail = changed(&row.detail, v),
    }
}

/// Apply `t` to `rows`. Returns whether the chain inside the database is left broken
/// (as opposed to consistent, where only the checkpoint can tell).
fn apply(t: &Tamper, rows: &mut Vec<AuditRow>) -> Result<bool, TestCaseError> {
    let n = rows.len();
    let original = rows.clone();
    let rechained = match t {
        Tamper::Edit {
            row,
            field,
            rechain,
        } => {
            edit(&mut rows[row.index(n)], field);
            *rechain
        }
        Tamper::FlipHashBit { row, bit } => {
            let r = &mut rows[row.index(n)];
            r.hash[usize::from(*bit / 8) % 32] ^= 1 << (bit % 8);
            false
        }
        Tamper::Delete { row, rechain } => {
            rows.remove(row.index(n));
            *rechain
        }
        Tamper::Swap { a, b, rechain } => {
            let i = a.index(n);
            let j = (i + 1 + b.index(n - 1)) % n;
            if *rechain {
                // Swapping two identical events would change nothing a forger cares about.
                prop_assume!(rows[i].content() != rows[j].content());
            }
            let (seq_i, seq_j) = (rows[i].seq, rows[j].seq);
            rows.swap(i, j);
            rows[i].seq = seq_i;
            rows[j].seq = seq_j;
            *rechain
        }
        Tamper::Insert {
            before,
            copy_of,
            rechain,
        } => {
            let k = before.index(n);
            let mut forged = rows[copy_of.index(n)].clone();
            forged.seq = rows[k].seq;
            let prev = if k == 0 {
                chain::GENESIS.to_vec()
            } else {
                rows[k - 1].hash.clone()
            };
            forged.hash = forged.link_from(&prev).to_vec();
            for r in &mut rows[k..] {
                r.seq += 1;
            }
            rows.insert(k, forged);
            *rechain
        }
        Tamper::Truncate { count } => {
            let keep = n - 1 - count.index(n);
            rows.truncate(keep);
            true
        }
    };
    if rechained {
        rechain(rows);
    }
    prop_assert_ne!(&*rows, &original, "the tampering changed something");
    // Without rechaining, every variant leaves a broken link, except deleting the newest
    // row, which is a truncation.
    let truncated_only = rows.len() < n && original.starts_with(rows);
    Ok(!rechained && !truncated_only)
}

#[test]
fn any_tampering_with_audit_rows_is_reported() {
    let (base, key) = keyed_demo();
    let base_rows = read_rows(&raw(&base.pecs.paths.db, &key));
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&tamper(), |t| {
        let w = copy_world(&base);
        // Held open across the tampering, so the report is about exactly the tampered log.
        let s = w.login(demo::SYSADMIN);
        let mut conn = raw(&w.pecs.paths.db, &key);

        // Control: the rewrite machinery alone, with nothing changed, is invisible.
        let rows = read_rows(&conn);
        prop_assert!(rows.len() > base_rows.len());
        rewrite_audit(&mut conn, &rows);
        let report = verify(&s);
        prop_assert!(report.intact(), "control: {:?}", report.problem);

        let mut rows = read_rows(&conn);
        let broken = apply(&t, &mut rows)?;
        rewrite_audit(&mut conn, &rows);
        if !broken {
            assert_chain_consistent(&conn);
        }
        let report = verify(&s);
        prop_assert!(!report.intact(), "{t:?} went unnoticed: {report:?}");
        drop(s);

        if broken {
            // A broken link stays reported, also after a new login (as the CLI does it).
            let sue = w.login("sue.supervisor");
            let report = verify(&sue);
            prop_assert!(!report.intact(), "{t:?} went unnoticed later: {report:?}");
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
