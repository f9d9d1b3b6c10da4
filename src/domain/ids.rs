//! Typed ids, so a user id can never be passed where an organisation id is expected.

use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// A row of the `users` table.
    UserId
);
row_id!(
    /// A row of the `orgs` table.
    OrgId
);
row_id!(
    /// A row of the `cases` table (people use the reference, `PE-2026-000123`).
    CaseId
);
row_id!(
    /// A diary note of a case.
    NoteId
);
row_id!(
    /// A document attached to a case.
    DocumentId
);

/// A login session: random, so it can be written to logs and audit rows without
/// revealing how many sessions there have been.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct SessionId(pub String);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
