//! Benchmarks of the secure core (issue "Secure core"): login end to end, and one
//! audited read beside the same read on a plain SQLite copy. Figures go to BENCHMARKS.md.
//! Run: `cargo bench --bench core` (add `-- --quick` for a short run).

use pecs::crypto::Password;
use pecs::domain::{Origin, UserId};
use pecs::service::{Pecs, Settings, demo, users};

mod common;
use common::{measure, ratio, show};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (login_runs, read_runs) = if quick { (10, 200) } else { (60, 2000) };
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let pecs = Pecs::new(&dir, Settings::default());
    let origin = Origin::from_parts(Some("192.0.2.1 5000 10.0.0.1 22"), None, None, None, 1);
    demo::create(&pecs, origin.clone()).expect("seed");
    let password = Password::new(demo::DEMO_PASSWORD);

    println!(
        "PECS core benchmarks ({login_runs} logins, {read_runs} reads; Argon2id m=64 MiB t=3 p=1)"
    );
    let login = measure(login_runs, || {
        let s = pecs
            .login("sue.supervisor", &password, origin.clone())
            .expect("login");
        std::hint::black_box(&s);
        s.logout().expect("logout");
    });
    show("login + logout end to end", &login);

    let admin = pecs
        .login(demo::SYSADMIN, &password, origin.clone())
        .expect("login");
    let target = users::list(&admin)
        .expect("list")
        .into_iter()
        .find(|u| u.username == "kim.kestrel")
        .expect("kim")
        .id;
    let audited = measure(read_runs, || {
        std::hint::black_box(users::get(&admin, target).expect("get"));
    });
    show("audited read (users::get: checks + read + audit)", &audited);

    let cipher = cipher_copy(&tmp.path().join("cipher.db"), target);
    let cipher_read = measure(read_runs, || {
        std::hint::black_box(pecs::store::users::get(cipher.conn(), target).expect("read"));
    });
    show(
        "same read on SQLCipher, 64 MiB cache (store only)",
        &cipher_read,
    );

    let plain = plain_copy(&tmp.path().join("plain.db"), target);
    let plain_read = measure(read_runs, || {
        std::hint::black_box(plain_get(&plain, target));
    });
    show(
        "same read on plain SQLite (no checks, no audit)",
        &plain_read,
    );
    let (m, p) = ratio(&audited, &plain_read);
    println!("ratio audited / plain: median {m:.1}x, p99 {p:.1}x");
    let (m, p) = ratio(&cipher_read, &plain_read);
    println!("ratio SQLCipher read / plain: median {m:.2}x, p99 {p:.2}x");
    admin.logout().expect("logout");
}

/// An encrypted copy through the store layer, with the same rows as the plain one.
fn cipher_copy(path: &std::path::Path, target: UserId) -> pecs::store::Db {
    let db = pecs::store::Db::create(path, &pecs::crypto::DataKey::generate(), Default::default())
        .expect("cipher db");
    fill(db.conn(), target);
    db
}

/// A plain, unencrypted SQLite file with the same schema and the same user rows.
fn plain_copy(path: &std::path::Path, target: UserId) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("plain db");
    conn.execute_batch("PRAGMA journal_mode = WAL;")
        .expect("wal");
    for m in pecs::store::migrate::CORE {
        conn.execute_batch(m.sql).expect("schema");
    }
    fill(&conn, target);
    conn
}

fn fill(conn: &rusqlite::Connection, target: UserId) {
    conn.execute("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, 'PE', 'Penham Excel', 'internal', 0)", [])
        .expect("org");
    for i in 1..=target.0.max(10) {
        conn.execute(
            "INSERT INTO users (id, username, display_name, org_id, role, created_at)
             VALUES (?1, 'user' || ?1, 'User ' || ?1, 1, 'caseworker', 0)",
            [i],
        )
        .expect("user");
    }
}

fn plain_get(conn: &rusqlite::Connection, id: UserId) -> (String, String) {
    conn.query_row(
        "SELECT username, display_name FROM users WHERE id = ?1",
        [id.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("read")
}
