//! The System screen (`5`): backup health and destinations, the audit checkpoint, and
//! "back up now" for a sysadmin only, on the real `App` drawn into a `TestBackend`.

mod common;

use common::ui::*;
use common::{World, fast_settings, local_origin};
use pecs::service::backup::settings::Destination;
use pecs::service::demo;
use ratatui::crossterm::event::KeyCode;

/// The demo cast with backups configured to two fresh folders (kept alive by the guard).
fn world() -> (World, tempfile::TempDir) {
    let folders = tempfile::tempdir().unwrap();
    let mut settings = fast_settings();
    for name in ["onsite", "offsite"] {
        let path = folders.path().join(name);
        std::fs::create_dir(&path).unwrap();
        settings.backup.destinations.push(Destination {
            name: name.into(),
            path,
        });
    }
    let w = World::empty_with(settings);
    demo::create(&w.pecs, local_origin()).unwrap();
    (w, folders)
}

fn text_of(app: &pecs::tui::App) -> String {
    screen_text(&draw(app, 100, 30))
}

#[test]
fn a_sysadmin_backs_up_now_and_health_turns_ok() {
    fixed_origin();
    let (w, _folders) = world();
    let mut a = logged_in_with(&w, demo::SYSADMIN, false);
    ch(&mut a, '5');
    let text = text_of(&a);
    assert!(text.contains("CRITICAL"), "no backup yet:\n{text}");
    assert!(text.contains("onsite: no verified backup"), "{text}");
    assert!(text.contains("b back up now"), "{text}");
    assert!(text.contains("checkpoint at event"), "{text}");
    ch(&mut a, 'b');
    let text = text_of(&a);
    assert!(text.contains("onsite: made and verified"), "{text}");
    assert!(text.contains("offsite: made and verified"), "{text}");
    press(&mut a, KeyCode::Esc);
    let text = text_of(&a);
    assert!(text.contains("Backups  OK"), "{text}");
    assert!(
        text.contains("2026-12-04 09:00"),
        "the backup's time:\n{text}"
    );
}

#[test]
fn a_supervisor_reads_the_system_screen_but_cannot_back_up() {
    fixed_origin();
    let (w, _folders) = world();
    let mut a = logged_in_with(&w, "sue.supervisor", false);
    ch(&mut a, '5');
    let text = text_of(&a);
    assert!(text.contains("Backup destinations"), "{text}");
    assert!(!text.contains("back up now"), "{text}");
    ch(&mut a, 'b');
    let text = text_of(&a);
    assert!(!text.contains("made and verified"), "{text}");
    let (found, _) =
        pecs::service::backup::disk::list(&w.pecs.settings.backup.destinations[0].path).unwrap();
    assert!(found.is_empty(), "nothing was backed up");
}

#[test]
fn the_system_screen_fits_80x24_and_says_when_nothing_is_configured() {
    fixed_origin();
    let w = World::demo();
    let mut a = logged_in_with(&w, demo::SYSADMIN, false);
    ch(&mut a, '5');
    let text = screen_text(&draw(&a, 80, 24));
    assert!(
        text.contains("No backup destination is configured"),
        "{text}"
    );
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(!text.contains("too small"), "{text}");
}
