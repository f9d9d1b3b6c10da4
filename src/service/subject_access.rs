//! Subject access requests (UK GDPR art. 15): a supervisor logs when a request was
//! received, the legal due date follows (one calendar month), and the export writes
//! everything held about the subject — their cases, every note, the document list and
//! the documents themselves — to a new folder. Logging and exporting are audited.

use super::backup::disk;
use super::session::Act;
use super::{Result, ServiceError, Session};
use crate::domain::{Action, Case, Target, retention};
use crate::store::{self, cases::Scope};

pub use crate::store::paper::AccessRequest;
use std::path::{Path, PathBuf};

/// Log a request received on `received_on` (`YYYY-MM-DD` or `DD/MM/YYYY`); gives its
/// number and the date it must be answered by.
pub fn log_request(s: &Session, subject: &str, received_on: &str) -> Result<(i64, String)> {
    s.act(
        Action::SubjectAccessExport,
        Target::kind_only("subject_access"),
        |act| {
            let subject = subject.trim();
            if subject.is_empty() || subject.chars().count() > 200 {
                return Err(ServiceError::Invalid(
                    "Give the data subject's name (1 to 200 characters).".into(),
                ));
            }
            let received =
                super::cases::parse_date("The date received", received_on)?.ok_or_else(|| {
                    ServiceError::Invalid("Give the date the request was received.".into())
                })?;
            let date = chrono::NaiveDate::parse_from_str(&received, "%Y-%m-%d")
                .map_err(|e| ServiceError::Invalid(e.to_string()))?;
            let due = retention::one_month_after(date)
                .format("%Y-%m-%d")
                .to_string();
            let id = store::paper::insert_access_request(
                act.tx,
                subject,
                &received,
                &due,
                act.caller.user.id,
                s.now(),
            )?;
            act.target = Target::new("subject_access", id, "");
            act.note("received_on", received.as_str());
            act.note("due_on", due.as_str());
            Ok((id, due))
        },
    )
}

/// Requests not yet answered, soonest due first.
pub fn open_requests(s: &Session) -> Result<Vec<AccessRequest>> {
    s.act(
        Action::SubjectAccessExport,
        Target::kind_only("subject_access"),
        |act| Ok(store::paper::open_access_requests(act.tx)?),
    )
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub folder: PathBuf,
    pub cases: usize,
    pub notes: usize,
    pub documents: usize,
}

/// The cases held about request `id`'s subject: every case whose subject's name is the
/// request's, compared without case, accents or extra spaces ("muller" is "Müller").
/// The supervisor checks them (date of birth, address) before the export.
pub fn matches(s: &Session, id: i64) -> Result<Vec<Case>> {
    on_request(s, id, |act, request| {
        let found = cases_named(act.tx, &request.subject)?;
        act.note("matches", found.len());
        // The event is the request's, as an export is: this one wrote nothing.
        act.note("looked up", "the matching cases; nothing was exported");
        Ok(found)
    })
}

/// Act on request `id` (audited against it): `f` gets the request, or it is not found.
fn on_request<T>(
    s: &Session,
    id: i64,
    f: impl FnOnce(&mut Act<'_, '_>, AccessRequest) -> Result<T>,
) -> Result<T> {
    s.act(
        Action::SubjectAccessExport,
        Target::new("subject_access", id, ""),
        |act| {
            let request =
                store::paper::access_request(act.tx, id)?.ok_or(ServiceError::NotFound)?;
            f(act, request)
        },
    )
}

/// The most cases one request can match: more and the supervisor names them instead.
const MOST_MATCHES: i64 = 10_000;

/// Every case whose subject is called `subject`, by the search index.
fn cases_named(conn: &store::Conn, subject: &str) -> Result<Vec<Case>> {
    let wanted = folded(subject);
    let found = store::cases::search(conn, subject, Scope::default(), MOST_MATCHES + 1)?;
    if found.len() as i64 > MOST_MATCHES {
        return Err(ServiceError::Invalid(format!(
            "Over {MOST_MATCHES} cases have these words in them: name the cases to export with --case."
        )));
    }
    Ok(found
        .into_iter()
        .filter(|c| folded(&c.subject_name) == wanted)
        .collect())
}

/// A name as people mean it: its words in lower case without accents, split where the
/// search index splits them (on anything not a letter or digit), so "Mary-Jane
/// O’Brien" and "mary jane o'brien" are the same name. Letters the index keeps as they
/// are (ø, ł) must be given as written, as a search would need them.
fn folded(name: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let plain: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    plain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Export everything held about request `id`'s subject into the new folder `folder`:
/// `subject.json` (cases, notes, document list) and `documents/` (each file). The cases
/// are the request's [`matches`], or exactly the `chosen` references when the
/// supervisor names them (a misspelt name, a maiden name).
pub fn export(s: &Session, id: i64, folder: &Path, chosen: &[String]) -> Result<Exported> {
    on_request(s, id, |act, request| {
        let cases = if chosen.is_empty() {
            cases_named(act.tx, &request.subject)?
        } else {
            chosen
                .iter()
                .map(|r| {
                    let reference = r.trim().to_uppercase();
                    store::cases::by_reference(act.tx, &reference, Scope::default())?.ok_or_else(
                        || {
                            ServiceError::Invalid(format!(
                                "There is no case {reference}. Nothing was exported."
                            ))
                        },
                    )
                })
                .collect::<Result<Vec<Case>>>()?
        };
        let mut seen = std::collections::BTreeSet::new();
        let cases: Vec<Case> = cases.into_iter().filter(|c| seen.insert(c.id)).collect();
        // Written into a staging folder beside the target and renamed at the end: a
        // failure removes it, so no personal data is left behind by an export that
        // says nothing was exported.
        if folder.exists() {
            return Err(ServiceError::Invalid(format!(
                "{} already exists: export into a new folder. Nothing was exported.",
                folder.display()
            )));
        }
        let staging = staging_for(folder)?;
        let written = write_export(act, s, &request, &cases, &staging).and_then(|counts| {
            std::fs::rename(&staging, folder)
                .map_err(|e| cannot_write(folder, &e))
                .map(|_| counts)
        });
        let (notes, documents) = match written {
            Ok(counts) => counts,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        store::paper::mark_exported(act.tx, id, &folder.display().to_string(), s.now())?;
        act.note("cases", cases.len());
        act.note("notes", notes);
        act.note("documents", documents);
        act.note(
            "references",
            cases
                .iter()
                .map(|c| c.reference.clone())
                .collect::<Vec<_>>(),
        );
        Ok(Exported {
            folder: folder.to_path_buf(),
            cases: cases.len(),
            notes,
            documents,
        })
    })
}

fn cannot_write(folder: &Path, e: &std::io::Error) -> ServiceError {
    ServiceError::Invalid(format!(
        "Cannot write {}: {e}. Nothing was exported.",
        folder.display()
    ))
}

/// A new, private staging folder beside `folder` (so the final rename stays on one disk).
fn staging_for(folder: &Path) -> Result<PathBuf> {
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "{} is not a folder name. Nothing was exported.",
                folder.display()
            ))
        })?;
    let staging = folder.with_file_name(format!(".partial-{name}"));
    let _ = std::fs::remove_dir_all(&staging);
    disk::make_dir(&staging).map_err(|e| cannot_write(folder, &e))?;
    Ok(staging)
}

/// Write `subject.json` and `documents/` for `cases` into `dir`: (notes, documents).
fn write_export(
    act: &Act<'_, '_>,
    s: &Session,
    request: &AccessRequest,
    cases: &[Case],
    dir: &Path,
) -> Result<(usize, usize)> {
    let fail = |e: std::io::Error| cannot_write(dir, &e);
    let files = dir.join("documents");
    disk::make_dir(&files).map_err(fail)?;
    let mut out = Vec::new();
    let (mut notes, mut documents) = (0, 0);
    for case in cases {
        let case_notes = store::cases::notes(act.tx, case.id, true)?;
        let docs = store::cases::documents(act.tx, case.id, true)?;
        notes += case_notes.len();
        for d in &docs {
            let (_, bytes) = store::cases::document(act.tx, d.id)?.ok_or(ServiceError::NotFound)?;
            let name = format!("{}-{}-{}", case.reference, d.id, safe_name(&d.file_name));
            disk::write_new(&files.join(name), &bytes).map_err(fail)?;
            documents += 1;
        }
        out.push(serde_json::json!({
            "case": case,
            "notes": case_notes,
            "documents": docs,
        }));
    }
    let summary = serde_json::json!({
        "subject": request.subject,
        "received_on": request.received_on,
        "due_on": request.due_on,
        "exported_at": s.now().to_rfc3339(),
        "cases": out,
    });
    let text =
        serde_json::to_vec_pretty(&summary).map_err(|e| ServiceError::Invalid(e.to_string()))?;
    disk::write_new(&dir.join("subject.json"), &text).map_err(fail)?;
    disk::sync_dir(&files)
        .and_then(|_| disk::sync_dir(dir))
        .map_err(fail)?;
    Ok((notes, documents))
}

/// A file name with nothing that could leave the folder or confuse a terminal.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
