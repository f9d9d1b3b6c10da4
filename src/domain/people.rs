//! Users and organisations as the service layer hands them out.

use super::{Millis, OrgId, Role, UserId};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// The agency itself; there is exactly one.
    Internal,
    Client,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Internal => "internal",
            OrgKind::Client => "client",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: OrgId,
    /// Short code used on the command line, e.g. `HARLOW`.
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    /// Everyone in it must use two-factor login.
    pub require_two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    /// Normalised login name (NFKC, lower case), unique.
    pub username: String,
    pub display_name: String,
    pub org_id: OrgId,
    pub role: Role,
    pub enabled: bool,
    /// After an admin reset or on creation: the next login must choose a password.
    pub must_change_password: bool,
    pub expires_at: Option<Millis>,
    pub created_at: Millis,
    pub last_login_at: Option<Millis>,
    pub last_login_from: Option<String>,
    /// Enrolled in two-factor login (a confirmed TOTP secret).
    pub two_factor: bool,
    /// An administrator requires two-factor login for this account.
    pub require_two_factor: bool,
}

/// What a list of users shows in its "state" column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserState {
    Enabled,
    Disabled,
    Expired,
}

impl User {
    pub fn state(&self, now: Millis) -> UserState {
        if !self.enabled {
            UserState::Disabled
        } else if self.expires_at.is_some_and(|t| t <= now) {
            UserState::Expired
        } else {
            UserState::Enabled
        }
    }

    pub fn can_log_in(&self, now: Millis) -> bool {
        self.state(now) == UserState::Enabled
    }
}
