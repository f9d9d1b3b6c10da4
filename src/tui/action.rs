//! The one vocabulary between keys and behaviour: a key press becomes an [`Action`],
//! and screens act on actions, never on raw keys (text fields aside).

use std::fmt;

macro_rules! ui_actions {
    ($($variant:ident => $name:literal, $help:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant),+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The name used in the config file's `[keys]` table.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name),+
                }
            }

            /// One line for the help overlay.
            pub fn help(self) -> &'static str {
                match self {
                    $(Action::$variant => $help),+
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|a| a.name() == name)
            }
        }
    };
}

ui_actions! {
    Help => "help", "show this help";
    Search => "search", "search the list";
    Open => "open", "open the selected item";
    New => "new", "create a new item";
    Edit => "edit", "edit (a user's name, a case)";
    Refresh => "refresh", "refresh";
    Back => "back", "go back or close";
    Quit => "quit", "back; quit from the top";
    Lock => "lock", "lock the screen now";
    ForceQuit => "force_quit", "quit at once (logged out)";
    Up => "up", "move up";
    Down => "down", "move down";
    PageUp => "page_up", "move up a page";
    PageDown => "page_down", "move down a page";
    Home => "home", "go to the first item";
    End => "end", "go to the last item";
    Tab1 => "tab_1", "Cases";
    Tab2 => "tab_2", "Users";
    Tab3 => "tab_3", "Archive";
    Tab4 => "tab_4", "Reports";
    Tab5 => "tab_5", "System";
    Tab6 => "tab_6", "Profile";
    Disable => "disable", "disable or enable a user";
    ResetPassword => "reset_password", "reset a password (one-time code)";
    Unlock => "unlock", "lift a login pause";
    Role => "role", "change a user's role";
    Expiry => "expiry", "set an account's expiry";
    TwoFactor => "two_factor", "two-factor: require or enrol";
    OrgTwoFactor => "org_two_factor", "require 2FA for a whole organisation";
    NewOrg => "new_org", "create a client organisation";
    FilterOrg => "filter_org", "filter: users by org, cases by form";
    FilterRole => "filter_role", "filter by role";
    FilterState => "filter_state", "filter by state (cases: status)";
    Sort => "sort", "change the sort order";
    PrevTab => "prev_tab", "previous tab of a case file";
    NextTab => "next_tab", "next tab of a case file";
    Attach => "attach", "attach a file from a path";
    Status => "status", "change a case's status";
    Assign => "assign", "assign a case";
    Void => "void", "void a diary note";
    Import => "import", "import client instructions (CSV)";
    BackupNow => "backup_now", "back up now (System)";
    Export => "export", "export the report shown (CSV)";
    Hold => "hold", "put or lift a legal hold (Archive)";
    ChangePassword => "change_password", "change your password";
    Confirm => "confirm", "yes, in a confirmation";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Action {
    /// The permission without which this key does nothing for a role (the help leaves
    /// such keys out); `None` for keys every role can use.
    pub fn needs(self) -> Option<crate::domain::Action> {
        use crate::domain::Action as Perm;
        Some(match self {
            Action::Disable | Action::ResetPassword | Action::Unlock | Action::Role => {
                Perm::UserEdit
            }
            Action::Expiry => Perm::UserEdit,
            Action::OrgTwoFactor => Perm::OrgEdit,
            Action::NewOrg => Perm::OrgCreate,
            Action::FilterRole => Perm::UserList,
            Action::Attach => Perm::AttachmentAdd,
            Action::Assign => Perm::CaseAssign,
            Action::Status => Perm::CaseProgressStatus,
            Action::Void => Perm::NoteVoid,
            Action::Import => Perm::CsvImport,
            Action::BackupNow => Perm::BackupRun,
            Action::Export => Perm::ActivityExport,
            Action::Hold => Perm::LegalHoldSet,
            _ => return None,
        })
    }
}
