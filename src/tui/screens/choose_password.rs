//! The forced "choose your password" screen after a reset-code login: the policy's
//! feedback is shown as the person types.

use crate::service::Password;
use crate::service::{ServiceError, Session, auth, password};
use crate::tui::theme::Theme;
use crate::tui::widgets::field::Field;
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::popup::centered;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

pub struct ChoosePasswordScreen {
    form: Form,
}

/// The live verdict on a new password and its repetition, for forms that set one.
pub fn feedback(session: &Session, new: &str, again: &str) -> (String, bool) {
    let info = session.info();
    match password::check(
        &Password::new(new),
        &info.username,
        &info.org_code,
        &info.org_name,
    ) {
        Err(why) => (why, true),
        Ok(()) if new != again => ("Good. Now type it again in the second field.".into(), true),
        Ok(()) => ("This password meets the policy.".into(), false),
    }
}

impl Default for ChoosePasswordScreen {
    fn default() -> Self {
        let mut form = Form::new(
            "Choose your password",
            vec![
                Field::masked("New password", 128),
                Field::masked("Again", 128),
            ],
        );
        form.note = Some((
            "At least 12 characters; a few unrelated words make a strong one.".into(),
            false,
        ));
        form.hint = "Tab next field · Enter on the last field sets it · Ctrl-C quits";
        ChoosePasswordScreen { form }
    }
}

impl ChoosePasswordScreen {
    pub fn paste(&mut self, session: &Session, text: &str) {
        self.form.paste(text);
        self.form.note = Some(feedback(session, self.form.value(0), self.form.value(1)));
    }

    /// What a key did: `Some(Ok(()))` once the password is set, `Some(Err(sentence))`
    /// when the session ended (the code is used up), `None` while choosing.
    pub fn handle_key(&mut self, key: &KeyEvent, session: &Session) -> Option<Result<(), String>> {
        match self.form.handle_key(key) {
            FormEvent::Edited => {
                self.form.note = Some(feedback(session, self.form.value(0), self.form.value(1)));
                None
            }
            FormEvent::Submit => {
                let verdict = feedback(session, self.form.value(0), self.form.value(1));
                if verdict.1 {
                    self.form.note = Some(verdict);
                    return None;
                }
                match auth::choose_password(session, &Password::new(self.form.value(0))) {
                    Ok(()) => Some(Ok(())),
                    Err(ServiceError::SessionEnded) => Some(Err(
                        "Your session ended before a password was chosen: ask for a new one-time code.".into(),
                    )),
                    Err(e) => {
                        self.form.note = Some((super::sentence(&e), true));
                        None
                    }
                }
            }
            FormEvent::Cancel | FormEvent::Ignored => None,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let boxed = centered(area, 70, 12);
        self.form.render(frame, boxed, true, theme);
    }
}
