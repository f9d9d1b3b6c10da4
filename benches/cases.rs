//! Benchmarks of "Cases" at scale (1,000,000 cases; `-- --quick`: 50,000): the first page
//! of the list in each order for a supervisor, a client user and a caseworker, a search by
//! name prefix, opening a case file, adding a note, rectifying a subject's name, and the
//! Archive screen's counts. Each goes through the service
//! (session and policy checks, SQLCipher, the audit event in the same transaction) and is
//! set beside the same store calls plus the same audit append on a plain SQLite copy of
//! the same data. Figures go to BENCHMARKS.md. Run: `cargo bench --bench cases`.
//!
//! The seeded data dir (made by the code behind `pecs demo --cases N`) and its plain copy
//! are kept under the target dir, so later runs skip the seeding.

use pecs::crypto::Password;
use pecs::domain::{Actor, CaseId, NewAuditEvent, Origin, Outcome, Target};
use pecs::service::cases::{self, Details, ListQuery, Sort};
use pecs::service::{Pecs, Session, Settings, demo, records};
use pecs::store;
use pecs::store::cases::Scope;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::time::Instant;

mod common;
use common::{Stats, measure, ratio, show};

const SORTS: [(Sort, &str); 3] = [
    (Sort::Due, "due date"),
    (Sort::Updated, "last change"),
    (Sort::Reference, "reference"),
];

fn origin() -> Origin {
    Origin::from_parts(Some("192.0.2.1 5000 10.0.0.1 22"), None, None, None, 1)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (count, runs) = if quick {
        (50_000, 200)
    } else {
        (1_000_000, 1_000)
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-cases-{count}"));
    let pecs = Pecs::new(&root.join("data"), Settings::default());
    if !pecs.is_installed() {
        seed(&pecs, count);
    }
    let plain = common::plain::copy_of(&pecs, &root.join("plain.db"), origin());
    let login = |name: &str| {
        pecs.login(name, &Password::new(demo::DEMO_PASSWORD), origin())
            .expect("login")
    };
    let (sue, harry, carl) = (
        login("sue.supervisor"),
        login("harry.harlow"),
        login("carl.caseworker"),
    );
    println!("PECS cases benchmarks ({count} cases, {runs} runs each)");
    let mut table = Vec::new();
    let scopes = [
        (&sue, "supervisor (all cases)", Scope::default()),
        (
            &harry,
            "client user (own organisation)",
            Scope {
                client_org: Some(harry.info().org_id),
                ..Scope::default()
            },
        ),
        (
            &carl,
            "caseworker (assigned)",
            Scope {
                assignee: Some(carl.info().user_id),
                ..Scope::default()
            },
        ),
    ];
    for (session, who, scope) in scopes {
        for (sort, order) in SORTS {
            let query = ListQuery {
                sort,
                limit: 50,
                ..ListQuery::default()
            };
            let service = measure(runs, || {
                std::hint::black_box(cases::list(session, &query).expect("list"));
            });
            let scoped = ListQuery {
                scope,
                ..query.clone()
            };
            let baseline = measure(runs, || {
                audited_plain(&plain, session, "case.list", |c| {
                    let page = store::cases::list(c, &scoped).expect("list");
                    let detail = references(&page);
                    (page, detail)
                });
            });
            table.push(row(
                &format!("first page of 50, {who}, by {order}"),
                service,
                baseline,
            ));
        }
    }
    for term in ["smi", "mül", "patel"] {
        let service = measure(runs, || {
            std::hint::black_box(cases::search(&sue, term, 50).expect("search"));
        });
        let baseline = measure(runs, || {
            audited_plain(&plain, &sue, "case.list", |c| {
                let found = store::cases::search(c, term, Scope::default(), 50).expect("search");
                let detail = references(&found);
                (found, detail)
            });
        });
        table.push(row(
            &format!("search \"{term}\" (first 50), supervisor"),
            service,
            baseline,
        ));
    }
    let mut pick = spread(count);
    let service = measure(runs, || {
        std::hint::black_box(cases::open(&sue, pick()).expect("open"));
    });
    let baseline = measure(runs, || {
        let id = pick();
        audited_plain(&plain, &sue, "case.view", |c| {
            let case = store::cases::get(c, id, Scope::default()).expect("get");
            let notes = store::cases::notes(c, id, true).expect("notes");
            let documents = store::cases::documents(c, id, true).expect("documents");
            let history = store::cases::status_history(c, id).expect("history");
            ((case, notes, documents, history), serde_json::json!({}))
        });
    });
    table.push(row("open a case file (audited view)", service, baseline));
    let service = measure(runs, || {
        cases::add_note(&sue, pick(), "Called the subject's employer.", false).expect("note");
    });
    let baseline = measure(runs, || {
        let id = pick();
        audited_plain(&plain, &sue, "note.add", |c| {
            store::cases::get(c, id, Scope::default()).expect("get");
            store::cases::insert_note(
                c,
                id,
                sue.info().user_id,
                false,
                "Called the subject's employer.",
                pecs.now(),
            )
            .expect("note");
            ((), serde_json::json!({}))
        });
    });
    table.push(row("add a note", service, baseline));

    // A rectification: the subject's name changed, the search index removing the old
    // words at once (FTS5 secure-delete, migration 0012). Each run edits another case
    // (never one twice), read beforehand (untimed) for the version the edit starts from.
    // The names stay changed in the kept database: " Rectified" grows a word a run.
    let mut distinct = std::collections::BTreeSet::new();
    let mut edits: Vec<(CaseId, i64, Details)> = std::iter::repeat_with(&mut pick)
        .filter(|id| distinct.insert(*id))
        .take(runs + 1)
        .map(|id| {
            let c = cases::open(&sue, id).expect("open").case;
            let rectified = Details {
                client_ref: c.client_ref,
                case_type: c.case_type,
                subject_name: format!("{} Rectified", c.subject_name),
                subject_dob: c.subject_dob,
                subject_address: c.subject_address,
                priority: c.priority,
                due_date: c.due_date,
            };
            (c.id, c.version, rectified)
        })
        .collect();
    let service = measure(runs, || {
        let (id, version, details) = edits.pop().expect("an edit a run");
        cases::edit(&sue, id, version, &details).expect("edit");
    });
    let baseline = measure(runs, || {
        let id = pick();
        audited_plain(&plain, &sue, "case.edit", |c| {
            let case = store::cases::get(c, id, Scope::default())
                .expect("get")
                .expect("the case");
            let name = format!("{} Rectified", case.subject_name);
            let row = store::cases::DetailsRow {
                client_ref: case.client_ref.as_deref(),
                case_type: case.case_type,
                subject_name: &name,
                subject_dob: case.subject_dob.as_deref(),
                subject_address: &case.subject_address,
                priority: case.priority,
                due_date: case.due_date.as_deref(),
            };
            let saved = store::cases::update_details(
                c,
                id,
                case.version,
                &row,
                sue.info().user_id,
                pecs.now(),
            )
            .expect("update");
            assert!(saved);
            ((), serde_json::json!({}))
        });
    });
    table.push(row(
        "rectify a subject's name (edit; the search index deletes securely)",
        service,
        baseline,
    ));

    // The Archive screen's counts at a glance: every case read (20 runs; it is a scan).
    let today = pecs.now().to_date();
    let service = measure(20, || {
        std::hint::black_box(records::counts(&sue).expect("counts"));
    });
    let baseline = measure(20, || {
        audited_plain(&plain, &sue, "archive.status", |c| {
            let counts = store::records::counts(c, None, &today).expect("counts");
            (counts, serde_json::json!({}))
        });
    });
    table.push(row(
        "the Archive's counts at a glance, supervisor (every case counted)",
        service,
        baseline,
    ));

    println!();
    println!("| what | service median | p99 | plain SQLite median | p99 | ratio median | p99 |");
    println!("|---|---|---|---|---|---|---|");
    for line in table {
        println!("{line}");
    }
    for s in [sue, harry, carl] {
        s.logout().expect("logout");
    }
}

/// Seed through the same code as `pecs demo --no-tui --cases N`, timed.
fn seed(pecs: &Pecs, count: usize) {
    let started = Instant::now();
    demo::create(pecs, origin()).expect("demo cast");
    demo::seed_cases(pecs, count, origin()).expect("demo cases");
    println!(
        "seeded {count} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// `f` and an audit event for it in one IMMEDIATE transaction on the plain copy: the
/// work the service does, without its checks and without encryption.
fn audited_plain<T>(
    conn: &Connection,
    s: &Session,
    action: &str,
    f: impl FnOnce(&Connection) -> (T, serde_json::Value),
) -> T {
    let tx =
        rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).expect("begin");
    let (out, detail) = f(&tx);
    let info = s.info();
    let event = NewAuditEvent {
        at: pecs::domain::Millis(0),
        session_id: Some(info.id.to_string()),
        actor: Actor {
            id: Some(info.user_id.0),
            name: Some(info.username.clone()),
            role: Some(info.role.to_string()),
            org: Some(info.org_code.clone()),
        },
        action: action.into(),
        target: Target::kind_only("case"),
        origin: origin(),
        outcome: Outcome::Ok,
        detail,
    };
    store::audit::append(&tx, &event).expect("append");
    tx.commit().expect("commit");
    out
}

/// What the service's list and search events record: the rows and their references.
fn references(cases: &[pecs::domain::Case]) -> serde_json::Value {
    let refs: Vec<&str> = cases.iter().map(|c| c.reference.as_str()).collect();
    serde_json::json!({ "rows": cases.len(), "references": refs })
}

/// Case ids spread over the whole table, a different one each call.
fn spread(count: usize) -> impl FnMut() -> CaseId {
    let mut n: u64 = 1;
    move || {
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        CaseId(1 + ((n >> 33) % count as u64) as i64)
    }
}

fn row(what: &str, service: Stats, baseline: Stats) -> String {
    show(&format!("{what} (service)"), &service);
    show(&format!("{what} (plain)"), &baseline);
    let (m, p) = ratio(&service, &baseline);
    format!(
        "| {what} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {m:.2}x | {p:.2}x |",
        service.median, service.p99, baseline.median, baseline.p99
    )
}
