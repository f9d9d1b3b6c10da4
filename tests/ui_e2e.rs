//! End-to-end tests of the terminal UI: the real `pecs` binary in a pseudo-terminal
//! (portable-pty), its output read into a terminal emulator (vt100) and the screen
//! checked as a person would read it.
//!
//! The harness (tests/common/pty.rs) seeds the demo cast once per run and gives each
//! test its own copy of that data dir.

mod common;

use common::pty::{
    LOGIN_TITLE, PASSWORD, REMOTE, Sandbox, Tui, assert_audit_verifies, library_origin,
};
use pecs::crypto::Password;
use pecs::service::{Pecs, Settings, audit};

/// A one-time code, XXXX-XXXX-XXXX-XXXX in the code alphabet, found on the screen.
fn find_code(contents: &str) -> Option<String> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    contents
        .split(|c: char| c.is_whitespace() || c == '│')
        .find(|token| {
            token.len() == 19
                && token.char_indices().all(|(i, c)| {
                    if i % 5 == 4 {
                        c == '-'
                    } else {
                        ALPHABET.contains(c)
                    }
                })
        })
        .map(str::to_owned)
}

/// Reset harry.harlow's password as hannah.harlow, log in as harry with the code, be
/// made to choose a password and land on Cases.
#[test]
fn client_admin_resets_a_password_and_the_user_logs_in_with_the_code() {
    let sandbox = Sandbox::demo();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    ui.wait_for("DEMO DATA");
    ui.send("2");
    ui.wait_until("the Users list with harry.harlow", |s| {
        let c = s.contents();
        c.contains(" Users ") && c.contains("harry.harlow") && c.contains("accounts")
    });
    // A client admin sees only their own organisation.
    let listed = ui.contents();
    for other in [
        "mia.meridian",
        "kim.kestrel",
        "sue.supervisor",
        "sam.sysadmin",
    ] {
        assert!(
            !listed.contains(other),
            "hannah.harlow sees {other}\n{}",
            ui.dump()
        );
    }

    // Move the selection to harry.harlow with j/k.
    ui.select_row_with("harry.harlow");

    // Reset his password; the code is shown once.
    ui.send("p");
    ui.wait_for("Reset the password of harry.harlow?");
    ui.send("y");
    ui.wait_for("One-time code for harry.harlow:");
    let code = find_code(&ui.contents())
        .unwrap_or_else(|| panic!("no XXXX-XXXX-XXXX-XXXX code on screen\n{}", ui.dump()));
    ui.esc();
    ui.wait_gone("One-time code for");
    assert!(
        !ui.contents().contains(&code),
        "the code stays on screen after the popup closed\n{}",
        ui.dump()
    );
    ui.quit_with_q();

    // harry.harlow logs in with the code and must choose a password.
    let mut ui = sandbox.tui();
    ui.log_in("harry.harlow", &code);
    ui.wait_for("Choose your password");
    let new_password = "velvet canyon lantern 93";
    ui.send(new_password);
    ui.tab();
    ui.wait_for("Now type it again");
    ui.send(new_password);
    ui.wait_for("This password meets the policy.");
    ui.enter();
    ui.wait_until("the Cases screen", |s| {
        let c = s.contents();
        let (_, cols) = s.size();
        let tab_bar = s.rows(0, cols.get()).next().unwrap_or_default();
        tab_bar.contains("1 Cases") && c.contains(" Cases ") && c.contains("page 1 · cases 1–")
    });
    ui.wait_for("Your new password is set.");
    ui.wait_for("harry.harlow · client_user · HARLOW");
    ui.quit_with_ctrl_c();

    // The code is used up; the new password works.
    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    assert!(
        pecs.login("harry.harlow", &Password::new(&code), library_origin())
            .is_err(),
        "the one-time code worked twice"
    );
    let harry = pecs
        .login(
            "harry.harlow",
            &Password::new(new_password),
            library_origin(),
        )
        .expect("harry.harlow logs in with the chosen password");
    assert!(!harry.info().must_change_password);
    harry.logout().unwrap();
}

/// Type `attempts` wrong passwords for `user`, each answered before the next.
fn wrong_passwords(ui: &mut Tui, user: &str, attempts: usize) {
    ui.wait_for(LOGIN_TITLE);
    ui.send(user);
    ui.tab();
    for i in 1..=attempts {
        let guess = format!("wrong-guess-{i}");
        ui.send(&guess);
        let dots = "•".repeat(guess.chars().count());
        ui.wait_until(&format!("attempt {i} typed"), |s| {
            s.contents()
                .lines()
                .any(|l| l.contains("Password") && l.contains(&dots))
        });
        ui.enter();
        // A failure clears the password field and says so.
        ui.wait_until(&format!("attempt {i} answered"), |s| {
            let c = s.contents();
            c.contains("Login failed")
                && c.lines()
                    .any(|l| l.contains("Password") && !l.contains('•'))
        });
        if i < attempts {
            let c = ui.contents();
            assert!(
                !c.contains("paused until"),
                "paused after only {i} failures\n{}",
                ui.dump()
            );
        }
    }
}

/// Five wrong passwords, then the login screen explains the pause.
#[test]
fn five_wrong_passwords_pause_the_login() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui();
    wrong_passwords(&mut ui, "carl.caseworker", 5);
    ui.wait_for("paused until");
    assert!(
        ui.contents().contains(LOGIN_TITLE),
        "not on the login screen\n{}",
        ui.dump()
    );

    // While paused even the right password is refused, with the same explanation.
    ui.send(PASSWORD);
    ui.enter();
    ui.wait_until("the right password answered while paused", |s| {
        let c = s.contents();
        c.contains("paused until")
            && c.lines()
                .any(|l| l.contains("Password") && !l.contains('•'))
    });
    assert!(
        ui.contents().contains(LOGIN_TITLE),
        "logged in while paused\n{}",
        ui.dump()
    );
    ui.quit_with_ctrl_c();
}

/// The pause is explained the same way for a name that does not exist.
#[test]
fn the_pause_does_not_tell_whether_the_account_exists() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui();
    wrong_passwords(&mut ui, "nobody.here", 5);
    ui.wait_for("paused until");
    ui.quit_with_ctrl_c();
}

/// Quitting with `q` + `y` and with Ctrl-C both record the logout, with the SSH origin,
/// and the audit log still verifies.
#[test]
fn quitting_records_the_logout() {
    let sandbox = Sandbox::demo();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    let first_pid = ui.pid;
    ui.quit_with_q();

    let mut ui = sandbox.tui();
    ui.log_in("hannah.harlow", PASSWORD);
    ui.wait_for("hannah.harlow · client_admin · HARLOW");
    ui.send("6");
    ui.wait_for(" Your recent logins ");
    let second_pid = ui.pid;
    ui.quit_with_ctrl_c();

    assert_audit_verifies(&sandbox);

    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    let sue = pecs
        .login("sue.supervisor", &Password::new(PASSWORD), library_origin())
        .expect("sue.supervisor logs in");
    let events = audit::recent_events(&sue, 1000).expect("recent events");
    sue.logout().unwrap();
    // Each run's events carry its process id: one logout each, from the SSH client.
    for (pid, how) in [(first_pid, "q + y"), (second_pid, "Ctrl-C")] {
        let of_run = |action: &str| -> Vec<_> {
            events
                .iter()
                .filter(|e| e.event.action == action && e.event.origin.pid == pid)
                .collect()
        };
        let logins = of_run("login");
        let logouts = of_run("logout");
        assert_eq!(
            logouts.len(),
            1,
            "one logout after {how} (pid {pid}) expected, got {logouts:#?}"
        );
        let logout = &logouts[0].event;
        assert_eq!(
            logout.actor.name.as_deref(),
            Some("hannah.harlow"),
            "{logout:#?}"
        );
        assert_eq!(logout.origin.remote.as_deref(), Some(REMOTE), "{logout:#?}");
        assert_eq!(logout.outcome, pecs::domain::Outcome::Ok, "{logout:#?}");
        assert_eq!(logins.len(), 1, "one login in pid {pid}: {logins:#?}");
        assert!(
            logout.session_id.is_some() && logout.session_id == logins[0].event.session_id,
            "the logout after {how} is not of the session that logged in: {logout:#?}"
        );
    }
}

/// Below 80x24 the screen says it is too small; growing the terminal redraws the login.
#[test]
fn too_small_then_resized() {
    let sandbox = Sandbox::demo();
    let mut ui = sandbox.tui_sized(70, 20);
    ui.wait_for("The terminal is too small for PECS.");
    ui.wait_for("this one is 70x20");
    assert!(!ui.contents().contains(LOGIN_TITLE));

    ui.resize(100, 30);
    ui.wait_until("the login screen after the resize", |s| {
        let c = s.contents();
        c.contains(LOGIN_TITLE) && !c.contains("too small")
    });
    // It works at the new size.
    ui.send("carl.caseworker");
    ui.wait_for("carl.caseworker");
    ui.quit_with_ctrl_c();
}

#[test]
fn find_code_reads_the_code_shape() {
    assert_eq!(
        find_code("│    7K3M-QX9P-2RTA-HWZ4     │").as_deref(),
        Some("7K3M-QX9P-2RTA-HWZ4")
    );
    assert_eq!(find_code("7K3M-QX9P-2RTA-HWZI"), None);
    assert_eq!(find_code("2026-12-04 09:00"), None);
}
