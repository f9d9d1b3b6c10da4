//! Benchmarks of the terminal UI (issue "The terminal UI"): drawing the Users list with
//! 5,000 accounts at 200x60, and the time from a key press (moving the selection) to the
//! next frame. Figures go to BENCHMARKS.md. Run: `cargo bench --bench ui`.

use pecs::crypto::{KdfParams, Password};
use pecs::domain::{Origin, Role};
use pecs::service::{Pecs, Settings, demo};
use pecs::store::{Db, users::NewUserRow};
use pecs::tui::keymap::Keymap;
use pecs::tui::theme::Theme;
use pecs::tui::{App, UiOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;

mod common;

const USERS: usize = 5_000;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// 5,000 extra accounts written straight into the store (a fixture, not audited),
/// through the data key that a recovery code unwraps.
fn seed_users(pecs: &Pecs, origin: &Origin) {
    let admin = pecs
        .login(
            demo::SYSADMIN,
            &Password::new(demo::DEMO_PASSWORD),
            origin.clone(),
        )
        .expect("login");
    let org = admin.info().org_id;
    admin.logout().expect("logout");
    let key = common::data_key::data_key_of(pecs, origin.clone());
    let db = Db::open(&pecs.paths.db, &key, Default::default()).expect("open");
    let tx = db.write().expect("tx");
    for i in 0..USERS {
        let name = format!("staff.{i:05}");
        let display = format!("Staff Member {i}");
        pecs::store::users::insert(
            &tx,
            &NewUserRow {
                username: &name,
                display_name: &display,
                org_id: org,
                role: Role::Caseworker,
                expires_at: None,
            },
            pecs.now(),
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let frames = if quick { 50 } else { 500 };
    let tmp = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        kdf: KdfParams {
            m_kib: 1024,
            t: 1,
            p: 1,
        },
        ..Settings::default()
    };
    let pecs = Pecs::new(&tmp.path().join("data"), settings);
    let origin = Origin::from_parts(Some("192.0.2.1 5000 10.0.0.1 22"), None, None, None, 1);
    demo::create(&pecs, origin.clone()).expect("seed");
    seed_users(&pecs, &origin);

    let options = UiOptions {
        keymap: Keymap::default(),
        theme: Theme { color: true },
        idle_lock_ms: 15 * 60_000,
    };
    let mut app = App::new(pecs, options);
    for c in demo::SYSADMIN.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Tab));
    for c in demo::DEMO_PASSWORD.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    let loaded = Instant::now();
    app.on_key(key(KeyCode::Char('2')));
    let tab_switch = loaded.elapsed();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("of 5010 accounts"),
        "the Users list is on screen:\n{screen}"
    );

    let draws = common::measure(frames, || {
        terminal.draw(|f| app.render(f)).expect("draw");
    });
    let mut presses = 0usize;
    let moves = common::measure(frames, || {
        presses += 1;
        app.on_key(key(if presses % 400 < 200 {
            KeyCode::Down
        } else {
            KeyCode::Up
        }));
        terminal.draw(|f| app.render(f)).expect("draw");
    });
    println!("PECS UI benchmarks ({USERS} extra users, 200x60, {frames} frames)");
    println!(
        "open Users tab (load {} accounts through the service)  {tab_switch:>10.3?}",
        USERS + 10
    );
    common::show("draw the Users list", &draws);
    common::show("key (move selection) to frame", &moves);
}
