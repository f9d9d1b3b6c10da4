//! The Users screen (`2`): accounts the caller may see, with filters by organisation,
//! role and state, last login and where from; and the account actions the policy allows
//! (create, role, disable / enable, expiry, unlock, reset password, two-factor).
//! A client admin is only ever given their own organisation's accounts by the service.

use super::{Outcome, Pending as AppPending, cycle, form_refused};
use crate::domain::{Action as Perm, Millis, Org, OrgId, Role, UserId};
use crate::sanitize::{fit, inert};
use crate::service::users::{NewUser, UserOverview};
use crate::service::{Session, orgs, users};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::hints;
use crate::tui::widgets::popup::{Popup, centered};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Enabled,
    Disabled,
    Locked,
    Expired,
}

impl StateFilter {
    const CYCLE: [Option<StateFilter>; 5] = [
        None,
        Some(StateFilter::Enabled),
        Some(StateFilter::Disabled),
        Some(StateFilter::Locked),
        Some(StateFilter::Expired),
    ];

    fn label(f: Option<StateFilter>) -> &'static str {
        match f {
            None => "all",
            Some(StateFilter::Enabled) => "enabled",
            Some(StateFilter::Disabled) => "disabled",
            Some(StateFilter::Locked) => "locked",
            Some(StateFilter::Expired) => "expired",
        }
    }
}

/// A confirmed change to one account.
pub enum Pending {
    Disable(UserId),
    Enable(UserId, String),
    Reset(UserId, String),
    Unlock(UserId, String),
    TwoFactor(UserId, bool),
    OrgTwoFactor(OrgId, bool),
}

enum FormKind {
    NewUser,
    DisplayName(UserId),
    NewOrg,
    Role(UserId),
    Expiry(UserId),
    Search,
}

pub struct UsersScreen {
    rows: Vec<UserOverview>,
    orgs: Vec<Org>,
    selected: usize,
    org_filter: Option<OrgId>,
    role_filter: Option<Role>,
    state_filter: Option<StateFilter>,
    query: String,
    form: Option<(FormKind, Form)>,
    now: Millis,
}

fn state_of(row: &UserOverview, now: Millis) -> StateFilter {
    if !row.user.enabled {
        StateFilter::Disabled
    } else if row.user.expires_at.is_some_and(|t| t <= now) {
        StateFilter::Expired
    } else if row.paused_until.is_some_and(|t| t > now) {
        StateFilter::Locked
    } else {
        StateFilter::Enabled
    }
}

impl Default for UsersScreen {
    fn default() -> Self {
        UsersScreen::new()
    }
}

impl UsersScreen {
    fn new() -> UsersScreen {
        UsersScreen {
            rows: Vec::new(),
            orgs: Vec::new(),
            selected: 0,
            org_filter: None,
            role_filter: None,
            state_filter: None,
            query: String::new(),
            form: None,
            now: Millis(0),
        }
    }

    pub fn reload(&mut self, s: &Session) -> Outcome {
        self.now = s.now();
        match users::overview(s).and_then(|rows| Ok((rows, orgs::list(s)?))) {
            Ok((rows, orgs)) => {
                self.rows = rows;
                self.orgs = orgs;
                self.selected = self.selected.min(self.visible().len().saturating_sub(1));
                Outcome::Nothing
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    pub fn is_typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn paste(&mut self, text: &str) {
        if let Some((_, f)) = self.form.as_mut() {
            f.paste(text);
        }
    }

    fn visible(&self) -> Vec<&UserOverview> {
        let q = self.query.to_lowercase();
        self.rows
            .iter()
            .filter(|r| self.org_filter.is_none_or(|o| r.user.org_id == o))
            .filter(|r| self.role_filter.is_none_or(|role| r.user.role == role))
            .filter(|r| {
                self.state_filter
                    .is_none_or(|st| state_of(r, self.now) == st)
            })
            .filter(|r| {
                q.is_empty()
                    || r.user.username.contains(&q)
                    || r.user.display_name.to_lowercase().contains(&q)
            })
            .collect()
    }

    fn current(&self) -> Option<&UserOverview> {
        self.visible().get(self.selected).copied()
    }

    pub fn handle_key(&mut self, s: &Session, key: &KeyEvent, action: Option<Action>) -> Outcome {
        if let Some((kind, mut form)) = self.form.take() {
            return match form.handle_key(key) {
                FormEvent::Cancel => {
                    if matches!(kind, FormKind::Search) {
                        self.query.clear();
                    }
                    Outcome::Nothing
                }
                FormEvent::Submit => self.submit(s, kind, form),
                FormEvent::Edited | FormEvent::Ignored => {
                    if matches!(kind, FormKind::Search) {
                        self.query = form.value(0).to_lowercase();
                        self.selected = 0;
                    }
                    self.form = Some((kind, form));
                    Outcome::Nothing
                }
            };
        }
        let len = self.visible().len();
        let Some(action) = action else {
            return Outcome::Unhandled;
        };
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(len.saturating_sub(1)),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(len.saturating_sub(1)),
            Action::Home => self.selected = 0,
            Action::End => self.selected = len.saturating_sub(1),
            Action::Search => {
                let mut f = Form::new("Search users", vec![Field::new("Name", 64)]);
                f.fields[0].set(&self.query);
                self.form = Some((FormKind::Search, f));
            }
            Action::FilterOrg => {
                let mut options = vec![None];
                options.extend(self.orgs.iter().map(|o| Some(o.id)));
                self.org_filter = cycle(&options, self.org_filter);
                self.selected = 0;
            }
            Action::FilterRole => {
                let mut options = vec![None];
                options.extend(
                    Role::ALL
                        .iter()
                        .copied()
                        .filter(|r| self.rows.iter().any(|u| u.user.role == *r))
                        .map(Some),
                );
                self.role_filter = cycle(&options, self.role_filter);
                self.selected = 0;
            }
            Action::FilterState => {
                self.state_filter = cycle(&StateFilter::CYCLE, self.state_filter);
                self.selected = 0;
            }
            Action::Open => return self.details(s),
            Action::New if s.may(Perm::UserCreate) => {
                self.form = Some((FormKind::NewUser, self.new_user_form(s)))
            }
            Action::NewOrg if s.may(Perm::OrgCreate) => {
                self.form = Some((
                    FormKind::NewOrg,
                    Form::new(
                        "New client organisation",
                        vec![Field::new("Code", 16), Field::new("Name", 120)],
                    ),
                ))
            }
            Action::Edit if s.may(Perm::UserEdit) => {
                if let Some(row) = self.current() {
                    let mut f = Form::new(
                        &format!("Name of {}", inert(&row.user.username)),
                        vec![Field::new("Display name", 100)],
                    );
                    f.fields[0].set(&row.user.display_name);
                    self.form = Some((FormKind::DisplayName(row.user.id), f));
                }
            }
            Action::Role if s.may(Perm::UserEdit) => {
                if let Some(row) = self.current() {
                    let mut f = Form::new(
                        &format!("Role of {}", inert(&row.user.username)),
                        vec![Field::new("Role", 20)],
                    );
                    f.fields[0].set(row.user.role.as_str());
                    f.note = Some((role_hint(s), false));
                    self.form = Some((FormKind::Role(row.user.id), f));
                }
            }
            Action::Expiry if s.may(Perm::UserEdit) => {
                if let Some(row) = self.current() {
                    let mut f = Form::new(
                        &format!("Expiry of {}", inert(&row.user.username)),
                        vec![Field::new("Expires on", 10)],
                    );
                    if let Some(t) = row.user.expires_at {
                        f.fields[0].set(&t.to_date());
                    }
                    f.note = Some(("YYYY-MM-DD: the account stops working from 00:00 UTC that day. Blank: never.".into(), false));
                    self.form = Some((FormKind::Expiry(row.user.id), f));
                }
            }
            Action::Disable if s.may(Perm::UserDisable) => {
                if let Some(row) = self.current() {
                    let name = row.user.username.clone();
                    return if row.user.enabled {
                        ask(
                            "Disable account",
                            &format!(
                                "Disable {}? Their sessions end and their password stops working.",
                                inert(&name)
                            ),
                            Pending::Disable(row.user.id),
                        )
                    } else {
                        ask(
                            "Enable account",
                            &format!(
                                "Enable {} again? A one-time code is shown, to choose a new password.",
                                inert(&name)
                            ),
                            Pending::Enable(row.user.id, name),
                        )
                    };
                }
            }
            Action::ResetPassword if s.may(Perm::UserReset) => {
                if let Some(row) = self.current() {
                    let name = row.user.username.clone();
                    return ask(
                        "Reset password",
                        &format!(
                            "Reset the password of {}? Their password stops working and a one-time code is shown once.",
                            inert(&name)
                        ),
                        Pending::Reset(row.user.id, name),
                    );
                }
            }
            Action::Unlock if s.may(Perm::UserUnlock) => {
                if let Some(row) = self.current() {
                    let name = row.user.username.clone();
                    return ask(
                        "Unlock",
                        &format!("Lift the login pause of {}?", inert(&name)),
                        Pending::Unlock(row.user.id, name),
                    );
                }
            }
            Action::TwoFactor if s.may(Perm::UserEdit) => {
                if let Some(row) = self.current() {
                    let name = row.user.username.clone();
                    let on = !row.user.require_two_factor;
                    let verb = if on { "Require" } else { "Stop requiring" };
                    return ask(
                        "Two-factor login",
                        &format!("{verb} two-factor login for {}?", inert(&name)),
                        Pending::TwoFactor(row.user.id, on),
                    );
                }
            }
            Action::OrgTwoFactor if s.may(Perm::OrgEdit) => {
                let org = self
                    .org_filter
                    .or_else(|| s.info().org_id.into())
                    .and_then(|id| self.orgs.iter().find(|o| o.id == id));
                if let Some(org) = org {
                    let on = !org.require_two_factor;
                    let verb = if on { "Require" } else { "Stop requiring" };
                    return ask(
                        "Two-factor login",
                        &format!(
                            "{verb} two-factor login for everyone in {}?",
                            inert(&org.name)
                        ),
                        Pending::OrgTwoFactor(org.id, on),
                    );
                }
            }
            _ => return Outcome::Unhandled,
        }
        Outcome::Nothing
    }

    fn new_user_form(&self, s: &Session) -> Form {
        let mut f = Form::new(
            "New user",
            vec![
                Field::new("User name", 64),
                Field::new("Display name", 100),
                Field::new("Role", 20),
                Field::new("Organisation", 16),
            ],
        );
        f.fields[3].set(&s.info().org_code);
        f.note = Some((role_hint(s), false));
        f
    }

    fn submit(&mut self, s: &Session, kind: FormKind, form: Form) -> Outcome {
        let result = match &kind {
            FormKind::Search => return Outcome::Nothing,
            FormKind::NewUser => self.create_user(s, &form),
            FormKind::NewOrg => orgs::create_client(s, form.value(0), form.value(1)).map(|o| {
                Some(Popup::message(
                    "Organisation created",
                    &format!("Created {} ({}).", o.code, o.name),
                ))
            }),
            FormKind::DisplayName(id) => {
                users::set_display_name(s, *id, form.value(0)).map(|_| None)
            }
            FormKind::Role(id) => match form.value(0).trim().parse::<Role>() {
                Ok(role) => users::set_role(s, *id, role).map(|_| None),
                Err(e) => Err(crate::service::ServiceError::Invalid(format!(
                    "{e}. {}",
                    role_hint(s)
                ))),
            },
            FormKind::Expiry(id) => {
                parse_date(form.value(0)).and_then(|t| users::set_expiry(s, *id, t).map(|_| None))
            }
        };
        match result {
            Ok(popup) => {
                let reloaded = self.reload(s);
                match popup {
                    Some(p) => Outcome::Show(p),
                    None => reloaded,
                }
            }
            Err(e) => {
                let mut form = form;
                let outcome = form_refused(&mut form, e);
                self.form = Some((kind, form));
                outcome
            }
        }
    }

    fn create_user(&self, s: &Session, form: &Form) -> crate::service::Result<Option<Popup>> {
        let role =
            form.value(2).trim().parse::<Role>().map_err(|e| {
                crate::service::ServiceError::Invalid(format!("{e}. {}", role_hint(s)))
            })?;
        let code = form.value(3).trim().to_uppercase();
        let org = self.orgs.iter().find(|o| o.code == code).ok_or_else(|| {
            crate::service::ServiceError::Invalid(format!(
                "There is no organisation {code} you can add users to."
            ))
        })?;
        let (user, issued) = users::create(
            s,
            &NewUser {
                username: form.value(0).into(),
                display_name: form.value(1).into(),
                org_id: org.id,
                role,
                expires_at: None,
            },
        )?;
        Ok(Some(code_popup("User created", &user.username, &issued)))
    }

    pub fn confirmed(&mut self, s: &Session, p: Pending) -> Outcome {
        let result = match p {
            Pending::Disable(id) => users::disable(s, id).map(|_| None),
            Pending::Enable(id, name) => users::enable(s, id)
                .map(|issued| Some(code_popup("Account enabled", &name, &issued))),
            Pending::Unlock(id, name) => users::unlock(s, id).map(|_| {
                Some(Popup::message(
                    "Unlocked",
                    &format!("{} can log in again.", inert(&name)),
                ))
            }),
            Pending::Reset(id, name) => users::reset_password(s, id)
                .map(|issued| Some(code_popup("Password reset", &name, &issued))),
            Pending::TwoFactor(id, on) => users::set_two_factor_required(s, id, on).map(|_| None),
            Pending::OrgTwoFactor(id, on) => orgs::set_two_factor_required(s, id, on).map(|_| None),
        };
        match result {
            Ok(popup) => {
                let reloaded = self.reload(s);
                popup.map_or(reloaded, Outcome::Show)
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    fn details(&self, s: &Session) -> Outcome {
        let Some(row) = self.current() else {
            return Outcome::Nothing;
        };
        match users::get(s, row.user.id) {
            Ok(u) => {
                let org = self
                    .orgs
                    .iter()
                    .find(|o| o.id == u.org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                let mut p = Popup::message(&inert(&u.username), "");
                p.lines = vec![
                    format!("Name: {}", inert(&u.display_name)),
                    format!("Organisation: {}", inert(&org)),
                    format!("Role: {}", u.role),
                    format!(
                        "State: {}",
                        StateFilter::label(Some(state_of(row, s.now())))
                    ),
                    format!(
                        "Two-factor login: {}{}",
                        if u.two_factor {
                            "enrolled"
                        } else {
                            "not enrolled"
                        },
                        if u.require_two_factor {
                            " (required)"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "Expires: {}",
                        u.expires_at.map_or("never".into(), Millis::to_minute)
                    ),
                    format!("Created: {}", Millis::to_minute(u.created_at)),
                    format!(
                        "Last login: {}",
                        u.last_login_at.map_or("never".into(), |t| format!(
                            "{} from {}",
                            Millis::to_minute(t),
                            inert(u.last_login_from.as_deref().unwrap_or("?"))
                        ))
                    ),
                ];
                Outcome::Show(p)
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        let [filters, table, hint_row] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let org_label = self
            .org_filter
            .and_then(|id| self.orgs.iter().find(|o| o.id == id))
            .map_or("all".to_string(), |o| inert(&o.code));
        let visible = self.visible();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    format!(" {} organisation: ", keys.hint(Action::FilterOrg)),
                    theme.dim(),
                ),
                Span::raw(org_label),
                Span::styled(
                    format!("  {} role: ", keys.hint(Action::FilterRole)),
                    theme.dim(),
                ),
                Span::raw(self.role_filter.map_or("all", Role::as_str)),
                Span::styled(
                    format!("  {} state: ", keys.hint(Action::FilterState)),
                    theme.dim(),
                ),
                Span::raw(StateFilter::label(self.state_filter)),
                Span::styled(
                    format!("  {} search: ", keys.hint(Action::Search)),
                    theme.dim(),
                ),
                Span::raw(inert(&self.query)),
                Span::styled(
                    format!("   {} of {} accounts", visible.len(), self.rows.len()),
                    theme.dim(),
                ),
            ])),
            filters,
        );
        // Below 110 columns the display name goes and times lose their year.
        let wide = table.width >= 110;
        let time = |t: Millis| {
            let full = Millis::to_minute(t);
            if wide {
                full
            } else {
                full.get(5..).unwrap_or_default().to_owned()
            }
        };
        let mut titles = vec![
            "User",
            "Name",
            "Org",
            "Role",
            "State",
            "2FA",
            "Last login",
            "From",
        ];
        let mut fixed: Vec<usize> = vec![18, 20, 9, 13, 8, 3, 16];
        if !wide {
            titles.remove(1);
            fixed = vec![16, 8, 13, 8, 3, 11];
        }
        // The last column takes what is left (borders and one space between columns).
        let used: usize = fixed.iter().sum::<usize>() + fixed.len();
        let last = (table.width as usize).saturating_sub(2 + used).max(4);
        let widths: Vec<Constraint> = fixed
            .iter()
            .chain([&last])
            .map(|w| Constraint::Length(*w as u16))
            .collect();
        let header = Row::new(titles).style(theme.title());
        // Only the rows on screen are built: the list may hold thousands.
        let inner_rows = table.height.saturating_sub(3) as usize;
        let offset = self.selected.saturating_sub(inner_rows.saturating_sub(1));
        let rows: Vec<Row> = visible
            .iter()
            .skip(offset)
            .take(inner_rows)
            .map(|r| {
                let state = state_of(r, self.now);
                let state_style = match state {
                    StateFilter::Enabled => theme.normal(),
                    StateFilter::Locked => theme.warning(),
                    _ => theme.error(),
                };
                let mut cells = vec![
                    Line::from(fit(&inert(&r.user.username), fixed[0])),
                    Line::from(fit(&inert(&r.user.display_name), 20)),
                    Line::from(fit(&inert(&r.org_code), if wide { 9 } else { 8 })),
                    Line::from(r.user.role.as_str()),
                    Line::from(Span::styled(StateFilter::label(Some(state)), state_style)),
                    Line::from(match (r.user.two_factor, r.user.require_two_factor) {
                        (true, _) => "on",
                        (false, true) => "due",
                        (false, false) => "-",
                    }),
                    Line::from(r.user.last_login_at.map_or("never".into(), time)),
                    Line::from(fit(
                        &inert(r.user.last_login_from.as_deref().unwrap_or("")),
                        last,
                    )),
                ];
                if !wide {
                    cells.remove(1);
                }
                Row::new(cells)
            })
            .collect();
        let mut state = TableState::default().with_selected(Some(self.selected - offset));
        frame.render_stateful_widget(
            Table::new(rows, widths)
                .header(header)
                .row_highlight_style(theme.selected())
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(Span::styled(" Users ", theme.title())),
                ),
            table,
            &mut state,
        );
        let allowed = [
            (None, Action::Open, "details"),
            (Some(Perm::UserCreate), Action::New, "new"),
            (Some(Perm::UserDisable), Action::Disable, "disable/enable"),
            (
                Some(Perm::UserReset),
                Action::ResetPassword,
                "reset password",
            ),
            (Some(Perm::UserUnlock), Action::Unlock, "unlock"),
            (Some(Perm::UserEdit), Action::Edit, "name"),
            (Some(Perm::UserEdit), Action::Role, "role"),
            (Some(Perm::UserEdit), Action::Expiry, "expiry"),
            (Some(Perm::UserEdit), Action::TwoFactor, "2FA"),
            (Some(Perm::OrgEdit), Action::OrgTwoFactor, "org 2FA"),
            (Some(Perm::OrgCreate), Action::NewOrg, "new org"),
        ];
        let offered = hints::allowed(s, &allowed);
        hints::render(frame, hint_row, theme, keys, &offered);
        if let Some((kind, form)) = &self.form {
            let boxed = if matches!(kind, FormKind::Search) {
                centered(area, 60, 7)
            } else {
                centered(area, 72, form.height())
            };
            form.render(frame, boxed, true, theme);
        }
    }
}

fn ask(title: &str, question: &str, p: Pending) -> Outcome {
    Outcome::Ask(Popup::question(title, question), AppPending::Users(p))
}

fn role_hint(s: &Session) -> String {
    if s.info().role.is_client() {
        "Roles: client_admin, client_user.".into()
    } else {
        "Roles: sysadmin, supervisor, caseworker, general_admin (PE); client_admin, client_user (clients).".into()
    }
}

fn code_popup(title: &str, username: &str, issued: &users::IssuedCode) -> Popup {
    let mut p = Popup::message(title, "");
    p.lines = vec![
        format!("One-time code for {}:", inert(username)),
        String::new(),
        format!("    {}", issued.code.expose()),
        String::new(),
        format!(
            "Read it to them by phone. It works once, until {} UTC.",
            Millis::to_minute(issued.expires_at)
        ),
        "It is shown only now: it cannot be displayed again.".into(),
    ];
    p
}

fn parse_date(text: &str) -> crate::service::Result<Option<Millis>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(Millis(t.and_utc().timestamp_millis())))
        .ok_or_else(|| {
            crate::service::ServiceError::Invalid(
                "Give the date as YYYY-MM-DD, e.g. 2027-03-31.".into(),
            )
        })
}
