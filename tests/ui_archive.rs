//! The Archive screen (`3`): counts and the closed cases; a supervisor requests
//! destruction of a case past its retention, a second supervisor decides on the same
//! screen and sees the certificate; other roles see no such keys.

mod common;

use common::ui::*;
use common::{World, close_case, details, open_case};
use ratatui::crossterm::event::KeyCode;

/// A HARLOW case closed on 2026-12-04, and the clock moved six years on.
fn world() -> (World, String) {
    fixed_origin();
    let w = World::demo();
    let case = open_case(&w, "HARLOW", details("Old Subject", Some("HF-OLD")));
    close_case(&w, case.id);
    w.advance_ms(2_192 * 24 * 3_600_000);
    (w, case.reference)
}

fn text_of(app: &pecs::tui::App) -> String {
    screen_text(&draw(app, 100, 30))
}

#[test]
fn two_supervisors_destroy_a_case_on_the_archive_screen() {
    let (w, reference) = world();
    let mut sue = logged_in_with(&w, "sue.supervisor", false);
    ch(&mut sue, '3');
    let text = text_of(&sue);
    assert!(text.contains("Eligible for destruction 1"), "{text}");
    assert!(
        text.contains(&reference) && text.contains("2032-12-04"),
        "{text}"
    );
    assert!(
        text.contains("h legal hold") && text.contains("n request destruction"),
        "{text}"
    );
    ch(&mut sue, 'n');
    type_text(&mut sue, "retention period over");
    press(&mut sue, KeyCode::Enter);
    let text = text_of(&sue);
    assert!(text.contains("now needs a second supervisor"), "{text}");
    press(&mut sue, KeyCode::Esc);
    // sue cannot decide her own request.
    press(&mut sue, KeyCode::Enter);
    type_text(&mut sue, "approve");
    press(&mut sue, KeyCode::Tab);
    type_text(&mut sue, "fine");
    press(&mut sue, KeyCode::Enter);
    assert!(text_of(&sue).contains("two people"), "{}", text_of(&sue));

    let mut steve = logged_in_with(&w, "steve.supervisor", false);
    ch(&mut steve, '3');
    assert!(
        text_of(&steve).contains("destruction requested"),
        "{}",
        text_of(&steve)
    );
    press(&mut steve, KeyCode::Enter);
    assert!(
        text_of(&steve).contains("retention period over"),
        "{}",
        text_of(&steve)
    );
    type_text(&mut steve, "approve");
    press(&mut steve, KeyCode::Tab);
    type_text(&mut steve, "checked the file");
    press(&mut steve, KeyCode::Enter);
    let text = text_of(&steve);
    assert!(text.contains("the personal data is destroyed"), "{text}");
    assert!(text.contains("certificate PE-DC-2032-0001"), "{text}");
    press(&mut steve, KeyCode::Esc);
    let text = text_of(&steve);
    assert!(text.contains("Destroyed 1"), "{text}");
    assert!(
        text.contains("destroyed, certificate PE-DC-2032-0001"),
        "{text}"
    );
}

#[test]
fn a_general_admin_sees_the_archive_but_no_destruction_keys() {
    let (w, reference) = world();
    let mut gina = logged_in_with(&w, "gina.admin", false);
    ch(&mut gina, '3');
    let text = text_of(&gina);
    assert!(text.contains(&reference), "{text}");
    assert!(
        !text.contains("n request destruction") && !text.contains("h legal hold"),
        "{text}"
    );
    ch(&mut gina, 'n');
    assert!(
        !text_of(&gina).contains("Request destruction"),
        "{}",
        text_of(&gina)
    );
    let small = screen_text(&draw(&gina, 80, 24));
    assert!(!small.contains("too small"), "{small}");
    // Every count is whole at 80 columns: they flow onto as many lines as they need.
    for count in [
        "Open 0",
        "Completed, awaiting closure 0",
        "Closed, within retention 0",
        "Eligible for destruction 1",
        "On legal hold 0",
        "Awaiting a decision 0",
        "Destroyed 0",
    ] {
        assert!(small.contains(count), "{count}:\n{small}");
    }
}
