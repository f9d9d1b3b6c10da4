//! What can go wrong in the service layer, each with the sentence a person sees.

use crate::domain::Millis;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// A permission rule with its own sentence (a client admin acting on themselves).
    #[error("{0}")]
    Refused(String),
    /// Also returned for records outside the caller's scope, so ids cannot be probed.
    #[error("No such record.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A CSV import refused whole: every problem, one a line ("row N, column C: …").
    #[error("The file was not imported ({} problem{}): {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.first().map(String::as_str).unwrap_or(""))]
    ImportRefused(Vec<String>),
    #[error("{0}")]
    Invalid(String),
    /// A new password the policy refuses, with the sentence saying why (shown to the
    /// person; the audit log records only that it was refused).
    #[error("{0}")]
    PasswordRefused(String),
    /// Unknown user, wrong password, disabled or expired account: one message for all.
    #[error("{}", login_failed_sentence(.retry_after))]
    LoginFailed { retry_after: Option<Millis> },
    #[error("Your session has ended: please log in again.")]
    SessionEnded,
    #[error("Choose a new password before doing anything else.")]
    PasswordChangeRequired,
    /// The password was right and the account has two-factor login: ask for the code.
    #[error("Enter the code from your authenticator app.")]
    CodeRequired,
    #[error("Your account needs two-factor login: enrol on the Profile screen first.")]
    TwoFactorEnrolmentRequired,
    #[error("No PECS installation was found in {0}: run `pecs init` first.")]
    NotInstalled(String),
    #[error("{0} already holds a PECS installation; nothing was changed.")]
    AlreadyInstalled(String),
    #[error("The database could not be opened: the key does not fit or the file is corrupt.")]
    WrongKeyOrCorrupt,
    #[error("The key does not open this installation.")]
    KeyRejected,
    #[error("Storage error: {0}")]
    Store(StoreError),
}

fn login_failed_sentence(retry_after: &Option<Millis>) -> String {
    match retry_after {
        None => "Login failed: the user name or password is not correct.".to_owned(),
        Some(t) => format!(
            "Login failed. After repeated failures, logins with this name are paused until {} UTC.",
            t.to_second().get(11..).unwrap_or("later")
        ),
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongKeyOrCorrupt => ServiceError::WrongKeyOrCorrupt,
            other => ServiceError::Store(other),
        }
    }
}

impl ServiceError {
    /// Refusals that the audit log records as `denied` rather than `failed`.
    pub fn is_denial(&self) -> bool {
        matches!(
            self,
            ServiceError::Forbidden
                | ServiceError::Refused(_)
                | ServiceError::NotFound
                | ServiceError::SessionEnded
                | ServiceError::PasswordChangeRequired
                | ServiceError::TwoFactorEnrolmentRequired
        )
    }
}
