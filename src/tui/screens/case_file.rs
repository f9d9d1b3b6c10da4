//! The case file, a sub-view of the Cases screen: tabs Summary, Diary, Documents and
//! History over what `cases::open` returned (an audited view), and the work done on a
//! case: notes, attaching a file from a path, saving a document out, editing details,
//! status, assignment and voiding a note. Keys a role may not use are not offered.

use super::cases::{due_style, humane};
use super::names::Names;
use super::{Outcome, documents, key_for_form, yes_no};
use crate::domain::{
    Action as Perm, Case, CaseId, CaseStatus, DocumentId, Millis, Note, NoteId, UserId,
};
use crate::sanitize::{fit, inert};
use crate::service::cases::{self, CaseFile, Details};
use crate::service::{Result, ServiceError, Session};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::hints;
use crate::tui::widgets::popup::{Popup, Tone, centered};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Borders, List, ListItem, ListState, Paragraph, Row, Table, TableState, Wrap,
};
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTab {
    Summary,
    Diary,
    Documents,
    History,
}

impl FileTab {
    const ALL: [FileTab; 4] = [
        FileTab::Summary,
        FileTab::Diary,
        FileTab::Documents,
        FileTab::History,
    ];

    /// The tab `by` steps along, round at the ends.
    fn step(self, by: usize) -> FileTab {
        let i = FileTab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        FileTab::ALL[(i + by) % FileTab::ALL.len()]
    }
}

enum FileForm {
    Note,
    Attach,
    Edit,
    Status,
    Assign,
    Void(NoteId),
    Save(DocumentId),
}

pub struct CaseFileView {
    file: CaseFile,
    names: Rc<Names>,
    tab: FileTab,
    note: usize,
    doc: usize,
    form: Option<(FileForm, Form)>,
    now: Millis,
    /// The last reload found the case out of the caller's reach (reassigned, say).
    gone: bool,
}

impl CaseFileView {
    /// Open case `id` (an audited view), naming people and clients from `names`.
    pub fn open(s: &Session, id: CaseId, names: Rc<Names>) -> Result<CaseFileView> {
        Ok(CaseFileView {
            file: cases::open(s, id)?,
            names,
            tab: FileTab::Summary,
            note: 0,
            doc: 0,
            form: None,
            now: s.now(),
            gone: false,
        })
    }

    fn id(&self) -> CaseId {
        self.file.case.id
    }

    pub fn reload(&mut self, s: &Session) -> Outcome {
        match cases::open(s, self.id()) {
            Ok(file) => {
                self.file = file;
                self.now = s.now();
                self.note = self.note.min(self.file.notes.len().saturating_sub(1));
                self.doc = self.doc.min(self.file.documents.len().saturating_sub(1));
                Outcome::Nothing
            }
            Err(e) => {
                self.gone = matches!(e, ServiceError::NotFound);
                Outcome::from_error(e)
            }
        }
    }

    /// The case can no longer be shown: the owner goes back to the list.
    pub fn is_gone(&self) -> bool {
        self.gone
    }

    pub fn is_typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn paste(&mut self, text: &str) {
        if let Some((_, f)) = self.form.as_mut() {
            f.paste(text);
        }
    }

    /// Keys in the case file; Esc and q (back to the list) are the owner's.
    pub fn handle_key(&mut self, s: &Session, key: &KeyEvent, action: Option<Action>) -> Outcome {
        if let Some(open) = self.form.take() {
            let (still, outcome) =
                key_for_form(open, key, |kind, form| match self.submit(s, kind, form) {
                    Err(ServiceError::Conflict(why)) if matches!(kind, FileForm::Edit) => {
                        Ok(self.stale_edit(s, why))
                    }
                    other => other,
                });
            if still.is_some() {
                self.form = still;
            }
            return outcome;
        }
        match action {
            Some(Action::PrevTab) => self.tab = self.tab.step(FileTab::ALL.len() - 1),
            Some(Action::NextTab) => self.tab = self.tab.step(1),
            Some(a @ (Action::Up | Action::Down | Action::Home | Action::End)) => {
                self.move_selection(a)
            }
            Some(Action::PageUp) => (0..10).for_each(|_| self.move_selection(Action::Up)),
            Some(Action::PageDown) => (0..10).for_each(|_| self.move_selection(Action::Down)),
            Some(a) => return self.start_form(s, a),
            None => return Outcome::Unhandled,
        }
        Outcome::Nothing
    }

    fn move_selection(&mut self, action: Action) {
        let (at, len) = match self.tab {
            FileTab::Diary => (&mut self.note, self.file.notes.len()),
            FileTab::Documents => (&mut self.doc, self.file.documents.len()),
            _ => return,
        };
        let last = len.saturating_sub(1);
        *at = match action {
            Action::Up => at.saturating_sub(1),
            Action::Down => (*at + 1).min(last),
            Action::Home => 0,
            _ => last,
        };
    }

    fn selected_note(&self) -> Option<&Note> {
        self.file.notes.get(self.note)
    }

    /// The form an action opens, if the role may use it here.
    fn start_form(&mut self, s: &Session, action: Action) -> Outcome {
        let case = &self.file.case;
        let form = match action {
            Action::New if s.may(Perm::ClientNoteAdd) || s.may(Perm::InternalNoteAdd) => {
                Some((FileForm::Note, note_form(s)))
            }
            Action::Attach if s.may(Perm::AttachmentAdd) => {
                Some((FileForm::Attach, attach_form(s)))
            }
            Action::Edit if s.may(Perm::CaseEditDetails) => Some((FileForm::Edit, edit_form(case))),
            Action::Status if s.may(Perm::CaseProgressStatus) || s.may(Perm::CaseClose) => {
                Some((FileForm::Status, status_form(s, case)))
            }
            Action::Assign if s.may(Perm::CaseAssign) => {
                Some((FileForm::Assign, assign_form(case, &self.names)))
            }
            Action::Void if self.tab == FileTab::Diary => self
                .selected_note()
                .filter(|n| cases::may_void(s, n))
                .map(|n| (FileForm::Void(n.id), void_form(n))),
            Action::Open if s.may(Perm::AttachmentView) && self.tab == FileTab::Documents => self
                .file
                .documents
                .get(self.doc)
                .map(|d| (FileForm::Save(d.id), save_form(&d.file_name))),
            _ => return Outcome::Unhandled,
        };
        self.form = form;
        Outcome::Nothing
    }

    /// Someone else saved first: say who, and show their version.
    fn stale_edit(&mut self, s: &Session, why: String) -> Outcome {
        if let Outcome::SessionEnded(e) = self.reload(s) {
            return Outcome::SessionEnded(e);
        }
        self.tab = FileTab::Summary;
        Outcome::Show(Popup {
            tone: Tone::Error,
            title: "Changed by someone else".into(),
            lines: vec![
                why,
                "Nothing of yours was saved. The case file now shows their change.".into(),
            ],
        })
    }

    fn submit(&mut self, s: &Session, kind: &FileForm, form: &Form) -> Result<Outcome> {
        let id = self.id();
        match kind {
            FileForm::Note => {
                cases::add_note(s, id, form.value(0), note_visibility(s, form)?)?;
                self.tab = FileTab::Diary;
                self.note = usize::MAX;
            }
            FileForm::Attach => {
                let up = documents::read_upload(form.value(0))?;
                let visible = s.info().role.is_client() || yes_no("Client-visible", form.value(1))?;
                cases::add_document(s, id, &up.file_name, up.media_type, &up.bytes, visible)?;
                self.tab = FileTab::Documents;
                self.doc = usize::MAX;
            }
            FileForm::Edit => {
                cases::edit(
                    s,
                    id,
                    self.file.case.version,
                    &edited(&self.file.case, form),
                )?;
            }
            FileForm::Status => cases::set_status(s, id, parse_status(form.value(0))?)?,
            FileForm::Assign => cases::assign(s, id, assignee(&self.names, form.value(0))?)?,
            FileForm::Void(note) => cases::void_note(s, *note, form.value(0))?,
            FileForm::Save(doc) => return save(s, *doc, form.value(0)),
        }
        Ok(self.reload(s))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        let [tabs, body, hint_row] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.tab_line(theme, keys)), tabs);
        let case = &self.file.case;
        let title = format!(
            " {} · {} · {} ",
            inert(&case.reference),
            fit(
                &inert(&case.subject_name),
                (area.width as usize).saturating_sub(40)
            ),
            humane(case.status.as_str())
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title, theme.title()));
        let inner = block.inner(body);
        frame.render_widget(block, body);
        match self.tab {
            FileTab::Summary => self.render_summary(frame, inner, theme),
            FileTab::Diary => self.render_diary(frame, inner, theme),
            FileTab::Documents => self.render_documents(frame, inner, theme),
            FileTab::History => self.render_history(frame, inner, theme),
        }
        hints::render(frame, hint_row, theme, keys, &self.hints(s));
        if let Some((_, form)) = &self.form {
            form.render(
                frame,
                centered(area, 76, form.height().min(area.height)),
                true,
                theme,
            );
        }
    }

    fn hints(&self, s: &Session) -> Vec<(Action, &'static str)> {
        let mut items = vec![
            (None, Action::Back, "back"),
            (None, Action::NextTab, "tabs"),
        ];
        if self.tab == FileTab::Documents {
            items.push((Some(Perm::AttachmentView), Action::Open, "save out"));
        }
        if s.may(Perm::InternalNoteAdd) || s.may(Perm::ClientNoteAdd) {
            items.push((None, Action::New, "note"));
        }
        items.push((Some(Perm::AttachmentAdd), Action::Attach, "attach"));
        items.push((Some(Perm::CaseEditDetails), Action::Edit, "edit"));
        if s.may(Perm::CaseProgressStatus) || s.may(Perm::CaseClose) {
            items.push((None, Action::Status, "status"));
        }
        items.push((Some(Perm::CaseAssign), Action::Assign, "assign"));
        if self.tab == FileTab::Diary && self.selected_note().is_some_and(|n| cases::may_void(s, n))
        {
            items.push((None, Action::Void, "void note"));
        }
        hints::allowed(s, &items)
    }

    fn tab_line(&self, theme: &Theme, keys: &Keymap) -> Line<'static> {
        let f = &self.file;
        let mut spans = vec![Span::raw(" ")];
        for tab in FileTab::ALL {
            let label = match tab {
                FileTab::Summary => "Summary".to_string(),
                FileTab::Diary => format!("Diary ({})", f.notes.len()),
                FileTab::Documents => format!("Documents ({})", f.documents.len()),
                FileTab::History => format!("History ({})", f.history.len()),
            };
            let style = if tab == self.tab {
                theme.tab_active()
            } else {
                theme.normal()
            };
            spans.push(Span::styled(format!(" {label} "), style));
        }
        spans.push(Span::styled(
            format!(
                "  {}/{} · {} back",
                keys.hint(Action::PrevTab),
                keys.hint(Action::NextTab),
                keys.hint(Action::Back)
            ),
            theme.dim(),
        ));
        Line::from(spans)
    }

    fn render_summary(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let c = &self.file.case;
        let row = |label: &str, value: String| {
            Line::from(vec![
                Span::styled(format!("{label:<15}"), theme.dim()),
                Span::raw(value),
            ])
        };
        let or_dash = |v: Option<&str>| v.map_or("-".to_string(), inert);
        let when =
            |t: Option<Millis>| t.map_or("-".to_string(), |t| format!("{} UTC", t.to_minute()));
        let due = c.due_date.as_deref().map_or("-".into(), inert);
        let lines = vec![
            row("Reference", inert(&c.reference)),
            row(
                "Client",
                format!(
                    "{} · their ref {}",
                    inert(&self.names.client(c.client_org_id)),
                    or_dash(c.client_ref.as_deref())
                ),
            ),
            row("Type", humane(c.case_type.as_str())),
            row("Priority", c.priority.as_str().into()),
            row("Status", humane(c.status.as_str())),
            row(
                "Assigned to",
                c.assigned_to
                    .map_or("nobody".into(), |u| self.names.person(u)),
            ),
            Line::from(vec![
                Span::styled(format!("{:<15}", "Due"), theme.dim()),
                Span::styled(due, due_style(c, self.now, theme)),
            ]),
            Line::default(),
            row("Subject", inert(&c.subject_name)),
            row("Date of birth", or_dash(c.subject_dob.as_deref())),
            row("Address", inert(&c.subject_address)),
            Line::default(),
            row("Opened", when(Some(c.opened_at))),
            row(
                "Last change",
                format!(
                    "{} by {}",
                    when(Some(c.updated_at)),
                    self.names.person(c.updated_by)
                ),
            ),
            row("Completed", when(c.completed_at)),
            row("Closed", when(c.closed_at)),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn render_diary(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        if self.file.notes.is_empty() {
            return empty(frame, area, theme, "No diary notes yet.");
        }
        let width = (area.width as usize).saturating_sub(4).max(10);
        let items: Vec<ListItem> = self
            .file
            .notes
            .iter()
            .map(|n| ListItem::new(note_text(n, width, theme)))
            .collect();
        let mut state = ListState::default().with_selected(Some(self.note));
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme.selected()),
            area,
            &mut state,
        );
    }

    fn render_documents(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        if self.file.documents.is_empty() {
            return empty(frame, area, theme, "No documents yet.");
        }
        let name = (area.width as usize)
            .saturating_sub(9 + 9 + 16 + 20 + 4)
            .max(8);
        let rows: Vec<Row> = self
            .file
            .documents
            .iter()
            .map(|d| {
                Row::new(vec![
                    fit(&inert(&d.file_name), name),
                    size_text(d.size),
                    if d.client_visible {
                        "client"
                    } else {
                        "internal"
                    }
                    .into(),
                    d.added_at.to_minute(),
                    fit(&inert(&d.media_type), 20),
                ])
            })
            .collect();
        let widths = [name, 9, 9, 16, 20].map(|w| Constraint::Length(w as u16));
        let mut state = TableState::default().with_selected(Some(self.doc));
        frame.render_stateful_widget(
            Table::new(rows, widths)
                .header(
                    Row::new(["File", "Size", "Visible", "Added (UTC)", "Type"])
                        .style(theme.title()),
                )
                .row_highlight_style(theme.selected()),
            area,
            &mut state,
        );
    }

    /// Status moves and, for staff, rectifications of the subject data, in time order.
    fn render_history(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let value = (area.width as usize)
            .saturating_sub(16 + 16 + 16 + 4)
            .max(10)
            / 2;
        let mut events: Vec<(Millis, [String; 5])> = self
            .file
            .history
            .iter()
            .map(|h| {
                (
                    h.at,
                    [
                        h.at.to_minute(),
                        "status".into(),
                        h.from.map_or("-".into(), |st| humane(st.as_str())),
                        humane(h.to.as_str()),
                        self.names.person(h.by),
                    ],
                )
            })
            .collect();
        events.extend(self.file.details_history.iter().map(|d| {
            let shown = |v: &Option<String>| fit(&inert(v.as_deref().unwrap_or("-")), value);
            (
                d.at,
                [
                    d.at.to_minute(),
                    humane(&d.field),
                    shown(&d.old),
                    shown(&d.new),
                    self.names.person(d.by),
                ],
            )
        }));
        events.sort_by_key(|(at, _)| *at);
        let rows: Vec<Row> = events
            .into_iter()
            .map(|(_, cells)| Row::new(cells))
            .collect();
        let widths = [16, 16, value as u16, value as u16, 16].map(Constraint::Length);
        frame.render_widget(
            Table::new(rows, widths)
                .header(Row::new(["When (UTC)", "What", "From", "To", "By"]).style(theme.title())),
            area,
        );
    }
}

fn empty(frame: &mut Frame, area: Rect, theme: &Theme, text: &str) {
    frame.render_widget(
        Paragraph::new(Span::styled(format!(" {text}"), theme.dim())),
        area,
    );
}

fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A diary note: who and when, then its words wrapped to `width`; a voided note says so
/// (its words are there only for supervisors).
fn note_text(n: &Note, width: usize, theme: &Theme) -> Text<'static> {
    let kind = if n.client_visible {
        "client-visible"
    } else {
        "internal"
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} UTC  ", n.at.to_minute()), theme.dim()),
        Span::styled(fit(&inert(&n.author), 24), theme.key()),
        Span::styled(format!("  {kind}"), theme.dim()),
    ])];
    if let Some((_, reason)) = &n.voided {
        let voided = format!("[voided: {}]", reason);
        lines.extend(
            wrap(&voided, width)
                .into_iter()
                .map(|l| Line::styled(format!("  {l}"), theme.warning())),
        );
    }
    let style = if n.voided.is_some() {
        theme.dim()
    } else {
        theme.normal()
    };
    lines.extend(
        wrap(&n.body, width)
            .into_iter()
            .map(|l| Line::styled(format!("  {l}"), style)),
    );
    Text::from(lines)
}

/// Lines of at most `width` characters, broken at spaces where possible; every line is
/// made inert.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in inert(paragraph).split(' ') {
            let mut word: String = word.to_owned();
            while word.chars().count() > width {
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
            }
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if needed > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        if !line.is_empty() {
            out.push(line);
        }
    }
    out
}

fn visibility_field() -> Field {
    let mut f = Field::new("Client-visible", 3);
    f.set("n");
    f
}

/// Staff choose whether a note is for the client too; a client user's always is.
fn note_form(s: &Session) -> Form {
    let mut fields = vec![Field::new("Note", 20_000)];
    let choose = s.may(Perm::InternalNoteAdd) && s.may(Perm::ClientNoteAdd);
    if choose {
        fields.push(visibility_field());
    }
    let mut f = Form::new("Add a diary note", fields);
    f.note = Some((
        if choose {
            "Client-visible? y: the client's users read it too; n: agency only."
        } else {
            "Your note is visible to the agency and to your organisation."
        }
        .into(),
        false,
    ));
    f
}

fn note_visibility(s: &Session, form: &Form) -> Result<bool> {
    match (s.may(Perm::InternalNoteAdd), s.may(Perm::ClientNoteAdd)) {
        (true, true) => yes_no("Client-visible", form.value(1)),
        (internal, _) => Ok(!internal),
    }
}

fn attach_form(s: &Session) -> Form {
    let mut fields = vec![Field::new("Path", 4096)];
    if s.info().role.is_internal() {
        fields.push(visibility_field());
    }
    let mut f = Form::new("Attach a file", fields);
    f.note = Some((
        format!(
            "The file is kept encrypted in the database (at most {} MB).",
            cases::MAX_DOCUMENT_BYTES / (1024 * 1024)
        ),
        false,
    ));
    f
}

fn save_form(file_name: &str) -> Form {
    let mut f = Form::new("Save the document out", vec![Field::new("Save to", 4096)]);
    f.fields[0].set(&documents::safe_name(file_name));
    f.note = Some((
        "A path or a folder; an existing file is never overwritten.".into(),
        false,
    ));
    f
}

fn save(s: &Session, doc: DocumentId, path: &str) -> Result<Outcome> {
    let (meta, bytes) = cases::view_document(s, doc)?;
    let saved = documents::save_out(path, &meta.file_name, &bytes)?;
    Ok(Outcome::Show(Popup::message(
        "Saved",
        &format!("Saved {} to {}.", size_text(meta.size), saved.display()),
    )))
}

fn edit_form(c: &Case) -> Form {
    let mut f = Form::new(
        &format!("Edit {}", inert(&c.reference)),
        vec![
            Field::new("Subject name", 200),
            Field::new("Address", 500),
            Field::new("Due date", 10),
        ],
    );
    f.fields[0].set(&c.subject_name);
    f.fields[1].set(&c.subject_address);
    f.fields[2].set(c.due_date.as_deref().unwrap_or(""));
    f.note = Some((
        "Due date YYYY-MM-DD or DD/MM/YYYY; blank: none.".into(),
        false,
    ));
    f
}

/// The case's details with the form's name, address and due date.
fn edited(c: &Case, form: &Form) -> Details {
    Details {
        client_ref: c.client_ref.clone(),
        case_type: c.case_type,
        subject_name: form.value(0).into(),
        subject_dob: c.subject_dob.clone(),
        subject_address: form.value(1).into(),
        priority: c.priority,
        due_date: Some(form.value(2).to_owned()).filter(|d| !d.trim().is_empty()),
    }
}

fn status_form(s: &Session, c: &Case) -> Form {
    let next: Vec<String> = CaseStatus::ALL
        .iter()
        .filter(|to| c.status.can_move_to(**to))
        .filter(|to| **to != CaseStatus::Closed || s.may(Perm::CaseClose))
        .map(|to| humane(to.as_str()))
        .collect();
    let mut f = Form::new("Change the status", vec![Field::new("New status", 20)]);
    f.note = Some((
        match next.as_slice() {
            [] => format!(
                "From {} your role can move it nowhere.",
                humane(c.status.as_str())
            ),
            _ => format!("From {}: {}.", humane(c.status.as_str()), next.join(", ")),
        },
        false,
    ));
    f
}

fn parse_status(text: &str) -> Result<CaseStatus> {
    text.parse::<CaseStatus>()
        .map_err(|e| ServiceError::Invalid(format!("The status {e}.")))
}

fn assign_form(c: &Case, names: &Names) -> Form {
    let mut f = Form::new("Assign the case", vec![Field::new("Assign to", 64)]);
    if let Some(u) = c.assigned_to {
        f.fields[0].set(&names.person(u));
    }
    let who: Vec<&str> = names
        .directory()
        .people
        .iter()
        .filter(|p| p.assignable)
        .map(|p| p.username.as_str())
        .collect();
    f.note = Some((
        format!(
            "A caseworker or supervisor ({}); blank: nobody.",
            who.join(", ")
        ),
        false,
    ));
    f
}

/// The person named in the assign form; blank is nobody.
fn assignee(names: &Names, text: &str) -> Result<Option<UserId>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    names.person_named(text).map(Some).ok_or_else(|| {
        ServiceError::Invalid(format!(
            "There is no caseworker or supervisor {}.",
            text.trim()
        ))
    })
}

fn void_form(n: &Note) -> Form {
    let mut f = Form::new("Void a diary note", vec![Field::new("Reason", 500)]);
    f.note = Some((
        format!(
            "The note of {} by {} stays, marked void with the reason.",
            n.at.to_minute(),
            fit(&inert(&n.author), 24)
        ),
        false,
    ));
    f
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb\x1b", 10), ["a", "b␛"]);
    }
}
