//! Cases: create, list and search (paged, within the caller's scope), open the case file
//! (an audited view), edit with optimistic concurrency, assign, move through the
//! workflow, diary notes (voided, never deleted) and documents (kept encrypted in the
//! database). Client roles see only client-visible notes and documents, by every path.

use super::policy::Grant;
use super::session::{Act, Caller};
use super::{Result, ServiceError, Session};
use crate::domain::{
    Action, Case, CaseId, CaseStatus, CaseType, DocumentId, DocumentMeta, Millis, Note, NoteId,
    Org, OrgId, OrgKind, Priority, Role, StatusChange, Target, UserId,
};
use crate::store::{self, Conn, cases::Scope};
use sha2::{Digest, Sha256};

pub use crate::store::cases::{After, ListQuery, Sort};

/// The largest document accepted (the whole file is kept inside the database).
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;
const PAGE_LIMIT: i64 = 200;

pub(crate) fn case_target(c: &Case) -> Target {
    Target::new("case", c.id, &c.reference)
}

/// What the grant lets the caller see. Called only after the policy granted something.
pub(crate) fn scope_of(caller: &Caller) -> Scope {
    match caller.grant {
        Grant::Assigned | Grant::OwnNotes => Scope {
            assignee: Some(caller.user.id),
            ..Scope::default()
        },
        Grant::OwnOrg | Grant::OwnOrgClientVisible => Scope {
            client_org: Some(caller.org.id),
            ..Scope::default()
        },
        _ => Scope::default(),
    }
}

/// Load a case the caller may act on; anything else is NotFound.
fn case_in_scope(act: &Act<'_, '_>, id: CaseId) -> Result<Case> {
    let case =
        store::cases::get(act.tx, id, scope_of(act.caller))?.ok_or(ServiceError::NotFound)?;
    Ok(case)
}

fn sees_internal(caller: &Caller) -> bool {
    caller.user.role.is_internal()
}

fn valid_text(what: &str, text: &str, max: usize, required: bool) -> Result<String> {
    let text = text.trim();
    if (required && text.is_empty())
        || text.chars().count() > max
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        let size = if required {
            format!("1 to {max}")
        } else {
            format!("at most {max}")
        };
        return Err(ServiceError::Invalid(format!(
            "{what} is {size} characters with no control characters."
        )));
    }
    Ok(text.to_owned())
}

/// `YYYY-MM-DD` or the UK `DD/MM/YYYY` (never month first), as `YYYY-MM-DD`.
pub fn parse_date(what: &str, text: &str) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .map_err(|_| {
            ServiceError::Invalid(format!(
                "{what} \"{text}\" is not a date (YYYY-MM-DD or DD/MM/YYYY)."
            ))
        })
}

/// A new instruction: a client and the case's details.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub client_org: OrgId,
    pub details: Details,
}

/// The details a person enters or edits (for an edit, made from the version shown).
#[derive(Debug, Clone)]
pub struct Details {
    pub client_ref: Option<String>,
    pub case_type: CaseType,
    pub subject_name: String,
    pub subject_dob: Option<String>,
    pub subject_address: String,
    pub priority: Priority,
    pub due_date: Option<String>,
}

/// The details checked and normalised (trimmed text, dates as `YYYY-MM-DD`).
fn checked(d: &Details) -> Result<Details> {
    let date = |what: &str, v: &Option<String>| {
        v.as_deref()
            .map(|t| parse_date(what, t))
            .transpose()
            .map(Option::flatten)
    };
    Ok(Details {
        client_ref: d
            .client_ref
            .as_deref()
            .map(|r| valid_text("A client reference", r, 64, false))
            .transpose()?
            .filter(|r| !r.is_empty()),
        case_type: d.case_type,
        subject_name: valid_text("The subject's name", &d.subject_name, 200, true)?,
        subject_dob: date("The date of birth", &d.subject_dob)?,
        subject_address: valid_text("The address", &d.subject_address, 500, false)?,
        priority: d.priority,
        due_date: date("The due date", &d.due_date)?,
    })
}

fn row(d: &Details) -> store::cases::DetailsRow<'_> {
    store::cases::DetailsRow {
        client_ref: d.client_ref.as_deref(),
        case_type: d.case_type,
        subject_name: &d.subject_name,
        subject_dob: d.subject_dob.as_deref(),
        subject_address: &d.subject_address,
        priority: d.priority,
        due_date: d.due_date.as_deref(),
    }
}

/// A client reference is unique per client (`current` is the case's own, on an edit).
fn ensure_client_ref_free(
    tx: &Conn,
    client: OrgId,
    new: Option<&str>,
    current: Option<&str>,
) -> Result<()> {
    match new {
        Some(r) if Some(r) != current && store::cases::client_ref_taken(tx, client, r)? => {
            Err(ServiceError::Conflict(format!(
                "The client reference {r} is already on file for this client."
            )))
        }
        _ => Ok(()),
    }
}

/// Check and insert one case inside `tx` (shared with the CSV import); the caller has
/// checked the permission and the client. Gives the new case's id and reference.
pub(crate) fn insert_checked(
    tx: &Conn,
    c: &NewCase,
    by: UserId,
    now: Millis,
) -> Result<(CaseId, String)> {
    let d = checked(&c.details)?;
    ensure_client_ref_free(tx, c.client_org, d.client_ref.as_deref(), None)?;
    let reference = store::cases::next_reference(tx, super::install::INTERNAL_CODE, now.year())?;
    let new = store::cases::NewCaseRow {
        reference: &reference,
        client_org_id: c.client_org,
        details: &row(&d),
        by,
    };
    Ok((store::cases::insert(tx, &new, now)?, reference))
}

/// Open a case for a client: staff for any client, client users for their own.
pub fn create(s: &Session, c: &NewCase) -> Result<Case> {
    s.act(Action::CaseCreate, Target::kind_only("case"), |act| {
        let org = store::orgs::get(act.tx, c.client_org)?.ok_or(ServiceError::NotFound)?;
        if act.caller.grant == Grant::OwnOrg && org.id != act.caller.org.id {
            return Err(ServiceError::NotFound);
        }
        if org.kind != OrgKind::Client {
            return Err(ServiceError::Invalid(
                "A case belongs to a client organisation.".into(),
            ));
        }
        let (id, _) = insert_checked(act.tx, c, act.caller.user.id, s.now())?;
        let case =
            store::cases::get(act.tx, id, Scope::default())?.ok_or(ServiceError::NotFound)?;
        act.target = case_target(&case);
        act.note("client", org.code.as_str());
        Ok(case)
    })
}

/// Someone a case can name: its caseworker, who changed it, who wrote a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// An enabled, unexpired caseworker or supervisor: a case may be assigned to them.
    pub assignable: bool,
}

/// The names a case list needs: the client organisations the caller may see cases of,
/// and the people of the caller's own organisation (the agency's staff, for staff).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub clients: Vec<Org>,
    pub people: Vec<Person>,
}

impl Directory {
    pub fn client(&self, id: OrgId) -> Option<&Org> {
        self.clients.iter().find(|o| o.id == id)
    }

    /// The client organisation with this code (any case).
    pub fn client_by_code(&self, code: &str) -> Option<&Org> {
        let code = code.trim().to_uppercase();
        self.clients.iter().find(|o| o.code == code)
    }

    pub fn person(&self, id: UserId) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// The person with this user name (any case), or `#N` / `N` by number.
    pub fn person_by_name(&self, text: &str) -> Option<&Person> {
        let number = text.trim().trim_start_matches('#').parse::<i64>().ok();
        let name = super::auth::normalise_username(text);
        self.people
            .iter()
            .find(|p| Some(p.id.0) == number || p.username == name)
    }
}

/// The caller's [`Directory`]: every client organisation and the agency's people for
/// staff; their own organisation and its people for client roles.
pub fn directory(s: &Session) -> Result<Directory> {
    s.act(Action::CaseList, Target::kind_only("directory"), |act| {
        let now = s.now();
        let internal = act.caller.user.role.is_internal();
        let clients = store::orgs::list(act.tx)?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Client && (internal || o.id == act.caller.org.id))
            .collect();
        let people = store::users::list(act.tx, Some(act.caller.org.id))?
            .into_iter()
            .map(|u| Person {
                assignable: matches!(u.role, Role::Caseworker | Role::Supervisor)
                    && u.can_log_in(now),
                id: u.id,
                username: u.username,
                display_name: u.display_name,
            })
            .collect();
        Ok(Directory { clients, people })
    })
}

/// One page of the cases the caller may see (never all of them at once).
pub fn list(s: &Session, query: &ListQuery) -> Result<Vec<Case>> {
    s.act(Action::CaseList, Target::kind_only("case"), |act| {
        let mut q = query.clone();
        q.scope = scope_of(act.caller);
        q.limit = q.limit.clamp(1, PAGE_LIMIT);
        let page = store::cases::list(act.tx, &q)?;
        if let Some(after) = &q.after {
            act.note("after", after.reference());
        }
        act.note("rows", page.len());
        act.note(
            "references",
            page.iter().map(|c| c.reference.clone()).collect::<Vec<_>>(),
        );
        Ok(page)
    })
}

/// Search reference, client reference, subject name and address (prefixes, diacritics
/// folded), within the caller's scope. The search itself is audited with a keyed hash of
/// its terms and the references it found.
pub fn search(s: &Session, terms: &str, limit: i64) -> Result<Vec<Case>> {
    s.act(Action::CaseList, Target::kind_only("case"), |act| {
        // Search terms are often a person's name, and the audit log is never changed: it
        // keeps a keyed hash of the normalised terms (so "who searched for X?" can still
        // be answered by hashing X), never the words.
        let normalised = terms
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let hash = s.opened.keyring.name_hash(&normalised)?;
        act.note("search_hash", hex::encode(hash));
        let found = store::cases::search(
            act.tx,
            terms,
            scope_of(act.caller),
            limit.clamp(1, PAGE_LIMIT),
        )?;
        act.note(
            "references",
            found
                .iter()
                .map(|c| c.reference.clone())
                .collect::<Vec<_>>(),
        );
        Ok(found)
    })
}

/// The case file as the caller may see it.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub case: Case,
    pub notes: Vec<Note>,
    pub documents: Vec<DocumentMeta>,
    /// Status moves, oldest first.
    pub history: Vec<StatusChange>,
    /// Rectifications of the subject data, oldest first (staff only).
    pub details_history: Vec<crate::domain::DetailChange>,
}

/// Open a case: an audited view.
pub fn open(s: &Session, id: CaseId) -> Result<CaseFile> {
    s.act(Action::CaseView, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        let internal = sees_internal(act.caller);
        let mut notes = store::cases::notes(act.tx, id, internal)?;
        if act.caller.user.role != Role::Supervisor {
            // A voided note's words are kept for supervisors only.
            for n in notes.iter_mut().filter(|n| n.voided.is_some()) {
                n.body.clear();
            }
        }
        Ok(CaseFile {
            documents: store::cases::documents(act.tx, id, internal)?,
            history: store::cases::status_history(act.tx, id)?,
            details_history: if internal {
                store::cases::detail_history(act.tx, id)?
            } else {
                Vec::new()
            },
            notes,
            case,
        })
    })
}

/// Edit details. Someone else's save in between is a Conflict that names them: nothing
/// is overwritten silently.
pub fn edit(s: &Session, id: CaseId, version: i64, d: &Details) -> Result<Case> {
    s.act(Action::CaseEditDetails, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        if case.version != version {
            let who = store::users::get(act.tx, case.updated_by)?.map_or_else(|| "someone".into(), |u| u.username);
            return Err(ServiceError::Conflict(format!(
                "{who} changed this case at {} UTC: reload it to see their change before editing.",
                case.updated_at.to_minute()
            )));
        }
        let d = checked(d)?;
        ensure_client_ref_free(act.tx, case.client_org_id, d.client_ref.as_deref(), case.client_ref.as_deref())?;
        let row = row(&d);
        store::cases::update_details(act.tx, id, version, &row, act.caller.user.id, s.now())?;
        store::cases::get(act.tx, id, Scope::default())?.ok_or(ServiceError::NotFound)
    })
}

/// Assign a case to a caseworker or supervisor of the agency (or to nobody).
pub fn assign(s: &Session, id: CaseId, to: Option<UserId>) -> Result<()> {
    s.act(Action::CaseAssign, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        if let Some(uid) = to {
            let user = store::users::get(act.tx, uid)?.ok_or(ServiceError::NotFound)?;
            if !matches!(user.role, Role::Caseworker | Role::Supervisor)
                || !user.can_log_in(s.now())
            {
                return Err(ServiceError::Invalid(format!(
                    "{} is not an enabled caseworker or supervisor.",
                    user.username
                )));
            }
            act.note("to", user.username.as_str());
        }
        store::cases::set_assignee(act.tx, id, to, act.caller.user.id, s.now())
            .map_err(ServiceError::from)
    })
}

/// Move a case along its workflow; closing needs the close permission (supervisors).
pub fn set_status(s: &Session, id: CaseId, to: CaseStatus) -> Result<()> {
    let action = if to == CaseStatus::Closed {
        Action::CaseClose
    } else {
        Action::CaseProgressStatus
    };
    s.act(action, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        if !case.status.can_move_to(to) {
            return Err(ServiceError::Invalid(format!(
                "A case cannot go from {} to {to}.",
                case.status
            )));
        }
        act.note("from", case.status.as_str());
        act.note("to", to.as_str());
        let retain_until = (to == CaseStatus::Closed).then(|| {
            let years = s.opened.pecs.settings.retention_years;
            crate::domain::retention::years_after(s.now().date(), years)
                .format("%Y-%m-%d")
                .to_string()
        });
        if let Some(until) = &retain_until {
            act.note("retain_until", until.as_str());
        }
        store::cases::set_status(
            act.tx,
            &case,
            to,
            retain_until.as_deref(),
            act.caller.user.id,
            s.now(),
        )
        .map_err(ServiceError::from)
    })
}

/// Add a diary note; clients may add only client-visible ones (messages).
pub fn add_note(s: &Session, id: CaseId, body: &str, client_visible: bool) -> Result<NoteId> {
    let action = if client_visible {
        Action::ClientNoteAdd
    } else {
        Action::InternalNoteAdd
    };
    s.act(action, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        let body = valid_text("A note", body, 20_000, true)?;
        act.note("client_visible", client_visible);
        store::cases::insert_note(
            act.tx,
            id,
            act.caller.user.id,
            client_visible,
            &body,
            s.now(),
        )
        .map_err(ServiceError::from)
    })
}

/// Void a note entered in error: it stays, marked, with the reason.
/// Whether the caller may void `note` (what a screen offers; [`void_note`] decides): not
/// yet voided, and a caseworker's own.
pub fn may_void(s: &Session, note: &Note) -> bool {
    let grant = super::policy::grant(s.info().role, Action::NoteVoid);
    note.voided.is_none()
        && match grant {
            Grant::Deny => false,
            Grant::OwnNotes => note.author_id == s.info().user_id,
            _ => true,
        }
}

pub fn void_note(s: &Session, note: NoteId, reason: &str) -> Result<()> {
    s.act(Action::NoteVoid, Target::id_only("note", note), |act| {
        let n = store::cases::note(act.tx, note)?.ok_or(ServiceError::NotFound)?;
        // A caseworker's own notes, on cases still assigned to them.
        let case = case_in_scope(act, n.case_id)?;
        act.target = Target::new("note", note, &case.reference);
        if act.caller.grant == Grant::OwnNotes && n.author_id != act.caller.user.id {
            return Err(ServiceError::NotFound);
        }
        let reason = valid_text("A reason", reason, 500, true)?;
        if !store::cases::void_note(act.tx, note, act.caller.user.id, &reason, s.now())? {
            return Err(ServiceError::Conflict(
                "That note was already voided.".into(),
            ));
        }
        Ok(())
    })
}

/// Attach a document; clients' documents are always client-visible.
pub fn add_document(
    s: &Session,
    id: CaseId,
    file_name: &str,
    media_type: &str,
    content: &[u8],
    client_visible: bool,
) -> Result<DocumentMeta> {
    s.act(Action::AttachmentAdd, Target::id_only("case", id), |act| {
        let case = case_in_scope(act, id)?;
        act.target = case_target(&case);
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(ServiceError::Invalid(format!(
                "A document can be at most {} MB.",
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            )));
        }
        let name = valid_text("A file name", file_name, 255, true)?;
        let visible = client_visible || !sees_internal(act.caller);
        let sha = Sha256::digest(content);
        let doc = store::cases::insert_document(
            act.tx,
            &store::cases::NewDocument {
                case: id,
                file_name: &name,
                media_type: media_type.trim(),
                content,
                sha256: &sha,
                client_visible: visible,
                by: act.caller.user.id,
            },
            s.now(),
        )?;
        act.note("document", doc.0);
        act.note("sha256", hex::encode(sha));
        let docs = store::cases::documents(act.tx, id, true)?;
        docs.into_iter()
            .find(|d| d.id == doc)
            .ok_or(ServiceError::NotFound)
    })
}

/// A document's content: an audited view. Internal documents are NotFound to clients.
pub fn view_document(s: &Session, doc: DocumentId) -> Result<(DocumentMeta, Vec<u8>)> {
    s.act(
        Action::AttachmentView,
        Target::id_only("document", doc),
        |act| {
            let (meta, content) =
                store::cases::document(act.tx, doc)?.ok_or(ServiceError::NotFound)?;
            let case = case_in_scope(act, meta.case_id)?;
            act.target = Target::new("document", doc, &case.reference);
            if !meta.client_visible && !sees_internal(act.caller) {
                return Err(ServiceError::NotFound);
            }
            act.note("file_name", meta.file_name.as_str());
            Ok((meta, content))
        },
    )
}
