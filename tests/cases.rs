//! Cases through the service layer: who may do what (DESIGN.md §3, with real calls),
//! other organisations' ids reading as NotFound, internal notes and documents never
//! reaching a client by any path, search with folded diacritics, stale edits refused,
//! and documents kept encrypted at rest.

mod common;

use common::World;
use pecs::domain::{CaseId, CaseStatus, CaseType, Priority};
use pecs::service::cases::{self, Details, ListQuery, NewCase};
use pecs::service::{ServiceError, Session, orgs};
use rstest::rstest;

fn org(w: &World, code: &str) -> pecs::domain::OrgId {
    let sam = w.login("sam.sysadmin");
    let id = orgs::list(&sam)
        .unwrap()
        .into_iter()
        .find(|o| o.code == code)
        .unwrap()
        .id;
    sam.logout().unwrap();
    id
}

fn instruction(client: pecs::domain::OrgId, name: &str, client_ref: &str) -> NewCase {
    NewCase {
        client_org: client,
        details: Details {
            client_ref: Some(client_ref.into()),
            case_type: CaseType::Trace,
            subject_name: name.into(),
            subject_dob: Some("14/02/1980".into()),
            subject_address: "1 Mill Lane, Harlow".into(),
            priority: Priority::Normal,
            due_date: Some("2026-12-20".into()),
        },
    }
}

/// A HARLOW case assigned to carl, with one internal and one client-visible note and
/// one document of each kind.
struct Fixture {
    w: World,
    harlow_case: CaseId,
    meridian_case: CaseId,
}

fn fixture() -> Fixture {
    let w = World::demo();
    let (harlow, meridian) = (org(&w, "HARLOW"), org(&w, "MERIDIAN"));
    let gina = w.login("gina.admin");
    let c = cases::create(&gina, &instruction(harlow, "Anna Müller", "HF-1")).unwrap();
    let m = cases::create(&gina, &instruction(meridian, "Bob Meridian", "MBC-1")).unwrap();
    let carl = w.user("carl.caseworker");
    cases::assign(&gina, c.id, Some(carl.id)).unwrap();
    cases::add_note(
        &gina,
        c.id,
        "INTERNAL-MARKER: subject seen at the pub",
        false,
    )
    .unwrap();
    cases::add_note(&gina, c.id, "We have an address for the subject.", true).unwrap();
    cases::add_document(
        &gina,
        c.id,
        "internal.txt",
        "text/plain",
        b"INTERNAL-DOC-MARKER",
        false,
    )
    .unwrap();
    cases::add_document(
        &gina,
        c.id,
        "for-client.txt",
        "text/plain",
        b"client copy",
        true,
    )
    .unwrap();
    gina.logout().unwrap();
    Fixture {
        w,
        harlow_case: c.id,
        meridian_case: m.id,
    }
}

fn outcome<T>(r: pecs::service::Result<T>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(ServiceError::Forbidden) => "forbidden",
        Err(ServiceError::NotFound) => "not found",
        Err(ServiceError::Invalid(_)) => "invalid",
        Err(ServiceError::Conflict(_)) => "conflict",
        Err(e) => panic!("unexpected {e:?}"),
    }
}

/// Each role on the HARLOW case (assigned to carl): open, add an internal note, add a
/// client-visible note, move it on, close it (from completed), assign.
#[rstest]
#[case::sysadmin("sam.sysadmin", ["forbidden", "forbidden", "forbidden", "forbidden", "forbidden"])]
#[case::supervisor("sue.supervisor", ["ok", "ok", "ok", "ok", "ok"])]
#[case::assigned_caseworker("carl.caseworker", ["ok", "ok", "ok", "ok", "forbidden"])]
#[case::other_caseworker("cara.caseworker", ["not found", "not found", "not found", "not found", "forbidden"])]
#[case::general_admin("gina.admin", ["ok", "ok", "ok", "forbidden", "ok"])]
#[case::client_admin("hannah.harlow", ["ok", "forbidden", "ok", "forbidden", "forbidden"])]
#[case::client_user("harry.harlow", ["ok", "forbidden", "ok", "forbidden", "forbidden"])]
#[case::other_client("mia.meridian", ["not found", "forbidden", "not found", "forbidden", "forbidden"])]
fn each_role_on_one_case(#[case] who: &str, #[case] want: [&str; 5]) {
    let f = fixture();
    let s = f.w.login(who);
    let id = f.harlow_case;
    let got = [
        outcome(cases::open(&s, id)),
        outcome(cases::add_note(&s, id, "internal", false)),
        outcome(cases::add_note(&s, id, "message", true)),
        outcome(cases::set_status(&s, id, CaseStatus::Active)),
        outcome(cases::assign(&s, id, None)),
    ];
    assert_eq!(got, want, "{who}");
    s.logout().unwrap();
}

#[test]
fn only_supervisors_close_and_only_by_the_workflow() {
    let f = fixture();
    let sue = f.w.login("sue.supervisor");
    let carl = f.w.login("carl.caseworker");
    let id = f.harlow_case;
    assert_eq!(
        outcome(cases::set_status(&carl, id, CaseStatus::Closed)),
        "forbidden"
    );
    assert_eq!(
        outcome(cases::set_status(&sue, id, CaseStatus::Closed)),
        "invalid",
        "new cannot close"
    );
    cases::set_status(&carl, id, CaseStatus::Active).unwrap();
    cases::set_status(&carl, id, CaseStatus::OnHold).unwrap();
    cases::set_status(&carl, id, CaseStatus::Active).unwrap();
    cases::set_status(&carl, id, CaseStatus::Completed).unwrap();
    cases::set_status(&sue, id, CaseStatus::Closed).unwrap();
    let file = cases::open(&sue, id).unwrap();
    assert!(file.case.closed_at.is_some() && file.case.completed_at.is_some());
    let moves: Vec<&str> = file.history.iter().map(|h| h.to.as_str()).collect();
    assert_eq!(
        moves,
        ["new", "active", "on_hold", "active", "completed", "closed"]
    );
}

#[test]
fn clients_never_receive_internal_notes_or_documents() {
    let f = fixture();
    for who in ["hannah.harlow", "harry.harlow"] {
        let s = f.w.login(who);
        let file = cases::open(&s, f.harlow_case).unwrap();
        assert!(
            file.notes.iter().all(|n| n.client_visible),
            "{who}: {:?}",
            file.notes
        );
        assert!(!format!("{:?}", file).contains("INTERNAL-MARKER"));
        assert_eq!(file.documents.len(), 1, "{who}");
        assert!(file.documents.iter().all(|d| d.client_visible));
        let internal = internal_document(&f);
        assert_eq!(
            outcome(cases::view_document(&s, internal)),
            "not found",
            "{who}"
        );
        let listed = cases::list(
            &s,
            &ListQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(listed.len(), 1, "{who} sees only HARLOW's case");
        assert!(!format!("{listed:?}").contains("INTERNAL-MARKER"));
        assert_eq!(
            cases::search(&s, "bob", 10).unwrap().len(),
            0,
            "{who}: MERIDIAN's case is not findable"
        );
        assert_eq!(
            outcome(cases::open(&s, f.meridian_case)),
            "not found",
            "{who}"
        );
        s.logout().unwrap();
    }
    let sue = f.w.login("sue.supervisor");
    let file = cases::open(&sue, f.harlow_case).unwrap();
    assert_eq!(file.notes.len(), 2);
    assert_eq!(file.documents.len(), 2);
}

fn internal_document(f: &Fixture) -> pecs::domain::DocumentId {
    let sue = f.w.login("sue.supervisor");
    let id = cases::open(&sue, f.harlow_case)
        .unwrap()
        .documents
        .into_iter()
        .find(|d| !d.client_visible)
        .unwrap()
        .id;
    sue.logout().unwrap();
    id
}

#[test]
fn a_client_cannot_open_a_case_for_another_client() {
    let f = fixture();
    let hannah = f.w.login("hannah.harlow");
    let meridian = org(&f.w, "MERIDIAN");
    assert_eq!(
        outcome(cases::create(&hannah, &instruction(meridian, "X", "R"))),
        "not found"
    );
    let harlow = org(&f.w, "HARLOW");
    let own = cases::create(&hannah, &instruction(harlow, "Carol Client", "HF-2")).unwrap();
    assert!(own.reference.starts_with("PE-2026-"), "{}", own.reference);
    assert_eq!(
        outcome(cases::create(&hannah, &instruction(harlow, "Dup", "HF-2"))),
        "conflict"
    );
}

#[test]
fn search_folds_diacritics_and_stays_in_scope() {
    let f = fixture();
    let sue = f.w.login("sue.supervisor");
    let found = cases::search(&sue, "muller", 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject_name, "Anna Müller");
    assert_eq!(cases::search(&sue, "mül", 10).unwrap().len(), 1, "a prefix");
    assert_eq!(
        cases::search(&sue, "\"; DROP TABLE cases; --", 10)
            .unwrap()
            .len(),
        0
    );
    let cara = f.w.login("cara.caseworker");
    assert!(
        cases::search(&cara, "muller", 10).unwrap().is_empty(),
        "not assigned to cara"
    );
}

#[test]
fn a_stale_edit_names_who_saved_first_and_changes_nothing() {
    let f = fixture();
    let carl = f.w.login("carl.caseworker");
    let gina = f.w.login("gina.admin");
    let seen = cases::open(&carl, f.harlow_case).unwrap().case;
    let details = |name: &str| Details {
        client_ref: seen.client_ref.clone(),
        case_type: seen.case_type,
        subject_name: name.into(),
        subject_dob: seen.subject_dob.clone(),
        subject_address: seen.subject_address.clone(),
        priority: Priority::High,
        due_date: seen.due_date.clone(),
    };
    cases::edit(&gina, f.harlow_case, seen.version, &details("Anna Mueller")).unwrap();
    match cases::edit(&carl, f.harlow_case, seen.version, &details("Anna Miller")) {
        Err(ServiceError::Conflict(why)) => {
            assert!(why.starts_with("gina.admin changed this case"), "{why}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        cases::open(&carl, f.harlow_case).unwrap().case.subject_name,
        "Anna Mueller"
    );
}

#[test]
fn voided_notes_stay_and_only_supervisors_read_them() {
    let f = fixture();
    let carl = f.w.login("carl.caseworker");
    let note = cases::add_note(&carl, f.harlow_case, "wrong house number", false).unwrap();
    let gina_note = cases::open(&carl, f.harlow_case).unwrap().notes[0].id;
    assert_eq!(
        outcome(cases::void_note(&carl, gina_note, "not mine")),
        "not found",
        "own notes only"
    );
    cases::void_note(&carl, note, "entered in error").unwrap();
    assert_eq!(outcome(cases::void_note(&carl, note, "again")), "conflict");
    let mine = |s: &Session| {
        cases::open(s, f.harlow_case)
            .unwrap()
            .notes
            .into_iter()
            .find(|n| n.id == note)
            .unwrap()
    };
    let seen = mine(&carl);
    assert!(seen.voided.is_some() && seen.body.is_empty());
    let sue = f.w.login("sue.supervisor");
    assert_eq!(mine(&sue).body, "wrong house number");
}

#[test]
fn dates_are_iso_or_uk_and_never_month_first() {
    assert_eq!(
        cases::parse_date("d", "2026-03-04").unwrap().as_deref(),
        Some("2026-03-04")
    );
    assert_eq!(
        cases::parse_date("d", "04/03/2026").unwrap().as_deref(),
        Some("2026-03-04")
    );
    assert!(
        cases::parse_date("d", "03/25/2026").is_err(),
        "month first is refused"
    );
    assert!(cases::parse_date("d", "2026-02-30").is_err());
}

#[test]
fn documents_are_not_plaintext_at_rest() {
    let f = fixture();
    let dir = f.w.pecs.paths.dir.clone();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for needle in [
            &b"INTERNAL-DOC-MARKER"[..],
            b"INTERNAL-MARKER",
            "Müller".as_bytes(),
        ] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        }
    }
}

/// Each role, the rest of the case actions: create for HARLOW, edit details, attach,
/// view the client-visible document, CSV import, export.
#[rstest]
#[case::sysadmin("sam.sysadmin", ["forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"])]
#[case::supervisor("sue.supervisor", ["ok", "ok", "ok", "ok", "ok", "ok"])]
#[case::assigned_caseworker("carl.caseworker", ["forbidden", "ok", "ok", "ok", "forbidden", "forbidden"])]
#[case::other_caseworker("cara.caseworker", ["forbidden", "not found", "not found", "not found", "forbidden", "forbidden"])]
#[case::general_admin("gina.admin", ["ok", "ok", "ok", "ok", "ok", "forbidden"])]
#[case::client_admin("hannah.harlow", ["ok", "forbidden", "ok", "ok", "ok", "ok"])]
#[case::client_user("harry.harlow", ["ok", "forbidden", "ok", "ok", "ok", "forbidden"])]
#[case::other_client("mia.meridian", ["not found", "forbidden", "not found", "not found", "not found", "not found"])]
fn each_role_on_the_other_case_actions(#[case] who: &str, #[case] want: [&str; 6]) {
    use pecs::service::instructions::{self, Format};
    let f = fixture();
    let harlow = org(&f.w, "HARLOW");
    let client_doc = {
        let sue = f.w.login("sue.supervisor");
        let file = cases::open(&sue, f.harlow_case).unwrap();
        sue.logout().unwrap();
        file.documents
            .into_iter()
            .find(|d| d.client_visible)
            .unwrap()
            .id
    };
    let s = f.w.login(who);
    let id = f.harlow_case;
    let details = Details {
        client_ref: Some("HF-1".into()),
        case_type: CaseType::Trace,
        subject_name: "Anna Müller".into(),
        subject_dob: None,
        subject_address: "2 Mill Lane".into(),
        priority: Priority::High,
        due_date: None,
    };
    let csv = format!("client_ref,case_type,subject_name\n{who}-1,trace,Someone\n");
    let got = [
        outcome(cases::create(
            &s,
            &instruction(harlow, "New Subject", &format!("{who}-new")),
        )),
        outcome(cases::edit(&s, id, 2, &details)),
        outcome(cases::add_document(
            &s,
            id,
            "x.txt",
            "text/plain",
            b"x",
            true,
        )),
        outcome(cases::view_document(&s, client_doc)),
        outcome(instructions::import_csv(&s, "HARLOW", csv.as_bytes())),
        outcome(instructions::export(&s, "HARLOW", Format::Csv)),
    ];
    assert_eq!(got, want, "{who}");
}
