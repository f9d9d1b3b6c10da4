//! Cases through the service layer: who may do what (DESIGN.md §3, with real calls, each
//! call's audit event checked), other organisations' ids reading as NotFound exactly as
//! ids nobody has, internal notes and documents never reaching a client by any path,
//! search with folded diacritics, stale edits refused, and documents kept encrypted at
//! rest.

mod common;

use common::World;
use pecs::domain::{Action, CaseId, CaseStatus, CaseType, DocumentId, NoteId, Outcome, Priority};
use pecs::service::cases::{self, Details, ListQuery, NewCase};
use pecs::service::instructions::{self, Format};
use pecs::service::{ServiceError, Session, audit, orgs};
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
/// one document of each kind (all by gina); an unassigned MERIDIAN case with one
/// client-visible note and document.
struct Fixture {
    w: World,
    harlow_case: CaseId,
    meridian_case: CaseId,
    internal_note: NoteId,
    client_note: NoteId,
    internal_doc: DocumentId,
    client_doc: DocumentId,
    meridian_note: NoteId,
    meridian_doc: DocumentId,
}

fn fixture() -> Fixture {
    let w = World::demo();
    let (harlow, meridian) = (org(&w, "HARLOW"), org(&w, "MERIDIAN"));
    let gina = w.login("gina.admin");
    let c = cases::create(&gina, &instruction(harlow, "Anna Müller", "HF-1")).unwrap();
    let m = cases::create(&gina, &instruction(meridian, "Bob Meridian", "MBC-1")).unwrap();
    let carl = w.user("carl.caseworker");
    cases::assign(&gina, c.id, Some(carl.id)).unwrap();
    let internal_note = cases::add_note(
        &gina,
        c.id,
        "INTERNAL-MARKER: subject seen at the pub",
        false,
    )
    .unwrap();
    let client_note =
        cases::add_note(&gina, c.id, "We have an address for the subject.", true).unwrap();
    let internal_doc = cases::add_document(
        &gina,
        c.id,
        "internal.txt",
        "text/plain",
        b"INTERNAL-DOC-MARKER",
        false,
    )
    .unwrap()
    .id;
    let client_doc = cases::add_document(
        &gina,
        c.id,
        "for-client.txt",
        "text/plain",
        b"client copy",
        true,
    )
    .unwrap()
    .id;
    let meridian_note = cases::add_note(&gina, m.id, "Meridian: letter sent.", true).unwrap();
    let meridian_doc = cases::add_document(
        &gina,
        m.id,
        "meridian.txt",
        "text/plain",
        b"MERIDIAN-DOC-MARKER",
        true,
    )
    .unwrap()
    .id;
    gina.logout().unwrap();
    Fixture {
        w,
        harlow_case: c.id,
        meridian_case: m.id,
        internal_note,
        client_note,
        internal_doc,
        client_doc,
        meridian_note,
        meridian_doc,
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

/// The record a call's audit event must name.
#[derive(Debug)]
enum On {
    /// The id the caller passed.
    Id(String),
    /// The label the caller passed (an organisation's code).
    Label(&'static str),
    /// No record passed: a list, a search, a new case.
    Nothing,
}

fn on(id: impl ToString) -> On {
    On::Id(id.to_string())
}

/// Checks that session `sid` of `who` wrote exactly one audit event per call, in order:
/// the call's action; `ok`, `denied` with the sentence the caller saw, or `failed`, as the
/// call answered; naming the kind of record and the record the caller passed.
fn assert_audited(w: &World, sid: &str, who: &str, calls: &[(Action, &str, On)], answers: &[&str]) {
    assert_eq!(calls.len(), answers.len(), "one answer a call");
    let sue = w.login("sue.supervisor");
    let log = audit::recent_events(&sue, 100_000).unwrap();
    sue.logout().unwrap();
    let mut events: Vec<_> = log
        .iter()
        .map(|e| &e.event)
        .filter(|e| e.session_id.as_deref() == Some(sid))
        .filter(|e| e.action != "login" && e.action != "logout")
        .collect();
    events.reverse();
    assert_eq!(events.len(), calls.len(), "{who}'s session: {events:#?}");
    for (ev, ((action, kind, on), answer)) in events.iter().zip(calls.iter().zip(answers)) {
        let (outcome, reason) = match *answer {
            "ok" => (Outcome::Ok, None),
            "forbidden" => (
                Outcome::Denied,
                Some("You do not have permission to do that."),
            ),
            "not found" => (Outcome::Denied, Some("No such record.")),
            _ => (Outcome::Failed, None),
        };
        let at = format!("{who} {action} answered {answer}: {ev:?}");
        assert_eq!(ev.action, action.as_str(), "{at}");
        assert_eq!(ev.outcome, outcome, "{at}");
        assert_eq!(ev.actor.name.as_deref(), Some(who), "{at}");
        assert_eq!(ev.target.kind, *kind, "{at}");
        match on {
            On::Id(id) => assert_eq!(ev.target.id.as_deref(), Some(id.as_str()), "{at}"),
            On::Label(code) => assert_eq!(ev.target.label.as_deref(), Some(*code), "{at}"),
            On::Nothing => {}
        }
        if let Some(reason) = reason {
            assert_eq!(ev.detail["reason"], reason, "{at}");
        }
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
#[case::other_client_user("kim.kestrel", ["not found", "forbidden", "not found", "forbidden", "forbidden"])]
fn each_role_on_one_case(#[case] who: &str, #[case] want: [&str; 5]) {
    let f = fixture();
    let s = f.w.login(who);
    let sid = s.info().id.0.clone();
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
    assert_audited(
        &f.w,
        &sid,
        who,
        &[
            (Action::CaseView, "case", on(id)),
            (Action::InternalNoteAdd, "case", on(id)),
            (Action::ClientNoteAdd, "case", on(id)),
            (Action::CaseProgressStatus, "case", on(id)),
            (Action::CaseAssign, "case", on(id)),
        ],
        &want,
    );
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

/// What must never reach a client: the internal note's words, the internal document's
/// name and content.
const INTERNAL: [&str; 4] = [
    "INTERNAL-MARKER",
    "seen at the pub",
    "internal.txt",
    "INTERNAL-DOC-MARKER",
];

fn assert_no_internal(who: &str, path: &str, seen: &str) {
    for marker in INTERNAL {
        assert!(
            !seen.contains(marker),
            "{who} received {marker:?} by {path}: {seen}"
        );
    }
}

#[test]
fn clients_never_receive_internal_notes_or_documents() {
    let f = fixture();
    let reference = {
        let sue = f.w.login("sue.supervisor");
        let file = cases::open(&sue, f.harlow_case).unwrap();
        // Voided internal notes are still internal.
        let gone = cases::add_note(&sue, f.harlow_case, "INTERNAL-MARKER again", false).unwrap();
        cases::void_note(&sue, gone, "entered in error").unwrap();
        sue.logout().unwrap();
        file.case.reference
    };
    for who in ["hannah.harlow", "harry.harlow"] {
        let s = f.w.login(who);
        let sid = s.info().id.0.clone();

        // Detail: the case file.
        let file = cases::open(&s, f.harlow_case).unwrap();
        assert!(
            file.notes.iter().all(|n| n.client_visible),
            "{who}: {:?}",
            file.notes
        );
        assert_eq!(
            file.notes.iter().map(|n| n.id).collect::<Vec<_>>(),
            [f.client_note],
            "{who}"
        );
        assert_no_internal(who, "open", &format!("{file:?}"));
        assert_eq!(file.documents.len(), 1, "{who}");
        assert!(file.documents.iter().all(|d| d.client_visible));
        assert_eq!(file.documents[0].id, f.client_doc);

        // A document by id: the internal one is not there, whichever way it is asked for.
        assert_eq!(
            outcome(cases::view_document(&s, f.internal_doc)),
            "not found",
            "{who}"
        );
        let (meta, content) = cases::view_document(&s, f.client_doc).unwrap();
        assert_eq!(content, b"client copy");
        assert_no_internal(who, "view_document", &format!("{meta:?}"));

        // The list and the search.
        let listed = cases::list(
            &s,
            &ListQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(listed.len(), 1, "{who} sees only HARLOW's case");
        assert_no_internal(who, "list", &format!("{listed:?}"));
        for terms in ["muller", "anna", reference.as_str(), "HF-1"] {
            let found = cases::search(&s, terms, 10).unwrap();
            assert_eq!(
                found.iter().map(|c| c.id).collect::<Vec<_>>(),
                [f.harlow_case],
                "{who} searching {terms}"
            );
            assert_no_internal(who, "search", &format!("{found:?}"));
        }
        for terms in ["pub", "INTERNAL", "internal", "marker"] {
            assert_eq!(
                cases::search(&s, terms, 10).unwrap(),
                vec![],
                "{who}: internal words find nothing ({terms})"
            );
        }
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

        // The export: client admins have their cases, never an internal word; client
        // users have no export at all.
        for format in [Format::Csv, Format::Json] {
            match instructions::export(&s, "HARLOW", format) {
                Ok(out) => {
                    assert_eq!(who, "hannah.harlow", "{who} exported");
                    assert!(out.contains("Anna Müller"), "{format:?}: {out}");
                    assert!(!out.contains("Bob Meridian"), "{format:?}: {out}");
                    assert_no_internal(who, "export", &out);
                }
                Err(ServiceError::Forbidden) => assert_eq!(who, "harry.harlow"),
                Err(e) => panic!("{who} {format:?}: {e:?}"),
            }
        }
        s.logout().unwrap();

        // The refused document view is on record as denied.
        let sue = f.w.login("sue.supervisor");
        let log = audit::recent_events(&sue, 100_000).unwrap();
        sue.logout().unwrap();
        let denied: Vec<_> = log
            .iter()
            .map(|e| &e.event)
            .filter(|e| e.session_id.as_deref() == Some(sid.as_str()))
            .filter(|e| e.outcome == Outcome::Denied)
            .map(|e| (e.action.as_str(), e.target.id.clone()))
            .collect();
        let mut want = vec![
            (Action::CaseView.as_str(), Some(f.meridian_case.to_string())),
            (
                Action::AttachmentView.as_str(),
                Some(f.internal_doc.to_string()),
            ),
        ];
        if who == "harry.harlow" {
            // Both export attempts, before the export names an organisation's id.
            let export = (Action::CaseExport.as_str(), Some("?".to_owned()));
            want.splice(0..0, [export.clone(), export]);
        }
        assert_eq!(denied, want, "{who}, newest first");
    }
    let sue = f.w.login("sue.supervisor");
    let file = cases::open(&sue, f.harlow_case).unwrap();
    assert_eq!(file.notes.len(), 3);
    assert_eq!(file.documents.len(), 2);
}

/// A client's document is client-visible whatever they ask for, and its content comes
/// back as it went in.
#[test]
fn a_clients_document_is_always_client_visible() {
    let f = fixture();
    let hannah = f.w.login("hannah.harlow");
    let doc = cases::add_document(
        &hannah,
        f.harlow_case,
        "from-hannah.txt",
        "text/plain",
        b"hannah's letter",
        false,
    )
    .unwrap();
    assert!(doc.client_visible, "{doc:?}");
    hannah.logout().unwrap();
    let harry = f.w.login("harry.harlow");
    let (meta, content) = cases::view_document(&harry, doc.id).unwrap();
    assert!(meta.client_visible);
    assert_eq!(content, b"hannah's letter");
    let file = cases::open(&harry, f.harlow_case).unwrap();
    assert_eq!(file.documents.len(), 2, "{:?}", file.documents);
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
#[case::other_client_user("kim.kestrel", ["not found", "forbidden", "not found", "not found", "not found", "forbidden"])]
fn each_role_on_the_other_case_actions(#[case] who: &str, #[case] want: [&str; 6]) {
    let f = fixture();
    let harlow = org(&f.w, "HARLOW");
    let client_doc = f.client_doc;
    let s = f.w.login(who);
    let sid = s.info().id.0.clone();
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
    s.logout().unwrap();
    assert_audited(
        &f.w,
        &sid,
        who,
        &[
            (Action::CaseCreate, "case", On::Nothing),
            (Action::CaseEditDetails, "case", on(id)),
            (Action::AttachmentAdd, "case", on(id)),
            (Action::AttachmentView, "document", on(client_doc)),
            (Action::CsvImport, "org", On::Label("HARLOW")),
            (Action::CaseExport, "org", On::Label("HARLOW")),
        ],
        &want,
    );
}

/// Each role, the calls the two tables above leave out: list, search, void gina's
/// internal note on the HARLOW case and gina's note on the MERIDIAN case, view the
/// internal document and the MERIDIAN document, export HARLOW as JSON and MERIDIAN as
/// CSV, and close the HARLOW case once it is completed; and whose cases the list and the
/// search show.
#[rstest]
#[case::sysadmin(
    "sam.sysadmin",
    ["forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"],
    &[]
)]
#[case::supervisor(
    "sue.supervisor",
    ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"],
    &["Anna Müller", "Bob Meridian"]
)]
#[case::assigned_caseworker(
    "carl.caseworker",
    ["ok", "ok", "ok", "not found", "not found", "ok", "not found", "forbidden", "forbidden", "forbidden"],
    &["Anna Müller"]
)]
#[case::other_caseworker(
    "cara.caseworker",
    ["ok", "ok", "ok", "not found", "not found", "not found", "not found", "forbidden", "forbidden", "forbidden"],
    &[]
)]
#[case::general_admin(
    "gina.admin",
    ["ok", "ok", "ok", "forbidden", "forbidden", "ok", "ok", "forbidden", "forbidden", "forbidden"],
    &["Anna Müller", "Bob Meridian"]
)]
#[case::client_admin(
    "hannah.harlow",
    ["ok", "ok", "ok", "forbidden", "forbidden", "not found", "not found", "ok", "not found", "forbidden"],
    &["Anna Müller"]
)]
#[case::client_user(
    "harry.harlow",
    ["ok", "ok", "ok", "forbidden", "forbidden", "not found", "not found", "forbidden", "forbidden", "forbidden"],
    &["Anna Müller"]
)]
#[case::other_client(
    "mia.meridian",
    ["ok", "ok", "ok", "forbidden", "forbidden", "not found", "ok", "not found", "ok", "forbidden"],
    &["Bob Meridian"]
)]
#[case::other_client_user(
    "kim.kestrel",
    ["ok", "ok", "ok", "forbidden", "forbidden", "not found", "not found", "forbidden", "forbidden", "forbidden"],
    &[]
)]
fn each_role_on_list_search_void_internal_documents_export_and_close(
    #[case] who: &str,
    #[case] want: [&str; 10],
    #[case] sees: &[&str],
) {
    let f = fixture();
    let id = f.harlow_case;
    let sue = f.w.login("sue.supervisor");
    cases::set_status(&sue, id, CaseStatus::Active).unwrap();
    cases::set_status(&sue, id, CaseStatus::Completed).unwrap();
    sue.logout().unwrap();

    let s = f.w.login(who);
    let sid = s.info().id.0.clone();
    let names = |r: &pecs::service::Result<Vec<pecs::domain::Case>>| -> Vec<String> {
        r.as_ref()
            .map(|page| page.iter().map(|c| c.subject_name.clone()).collect())
            .unwrap_or_default()
    };
    let listed = cases::list(
        &s,
        &ListQuery {
            limit: 50,
            ..Default::default()
        },
    );
    let (muller, bob) = (
        cases::search(&s, "muller", 10),
        cases::search(&s, "bob", 10),
    );
    let mut searched = names(&muller);
    searched.extend(names(&bob));
    let mut listed_names = names(&listed);
    listed_names.sort();
    let got = [
        outcome(listed),
        outcome(muller),
        outcome(bob),
        outcome(cases::void_note(&s, f.internal_note, "entered in error")),
        outcome(cases::void_note(&s, f.meridian_note, "entered in error")),
        outcome(cases::view_document(&s, f.internal_doc)),
        outcome(cases::view_document(&s, f.meridian_doc)),
        outcome(instructions::export(&s, "HARLOW", Format::Json)),
        outcome(instructions::export(&s, "MERIDIAN", Format::Csv)),
        outcome(cases::set_status(&s, id, CaseStatus::Closed)),
    ];
    s.logout().unwrap();
    assert_eq!(got, want, "{who}");
    assert_eq!(listed_names, sees, "{who}: the list");
    assert_eq!(searched, sees, "{who}: the search");
    assert_audited(
        &f.w,
        &sid,
        who,
        &[
            (Action::CaseList, "case", On::Nothing),
            (Action::CaseList, "case", On::Nothing),
            (Action::CaseList, "case", On::Nothing),
            (Action::NoteVoid, "note", on(f.internal_note)),
            (Action::NoteVoid, "note", on(f.meridian_note)),
            (Action::AttachmentView, "document", on(f.internal_doc)),
            (Action::AttachmentView, "document", on(f.meridian_doc)),
            (Action::CaseExport, "org", On::Label("HARLOW")),
            (Action::CaseExport, "org", On::Label("MERIDIAN")),
            (Action::CaseClose, "case", on(id)),
        ],
        &want,
    );
    // A refused void or close changed nothing.
    let sue = f.w.login("sue.supervisor");
    let file = cases::open(&sue, id).unwrap();
    let voided = |n: NoteId, file: &cases::CaseFile| {
        file.notes
            .iter()
            .find(|x| x.id == n)
            .unwrap()
            .voided
            .is_some()
    };
    assert_eq!(voided(f.internal_note, &file), want[3] == "ok", "{who}");
    let meridian = cases::open(&sue, f.meridian_case).unwrap();
    assert_eq!(voided(f.meridian_note, &meridian), want[4] == "ok", "{who}");
    assert_eq!(
        file.case.status == CaseStatus::Closed,
        want[9] == "ok",
        "{who}"
    );
}

/// The ids of one client organisation's case, note, document and its code.
struct Theirs {
    code: &'static str,
    org: pecs::domain::OrgId,
    case: CaseId,
    note: NoteId,
    doc: DocumentId,
}

/// A client given another organisation's ids: every id-taking case call answers exactly
/// as it does for ids nobody has (so ids cannot be probed), changes nothing there, and
/// each attempt is audited as denied, naming the id that was passed. Columns: open, add a
/// client-visible note, add an internal note, void a note, attach, view a document,
/// export CSV, export JSON, CSV import, create.
#[rstest]
#[case::client_admin_to_meridian("hannah.harlow", "MERIDIAN", ["not found", "not found", "forbidden", "forbidden", "not found", "not found", "not found", "not found", "not found", "not found"])]
#[case::client_user_to_meridian("harry.harlow", "MERIDIAN", ["not found", "not found", "forbidden", "forbidden", "not found", "not found", "forbidden", "forbidden", "not found", "not found"])]
#[case::client_admin_to_harlow("mia.meridian", "HARLOW", ["not found", "not found", "forbidden", "forbidden", "not found", "not found", "not found", "not found", "not found", "not found"])]
#[case::client_user_to_harlow("kim.kestrel", "HARLOW", ["not found", "not found", "forbidden", "forbidden", "not found", "not found", "forbidden", "forbidden", "not found", "not found"])]
#[case::client_user_to_meridian_from_kestrel("kim.kestrel", "MERIDIAN", ["not found", "not found", "forbidden", "forbidden", "not found", "not found", "forbidden", "forbidden", "not found", "not found"])]
fn other_organisations_ids_read_as_ids_nobody_has(
    #[case] who: &str,
    #[case] code: &'static str,
    #[case] want: [&str; 10],
) {
    let f = fixture();
    let theirs = match code {
        "HARLOW" => Theirs {
            code,
            org: org(&f.w, code),
            case: f.harlow_case,
            note: f.client_note,
            doc: f.client_doc,
        },
        _ => Theirs {
            code,
            org: org(&f.w, code),
            case: f.meridian_case,
            note: f.meridian_note,
            doc: f.meridian_doc,
        },
    };
    let nobodys = Theirs {
        code: "NOSUCH",
        org: pecs::domain::OrgId(999_999),
        case: CaseId(999_999),
        note: NoteId(999_999),
        doc: DocumentId(999_999),
    };
    let before = |f: &Fixture| {
        let sue = f.w.login("sue.supervisor");
        let file = cases::open(&sue, theirs.case).unwrap();
        let all = cases::list(
            &sue,
            &ListQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .unwrap();
        sue.logout().unwrap();
        (format!("{file:?}"), all)
    };
    let was = before(&f);

    let s = f.w.login(who);
    let sid = s.info().id.0.clone();
    let run = |t: &Theirs| -> [&'static str; 10] {
        let csv = "client_ref,case_type,subject_name\nX-1,trace,Planted\n";
        [
            outcome(cases::open(&s, t.case)),
            outcome(cases::add_note(&s, t.case, "planted message", true)),
            outcome(cases::add_note(&s, t.case, "planted note", false)),
            outcome(cases::void_note(&s, t.note, "entered in error")),
            outcome(cases::add_document(
                &s,
                t.case,
                "planted.txt",
                "text/plain",
                b"planted",
                true,
            )),
            outcome(cases::view_document(&s, t.doc)),
            outcome(instructions::export(&s, t.code, Format::Csv)),
            outcome(instructions::export(&s, t.code, Format::Json)),
            outcome(instructions::import_csv(&s, t.code, csv.as_bytes())),
            outcome(cases::create(&s, &instruction(t.org, "Planted", "X-2"))),
        ]
    };
    let got = run(&theirs);
    let unknown = run(&nobodys);
    s.logout().unwrap();
    assert_eq!(got, want, "{who} on {code}'s ids");
    assert_eq!(unknown, got, "{who}: ids nobody has answer the same");
    assert!(got.iter().all(|a| *a != "ok"));
    assert_eq!(before(&f), was, "{who} changed something of {code}'s");

    let calls = |t: &Theirs| {
        vec![
            (Action::CaseView, "case", on(t.case)),
            (Action::ClientNoteAdd, "case", on(t.case)),
            (Action::InternalNoteAdd, "case", on(t.case)),
            (Action::NoteVoid, "note", on(t.note)),
            (Action::AttachmentAdd, "case", on(t.case)),
            (Action::AttachmentView, "document", on(t.doc)),
            (Action::CaseExport, "org", On::Label(t.code)),
            (Action::CaseExport, "org", On::Label(t.code)),
            (Action::CsvImport, "org", On::Label(t.code)),
            (Action::CaseCreate, "case", On::Nothing),
        ]
    };
    let mut all = calls(&theirs);
    all.extend(calls(&nobodys));
    let answers: Vec<&str> = got.iter().chain(&unknown).copied().collect();
    assert_audited(&f.w, &sid, who, &all, &answers);
}

/// What a list query asks for does not widen what the caller may see: a client naming
/// another client, or a caseworker naming another's cases, gets nothing of theirs.
#[test]
fn a_list_query_cannot_widen_the_callers_scope() {
    use pecs::store::cases::Scope;
    let f = fixture();
    let meridian = org(&f.w, "MERIDIAN");
    let carl = f.w.user("carl.caseworker");
    let forged = ListQuery {
        scope: Scope::default(),
        client: Some(meridian),
        limit: 50,
        ..Default::default()
    };
    for who in [
        "hannah.harlow",
        "harry.harlow",
        "kim.kestrel",
        "carl.caseworker",
    ] {
        let s = f.w.login(who);
        assert_eq!(cases::list(&s, &forged).unwrap(), vec![], "{who}");
        s.logout().unwrap();
    }
    let cara = f.w.login("cara.caseworker");
    let others = ListQuery {
        scope: Scope::default(),
        assignee: Some(carl.id),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(cases::list(&cara, &others).unwrap(), vec![]);
    let mia = f.w.login("mia.meridian");
    let page = cases::list(&mia, &forged).unwrap();
    assert_eq!(page.len(), 1, "mia's own client filter still works");
    assert_eq!(page[0].id, f.meridian_case);
}

/// A caseworker voids only their own notes, and only on a case still assigned to them:
/// once it is reassigned, the case and its notes are out of their reach.
#[test]
fn a_caseworker_cannot_void_a_note_on_a_case_no_longer_theirs() {
    let f = fixture();
    let carl = f.w.login("carl.caseworker");
    let note = cases::add_note(&carl, f.harlow_case, "wrong house number", false).unwrap();
    let gina = f.w.login("gina.admin");
    let cara = f.w.user("cara.caseworker");
    cases::assign(&gina, f.harlow_case, Some(cara.id)).unwrap();
    assert_eq!(outcome(cases::open(&carl, f.harlow_case)), "not found");
    assert_eq!(
        outcome(cases::void_note(&carl, note, "entered in error")),
        "not found"
    );
    let sue = f.w.login("sue.supervisor");
    let kept = cases::open(&sue, f.harlow_case)
        .unwrap()
        .notes
        .into_iter()
        .find(|n| n.id == note)
        .unwrap();
    assert!(kept.voided.is_none(), "{kept:?}");
}
