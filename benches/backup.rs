//! Benchmarks of "Backups": a backup (snapshot, manifest, full verification, rename) and
//! a verification of a database of about 1 GB, each beside `cp` of the same file on the
//! same disk, and a restore; then where a backup's time goes, each step timed once on its
//! own. Figures go to BENCHMARKS.md. Run: `cargo bench --bench backup` (`-- --quick`:
//! 50,000 cases).
//!
//! The seeded data dir is kept under the target dir, so later runs skip the seeding.

use pecs::crypto::{DataKey, Password};
use pecs::domain::Origin;
use pecs::service::backup::disk;
use pecs::service::backup::settings::Destination;
use pecs::service::backup::{self, Operator, VerifyRequest};
use pecs::service::{Pecs, Settings, demo, slots};
use pecs::store::snapshot::{self, Snapshot};
use pecs::store::{Db, DbOptions};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

fn origin() -> Origin {
    Origin::from_parts(Some("192.0.2.1 5000 10.0.0.1 22"), None, None, None, 1)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (count, runs) = if quick { (50_000, 3) } else { (1_500_000, 3) };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-backup-{count}"));
    let data = root.join("data");
    let seeding = Pecs::new(&data, Settings::default());
    if !seeding.is_installed() {
        let started = Instant::now();
        demo::create(&seeding, origin()).expect("demo cast");
        demo::seed_cases(&seeding, count, origin()).expect("demo cases");
        println!(
            "seeded {count} cases in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let key_file = root.join("service.key");
    if !key_file.exists() {
        let sam = seeding
            .login(
                demo::SYSADMIN,
                &Password::new(demo::DEMO_PASSWORD),
                origin(),
            )
            .expect("login");
        slots::create_service_key(&sam, &key_file).expect("service key");
        sam.logout().expect("logout");
    }
    let dest = root.join("backups");
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir_all(&dest).expect("destination");
    let mut settings = Settings::default();
    settings.backup.destinations = vec![Destination {
        name: "bench".into(),
        path: dest.clone(),
    }];
    let pecs = Pecs::new(&data, settings);
    let size = std::fs::metadata(&pecs.paths.db).expect("db").len();
    println!(
        "PECS backup benchmarks: pecs.db is {:.2} GB ({count} cases), {runs} runs each",
        size as f64 / 1e9
    );

    let copy = median(runs, || {
        let target = root.join("cp-copy.db");
        let _ = std::fs::remove_file(&target);
        let status = Command::new("cp")
            .arg(&pecs.paths.db)
            .arg(&target)
            .status()
            .expect("cp");
        assert!(status.success());
        Command::new("sync").arg(&target).status().expect("sync");
    });
    let _ = std::fs::remove_file(root.join("cp-copy.db"));
    println!(
        "cp + sync of pecs.db          {:>8.2} s",
        copy.as_secs_f64()
    );

    let service = pecs.open_as_service(&key_file, origin()).expect("service");
    let mut newest = None;
    let run = median(runs, || {
        // One backup a run: names come from the clock, so wait into the next second.
        std::thread::sleep(Duration::from_millis(1_100));
        let report = backup::run(Operator::Service(&service), &mut |_| {}).expect("run");
        assert!(report.all_ok(), "{report:?}");
        newest = report.results[0].1.clone().ok();
    });
    // The sleep is not the backup's: take it off again.
    let run = run.saturating_sub(Duration::from_millis(1_100));
    println!("backup run (snapshot + verify){:>8.2} s", run.as_secs_f64());
    let verify = median(runs, || {
        let results =
            backup::verify(Operator::Service(&service), &VerifyRequest::default()).expect("verify");
        assert!(results.iter().all(|r| r.problems.is_empty()));
    });
    println!(
        "backup verify                 {:>8.2} s",
        verify.as_secs_f64()
    );
    let newest = newest.expect("a backup");
    let restore = median(runs, || {
        let to = root.join("restored");
        let _ = std::fs::remove_dir_all(&to);
        backup::restore(&newest, &to, &key_file, origin()).expect("restore");
    });
    println!(
        "restore (verify, copy, verify){:>8.2} s",
        restore.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(root.join("restored"));
    let r = |a: Duration| a.as_secs_f64() / copy.as_secs_f64();
    println!();
    println!("| what | median | ratio to cp |");
    println!("|---|---|---|");
    println!(
        "| cp + sync of pecs.db ({:.2} GB) | {:.2} s | 1.00x |",
        size as f64 / 1e9,
        copy.as_secs_f64()
    );
    println!(
        "| backup run | {:.2} s | {:.2}x |",
        run.as_secs_f64(),
        r(run)
    );
    println!(
        "| backup verify | {:.2} s | {:.2}x |",
        verify.as_secs_f64(),
        r(verify)
    );
    println!(
        "| restore | {:.2} s | {:.2}x |",
        restore.as_secs_f64(),
        r(restore)
    );
    let key = common::data_key::data_key_of(&pecs, origin());
    steps(&pecs, &key, &root.join("steps.db"), copy);
}

/// Each step of a backup and its verification on its own, once, on a fresh snapshot
/// at `scratch`: what the run and the verification are made of.
fn steps(pecs: &Pecs, key: &DataKey, scratch: &Path, copy: Duration) {
    let _ = std::fs::remove_file(scratch);
    let live = Db::open(&pecs.paths.db, key, DbOptions::default()).expect("open");
    let timed = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        f();
        started.elapsed()
    };
    let mut rows = vec![(
        "snapshot: the online backup API, every page read and written (decrypted, re-encrypted)",
        timed(&mut || snapshot::copy_into(live.conn(), scratch, Some(key)).expect("snapshot")),
    )];
    rows.push((
        "SHA-256 of the file",
        timed(&mut || {
            disk::hash_file(scratch).expect("hash");
        }),
    ));
    let snap = Snapshot::open_database(scratch, key).expect("snapshot opens");
    rows.push((
        "`PRAGMA cipher_integrity_check`: every page's HMAC",
        timed(&mut || assert!(snap.cipher_problems().expect("cipher check").is_empty())),
    ));
    rows.push((
        "`PRAGMA integrity_check`: b-trees, and every index entry against its table",
        timed(&mut || assert!(snap.structure_problems().expect("integrity").is_empty())),
    ));
    rows.push((
        "`PRAGMA quick_check` (not used; for comparison): b-trees without the index cross-check",
        timed(&mut || {
            let said: String = snap
                .conn()
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .expect("quick check");
            assert_eq!(said, "ok");
        }),
    ));
    rows.push((
        "row counts of every table",
        timed(&mut || {
            snap.row_counts().expect("counts");
        }),
    ));
    drop(snap);
    let _ = std::fs::remove_file(scratch);
    println!();
    println!("Where the time goes, each step once on its own:");
    println!();
    println!("| step | time | ratio to cp |");
    println!("|---|---|---|");
    for (what, took) in rows {
        println!(
            "| {what} | {:.2} s | {:.2}x |",
            took.as_secs_f64(),
            took.as_secs_f64() / copy.as_secs_f64()
        );
    }
}

fn median(runs: usize, f: impl FnMut()) -> Duration {
    common::measure(runs, f).median
}
