//! The six roles of DESIGN.md §3 and the two kinds of organisation they belong to.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Sysadmin,
    Supervisor,
    Caseworker,
    GeneralAdmin,
    ClientAdmin,
    ClientUser,
}

impl Role {
    /// In the order of the policy table's columns.
    pub const ALL: [Role; 6] = [
        Role::Sysadmin,
        Role::Supervisor,
        Role::Caseworker,
        Role::GeneralAdmin,
        Role::ClientAdmin,
        Role::ClientUser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sysadmin => "sysadmin",
            Role::Supervisor => "supervisor",
            Role::Caseworker => "caseworker",
            Role::GeneralAdmin => "general_admin",
            Role::ClientAdmin => "client_admin",
            Role::ClientUser => "client_user",
        }
    }

    /// Internal roles belong to the agency's own organisation; client roles to a client's.
    pub fn is_internal(self) -> bool {
        !self.is_client()
    }

    pub fn is_client(self) -> bool {
        matches!(self, Role::ClientAdmin | Role::ClientUser)
    }

    /// Column index in the policy table.
    pub fn column(self) -> usize {
        match self {
            Role::Sysadmin => 0,
            Role::Supervisor => 1,
            Role::Caseworker => 2,
            Role::GeneralAdmin => 3,
            Role::ClientAdmin => 4,
            Role::ClientUser => 5,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role \"{s}\""))
    }
}
