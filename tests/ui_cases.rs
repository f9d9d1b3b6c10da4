//! Snapshot and behaviour tests of the Cases screen (issue 4, items 2 and 3): the real
//! `pecs::tui::App` drawn into a `TestBackend`, on the demo cast with a few cases seeded
//! through `pecs::service::cases` as gina.admin. Snapshots live under `tests/snapshots/`;
//! make or update them with `INSTA_UPDATE=always cargo test --test ui_cases`.
//!
//! Determinism as in `ui_snapshots.rs`: the fixture's fixed clock (2026-12-04 09:00 UTC)
//! and one fixed `SSH_CONNECTION` for every login made through the UI.

mod common;

use common::ui::*;

use common::World;
use pecs::domain::{CaseId, CaseStatus, CaseType, OrgId, Priority};
use pecs::service::cases::{self, Details, NewCase};
use pecs::service::{demo, orgs};
use pecs::tui::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

const INTERNAL_NOTE: &str = "INTERNAL-MARKER subject drinks at the Red Lion";
const INTERNAL_DOC: &str = "surveillance-log.txt";
const CLIENT_NOTE: &str = "We have traced a new address for the subject.";

// ---------------------------------------------------------------------------------------
// Driving the app (as in ui_snapshots.rs).

fn logged_in(w: &World, username: &str) -> App {
    logged_in_with(w, username, false)
}

fn text_of(app: &App) -> String {
    screen_text(&draw(app, 100, 30))
}

fn snapshot_text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// The foreground colour of the first cell of `needle` on the screen.
fn colour_of(t: &Terminal<TestBackend>, needle: &str) -> Color {
    let b = t.backend().buffer();
    let text = screen_text(t);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} is not on screen:\n{text}"));
    let col = line[..line.find(needle).unwrap()].chars().count();
    b[(col as u16, row as u16)].fg
}

// ---------------------------------------------------------------------------------------
// The cases.

fn org(w: &World, code: &str) -> OrgId {
    let sam = w.login(demo::SYSADMIN);
    let id = orgs::list(&sam)
        .unwrap()
        .into_iter()
        .find(|o| o.code == code)
        .unwrap()
        .id;
    sam.logout().unwrap();
    id
}

fn case(
    client: OrgId,
    client_ref: &str,
    kind: CaseType,
    name: &str,
    address: &str,
    due: Option<&str>,
) -> NewCase {
    NewCase {
        client_org: client,
        details: Details {
            client_ref: Some(client_ref.into()),
            case_type: kind,
            subject_name: name.into(),
            subject_dob: Some("1980-02-14".into()),
            subject_address: address.into(),
            priority: Priority::Normal,
            due_date: due.map(Into::into),
        },
    }
}

struct Seeded {
    w: World,
    /// HARLOW, overdue, assigned to carl, with notes and documents of both kinds.
    anna: CaseId,
}

/// Five cases: today is 2026-12-04, so Anna Müller's (due 12-01) is overdue, Ben
/// Okafor's (due 12-05) is due within two days, the completed one is not overdue.
fn seeded() -> Seeded {
    fixed_origin();
    let w = World::demo();
    let (harlow, meridian, kestrel) = (org(&w, "HARLOW"), org(&w, "MERIDIAN"), org(&w, "KESTREL"));
    let gina = w.login("gina.admin");
    let carl = w.user("carl.caseworker");
    let make = |c: NewCase| cases::create(&gina, &c).expect("create case").id;
    let anna = make(case(
        harlow,
        "HF-1001",
        CaseType::Trace,
        "Anna Müller",
        "12 Mill Lane, Harlow CM20 1AA",
        Some("2026-12-01"),
    ));
    let ben = make(case(
        harlow,
        "HF-1002",
        CaseType::ProcessServing,
        "Ben Okafor",
        "3 Station Road, Epping",
        Some("2026-12-05"),
    ));
    make(case(
        meridian,
        "MBC-77",
        CaseType::DebtRecovery,
        "Chloé Dubois",
        "Flat 4, 9 High Street, Meridian",
        Some("2026-12-20"),
    ));
    make(case(
        kestrel,
        "KF-9",
        CaseType::Investigation,
        "David Price",
        "The Old Forge, Kestrel",
        None,
    ));
    let done = make(case(
        harlow,
        "HF-0999",
        CaseType::Other,
        "Eilidh Ross",
        "7 Quay Street, Leith",
        Some("2026-11-20"),
    ));
    cases::assign(&gina, anna, Some(carl.id)).unwrap();
    cases::assign(&gina, ben, Some(carl.id)).unwrap();
    cases::add_note(&gina, anna, INTERNAL_NOTE, false).unwrap();
    cases::add_note(&gina, anna, CLIENT_NOTE, true).unwrap();
    let wrong = cases::add_note(&gina, anna, "Wrong subject: entered in error", false).unwrap();
    cases::add_document(
        &gina,
        anna,
        INTERNAL_DOC,
        "text/plain",
        b"seen 21:00",
        false,
    )
    .unwrap();
    cases::add_document(
        &gina,
        anna,
        "letter-to-client.pdf",
        "application/pdf",
        b"%PDF-1.4 letter",
        true,
    )
    .unwrap();
    gina.logout().unwrap();
    let sue = w.login("sue.supervisor");
    cases::void_note(&sue, wrong, "entered on the wrong case").unwrap();
    for to in [CaseStatus::Active, CaseStatus::Completed] {
        cases::set_status(&sue, done, to).unwrap();
    }
    cases::set_status(&sue, anna, CaseStatus::Active).unwrap();
    sue.logout().unwrap();
    Seeded { w, anna }
}

// ---------------------------------------------------------------------------------------
// The list.

#[test]
fn list_as_supervisor_100x30() {
    let s = seeded();
    let a = logged_in(&s.w, "sue.supervisor");
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    for want in [
        "PE-2026-000001",
        "HF-1001",
        "Anna Müller",
        "process serving",
        "debt recovery",
        "page 1 · cases 1–5",
        "sort: due date",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    insta::assert_snapshot!("cases_list_supervisor_100x30", snapshot_text(&t));
}

#[test]
fn list_as_supervisor_80x24() {
    let s = seeded();
    let a = logged_in(&s.w, "sue.supervisor");
    let t = draw(&a, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("PE-2026-000005"), "{text}");
    assert!(!text.contains("too small"), "{text}");
    insta::assert_snapshot!("cases_list_supervisor_80x24", snapshot_text(&t));
}

#[test]
fn due_dates_are_coloured_by_service_level() {
    let s = seeded();
    let a = logged_in_with(&s.w, "sue.supervisor", true);
    let t = draw(&a, 100, 30);
    assert_eq!(colour_of(&t, "2026-12-01"), Color::Red, "overdue");
    assert_eq!(
        colour_of(&t, "2026-12-05"),
        Color::Yellow,
        "due within two days"
    );
    assert_eq!(colour_of(&t, "2026-12-20"), Color::Reset, "due later");
    // Completed: past its due date, but not overdue.
    assert_eq!(colour_of(&t, "2026-11-20"), Color::Reset, "completed");
}

#[test]
fn sort_status_filter_and_search() {
    let s = seeded();
    let mut a = logged_in(&s.w, "sue.supervisor");
    // Due first: the completed case (11-20) leads; by reference 000001 leads.
    let first_row = |a: &App| text_of(a).lines().nth(5).unwrap_or_default().to_string();
    assert!(first_row(&a).contains("Eilidh Ross"), "{}", text_of(&a));
    ch(&mut a, 'o');
    assert!(text_of(&a).contains("sort: last change"));
    ch(&mut a, 'o');
    assert!(text_of(&a).contains("sort: reference"));
    assert!(first_row(&a).contains("Anna Müller"), "{}", text_of(&a));
    ch(&mut a, 'o');
    assert!(text_of(&a).contains("sort: due date"));

    ch(&mut a, 's');
    let text = text_of(&a);
    assert!(text.contains("status: new"), "{text}");
    assert!(
        text.contains("Chloé Dubois") && !text.contains("Anna Müller"),
        "{text}"
    );
    ch(&mut a, 's');
    let text = text_of(&a);
    assert!(
        text.contains("status: active") && text.contains("Anna Müller"),
        "{text}"
    );
    assert!(text.contains("page 1 · cases 1–1"), "{text}");
    for _ in 0..4 {
        ch(&mut a, 's');
    }
    assert!(text_of(&a).contains("status: all"));

    // Search folds diacritics; Esc goes back to the list.
    ch(&mut a, '/');
    type_text(&mut a, "muller");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("1 found"), "{text}");
    assert!(
        text.contains("Anna Müller") && !text.contains("Ben Okafor"),
        "{text}"
    );
    press(&mut a, KeyCode::Esc);
    let text = text_of(&a);
    assert!(
        text.contains("Ben Okafor") && text.contains("page 1"),
        "{text}"
    );
}

#[test]
fn pages_of_fifty_never_all() {
    let s = seeded();
    let gina = s.w.login("gina.admin");
    let harlow = org(&s.w, "HARLOW");
    for i in 0..110 {
        let c = case(
            harlow,
            &format!("BULK-{i:03}"),
            CaseType::Trace,
            &format!("Bulk Subject {i:03}"),
            "1 Bulk Road",
            Some("2027-01-15"),
        );
        cases::create(&gina, &c).unwrap();
    }
    gina.logout().unwrap();
    let mut a = logged_in(&s.w, "sue.supervisor");
    assert!(text_of(&a).contains("page 1 · cases 1–50"));
    press(&mut a, KeyCode::PageDown);
    assert!(text_of(&a).contains("page 2 · cases 51–100"));
    press(&mut a, KeyCode::PageDown);
    assert!(text_of(&a).contains("page 3 · cases 101–115"));
    press(&mut a, KeyCode::PageDown);
    let text = text_of(&a);
    assert!(text.contains("page 3 · cases 101–115"), "{text}");
    assert!(text.contains("That was the last page."), "{text}");
    press(&mut a, KeyCode::PageUp);
    assert!(text_of(&a).contains("page 2 · cases 51–100"));
    press(&mut a, KeyCode::PageUp);
    press(&mut a, KeyCode::PageUp);
    assert!(text_of(&a).contains("page 1 · cases 1–50"));
}

// ---------------------------------------------------------------------------------------
// The case file.

/// sue opens the first case by due date after the completed one: Anna Müller's.
fn open_anna(a: &mut App) {
    ch(a, 'j');
    press(a, KeyCode::Enter);
    assert!(
        text_of(a).contains("PE-2026-000001 · Anna Müller"),
        "{}",
        text_of(a)
    );
}

#[test]
fn case_file_summary_and_diary() {
    let s = seeded();
    let mut a = logged_in(&s.w, "sue.supervisor");
    open_anna(&mut a);
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    for want in [
        "HARLOW · their ref HF-1001",
        "12 Mill Lane, Harlow CM20 1AA",
        "Diary (3)",
        "Documents (2)",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    insta::assert_snapshot!("case_file_summary", snapshot_text(&t));

    press(&mut a, KeyCode::Right);
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(text.contains(INTERNAL_NOTE), "{text}");
    assert!(text.contains(CLIENT_NOTE), "{text}");
    // A supervisor sees the voided note's words with the reason.
    assert!(
        text.contains("[voided: entered on the wrong case]"),
        "{text}"
    );
    assert!(text.contains("Wrong subject: entered in error"), "{text}");
    insta::assert_snapshot!("case_file_diary", snapshot_text(&t));

    press(&mut a, KeyCode::Right);
    let text = text_of(&a);
    assert!(
        text.contains(INTERNAL_DOC) && text.contains("internal"),
        "{text}"
    );
    press(&mut a, KeyCode::Right);
    let text = text_of(&a);
    assert!(
        text.contains("History (2)")
            && text.lines().any(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                cells.windows(3).any(|w| w == ["status", "new", "active"])
            }),
        "{text}"
    );
    press(&mut a, KeyCode::Right);
    assert!(text_of(&a).contains("Reference"), "round to Summary");
    press(&mut a, KeyCode::Left);
    assert!(text_of(&a).contains("When (UTC)"), "back to History");

    // Esc: back to the list.
    press(&mut a, KeyCode::Esc);
    assert!(text_of(&a).contains("page 1 · cases 1–5"));
}

#[test]
fn caseworker_does_not_see_voided_words() {
    let s = seeded();
    let mut a = logged_in(&s.w, "carl.caseworker");
    let text = text_of(&a);
    assert!(text.contains("cases 1–2"), "carl sees his two:\n{text}");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Right);
    let text = text_of(&a);
    assert!(
        text.contains("[voided: entered on the wrong case]"),
        "{text}"
    );
    assert!(!text.contains("Wrong subject"), "{text}");
}

#[test]
fn client_user_never_sees_an_internal_note() {
    let s = seeded();
    let mut a = logged_in(&s.w, "harry.harlow");
    let mut screens = Vec::new();
    let look = |a: &App, screens: &mut Vec<String>| {
        for (w, h) in [(100, 30), (80, 24), (200, 60)] {
            screens.push(screen_text(&draw(a, w, h)));
        }
    };
    look(&a, &mut screens);
    let list = text_of(&a);
    assert!(
        list.contains("cases 1–3"),
        "harry sees HARLOW's three:\n{list}"
    );
    assert!(
        !list.contains("Chloé") && !list.contains("David Price"),
        "{list}"
    );
    // Every case, every tab, every row.
    for i in 0..3 {
        press(&mut a, KeyCode::Home);
        for _ in 0..i {
            ch(&mut a, 'j');
        }
        press(&mut a, KeyCode::Enter);
        for _ in 0..4 {
            look(&a, &mut screens);
            for _ in 0..3 {
                ch(&mut a, 'j');
                look(&a, &mut screens);
            }
            press(&mut a, KeyCode::Right);
        }
        press(&mut a, KeyCode::Esc);
    }
    // And through search.
    ch(&mut a, '/');
    type_text(&mut a, "red lion");
    press(&mut a, KeyCode::Enter);
    look(&a, &mut screens);
    press(&mut a, KeyCode::Esc);
    ch(&mut a, '/');
    type_text(&mut a, "anna");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Right);
    look(&a, &mut screens);
    let diary = text_of(&a);
    assert!(diary.contains(CLIENT_NOTE), "{diary}");
    assert!(diary.contains("Diary (1)"), "{diary}");
    for screen in &screens {
        for secret in [
            INTERNAL_NOTE,
            "INTERNAL-MARKER",
            "Red Lion",
            INTERNAL_DOC,
            "Wrong subject",
            "entered on the wrong case",
        ] {
            assert!(!screen.contains(secret), "harry sees {secret}:\n{screen}");
        }
    }
    // No staff keys offered; a message is always client-visible.
    for hidden in [" e edit", " S status", " A assign", " v void"] {
        assert!(!diary.contains(hidden), "{hidden} offered:\n{diary}");
    }
    ch(&mut a, 'n');
    let form = text_of(&a);
    assert!(!form.contains("Client-visible"), "{form}");
    type_text(&mut a, "Please call the subject's employer.");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("Diary (2)"), "{text}");
    let harry = s.w.login("harry.harlow");
    let file = cases::open(&harry, s.anna).unwrap();
    assert!(file.notes.iter().all(|n| n.client_visible));
    harry.logout().unwrap();
}

#[test]
fn notes_files_status_and_assignment_through_the_screen() {
    let s = seeded();
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("Field Report.txt");
    std::fs::write(&upload, b"visited 3 Station Road").unwrap();
    let mut a = logged_in(&s.w, "carl.caseworker");
    // Ben Okafor's case: carl's second by due date.
    ch(&mut a, 'j');
    press(&mut a, KeyCode::Enter);
    assert!(text_of(&a).contains("Ben Okafor"));
    // A caseworker may not assign or close: no A key offered.
    assert!(!text_of(&a).contains(" A assign"), "{}", text_of(&a));

    ch(&mut a, 'n');
    assert!(text_of(&a).contains("Client-visible"));
    type_text(&mut a, "Called at the door, no answer.");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(
        text.contains("Diary (1)") && text.contains("Called at the door"),
        "{text}"
    );
    assert!(text.contains("internal"), "{text}");

    ch(&mut a, 'a');
    type_text(&mut a, upload.to_str().unwrap());
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Backspace);
    ch(&mut a, 'y');
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(
        text.contains("Documents (1)") && text.contains("Field Report.txt"),
        "{text}"
    );
    assert!(text.contains("client"), "{text}");

    // Save it out; a second save to the same path is refused, the file untouched.
    let out = dir.path().join("copy.txt");
    let save_to = |a: &mut App| {
        press(a, KeyCode::Enter);
        clear_field(a);
        type_text(a, out.to_str().unwrap());
        press(a, KeyCode::Enter);
    };
    save_to(&mut a);
    let text = text_of(&a);
    assert!(text.contains("Saved 22 B to"), "{text}");
    press(&mut a, KeyCode::Esc);
    save_to(&mut a);
    let text = text_of(&a);
    assert!(text.contains("already a file"), "{text}");
    press(&mut a, KeyCode::Esc);
    assert_eq!(std::fs::read(&out).unwrap(), b"visited 3 Station Road");

    ch(&mut a, 'S');
    type_text(&mut a, "active");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("· active"), "{text}");
    ch(&mut a, 'S');
    type_text(&mut a, "closed");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("permission"), "carl may not close:\n{text}");
    press(&mut a, KeyCode::Esc);

    // sue assigns it to cara by name.
    let mut b = logged_in(&s.w, "sue.supervisor");
    ch(&mut b, 'o');
    ch(&mut b, 'o');
    ch(&mut b, 'j');
    press(&mut b, KeyCode::Enter);
    assert!(text_of(&b).contains("Ben Okafor"), "{}", text_of(&b));
    ch(&mut b, 'A');
    clear_field(&mut b);
    type_text(&mut b, "cara.caseworker");
    press(&mut b, KeyCode::Enter);
    assert!(
        text_of(&b).contains("Assigned to    cara.caseworker"),
        "{}",
        text_of(&b)
    );
}

#[test]
fn a_stale_edit_names_who_saved_first() {
    let s = seeded();
    let mut a = logged_in(&s.w, "sue.supervisor");
    open_anna(&mut a);
    ch(&mut a, 'e');
    let form = text_of(&a);
    assert!(
        form.contains("Edit PE-2026-000001") && form.contains("Anna Müller"),
        "{form}"
    );
    // gina saves first.
    let gina = s.w.login("gina.admin");
    let c = cases::open(&gina, s.anna).unwrap().case;
    let details = Details {
        client_ref: c.client_ref.clone(),
        case_type: c.case_type,
        subject_name: "Anna Müller-Schmidt".into(),
        subject_dob: c.subject_dob.clone(),
        subject_address: c.subject_address.clone(),
        priority: c.priority,
        due_date: c.due_date.clone(),
    };
    cases::edit(&gina, s.anna, c.version, &details).unwrap();
    gina.logout().unwrap();
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("Changed by someone else"), "{text}");
    assert!(text.contains("gina.admin changed this case"), "{text}");
    press(&mut a, KeyCode::Esc);
    let text = text_of(&a);
    assert!(text.contains("Anna Müller-Schmidt"), "reloaded:\n{text}");
    // Now the edit goes through.
    ch(&mut a, 'e');
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    clear_field(&mut a);
    type_text(&mut a, "2026-12-31");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("2026-12-31"), "{text}");
}

#[test]
fn help_lists_the_case_keys_at_80x24() {
    let s = seeded();
    let mut a = logged_in(&s.w, "sue.supervisor");
    ch(&mut a, '?');
    let text = screen_text(&draw(&a, 80, 24));
    for want in [
        "change the sort order",
        "attach a file",
        "change a case's status",
        "void a diary note",
        "change your password",
    ] {
        assert!(text.contains(want), "{want} missing from the help:\n{text}");
    }
}

#[test]
fn a_case_reassigned_away_closes_on_refresh() {
    let s = seeded();
    let mut a = logged_in(&s.w, "carl.caseworker");
    press(&mut a, KeyCode::Enter);
    assert!(text_of(&a).contains("Anna Müller · active"));
    let sue = s.w.login("sue.supervisor");
    let cara = s.w.user("cara.caseworker");
    cases::assign(&sue, s.anna, Some(cara.id)).unwrap();
    sue.logout().unwrap();
    ch(&mut a, 'r');
    let text = text_of(&a);
    assert!(text.contains("No such record."), "{text}");
    press(&mut a, KeyCode::Esc);
    let text = text_of(&a);
    assert!(text.contains("page 1 · cases 1–1"), "{text}");
    assert!(
        text.contains("Ben Okafor") && !text.contains("Anna Müller"),
        "{text}"
    );
}

#[test]
fn stored_case_text_is_drawn_inert() {
    let s = seeded();
    let gina = s.w.login("gina.admin");
    let hostile = "Eve \u{202E}gnp.exe";
    let mut c = case(
        org(&s.w, "HARLOW"),
        "HF-\u{202E}X",
        CaseType::Trace,
        hostile,
        "1 \u{2066}Bidi Road",
        Some("2026-12-02"),
    );
    c.details.subject_dob = None;
    let id = cases::create(&gina, &c).unwrap().id;
    cases::add_note(&gina, id, "line one\nline two \u{202E}reversed", true).unwrap();
    gina.logout().unwrap();
    let mut a = logged_in(&s.w, "sue.supervisor");
    let mut screens = vec![text_of(&a)];
    ch(&mut a, '/');
    type_text(&mut a, "eve");
    press(&mut a, KeyCode::Enter);
    screens.push(text_of(&a));
    press(&mut a, KeyCode::Enter);
    for _ in 0..4 {
        screens.push(text_of(&a));
        press(&mut a, KeyCode::Right);
    }
    let all = screens.join("\n");
    assert!(all.contains("Eve <U+202E>gnp.exe"), "{all}");
    assert!(all.contains("line two <U+202E>reversed"), "{all}");
    for screen in &screens {
        assert!(
            !screen.contains(['\u{202E}', '\u{2066}', '\u{1b}']),
            "{screen}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Filters and the CSV import form.

#[test]
fn the_filter_form_narrows_the_list_and_blank_shows_all_again() {
    let s = seeded();
    let mut a = logged_in(&s.w, "gina.admin");
    ch(&mut a, 'f');
    assert!(text_of(&a).contains("Filter cases"), "{}", text_of(&a));
    type_text(&mut a, "meridian");
    // Enter moves on to the next field; on the last one it submits.
    for _ in 0..4 {
        press(&mut a, KeyCode::Enter);
    }
    let text = text_of(&a);
    assert!(text.contains("MBC-77"), "{text}");
    assert!(!text.contains("HF-1001"), "{text}");
    assert!(text.contains("filter: MERIDIAN"), "{text}");

    // Overdue only: Anna Müller's HARLOW case (due 12-01) and nothing else.
    ch(&mut a, 'f');
    clear_field(&mut a);
    for _ in 0..3 {
        press(&mut a, KeyCode::Tab);
    }
    clear_field(&mut a);
    type_text(&mut a, "yes");
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("HF-1001"), "{text}");
    assert!(!text.contains("HF-1002"), "{text}");
    assert!(text.contains("filter: overdue"), "{text}");

    // An unknown assignee is one sentence under the form; the list is unchanged.
    ch(&mut a, 'f');
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "nobody.here");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    assert!(
        text_of(&a).contains("There is no caseworker or supervisor nobody.here."),
        "{}",
        text_of(&a)
    );
    press(&mut a, KeyCode::Esc);
    ch(&mut a, 'f');
    for _ in 0..3 {
        press(&mut a, KeyCode::Tab);
    }
    clear_field(&mut a);
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("page 1 · cases 1–5"), "{text}");
}

#[test]
fn a_client_user_imports_instructions_all_or_none() {
    let s = seeded();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "client_ref,case_type,subject_name,due_date\nHF-7,trace,Ada Lovelace,31/02/2027\nHF-8,teleport,Alan Turing,\n",
    )
    .unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "client_ref,case_type,subject_name,due_date\nHF-7,trace,Ada Lovelace,28/02/2027\nHF-8,Process Serving,Alan Turing,\n",
    )
    .unwrap();
    let mut a = logged_in(&s.w, "harry.harlow");
    ch(&mut a, 'i');
    let text = text_of(&a);
    assert!(text.contains("Import client instructions"), "{text}");
    assert!(
        !text.contains("Client code"),
        "a client imports for itself:\n{text}"
    );
    type_text(&mut a, bad.to_str().unwrap());
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("Nothing imported"), "{text}");
    assert!(text.contains("row 2, column due_date"), "{text}");
    assert!(text.contains("row 3, column case_type"), "{text}");
    press(&mut a, KeyCode::Esc);
    assert!(!text_of(&a).contains("Ada Lovelace"), "{}", text_of(&a));

    ch(&mut a, 'i');
    type_text(&mut a, good.to_str().unwrap());
    press(&mut a, KeyCode::Enter);
    let text = text_of(&a);
    assert!(text.contains("2 new cases for HARLOW"), "{text}");
    press(&mut a, KeyCode::Esc);
    let text = text_of(&a);
    assert!(text.contains("Ada Lovelace"), "{text}");
    assert!(text.contains("Alan Turing"), "{text}");
}
