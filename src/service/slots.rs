//! Key slots: each wraps the one data key under a key-encryption key from a password,
//! a one-time reset code, a service key file or a recovery code. Adding or removing a
//! slot never re-encrypts the database.

use super::opened::Opened;
use super::session::KeyringChange;
use super::session::ServiceSession;
use super::{Pecs, Result, ServiceError, Session};
use crate::crypto::codes::{self, normalise_code};
use crate::crypto::{DataKey, KdfParams, Kek, Password, kdf, random, wrap};
use crate::domain::{Action, Millis, Origin, Outcome, Target};
use crate::store::keyring::{Keyring, SlotKind, SlotRecord};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use zeroize::Zeroizing;

/// What a slot's secret is.
#[derive(Clone, Copy)]
pub(crate) enum SlotSecret<'a> {
    /// A password, reset code or recovery code, through Argon2id.
    Typed(&'a Password),
    /// A 32-byte service key file: already a random key.
    KeyFile(&'a [u8; 32]),
}

fn kek_for(
    slot_kind: SlotKind,
    secret: &SlotSecret<'_>,
    salt: &[u8],
    params: Option<KdfParams>,
) -> Result<Kek> {
    match secret {
        SlotSecret::KeyFile(bytes) => Ok(Kek::from_bytes(**bytes)),
        SlotSecret::Typed(typed) => {
            let params =
                params.ok_or_else(|| ServiceError::Invalid("slot has no KDF parameters".into()))?;
            let derived = match slot_kind {
                SlotKind::Reset | SlotKind::Recovery => {
                    kdf::derive(&normalise_code(typed), salt, params)
                }
                SlotKind::User | SlotKind::Service => kdf::derive(typed, salt, params),
            };
            derived.map_err(|e| ServiceError::Invalid(e.to_string()))
        }
    }
}

/// A new slot wrapping `key` for `secret`.
pub(crate) fn new_slot(
    kind: SlotKind,
    name_hash: Option<Vec<u8>>,
    secret: SlotSecret<'_>,
    key: &DataKey,
    params: KdfParams,
    now: Millis,
    expires_at: Option<Millis>,
) -> Result<SlotRecord> {
    let id = random::hex_id();
    let salt = random::bytes::<32>().to_vec();
    let params = matches!(secret, SlotSecret::Typed(_)).then_some(params);
    let kek = kek_for(kind, &secret, &salt, params)?;
    Ok(SlotRecord {
        wrapped: wrap::wrap(key, &kek, &id, kind.as_str()),
        id,
        kind,
        name_hash,
        kdf: params,
        salt,
        created_at: now,
        expires_at,
    })
}

/// Unwrap the data key from `slot`; any failure is the same [`wrap::UnwrapError`].
pub(crate) fn unlock(
    slot: &SlotRecord,
    secret: SlotSecret<'_>,
) -> std::result::Result<DataKey, wrap::UnwrapError> {
    let kek = kek_for(slot.kind, &secret, &slot.salt, slot.kdf).map_err(|_| wrap::UnwrapError)?;
    wrap::unwrap(&slot.wrapped, &kek, &slot.id, slot.kind.as_str())
}

/// The 32 bytes of a service key file.
pub(crate) fn read_service_key(key_file: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(std::fs::read(key_file).map_err(|e| {
        ServiceError::Invalid(format!(
            "Cannot read the service key {}: {e}.",
            key_file.display()
        ))
    })?);
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        ServiceError::Invalid(format!(
            "{} is not a PECS service key (it must be exactly 32 bytes).",
            key_file.display()
        ))
    })?;
    Ok(Zeroizing::new(key))
}

/// The data key from the first service slot of `keyring` that `key` opens.
pub(crate) fn unlock_service(keyring: &Keyring, key: &[u8; 32]) -> Result<Option<DataKey>> {
    Ok(keyring
        .slots_of_kind(SlotKind::Service)?
        .iter()
        .find_map(|slot| unlock(slot, SlotSecret::KeyFile(key)).ok()))
}

/// A slot as listed to a sysadmin: never its key material.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SlotSummary {
    pub id: String,
    pub kind: &'static str,
    pub created_at: Millis,
}

/// Create a service key file (mode 0600) at `out` for the unattended jobs. Refuses to
/// overwrite an existing file.
pub fn create_service_key(s: &Session, out: &Path) -> Result<SlotSummary> {
    s.act(Action::KeyManage, Target::kind_only("key_slot"), |act| {
        let key_bytes = Zeroizing::new(random::bytes::<32>());
        let slot = new_slot(
            SlotKind::Service,
            None,
            SlotSecret::KeyFile(&key_bytes),
            &s.opened.key,
            s.opened.pecs.settings.kdf,
            s.now(),
            None,
        )?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(out)
            .map_err(|e| ServiceError::Invalid(format!("Cannot create {}: {e}.", out.display())))?;
        file.write_all(key_bytes.as_slice())
            .and_then(|_| file.sync_all())
            .map_err(|e| {
                let _ = std::fs::remove_file(out);
                ServiceError::Invalid(format!("Cannot write {}: {e}.", out.display()))
            })?;
        act.target = Target::new("key_slot", &slot.id, "service");
        let made = summary(&slot);
        act.after_commit(KeyringChange::SystemSlot(slot));
        Ok(made)
    })
}

/// Create a recovery slot; the code is shown once, to be printed and kept in the safe.
pub fn create_recovery_code(s: &Session) -> Result<(SlotSummary, Password)> {
    s.act(Action::KeyManage, Target::kind_only("key_slot"), |act| {
        let code = codes::recovery_code();
        let slot = new_slot(
            SlotKind::Recovery,
            None,
            SlotSecret::Typed(&code),
            &s.opened.key,
            s.opened.pecs.settings.kdf,
            s.now(),
            None,
        )?;
        act.target = Target::new("key_slot", &slot.id, "recovery");
        let made = summary(&slot);
        act.after_commit(KeyringChange::SystemSlot(slot));
        Ok((made, code))
    })
}

/// Service and recovery slots (personal slots belong to their users).
pub fn list_system_slots(s: &Session) -> Result<Vec<SlotSummary>> {
    s.act(Action::KeyManage, Target::kind_only("key_slot"), |_| {
        let mut out = Vec::new();
        for kind in [SlotKind::Service, SlotKind::Recovery] {
            out.extend(s.opened.keyring.slots_of_kind(kind)?.iter().map(summary));
        }
        Ok(out)
    })
}

/// Remove a service or recovery slot: its key file or code stops working at once.
pub fn revoke_system_slot(s: &Session, slot_id: &str) -> Result<()> {
    s.act(
        Action::KeyManage,
        Target::new("key_slot", slot_id, slot_id),
        |_| {
            let is_system = [SlotKind::Service, SlotKind::Recovery].iter().any(|k| {
                s.opened
                    .keyring
                    .slots_of_kind(*k)
                    .is_ok_and(|slots| slots.iter().any(|x| x.id == slot_id))
            });
            if !is_system || !s.opened.keyring.delete_slot(slot_id)? {
                return Err(ServiceError::NotFound);
            }
            Ok(())
        },
    )
}

fn summary(slot: &SlotRecord) -> SlotSummary {
    SlotSummary {
        id: slot.id.clone(),
        kind: slot.kind.as_str(),
        created_at: slot.created_at,
    }
}

impl Pecs {
    pub(crate) fn keyring(&self) -> Result<Keyring> {
        if !self.paths.keys.is_file() {
            return Err(ServiceError::NotInstalled(
                self.paths.dir.display().to_string(),
            ));
        }
        Ok(Keyring::open(&self.paths.keys)?)
    }

    fn open_with_system_slot(
        &self,
        kind: SlotKind,
        secret: SlotSecret<'_>,
    ) -> Result<(Opened, String)> {
        let keyring = self.keyring()?;
        for slot in keyring.slots_of_kind(kind)? {
            if let Ok(key) = unlock(&slot, secret) {
                return Ok((Opened::open(self, keyring, key)?, slot.id));
            }
        }
        // No trace in the database yet; sealed for the audit log like a failed login.
        let what = format!("{} rejected", kind.as_str());
        self.seal_failure(&keyring, &what, &super::audit::current_origin(), &what)?;
        Err(ServiceError::KeyRejected)
    }

    /// Open as the unattended service principal with a 32-byte key file.
    pub fn open_as_service(&self, key_file: &Path, origin: Origin) -> Result<ServiceSession> {
        let key = read_service_key(key_file)?;
        let (opened, slot_id) =
            self.open_with_system_slot(SlotKind::Service, SlotSecret::KeyFile(&key))?;
        let session = ServiceSession { opened, origin };
        let mut d = serde_json::Map::new();
        d.insert("slot".into(), slot_id.into());
        session
            .opened
            .record(&[session.event("service.open", Outcome::Ok, d)])?;
        Ok(session)
    }

    /// With the recovery code from the safe: issue a reset code for a sysadmin account
    /// (re-enabling it), so the office can get back in when every password is lost.
    pub fn recover(
        &self,
        code: &Password,
        sysadmin: &str,
        origin: Origin,
    ) -> Result<super::users::IssuedCode> {
        let (opened, slot_id) =
            self.open_with_system_slot(SlotKind::Recovery, SlotSecret::Typed(code))?;
        super::users::recover_sysadmin(&opened, sysadmin, origin, &slot_id)
    }
}
