//! The paper register and subject access requests: a paper item is registered with a
//! key holder authorised for its unit, moves out and back, and can be recorded destroyed
//! only after its case's retention ends, with a witness; a subject access request gets
//! its legal due date and exports everything held about the subject.

mod common;

use common::{World, close_case, details, open_case};
use pecs::domain::CaseType;
use pecs::service::cases::{self, Details};
use pecs::service::paper::{self, Method};
use pecs::service::{ServiceError, subject_access};

fn invalid<T: std::fmt::Debug>(r: pecs::service::Result<T>) -> String {
    match r {
        Err(ServiceError::Invalid(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A HARLOW case for Rhiannon Pryce, assigned to carl, with a note and a document.
fn case(w: &World) -> (pecs::domain::CaseId, String) {
    let c = open_case(
        w,
        "HARLOW",
        Details {
            case_type: CaseType::Investigation,
            subject_address: "2 Castle St".into(),
            ..details("Rhiannon Pryce", Some("HF-RP"))
        },
    );
    let gina = w.login("gina.admin");
    let directory = cases::directory(&gina).unwrap();
    let carl = directory.person_by_name("carl.caseworker").unwrap().id;
    cases::assign(&gina, c.id, Some(carl)).unwrap();
    cases::add_note(&gina, c.id, "internal: seen in Cardiff", false).unwrap();
    cases::add_document(
        &gina,
        c.id,
        "statement.txt",
        "text/plain",
        b"STATEMENT",
        true,
    )
    .unwrap();
    gina.logout().unwrap();
    (c.id, c.reference)
}

#[test]
fn paper_is_registered_moved_and_destroyed_only_after_retention() {
    let w = World::demo();
    let (id, reference) = case(&w);
    let gina = w.login("gina.admin");
    paper::create_filing_unit(&gina, "Cabinet A").unwrap();
    assert!(matches!(
        paper::create_filing_unit(&gina, "Cabinet A"),
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(
        invalid(paper::register(
            &gina,
            &reference,
            "signed statement",
            "Cabinet A",
            "cara.caseworker"
        )),
        "cara.caseworker does not hold a key to Cabinet A."
    );
    paper::authorise_key_holder(&gina, "Cabinet A", "cara.caseworker").unwrap();
    let item = paper::register(
        &gina,
        &reference,
        "signed statement",
        "Cabinet A",
        "cara.caseworker",
    )
    .unwrap();
    gina.logout().unwrap();

    // carl's case: he may move its paper; a caseworker may not run the office side.
    let carl = w.login("carl.caseworker");
    assert!(matches!(
        paper::create_filing_unit(&carl, "Cabinet B"),
        Err(ServiceError::Forbidden)
    ));
    paper::check_out(&carl, item, "carl.caseworker").unwrap();
    assert!(matches!(
        paper::check_out(&carl, item, "cara.caseworker"),
        Err(ServiceError::Conflict(_))
    ));
    paper::check_in(&carl, item).unwrap();
    carl.logout().unwrap();
    // cara is not assigned: the item is not hers to move.
    let cara = w.login("cara.caseworker");
    assert!(matches!(
        paper::check_out(&cara, item, "cara.caseworker"),
        Err(ServiceError::NotFound)
    ));
    cara.logout().unwrap();
    // Clients never reach the register.
    let hannah = w.login("hannah.harlow");
    assert!(matches!(
        paper::check_out(&hannah, item, "carl.caseworker"),
        Err(ServiceError::Forbidden)
    ));
    hannah.logout().unwrap();

    let sue = w.login("sue.supervisor");
    assert!(
        invalid(paper::record_destruction(
            &sue,
            item,
            Method::CrossCutOnSite,
            "SHRED-1",
            "steve.supervisor",
            "2026-12-04"
        ))
        .contains("retention has not ended")
    );
    sue.logout().unwrap();
    close_case(&w, id);
    w.advance_ms(2_192 * 24 * 3_600_000);
    let sue = w.login("sue.supervisor");
    assert_eq!(
        invalid(paper::record_destruction(
            &sue,
            item,
            Method::ConfidentialWaste,
            "CW-77",
            "sue.supervisor",
            "2032-12-04"
        )),
        "The witness must be someone else."
    );
    paper::record_destruction(
        &sue,
        item,
        Method::ConfidentialWaste,
        "CW-77",
        "steve.supervisor",
        "2032-12-04",
    )
    .unwrap();
    assert!(matches!(
        paper::record_destruction(
            &sue,
            item,
            Method::ConfidentialWaste,
            "CW-78",
            "steve.supervisor",
            "2032-12-04"
        ),
        Err(ServiceError::Conflict(_))
    ));
    let listed = paper::register_list(&sue).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].destroyed_on.as_deref(), Some("2032-12-04"));
    assert_eq!(listed[0].key_holder, "cara.caseworker");
    sue.logout().unwrap();
    let sam = w.login("sam.sysadmin");
    assert!(
        paper::register_list(&sam).unwrap()[0]
            .description
            .is_empty(),
        "no personal data for sysadmins"
    );
}

#[test]
fn a_subject_access_request_is_due_in_a_calendar_month_and_exports_everything_held() {
    let w = World::demo();
    let (_, reference) = case(&w);
    let sue = w.login("sue.supervisor");
    let (id, due) = subject_access::log_request(&sue, "Rhiannon Pryce", "31/01/2027").unwrap();
    assert_eq!(due, "2027-02-28");
    assert_eq!(subject_access::open_requests(&sue).unwrap().len(), 1);
    let folder = w.tmp.path().join("sar-1");
    let done = subject_access::export(&sue, id, &folder, &[]).unwrap();
    assert_eq!((done.cases, done.notes, done.documents), (1, 1, 1));
    let json = std::fs::read_to_string(folder.join("subject.json")).unwrap();
    assert!(
        json.contains(&reference) && json.contains("internal: seen in Cardiff"),
        "{json}"
    );
    let files: Vec<_> = std::fs::read_dir(folder.join("documents"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
    assert!(subject_access::open_requests(&sue).unwrap().is_empty());
    // A folder that exists is never written into.
    let (again, _) = subject_access::log_request(&sue, "Rhiannon Pryce", "2027-02-01").unwrap();
    assert!(
        invalid(subject_access::export(&sue, again, &folder, &[])).contains("Nothing was exported")
    );
    sue.logout().unwrap();
    for other in [
        "carl.caseworker",
        "gina.admin",
        "hannah.harlow",
        "sam.sysadmin",
    ] {
        let s = w.login(other);
        assert!(
            matches!(
                subject_access::log_request(&s, "Rhiannon Pryce", "2027-01-31"),
                Err(ServiceError::Forbidden)
            ),
            "{other}"
        );
    }
}

#[test]
fn a_subject_is_found_without_case_or_accents_and_the_supervisor_can_name_the_cases() {
    let w = World::demo();
    let (_, pryce) = case(&w);
    let muller = open_case(&w, "MERIDIAN", details("Jürgen Müller", Some("M-JM"))).reference;
    let other = open_case(&w, "MERIDIAN", details("Jurgen Mullery", Some("M-JX"))).reference;
    let obrien = open_case(&w, "KESTREL", details("Siobhán O'Brien-Hart", Some("K-SO"))).reference;
    let sue = w.login("sue.supervisor");
    let (id, _) = subject_access::log_request(&sue, "  jurgen   MULLER ", "2027-01-05").unwrap();
    let found: Vec<String> = subject_access::matches(&sue, id)
        .unwrap()
        .into_iter()
        .map(|c| c.reference)
        .collect();
    assert_eq!(found, vec![muller.clone()], "not {other}, not {pryce}");
    // Punctuation splits words as the search index does: a curly apostrophe, a space
    // for a hyphen.
    let (by_words, _) =
        subject_access::log_request(&sue, "Siobhan O’Brien Hart", "2027-01-05").unwrap();
    let found: Vec<String> = subject_access::matches(&sue, by_words)
        .unwrap()
        .into_iter()
        .map(|c| c.reference)
        .collect();
    assert_eq!(found, vec![obrien]);
    // The supervisor names the cases: exactly those are exported.
    let folder = w.tmp.path().join("sar-chosen");
    let done = subject_access::export(
        &sue,
        id,
        &folder,
        &[muller.to_lowercase(), pryce.clone(), muller.clone()],
    )
    .unwrap();
    assert_eq!(done.cases, 2, "a case named twice is exported once");
    let json = std::fs::read_to_string(folder.join("subject.json")).unwrap();
    assert!(json.contains(&muller) && json.contains(&pryce) && !json.contains(&other));
    // A reference that names no case exports nothing.
    let (again, _) = subject_access::log_request(&sue, "Jürgen Müller", "2027-01-06").unwrap();
    let nowhere = w.tmp.path().join("sar-none");
    let said = invalid(subject_access::export(
        &sue,
        again,
        &nowhere,
        &[muller, "PE-1999-000001".into()],
    ));
    assert!(said.contains("no case PE-1999-000001"), "{said}");
    assert!(!nowhere.exists());
    assert!(
        std::fs::read_dir(w.tmp.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial")),
        "no staging folder left behind"
    );
    assert_eq!(subject_access::open_requests(&sue).unwrap().len(), 2);
}

#[test]
fn paper_records_and_request_logs_refuse_delete_from_a_raw_connection() {
    let w = World::demo();
    let (_, reference) = case(&w);
    let gina = w.login("gina.admin");
    paper::create_filing_unit(&gina, "Strong room").unwrap();
    paper::authorise_key_holder(&gina, "Strong room", "carl.caseworker").unwrap();
    let item = paper::register(
        &gina,
        &reference,
        "passport copy",
        "Strong room",
        "carl.caseworker",
    )
    .unwrap();
    paper::check_out(&gina, item, "carl.caseworker").unwrap();
    gina.logout().unwrap();
    let sue = w.login("sue.supervisor");
    subject_access::log_request(&sue, "Rhiannon Pryce", "2026-12-01").unwrap();
    sue.logout().unwrap();
    let key = common::data_key(&w);
    let db = pecs::store::Db::open(&w.pecs.paths.db, &key, Default::default()).unwrap();
    for table in [
        "filing_units",
        "paper_items",
        "paper_movements",
        "subject_access_requests",
    ] {
        let err = db
            .conn()
            .execute(&format!("DELETE FROM {table}"), [])
            .expect_err(table);
        assert!(err.to_string().contains("never deleted"), "{table}: {err}");
    }
}
