//! `pecs demo`: a data dir marked as demo, seeded with the fixed cast of DESIGN.md §5
//! (the agency, three client organisations, an account of every role), all with the
//! password [`DEMO_PASSWORD`]. Every account is made through the ordinary service calls,
//! so the demo's audit log reads like a real installation's.

use super::install::InitRequest;
use super::instructions::MAX_ROWS;
use super::{Pecs, Result, ServiceError, auth, cases, orgs, users};
use crate::crypto::Password;
use crate::domain::{CaseStatus, Millis, Origin, Role};
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

const FIRST: [&str; 32] = [
    "Anna", "Ben", "Chloé", "David", "Eilidh", "Farah", "George", "Hannah", "Iain", "Jessica",
    "Kofi", "Leah", "Mohammed", "Niamh", "Oliver", "Zoë", "Aisha", "Bartosz", "Ciarán", "Dylan",
    "Esther", "Freya", "Gareth", "Imogen", "Jamal", "Krystyna", "Lewis", "Maya", "Nathan", "Priya",
    "Rhys", "Siân",
];
const LAST: [&str; 48] = [
    "Müller",
    "Smith",
    "O'Brien",
    "Nuñez",
    "Patel",
    "Jones",
    "Kowalski",
    "Taylor",
    "Brown",
    "Ó Súilleabháin",
    "Williams",
    "Ahmed",
    "Evans",
    "Wilson",
    "Hughes",
    "Davies",
    "Thomas",
    "Roberts",
    "Johnson",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
    "Clark",
    "Turner",
    "Hill",
    "Scott",
    "Cooper",
    "Morris",
    "Ward",
    "Moore",
    "King",
    "Watson",
    "Baker",
    "Harrison",
    "Morgan",
    "Nowak",
    "Begum",
];
const STREETS: [&str; 8] = [
    "Mill Lane",
    "High Street",
    "Station Road",
    "Church Close",
    "Victoria Road",
    "The Crescent",
    "Park Avenue",
    "Queen's Walk",
];
const TOWNS: [&str; 8] = [
    "Harlow CM20 1AA",
    "Chelmsford CM1 2BB",
    "Leeds LS1 4DL",
    "Bristol BS1 5TR",
    "Norwich NR2 1AB",
    "Cardiff CF10 1EP",
    "York YO1 7HH",
    "Croydon CR0 2RH",
];
const TYPES: [&str; 5] = [
    "trace",
    "Process Serving",
    "investigation",
    "debt-recovery",
    "other",
];

/// How many of each client's cases the demo works on (assigns, notes, moves on).
const WORKED_PER_CLIENT: i64 = 120;

/// `count` realistic demo cases spread over the three clients, imported as each client
/// would send them (CSV files of at most [`MAX_ROWS`] rows, one transaction a file); then
/// the first [`WORKED_PER_CLIENT`] of each client's are worked on: most assigned to the
/// demo caseworkers, some moved on, with internal notes and small documents.
pub fn seed_cases(pecs: &Pecs, count: usize, origin: Origin) -> Result<()> {
    let gina = pecs.login("gina.admin", &Password::new(DEMO_PASSWORD), origin.clone())?;
    let today = pecs.now();
    for (k, (client, _)) in CLIENTS.iter().enumerate() {
        let share = count / CLIENTS.len() + usize::from(k < count % CLIENTS.len());
        for first in (0..share).step_by(MAX_ROWS) {
            let rows = first..share.min(first + MAX_ROWS);
            let csv = instruction_file(client, k, rows, today);
            super::instructions::import_csv(&gina, client, csv.as_bytes())?;
        }
    }
    let directory = cases::directory(&gina)?;
    let workers: Vec<_> = directory.people.iter().filter(|p| p.assignable).collect();
    let mut worked = Vec::new();
    for client in &directory.clients {
        let page = cases::list(
            &gina,
            &cases::ListQuery {
                client: Some(client.id),
                sort: cases::Sort::Reference,
                limit: WORKED_PER_CLIENT,
                ..Default::default()
            },
        )?;
        worked.extend(page);
    }
    for (i, case) in worked.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
        if let Some(worker) = workers.get(i % workers.len().max(1)) {
            cases::assign(&gina, case.id, Some(worker.id))?;
        }
        if i.is_multiple_of(4) {
            cases::add_note(
                &gina,
                case.id,
                "Checked the electoral roll: no match at the last address.",
                false,
            )?;
        }
        if i.is_multiple_of(10) {
            let letter = format!("Letter of instruction for {}.\n", case.reference);
            cases::add_document(
                &gina,
                case.id,
                "instruction.txt",
                "text/plain",
                letter.as_bytes(),
                true,
            )?;
        }
    }
    gina.logout()?;
    let sue = pecs.login("sue.supervisor", &Password::new(DEMO_PASSWORD), origin)?;
    for case in worked.iter().step_by(5) {
        cases::set_status(&sue, case.id, CaseStatus::Active)?;
    }
    sue.logout()
}

/// A client's CSV of instructions for its cases numbered `rows` (client `k` of
/// [`CLIENTS`]): names, dates of birth, addresses and due dates spread out like real work.
fn instruction_file(client: &str, k: usize, rows: std::ops::Range<usize>, today: Millis) -> String {
    let day = 24 * 3_600_000;
    let mut csv = String::from(
        "client_ref,case_type,subject_name,subject_dob,subject_address,due_date,notes\n",
    );
    for i in rows {
        let n = i * CLIENTS.len() + k;
        let mixed = n.wrapping_mul(2_654_435_761) >> 7;
        let name = format!(
            "{} {}",
            FIRST[mixed % FIRST.len()],
            LAST[(mixed / FIRST.len()) % LAST.len()]
        );
        let dob = format!("{:02}/{:02}/{}", 1 + n % 28, 1 + n % 12, 1950 + n % 50);
        let address = format!(
            "{} {}, {}",
            1 + mixed % 140,
            STREETS[n % STREETS.len()],
            TOWNS[(n / 8) % TOWNS.len()]
        );
        let due = Millis(today.0 + ((n % 80) as i64 - 20) * day).to_date();
        let note = if n.is_multiple_of(3) {
            "Please serve at the home address first."
        } else {
            ""
        };
        csv.push_str(&format!(
            "{}-{:07},{},\"{name}\",{dob},\"{address}\",{due},{note}\n",
            &client[..2],
            i + 1,
            TYPES[n % TYPES.len()],
        ));
    }
    csv
}
