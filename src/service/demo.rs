//! `pecs demo`: a data dir marked as demo, seeded with the fixed cast of DESIGN.md §5
//! (the agency, three client organisations, an account of every role), all with the
//! password [`DEMO_PASSWORD`]. Every account is made through the ordinary service calls,
//! so the demo's audit log reads like a real installation's.

use super::install::InitRequest;
use super::{Pecs, Result, ServiceError, auth, orgs, users};
use crate::crypto::Password;
use crate::domain::{Origin, Role};
use crate::store::keyring;

pub const DEMO_PASSWORD: &str = "demo-pass-PECS-2026";
pub const AGENCY_NAME: &str = "Penham Excel";
pub const SYSADMIN: &str = "sam.sysadmin";

/// The client organisations: code, name.
pub const CLIENTS: [(&str, &str); 3] = [
    ("HARLOW", "Harlow & Finch LLP"),
    ("MERIDIAN", "Meridian Borough Council"),
    ("KESTREL", "Kestrel Finance Ltd"),
];

/// Every demo account but the first sysadmin: user name, display name, role, org code.
pub const ACCOUNTS: [(&str, &str, Role, &str); 9] = [
    ("sue.supervisor", "Sue Supervisor", Role::Supervisor, "PE"),
    (
        "steve.supervisor",
        "Steve Supervisor",
        Role::Supervisor,
        "PE",
    ),
    ("carl.caseworker", "Carl Caseworker", Role::Caseworker, "PE"),
    ("cara.caseworker", "Cara Caseworker", Role::Caseworker, "PE"),
    ("gina.admin", "Gina Admin", Role::GeneralAdmin, "PE"),
    (
        "hannah.harlow",
        "Hannah Harlow",
        Role::ClientAdmin,
        "HARLOW",
    ),
    ("harry.harlow", "Harry Harlow", Role::ClientUser, "HARLOW"),
    (
        "mia.meridian",
        "Mia Meridian",
        Role::ClientAdmin,
        "MERIDIAN",
    ),
    ("kim.kestrel", "Kim Kestrel", Role::ClientUser, "KESTREL"),
];

/// Whether the installation was made by `pecs demo`: read from the key ring's mark,
/// without logging in (a login attempt would count against a real sysadmin's name).
pub fn is_marked_demo(pecs: &Pecs) -> Result<bool> {
    Ok(pecs.keyring()?.meta(keyring::DEMO)?.is_some())
}

/// Create and seed a demo installation in an empty or missing data dir.
pub fn create(pecs: &Pecs, origin: Origin) -> Result<()> {
    let password = Password::new(DEMO_PASSWORD);
    pecs.init(
        &InitRequest {
            admin: SYSADMIN,
            password: &password,
            org_name: AGENCY_NAME,
            demo: true,
        },
        origin.clone(),
    )?;
    let admin = pecs.login(SYSADMIN, &password, origin.clone())?;
    let mut org_ids = vec![("PE", admin.info().org_id)];
    for (code, name) in CLIENTS {
        org_ids.push((code, orgs::create_client(&admin, code, name)?.id));
    }
    for (username, display_name, role, org_code) in ACCOUNTS {
        let org_id = org_ids
            .iter()
            .find(|(code, _)| *code == org_code)
            .map(|(_, id)| *id)
            .ok_or(ServiceError::NotFound)?;
        let (_, issued) = users::create(
            &admin,
            &users::NewUser {
                username: username.into(),
                display_name: display_name.into(),
                org_id,
                role,
                expires_at: None,
            },
        )?;
        let first = pecs.login(username, &issued.code, origin.clone())?;
        auth::choose_password(&first, &password)?;
        first.logout()?;
    }
    admin.logout()
}
