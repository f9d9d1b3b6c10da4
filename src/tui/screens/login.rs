//! The login screen: user name, password (masked, paste works) and, once the service
//! asks for it, the two-factor code. Failures show the service's one generic sentence.
//! Also the lock screen: the same form with the user name fixed.

use crate::sanitize::inert;
use crate::service::Password;
use crate::service::{Pecs, ServiceError, Session, audit};
use crate::tui::app::Tab;
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::popup::centered;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub struct LoginScreen {
    username: Field,
    password: Field,
    code: Option<Field>,
    focus: usize,
    message: Option<(String, bool)>,
    demo: bool,
    /// Locked: the name is fixed and the tab to return to is kept.
    locked: Option<Tab>,
}

impl LoginScreen {
    pub fn new(demo: bool, message: Option<&str>) -> LoginScreen {
        LoginScreen {
            username: Field::new("User name", 64),
            password: Field::masked("Password", 128),
            code: None,
            focus: 0,
            message: message.map(|m| (m.to_owned(), false)),
            demo,
            locked: None,
        }
    }

    pub fn locked(username: &str, tab: Tab, message: &str, demo: bool) -> LoginScreen {
        let mut s = LoginScreen::new(demo, Some(message));
        s.username.set(username);
        s.focus = 1;
        s.locked = Some(tab);
        s
    }

    pub fn restore_tab(&self) -> Option<Tab> {
        self.locked
    }

    pub fn set_message(&mut self, text: &str, is_error: bool) {
        self.message = Some((text.to_owned(), is_error));
    }

    fn field_count(&self) -> usize {
        if self.code.is_some() { 3 } else { 2 }
    }

    fn focused(&mut self) -> &mut Field {
        match self.focus {
            0 => &mut self.username,
            1 => &mut self.password,
            _ => self.code.as_mut().unwrap_or(&mut self.password),
        }
    }

    pub fn paste(&mut self, text: &str) {
        if self.locked.is_some() && self.focus == 0 {
            return;
        }
        self.focused().paste(text);
    }

    /// A key; returns the session when a login succeeded.
    pub fn handle_key(&mut self, key: &KeyEvent, pecs: &Pecs) -> Option<Session> {
        let first = if self.locked.is_some() { 1 } else { 0 };
        match key.code {
            KeyCode::Enter if self.focus + 1 >= self.field_count() => return self.submit(pecs),
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1).min(self.field_count() - 1);
            }
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1).max(first),
            _ if self.focus >= first => {
                self.focused().handle_key(key);
            }
            _ => {}
        }
        None
    }

    fn submit(&mut self, pecs: &Pecs) -> Option<Session> {
        let password = Password::new(self.password.value());
        let code = self.code.as_ref().map(|c| c.value().trim().to_owned());
        match pecs.login_with_code(
            self.username.value(),
            &password,
            code.as_deref(),
            audit::current_origin(),
        ) {
            Ok(session) => Some(session),
            Err(ServiceError::CodeRequired) => {
                self.code = Some(Field::new("Code", 12));
                self.focus = 2;
                self.set_message("Enter the 6-digit code from your authenticator app.", false);
                None
            }
            Err(e) => {
                self.password.clear();
                if let Some(c) = self.code.as_mut() {
                    c.clear();
                }
                self.focus = 1;
                self.set_message(&super::sentence(&e), true);
                None
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let height = 13 + u16::from(self.code.is_some()) * 2;
        let boxed = centered(area, 62, height);
        let title = if self.locked.is_some() {
            " PECS · locked "
        } else {
            " PECS · log in "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.title())
            .title(Span::styled(title, theme.title()));
        let inner = block.inner(boxed);
        frame.render_widget(block, boxed);
        if self.demo {
            let banner = Rect::new(boxed.x, boxed.y.saturating_sub(2), boxed.width, 1);
            frame.render_widget(
                Paragraph::new(Span::styled(
                    " DEMO DATA · every demo password is demo-pass-PECS-2026 ",
                    theme.demo_banner(),
                )),
                banner,
            );
        }
        let fields: Vec<&Field> = [
            Some(&self.username),
            Some(&self.password),
            self.code.as_ref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        for (i, f) in fields.iter().enumerate() {
            let row = Rect::new(inner.x + 1, inner.y + 1 + 2 * i as u16, inner.width - 2, 1);
            f.render(frame, row, i == self.focus, theme);
        }
        let msg_y = inner.y + 1 + 2 * fields.len() as u16;
        if let Some((text, is_error)) = &self.message {
            let style = if *is_error {
                theme.error()
            } else {
                theme.warning()
            };
            frame.render_widget(
                Paragraph::new(Line::from(Span::styled(inert(text), style)))
                    .wrap(Wrap { trim: true }),
                Rect::new(inner.x + 2, msg_y, inner.width - 4, 3),
            );
        }
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Tab next field · Enter logs in · Ctrl-C quits",
                theme.dim(),
            )),
            Rect::new(inner.x + 2, inner.bottom() - 1, inner.width - 4, 1),
        );
    }
}
