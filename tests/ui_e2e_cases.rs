//! End-to-end, in a pseudo-terminal: a caseworker searches a subject, opens the case and
//! adds an internal and a client-visible diary note; a client user of the case's
//! organisation then sees the client-visible note and not the internal one.
//!
//! The real `pecs` binary on a copy of the demo data (tests/common/pty.rs); the case is
//! chosen through the library as a supervisor, everything else is done with keys.

mod common;

use common::pty::{PASSWORD, Sandbox, Tui, assert_audit_verifies, library_origin};
use pecs::crypto::Password;
use pecs::domain::{Case, Note, UserId};
use pecs::service::cases::{self, After, ListQuery, Sort};
use pecs::service::{Pecs, Session, Settings, orgs, users};

/// Short enough for the note field to show whole (it shows the last 55 characters).
const INTERNAL_NOTE: &str = "Neighbour: subject left in May [e2e-int-5b1f]";
const CLIENT_NOTE: &str = "Served in person at the door [e2e-client-9c7d]";
/// The most search results a test may have to move through (all on one screen).
const MOST_RESULTS: usize = 20;

/// The case the test works on, and what a person types to find it.
struct Chosen {
    case: Case,
    /// Part of the subject's name: their surname.
    term: String,
    carl: UserId,
}

fn log_in(pecs: &Pecs, name: &str) -> Session {
    pecs.login(name, &Password::new(PASSWORD), library_origin())
        .unwrap_or_else(|e| panic!("{name} logs in through the library: {e}"))
}

/// Every case `s` may see, a page of 200 at a time.
fn all_cases(s: &Session) -> Vec<Case> {
    let mut all: Vec<Case> = Vec::new();
    loop {
        let page = cases::list(
            s,
            &ListQuery {
                sort: Sort::Reference,
                after: all.last().map(After::of),
                limit: 200,
                ..ListQuery::default()
            },
        )
        .expect("list cases");
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// As sue.supervisor: a HARLOW case assigned to carl.caseworker whose subject's surname
/// finds the fewest cases, both among carl's cases and among HARLOW's (what each of them
/// will see when searching it).
fn harlow_case_of_carl(sandbox: &Sandbox) -> Chosen {
    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    let sue = log_in(&pecs, "sue.supervisor");
    let harlow = orgs::list(&sue)
        .expect("list organisations")
        .into_iter()
        .find(|o| o.code == "HARLOW")
        .expect("the demo has HARLOW")
        .id;
    let carl = users::list(&sue)
        .expect("list users")
        .into_iter()
        .find(|u| u.username == "carl.caseworker")
        .expect("the demo has carl.caseworker")
        .id;
    let of_carl = |c: &Case| c.assigned_to == Some(carl);
    let candidates: Vec<Case> = all_cases(&sue)
        .into_iter()
        .filter(|c| c.client_org_id == harlow && of_carl(c))
        .collect();
    assert!(
        !candidates.is_empty(),
        "the demo data has no HARLOW case assigned to carl.caseworker"
    );
    let mut best: Option<(usize, Chosen)> = None;
    for case in candidates {
        let term = case
            .subject_name
            .split_whitespace()
            .last()
            .expect("a subject name")
            .to_owned();
        if best.as_ref().is_some_and(|(_, b)| b.term == term) {
            continue;
        }
        let found = cases::search(&sue, &term, 200).expect("search");
        assert!(
            found.iter().any(|c| c.id == case.id),
            "{term} finds {case:?}"
        );
        let for_harry = found.iter().filter(|c| c.client_org_id == harlow).count();
        let for_carl = found.iter().filter(|c| of_carl(c)).count();
        let most = for_harry.max(for_carl);
        if best.as_ref().is_none_or(|(n, _)| most < *n) {
            best = Some((most, Chosen { case, term, carl }));
        }
    }
    sue.logout().expect("logout");
    let (most, chosen) = best.expect("a candidate");
    assert!(
        most <= MOST_RESULTS,
        "every surname of carl's HARLOW cases finds more than {MOST_RESULTS} cases"
    );
    chosen
}

/// As sue.supervisor: the case's diary notes.
fn notes_of(sandbox: &Sandbox, case: &Case) -> Vec<Note> {
    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    let sue = log_in(&pecs, "sue.supervisor");
    let file = cases::open(&sue, case.id).expect("open the case");
    sue.logout().expect("logout");
    file.notes
}

/// `n` in the case file, a note's words, its visibility (staff choose; the field holds
/// `n` to begin with), Enter on the last field; then the diary shows it.
fn add_note(ui: &mut Tui, body: &str, client_visible: bool) {
    let before = diary_count(ui);
    ui.send("n");
    ui.wait_for(" Add a diary note ");
    ui.wait_for("Client-visible? y: the client's users read it too; n: agency only.");
    ui.send(body);
    ui.wait_for(body);
    ui.tab();
    if client_visible {
        ui.ctrl_u();
        ui.send("y");
    }
    let answer = format!("Client-visible {} ", if client_visible { 'y' } else { 'n' });
    ui.wait_for(&answer);
    ui.enter();
    ui.wait_gone(" Add a diary note ");
    let tab = format!(" Diary ({}) ", before + 1);
    ui.wait_for(&tab);
    ui.wait_for(body);
}

/// N of the case file's " Diary (N) " tab.
fn diary_count(ui: &Tui) -> usize {
    let contents = ui.contents();
    contents
        .split(" Diary (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no Diary (N) tab on the screen\n{}", ui.dump()))
}

/// The note header (`… UTC  author  internal|client-visible`) above the row with `body`.
fn header_of(ui: &Tui, body: &str) -> String {
    let rows = ui.rows();
    let at = rows
        .iter()
        .position(|r| r.contains(body))
        .unwrap_or_else(|| panic!("{body:?} is not on the screen\n{}", ui.dump()));
    assert!(at > 0, "{body:?} on the top row\n{}", ui.dump());
    rows[at - 1].clone()
}

/// The note headers on the screen: a time in UTC, the author and the kind.
fn note_headers(ui: &Tui) -> Vec<String> {
    ui.rows()
        .into_iter()
        .filter(|r| {
            let r = r.trim_end_matches([' ', '│']);
            r.contains(" UTC  ") && (r.ends_with("  internal") || r.ends_with("  client-visible"))
        })
        .collect()
}

/// On the Cases screen: `/`, the term, Enter; select the case among the results and
/// open it with Enter; then the Diary tab with →.
fn find_and_open(ui: &mut Tui, chosen: &Chosen) {
    let reference = &chosen.case.reference;
    ui.wait_for("page 1 · cases 1–");
    ui.send("/");
    ui.wait_for(" Search cases ");
    ui.send(&chosen.term);
    ui.wait_for(&format!("Search for {}", chosen.term));
    ui.enter();
    ui.wait_for(" Cases · search results ");
    ui.wait_for(&format!("search: {}", chosen.term));
    ui.wait_for(reference);
    ui.select_row_with(reference);
    ui.enter();
    let title = format!(" {reference} · {} · ", chosen.case.subject_name);
    ui.wait_for(&title);
    // The Summary tab first; → moves to the Diary.
    ui.wait_for(&format!("Subject        {}", chosen.case.subject_name));
    ui.right();
    ui.wait_until("the Diary tab", |s| {
        !s.contents().contains("Date of birth")
            && s.rows(0, s.size().1.get()).enumerate().any(|(i, line)| {
                line.find(" Diary (").is_some_and(|byte| {
                    let col = line[..byte].chars().count() as u16 + 1;
                    s.cell(i as u16, col).is_some_and(|c| c.underline())
                })
            })
    });
}

/// Back to the list (Esc leaves the case file, Esc again the search), then `q` + `y`.
fn back_and_quit(ui: &mut Tui) {
    ui.esc();
    ui.wait_for(" Cases · search results ");
    ui.esc();
    ui.wait_for("page 1 · cases 1–");
    ui.quit_with_q();
}

#[test]
fn caseworker_adds_notes_and_the_client_user_sees_only_the_client_visible_one() {
    let sandbox = Sandbox::demo();
    let chosen = harlow_case_of_carl(&sandbox);
    let reference = chosen.case.reference.clone();

    // carl.caseworker finds the case by the subject's surname and adds two notes.
    let mut ui = sandbox.tui();
    ui.log_in("carl.caseworker", PASSWORD);
    ui.wait_for("carl.caseworker · caseworker · PE");
    find_and_open(&mut ui, &chosen);
    let staff_notes_before = diary_count(&ui);
    add_note(&mut ui, INTERNAL_NOTE, false);
    add_note(&mut ui, CLIENT_NOTE, true);
    assert_eq!(diary_count(&ui), staff_notes_before + 2);
    let internal = header_of(&ui, INTERNAL_NOTE);
    let client = header_of(&ui, CLIENT_NOTE);
    for (header, kind) in [(&internal, "  internal"), (&client, "  client-visible")] {
        assert!(
            header.trim_end_matches([' ', '│']).ends_with(kind),
            "the note's header should say{kind}: {header:?}\n{}",
            ui.dump()
        );
        assert!(
            header.contains("carl.caseworker") || header.contains("Carl Caseworker"),
            "the note's header should name carl: {header:?}\n{}",
            ui.dump()
        );
    }
    back_and_quit(&mut ui);

    // What the UI saved, as a supervisor reads it.
    let notes = notes_of(&sandbox, &chosen.case);
    for (body, visible) in [(INTERNAL_NOTE, false), (CLIENT_NOTE, true)] {
        let note = notes
            .iter()
            .find(|n| n.body == body)
            .unwrap_or_else(|| panic!("no note {body:?} on {reference}: {notes:#?}"));
        assert_eq!(note.client_visible, visible, "{note:#?}");
        assert_eq!(note.author_id, chosen.carl, "{note:#?}");
    }

    // harry.harlow (client user of HARLOW) finds the same case the same way.
    let mut ui = sandbox.tui();
    ui.log_in("harry.harlow", PASSWORD);
    ui.wait_for("harry.harlow · client_user · HARLOW");
    find_and_open(&mut ui, &chosen);
    ui.wait_for(CLIENT_NOTE);
    let screen = ui.contents();
    assert!(
        !screen.contains(INTERNAL_NOTE),
        "harry.harlow sees the internal note\n{}",
        ui.dump()
    );
    // The whole diary is on the screen (every note has its header), none of it internal.
    let client_visible = notes.iter().filter(|n| n.client_visible).count();
    assert_eq!(
        diary_count(&ui),
        client_visible,
        "harry's diary should count the client-visible notes only\n{}",
        ui.dump()
    );
    let headers = note_headers(&ui);
    assert_eq!(headers.len(), client_visible, "{headers:#?}\n{}", ui.dump());
    assert!(
        headers.iter().all(|h| !h.contains("  internal")),
        "an internal note on harry's screen: {headers:#?}\n{}",
        ui.dump()
    );
    assert!(
        header_of(&ui, CLIENT_NOTE).contains("client-visible"),
        "{}",
        ui.dump()
    );
    // A client user is offered a note of his own, never the choice of an internal one.
    ui.send("n");
    ui.wait_for(" Add a diary note ");
    ui.wait_for("Your note is visible to the agency and to your organisation.");
    assert!(
        !ui.contents().contains("Client-visible "),
        "a client user is asked about visibility\n{}",
        ui.dump()
    );
    ui.esc();
    ui.wait_gone(" Add a diary note ");
    back_and_quit(&mut ui);

    assert_audit_verifies(&sandbox);
}
