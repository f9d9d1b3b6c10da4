//! Audit events: who did what to which record, from where, and how it ended.

use super::{Millis, Origin};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Ok, Outcome::Denied, Outcome::Failed]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// The record an event is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    pub kind: String,
    pub id: Option<String>,
    /// What a person recognises: a case reference, a user name, an org code.
    pub label: Option<String>,
}

impl Target {
    pub fn new(kind: &str, id: impl ToString, label: impl Into<String>) -> Target {
        Target {
            kind: kind.to_owned(),
            id: Some(id.to_string()),
            label: Some(label.into()),
        }
    }

    /// A record known by its id alone (before it is found, or when it is not).
    pub fn id_only(kind: &str, id: impl ToString) -> Target {
        Target {
            kind: kind.to_owned(),
            id: Some(id.to_string()),
            label: None,
        }
    }

    pub fn kind_only(kind: &str) -> Target {
        Target {
            kind: kind.to_owned(),
            ..Target::default()
        }
    }
}

/// The actor columns of an event; empty for events with no known actor (a failed login).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub org: Option<String>,
}

/// An event as the service layer asks for it to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAuditEvent {
    pub at: Millis,
    pub session_id: Option<String>,
    pub actor: Actor,
    pub action: String,
    pub target: Target,
    pub origin: Origin,
    pub outcome: Outcome,
    /// JSON object; never carries a secret.
    pub detail: serde_json::Value,
}

/// An event as stored, with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub event: NewAuditEvent,
    pub hash: String,
}
