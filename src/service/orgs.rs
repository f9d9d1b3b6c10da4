//! Organisations: the agency itself (one, internal) and its clients.

use super::policy::Grant;
use super::{Result, ServiceError, Session};
use crate::domain::{Action, Org, OrgId, OrgKind, Target};
use crate::store;

/// 2 to 16 of A-Z, 0-9, hyphen, underscore: used on the command line (`--client CODE`).
pub fn valid_code(code: &str) -> Result<()> {
    let ok = (2..=16).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Invalid(
            "An organisation code is 2 to 16 characters: capital letters, digits, hyphen or underscore.".into(),
        ))
    }
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(
            "An organisation name is 1 to 120 characters with no control characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

pub fn create_client(s: &Session, code: &str, name: &str) -> Result<Org> {
    let code = code.trim().to_uppercase();
    s.act(Action::OrgCreate, Target::new("org", "new", &code), |act| {
        valid_code(&code)?;
        let name = valid_name(name)?;
        if store::orgs::by_code(act.tx, &code)?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "The organisation code {code} is taken."
            )));
        }
        let id = store::orgs::insert(act.tx, &code, &name, OrgKind::Client, s.now())?;
        act.target = Target::new("org", id, &code);
        store::orgs::get(act.tx, id)?.ok_or(ServiceError::NotFound)
    })
}

/// Organisations the caller may see: all for those who manage users, else one's own.
/// Listing organisations is part of user administration (policy row "user list /
/// view"), so it is authorised and audited as `user.list` with target kind `org`.
pub fn list(s: &Session) -> Result<Vec<Org>> {
    s.act(Action::UserList, Target::kind_only("org"), |act| {
        let all = store::orgs::list(act.tx)?;
        Ok(match act.caller.grant {
            Grant::All => all,
            _ => all
                .into_iter()
                .filter(|o| o.id == act.caller.org.id)
                .collect(),
        })
    })
}

/// Require two-factor login for everyone in an organisation: sysadmins for any, a
/// client admin for their own (a security setting of their organisation).
pub fn set_two_factor_required(s: &Session, id: OrgId, required: bool) -> Result<()> {
    s.act(Action::OrgEdit, Target::new("org", id, ""), |act| {
        let org = store::orgs::get(act.tx, id)?.ok_or(ServiceError::NotFound)?;
        act.target = Target::new("org", id, &org.code);
        let in_scope = match act.caller.grant {
            Grant::All => true,
            Grant::OwnOrgSecuritySettings => org.id == act.caller.org.id,
            _ => false,
        };
        if !in_scope {
            return Err(ServiceError::NotFound);
        }
        act.note("require_two_factor", required);
        store::orgs::set_require_two_factor(act.tx, id, required)?;
        Ok(())
    })
}

pub fn rename(s: &Session, id: OrgId, name: &str) -> Result<()> {
    s.act(Action::OrgEdit, Target::new("org", id, ""), |act| {
        let org = store::orgs::get(act.tx, id)?.ok_or(ServiceError::NotFound)?;
        act.target = Target::new("org", id, &org.code);
        if act.caller.grant != Grant::All {
            // Client admins may change only their own organisation's security settings.
            return Err(if org.id == act.caller.org.id {
                ServiceError::Forbidden
            } else {
                ServiceError::NotFound
            });
        }
        let name = valid_name(name)?;
        act.note("from", org.name.as_str());
        act.note("to", name.as_str());
        store::orgs::rename(act.tx, id, &name)?;
        Ok(())
    })
}
