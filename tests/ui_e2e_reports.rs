//! End-to-end, in two pseudo-terminals on one data dir: a caseworker opens a case, and a
//! supervisor's Reports screen ("Views and changes"), left alone, shows the view within
//! the refresh interval, with the caseworker's address.
//!
//! The real `pecs` binary twice on a copy of the demo data (tests/common/pty.rs):
//! sue.supervisor from the harness's usual `SSH_CONNECTION`, carl.caseworker from his
//! own. Nothing is typed into sue's terminal once the view is on her screen.

mod common;

use common::pty::{PASSWORD, REMOTE, Sandbox, Tui, assert_audit_verifies, library_origin};
use pecs::crypto::Password;
use pecs::service::reports::{self, ActivityFilter, Fetch};
use pecs::service::{Pecs, Settings};
use pecs::tui::screens::reports::REFRESH_MS;
use std::time::{Duration, Instant};

/// carl.caseworker's terminal: the SSH client he connects from.
const CARL_SSH: &str = "198.51.100.23 50000 10.0.0.1 22";
const CARL_ADDRESS: &str = "198.51.100.23";
/// How the audit log shows [`CARL_SSH`].
const CARL_REMOTE: &str = "198.51.100.23:50000";

/// The reference on the first row of the Cases list.
fn first_reference(ui: &Tui) -> String {
    ui.rows()
        .into_iter()
        .find_map(|row| {
            let reference = row.strip_prefix('│')?.split_whitespace().next()?;
            reference.starts_with("PE-").then(|| reference.to_owned())
        })
        .unwrap_or_else(|| panic!("no case on the list\n{}", ui.dump()))
}

/// Whether a row of the screen is the event: a `case.view` of `reference` by carl from his
/// address.
fn shows_carls_view(screen: &vt100::Screen, reference: &str) -> bool {
    screen.rows(0, screen.size().1.get()).any(|row| {
        row.contains("case.view")
            && row.contains("carl.caseworker")
            && row.contains(reference)
            && row.contains(CARL_ADDRESS)
    })
}

#[test]
fn a_supervisors_reports_screen_shows_a_caseworkers_case_view_with_his_address() {
    let sandbox = Sandbox::demo();

    // sue.supervisor: Reports (4), then → twice to "Views and changes".
    let mut sue = sandbox.tui();
    sue.log_in("sue.supervisor", PASSWORD);
    sue.wait_for("sue.supervisor · supervisor · PE");
    sue.send("4");
    sue.wait_for("┌ Online ");
    sue.wait_for(REMOTE);
    sue.right();
    sue.wait_for("┌ Logins ");
    sue.right();
    sue.wait_for("┌ Views and changes ");
    sue.wait_for("When (UTC)");
    assert!(
        !sue.contents().contains(CARL_ADDRESS),
        "carl's address is on sue's screen before he logs in\n{}",
        sue.dump()
    );

    // carl.caseworker, from his own address, opens the first case of his list.
    let mut carl = sandbox.tui_with_env(&[("SSH_CONNECTION", CARL_SSH)]);
    carl.log_in("carl.caseworker", PASSWORD);
    carl.wait_for("carl.caseworker · caseworker · PE");
    carl.wait_for("page 1 · cases 1–");
    let reference = first_reference(&carl);
    carl.select_row_with(&reference);
    carl.enter();
    let opened = Instant::now();
    carl.wait_for(&format!(" {reference} · "));
    carl.wait_for(&format!("Reference      {reference}"));

    // sue's screen, untouched, shows the view within two refresh intervals.
    let limit = Duration::from_millis(2 * REFRESH_MS as u64);
    sue.wait_until_within(
        &format!("sue's screen to show carl's case.view of {reference} from {CARL_ADDRESS}"),
        limit.saturating_sub(opened.elapsed()),
        |s| shows_carls_view(s, &reference),
    );
    let seen_after = opened.elapsed();
    eprintln!("sue saw carl's view {seen_after:?} after he pressed Enter");
    let row = sue
        .row_with("case.view")
        .map(|(_, r)| r)
        .expect("the row just seen");
    assert!(
        row.contains(&format!("{CARL_REMOTE} (ssh)")),
        "the row should give carl's address and port: {row:?}\n{}",
        sue.dump()
    );
    // Still on the view she chose, with nothing over it.
    assert!(
        sue.contents().contains("┌ Views and changes "),
        "{}",
        sue.dump()
    );

    // Both quit: carl back to his list first.
    carl.esc();
    carl.wait_for("page 1 · cases 1–");
    carl.quit_with_q();
    sue.quit_with_q();

    // What sue saw is what the audit log holds.
    let pecs = Pecs::new(&sandbox.data_dir(), Settings::default());
    let reader = pecs
        .login("sue.supervisor", &Password::new(PASSWORD), library_origin())
        .expect("sue logs in through the library");
    let views = reports::activity(
        &reader,
        &ActivityFilter {
            user: Some("carl.caseworker".into()),
            case: Some(reference.clone()),
            action: Some("case.view".into()),
            ..ActivityFilter::default()
        },
        Fetch::Refresh,
    )
    .expect("carl's views");
    reader.logout().expect("logout");
    assert_eq!(views.len(), 1, "one view of {reference}: {views:#?}");
    assert_eq!(
        views[0].event.origin.remote.as_deref(),
        Some(CARL_REMOTE),
        "{views:#?}"
    );
    assert_eq!(views[0].event.origin.pid, carl.pid, "{views:#?}");

    assert_audit_verifies(&sandbox);
}
