//! The Cases screen (`1`): one page of 50 cases at a time in the caller's scope (PgDn /
//! PgUp load the next or previous page, never all of them), sorted by due date, last
//! change or reference, filtered by status, with due dates coloured by service level;
//! `/` searches; Enter opens the case file; `n` opens a new case.

use super::case_file::CaseFileView;
use super::names::Names;
use super::{Outcome, cycle, documents, key_for_form, yes_no};
use crate::domain::{Action as Perm, Case, CaseStatus, CaseType, Millis, OrgId, Priority};
use crate::sanitize::{fit, inert};
use crate::service::cases::After;
use crate::service::cases::{self, Details, ListQuery, NewCase, Sort};
use crate::service::instructions;
use crate::service::{ServiceError, Session};
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
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use std::rc::Rc;

/// Cases a page.
pub const PAGE: i64 = 50;

const SORTS: [Option<Sort>; 3] = [Some(Sort::Due), Some(Sort::Updated), Some(Sort::Reference)];

const STATUSES: [Option<CaseStatus>; 6] = [
    None,
    Some(CaseStatus::New),
    Some(CaseStatus::Active),
    Some(CaseStatus::OnHold),
    Some(CaseStatus::Completed),
    Some(CaseStatus::Closed),
];

fn sort_label(sort: Sort) -> &'static str {
    match sort {
        Sort::Due => "due date",
        Sort::Updated => "last change",
        Sort::Reference => "reference",
    }
}

/// A stored name as people read it: `on_hold` is "on hold".
pub fn humane(name: &str) -> String {
    name.replace('_', " ")
}

/// The due date's service level on `now`'s date (UTC): overdue is due before today and
/// not completed or closed; due soon is due today or within two days.
pub fn due_style(case: &Case, now: Millis, theme: &Theme) -> Style {
    let Some(due) = case.due_date.as_deref() else {
        return theme.normal();
    };
    if matches!(case.status, CaseStatus::Completed | CaseStatus::Closed) {
        return theme.normal();
    }
    let today = now.to_date();
    let soon = now.plus_ms(2 * 24 * Millis::HOUR).to_date();
    if due < today.as_str() {
        theme.error()
    } else if due <= soon.as_str() {
        theme.warning()
    } else {
        theme.normal()
    }
}

enum ListForm {
    Search,
    NewCase,
    Filter,
    Import,
}

pub struct CasesScreen {
    page: Vec<Case>,
    query: ListQuery,
    /// Where each page before this one started (keyset paging: PgUp goes back by it).
    earlier_pages: Vec<Option<After>>,
    selected: usize,
    /// Search terms and what they found, shown instead of the page until Esc.
    search: Option<(String, Vec<Case>)>,
    file: Option<CaseFileView>,
    form: Option<(ListForm, Form)>,
    /// Clients and people by name (loaded once, on the first reload).
    names: Option<Rc<Names>>,
    message: Option<String>,
    now: Millis,
}

impl Default for CasesScreen {
    fn default() -> Self {
        CasesScreen {
            page: Vec::new(),
            query: ListQuery {
                limit: PAGE,
                ..ListQuery::default()
            },
            earlier_pages: Vec::new(),
            selected: 0,
            search: None,
            file: None,
            form: None,
            names: None,
            message: None,
            now: Millis(0),
        }
    }
}

impl CasesScreen {
    /// Load the current page again (and the search, and the open case file).
    pub fn reload(&mut self, s: &Session) -> Outcome {
        self.now = s.now();
        if self.names.is_none() {
            match Names::load(s) {
                Ok(names) => self.names = Some(Rc::new(names)),
                Err(e) => return Outcome::from_error(e),
            }
        }
        let page = match cases::list(s, &self.query) {
            Ok(page) => page,
            Err(e) => return Outcome::from_error(e),
        };
        self.page = page;
        if let Some((terms, found)) = &mut self.search {
            match cases::search(s, terms, PAGE) {
                Ok(again) => *found = again,
                Err(e) => return Outcome::from_error(e),
            }
        }
        self.selected = self.selected.min(self.rows().len().saturating_sub(1));
        match self.file.as_mut() {
            Some(file) => {
                let outcome = file.reload(s);
                self.close_if_gone(s, outcome)
            }
            None => Outcome::Nothing,
        }
    }

    /// A case file whose case went out of reach closes; `outcome` still says why.
    fn close_if_gone(&mut self, s: &Session, outcome: Outcome) -> Outcome {
        if self.file.as_ref().is_some_and(CaseFileView::is_gone) {
            self.file = None;
            if let Outcome::SessionEnded(why) = self.reload(s) {
                return Outcome::SessionEnded(why);
            }
        }
        outcome
    }

    pub fn is_typing(&self) -> bool {
        self.form.is_some() || self.file.as_ref().is_some_and(CaseFileView::is_typing)
    }

    pub fn paste(&mut self, text: &str) {
        match (&mut self.form, &mut self.file) {
            (Some((_, f)), _) => f.paste(text),
            (None, Some(file)) => file.paste(text),
            (None, None) => {}
        }
    }

    /// What the table shows: the search's results, or the page.
    fn rows(&self) -> &[Case] {
        self.search.as_ref().map_or(&self.page, |(_, found)| found)
    }

    fn names(&self) -> Rc<Names> {
        self.names.clone().unwrap_or_default()
    }

    pub fn handle_key(&mut self, s: &Session, key: &KeyEvent, action: Option<Action>) -> Outcome {
        self.message = None;
        if let Some(open) = self.form.take() {
            let (still, outcome) = key_for_form(open, key, |kind, form| self.submit(s, kind, form));
            if still.is_some() {
                self.form = still;
            }
            return outcome;
        }
        if let Some(file) = self.file.as_mut() {
            if !file.is_typing() && matches!(action, Some(Action::Back | Action::Quit)) {
                self.file = None;
                return self.reload(s);
            }
            let outcome = file.handle_key(s, key, action);
            return self.close_if_gone(s, outcome);
        }
        let Some(action) = action else {
            return Outcome::Unhandled;
        };
        if self.search.is_some() && matches!(action, Action::Back | Action::Quit) {
            self.search = None;
            self.selected = 0;
            return Outcome::Nothing;
        }
        self.list_key(s, action)
    }

    fn list_key(&mut self, s: &Session, action: Action) -> Outcome {
        let last = self.rows().len().saturating_sub(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Home => self.selected = 0,
            Action::End => self.selected = last,
            Action::PageDown if self.search.is_some() => {
                self.selected = (self.selected + 10).min(last)
            }
            Action::PageUp if self.search.is_some() => {
                self.selected = self.selected.saturating_sub(10)
            }
            Action::PageDown => return self.next_page(s),
            Action::PageUp => return self.previous_page(s),
            Action::Sort => {
                self.query.sort = cycle(&SORTS, Some(self.query.sort)).unwrap_or_default();
                return self.first_page(s);
            }
            Action::FilterState => {
                self.query.status = cycle(&STATUSES, self.query.status);
                return self.first_page(s);
            }
            Action::FilterOrg => self.form = Some((ListForm::Filter, self.filter_form())),
            Action::Search => {
                let mut f = Form::new("Search cases", vec![Field::new("Search for", 100)]);
                if let Some((terms, _)) = &self.search {
                    f.fields[0].set(terms);
                }
                f.hint = "Reference, client ref, name or address · Enter · Esc";
                self.form = Some((ListForm::Search, f));
            }
            Action::Open => return self.open_selected(s),
            Action::New if s.may(Perm::CaseCreate) => {
                self.form = Some((ListForm::NewCase, new_case_form(s)))
            }
            Action::Import if s.may(Perm::CsvImport) => {
                self.form = Some((ListForm::Import, import_form(s)))
            }
            _ => return Outcome::Unhandled,
        }
        Outcome::Nothing
    }

    fn open_selected(&mut self, s: &Session) -> Outcome {
        let Some(case) = self.rows().get(self.selected) else {
            return Outcome::Nothing;
        };
        match CaseFileView::open(s, case.id, self.names()) {
            Ok(view) => {
                self.file = Some(view);
                Outcome::Nothing
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    /// Load the page starting after `after`; an empty page past the first keeps the one
    /// shown. `earlier` is where the pages before it started.
    fn load(&mut self, s: &Session, after: Option<After>, earlier: Vec<Option<After>>) -> Outcome {
        let query = ListQuery {
            after,
            ..self.query.clone()
        };
        match cases::list(s, &query) {
            Ok(page) if page.is_empty() && query.after.is_some() => {
                self.message = Some("That was the last page.".into());
                Outcome::Nothing
            }
            Ok(page) => {
                self.page = page;
                self.query = query;
                self.earlier_pages = earlier;
                self.selected = 0;
                Outcome::Nothing
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    fn first_page(&mut self, s: &Session) -> Outcome {
        self.load(s, None, Vec::new())
    }

    fn next_page(&mut self, s: &Session) -> Outcome {
        let (Some(last), true) = (self.page.last(), self.page.len() as i64 == PAGE) else {
            self.message = Some("That was the last page.".into());
            return Outcome::Nothing;
        };
        let mut earlier = self.earlier_pages.clone();
        earlier.push(self.query.after.clone());
        self.load(s, Some(After::of(last)), earlier)
    }

    fn previous_page(&mut self, s: &Session) -> Outcome {
        let mut earlier = self.earlier_pages.clone();
        match earlier.pop() {
            Some(start) => self.load(s, start, earlier),
            None => {
                self.selected = 0;
                Outcome::Nothing
            }
        }
    }

    fn submit(
        &mut self,
        s: &Session,
        kind: &ListForm,
        form: &Form,
    ) -> crate::service::Result<Outcome> {
        match kind {
            ListForm::Search => self.run_search(s, form.value(0)),
            ListForm::NewCase => self.create(s, form),
            ListForm::Filter => self.apply_filter(s, form),
            ListForm::Import => self.import(s, form),
        }
    }

    fn run_search(&mut self, s: &Session, terms: &str) -> crate::service::Result<Outcome> {
        let terms = terms.trim();
        self.selected = 0;
        if terms.is_empty() {
            self.search = None;
        } else {
            self.search = Some((terms.to_owned(), cases::search(s, terms, PAGE)?));
        }
        Ok(Outcome::Nothing)
    }

    fn create(&mut self, s: &Session, form: &Form) -> crate::service::Result<Outcome> {
        let client_role = s.info().role.is_client();
        // Client users open cases for their own organisation: no Client field.
        let (client, rest) = if client_role {
            (s.info().org_id, 0)
        } else {
            (self.client_by_code(form.value(0))?, 1)
        };
        let value = |i: usize| form.value(i + rest);
        let optional = |i: usize| Some(value(i).to_owned()).filter(|v| !v.trim().is_empty());
        let case_type = value(1)
            .parse::<CaseType>()
            .map_err(|e| ServiceError::Invalid(format!("The case type {e}.")))?;
        let case = cases::create(
            s,
            &NewCase {
                client_org: client,
                details: Details {
                    client_ref: optional(0),
                    case_type,
                    subject_name: value(2).into(),
                    subject_dob: optional(3),
                    subject_address: value(4).into(),
                    priority: Priority::Normal,
                    due_date: optional(5),
                },
            },
        )?;
        self.file = Some(CaseFileView::open(s, case.id, self.names())?);
        Ok(self.reload(s))
    }

    fn client_by_code(&self, code: &str) -> crate::service::Result<OrgId> {
        let names = self.names();
        names
            .directory()
            .client_by_code(code)
            .map(|o| o.id)
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "There is no client {}.",
                    code.trim().to_uppercase()
                ))
            })
    }

    /// Import the CSV file named in the form for its client (a client's own); every
    /// problem of a refused file is listed and nothing is imported.
    fn import(&mut self, s: &Session, form: &Form) -> crate::service::Result<Outcome> {
        let code = if s.info().role.is_client() {
            s.info().org_code.clone()
        } else {
            form.value(1).trim().to_uppercase()
        };
        let (path, bytes) = documents::read_bounded(form.value(0), instructions::MAX_BYTES)?;
        match instructions::import_csv(s, &code, &bytes) {
            Ok(done) => {
                if let Outcome::SessionEnded(why) = self.first_page(s) {
                    return Ok(Outcome::SessionEnded(why));
                }
                let span = match (done.references.first(), done.references.last()) {
                    (Some(first), Some(last)) => format!(": {first} to {last}"),
                    _ => String::new(),
                };
                Ok(Outcome::Show(Popup::message(
                    "Instructions imported",
                    &format!(
                        "{} new cases for {} from {}{span}.",
                        done.references.len(),
                        done.client,
                        path.display()
                    ),
                )))
            }
            Err(ServiceError::ImportRefused(problems)) => {
                Ok(Outcome::Show(import_refused(&path, &problems)))
            }
            Err(e) => Err(e),
        }
    }

    /// The filter form, filled in with the filters now in force.
    fn filter_form(&self) -> Form {
        let names = self.names();
        let mut fields = vec![
            Field::new("Client code", 16),
            Field::new("Case type", 20),
            Field::new("Overdue only", 3),
        ];
        fields[0].set(&self.query.client.map_or(String::new(), |c| names.client(c)));
        fields[1].set(
            &self
                .query
                .case_type
                .map_or(String::new(), |t| humane(t.as_str())),
        );
        if self.query.overdue_on.is_some() {
            fields[2].set("yes");
        }
        if names.for_staff() {
            let mut who = Field::new("Assigned to", 64);
            who.set(
                &self
                    .query
                    .assignee
                    .map_or(String::new(), |u| names.person(u)),
            );
            fields.insert(2, who);
        }
        let mut f = Form::new("Filter cases", fields);
        f.note = Some((
            "Blank shows all. Overdue only: y for yes, blank for no.".into(),
            false,
        ));
        f
    }

    fn apply_filter(&mut self, s: &Session, form: &Form) -> crate::service::Result<Outcome> {
        let names = self.names();
        let value = |label: &str| {
            form.fields
                .iter()
                .find(|f| f.label == label)
                .map_or("", |f| f.value())
                .trim()
                .to_owned()
        };
        let client = match value("Client code") {
            code if code.is_empty() => None,
            code => Some(self.client_by_code(&code)?),
        };
        let case_type = match value("Case type") {
            t if t.is_empty() => None,
            t => Some(
                t.parse::<CaseType>()
                    .map_err(|e| ServiceError::Invalid(format!("The case type {e}.")))?,
            ),
        };
        let assignee = match value("Assigned to") {
            who if who.is_empty() => None,
            who => Some(names.person_named(&who).ok_or_else(|| {
                ServiceError::Invalid(format!("There is no caseworker or supervisor {who}."))
            })?),
        };
        let overdue = yes_no("Overdue only", &value("Overdue only"))?;
        self.query.client = client;
        self.query.case_type = case_type;
        self.query.assignee = assignee;
        self.query.overdue_on = overdue.then(|| s.now().to_date());
        Ok(self.first_page(s))
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        if let Some(file) = &self.file {
            file.render(frame, area, theme, keys, s);
            return;
        }
        let [filters, table, hint_row] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.filter_line(theme, keys)), filters);
        self.render_table(frame, table, theme);
        let items = [
            (None, Action::Open, "open"),
            (Some(Perm::CaseCreate), Action::New, "new case"),
            (Some(Perm::CsvImport), Action::Import, "import"),
            (None, Action::Search, "search"),
            (None, Action::Sort, "sort"),
            (None, Action::FilterState, "status"),
            (None, Action::FilterOrg, "filter"),
            (None, Action::PageDown, "next page"),
            (None, Action::PageUp, "previous"),
        ];
        hints::render(frame, hint_row, theme, keys, &hints::allowed(s, &items));
        if let Some((kind, form)) = &self.form {
            let boxed = match kind {
                ListForm::Search => centered(area, 64, 7),
                ListForm::NewCase | ListForm::Filter | ListForm::Import => {
                    centered(area, 76, form.height().min(area.height))
                }
            };
            form.render(frame, boxed, true, theme);
        }
    }

    fn filter_line(&self, theme: &Theme, keys: &Keymap) -> Line<'static> {
        let mut spans = vec![
            Span::styled(format!(" {} sort: ", keys.hint(Action::Sort)), theme.dim()),
            Span::raw(sort_label(self.query.sort)),
            Span::styled(
                format!("  {} status: ", keys.hint(Action::FilterState)),
                theme.dim(),
            ),
            Span::raw(
                self.query
                    .status
                    .map_or("all".into(), |st| humane(st.as_str())),
            ),
        ];
        let filters = self.filter_summary();
        if !filters.is_empty() {
            spans.push(Span::styled(
                format!("  {} filter: ", keys.hint(Action::FilterOrg)),
                theme.dim(),
            ));
            spans.push(Span::raw(filters));
        }
        let place = match &self.search {
            Some((terms, found)) => {
                spans.push(Span::styled(
                    format!("  {} search: ", keys.hint(Action::Search)),
                    theme.dim(),
                ));
                spans.push(Span::raw(fit(&inert(terms), 24)));
                format!(
                    "   {} found · {} back to the list",
                    found.len(),
                    keys.hint(Action::Back)
                )
            }
            None if self.page.is_empty() => "   no cases".to_string(),
            None => {
                let before = self.earlier_pages.len() as i64 * PAGE;
                format!(
                    "   page {} · cases {}–{}",
                    self.earlier_pages.len() + 1,
                    before + 1,
                    before + self.page.len() as i64
                )
            }
        };
        spans.push(Span::styled(place, theme.dim()));
        if let Some(m) = &self.message {
            spans.push(Span::styled(format!("  {m}"), theme.warning()));
        }
        Line::from(spans)
    }

    fn render_table(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let title = match &self.search {
            Some(_) => " Cases · search results ",
            None => " Cases ",
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title, theme.title()));
        if self.rows().is_empty() {
            let text = vec![
                Line::default(),
                Line::from(Span::styled(self.empty_text(), theme.dim())),
            ];
            frame.render_widget(Paragraph::new(text).block(block), area);
            return;
        }
        let (widths, header) = columns(area.width);
        // Only the rows on screen are built.
        let inner_rows = area.height.saturating_sub(3) as usize;
        let offset = self.selected.saturating_sub(inner_rows.saturating_sub(1));
        let rows: Vec<Row> = self
            .rows()
            .iter()
            .skip(offset)
            .take(inner_rows)
            .map(|c| self.row(c, &widths, theme))
            .collect();
        let mut state = TableState::default().with_selected(Some(self.selected - offset));
        frame.render_stateful_widget(
            Table::new(rows, widths.map(|w| Constraint::Length(w as u16)))
                .header(Row::new(header).style(theme.title()))
                .row_highlight_style(theme.selected())
                .block(block),
            area,
            &mut state,
        );
    }

    fn row(&self, c: &Case, widths: &[usize; 7], theme: &Theme) -> Row<'static> {
        let cell = |text: &str, i: usize| Line::from(fit(&inert(text), widths[i]));
        Row::new(vec![
            cell(&c.reference, 0),
            cell(c.client_ref.as_deref().unwrap_or("-"), 1),
            cell(&humane(c.case_type.as_str()), 2),
            cell(&c.subject_name, 3),
            cell(&humane(c.status.as_str()), 4),
            cell(&self.names().assignee(c.assigned_to), 5),
            Line::from(Span::styled(
                c.due_date.as_deref().map_or("-".into(), inert),
                due_style(c, self.now, theme),
            )),
        ])
    }

    /// The filters of the filter form now in force, as one short text ("" for none).
    fn filter_summary(&self) -> String {
        let names = self.names();
        let q = &self.query;
        let parts: Vec<String> = [
            q.client.map(|c| inert(&names.client(c))),
            q.case_type.map(|t| humane(t.as_str())),
            q.assignee.map(|u| inert(&names.person(u))),
            q.overdue_on.as_ref().map(|_| "overdue".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        fit(&parts.join(", "), 40)
    }

    fn empty_text(&self) -> String {
        let filtered = self.query.status.is_some() || !self.filter_summary().is_empty();
        match &self.search {
            Some((terms, _)) => format!("Nothing found for \"{}\".", inert(terms)),
            None if filtered => "No cases match the filters.".into(),
            None => "No cases to show yet.".into(),
        }
    }
}

/// The table's column widths for a terminal `width` wide, and their titles: the subject
/// takes what the others leave (borders and one space between columns).
fn columns(width: u16) -> ([usize; 7], [&'static str; 7]) {
    let wide = width >= 100;
    let [reference, client_ref, kind, status, who, due] = match width {
        120.. => [14, 12, 15, 9, 15, 10],
        100.. => [14, 12, 15, 9, 10, 10],
        _ => [14, 10, 11, 9, 4, 10],
    };
    let used = reference + client_ref + kind + status + who + due + 6;
    let subject = (width as usize).saturating_sub(2 + used).max(6);
    let titles = [
        "Reference",
        "Client ref",
        "Type",
        "Subject",
        "Status",
        if wide { "Assignee" } else { "Who" },
        "Due",
    ];
    (
        [reference, client_ref, kind, subject, status, who, due],
        titles,
    )
}

/// The most problems of a refused import listed on screen (the CLI lists them all).
const PROBLEMS_SHOWN: usize = 10;

fn import_refused(path: &std::path::Path, problems: &[String]) -> Popup {
    let mut lines = vec![format!(
        "Nothing was imported from {}. Correct the file and import it again:",
        path.display()
    )];
    lines.extend(problems.iter().take(PROBLEMS_SHOWN).cloned());
    if problems.len() > PROBLEMS_SHOWN {
        lines.push(format!(
            "… and {} more (`pecs import cases` lists them all).",
            problems.len() - PROBLEMS_SHOWN
        ));
    }
    Popup {
        tone: Tone::Error,
        title: "Nothing imported".into(),
        lines,
    }
}

fn import_form(s: &Session) -> Form {
    let mut fields = vec![Field::new("CSV file", 4096)];
    if !s.info().role.is_client() {
        fields.push(Field::new("Client code", 16));
    }
    let mut f = Form::new("Import client instructions", fields);
    f.note = Some((
        "Columns: client_ref, case_type, subject_name, subject_dob, subject_address, due_date, notes. All rows or none.".into(),
        false,
    ));
    f
}

fn new_case_form(s: &Session) -> Form {
    let mut fields = vec![
        Field::new("Client ref", 64),
        Field::new("Case type", 20),
        Field::new("Subject name", 200),
        Field::new("Date of birth", 10),
        Field::new("Address", 500),
        Field::new("Due date", 10),
    ];
    if !s.info().role.is_client() {
        fields.insert(0, Field::new("Client code", 16));
    }
    let mut f = Form::new("New case", fields);
    let types: Vec<String> = CaseType::ALL.iter().map(|t| humane(t.as_str())).collect();
    f.note = Some((
        format!(
            "Types: {}. Dates YYYY-MM-DD or DD/MM/YYYY.",
            types.join(", ")
        ),
        false,
    ));
    f
}
