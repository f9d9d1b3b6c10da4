//! Activity reports: every view path of the Cases service leaves exactly the expected
//! audit event, with the origin of the login's `SSH_CONNECTION`; a client admin's reports
//! never include another organisation's people or cases, by any filter or export; who is
//! online, and a lost session.

mod common;

use common::{World, origin};
use pecs::crypto::Password;
use pecs::domain::{AuditEvent, CaseId, CaseType, Millis, Outcome, Priority};
use pecs::service::cases::{self, Details, ListQuery, NewCase};
use pecs::service::instructions::{self, Format};
use pecs::service::reports::{self, ActivityFilter, Fetch, SessionState};
use pecs::service::{Session, demo};
use std::collections::BTreeMap;

const CARL_FROM: &str = "198.51.100.23";

fn login_from(w: &World, name: &str, addr: &str) -> Session {
    w.pecs
        .login(name, &Password::new(demo::DEMO_PASSWORD), origin(addr))
        .unwrap()
}

/// A HARLOW case assigned to carl with a document, and a MERIDIAN case.
fn fixture(w: &World) -> (CaseId, String, CaseId, String) {
    let gina = w.login("gina.admin");
    let directory = cases::directory(&gina).unwrap();
    let make = |code: &str, name: &str, r: &str| {
        let client = directory.client_by_code(code).unwrap().id;
        cases::create(
            &gina,
            &NewCase {
                client_org: client,
                details: Details {
                    client_ref: Some(r.into()),
                    case_type: CaseType::Trace,
                    subject_name: name.into(),
                    subject_dob: None,
                    subject_address: "1 High Street".into(),
                    priority: Priority::Normal,
                    due_date: Some("2026-12-20".into()),
                },
            },
        )
        .unwrap()
    };
    let harlow = make("HARLOW", "Hannah Subject", "H-1");
    let meridian = make("MERIDIAN", "Mervyn Subject", "M-1");
    let carl = directory.person_by_name("carl.caseworker").unwrap().id;
    cases::assign(&gina, harlow.id, Some(carl)).unwrap();
    cases::add_document(
        &gina,
        harlow.id,
        "letter.txt",
        "text/plain",
        b"dear sir",
        true,
    )
    .unwrap();
    gina.logout().unwrap();
    (harlow.id, harlow.reference, meridian.id, meridian.reference)
}

/// The events `s`'s session wrote, oldest first.
fn events_of(w: &World, session: &str) -> Vec<AuditEvent> {
    let sue = w.login("sue.supervisor");
    let mut all = reports::activity(&sue, &ActivityFilter::default(), Fetch::Refresh).unwrap();
    sue.logout().unwrap();
    all.retain(|e| e.event.session_id.as_deref() == Some(session));
    all.reverse();
    all
}

#[test]
fn every_view_path_leaves_exactly_its_event_with_the_ssh_origin() {
    let w = World::demo();
    let (harlow, reference, _, _) = fixture(&w);
    let carl = login_from(&w, "carl.caseworker", CARL_FROM);
    let sid = carl.info().id.0.clone();
    cases::list(
        &carl,
        &ListQuery {
            limit: 50,
            ..ListQuery::default()
        },
    )
    .unwrap();
    cases::search(&carl, "hannah", 50).unwrap();
    let file = cases::open(&carl, harlow).unwrap();
    cases::view_document(&carl, file.documents[0].id).unwrap();
    carl.logout().unwrap();
    let hannah = login_from(&w, "hannah.harlow", "203.0.113.7");
    let hannah_sid = hannah.info().id.0.clone();
    instructions::export(&hannah, "HARLOW", Format::Csv).unwrap();
    hannah.logout().unwrap();

    let got: Vec<(String, Option<String>)> = events_of(&w, &sid)
        .into_iter()
        .map(|e| {
            assert!(
                e.event.origin.summary().contains(CARL_FROM),
                "{:?} from {}",
                e.event.action,
                e.event.origin.summary()
            );
            (e.event.action, e.event.target.label)
        })
        .collect();
    let r = Some(reference.clone());
    assert_eq!(
        got,
        [
            ("login".to_string(), Some("carl.caseworker".to_string())),
            ("case.list".into(), None),
            ("case.list".into(), None),
            ("case.view".into(), r.clone()),
            ("attachment.view".into(), r.clone()),
            ("logout".into(), Some("carl.caseworker".into())),
        ],
        "one event a view, in order"
    );
    let exported: Vec<String> = events_of(&w, &hannah_sid)
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(exported, ["login", "case.export", "logout"]);
}

#[test]
fn who_viewed_a_case_names_the_viewer_and_where_from() {
    let w = World::demo();
    let (harlow, reference, _, _) = fixture(&w);
    let carl = login_from(&w, "carl.caseworker", CARL_FROM);
    cases::open(&carl, harlow).unwrap();
    cases::open(&carl, harlow).unwrap();
    carl.logout().unwrap();
    let sue = w.login("sue.supervisor");
    let views = reports::activity(
        &sue,
        &ActivityFilter {
            case: Some(reference.to_lowercase()),
            action: Some("case.view".into()),
            ..ActivityFilter::default()
        },
        Fetch::Look,
    )
    .unwrap();
    assert_eq!(views.len(), 2);
    assert!(
        views
            .iter()
            .all(|e| e.event.actor.name.as_deref() == Some("carl.caseworker")
                && e.event.origin.summary().contains(CARL_FROM))
    );
    assert_eq!(
        reports::top_viewers(&sue, &reference, Fetch::Look).unwrap(),
        [("carl.caseworker".to_string(), 2)]
    );
}

#[test]
fn a_client_admins_reports_stay_in_their_organisation_by_any_filter_or_export() {
    let w = World::demo();
    let (harlow, harlow_ref, meridian, meridian_ref) = fixture(&w);
    // Activity everywhere: MERIDIAN's own people, staff on both clients' cases, HARLOW's.
    let mia = w.login("mia.meridian");
    cases::open(&mia, meridian).unwrap();
    mia.logout().unwrap();
    let kim = w.login("kim.kestrel");
    cases::list(&kim, &ListQuery::default()).unwrap();
    kim.logout().unwrap();
    let sue = w.login("sue.supervisor");
    cases::open(&sue, meridian).unwrap();
    cases::open(&sue, harlow).unwrap();
    sue.logout().unwrap();
    let harry = w.login("harry.harlow");
    cases::open(&harry, harlow).unwrap();
    harry.logout().unwrap();
    let _ = w.login_with("mia.meridian", "wrong password");

    let hannah = w.login("hannah.harlow");
    let in_scope = |e: &AuditEvent| {
        e.event.actor.org.as_deref() == Some("HARLOW")
            || e.event.target.label.as_deref() == Some(harlow_ref.as_str())
    };
    let filters = [
        ActivityFilter::default(),
        ActivityFilter {
            user: Some("mia.meridian".into()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            user: Some("sue.supervisor".into()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            case: Some(meridian_ref.clone()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            action: Some("case.view".into()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            logins_only: true,
            ..ActivityFilter::default()
        },
        ActivityFilter {
            outcome: Some(Outcome::Failed),
            ..ActivityFilter::default()
        },
    ];
    let mut saw_staff_on_harlow = false;
    for f in &filters {
        for fetch in [Fetch::Look, Fetch::Refresh] {
            for e in reports::activity(&hannah, f, fetch).unwrap() {
                assert!(in_scope(&e), "{f:?} gave hannah {e:?}");
                saw_staff_on_harlow |= e.event.actor.name.as_deref() == Some("sue.supervisor");
            }
        }
        for e in reports::export_events(&hannah, f).unwrap() {
            assert!(in_scope(&e), "export {f:?} gave hannah {e:?}");
        }
        let csv = reports::to_csv(&reports::export_events(&hannah, f).unwrap()).unwrap();
        for other in [
            "mia.meridian",
            "kim.kestrel",
            meridian_ref.as_str(),
            "MERIDIAN",
            "KESTREL",
        ] {
            assert!(!csv.contains(other), "export {f:?} holds {other}:\n{csv}");
        }
    }
    assert!(
        saw_staff_on_harlow,
        "agency staff on HARLOW's case are in hannah's report"
    );
    for s in reports::sessions(&hannah, Fetch::Look).unwrap() {
        assert_eq!(s.org_code, "HARLOW", "{s:?}");
    }
    assert!(
        reports::top_viewers(&hannah, &meridian_ref, Fetch::Look)
            .unwrap()
            .is_empty(),
        "nobody viewed another client's case, as far as hannah can tell"
    );
    // A client user has no reports at all.
    let harry = w.login("harry.harlow");
    assert!(reports::activity(&harry, &ActivityFilter::default(), Fetch::Look).is_err());
}

#[test]
fn an_open_session_whose_heartbeat_stops_shows_as_lost() {
    let w = World::demo();
    let carl = w.login("carl.caseworker");
    let carl_sid = carl.info().id.0.clone();
    let sue = w.login("sue.supervisor");
    let state = |sue: &Session| {
        reports::sessions(sue, Fetch::Refresh)
            .unwrap()
            .into_iter()
            .find(|s| s.id == carl_sid)
            .unwrap()
            .state
    };
    assert_eq!(state(&sue), SessionState::Online);
    w.advance_ms(reports::LOST_AFTER + 1_000);
    sue.heartbeat().unwrap();
    assert_eq!(state(&sue), SessionState::Lost);
    carl.heartbeat().unwrap();
    assert_eq!(state(&sue), SessionState::Online);
    carl.logout().unwrap();
    assert_eq!(state(&sue), SessionState::Ended);
}

/// The chart's logins and views per hour, counted from the events themselves (the export
/// of the same filter, in the same scope).
fn hours_from_events(s: &Session, f: &ActivityFilter) -> BTreeMap<i64, (i64, i64)> {
    let mut hours = BTreeMap::new();
    for e in reports::export_events(s, f).unwrap() {
        let hour = e.event.at.0.div_euclid(Millis::HOUR) * Millis::HOUR;
        let counts: &mut (i64, i64) = hours.entry(hour).or_default();
        match e.event.action.as_str() {
            "login" => counts.0 += 1,
            "case.view" | "attachment.view" | "case.list" => counts.1 += 1,
            _ => {}
        }
    }
    hours
}

/// Five hours of work from T0, a step of 17 minutes, so every hour has some: staff and
/// client people open and list cases of two clients, and a stranger fails to log in.
/// Gives HARLOW's case reference.
fn five_hours_of_work(w: &World) -> String {
    let (harlow, harlow_ref, meridian, _) = fixture(w);
    for step in 0..18 {
        w.advance_ms(17 * Millis::MINUTE);
        let (who, case) = match step % 4 {
            0 => ("sue.supervisor", meridian),
            1 => ("carl.caseworker", harlow),
            2 => ("harry.harlow", harlow),
            _ => ("mia.meridian", meridian),
        };
        let s = w.login(who);
        cases::open(&s, case).unwrap();
        cases::list(&s, &ListQuery::default()).unwrap();
        s.logout().unwrap();
        if step % 3 == 0 {
            let _ = w.login_with("kim.kestrel", "wrong password");
        }
    }
    harlow_ref
}

/// The chart a viewer gets for `f`, hours with nothing to show left out.
fn charted(s: &Session, f: &ActivityFilter) -> BTreeMap<i64, (i64, i64)> {
    reports::per_hour(s, f, Fetch::Refresh)
        .unwrap()
        .into_iter()
        .filter(|h| h.logins + h.views > 0)
        .map(|h| (h.hour.0, (h.logins, h.views)))
        .collect()
}

/// The same from the events themselves.
fn counted(s: &Session, f: &ActivityFilter) -> BTreeMap<i64, (i64, i64)> {
    let mut hours = hours_from_events(s, f);
    hours.retain(|_, (logins, views)| *logins + *views > 0);
    hours
}

/// Whether a client admin's export holds agency staff's views of the organisation's
/// case: what makes a client admin's chart depend on the case organisation of the counts.
fn staff_views_in_scope(hannah: &Session) -> usize {
    reports::export_events(hannah, &ActivityFilter::default())
        .unwrap()
        .iter()
        .filter(|e| {
            e.event.actor.name.as_deref() == Some("carl.caseworker")
                && e.event.action == "case.view"
        })
        .count()
}

#[test]
fn the_chart_counts_every_hour_as_its_events_do_for_any_range_and_scope() {
    let w = World::demo();
    // Each range below starts and ends inside an hour as well as on one.
    let harlow_ref = five_hours_of_work(&w);
    let start = common::T0;
    let at = |minutes: i64| Some(start.plus_ms(minutes * Millis::MINUTE));
    let ranges = [
        (None, None),
        (at(0), None),
        (at(23), at(250)),
        (at(60), at(240)),
        (at(61), at(119)),
        (at(70), at(80)),
        (None, at(200)),
    ];
    let hannah = w.login("hannah.harlow");
    let sue = w.login("sue.supervisor");
    for (viewer, s) in [("sue", &sue), ("hannah", &hannah)] {
        for (since, until) in ranges {
            for f in [
                ActivityFilter::default(),
                ActivityFilter {
                    outcome: Some(Outcome::Failed),
                    ..ActivityFilter::default()
                },
                ActivityFilter {
                    case: Some(harlow_ref.clone()),
                    ..ActivityFilter::default()
                },
                ActivityFilter {
                    user: Some("carl.caseworker".into()),
                    ..ActivityFilter::default()
                },
            ] {
                let f = ActivityFilter { since, until, ..f };
                assert_eq!(charted(s, &f), counted(s, &f), "{viewer}, {f:?}");
            }
        }
    }
    assert!(
        staff_views_in_scope(&hannah) > 0,
        "hannah's chart counts agency staff's views of HARLOW's case"
    );
}

/// The counts of events written before migration 0011 come from its backfill: the same
/// installation taken back to schema 10 (the counts, their trigger and the later index
/// dropped) and opened again gives the same charts.
#[test]
fn the_hourly_counts_of_earlier_events_come_from_the_migration() {
    let w = World::demo();
    five_hours_of_work(&w);
    let key = common::data_key(&w);
    let db = pecs::store::Db::open(&w.pecs.paths.db, &key, Default::default()).unwrap();
    db.conn()
        .execute_batch(
            "DROP TRIGGER audit_hours_count; DROP TABLE audit_hours;
             DROP INDEX cases_archive_state; PRAGMA user_version = 10;",
        )
        .unwrap();
    drop(db);
    // The next login opens the database and migrates it again.
    let hannah = w.login("hannah.harlow");
    let sue = w.login("sue.supervisor");
    assert!(staff_views_in_scope(&hannah) > 0);
    let day = ActivityFilter {
        since: Some(common::T0),
        until: Some(common::T0.plus_ms(24 * Millis::HOUR)),
        ..ActivityFilter::default()
    };
    for (viewer, s) in [("sue", &sue), ("hannah", &hannah)] {
        let whole = charted(s, &day);
        assert!(whole.len() >= 5, "{viewer}: {whole:?}");
        assert_eq!(whole, counted(s, &day), "{viewer}");
    }
}
