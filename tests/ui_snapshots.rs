//! Snapshot tests of the terminal UI (DESIGN.md §6, §7): the real `pecs::tui::App`, fed
//! keys and drawn into a `ratatui::backend::TestBackend`; the screens are committed under
//! `tests/snapshots/` (insta). Create or update them with
//! `INSTA_UPDATE=always cargo test --test ui_snapshots`.
//!
//! Determinism: the clock is the fixture's FixedClock, and the origin of a login made
//! through the UI comes from `SSH_CONNECTION`, which every test sets to the same value
//! before anything else (tests in one binary share the environment). One-time codes are
//! random: they are checked for their shape and masked before a snapshot.

mod common;

use common::ui::*;

use common::data_key;

use common::World;
use pecs::crypto::Password;
use pecs::domain::Role;
use pecs::sanitize::inert;
use pecs::service::{ServiceError, auth, demo, orgs, users};
use pecs::tui::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

const ORIGIN_SHOWN: &str = "198.51.100.20:40000 (ssh)";

/// The hostile display name of the issue: clear screen, OSC 52 clipboard write, and a
/// right-to-left override.
const HOSTILE: &str = "Eve\x1b[2J\x1b]52;c;SGVsbG8=\x07\u{202E}gnp.exe";
/// An organisation name that would retitle the window (OSC 0).
const HOSTILE_ORG: &str = "Evil\x1b[2J\x1b]0;pwned\x07\u{202E}Corp";

// ---------------------------------------------------------------------------------------
// Driving the app.

fn demo_world() -> World {
    fixed_origin();
    World::demo()
}

fn app(w: &World) -> App {
    app_with(w, false)
}

fn logged_in(w: &World, username: &str) -> App {
    let mut a = app(w);
    log_in(&mut a, username, common::PASSWORD);
    assert!(
        a.session().is_some(),
        "{username} is not logged in:\n{}",
        screen_text(&draw(&a, 100, 30))
    );
    a
}

fn buffer(t: &Terminal<TestBackend>) -> &Buffer {
    t.backend().buffer()
}

/// The screen as insta shows it (`TestBackend`'s own view, rows in quotes).
fn snapshot_text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

fn assert_inert(t: &Terminal<TestBackend>) {
    let text = screen_text(t);
    for bad in ['\u{1b}', '\u{07}', '\u{202E}'] {
        assert!(
            !text.contains(bad),
            "the screen holds U+{:04X}:\n{text}",
            bad as u32
        );
    }
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the screen:\n{text}"
    );
}

/// A reset code's shape, XXXX-XXXX-XXXX-XXXX in the code alphabet (no regex).
fn is_reset_code(s: &str) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let groups: Vec<&str> = s.split('-').collect();
    s.len() == 19
        && groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| ALPHABET.contains(c)))
}

/// Every word on the screen that has the shape of a reset code.
fn codes_on(t: &Terminal<TestBackend>) -> Vec<String> {
    screen_text(t)
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|w| is_reset_code(w))
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Login.

#[test]
fn login_screen() {
    let w = demo_world();
    let a = app(&w);
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(text.contains("PECS · log in"), "{text}");
    assert!(text.contains("DEMO DATA"), "{text}");
    insta::assert_snapshot!("login", snapshot_text(&t));
}

#[test]
fn login_after_a_wrong_password_is_generic() {
    let w = demo_world();
    let mut a = app(&w);
    log_in(&mut a, demo::SYSADMIN, "not-the-password-at-all");
    assert!(a.session().is_none());
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(
        !text.contains('•'),
        "the password field is cleared:\n{text}"
    );
    insta::assert_snapshot!("login_wrong_password", snapshot_text(&t));

    // The same screen for a name that does not exist (same length, so the same padding):
    // the message does not say whether the account exists.
    let ghost = "sam.sysadmim";
    assert_eq!(ghost.len(), demo::SYSADMIN.len());
    let mut b = app(&w);
    log_in(&mut b, ghost, "not-the-password-at-all");
    let other = screen_text(&draw(&b, 100, 30));
    assert_eq!(
        text.replace(demo::SYSADMIN, ghost),
        other,
        "an unknown name and a wrong password must look the same"
    );
}

#[test]
fn first_screen_after_login_shows_last_login() {
    let w = demo_world();
    let a = logged_in(&w, demo::SYSADMIN);
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    // The demo seed logged sam in at T0 from the fixture's origin.
    assert!(
        text.contains("Last login: 2026-12-04 09:00 UTC from 192.0.2.10:50122 (ssh)"),
        "{text}"
    );
    insta::assert_snapshot!("landing_sysadmin", snapshot_text(&t));
}

// ---------------------------------------------------------------------------------------
// Users.

#[test]
fn users_as_sysadmin_80x24() {
    let w = demo_world();
    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '2');
    let t = draw(&a, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("10 of 10 accounts"), "{text}");
    // The From column is narrow here: sam's own login, from the fixed origin, is cut
    // short with an ellipsis (never silently, so it cannot read as another address);
    // Enter shows the whole of it.
    assert!(
        text.contains("198.51.100.2…"),
        "sam's own login, from:\n{text}"
    );
    insta::assert_snapshot!("users_sysadmin_80x24", snapshot_text(&t));
}

#[test]
fn users_as_sysadmin_120x35() {
    let w = demo_world();
    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '2');
    let t = draw(&a, 120, 35);
    let text = screen_text(&t);
    for (username, display_name, ..) in demo::ACCOUNTS {
        assert!(text.contains(username), "{username} missing:\n{text}");
        assert!(
            text.contains(display_name),
            "{display_name} missing:\n{text}"
        );
    }
    insta::assert_snapshot!("users_sysadmin_120x35", snapshot_text(&t));
}

/// Every demo name a HARLOW client admin must never see.
fn not_harlow() -> Vec<&'static str> {
    let mut names = vec![demo::SYSADMIN, "MERIDIAN", "KESTREL", "Meridian", "Kestrel"];
    for (username, display_name, _, org) in demo::ACCOUNTS {
        if org != "HARLOW" {
            names.push(username);
            names.push(display_name);
        }
    }
    names.push(demo::AGENCY_NAME);
    names
}

fn assert_only_harlow(t: &Terminal<TestBackend>, when: &str) {
    let text = screen_text(t);
    for name in not_harlow() {
        assert!(
            !text.contains(name),
            "{when}: a client admin sees {name}:\n{text}"
        );
    }
}

#[test]
fn users_as_client_admin_shows_only_their_organisation() {
    let w = demo_world();
    let mut a = logged_in(&w, "hannah.harlow");
    ch(&mut a, '2');
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(text.contains("hannah.harlow"), "{text}");
    assert!(text.contains("harry.harlow"), "{text}");
    assert!(text.contains("2 of 2 accounts"), "{text}");
    assert_only_harlow(&t, "users list");
    insta::assert_snapshot!("users_client_admin", snapshot_text(&t));

    // The wide layout (display names), the organisation filter and the details popup
    // show nothing of another organisation either.
    assert_only_harlow(&draw(&a, 200, 60), "users list at 200x60");
    ch(&mut a, 'f');
    let t = draw(&a, 100, 30);
    assert!(screen_text(&t).contains("organisation: HARLOW"));
    assert_only_harlow(&t, "organisation filter");
    ch(&mut a, 'f');
    assert!(screen_text(&draw(&a, 100, 30)).contains("organisation: all"));
    for _ in 0..2 {
        press(&mut a, KeyCode::Enter);
        assert_only_harlow(&draw(&a, 120, 35), "details popup");
        press(&mut a, KeyCode::Esc);
        ch(&mut a, 'j');
    }
    ch(&mut a, '6');
    assert_only_harlow(&draw(&a, 120, 35), "profile");
}

#[test]
fn reset_password_as_client_admin_shows_the_code_once() {
    let w = demo_world();
    let mut a = logged_in(&w, "hannah.harlow");
    ch(&mut a, '2');
    // hannah.harlow first, harry.harlow second (by user name).
    ch(&mut a, 'j');
    ch(&mut a, 'p');
    let t = draw(&a, 100, 30);
    let question = screen_text(&t);
    assert!(question.contains("harry.harlow"), "{question}");
    assert!(
        codes_on(&t).is_empty(),
        "no code before the yes:\n{question}"
    );
    insta::assert_snapshot!("reset_password_question", snapshot_text(&t));

    ch(&mut a, 'y');
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    let found = codes_on(&t);
    assert_eq!(found.len(), 1, "one code on the screen:\n{text}");
    let code = found[0].clone();
    assert!(is_reset_code(&code), "{code}");
    assert!(text.contains("One-time code for harry.harlow"), "{text}");
    // Issued at T0 (09:00 UTC), valid for 24 h.
    // (The sentence wraps in the popup.)
    assert!(text.contains("until 2026-12-05"), "{text}");
    assert!(text.contains("09:00 UTC."), "{text}");
    // The snapshot with the code masked: the code itself is random.
    insta::assert_snapshot!(
        "reset_password_code_masked",
        snapshot_text(&t).replace(&code, "XXXX-XXXX-XXXX-XXXX")
    );

    // Esc closes it, and the code is gone from the screen for good.
    press(&mut a, KeyCode::Esc);
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(!text.contains(&code), "the code is still shown:\n{text}");
    assert!(!text.contains("One-time code"), "{text}");
    assert!(codes_on(&t).is_empty(), "{text}");
    ch(&mut a, 'r');
    assert!(!screen_text(&draw(&a, 100, 30)).contains(&code));

    // The code works once, instead of the password, and forces a new password.
    drop(a);
    let harry = w
        .login_with("harry.harlow", &code)
        .expect("the code shown logs harry in");
    assert!(harry.info().must_change_password);
}

// ---------------------------------------------------------------------------------------
// Profile, help, too small.

#[test]
fn profile_screen() {
    let w = demo_world();
    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '6');
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(text.contains("User name    sam.sysadmin"), "{text}");
    assert!(text.contains(&format!("from {ORIGIN_SHOWN}")), "{text}");
    insta::assert_snapshot!("profile", snapshot_text(&t));
}

#[test]
fn help_overlay() {
    let w = demo_world();
    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '2');
    ch(&mut a, '?');
    let t = draw(&a, 100, 30);
    let text = screen_text(&t);
    assert!(text.contains("Help · Esc to close"), "{text}");
    for line in [
        "show this help",
        "reset a password",
        "filter by state",
        "Ctrl-L",
    ] {
        assert!(text.contains(line), "{line} missing from the help:\n{text}");
    }
    insta::assert_snapshot!("help", snapshot_text(&t));
    press(&mut a, KeyCode::Esc);
    assert!(!screen_text(&draw(&a, 100, 30)).contains("Help · Esc to close"));
}

#[test]
fn terminal_too_small() {
    let w = demo_world();
    let a = app(&w);
    let t = draw(&a, 60, 20);
    let text = screen_text(&t);
    assert!(text.contains("too small"), "{text}");
    assert!(text.contains("60x20"), "{text}");
    insta::assert_snapshot!("too_small_60x20", snapshot_text(&t));
    // One column or one row short is too small as well, logged in or not.
    assert!(screen_text(&draw(&a, 79, 24)).contains("too small"));
    let a = logged_in(&w, demo::SYSADMIN);
    assert!(screen_text(&draw(&a, 80, 23)).contains("too small"));
    assert!(!screen_text(&draw(&a, 80, 24)).contains("too small"));
}

// ---------------------------------------------------------------------------------------
// Hostile strings from the database.

#[test]
fn sanitize_makes_hostile_text_inert() {
    let shown = inert(HOSTILE);
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(!shown.contains('\u{07}'), "{shown:?}");
    assert!(!shown.contains('\u{202E}'), "{shown:?}");
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert_eq!(shown, "Eve␛[2J␛]52;c;SGVsbG8=<U+0007><U+202E>gnp.exe");
    // Other movers: C1 CSI, newlines, isolates, zero-width and BOM.
    let more = inert("a\u{9b}31mb\r\nc\u{2066}d\u{200B}e\u{FEFF}");
    assert!(!more.chars().any(char::is_control), "{more:?}");
    assert!(
        !more.contains(['\u{2066}', '\u{200B}', '\u{FEFF}']),
        "{more:?}"
    );
    assert_eq!(inert("Harlow & Finch LLP"), "Harlow & Finch LLP");
}

/// A raw connection on `pecs.db`, to write stored text behind the service layer (as an
/// older version, an import or a hand-edited database might have left it).
fn raw_connection(w: &World) -> rusqlite::Connection {
    let dk = data_key(w);
    let conn = rusqlite::Connection::open(&w.pecs.paths.db).expect("open pecs.db");
    conn.execute_batch(&format!(
        "PRAGMA key = \"{}\"; PRAGMA cipher_log_level = NONE; PRAGMA busy_timeout = 5000;",
        dk.sqlcipher_literal().as_str()
    ))
    .expect("key pecs.db");
    conn
}

#[test]
fn hostile_display_name_is_drawn_inert() {
    let w = demo_world();
    let sam = w.login(demo::SYSADMIN);

    // What the service accepts: control characters (ESC, BEL) are refused in display
    // names and organisation names; the right-to-left override (a format character) is
    // accepted.
    let new_user = |username: &str, display_name: &str, org_id| users::NewUser {
        username: username.into(),
        display_name: display_name.into(),
        org_id,
        role: Role::ClientUser,
        expires_at: None,
    };
    let org = orgs::create_client(&sam, "EVIL", "Evil \u{202E}Corp").expect("org with RLO");
    for refused in [HOSTILE, "Eve\x1b[2J", "Eve\x1b]52;c;SGVsbG8=\x07"] {
        let err = users::create(&sam, &new_user("eve.refused", refused, org.id))
            .expect_err("a display name with control characters is refused");
        assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    }
    assert!(matches!(
        orgs::create_client(&sam, "EVIL2", "Evil\x1b[2J"),
        Err(ServiceError::Invalid(_))
    ));
    let accepted = "Eve [2J ]52;c;SGVsbG8= \u{202E}gnp.exe";
    let (eve, issued) =
        users::create(&sam, &new_user("eve.hostile", accepted, org.id)).expect("RLO accepted");
    assert_eq!(eve.display_name, accepted);
    let (rlo, _) = users::create(&sam, &new_user("eve.rlo", accepted, org.id)).expect("RLO");
    assert_eq!(rlo.display_name, accepted);
    sam.logout().expect("logout");
    // Eve chooses her password, to log in through the UI below.
    let first = w
        .pecs
        .login("eve.hostile", &issued.code, common::local_origin())
        .expect("eve's one-time code");
    auth::choose_password(&first, &Password::new(common::PASSWORD)).expect("choose");
    first.logout().expect("logout");

    // The full hostile strings, written behind the service.
    let conn = raw_connection(&w);
    for (sql, value, key) in [
        (
            "UPDATE users SET display_name = ?1 WHERE username = ?2",
            HOSTILE,
            "eve.hostile",
        ),
        (
            "UPDATE orgs SET name = ?1 WHERE code = ?2",
            HOSTILE_ORG,
            "EVIL",
        ),
    ] {
        let changed = conn
            .execute(sql, rusqlite::params![value, key])
            .expect("raw update");
        assert_eq!(changed, 1, "{sql}");
    }
    drop(conn);
    assert_eq!(w.user("eve.hostile").display_name, HOSTILE);

    // The name the service accepted (RLO only) is drawn inert too.
    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '2');
    ch(&mut a, '/');
    type_text(&mut a, "eve.r");
    press(&mut a, KeyCode::Enter);
    let t = draw(&a, 120, 35);
    assert_inert(&t);
    assert!(screen_text(&t).contains("Eve [2J ]52;c;SGVsb"));
    press(&mut a, KeyCode::Enter);
    let t = draw(&a, 120, 35);
    assert_inert(&t);
    assert!(screen_text(&t).contains("Name: Eve [2J ]52;c;SGVsbG8= <U+202E>gnp.exe"));
    drop(a);

    let mut a = logged_in(&w, demo::SYSADMIN);
    ch(&mut a, '2');
    // Only Eve: search for her user name.
    ch(&mut a, '/');
    type_text(&mut a, "eve.h");
    press(&mut a, KeyCode::Enter);
    let t = draw(&a, 120, 35);
    assert_inert(&t);
    let text = screen_text(&t);
    assert!(text.contains("1 of 12 accounts"), "{text}");
    assert!(text.contains("Eve␛[2J␛]52;c;SGVs"), "{text}");
    insta::assert_snapshot!("users_hostile_display_name", snapshot_text(&t));
    assert_inert(&draw(&a, 80, 24));

    // The details popup shows the whole name and the organisation's name, inert.
    press(&mut a, KeyCode::Enter);
    let t = draw(&a, 120, 35);
    assert_inert(&t);
    let text = screen_text(&t);
    assert!(
        text.contains("Eve␛[2J␛]52;c;SGVsbG8=<U+0007><U+202E>gnp.exe"),
        "{text}"
    );
    assert!(
        text.contains("Evil␛[2J␛]0;pwned<U+0007><U+202E>Corp"),
        "{text}"
    );
    insta::assert_snapshot!("users_hostile_details", snapshot_text(&t));
    drop(a);

    // Eve herself: her name and her organisation's name on Profile and in the status bar.
    let mut a = logged_in(&w, "eve.hostile");
    assert_inert(&draw(&a, 100, 30));
    ch(&mut a, '6');
    let t = draw(&a, 100, 30);
    assert_inert(&t);
    let text = screen_text(&t);
    assert!(
        text.contains("EVIL Evil␛[2J␛]0;pwned<U+0007><U+202E>Corp"),
        "{text}"
    );
    insta::assert_snapshot!("profile_hostile", snapshot_text(&t));
}

// ---------------------------------------------------------------------------------------
// NO_COLOR.

/// Screens to check for colour: login, users, a popup, profile, help.
fn colour_screens(w: &World, color: bool) -> Vec<Terminal<TestBackend>> {
    let mut screens = vec![draw(&app_with(w, color), 100, 30)];
    let mut a = app_with(w, color);
    log_in(&mut a, "hannah.harlow", "wrong-password-here");
    screens.push(draw(&a, 100, 30));
    let mut a = app_with(w, color);
    log_in(&mut a, demo::SYSADMIN, common::PASSWORD);
    screens.push(draw(&a, 100, 30));
    ch(&mut a, '2');
    screens.push(draw(&a, 120, 35));
    press(&mut a, KeyCode::Enter);
    screens.push(draw(&a, 120, 35));
    press(&mut a, KeyCode::Esc);
    ch(&mut a, '6');
    screens.push(draw(&a, 100, 30));
    ch(&mut a, '?');
    screens.push(draw(&a, 100, 30));
    press(&mut a, KeyCode::Esc);
    ch(&mut a, 'q');
    screens.push(draw(&a, 100, 30));
    screens
}

fn coloured_cells(t: &Terminal<TestBackend>) -> usize {
    buffer(t)
        .content()
        .iter()
        .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
        .count()
}

#[test]
fn no_color_theme_draws_no_colour() {
    let w = demo_world();
    for (i, t) in colour_screens(&w, false).iter().enumerate() {
        let b = buffer(t);
        for y in 0..b.area.height {
            for x in 0..b.area.width {
                let cell = &b[(x, y)];
                assert!(
                    cell.fg == Color::Reset && cell.bg == Color::Reset,
                    "screen {i}: colour at {x},{y} ({:?} on {:?}):\n{}",
                    cell.fg,
                    cell.bg,
                    screen_text(t)
                );
            }
        }
    }
    let coloured: Vec<usize> = colour_screens(&w, true)
        .iter()
        .map(coloured_cells)
        .collect();
    assert!(
        coloured.iter().all(|n| *n > 0),
        "with colour on, every screen uses some: {coloured:?}"
    );
}
