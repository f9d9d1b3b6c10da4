//! Driving the real `App` in tests: keys in, frames out through `TestBackend`, logins
//! from one fixed SSH origin so every "from" on screen is the same on any machine.

use super::World;
use pecs::tui::keymap::Keymap;
use pecs::tui::theme::Theme;
use pecs::tui::{App, UiOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Once;

/// Where every UI login in a test binary comes from: `198.51.100.20:40000 (ssh)`.
pub const SSH_CONNECTION: &str = "198.51.100.20 40000 10.0.0.1 22";

/// The same fixed origin for every test, set once before any test touches the service.
pub fn fixed_origin() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        // SAFETY: every test calls this first, and `Once` makes the others wait until it
        // is done, so no other thread reads the environment while it is written.
        unsafe { std::env::set_var("SSH_CONNECTION", SSH_CONNECTION) };
    });
}

pub fn app_with(w: &World, color: bool) -> App {
    App::new(
        w.pecs.clone(),
        UiOptions {
            keymap: Keymap::default(),
            theme: Theme { color },
            idle_lock_ms: 15 * 60_000,
        },
    )
}

pub fn press(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ch(app: &mut App, c: char) {
    press(app, KeyCode::Char(c));
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

/// Ctrl-U: empty the focused field.
pub fn clear_field(app: &mut App) {
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
}

/// User name, Enter, password, Enter: as a person logs in.
pub fn log_in(app: &mut App, username: &str, password: &str) {
    type_text(app, username);
    press(app, KeyCode::Enter);
    type_text(app, password);
    press(app, KeyCode::Enter);
}

/// A new app with `username` logged in with the demo password.
pub fn logged_in_with(w: &World, username: &str, color: bool) -> App {
    let mut a = app_with(w, color);
    log_in(&mut a, username, super::PASSWORD);
    assert!(
        a.session().is_some(),
        "{username} is not logged in:\n{}",
        screen_text(&draw(&a, 100, 30))
    );
    a
}

pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    terminal
}

/// The frame as text, one line a row.
pub fn screen_text(t: &Terminal<TestBackend>) -> String {
    let b = t.backend().buffer();
    let mut out = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            out.push_str(b[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
