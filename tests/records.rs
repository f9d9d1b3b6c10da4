//! Records keeping: a closed case is kept until its retention date; destruction is
//! refused too early, under a legal hold, to the person who asked, and to every other
//! role; an approval by a second supervisor redacts the personal data (database and
//! search index) and issues a certificate; triggers refuse DELETE from a raw connection.

mod common;

use common::{World, close_case, data_key, details, open_case};
use pecs::domain::CaseId;
use pecs::service::cases::{self, Details};
use pecs::service::{ServiceError, records};
use pecs::store::Db;

const NAME: &str = "Zebedee Quartermaine";
const NOTE: &str = "Quartermaine drinks at the Lamb and Flag on Fridays";
const DOC: &[u8] = b"QUARTERMAINE-DOC statement of means";

/// A HARLOW case with a note and a document, closed by sue on 2026-12-04.
fn closed_case(w: &World) -> (CaseId, String) {
    let case = open_case(
        w,
        "HARLOW",
        Details {
            subject_dob: Some("1970-01-02".into()),
            subject_address: "9 Quartermaine Row, Harlow".into(),
            ..details(NAME, Some("HF-QM-1"))
        },
    );
    let gina = w.login("gina.admin");
    cases::add_note(&gina, case.id, NOTE, false).unwrap();
    cases::add_document(&gina, case.id, "quartermaine.txt", "text/plain", DOC, false).unwrap();
    gina.logout().unwrap();
    close_case(w, case.id);
    (case.id, case.reference)
}

fn refused(r: pecs::service::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(ServiceError::Invalid(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// 2026-12-04 plus six years is 2032-12-04: 2,192 days (two leap days).
const SIX_YEARS_MS: i64 = 2_192 * 24 * 3_600_000;

#[test]
fn closing_sets_the_retention_date_six_years_on() {
    let w = World::demo();
    let (id, _) = closed_case(&w);
    let sue = w.login("sue.supervisor");
    let case = cases::open(&sue, id).unwrap().case;
    assert_eq!(case.retain_until.as_deref(), Some("2032-12-04"));
    let rows = records::retention_report(&sue).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].retain_until.as_deref(), Some("2032-12-04"));
}

#[test]
fn every_refusal_then_two_supervisors_destroy_it_and_nothing_personal_remains() {
    let w = World::demo();
    let (id, reference) = closed_case(&w);
    let sue = w.login("sue.supervisor");
    assert_eq!(
        refused(records::request_destruction(
            &sue,
            &reference,
            "client asked"
        )),
        format!("{reference} must be kept until 2032-12-04.")
    );
    sue.logout().unwrap();

    w.advance_ms(SIX_YEARS_MS);
    let sue = w.login("sue.supervisor");
    records::set_legal_hold(&sue, &reference, "litigation: Harlow v Q").unwrap();
    assert_eq!(
        refused(records::request_destruction(
            &sue,
            &reference,
            "retention over"
        )),
        format!("{reference} is under a legal hold (litigation: Harlow v Q).")
    );
    assert!(refused(records::clear_legal_hold(&sue, &reference, " ")).contains("needs a reason"));
    records::clear_legal_hold(&sue, &reference, "case settled").unwrap();
    let request = records::request_destruction(&sue, &reference, "retention over").unwrap();
    assert!(matches!(
        records::request_destruction(&sue, &reference, "again"),
        Err(ServiceError::Conflict(_))
    ));
    assert!(refused(records::decide_destruction(&sue, request, true, "ok")).contains("two people"));
    for other in [
        "carl.caseworker",
        "gina.admin",
        "hannah.harlow",
        "sam.sysadmin",
    ] {
        let s = w.login(other);
        assert!(
            matches!(
                records::decide_destruction(&s, request, true, "ok"),
                Err(ServiceError::Forbidden)
            ),
            "{other} may not approve"
        );
        assert!(
            matches!(
                records::set_legal_hold(&s, &reference, "x"),
                Err(ServiceError::Forbidden)
            ),
            "{other} may not hold"
        );
    }
    let steve = w.login("steve.supervisor");
    let done = records::decide_destruction(&steve, request, true, "checked the file").unwrap();
    assert_eq!(done.certificate.as_deref(), Some("PE-DC-2032-0001"));
    assert!(matches!(
        records::decide_destruction(&steve, request, true, "twice"),
        Err(ServiceError::NotFound)
    ));

    // The tombstone: reference and dates stay, the personal data is gone.
    let file = cases::open(&steve, id).unwrap();
    assert_eq!(file.case.reference, reference);
    assert_eq!(file.case.subject_name, "[destroyed]");
    assert!(file.case.subject_dob.is_none() && file.case.client_ref.is_none());
    assert!(file.notes.iter().all(|n| n.body.is_empty()));
    assert!(file.documents.iter().all(|d| d.file_name == "[destroyed]"));
    assert!(
        cases::search(&steve, "Quartermaine", 50)
            .unwrap()
            .is_empty()
    );
    assert!(cases::search(&steve, "Zebedee", 50).unwrap().is_empty());
    let row = records::retention_report(&steve).unwrap().remove(0);
    assert_eq!(row.certificate.as_deref(), Some("PE-DC-2032-0001"));
    assert!(row.destroyed_at.is_some());
    steve.logout().unwrap();
    sue.logout().unwrap();

    // Nowhere in the files after a checkpoint, nor in a decrypted copy of every table
    // (the search index's own tables included).
    let key = data_key(&w);
    let db = Db::open(&w.pecs.paths.db, &key, Default::default()).unwrap();
    db.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let plain = w.tmp.path().join("plain.db");
    std::fs::File::create(&plain).unwrap();
    db.conn()
        .execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
            plain.display()
        ))
        .unwrap();
    let mut files = vec![plain];
    for entry in std::fs::read_dir(&w.pecs.paths.dir).unwrap() {
        files.push(entry.unwrap().path());
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for marker in [
            "Quartermaine",
            "QUARTERMAINE",
            "quartermaine",
            "Zebedee",
            "zebedee",
            // The search index stores a word after the one before it as the part that
            // differs ("qm" then "uartermaine"): those parts must be gone too.
            "uartermaine",
            "ebedee",
        ] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{marker} is still in {}",
                file.display()
            );
        }
    }
}

#[test]
fn a_rejection_keeps_the_case_and_only_closed_cases_are_eligible() {
    let w = World::demo();
    let (id, reference) = closed_case(&w);
    w.advance_ms(SIX_YEARS_MS);
    let sue = w.login("sue.supervisor");
    let steve = w.login("steve.supervisor");
    let request = records::request_destruction(&sue, &reference, "retention over").unwrap();
    let done = records::decide_destruction(&steve, request, false, "client wants it kept").unwrap();
    assert!(done.certificate.is_none());
    assert_eq!(cases::open(&steve, id).unwrap().case.subject_name, NAME);
    // A case still open is never eligible, whatever its age.
    let open = open_case(&w, "HARLOW", details("Open Case", None));
    assert_eq!(
        refused(records::request_destruction(&sue, &open.reference, "tidy")),
        format!(
            "Only a closed case can be destroyed; {} is new.",
            open.reference
        )
    );
    let counts = records::counts(&sue).unwrap();
    assert_eq!((counts.open, counts.eligible, counts.destroyed), (1, 1, 0));
}

#[test]
fn triggers_refuse_delete_from_a_raw_connection() {
    let w = World::demo();
    let (id, reference) = closed_case(&w);
    w.advance_ms(SIX_YEARS_MS);
    let sue = w.login("sue.supervisor");
    records::set_legal_hold(&sue, &reference, "audit").unwrap();
    records::clear_legal_hold(&sue, &reference, "done").unwrap();
    records::request_destruction(&sue, &reference, "retention over").unwrap();
    sue.logout().unwrap();
    let key = data_key(&w);
    let db = Db::open(&w.pecs.paths.db, &key, Default::default()).unwrap();
    for table in [
        "cases",
        "case_notes",
        "case_documents",
        "legal_holds",
        "destructions",
    ] {
        let column = if table == "cases" { "id" } else { "case_id" };
        let err = db
            .conn()
            .execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [id.0])
            .expect_err(table);
        assert!(err.to_string().contains("never deleted"), "{table}: {err}");
    }
}

#[test]
fn a_rectification_keeps_the_previous_value_and_destruction_blanks_it() {
    let w = World::demo();
    let details = Details {
        subject_address: "1 Old Road".into(),
        ..details("Jon Smyth", Some("HF-R"))
    };
    let case = open_case(&w, "HARLOW", details.clone());
    let gina = w.login("gina.admin");
    let corrected = Details {
        subject_name: "John Smythe".into(),
        ..details
    };
    cases::edit(&gina, case.id, case.version, &corrected).unwrap();
    let history = cases::open(&gina, case.id).unwrap().details_history;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].field, "subject_name");
    assert_eq!(history[0].old.as_deref(), Some("Jon Smyth"));
    assert_eq!(history[0].new.as_deref(), Some("John Smythe"));
    gina.logout().unwrap();
    let harry = w.login("harry.harlow");
    assert!(
        cases::open(&harry, case.id)
            .unwrap()
            .details_history
            .is_empty()
    );
    harry.logout().unwrap();

    close_case(&w, case.id);
    w.advance_ms(SIX_YEARS_MS);
    let sue = w.login("sue.supervisor");
    let steve = w.login("steve.supervisor");
    let request = records::request_destruction(&sue, &case.reference, "over").unwrap();
    records::decide_destruction(&steve, request, true, "ok").unwrap();
    let history = cases::open(&steve, case.id).unwrap().details_history;
    assert_eq!(
        history.len(),
        1,
        "the destruction itself is not a rectification"
    );
    assert_eq!(history[0].old.as_deref(), Some("[destroyed]"));
    assert_eq!(history[0].new.as_deref(), Some("[destroyed]"));
}

/// The Archive's counts at a glance, for every state at once, as a supervisor sees them
/// and as a client admin sees their own organisation's.
#[test]
fn the_archive_counts_each_state_in_scope() {
    let w = World::demo();
    let case = |code: &str, name: &str| open_case(&w, code, details(name, None));
    // HARLOW: one open, one completed, one closed the day before the others (so still
    // within retention when they are eligible), three closed and eligible: one held, one
    // with a destruction requested, one destroyed. MERIDIAN: one open, one eligible.
    let open = case("HARLOW", "Open One");
    let completed = case("HARLOW", "Completed One");
    let sue = w.login("sue.supervisor");
    for to in [
        pecs::domain::CaseStatus::Active,
        pecs::domain::CaseStatus::Completed,
    ] {
        cases::set_status(&sue, completed.id, to).unwrap();
    }
    sue.logout().unwrap();
    let eligible: Vec<_> = ["Held One", "Requested One", "Destroyed One"]
        .into_iter()
        .map(|n| case("HARLOW", n))
        .collect();
    for c in &eligible {
        close_case(&w, c.id);
    }
    let meridian_open = case("MERIDIAN", "Meridian Open");
    let meridian_closed = case("MERIDIAN", "Meridian Closed");
    close_case(&w, meridian_closed.id);
    w.advance_ms(24 * 3_600_000);
    let retained = case("HARLOW", "Retained One");
    close_case(&w, retained.id);
    // Six years on from the first closings, less than that from the last.
    w.advance_ms(SIX_YEARS_MS - 12 * 3_600_000);
    let sue = w.login("sue.supervisor");
    let steve = w.login("steve.supervisor");
    records::set_legal_hold(&sue, &eligible[0].reference, "litigation").unwrap();
    records::request_destruction(&sue, &eligible[1].reference, "retention over").unwrap();
    let request = records::request_destruction(&sue, &eligible[2].reference, "over").unwrap();
    records::decide_destruction(&steve, request, true, "checked").unwrap();
    // A hold put on and lifted counts for nothing.
    records::set_legal_hold(&sue, &meridian_closed.reference, "query").unwrap();
    records::clear_legal_hold(&sue, &meridian_closed.reference, "answered").unwrap();
    let _ = (open, meridian_open);

    // open, completed, closed within retention, eligible, on hold, awaiting a decision,
    // destroyed
    let seen = |s: &pecs::service::Session| {
        let c = records::counts(s).unwrap();
        (
            c.open,
            c.completed,
            c.closed_retained,
            c.eligible,
            c.on_hold,
            c.awaiting_decision,
            c.destroyed,
        )
    };
    assert_eq!(seen(&sue), (2, 1, 1, 2, 1, 1, 1), "everyone's");
    let hannah = w.login("hannah.harlow");
    assert_eq!(seen(&hannah), (1, 1, 1, 1, 1, 1, 1), "HARLOW's");
}
