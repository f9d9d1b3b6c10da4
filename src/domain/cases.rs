//! Cases, their diary notes and documents: the records staff work on and clients
//! instruct. Statuses move new → active ⇄ on hold, active → completed → closed.

use super::{CaseId, DocumentId, Millis, NoteId, OrgId, UserId};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            /// Case-insensitive; spaces and hyphens count as underscores
            /// ("Process Serving" is `process_serving`).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted: String = s
                    .trim()
                    .chars()
                    .map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() })
                    .collect();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let known: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("\"{}\" is not one of {}", s.trim(), known.join(", "))
                    })
            }
        }
    };
}

text_enum!(
    /// What the client instructed.
    CaseType {
        Trace => "trace",
        ProcessServing => "process_serving",
        Investigation => "investigation",
        DebtRecovery => "debt_recovery",
        Other => "other",
    }
);

text_enum!(
    CaseStatus {
        New => "new",
        Active => "active",
        OnHold => "on_hold",
        Completed => "completed",
        Closed => "closed",
    }
);

text_enum!(
    Priority {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
);

impl CaseStatus {
    /// The moves the workflow allows.
    pub fn can_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (New, Active)
                | (Active, OnHold)
                | (OnHold, Active)
                | (Active, Completed)
                | (Completed, Closed)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: CaseId,
    pub reference: String,
    pub client_org_id: OrgId,
    pub client_ref: Option<String>,
    pub case_type: CaseType,
    pub subject_name: String,
    /// `YYYY-MM-DD`.
    pub subject_dob: Option<String>,
    pub subject_address: String,
    pub status: CaseStatus,
    pub priority: Priority,
    pub assigned_to: Option<UserId>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub opened_at: Millis,
    pub updated_at: Millis,
    pub updated_by: UserId,
    pub completed_at: Option<Millis>,
    pub closed_at: Option<Millis>,
    /// Bumped by every change: an edit names the version it started from.
    pub version: i64,
    /// Set at closing: the record is kept until this date (`YYYY-MM-DD`).
    pub retain_until: Option<String>,
    /// Destroyed by an approved decision: the personal data is gone, this row remains.
    pub destroyed_at: Option<Millis>,
}

/// One move of a case's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub from: Option<CaseStatus>,
    pub to: CaseStatus,
    pub at: Millis,
    pub by: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: NoteId,
    pub case_id: CaseId,
    pub author_id: UserId,
    pub author: String,
    pub at: Millis,
    pub client_visible: bool,
    /// Kept after voiding (supervisors see it); others see only that it was voided.
    pub body: String,
    pub voided: Option<(Millis, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentMeta {
    pub id: DocumentId,
    pub case_id: CaseId,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub client_visible: bool,
    pub added_by: UserId,
    pub added_at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_forgiving_and_moves_follow_the_workflow() {
        assert_eq!(
            "Process Serving".parse::<CaseType>(),
            Ok(CaseType::ProcessServing)
        );
        assert_eq!(
            "debt-recovery".parse::<CaseType>(),
            Ok(CaseType::DebtRecovery)
        );
        assert!(
            "tracing"
                .parse::<CaseType>()
                .unwrap_err()
                .contains("\"tracing\" is not one of")
        );
        assert!(CaseStatus::OnHold.can_move_to(CaseStatus::Active));
        assert!(!CaseStatus::New.can_move_to(CaseStatus::Closed));
    }
}

/// A rectification: one field of the subject data (or the client's reference) changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetailChange {
    pub at: Millis,
    pub by: UserId,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}
