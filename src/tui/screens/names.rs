//! How the case screens name clients and people: from the caller's
//! [`Directory`](crate::service::cases::Directory), loaded once per Cases screen, with a
//! plain fallback for anyone outside it (never a lookup per row).

use crate::domain::{OrgId, UserId};
use crate::service::cases::{self, Directory};
use crate::service::{Result, Session};

#[derive(Debug, Clone, Default)]
pub struct Names {
    directory: Directory,
    staff_caller: bool,
}

impl Names {
    /// The caller's directory (one audited call).
    pub fn load(s: &Session) -> Result<Names> {
        Ok(Names {
            directory: cases::directory(s)?,
            staff_caller: s.info().role.is_internal(),
        })
    }

    /// The caller is agency staff (who see caseworkers' names).
    pub fn for_staff(&self) -> bool {
        self.staff_caller
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// A client organisation's code.
    pub fn client(&self, id: OrgId) -> String {
        self.directory
            .client(id)
            .map_or_else(|| format!("#{id}"), |org| org.code.clone())
    }

    /// A person's user name; to a client, agency staff are "agency staff".
    pub fn person(&self, id: UserId) -> String {
        match self.directory.person(id) {
            Some(p) => p.username.clone(),
            None if self.staff_caller => format!("#{id}"),
            None => "agency staff".into(),
        }
    }

    /// Who a case is assigned to, as its list row shows it.
    pub fn assignee(&self, id: Option<UserId>) -> String {
        match id {
            None => "-".into(),
            Some(_) if !self.staff_caller => "assigned".into(),
            Some(id) => self.person(id),
        }
    }

    /// The person named by `text` (a user name or `#N`), if the directory has them.
    pub fn person_named(&self, text: &str) -> Option<UserId> {
        self.directory.person_by_name(text).map(|p| p.id)
    }
}
