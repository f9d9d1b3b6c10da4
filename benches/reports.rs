//! Benchmarks of "Activity reports" at scale (10,000,000 audit events over 90 days and
//! 1,000,000 cases; `-- --quick`: 200,000 events and 50,000 cases): who viewed one case,
//! one person's day, a week's failed logins, the per-hour chart of a month, and a full
//! verification of the hash chain. Each report goes through the service (session and
//! policy checks, SQLCipher, the `report.activity` event in the same transaction) and is
//! set beside the same store query on a plain SQLite copy of the same data, alone and with
//! the same audit append in one IMMEDIATE transaction (as `benches/cases.rs` does); the
//! screen's unaudited refresh (`Fetch::Refresh`) is timed too, to show what the audited
//! write costs.
//! EXPLAIN QUERY PLAN of each query on the plain copy is printed as well. Figures go to
//! BENCHMARKS.md.
//! Run: `cargo bench --bench reports` (`-- --quick` to check it in a minute or two).
//!
//! Seeding: the cases are made by the code behind `pecs demo --cases N`. The events are
//! far too many for the service (each would be a transaction with two fsyncs), so they are
//! written straight into the store with `store::audit::append` (the chain stays valid)
//! inside large IMMEDIATE transactions on a raw keyed connection, and the key ring's
//! checkpoint is then moved to the new head, so `audit verify` passes. They read like a
//! working office: the demo cast and 200 more staff names (in the log only: they have no
//! accounts) log in, list and open cases, view attachments, add notes and log out, in
//! working hours mostly, from 40 addresses; about 1% are failed logins, some from
//! strangers trying `admin` and `root`. Targets carry real case references; 40% of case
//! events go to a "hot" 2% of cases. The seeded 90 days end at the time of seeding, so the
//! few hundred events of the demo itself come first in the chain but are newest in time.
//!
//! The seeded data dir and its plain copy are kept under the target dir, so later runs
//! skip the seeding (`seeded.txt` marks a finished seeding and keeps its figures).

use pecs::crypto::DataKey;
use pecs::domain::{Actor, Millis, NewAuditEvent, Origin, Outcome, Target};
use pecs::service::reports::{self, ActivityFilter, Fetch};
use pecs::service::{Pecs, Session, Settings, demo};
use pecs::store::audit::ReportQuery;
use pecs::store::keyring::{Checkpoint, Keyring};
use pecs::store::{self, Db, DbOptions};
use rusqlite::types::Value;
use rusqlite::{Connection, StatementStatus, TransactionBehavior, params_from_iter};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::{Stats, measure, ratio, show};

const DAY: i64 = 24 * Millis::HOUR;
const SPAN_DAYS: i64 = 90;
/// What the service's chart counts as a view (`reports::VIEWS`, private there).
const VIEWS: [&str; 3] = ["case.view", "attachment.view", "case.list"];
/// Events per seeding transaction.
const BATCH: usize = 50_000;

fn origin() -> Origin {
    Origin::from_parts(Some("192.0.2.1 5000 10.0.0.1 22"), None, None, None, 1)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cases, events, runs, chart_runs) = if quick {
        (50_000, 200_000, 200, 20)
    } else {
        (1_000_000, 10_000_000, 500, 20)
    };
    let root =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-reports-{cases}-{events}"));
    let marker = root.join("seeded.txt");
    let pecs = Pecs::new(&root.join("data"), Settings::default());
    if !marker.exists() {
        // A seeding that did not finish leaves nothing worth keeping.
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("bench dir");
        let seeded = seed(&pecs, cases, events, &root.join("plain.db"));
        std::fs::write(&marker, seeded.to_text()).expect("marker");
    }
    let seeded = Seeded::from_text(&std::fs::read_to_string(&marker).expect("marker"));
    let plain = common::plain::copy_of(&pecs, &root.join("plain.db"), origin());
    let sizes = [&pecs.paths.db, &root.join("plain.db")]
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()) as f64 / 1e9);
    println!(
        "PECS activity-report benchmarks: {cases} cases, {events} seeded events \
         ({} in the log), {runs} runs each ({chart_runs} for the chart)",
        seeded.last_seq
    );
    println!(
        "seeding: cases {:.1} s, events {:.1} s ({:.0} events/s), plain copy {:.1} s; \
         pecs.db {:.2} GB, plain copy {:.2} GB",
        seeded.cases_s,
        seeded.events_s,
        events as f64 / seeded.events_s,
        seeded.plain_s,
        sizes[0],
        sizes[1]
    );

    let sue = pecs
        .login(
            "sue.supervisor",
            &pecs::crypto::Password::new(demo::DEMO_PASSWORD),
            origin(),
        )
        .expect("login");
    let mut rng = Rng(0x005e_ed0f_2026);
    let picks = Picks::sample(&plain, &seeded, &mut rng, 101);

    let reports_measured = [
        (
            "who viewed one case (`case.view` on one reference)",
            &picks.case_views,
        ),
        (
            "one user's day (user, since/until of one day)",
            &picks.user_days,
        ),
        (
            "failed logins for a week (logins only, failed, 7 days)",
            &picks.failed_weeks,
        ),
    ];
    let mut table = Vec::new();
    let mut audited_table = Vec::new();
    let mut plans = Vec::new();
    for (what, filters) in reports_measured {
        let rows: Vec<usize> = filters
            .iter()
            .map(|f| {
                store::audit::report(&plain, &store_query(f))
                    .expect("report")
                    .len()
            })
            .collect();
        let mut next = cycle(filters);
        let service = measure(runs, || {
            std::hint::black_box(reports::activity(&sue, next(), Fetch::Look).expect("activity"));
        });
        let mut next = cycle(filters);
        let refresh = measure(runs, || {
            std::hint::black_box(
                reports::activity(&sue, next(), Fetch::Refresh).expect("activity"),
            );
        });
        let mut next = cycle(filters);
        let baseline = measure(runs, || {
            std::hint::black_box(
                store::audit::report(&plain, &store_query(next())).expect("report"),
            );
        });
        let mut next = cycle(filters);
        let audited = measure(runs, || {
            let f = next();
            audited_plain(&plain, &sue, f, |c| {
                let found = store::audit::report(c, &store_query(f)).expect("report");
                let n = found.len();
                (found, n)
            });
        });
        let what = format!(
            "{what}; rows {}–{}, mean {:.0}",
            rows.iter().min().unwrap_or(&0),
            rows.iter().max().unwrap_or(&0),
            rows.iter().sum::<usize>() as f64 / rows.len().max(1) as f64
        );
        let f = Figures {
            service,
            refresh,
            baseline,
            audited,
        };
        f.show(&what);
        table.push(f.row(&what, Duration::from_millis(10)));
        audited_table.push(f.breakdown(&what));
        plans.push((
            what,
            explain(&plain, &report_sql(&store_query(&filters[0]))),
        ));
    }

    // Month ranges of whole days read only the hourly counts; the same months shifted by
    // half an hour also count the two part-hours at their ends from the events.
    let shifted: Vec<ActivityFilter> = picks
        .months
        .iter()
        .map(|f| ActivityFilter {
            since: f.since.map(|t| t.plus_ms(30 * Millis::MINUTE)),
            until: f.until.map(|t| t.plus_ms(30 * Millis::MINUTE)),
            ..f.clone()
        })
        .collect();
    for (what, months) in [
        (
            "per-hour chart over 30 days (`per_hour`, 720 hours)",
            &picks.months,
        ),
        (
            "per-hour chart over 30 days from half past (two part-hours from the events)",
            &shifted,
        ),
    ] {
        let mut next = cycle(months);
        let service = measure(chart_runs, || {
            std::hint::black_box(reports::per_hour(&sue, next(), Fetch::Look).expect("per hour"));
        });
        let mut next = cycle(months);
        let refresh = measure(chart_runs, || {
            std::hint::black_box(
                reports::per_hour(&sue, next(), Fetch::Refresh).expect("per hour"),
            );
        });
        let mut next = cycle(months);
        let baseline = measure(chart_runs, || {
            let q = store_query(next());
            std::hint::black_box(store::audit::per_hour(&plain, &q, &VIEWS).expect("per hour"));
        });
        let mut next = cycle(months);
        let audited = measure(chart_runs, || {
            let f = next();
            audited_plain(&plain, &sue, f, |c| {
                let hours = store::audit::per_hour(c, &store_query(f), &VIEWS).expect("per hour");
                let n = hours.len();
                (hours, n)
            });
        });
        let f = Figures {
            service,
            refresh,
            baseline,
            audited,
        };
        f.show(what);
        table.push(f.row(what, Duration::from_millis(200)));
        audited_table.push(f.breakdown(what));
    }
    plans.push((
        "per-hour chart over 30 days".to_owned(),
        explain(&plain, &per_hour_counts_sql(&store_query(&picks.months[0]))),
    ));
    let from_events = chart_from_events(&plain, &store_query(&picks.months[0]));
    chart_from_events(&plain, &store_query(&shifted[0]));

    // The full verification: once each, timed.
    let started = Instant::now();
    let verified = pecs::service::audit::verify(&sue).expect("verify");
    let service_verify = started.elapsed();
    assert!(verified.intact(), "audit verify: {:?}", verified.problem);
    let started = Instant::now();
    let walked = store::audit::walk(&plain, None).expect("walk");
    let plain_verify = started.elapsed();
    assert!(
        walked.first_break.is_none(),
        "plain chain: {:?}",
        walked.first_break
    );
    show("audit verify (service)", &once(service_verify));
    show("audit verify (plain walk)", &once(plain_verify));
    let verify_row = format!(
        "| `audit verify`: the whole chain ({} events), once | {:.2?} | – | {:.2?} | – | {:.2}x | – | {} |",
        verified.events,
        service_verify,
        plain_verify,
        service_verify.as_secs_f64() / plain_verify.as_secs_f64(),
        verdict(service_verify < Duration::from_secs(60), "60 s")
    );

    println!();
    println!("## Query plans on the plain copy (EXPLAIN QUERY PLAN; one run's statement counters)");
    for (what, plan) in &plans {
        println!();
        println!("{what}:");
        println!("{plan}");
    }
    println!();
    println!(
        "the same chart counted from the events on the plain copy (as before the hourly counts), checked equal: {from_events:.2?}"
    );

    println!();
    println!(
        "## Activity reports, {} — {cases} cases, {} audit events",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        verified.events
    );
    println!();
    println!(
        "| what | service median | p99 | plain SQLite median | p99 | ratio median | p99 | target |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for line in table {
        println!("{line}");
    }
    println!("{verify_row}");
    println!();
    println!(
        "Where the time goes: the same service call not audited (`Fetch::Refresh`: checked, \
         no event, no transaction) over the plain query; and the audited call (`Fetch::Look`) \
         over the plain query plus the same `report.activity` append in one IMMEDIATE \
         transaction (as `benches/cases.rs`):"
    );
    println!();
    println!(
        "| what | Refresh median | p99 | Refresh / plain query median | p99 | plain + audit median | p99 | Look / (plain + audit) median | p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for line in audited_table {
        println!("{line}");
    }
    sue.logout().expect("logout");
}

// ---------------------------------------------------------------------------------------
// Seeding

/// What a finished seeding recorded.
struct Seeded {
    start: i64,
    end: i64,
    first_seq: i64,
    last_seq: i64,
    cases_s: f64,
    events_s: f64,
    plain_s: f64,
}

impl Seeded {
    fn to_text(&self) -> String {
        format!(
            "start={}\nend={}\nfirst_seq={}\nlast_seq={}\ncases_s={}\nevents_s={}\nplain_s={}\n",
            self.start,
            self.end,
            self.first_seq,
            self.last_seq,
            self.cases_s,
            self.events_s,
            self.plain_s
        )
    }

    fn from_text(text: &str) -> Seeded {
        let values: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        let get = |k: &str| -> f64 { values[k].parse().expect("seeded.txt value") };
        Seeded {
            start: get("start") as i64,
            end: get("end") as i64,
            first_seq: get("first_seq") as i64,
            last_seq: get("last_seq") as i64,
            cases_s: get("cases_s"),
            events_s: get("events_s"),
            plain_s: get("plain_s"),
        }
    }
}

fn seed(pecs: &Pecs, cases: usize, events: usize, plain: &Path) -> Seeded {
    let started = Instant::now();
    demo::create(pecs, origin()).expect("demo cast");
    demo::seed_cases(pecs, cases, origin()).expect("demo cases");
    let cases_s = started.elapsed().as_secs_f64();
    println!("seeded {cases} cases in {cases_s:.1} s");

    let key = common::data_key::data_key_of(pecs, origin());
    let started = Instant::now();
    let (start, end, first_seq, last_seq) = seed_events(pecs, &key, events);
    let events_s = started.elapsed().as_secs_f64();
    println!(
        "seeded {events} audit events in {events_s:.1} s ({:.0} a second)",
        events as f64 / events_s
    );

    let started = Instant::now();
    common::plain::export(pecs, &key, plain);
    let plain_s = started.elapsed().as_secs_f64();
    println!("made the plain copy in {plain_s:.1} s");
    Seeded {
        start,
        end,
        first_seq,
        last_seq,
        cases_s,
        events_s,
        plain_s,
    }
}

/// A small, fast, reproducible generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn hex(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }

    /// An index into `weights`, chosen in proportion to them.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut at = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if at < *w {
                return i;
            }
            at -= w;
        }
        weights.len() - 1
    }
}

#[derive(Clone)]
struct Person {
    id: i64,
    name: String,
    role: String,
    org: String,
    /// The client organisation's index in `World::clients`, for client people.
    client: Option<usize>,
    home_ip: usize,
}

/// A client organisation and its cases (shuffled once; the first 2% are the busy ones).
struct Client {
    cases: Vec<(i64, String)>,
    hot: usize,
}

struct World {
    people: Vec<Person>,
    weights: Vec<u32>,
    clients: Vec<Client>,
    office_ips: Vec<String>,
    home_ips: Vec<String>,
    client_ips: Vec<Vec<String>>,
    stranger_ips: Vec<String>,
}

const FIRST: [&str; 20] = [
    "alice", "ben", "chloe", "daniel", "emma", "farah", "george", "hannah", "isaac", "jade",
    "kwame", "laura", "mohammed", "niamh", "oliver", "priya", "rhys", "sophie", "tomasz", "zara",
];
const LAST: [&str; 16] = [
    "ahmed", "brown", "clarke", "davies", "evans", "fraser", "green", "hughes", "jones", "khan",
    "lewis", "morgan", "nowak", "patel", "roberts", "wilson",
];
const STRANGER_NAMES: [&str; 8] = [
    "admin",
    "root",
    "test",
    "administrator",
    "pecs",
    "user",
    "guest",
    "oracle",
];
const FILE_NAMES: [&str; 5] = [
    "instruction.txt",
    "trace-report.pdf",
    "statement-of-service.pdf",
    "photo-front-door.jpg",
    "credit-search.pdf",
];

impl World {
    fn load(conn: &Connection, rng: &mut Rng) -> World {
        let mut stmt = conn
            .prepare(
                "SELECT u.id, u.username, u.role, o.code, o.id, o.kind
                 FROM users u JOIN orgs o ON o.id = u.org_id ORDER BY u.id",
            )
            .expect("users");
        let cast: Vec<(i64, String, String, String, i64, String)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .expect("users")
            .collect::<rusqlite::Result<_>>()
            .expect("users");
        let org_ids: Vec<i64> = conn
            .prepare("SELECT id FROM orgs WHERE kind = 'client' ORDER BY id")
            .expect("orgs")
            .query_map([], |r| r.get(0))
            .expect("orgs")
            .collect::<rusqlite::Result<_>>()
            .expect("orgs");
        let mut clients: Vec<Client> = org_ids
            .iter()
            .map(|_| Client {
                cases: Vec::new(),
                hot: 0,
            })
            .collect();
        let mut stmt = conn
            .prepare("SELECT id, reference, client_org_id FROM cases ORDER BY id")
            .expect("cases");
        let mut rows = stmt.query([]).expect("cases");
        while let Some(r) = rows.next().expect("case row") {
            let org: i64 = r.get(2).expect("org");
            if let Ok(k) = org_ids.binary_search(&org) {
                clients[k]
                    .cases
                    .push((r.get(0).expect("id"), r.get(1).expect("reference")));
            }
        }
        for c in &mut clients {
            for i in (1..c.cases.len()).rev() {
                c.cases.swap(i, rng.below(i + 1));
            }
            c.hot = (c.cases.len() / 50).max(1);
        }

        let mut people = Vec::new();
        let mut weights = Vec::new();
        for (id, name, role, org, org_id, kind) in cast {
            let client = (kind == "client")
                .then(|| org_ids.binary_search(&org_id).ok())
                .flatten();
            weights.push(role_weight(&role));
            people.push(Person {
                id,
                name,
                role,
                org,
                client,
                home_ip: rng.below(24),
            });
        }
        // 200 more staff: names only (no accounts), ids well above the real ones.
        for i in 0..200 {
            let name = format!(
                "{}.{}{}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len() + i) % LAST.len()],
                if i >= FIRST.len() * LAST.len() {
                    "2"
                } else {
                    ""
                }
            );
            let role = match i % 10 {
                0 => "supervisor",
                1 | 2 => "general_admin",
                _ => "caseworker",
            };
            weights.push(role_weight(role));
            people.push(Person {
                id: 100_000 + i as i64,
                name,
                role: role.into(),
                org: "PE".into(),
                client: None,
                home_ip: rng.below(24),
            });
        }
        let ips = |prefix: &str, from: usize, n: usize| -> Vec<String> {
            (from..from + n).map(|k| format!("{prefix}.{k}")).collect()
        };
        World {
            people,
            weights,
            clients,
            office_ips: ips("203.0.113", 10, 4),
            home_ips: ips("198.51.100", 20, 24),
            client_ips: (0..org_ids.len())
                .map(|k| ips(&format!("100.64.{}", k + 1), 5, 2))
                .collect(),
            stranger_ips: ips("192.0.2", 200, 6),
        }
    }

    /// A case `p` may work on: 40% of the time one of the busy 2%.
    fn case(&self, p: &Person, rng: &mut Rng) -> &(i64, String) {
        let client = &self.clients[p.client.unwrap_or_else(|| rng.below(self.clients.len()))];
        let i = if rng.chance(0.4) {
            rng.below(client.hot)
        } else {
            rng.below(client.cases.len())
        };
        &client.cases[i]
    }
}

fn role_weight(role: &str) -> u32 {
    match role {
        "caseworker" => 10,
        "general_admin" => 8,
        "supervisor" => 6,
        "client_admin" | "client_user" => 3,
        _ => 1,
    }
}

/// One open session: who, from where, how many more actions before logging out.
struct Slot {
    person: usize,
    id: String,
    origin: Origin,
    left: u32,
    logged_in: bool,
}

fn new_slot(world: &World, rng: &mut Rng) -> Slot {
    let person = rng.weighted(&world.weights);
    let p = &world.people[person];
    let ip = match p.client {
        Some(k) => &world.client_ips[k][rng.below(2)],
        None if rng.chance(0.7) => &world.office_ips[rng.below(world.office_ips.len())],
        None => &world.home_ips[p.home_ip],
    };
    let port = 40_000 + rng.below(25_000);
    Slot {
        person,
        id: rng.hex(),
        origin: Origin::from_parts(
            Some(&format!("{ip} {port} 10.0.0.5 22")),
            None,
            Some(format!("/dev/pts/{}", rng.below(40))),
            Some("pecs-office".into()),
            1_000 + rng.below(60_000) as u32,
        ),
        left: 5 + rng.below(115) as u32,
        logged_in: false,
    }
}

/// The events' times: `n` of them over the 90 days before `end`, busy in working hours
/// on weekdays, quiet at night and at weekends; in order.
fn schedule(n: usize, end: i64) -> impl Iterator<Item = i64> {
    let start = end - SPAN_DAYS * DAY;
    let hours = (SPAN_DAYS * 24) as usize;
    let weight = move |h: usize| -> f64 {
        let at = start + h as i64 * Millis::HOUR;
        // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
        let weekday = (at.div_euclid(DAY) + 3).rem_euclid(7);
        let hour = at.rem_euclid(DAY) / Millis::HOUR;
        let working = (8..18).contains(&hour);
        let edge = hour == 7 || (18..21).contains(&hour);
        match (weekday < 5, working, edge) {
            (true, true, _) => 10.0,
            (true, false, true) => 3.0,
            (true, false, false) => 0.3,
            (false, true, _) => 1.5,
            (false, false, _) => 0.2,
        }
    };
    let total: f64 = (0..hours).map(weight).sum();
    let mut cum = 0.0;
    let mut done = 0usize;
    (0..hours).flat_map(move |h| {
        cum += weight(h);
        let upto = ((n as f64) * cum / total).round() as usize;
        let count = upto.saturating_sub(done);
        done = upto.max(done);
        let hour_start = start + h as i64 * Millis::HOUR;
        (0..count).map(move |j| hour_start + (j as i64 * Millis::HOUR) / count as i64)
    })
}

fn event(
    at: i64,
    by: Option<(&Slot, &Person)>,
    action: &str,
    target: Target,
    origin: &Origin,
    outcome: Outcome,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        at: Millis(at),
        session_id: by.map(|(s, _)| s.id.clone()),
        actor: by.map_or_else(Actor::default, |(_, p)| Actor {
            id: Some(p.id),
            name: Some(p.name.clone()),
            role: Some(p.role.clone()),
            org: Some(p.org.clone()),
        }),
        action: action.into(),
        target,
        origin: origin.clone(),
        outcome,
        detail,
    }
}

/// The next event of the office's day at time `at`.
fn next_event(world: &World, slots: &mut [Slot], rng: &mut Rng, at: i64) -> NewAuditEvent {
    if rng.chance(0.01) {
        return failed_login(world, rng, at);
    }
    let k = rng.below(slots.len());
    let slot = &mut slots[k];
    let p = &world.people[slot.person];
    if !slot.logged_in {
        slot.logged_in = true;
        return event(
            at,
            Some((slot, p)),
            "login",
            Target::new("user", p.id, &p.name),
            &slot.origin,
            Outcome::Ok,
            json!({ "method": "password" }),
        );
    }
    if slot.left == 0 {
        let ev = event(
            at,
            Some((slot, p)),
            "logout",
            Target::new("session", &slot.id, &p.name),
            &slot.origin,
            Outcome::Ok,
            json!({}),
        );
        slots[k] = new_slot(world, rng);
        return ev;
    }
    slot.left -= 1;
    let slot = &slots[k];
    action_event(world, slot, p, rng, at)
}

fn failed_login(world: &World, rng: &mut Rng, at: i64) -> NewAuditEvent {
    let (name, reason, ip) = if rng.chance(0.75) {
        let p = &world.people[rng.weighted(&world.weights)];
        let ip = match p.client {
            Some(k) => world.client_ips[k][0].clone(),
            None => world.office_ips[rng.below(world.office_ips.len())].clone(),
        };
        (p.name.clone(), "wrong password or code", ip)
    } else {
        let name = STRANGER_NAMES[rng.below(STRANGER_NAMES.len())].to_owned();
        let ip = world.stranger_ips[rng.below(world.stranger_ips.len())].clone();
        (name, "unknown user name", ip)
    };
    let origin = Origin::from_parts(
        Some(&format!("{ip} {} 10.0.0.5 22", 40_000 + rng.below(25_000))),
        None,
        None,
        Some("pecs-office".into()),
        1_000 + rng.below(60_000) as u32,
    );
    event(
        at,
        None,
        "login",
        Target {
            kind: "user".into(),
            id: None,
            label: Some(name),
        },
        &origin,
        Outcome::Failed,
        json!({ "reason": reason }),
    )
}

fn action_event(world: &World, slot: &Slot, p: &Person, rng: &mut Rng, at: i64) -> NewAuditEvent {
    let ok = |action: &str, target: Target, detail: serde_json::Value| {
        event(
            at,
            Some((slot, p)),
            action,
            target,
            &slot.origin,
            Outcome::Ok,
            detail,
        )
    };
    if p.role == "sysadmin" {
        let u = &world.people[rng.below(world.people.len())];
        return match rng.below(3) {
            0 => ok(
                "user.list",
                Target::kind_only("user"),
                json!({ "rows": world.people.len() }),
            ),
            1 => ok("user.view", Target::new("user", u.id, &u.name), json!({})),
            _ => ok("system.status", Target::kind_only("system"), json!({})),
        };
    }
    let client = p.client.is_some();
    // (action, weight for staff, weight for client people)
    const MIX: [(&str, u32, u32); 11] = [
        ("case.view", 45, 50),
        ("case.list", 8, 18),
        ("attachment.view", 12, 20),
        ("note.add_internal", 12, 0),
        ("note.add_client_visible", 3, 9),
        ("case.status", 4, 0),
        ("case.edit", 4, 0),
        ("attachment.add", 3, 3),
        ("case.assign", 3, 0),
        ("report.activity", 2, 0),
        ("user.view", 1, 0),
    ];
    let weights: Vec<u32> = MIX.iter().map(|m| if client { m.2 } else { m.1 }).collect();
    let mut action = MIX[rng.weighted(&weights)].0;
    let privileged = matches!(p.role.as_str(), "supervisor" | "general_admin");
    if matches!(action, "case.assign" | "report.activity" | "user.view") && !privileged {
        action = "case.view";
    }
    let (id, reference) = world.case(p, rng);
    let case = Target::new("case", id, reference);
    match action {
        "case.view" if client && rng.chance(0.002) => {
            // A guessed id from another organisation's series: refused as not found.
            event(
                at,
                Some((slot, p)),
                "case.view",
                Target::id_only("case", id + 7),
                &slot.origin,
                Outcome::Denied,
                json!({ "reason": "not found" }),
            )
        }
        "case.view" => ok("case.view", case, json!({})),
        "case.list" => {
            let c = &world.clients[p.client.unwrap_or_else(|| rng.below(world.clients.len()))];
            let (search, rows) = if rng.chance(0.4) {
                (Some(LAST[rng.below(LAST.len())]), 1 + rng.below(20))
            } else {
                (None, 50)
            };
            let from = rng.below(c.cases.len().saturating_sub(rows).max(1));
            let refs: Vec<&str> = c.cases[from..(from + rows).min(c.cases.len())]
                .iter()
                .map(|(_, r)| r.as_str())
                .collect();
            let detail = match search {
                Some(term) => json!({ "search": term, "references": refs }),
                None => json!({ "rows": refs.len(), "references": refs }),
            };
            ok("case.list", Target::kind_only("case"), detail)
        }
        "attachment.view" => ok(
            "attachment.view",
            Target::new("document", 1 + rng.below(5_000_000), reference),
            json!({ "file_name": FILE_NAMES[rng.below(FILE_NAMES.len())] }),
        ),
        "note.add_internal" => ok(action, case, json!({ "client_visible": false })),
        "note.add_client_visible" => ok(action, case, json!({ "client_visible": true })),
        "case.status" => ok(action, case, json!({ "from": "new", "to": "active" })),
        "case.edit" => ok(action, case, json!({})),
        "attachment.add" => ok(
            action,
            case,
            json!({ "document": 1 + rng.below(5_000_000), "sha256": rng.hex() + &rng.hex() }),
        ),
        "case.assign" => {
            let to = &world.people[rng.below(world.people.len())];
            ok(action, case, json!({ "to": to.name }))
        }
        "report.activity" => ok(
            action,
            Target::kind_only("audit_log"),
            json!({ "case": reference, "rows": rng.below(60) }),
        ),
        _ => {
            let u = &world.people[rng.below(world.people.len())];
            ok("user.view", Target::new("user", u.id, &u.name), json!({}))
        }
    }
}

/// Write `n` events straight into the store, chained, in large IMMEDIATE transactions,
/// then move the key ring's checkpoint to the new head. Returns the time span and the
/// sequence numbers of the seeded events.
fn seed_events(pecs: &Pecs, key: &DataKey, n: usize) -> (i64, i64, i64, i64) {
    // A large page cache: the indexes on case reference and target take random inserts.
    let db = Db::open(&pecs.paths.db, key, DbOptions { cache_mib: 1536 }).expect("open");
    let mut rng = Rng(0x00c0_ffee_2026);
    let world = World::load(db.conn(), &mut rng);
    let end = pecs.now().0 / Millis::HOUR * Millis::HOUR;
    let start = end - SPAN_DAYS * DAY;
    let mut slots: Vec<Slot> = (0..16).map(|_| new_slot(&world, &mut rng)).collect();
    let mut times = schedule(n, end);
    let started = Instant::now();
    let mut head = None;
    let mut first_seq = None;
    let mut written = 0;
    while written < n {
        let tx = db.write().expect("begin");
        for _ in 0..BATCH.min(n - written) {
            let at = times.next().unwrap_or(end - 1);
            let ev = next_event(&world, &mut slots, &mut rng, at);
            let appended = store::audit::append(&tx, &ev).expect("append");
            first_seq.get_or_insert(appended.0);
            head = Some(appended);
            written += 1;
        }
        tx.commit().expect("commit");
        if written % 1_000_000 == 0 || written == n {
            let s = started.elapsed().as_secs_f64();
            println!(
                "  {written} events in {s:.0} s ({:.0} a second)",
                written as f64 / s
            );
        }
    }
    let (seq, hash) = head.expect("some events");
    Keyring::open(&pecs.paths.keys)
        .expect("key ring")
        .advance_checkpoint(&Checkpoint {
            seq,
            hash: hash.to_vec(),
        })
        .expect("checkpoint");
    (start, end, first_seq.unwrap_or(seq), seq)
}

// ---------------------------------------------------------------------------------------
// What to ask

/// The filters each report is run with, sampled from the seeded log itself so that they
/// fall where the activity is.
struct Picks {
    case_views: Vec<ActivityFilter>,
    user_days: Vec<ActivityFilter>,
    failed_weeks: Vec<ActivityFilter>,
    months: Vec<ActivityFilter>,
}

impl Picks {
    fn sample(plain: &Connection, s: &Seeded, rng: &mut Rng, n: usize) -> Picks {
        let span = (s.last_seq - s.first_seq + 1) as usize;
        let at_seq = |rng: &mut Rng, sql: &str| -> Option<(String, i64)> {
            let seq = s.first_seq + rng.below(span) as i64;
            plain
                .prepare_cached(sql)
                .expect("sample")
                .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?)))
                .ok()
        };
        // Half the cases as the log's views fall (busy cases more often), half any case.
        let mut case_views = Vec::new();
        let max_case: i64 = plain
            .query_row("SELECT max(id) FROM cases", [], |r| r.get(0))
            .expect("cases");
        while case_views.len() < n {
            let reference = if case_views.len() % 2 == 0 {
                at_seq(
                    rng,
                    "SELECT target_label, at FROM audit WHERE seq = ?1 AND action = 'case.view'
                     AND target_label IS NOT NULL",
                )
                .map(|(r, _)| r)
            } else {
                plain
                    .query_row(
                        "SELECT reference FROM cases WHERE id = ?1",
                        [1 + rng.below(max_case as usize) as i64],
                        |r| r.get(0),
                    )
                    .ok()
            };
            if let Some(reference) = reference {
                case_views.push(ActivityFilter {
                    case: Some(reference),
                    action: Some("case.view".into()),
                    ..ActivityFilter::default()
                });
            }
        }
        // People as active as they are, each on the day of one of their events.
        let mut user_days = Vec::new();
        while user_days.len() < n {
            if let Some((name, at)) = at_seq(
                rng,
                "SELECT actor_name, at FROM audit WHERE seq = ?1 AND actor_name IS NOT NULL",
            ) {
                let day = at.div_euclid(DAY) * DAY;
                user_days.push(ActivityFilter {
                    user: Some(name),
                    since: Some(Millis(day)),
                    until: Some(Millis(day + DAY)),
                    ..ActivityFilter::default()
                });
            }
        }
        let days = |rng: &mut Rng, length: i64| -> ActivityFilter {
            let first = s.start.div_euclid(DAY) * DAY + DAY;
            let room = ((s.end - first) / DAY - length).max(1) as usize;
            let since = first + rng.below(room) as i64 * DAY;
            ActivityFilter {
                since: Some(Millis(since)),
                until: Some(Millis(since + length * DAY)),
                ..ActivityFilter::default()
            }
        };
        let failed_weeks = (0..n)
            .map(|_| ActivityFilter {
                logins_only: true,
                outcome: Some(Outcome::Failed),
                ..days(rng, 7)
            })
            .collect();
        let months = (0..n).map(|_| days(rng, 30)).collect();
        Picks {
            case_views,
            user_days,
            failed_weeks,
            months,
        }
    }
}

/// The store query the service runs for a supervisor (`ActivityFilter::query`, private
/// there): every event in scope, a page of [`reports::PAGE_LIMIT`].
fn store_query(f: &ActivityFilter) -> ReportQuery {
    ReportQuery {
        since: f.since,
        until: f.until,
        actor_name: f.user.clone(),
        target_label: f.case.as_deref().map(|c| c.trim().to_uppercase()),
        action: f.action.clone(),
        actions: if f.logins_only {
            vec!["login".into()]
        } else {
            Vec::new()
        },
        outcome: f.outcome.map(|o| o.as_str().to_owned()),
        org: None,
        limit: reports::PAGE_LIMIT,
    }
}

/// The next of `items` each call, round and round.
fn cycle<'a, T>(items: &'a [T]) -> impl FnMut() -> &'a T {
    let mut i = 0;
    move || {
        i += 1;
        &items[(i - 1) % items.len()]
    }
}

/// The plain query and the same `report.activity` event in one IMMEDIATE transaction.
fn audited_plain<T>(
    conn: &Connection,
    s: &Session,
    f: &ActivityFilter,
    query: impl FnOnce(&Connection) -> (T, usize),
) -> T {
    let tx =
        rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).expect("begin");
    let (out, rows) = query(&tx);
    let info = s.info();
    let mut detail = serde_json::Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            detail.insert(k.into(), v.into());
        }
    };
    put("since", f.since.map(|t| t.to_rfc3339()));
    put("until", f.until.map(|t| t.to_rfc3339()));
    put("user", f.user.clone());
    put("case", f.case.clone());
    put("action", f.action.clone());
    detail.insert("rows".into(), rows.into());
    let event = NewAuditEvent {
        at: Millis(0),
        session_id: Some(info.id.to_string()),
        actor: Actor {
            id: Some(info.user_id.0),
            name: Some(info.username.clone()),
            role: Some(info.role.to_string()),
            org: Some(info.org_code.clone()),
        },
        action: "report.activity".into(),
        target: Target::kind_only("audit_log"),
        origin: origin(),
        outcome: Outcome::Ok,
        detail: serde_json::Value::Object(detail),
    };
    store::audit::append(&tx, &event).expect("append");
    tx.commit().expect("commit");
    out
}

// ---------------------------------------------------------------------------------------
// Query plans

/// The SQL and values of `store::audit::report` for `q` (mirrors `report_where`, private
/// there; no organisation scope, no paging back).
fn report_where(q: &ReportQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    let mut and = |condition: &str, value: Value| {
        sql.push_str(" AND ");
        sql.push_str(condition);
        args.push(value);
    };
    if let Some(t) = q.since {
        and("at >= ?", t.0.into());
    }
    if let Some(t) = q.until {
        and("at < ?", t.0.into());
    }
    if let Some(name) = &q.actor_name {
        and("actor_name = ?", name.clone().into());
    }
    if let Some(label) = &q.target_label {
        and("target_label = ?", label.clone().into());
    }
    if let Some(action) = &q.action {
        and("action = ?", action.clone().into());
    }
    for a in &q.actions {
        // One action in the list: `action IN (?)`, which SQLite plans as `action = ?`.
        and("action IN (?)", a.clone().into());
    }
    if let Some(outcome) = &q.outcome {
        and("outcome = ?", outcome.clone().into());
    }
    (sql, args)
}

fn report_sql(q: &ReportQuery) -> (String, Vec<Value>) {
    let (clause, mut args) = report_where(q);
    args.push(q.limit.into());
    (
        format!(
            "SELECT seq, at, session_id, actor_id, actor_name, actor_role, actor_org, action,
                    target_kind, target_id, target_label, origin, outcome, detail, hash
             FROM audit{clause} ORDER BY seq DESC LIMIT ?"
        ),
        args,
    )
}

fn per_hour_sql(q: &ReportQuery) -> (String, Vec<Value>) {
    let (clause, args) = report_where(q);
    let mut all: Vec<Value> = VIEWS.iter().map(|v| (*v).to_owned().into()).collect();
    all.extend(args);
    (
        format!(
            "SELECT at / 3600000 * 3600000 AS hour, sum(action = 'login'), sum(action IN (?, ?, ?))
             FROM audit{clause} GROUP BY hour ORDER BY hour"
        ),
        all,
    )
}

/// EXPLAIN QUERY PLAN of a statement, and its counters after one run.
fn explain(conn: &Connection, (sql, args): &(String, Vec<Value>)) -> String {
    let mut out = String::new();
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("explain");
    let mut rows = stmt.query(params_from_iter(args.iter())).expect("explain");
    while let Some(r) = rows.next().expect("plan row") {
        let detail: String = r.get(3).expect("detail");
        out.push_str(&format!("  {detail}\n"));
    }
    let mut stmt = conn.prepare(sql).expect("query");
    let started = Instant::now();
    let mut rows = stmt.query(params_from_iter(args.iter())).expect("query");
    let mut n = 0;
    while rows.next().expect("row").is_some() {
        n += 1;
    }
    drop(rows);
    out.push_str(&format!(
        "  one run: {n} rows in {:.2?}; VM steps {}, full-scan steps {}, sorts {}",
        started.elapsed(),
        stmt.get_status(StatementStatus::VmStep),
        stmt.get_status(StatementStatus::FullscanStep),
        stmt.get_status(StatementStatus::Sort),
    ));
    out
}

/// The chart counted from the events themselves (as it was before the hourly counts), on
/// the plain copy: checks the store's chart gives the same hours; returns the time.
fn chart_from_events(conn: &Connection, q: &ReportQuery) -> Duration {
    let (sql, args) = per_hour_sql(q);
    let started = Instant::now();
    let mut counted: Vec<(i64, i64, i64)> = conn
        .prepare(&sql)
        .expect("chart")
        .query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("chart")
        .collect::<rusqlite::Result<_>>()
        .expect("chart");
    let took = started.elapsed();
    let mut store = store::audit::per_hour(conn, q, &VIEWS).expect("per hour");
    counted.retain(|h| h.1 + h.2 > 0);
    store.retain(|h| h.1 + h.2 > 0);
    assert_eq!(
        counted, store,
        "the chart's hourly counts differ from its events"
    );
    took
}

/// The chart's read of the hourly counts (as `store::audit::per_hour` makes it for a
/// supervisor's month), for its query plan.
fn per_hour_counts_sql(q: &ReportQuery) -> (String, Vec<Value>) {
    (
        "SELECT hour, sum(CASE WHEN action = 'login' THEN events ELSE 0 END),
                sum(CASE WHEN action IN ('case.view', 'attachment.view', 'case.list') THEN events ELSE 0 END)
         FROM audit_hours WHERE hour >= ? AND hour < ? GROUP BY hour ORDER BY hour"
            .to_owned(),
        vec![
            q.since.expect("since").0.into(),
            q.until.expect("until").0.into(),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// Figures

fn once(d: Duration) -> Stats {
    Stats { median: d, p99: d }
}

fn verdict(met: bool, target: &str) -> String {
    if met {
        format!("under {target}: met")
    } else {
        format!("under {target}: **not met**")
    }
}

/// One report's four measurements.
struct Figures {
    /// The audited call (`Fetch::Look`).
    service: Stats,
    /// The same call checked but not audited (`Fetch::Refresh`).
    refresh: Stats,
    /// The store query on the plain copy.
    baseline: Stats,
    /// The store query and the audit append in one transaction on the plain copy.
    audited: Stats,
}

impl Figures {
    fn show(&self, what: &str) {
        println!("{what}:");
        show("  service (Look, audited)", &self.service);
        show("  service (Refresh, not audited)", &self.refresh);
        show("  plain query", &self.baseline);
        show("  plain query + audit append", &self.audited);
    }

    /// The main table's row: the audited call over the plain query, and the target.
    fn row(&self, what: &str, target: Duration) -> String {
        let (m, p) = ratio(&self.service, &self.baseline);
        format!(
            "| {what} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {m:.2}x | {p:.2}x | p99 {} |",
            self.service.median,
            self.service.p99,
            self.baseline.median,
            self.baseline.p99,
            verdict(self.service.p99 < target, &format!("{target:?}"))
        )
    }

    fn breakdown(&self, what: &str) -> String {
        let (rm, rp) = ratio(&self.refresh, &self.baseline);
        let (am, ap) = ratio(&self.service, &self.audited);
        format!(
            "| {what} | {:.2?} | {:.2?} | {rm:.2}x | {rp:.2}x | {:.2?} | {:.2?} | {am:.2}x | {ap:.2}x |",
            self.refresh.median, self.refresh.p99, self.audited.median, self.audited.p99
        )
    }
}
