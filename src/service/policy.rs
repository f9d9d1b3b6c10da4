//! THE policy table of DESIGN.md §3: for every action, what each role is granted.
//! Deny by default: an action missing from the table is denied to everyone. The grant
//! says how far the permission reaches; each service function enforces that scope on
//! every id it is given.

use crate::domain::{Action, Role};

/// How far a permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Deny,
    /// Every record of this kind.
    All,
    /// Cases assigned to the caller.
    Assigned,
    /// Records of the caller's own organisation.
    OwnOrg,
    /// The caller's organisation's records, client-visible items only.
    OwnOrgClientVisible,
    /// Notes the caller wrote.
    OwnNotes,
    /// Client users and client admins of the caller's organisation, never the caller.
    OwnOrgClientUsersNotSelf,
    /// The security settings of the caller's own organisation.
    OwnOrgSecuritySettings,
    /// Status without personal data.
    AllNoPersonalData,
}

use Grant::*;

/// Columns: sysadmin, supervisor, caseworker, general_admin, client_admin, client_user.
const TABLE: &[(Action, [Grant; 6])] = &[
    (Action::CaseList, [Deny, All, Assigned, All, OwnOrg, OwnOrg]),
    (Action::CaseView, [Deny, All, Assigned, All, OwnOrg, OwnOrg]),
    (Action::CaseCreate, [Deny, All, Deny, All, OwnOrg, OwnOrg]),
    (
        Action::CaseEditDetails,
        [Deny, All, Assigned, All, Deny, Deny],
    ),
    (Action::CaseAssign, [Deny, All, Deny, All, Deny, Deny]),
    (
        Action::CaseProgressStatus,
        [Deny, All, Assigned, Deny, Deny, Deny],
    ),
    (Action::CaseClose, [Deny, All, Deny, Deny, Deny, Deny]),
    (
        Action::InternalNoteAdd,
        [Deny, All, Assigned, All, Deny, Deny],
    ),
    (
        Action::ClientNoteAdd,
        [Deny, All, Assigned, All, OwnOrg, OwnOrg],
    ),
    (Action::NoteVoid, [Deny, All, OwnNotes, Deny, Deny, Deny]),
    (
        Action::AttachmentAdd,
        [
            Deny,
            All,
            Assigned,
            All,
            OwnOrgClientVisible,
            OwnOrgClientVisible,
        ],
    ),
    (
        Action::AttachmentView,
        [
            Deny,
            All,
            Assigned,
            All,
            OwnOrgClientVisible,
            OwnOrgClientVisible,
        ],
    ),
    (Action::CsvImport, [Deny, All, Deny, All, OwnOrg, OwnOrg]),
    (Action::CaseExport, [Deny, All, Deny, Deny, OwnOrg, Deny]),
    (Action::LegalHoldSet, [Deny, All, Deny, Deny, Deny, Deny]),
    (Action::LegalHoldClear, [Deny, All, Deny, Deny, Deny, Deny]),
    (
        Action::DestructionRequest,
        [Deny, All, Deny, Deny, Deny, Deny],
    ),
    (
        Action::DestructionApprove,
        [Deny, All, Deny, Deny, Deny, Deny],
    ),
    (
        Action::PaperRegister,
        [Deny, All, Assigned, All, Deny, Deny],
    ),
    (Action::PaperMove, [Deny, All, Assigned, All, Deny, Deny]),
    (
        Action::PaperDestructionRecord,
        [Deny, All, Deny, Deny, Deny, Deny],
    ),
    (
        Action::SubjectAccessExport,
        [Deny, All, Deny, Deny, Deny, Deny],
    ),
    (Action::UserList, [All, All, Deny, Deny, OwnOrg, Deny]),
    (Action::UserView, [All, All, Deny, Deny, OwnOrg, Deny]),
    (
        Action::UserCreate,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (
        Action::UserEdit,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (
        Action::UserDisable,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (
        Action::UserEnable,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (
        Action::UserReset,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (
        Action::UserUnlock,
        [All, Deny, Deny, Deny, OwnOrgClientUsersNotSelf, Deny],
    ),
    (Action::OrgCreate, [All, Deny, Deny, Deny, Deny, Deny]),
    (
        Action::OrgEdit,
        [All, Deny, Deny, Deny, OwnOrgSecuritySettings, Deny],
    ),
    (Action::ActivityReport, [All, All, Deny, Deny, OwnOrg, Deny]),
    (Action::ActivityExport, [All, All, Deny, Deny, OwnOrg, Deny]),
    (Action::AuditVerify, [All, All, Deny, Deny, Deny, Deny]),
    (
        Action::ArchiveStatus,
        [AllNoPersonalData, All, Deny, All, OwnOrg, Deny],
    ),
    (Action::BackupRun, [All, Deny, Deny, Deny, Deny, Deny]),
    (Action::KeyManage, [All, Deny, Deny, Deny, Deny, Deny]),
    (Action::SystemStatus, [All, All, Deny, Deny, Deny, Deny]),
    (Action::OwnProfile, [All, All, All, All, All, All]),
];

/// What `role` is granted for `action`; [`Grant::Deny`] unless the table says otherwise.
pub fn grant(role: Role, action: Action) -> Grant {
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(Deny, |(_, grants)| grants[role.column()])
}

/// What the unattended service principal (backup, verify, health) may do.
pub fn service_may(action: Action) -> bool {
    matches!(
        action,
        Action::AuditVerify
            | Action::BackupRun
            | Action::SystemStatus
            | Action::ArchiveStatus
            | Action::ActivityExport
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_table_once() {
        for action in Action::ALL {
            let n = TABLE.iter().filter(|(a, _)| a == action).count();
            assert_eq!(n, 1, "{action} appears {n} times");
        }
    }
}
