//! The UI's clocks: idle lock after the configured minutes (the session ends, its key
//! is wiped, the password unlocks back to the same screen) and the 12-hour limit.

mod common;

use common::{PASSWORD, World};
use pecs::crypto::Password;
use pecs::domain::Millis;
use pecs::service::{audit, demo};
use pecs::tui::keymap::Keymap;
use pecs::tui::theme::Theme;
use pecs::tui::{App, UiOptions};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app(w: &World, idle_minutes: i64) -> App {
    App::new(
        w.pecs.clone(),
        UiOptions {
            keymap: Keymap::default(),
            theme: Theme { color: false },
            idle_lock_ms: idle_minutes * Millis::MINUTE,
        },
    )
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn log_in(app: &mut App, name: &str) {
    typed(app, name);
    press(app, KeyCode::Tab);
    typed(app, PASSWORD);
    press(app, KeyCode::Enter);
    assert!(app.session().is_some(), "{name} logged in");
}

fn events_by(w: &World, user: &str, action: &str) -> usize {
    let sue = w
        .pecs
        .login(
            "sue.supervisor",
            &Password::new(PASSWORD),
            common::local_origin(),
        )
        .unwrap();
    let n = audit::recent_events(&sue, 500)
        .unwrap()
        .iter()
        .filter(|e| e.event.action == action && e.event.actor.name.as_deref() == Some(user))
        .count();
    sue.logout().unwrap();
    n
}

#[test]
fn idle_minutes_lock_the_screen_and_the_password_unlocks_it() {
    let w = World::demo();
    let mut app = app(&w, 15);
    log_in(&mut app, "hannah.harlow");
    typed(&mut app, "2");

    w.advance_ms(15 * Millis::MINUTE - 1);
    app.tick();
    assert!(app.session().is_some(), "not yet");
    w.advance_ms(1);
    app.tick();
    assert!(
        app.session().is_none(),
        "locked: the session and its key are gone"
    );
    assert_eq!(events_by(&w, "hannah.harlow", "lock"), 1);

    // The name is fixed on the lock screen: typing goes to the password.
    typed(&mut app, PASSWORD);
    press(&mut app, KeyCode::Enter);
    let s = app.session().expect("unlocked");
    assert_eq!(s.info().username, "hannah.harlow");
    assert!(!app.finished());
}

#[test]
fn a_key_press_restarts_the_idle_clock() {
    let w = World::demo();
    let mut app = app(&w, 1);
    log_in(&mut app, demo::SYSADMIN);
    w.advance_ms(50_000);
    press(&mut app, KeyCode::Down);
    w.advance_ms(50_000);
    app.tick();
    assert!(app.session().is_some());
    w.advance_ms(10_000);
    app.tick();
    assert!(app.session().is_none());
}

#[test]
fn the_session_ends_at_its_twelve_hour_limit_however_busy() {
    let w = World::demo();
    let before = events_by(&w, "carl.caseworker", "session.limit");
    let mut app = app(&w, 15);
    log_in(&mut app, "carl.caseworker");
    for _ in 0..(12 * 6) {
        w.advance_ms(10 * Millis::MINUTE);
        press(&mut app, KeyCode::Down);
        app.tick();
    }
    assert!(app.session().is_none(), "ended at 12 h");
    assert_eq!(
        events_by(&w, "carl.caseworker", "session.limit"),
        before + 1
    );
}

#[test]
fn ctrl_c_logs_out_and_finishes() {
    let w = World::demo();
    let before = events_by(&w, "harry.harlow", "logout");
    let mut app = app(&w, 15);
    log_in(&mut app, "harry.harlow");
    app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.finished());
    assert_eq!(events_by(&w, "harry.harlow", "logout"), before + 1);
}
