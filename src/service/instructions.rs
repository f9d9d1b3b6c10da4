//! Client instructions in bulk: CSV import (all rows or none, every problem reported as
//! "row N, column C: …") and export of the cases the caller may see, as CSV or JSON.
//! A cell that a spreadsheet would run as a formula is stored as typed and exported
//! with a leading apostrophe, so it stays text.

use super::cases::{self, Details, NewCase};
use super::policy::Grant;
use super::{Result, ServiceError, Session};
use crate::domain::{Action, Case, CaseType, Org, OrgKind, Priority, Target};
use crate::store::{self, cases::ListQuery};
use std::collections::{BTreeMap, HashSet};

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;
const COLUMNS: [&str; 7] = [
    "client_ref",
    "case_type",
    "subject_name",
    "subject_dob",
    "subject_address",
    "due_date",
    "notes",
];
const REQUIRED: [&str; 3] = ["client_ref", "case_type", "subject_name"];

/// What an import made.
#[derive(Debug, Clone)]
pub struct Imported {
    pub client: String,
    pub references: Vec<String>,
}

/// The client organisation named by `code`, if the caller's grant reaches it.
fn client_in_scope(tx: &store::Conn, grant: Grant, caller_org: &Org, code: &str) -> Result<Org> {
    let org =
        store::orgs::by_code(tx, &code.trim().to_uppercase())?.ok_or(ServiceError::NotFound)?;
    let reachable = match grant {
        Grant::All => true,
        Grant::OwnOrg => org.id == caller_org.id,
        _ => false,
    };
    if !reachable || org.kind != OrgKind::Client {
        return Err(ServiceError::NotFound);
    }
    Ok(org)
}

/// One data row, checked: a case to open and its instruction note.
struct Row {
    case: NewCase,
    notes: String,
}

/// Parse and check the whole file; every problem, or every row.
fn read_rows(
    bytes: &[u8],
    client: &Org,
    on_file: impl Fn(&str) -> Result<bool>,
) -> std::result::Result<Vec<Row>, Vec<String>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![format!(
            "The file is over {} MB.",
            MAX_BYTES / (1024 * 1024)
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(vec![format!(
            "row {line}: the file is not UTF-8 text (save it as CSV UTF-8)."
        )]);
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![
            "The file is empty: it needs a header row naming the columns.".into(),
        ]);
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        // "Case Type", "case-type" and "case_type" name the same column.
        Ok(h) => h
            .iter()
            .map(|c| c.trim().to_lowercase().replace([' ', '-'], "_"))
            .collect(),
        Err(e) => return Err(vec![format!("row 1: the header cannot be read ({e}).")]),
    };
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if !COLUMNS.contains(&name.as_str()) {
            problems.push(format!(
                "row 1, column {}: \"{name}\" is not a known column ({}).",
                i + 1,
                COLUMNS.join(", ")
            ));
        } else if header[..i].contains(name) {
            problems.push(format!(
                "row 1, column {}: \"{name}\" appears twice.",
                i + 1
            ));
        }
    }
    for required in REQUIRED {
        if !header.iter().any(|h| h == required) {
            problems.push(format!("row 1: the header has no column {required}."));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (n, record) in reader.records().enumerate() {
        let row_number = n + 2;
        if n >= MAX_ROWS {
            return Err(vec![format!(
                "The file has more than {MAX_ROWS} rows: split it into smaller files."
            )]);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("row {row_number}: cannot be read ({e})."));
                continue;
            }
        };
        if record.len() != header.len() {
            problems.push(format!(
                "row {row_number}: has {} cells, the header has {}.",
                record.len(),
                header.len()
            ));
            continue;
        }
        let cell = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let mut fail = |col: &str, why: String| {
            problems.push(format!("row {row_number}, column {col}: {why}"))
        };
        let client_ref = cell("client_ref");
        if client_ref.is_empty() {
            fail("client_ref", "is empty.".into());
        } else if !seen.insert(client_ref.clone()) {
            fail(
                "client_ref",
                format!("{client_ref} appears twice in this file."),
            );
        } else if on_file(&client_ref).unwrap_or(false) {
            fail(
                "client_ref",
                format!("{client_ref} is already on file for {}.", client.code),
            );
        }
        let case_type = cell("case_type")
            .parse::<CaseType>()
            .map_err(|e| fail("case_type", format!("{e}.")));
        let dob = cases::parse_date("The date of birth", &cell("subject_dob"));
        let due = cases::parse_date("The due date", &cell("due_date"));
        let mut date = |col: &str, r: Result<Option<String>>| {
            r.map_err(|e| fail(col, e.to_string())).ok().flatten()
        };
        let (dob, due) = (date("subject_dob", dob), date("due_date", due));
        let name = cell("subject_name");
        if name.is_empty() {
            problems.push(format!("row {row_number}, column subject_name: is empty."));
        }
        if let Ok(case_type) = case_type {
            rows.push(Row {
                case: NewCase {
                    client_org: client.id,
                    details: Details {
                        client_ref: Some(client_ref),
                        case_type,
                        subject_name: name,
                        subject_dob: dob,
                        subject_address: cell("subject_address"),
                        priority: Priority::Normal,
                        due_date: due,
                    },
                },
                notes: cell("notes"),
            });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("The file has a header but no rows.".into());
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Import a client's instructions: every row becomes a case (with its notes as a
/// client-visible diary entry), or nothing is imported and every problem is listed.
pub fn import_csv(s: &Session, client_code: &str, bytes: &[u8]) -> Result<Imported> {
    s.act(
        Action::CsvImport,
        Target::new("org", "?", client_code),
        |act| {
            let client = client_in_scope(act.tx, act.caller.grant, &act.caller.org, client_code)?;
            act.target = Target::new("org", client.id, &client.code);
            let rows = read_rows(bytes, &client, |r| {
                Ok(store::cases::client_ref_taken(act.tx, client.id, r)?)
            })
            .map_err(ServiceError::ImportRefused)?;
            let mut references = Vec::with_capacity(rows.len());
            for (n, row) in rows.iter().enumerate() {
                let (id, reference) =
                    cases::insert_checked(act.tx, &row.case, act.caller.user.id, s.now()).map_err(
                        |e| ServiceError::ImportRefused(vec![format!("row {}: {e}", n + 2)]),
                    )?;
                if !row.notes.is_empty() {
                    store::cases::insert_note(
                        act.tx,
                        id,
                        act.caller.user.id,
                        true,
                        &row.notes,
                        s.now(),
                    )?;
                }
                references.push(reference);
            }
            act.note("rows", references.len());
            act.note("first", references.first().cloned());
            act.note("last", references.last().cloned());
            Ok(Imported {
                client: client.code,
                references,
            })
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

const EXPORT_COLUMNS: [&str; 12] = [
    "reference",
    "client_ref",
    "case_type",
    "subject_name",
    "subject_dob",
    "subject_address",
    "status",
    "priority",
    "due_date",
    "opened_at",
    "completed_at",
    "closed_at",
];

fn export_row(c: &Case) -> [String; 12] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let time = |t: Option<crate::domain::Millis>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    [
        c.reference.clone(),
        opt(&c.client_ref),
        c.case_type.to_string(),
        c.subject_name.clone(),
        opt(&c.subject_dob),
        c.subject_address.clone(),
        c.status.to_string(),
        c.priority.to_string(),
        opt(&c.due_date),
        c.opened_at.to_rfc3339(),
        time(c.completed_at),
        time(c.closed_at),
    ]
}

/// A cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR) gets a leading
/// apostrophe, so it opens as the text it is.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Export one client's cases that the caller may see (audited, with the count).
pub fn export(s: &Session, client_code: &str, format: Format) -> Result<String> {
    s.act(
        Action::CaseExport,
        Target::new("org", "?", client_code),
        |act| {
            let client = client_in_scope(act.tx, act.caller.grant, &act.caller.org, client_code)?;
            act.target = Target::new("org", client.id, &client.code);
            let mut all = Vec::new();
            let mut query = ListQuery {
                client: Some(client.id),
                sort: store::cases::Sort::Reference,
                limit: 1000,
                ..Default::default()
            };
            loop {
                let page = store::cases::list(act.tx, &query)?;
                let done = (page.len() as i64) < query.limit;
                query.after = page.last().map(store::cases::After::of);
                all.extend(page);
                if done {
                    break;
                }
            }
            act.note("rows", all.len());
            act.note("format", if format == Format::Csv { "csv" } else { "json" });
            match format {
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    w.write_record(EXPORT_COLUMNS)
                        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                    for c in &all {
                        let row = export_row(c).map(|v| spreadsheet_safe(&v));
                        w.write_record(&row)
                            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                    }
                    let bytes = w
                        .into_inner()
                        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                    Ok(String::from_utf8_lossy(&bytes).into_owned())
                }
                Format::Json => {
                    let rows: Vec<BTreeMap<&str, String>> = all
                        .iter()
                        .map(|c| EXPORT_COLUMNS.into_iter().zip(export_row(c)).collect())
                        .collect();
                    serde_json::to_string_pretty(&rows)
                        .map_err(|e| ServiceError::Invalid(e.to_string()))
                }
            }
        },
    )
}
