//! The screens. Each turns keys (as actions) into service calls and returns an
//! [`Outcome`] for the app; each `render` only draws.

pub mod archive;
pub mod case_file;
pub mod cases;
pub mod choose_password;
mod documents;
pub mod login;
mod names;
pub mod profile;
pub mod reports;
pub mod system;
pub mod users;

use super::widgets::form::{Form, FormEvent};
use super::widgets::popup::Popup;
use crate::service::ServiceError;
use ratatui::crossterm::event::KeyEvent;

/// What a screen asks the app to do after a key.
pub enum Outcome {
    Nothing,
    /// The screen did not use the key (the app may: Quit asks to quit).
    Unhandled,
    Help,
    Show(Popup),
    /// Ask first; on "yes" the app hands the pending operation back to the screen.
    Ask(Popup, Pending),
    Lock,
    SessionEnded(String),
}

/// A destructive operation waiting for its confirmation.
pub enum Pending {
    Quit,
    Users(users::Pending),
}

impl Outcome {
    /// A service error as the person should see it: an ended session goes back to the
    /// login screen, anything else is a message.
    pub fn from_error(e: ServiceError) -> Outcome {
        match e {
            ServiceError::SessionEnded => Outcome::SessionEnded(e.to_string()),
            other => Outcome::Show(Popup::error(&sentence(&other))),
        }
    }
}

/// The sentence a person sees for an error; storage details go to the log instead.
pub fn sentence(e: &ServiceError) -> String {
    match e {
        ServiceError::Store(detail) => {
            tracing::error!(error = %detail, "storage error");
            "The data could not be read or written: nothing was changed. The details are in the log.".into()
        }
        other => other.to_string(),
    }
}

/// A form's submission was refused: an ended session goes back to the login screen;
/// anything else is said under the form's fields, and the owner keeps the form open.
pub fn form_refused(form: &mut Form, e: ServiceError) -> Outcome {
    match e {
        ServiceError::SessionEnded => Outcome::from_error(e),
        other => {
            form.note = Some((sentence(&other), true));
            Outcome::Nothing
        }
    }
}

/// A key for an open form `(kind, form)`: Esc closes it; Enter on the last field hands
/// it to `submit`, whose refusal is said under the form, which stays open; any other key
/// edits it. Gives the form back while it stays open, and what the app should do.
pub fn key_for_form<K>(
    (kind, mut form): (K, Form),
    key: &KeyEvent,
    submit: impl FnOnce(&K, &Form) -> crate::service::Result<Outcome>,
) -> (Option<(K, Form)>, Outcome) {
    match form.handle_key(key) {
        FormEvent::Cancel => (None, Outcome::Nothing),
        FormEvent::Submit => match submit(&kind, &form) {
            Ok(outcome) => (None, outcome),
            Err(e) => {
                let outcome = form_refused(&mut form, e);
                (Some((kind, form)), outcome)
            }
        },
        FormEvent::Edited | FormEvent::Ignored => (Some((kind, form)), Outcome::Nothing),
    }
}

/// The option after `current` in `options`, round to the first.
pub fn cycle<T: Copy + PartialEq>(options: &[Option<T>], current: Option<T>) -> Option<T> {
    let i = options.iter().position(|o| *o == current).unwrap_or(0);
    options[(i + 1) % options.len()]
}

/// A yes/no form field (blank is no); anything else is refused with the field's name.
pub fn yes_no(what: &str, text: &str) -> crate::service::Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(true),
        "" | "n" | "no" => Ok(false),
        _ => Err(crate::service::ServiceError::Invalid(format!(
            "{what}: answer y or n."
        ))),
    }
}
