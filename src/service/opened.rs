//! An installation whose database is open: the key ring, the keyed database and the data
//! key. Writes go through [`Opened::commit`], which appends the audit events to the same
//! transaction and then moves the checkpoint kept in the key ring.

use super::session::KeyringChange;
use super::{Pecs, Result};
use crate::crypto::{DataKey, sealed};
use crate::domain::{Millis, NewAuditEvent, Origin, Outcome, Target};
use crate::store::{self, Db, Tx, keyring::Checkpoint, keyring::Keyring};

pub struct Opened {
    pub(crate) pecs: Pecs,
    pub(crate) db: Db,
    pub(crate) keyring: Keyring,
    pub(crate) key: DataKey,
}

/// A failed login as sealed into the key ring, before the database could be read.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct FailedLogin {
    pub name: String,
    pub at: Millis,
    pub origin: Origin,
    pub reason: String,
}

impl Opened {
    /// Open the database with `key` and import any failed-login records waiting in the
    /// key ring.
    pub(crate) fn open(pecs: &Pecs, keyring: Keyring, key: DataKey) -> Result<Opened> {
        let db = Db::open(&pecs.paths.db, &key, pecs.settings.db)?;
        let opened = Opened {
            pecs: pecs.clone(),
            db,
            keyring,
            key,
        };
        opened.import_failed_logins()?;
        Ok(opened)
    }

    pub(crate) fn now(&self) -> Millis {
        self.pecs.now()
    }

    /// Append `events` to `tx`, commit, and checkpoint the new chain head. The
    /// checkpoint moves only while the chain still runs through it: after a rollback,
    /// truncation or rewrite it stays put, so every later verification still fails.
    pub(crate) fn commit(&self, tx: Tx<'_>, events: &[NewAuditEvent]) -> Result<()> {
        let mut head = None;
        for e in events {
            head = Some(store::audit::append(&tx, e)?);
        }
        let chain_intact = match self.keyring.checkpoint()? {
            None => true,
            Some(cp) => store::audit::hash_at(&tx, cp.seq)?.is_some_and(|h| h == cp.hash),
        };
        tx.commit()?;
        if let (Some((seq, hash)), true) = (head, chain_intact) {
            self.keyring.advance_checkpoint(&Checkpoint {
                seq,
                hash: hash.to_vec(),
            })?;
        }
        Ok(())
    }

    /// Write events on their own (a refusal, whose attempted change was rolled back).
    pub(crate) fn record(&self, events: &[NewAuditEvent]) -> Result<()> {
        let tx = self.db.write()?;
        self.commit(tx, events)
    }

    /// Make one key-ring change that follows a committed database change.
    pub(crate) fn apply(&self, change: KeyringChange) -> Result<()> {
        let keyring = &self.keyring;
        match change {
            KeyringChange::PersonalSlot {
                kind,
                name_hash,
                secret,
                expires_at,
            } => {
                let slot = super::slots::new_slot(
                    kind,
                    Some(name_hash),
                    super::slots::SlotSecret::Typed(&secret),
                    &self.key,
                    self.pecs.settings.kdf,
                    self.now(),
                    expires_at,
                )?;
                keyring.replace_personal_slot(&slot)?;
            }
            KeyringChange::RemovePersonalSlot { name_hash } => {
                keyring.delete_personal_slot(&name_hash)?;
            }
            KeyringChange::SystemSlot(slot) => keyring.insert_slot(&slot)?,
            KeyringChange::ClearThrottle { name_hash } => keyring.clear_throttle(&name_hash)?,
        }
        Ok(())
    }

    fn import_failed_logins(&self) -> Result<()> {
        let pending = self.keyring.take_failed_logins()?;
        if pending.is_empty() {
            return Ok(());
        }
        let imported = self
            .sealed_events(&pending)
            .and_then(|events| self.record(&events));
        if imported.is_err() {
            self.keyring.return_failed_logins(&pending)?;
        }
        imported
    }

    fn sealed_events(&self, pending: &[Vec<u8>]) -> Result<Vec<NewAuditEvent>> {
        let secret: [u8; 32] = store::meta::get(self.db.conn(), store::meta::SEAL_SECRET)?
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| store::StoreError::Malformed("no sealing key".into()))?;
        let secret = zeroize::Zeroizing::new(secret);
        Ok(pending
            .iter()
            .map(|sealed_bytes| {
                let record = sealed::open(&secret, sealed_bytes)
                    .and_then(|plain| serde_json::from_slice::<FailedLogin>(&plain).ok());
                match record {
                    Some(r) => failed_login_event(&r),
                    // Someone wrote junk into the key ring: keep the fact, not the junk.
                    None => unreadable_record_event(self.now()),
                }
            })
            .collect())
    }
}

pub(crate) fn failed_login_event(r: &FailedLogin) -> NewAuditEvent {
    NewAuditEvent {
        at: r.at,
        session_id: None,
        actor: Default::default(),
        action: "login".into(),
        target: Target {
            kind: "user".into(),
            id: None,
            label: Some(r.name.clone()),
        },
        origin: r.origin.clone(),
        outcome: Outcome::Failed,
        detail: serde_json::json!({ "reason": r.reason }),
    }
}

fn unreadable_record_event(now: Millis) -> NewAuditEvent {
    NewAuditEvent {
        at: now,
        session_id: None,
        actor: Default::default(),
        action: "login".into(),
        target: Target::kind_only("user"),
        origin: crate::service::audit::current_origin(),
        outcome: Outcome::Failed,
        detail: serde_json::json!({ "reason": "unreadable failed-login record in the key ring" }),
    }
}
