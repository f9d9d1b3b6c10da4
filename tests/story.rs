//! One story through the secure core: an office sets PECS up, takes on a client, the
//! client's administrator runs their own people, and a supervisor checks the record.

mod common;

use common::{PASSWORD, World, local_origin};
use pecs::crypto::Password;
use pecs::domain::{Outcome, Role};
use pecs::service::install::InitRequest;
use pecs::service::{ServiceError, audit, auth, orgs, users};

#[test]
fn an_office_takes_on_a_client() {
    let w = World::empty();
    let good = Password::new(PASSWORD);

    // Day one: the office creates its installation and first sysadmin.
    w.pecs
        .init(
            &InitRequest {
                admin: "Sam.Sysadmin",
                password: &good,
                org_name: "Penham Excel",
                demo: false,
            },
            local_origin(),
        )
        .unwrap();
    let sam = w.login("sam.sysadmin");
    assert_eq!(sam.info().role, Role::Sysadmin);
    assert!(!sam.info().demo);

    // A sysadmin must use two-factor login: until enrolled, only the Profile is open.
    assert!(sam.info().must_enrol_two_factor);
    assert!(matches!(
        orgs::create_client(&sam, "harlow", "Harlow & Finch LLP"),
        Err(ServiceError::TwoFactorEnrolmentRequired)
    ));
    let sam_secret = common::enrol_two_factor(&sam, w.pecs.now());

    // A new client, and its administrator, who gets a one-time code by phone.
    let harlow = orgs::create_client(&sam, "harlow", "Harlow & Finch LLP").unwrap();
    assert_eq!(harlow.code, "HARLOW");
    let (hannah, code) = users::create(
        &sam,
        &users::NewUser {
            username: "hannah.harlow".into(),
            display_name: "Hannah Harlow".into(),
            org_id: harlow.id,
            role: Role::ClientAdmin,
            expires_at: None,
        },
    )
    .unwrap();
    assert!(hannah.must_change_password);

    // Hannah's first login: only choosing a password is possible.
    let first = w
        .pecs
        .login("hannah.harlow", &code.code, local_origin())
        .unwrap();
    assert!(first.info().must_change_password);
    assert!(matches!(
        users::list(&first),
        Err(ServiceError::PasswordChangeRequired)
    ));
    let weak = auth::choose_password(&first, &Password::new("harlowharlow1")).unwrap_err();
    assert!(
        weak.to_string().contains("organisation") || weak.to_string().contains("guess"),
        "{weak}"
    );
    auth::choose_password(&first, &good).unwrap();
    first.logout().unwrap();
    assert!(
        w.pecs
            .login("hannah.harlow", &code.code, local_origin())
            .is_err(),
        "a reset code works once"
    );

    // Hannah runs her own team: she adds Harry, and sees only her organisation.
    let hannah_s = w.login("hannah.harlow");
    assert!(hannah_s.info().previous_login.is_some());
    let (harry, harry_code) = users::create(
        &hannah_s,
        &users::NewUser {
            username: "harry.harlow".into(),
            display_name: "Harry Harlow".into(),
            org_id: harlow.id,
            role: Role::ClientUser,
            expires_at: None,
        },
    )
    .unwrap();
    let visible: Vec<String> = users::list(&hannah_s)
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(visible, ["hannah.harlow", "harry.harlow"]);
    assert!(matches!(
        users::get(&hannah_s, sam.info().user_id),
        Err(ServiceError::NotFound)
    ));
    assert!(
        users::disable(&hannah_s, hannah_s.info().user_id).is_err(),
        "never herself"
    );

    // Harry starts, then leaves: disabling him ends his session at his next action.
    let harry_s = w
        .pecs
        .login("harry.harlow", &harry_code.code, local_origin())
        .unwrap();
    auth::choose_password(&harry_s, &good).unwrap();
    users::disable(&hannah_s, harry.id).unwrap();
    assert!(matches!(
        auth::change_password(&harry_s, &good, &Password::new("another-long-phrase-77")),
        Err(ServiceError::SessionEnded)
    ));
    assert!(w.login_with("harry.harlow", PASSWORD).is_err());
    hannah_s.logout().unwrap();

    // A supervisor joins and checks the record: every step is there, intact.
    let (_, sue_code) = users::create(
        &sam,
        &users::NewUser {
            username: "sue.supervisor".into(),
            display_name: "Sue Supervisor".into(),
            org_id: sam.info().org_id,
            role: Role::Supervisor,
            expires_at: None,
        },
    )
    .unwrap();
    let sue = w
        .pecs
        .login("sue.supervisor", &sue_code.code, local_origin())
        .unwrap();
    auth::choose_password(&sue, &good).unwrap();
    common::enrol_two_factor(&sue, w.pecs.now());
    let report = audit::verify(&sue).unwrap();
    assert!(report.intact(), "{:?}", report.problem);
    let events = audit::recent_events(&sue, 200).unwrap();
    let seen = |action: &str, outcome: Outcome| {
        events
            .iter()
            .any(|e| e.event.action == action && e.event.outcome == outcome)
    };
    assert!(seen("system.init", Outcome::Ok));
    assert!(seen("org.create", Outcome::Ok));
    assert!(seen("user.create", Outcome::Ok));
    assert!(seen("user.disable", Outcome::Ok));
    assert!(
        seen("user.view", Outcome::Denied),
        "hannah's look at sam's account"
    );
    assert!(seen("login", Outcome::Failed), "harry after being disabled");
    assert!(events.iter().all(|e| {
        !e.event
            .detail
            .to_string()
            .contains(harry_code.code.expose())
    }));
    sue.logout().unwrap();
    sam.logout().unwrap();

    // The next day sam logs in with a code from the app; a code already used is refused.
    w.advance_ms(24 * 3_600_000);
    assert!(matches!(
        w.login_with("sam.sysadmin", PASSWORD),
        Err(ServiceError::CodeRequired)
    ));
    let code = common::totp_code_at(&sam_secret, "sam.sysadmin", (w.pecs.now().0 / 1000) as u64);
    let again = w
        .pecs
        .login_with_code("sam.sysadmin", &good, Some(&code), local_origin())
        .unwrap();
    assert!(!again.info().must_enrol_two_factor);
    again.logout().unwrap();
    assert!(
        w.pecs
            .login_with_code("sam.sysadmin", &good, Some(&code), local_origin())
            .is_err()
    );
}
