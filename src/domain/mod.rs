//! Plain types shared by every layer: ids, roles, actions, users, organisations, audit
//! events and origins. Nothing here does I/O.

pub mod action;
pub mod audit;
pub mod cases;
pub mod ids;
pub mod origin;
pub mod people;
pub mod retention;
pub mod role;
pub mod time;

pub use action::Action;
pub use audit::{Actor, AuditEvent, NewAuditEvent, Outcome, Target};
pub use cases::{
    Case, CaseStatus, CaseType, DetailChange, DocumentMeta, Note, Priority, StatusChange,
};
pub use ids::{CaseId, DocumentId, NoteId, OrgId, SessionId, UserId};
pub use origin::Origin;
pub use people::{Org, OrgKind, User, UserState};
pub use role::Role;
pub use time::Millis;
