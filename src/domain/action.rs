//! Every action a person can ask of the system: the rows of the policy table
//! (DESIGN.md §3), each split into the verbs it names. Later features use these names.

use std::fmt;

macro_rules! actions {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum Action {
            $($variant),+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The stable name written to the audit log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name),+
                }
            }
        }
    };
}

actions! {
    CaseList => "case.list",
    CaseView => "case.view",
    CaseCreate => "case.create",
    CaseEditDetails => "case.edit",
    CaseAssign => "case.assign",
    CaseProgressStatus => "case.status",
    CaseClose => "case.close",
    InternalNoteAdd => "note.add_internal",
    ClientNoteAdd => "note.add_client_visible",
    NoteVoid => "note.void",
    AttachmentAdd => "attachment.add",
    AttachmentView => "attachment.view",
    CsvImport => "case.import_csv",
    CaseExport => "case.export",
    LegalHoldSet => "legal_hold.set",
    LegalHoldClear => "legal_hold.clear",
    DestructionRequest => "destruction.request",
    DestructionApprove => "destruction.approve",
    PaperRegister => "paper.register",
    PaperMove => "paper.move",
    PaperDestructionRecord => "paper.destruction_record",
    SubjectAccessExport => "subject_access.export",
    UserList => "user.list",
    UserView => "user.view",
    UserCreate => "user.create",
    UserEdit => "user.edit",
    UserDisable => "user.disable",
    UserEnable => "user.enable",
    UserReset => "user.reset_password",
    UserUnlock => "user.unlock",
    OrgCreate => "org.create",
    OrgEdit => "org.edit",
    ActivityReport => "report.activity",
    ActivityExport => "report.activity_export",
    AuditVerify => "audit.verify",
    ArchiveStatus => "archive.status",
    BackupRun => "backup.run",
    KeyManage => "system.keys",
    SystemStatus => "system.status",
    OwnProfile => "profile.own",
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
