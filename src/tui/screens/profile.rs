//! The Profile screen (`6`): one's own account, recent logins with where from, change
//! password, and enrolment in two-factor login (TOTP): the secret as a QR code and as
//! text, switched on only after a first code is confirmed.

use super::Outcome;
use super::choose_password::feedback;
use crate::domain::{AuditEvent, Outcome as EventOutcome};
use crate::sanitize::inert;
use crate::service::Password;
use crate::service::two_factor::{self, Enrolment};
use crate::service::{Session, audit, auth};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::popup::{Popup, centered};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

enum Editing {
    Password(Form),
    Enrol(Box<Enrolment>, Form),
}

pub struct ProfileScreen {
    logins: Vec<AuditEvent>,
    two_factor: bool,
    editing: Option<Editing>,
}

impl Default for ProfileScreen {
    fn default() -> Self {
        ProfileScreen::new()
    }
}

impl ProfileScreen {
    fn new() -> ProfileScreen {
        ProfileScreen {
            logins: Vec::new(),
            two_factor: false,
            editing: None,
        }
    }

    pub fn reload(&mut self, s: &Session) -> Outcome {
        match audit::own_logins(s, 50).and_then(|l| Ok((l, two_factor::is_enrolled(s)?))) {
            Ok((logins, enrolled)) => {
                self.logins = logins;
                self.two_factor = enrolled;
                Outcome::Nothing
            }
            Err(e) => Outcome::from_error(e),
        }
    }

    pub fn is_typing(&self) -> bool {
        self.editing.is_some()
    }

    /// Two-factor login is on (as of the last reload).
    pub fn enrolled(&self) -> bool {
        self.two_factor
    }

    /// Enrolment needs the whole screen: the QR code is 23 rows tall.
    pub fn is_enrolling(&self) -> bool {
        matches!(self.editing, Some(Editing::Enrol(..)))
    }

    pub fn paste(&mut self, s: &Session, text: &str) {
        match &mut self.editing {
            Some(Editing::Password(f)) => {
                f.paste(text);
                f.note = Some(feedback(s, f.value(1), f.value(2)));
            }
            Some(Editing::Enrol(_, f)) => f.paste(text),
            None => {}
        }
    }

    pub fn handle_key(&mut self, s: &Session, key: &KeyEvent, action: Option<Action>) -> Outcome {
        match self.editing.take() {
            Some(Editing::Password(mut form)) => match form.handle_key(key) {
                FormEvent::Cancel => Outcome::Nothing,
                FormEvent::Submit => {
                    let verdict = feedback(s, form.value(1), form.value(2));
                    if verdict.1 {
                        form.note = Some(verdict);
                        self.editing = Some(Editing::Password(form));
                        return Outcome::Nothing;
                    }
                    match auth::change_password(
                        s,
                        &Password::new(form.value(0)),
                        &Password::new(form.value(1)),
                    ) {
                        Ok(()) => Outcome::Show(Popup::message(
                            "Password changed",
                            "Your new password is in use from now on.",
                        )),
                        Err(e @ crate::service::ServiceError::SessionEnded) => {
                            Outcome::from_error(e)
                        }
                        Err(e) => {
                            form.note = Some((super::sentence(&e), true));
                            self.editing = Some(Editing::Password(form));
                            Outcome::Nothing
                        }
                    }
                }
                event => {
                    if event == FormEvent::Edited && form.focus > 0 {
                        form.note = Some(feedback(s, form.value(1), form.value(2)));
                    }
                    self.editing = Some(Editing::Password(form));
                    Outcome::Nothing
                }
            },
            Some(Editing::Enrol(enrolment, mut form)) => match form.handle_key(key) {
                FormEvent::Cancel => match two_factor::cancel_enrolment(s) {
                    Ok(()) => Outcome::Nothing,
                    Err(e) => Outcome::from_error(e),
                },
                FormEvent::Submit => match two_factor::confirm_enrolment(s, form.value(0).trim()) {
                    Ok(()) => {
                        let reloaded = self.reload(s);
                        match reloaded {
                            Outcome::Nothing => Outcome::Show(Popup::message(
                                "Two-factor login is on",
                                "From your next login PECS asks for a code from your authenticator app.",
                            )),
                            other => other,
                        }
                    }
                    Err(e @ crate::service::ServiceError::SessionEnded) => Outcome::from_error(e),
                    Err(e) => {
                        form.fields[0].clear();
                        form.note = Some((super::sentence(&e), true));
                        self.editing = Some(Editing::Enrol(enrolment, form));
                        Outcome::Nothing
                    }
                },
                _ => {
                    self.editing = Some(Editing::Enrol(enrolment, form));
                    Outcome::Nothing
                }
            },
            None => match action {
                Some(Action::ChangePassword) => {
                    let mut f = Form::new(
                        "Change password",
                        vec![
                            Field::masked("Current", 128),
                            Field::masked("New password", 128),
                            Field::masked("Again", 128),
                        ],
                    );
                    f.note = Some((
                        "At least 12 characters; a few unrelated words make a strong one.".into(),
                        false,
                    ));
                    self.editing = Some(Editing::Password(f));
                    Outcome::Nothing
                }
                Some(Action::TwoFactor) if !self.two_factor => match two_factor::begin_enrolment(s)
                {
                    Ok(enrolment) => {
                        let mut f = Form::new("Confirm", vec![Field::new("First code", 8)]);
                        f.hint = "Enter confirms · Esc cancels";
                        f.note = Some((
                            "Scan the code, then type the 6 digits your app shows.".into(),
                            false,
                        ));
                        self.editing = Some(Editing::Enrol(Box::new(enrolment), f));
                        Outcome::Nothing
                    }
                    Err(e) => Outcome::from_error(e),
                },
                _ => Outcome::Unhandled,
            },
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, keys: &Keymap, s: &Session) {
        if let Some(Editing::Enrol(enrolment, form)) = &self.editing {
            render_enrolment(frame, area, theme, enrolment, form);
            return;
        }
        let info = s.info();
        let [about, logins, hints] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let two_factor = if self.two_factor {
            Span::styled("on", theme.ok())
        } else if info.must_enrol_two_factor {
            Span::styled("required: enrol now", theme.error())
        } else {
            Span::styled("off", theme.dim())
        };
        let lines = vec![
            Line::from(vec![
                Span::styled("User name    ", theme.dim()),
                Span::raw(inert(&info.username)),
            ]),
            Line::from(vec![
                Span::styled("Name         ", theme.dim()),
                Span::raw(inert(&info.display_name)),
            ]),
            Line::from(vec![
                Span::styled("Role         ", theme.dim()),
                Span::raw(format!(
                    "{} · {} {}",
                    info.role,
                    inert(&info.org_code),
                    inert(&info.org_name)
                )),
            ]),
            Line::from(vec![Span::styled("Two-factor   ", theme.dim()), two_factor]),
            Line::from(vec![
                Span::styled("This session ", theme.dim()),
                Span::raw(format!("from {}", inert(&info.origin.summary()))),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Profile ", theme.title())),
            ),
            about,
        );
        let rows: Vec<Row> = self
            .logins
            .iter()
            .map(|e| {
                let (text, style) = match e.event.outcome {
                    EventOutcome::Ok => ("ok", theme.ok()),
                    _ => ("failed", theme.error()),
                };
                let reason = e
                    .event
                    .detail
                    .get("reason")
                    .and_then(|r| r.as_str())
                    .unwrap_or("");
                Row::new(vec![
                    Line::from(e.event.at.to_second()),
                    Line::from(Span::styled(text, style)),
                    Line::from(inert(&e.event.origin.summary())),
                    Line::from(inert(reason)),
                ])
            })
            .collect();
        frame.render_widget(
            Table::new(
                rows,
                [
                    Constraint::Length(20),
                    Constraint::Length(7),
                    Constraint::Length(30),
                    Constraint::Min(10),
                ],
            )
            .header(Row::new(["When (UTC)", "Result", "From", ""]).style(theme.title()))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(" Your recent logins ", theme.title())),
            ),
            logins,
        );
        let mut spans = vec![
            Span::styled(
                format!(" {} ", keys.hint(Action::ChangePassword)),
                theme.key(),
            ),
            Span::styled("change password ", theme.dim()),
        ];
        if !self.two_factor {
            spans.push(Span::styled(
                format!(" {} ", keys.hint(Action::TwoFactor)),
                theme.key(),
            ));
            spans.push(Span::styled("enrol in two-factor login ", theme.dim()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), hints);
        if let Some(Editing::Password(form)) = &self.editing {
            form.render(frame, centered(area, 72, 13), true, theme);
        }
    }
}

fn render_enrolment(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    enrolment: &Enrolment,
    form: &Form,
) {
    let qr_width = enrolment
        .qr
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as u16
        + 2;
    let [qr, text] =
        Layout::horizontal([Constraint::Length(qr_width), Constraint::Min(30)]).areas(area);
    frame.render_widget(Paragraph::new(enrolment.qr.as_str()), qr);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Two-factor login ", theme.title()));
    let inner = block.inner(text);
    frame.render_widget(block, text);
    let [words, entry] = Layout::vertical([Constraint::Length(9), Constraint::Min(5)]).areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from("1. Scan this code with an authenticator app"),
            Line::from("   (or type the key below)."),
            Line::from(""),
            Line::from(Span::styled(enrolment.secret_text.as_str(), theme.key())),
            Line::from(""),
            Line::from("2. Type the 6-digit code it shows, then Enter."),
            Line::from(Span::styled(
                "Esc cancels; nothing changes until a code is confirmed.",
                theme.dim(),
            )),
        ])
        .wrap(Wrap { trim: false }),
        words,
    );
    form.render(frame, entry, false, theme);
}
