//! `pecs init`: a new data dir (0700), key ring and database (0600), the agency's own
//! organisation and the first sysadmin. It refuses an existing installation and, when
//! anything fails (a weak password included), leaves no files behind.

use super::slots::{self, SlotSecret};
use super::{Pecs, Result, ServiceError, auth, password, users};
use crate::crypto::{DataKey, Password, codes, random, sealed};
use crate::domain::{Actor, NewAuditEvent, OrgKind, Origin, Outcome, Role, Target};
use crate::store::keyring::{self, Checkpoint, Keyring, SlotKind};
use crate::store::{self, Db, files};
use std::path::{Path, PathBuf};

/// The agency's own organisation code: case references are `PE-YYYY-NNNNNN`.
pub const INTERNAL_CODE: &str = "PE";

pub struct InitRequest<'a> {
    pub admin: &'a str,
    pub password: &'a Password,
    pub org_name: &'a str,
    pub demo: bool,
}

impl Pecs {
    pub fn init(&self, req: &InitRequest<'_>, origin: Origin) -> Result<()> {
        if self.is_installed() {
            return Err(ServiceError::AlreadyInstalled(
                self.paths.dir.display().to_string(),
            ));
        }
        let admin = auth::normalise_username(req.admin);
        users::valid_username(&admin)?;
        password::check(req.password, &admin, INTERNAL_CODE, req.org_name)
            .map_err(ServiceError::PasswordRefused)?;

        let mut made = Made::default();
        let mut dir = Some(self.paths.dir.as_path());
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            made.dirs.push(d.to_path_buf());
            dir = d.parent();
        }
        let result = self.create_installation(&admin, req, origin, &mut made);
        if result.is_err() {
            made.remove();
        }
        result
    }

    fn create_installation(
        &self,
        admin: &str,
        req: &InitRequest<'_>,
        origin: Origin,
        made: &mut Made,
    ) -> Result<()> {
        files::ensure_private_dir(&self.paths.dir).map_err(store::StoreError::from)?;
        let now = self.now();
        let key = DataKey::generate();
        let seal = sealed::generate_keypair();
        let name_salt = random::bytes::<32>();

        let keyring = Keyring::create(&self.paths.keys)?;
        made.files.push(self.paths.keys.clone());
        keyring.set_meta(keyring::NAME_SALT, &name_salt)?;
        keyring.set_meta(keyring::SEAL_PUBLIC, &seal.public)?;
        if req.demo {
            keyring.set_meta(keyring::DEMO, b"1")?;
        }
        let slot = slots::new_slot(
            SlotKind::User,
            Some(codes::name_hash(&name_salt, admin)),
            SlotSecret::Typed(req.password),
            &key,
            self.settings.kdf,
            now,
            None,
        )?;
        keyring.insert_slot(&slot)?;

        let db = Db::create(&self.paths.db, &key, self.settings.db)?;
        made.files.push(self.paths.db.clone());
        let tx = db.write()?;
        store::meta::set(&tx, store::meta::SEAL_SECRET, seal.secret.as_slice())?;
        store::meta::set(&tx, store::meta::INSTALLED_AT, now.to_rfc3339().as_bytes())?;
        if req.demo {
            store::meta::set(&tx, store::meta::DEMO, b"1")?;
        }
        let org_id = store::orgs::insert(&tx, INTERNAL_CODE, req.org_name, OrgKind::Internal, now)?;
        let user_id = store::users::insert(
            &tx,
            &store::users::NewUserRow {
                username: admin,
                display_name: admin,
                org_id,
                role: Role::Sysadmin,
                expires_at: None,
            },
            now,
        )?;
        store::users::set_must_change_password(&tx, user_id, false)?;
        let actor = Actor {
            id: None,
            name: Some("pecs init".into()),
            role: Some("installer".into()),
            org: None,
        };
        let event = |action: &str, target: Target| NewAuditEvent {
            at: now,
            session_id: None,
            actor: actor.clone(),
            action: action.into(),
            target,
            origin: origin.clone(),
            outcome: Outcome::Ok,
            detail: serde_json::json!({ "demo": req.demo }),
        };
        store::audit::append(
            &tx,
            &event("system.init", Target::new("org", org_id, INTERNAL_CODE)),
        )?;
        let (seq, hash) = store::audit::append(
            &tx,
            &event("user.create", Target::new("user", user_id, admin)),
        )?;
        tx.commit()?;
        keyring.advance_checkpoint(&Checkpoint {
            seq,
            hash: hash.to_vec(),
        })?;
        Ok(())
    }
}

/// What one `init` created, so a failure removes exactly that and nothing another
/// process made meanwhile.
#[derive(Default)]
struct Made {
    /// Folders that did not exist, the data dir first.
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Made {
    fn remove(&self) {
        for base in &self.files {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut name = base.as_os_str().to_owned();
                name.push(suffix);
                let _ = std::fs::remove_file(Path::new(&name));
            }
        }
        for dir in &self.dirs {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
