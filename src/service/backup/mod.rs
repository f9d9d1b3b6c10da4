//! Backups that prove themselves (DESIGN.md §5, issue "Backups"): `run` takes a
//! consistent encrypted snapshot of the live database and the key ring, writes its
//! manifest, verifies it, renames it into place and copies it to every other
//! destination, verifying each copy; `verify` checks backups again; `prune` keeps what
//! the retention rules say; `restore` rebuilds a data dir from a verified backup. Each is
//! done by a sysadmin or the service principal and leaves an audit event.

pub mod check;
pub mod disk;
pub mod health;
pub mod retention;
pub mod settings;

use super::opened::Opened;
use super::{Pecs, Result, ServiceError, ServiceSession, Session, slots};
use crate::crypto::DataKey;
use crate::domain::{Action, Millis, Origin, Outcome, Target};
use crate::store::StoreError;
use crate::store::keyring::Keyring;
use crate::store::snapshot::Snapshot;
use disk::{AuditHead, DATABASE, FILES, Found, KEYRING, Manifest, PARTIAL, Stamp};
use serde_json::{Map, Value};
use settings::{BackupSettings, Destination};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Who runs a backup operation: a sysadmin's session or the unattended service principal.
#[derive(Clone, Copy)]
pub enum Operator<'a> {
    Person(&'a Session),
    Service(&'a ServiceSession),
}

impl Operator<'_> {
    fn opened(&self) -> &Opened {
        match self {
            Operator::Person(s) => &s.opened,
            Operator::Service(s) => &s.opened,
        }
    }

    /// The policy check; a refusal is audited.
    fn check(&self, action: Action) -> Result<()> {
        match self {
            Operator::Person(s) => s.check(action, Target::kind_only("backup")).map(|_| ()),
            Operator::Service(s) => s.check(action),
        }
    }

    /// Record `event` (`backup.run`, `backup.verify`, …) with its outcome.
    fn record(&self, event: &str, ok: bool, detail: Map<String, Value>) -> Result<()> {
        let outcome = if ok { Outcome::Ok } else { Outcome::Failed };
        let event = match self {
            Operator::Person(s) => s.event(event, Target::kind_only("backup"), outcome, detail),
            Operator::Service(s) => s.event(event, outcome, detail),
        };
        self.opened().record(&[event])
    }

    fn settings(&self) -> &BackupSettings {
        &self.opened().pecs.settings.backup
    }
}

/// A step of a run, for a progress display.
pub enum Progress<'a> {
    /// Making and verifying the snapshot in this destination.
    Snapshot(&'a str),
    /// Copying it to this destination and verifying the copy.
    Copy(&'a str),
}

/// What a run did in each destination: the backup's path there, or why not.
#[derive(Debug)]
pub struct RunReport {
    pub name: String,
    pub results: Vec<(String, std::result::Result<PathBuf, String>)>,
    pub seconds: f64,
}

impl RunReport {
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(|(_, r)| r.is_ok())
    }
}

fn destinations(settings: &BackupSettings) -> Result<&[Destination]> {
    if settings.destinations.is_empty() {
        return Err(ServiceError::Invalid(
            "No backup destination is configured: add a [[backup.destination]] with a name and a path to the config file.".into(),
        ));
    }
    Ok(&settings.destinations)
}

/// `pecs backup run`: snapshot, verify, rename into place, then copy and verify in
/// every other destination. A destination that fails does not stop the others.
pub fn run(op: Operator<'_>, progress: &mut dyn FnMut(Progress<'_>)) -> Result<RunReport> {
    op.check(Action::BackupRun)?;
    let started = Instant::now();
    let opened = op.opened();
    let name = disk::name_at(opened.now());
    let mut results = Vec::new();
    let mut source: Option<PathBuf> = None;
    for dest in destinations(op.settings())? {
        let outcome = match &source {
            None => {
                progress(Progress::Snapshot(&dest.name));
                let made = snapshot(opened, &dest.path, &name);
                if let Ok(dir) = &made {
                    source = Some(dir.clone());
                }
                made
            }
            Some(from) => {
                progress(Progress::Copy(&dest.name));
                copy(from, &dest.path, &name, &opened.key, opened.now())
            }
        };
        results.push((dest.name.clone(), outcome));
    }
    let mut detail = Map::new();
    detail.insert("backup".into(), name.clone().into());
    for (dest, r) in &results {
        let said = match r {
            Ok(_) => "ok".to_string(),
            Err(why) => why.clone(),
        };
        detail.insert(format!("destination {dest}"), said.into());
    }
    let report = RunReport {
        name,
        results,
        seconds: started.elapsed().as_secs_f64(),
    };
    op.record("backup.run", report.all_ok(), detail)?;
    Ok(report)
}

/// Make the backup `name` in `root` from the live installation, verified, or say why not.
fn snapshot(opened: &Opened, root: &Path, name: &str) -> std::result::Result<PathBuf, String> {
    if root.join(name).exists() {
        return Err(format!(
            "a backup called {name} already exists in {}: backups are named by the second, so try again in a moment",
            root.display()
        ));
    }
    let partial = root.join(format!("{PARTIAL}{name}"));
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        let _ = std::fs::remove_dir_all(&partial);
        format!("{what} in {}: {e}", root.display())
    };
    disk::make_dir(&partial).map_err(|e| fail("cannot write", &e))?;
    // The key ring first: its audit checkpoint can then never be ahead of the database.
    opened
        .keyring
        .snapshot_into(&partial.join(KEYRING))
        .map_err(|e| fail("the key ring snapshot failed", &e))?;
    opened
        .db
        .snapshot_into(&partial.join(DATABASE), &opened.key)
        .map_err(|e| fail("the database snapshot failed", &e))?;
    let manifest = describe(&partial, name, opened.now(), &opened.key)
        .map_err(|e| fail("the manifest could not be made", &e))?;
    disk::write_manifest(&partial, &manifest, &opened.key).map_err(|e| fail("cannot write", &e))?;
    disk::sync_dir(&partial).map_err(|e| fail("cannot write", &e))?;
    let key = &opened.key;
    place(
        &partial,
        root,
        name,
        &|dir| check::backup(dir, key, Some(name)),
        opened.now(),
    )
}

/// The manifest of the snapshot files in `dir`, read from the files themselves.
fn describe(dir: &Path, name: &str, now: Millis, key: &DataKey) -> Result<Manifest> {
    let mut files = std::collections::BTreeMap::new();
    for file in FILES {
        disk::sync_file(&dir.join(file)).map_err(StoreError::Io)?;
        let entry = disk::hash_file(&dir.join(file)).map_err(StoreError::Io)?;
        files.insert(file.to_string(), entry);
    }
    let snap = Snapshot::open_database(&dir.join(DATABASE), key)?;
    let audit_head = crate::store::audit::head(snap.conn())?.map(|(seq, hash)| AuditHead {
        seq,
        hash: hex::encode(hash),
    });
    Ok(Manifest {
        format: disk::FORMAT,
        name: name.to_owned(),
        created_at: now.to_rfc3339(),
        created_at_ms: now.0,
        program_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: snap.schema_version()?,
        files,
        row_counts: snap.row_counts()?,
        audit_head,
    })
}

/// Check the partial backup (with `checked`: every check, or the re-hash a copy needs),
/// then rename it to `name` and stamp it verified.
fn place(
    partial: &Path,
    root: &Path,
    name: &str,
    checked: &dyn Fn(&Path) -> Vec<String>,
    now: Millis,
) -> std::result::Result<PathBuf, String> {
    let problems = checked(partial);
    if !problems.is_empty() {
        let _ = std::fs::remove_dir_all(partial);
        return Err(format!(
            "the backup did not verify in {}: {}",
            root.display(),
            problems.join(" ")
        ));
    }
    let done = root.join(name);
    std::fs::rename(partial, &done)
        .and_then(|_| disk::sync_dir(root))
        .and_then(|_| disk::write_stamp(&done, &stamp(now, &problems)))
        .map_err(|e| {
            let _ = std::fs::remove_dir_all(partial);
            format!("cannot write in {}: {e}", root.display())
        })?;
    Ok(done)
}

/// Copy the verified backup at `from` into `root` as `name`, re-hashed there.
fn copy(
    from: &Path,
    root: &Path,
    name: &str,
    key: &DataKey,
    now: Millis,
) -> std::result::Result<PathBuf, String> {
    let partial = root.join(format!("{PARTIAL}{name}"));
    let copied = disk::make_dir(&partial).and_then(|_| {
        for file in FILES.iter().chain([&disk::MANIFEST, &disk::MANIFEST_MAC]) {
            disk::copy_synced(&from.join(file), &partial.join(file))?;
        }
        disk::sync_dir(&partial)
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(format!("cannot write in {}: {e}", root.display()));
    }
    // A byte-for-byte copy of a verified backup: the manifest's MAC and hashes prove it.
    let rehash = |dir: &Path| match disk::read_manifest(dir) {
        Ok((m, bytes)) => {
            let mut problems = check::sealed(dir, &m, &bytes, key, Some(name));
            problems.extend(check::files(dir, &m));
            problems
        }
        Err(problem) => vec![problem],
    };
    place(&partial, root, name, &rehash, now)
}

fn stamp(at: Millis, problems: &[String]) -> Stamp {
    Stamp {
        at_ms: at.0,
        at: at.to_rfc3339(),
        ok: problems.is_empty(),
        problems: problems.to_vec(),
    }
}

/// Which backups `verify` checks.
#[derive(Debug, Clone, Default)]
pub struct VerifyRequest {
    /// Every backup, not only each destination's newest.
    pub all: bool,
    /// Only this destination.
    pub destination: Option<String>,
}

/// One backup's verification.
#[derive(Debug, Clone)]
pub struct Verified {
    pub destination: String,
    pub name: String,
    pub problems: Vec<String>,
}

/// `pecs backup verify`: check backups again and stamp each with the result.
pub fn verify(op: Operator<'_>, request: &VerifyRequest) -> Result<Vec<Verified>> {
    op.check(Action::BackupRun)?;
    let opened = op.opened();
    let chosen: Vec<&Destination> = destinations(op.settings())?
        .iter()
        .filter(|d| request.destination.as_ref().is_none_or(|n| *n == d.name))
        .collect();
    if chosen.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "There is no backup destination called {}.",
            request.destination.as_deref().unwrap_or("")
        )));
    }
    let mut results = Vec::new();
    for dest in chosen {
        let found = match disk::list(&dest.path) {
            Ok((found, _)) => found,
            Err(e) => {
                results.push(Verified {
                    destination: dest.name.clone(),
                    name: String::new(),
                    problems: vec![format!("{} cannot be read: {e}.", dest.path.display())],
                });
                continue;
            }
        };
        let picked: Vec<&Found> = if request.all {
            found.iter().collect()
        } else {
            found.last().into_iter().collect()
        };
        if picked.is_empty() {
            results.push(Verified {
                destination: dest.name.clone(),
                name: String::new(),
                problems: vec![format!("{} holds no backup.", dest.path.display())],
            });
        }
        for f in picked {
            let mut problems = check::backup(&f.path, &opened.key, Some(&f.name));
            if let Err(e) = disk::write_stamp(&f.path, &stamp(opened.now(), &problems)) {
                problems.push(format!(
                    "The result could not be recorded beside the backup ({e}), so health cannot see it."
                ));
            }
            results.push(Verified {
                destination: dest.name.clone(),
                name: f.name.clone(),
                problems,
            });
        }
    }
    let mut detail = Map::new();
    for r in &results {
        let said = if r.problems.is_empty() {
            "verified".to_string()
        } else {
            r.problems.join(" ")
        };
        detail.insert(format!("{} {}", r.destination, r.name), said.into());
    }
    let ok = results.iter().all(|r| r.problems.is_empty());
    op.record("backup.verify", ok, detail)?;
    Ok(results)
}

/// A destination's backups and their state, for `pecs backup list` and the System screen.
#[derive(Debug, Clone)]
pub struct Listing {
    pub destination: Destination,
    pub backups: std::result::Result<(Vec<Found>, Vec<String>), String>,
}

/// Every destination's backups (no key needed: names, times and stamps only).
pub fn list(settings: &BackupSettings) -> Vec<Listing> {
    settings
        .destinations
        .iter()
        .map(|d| Listing {
            destination: d.clone(),
            backups: disk::list(&d.path)
                .map_err(|e| format!("{} cannot be read: {e}", d.path.display())),
        })
        .collect()
}

/// What prune removed.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    pub removed: Vec<(String, String)>,
    pub kept: usize,
    /// Destinations that could not be read: nothing there was pruned, and elsewhere only
    /// what they are known to hold could have been.
    pub unreadable: Vec<(String, String)>,
}

/// `pecs backup prune`: remove the backups the retention rules do not keep, and partial
/// ones left by a run that stopped more than a day ago.
pub fn prune(op: Operator<'_>) -> Result<Pruned> {
    op.check(Action::BackupRun)?;
    let settings = op.settings();
    let now = op.opened().now();
    let listings = list(settings);
    let complete_in = |name: &str, l: &Listing| {
        l.backups
            .as_ref()
            .is_ok_and(|(found, _)| found.iter().any(|f| f.name == name))
    };
    let mut pruned = Pruned::default();
    for l in &listings {
        let (found, partial) = match &l.backups {
            Ok(listing) => listing,
            Err(why) => {
                pruned
                    .unreadable
                    .push((l.destination.name.clone(), why.clone()));
                continue;
            }
        };
        let candidates: Vec<retention::Candidate> = found
            .iter()
            .map(|f| retention::Candidate {
                name: f.name.clone(),
                at: f.at,
                verified: f.stamp.as_ref().is_some_and(|s| s.ok),
                copied_everywhere: listings.iter().all(|other| complete_in(&f.name, other)),
            })
            .collect();
        let kept = retention::kept(&candidates, now, settings.keep);
        for f in found.iter().filter(|f| !kept.contains(&f.name)) {
            if std::fs::remove_dir_all(&f.path).is_ok() {
                pruned
                    .removed
                    .push((l.destination.name.clone(), f.name.clone()));
            }
        }
        pruned.kept += kept.len();
        for p in partial {
            let stale = disk::time_of(p.trim_start_matches(PARTIAL))
                .is_some_and(|at| now.0 - at.0 > 24 * Millis::HOUR);
            if stale && std::fs::remove_dir_all(l.destination.path.join(p)).is_ok() {
                pruned.removed.push((l.destination.name.clone(), p.clone()));
            }
        }
    }
    let mut detail = Map::new();
    detail.insert("kept".into(), pruned.kept.into());
    detail.insert(
        "removed".into(),
        pruned
            .removed
            .iter()
            .map(|(d, n)| format!("{d}/{n}"))
            .collect::<Vec<_>>()
            .into(),
    );
    op.record("backup.prune", true, detail)?;
    Ok(pruned)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub backup: String,
    pub to: PathBuf,
    pub events: i64,
    pub seconds: f64,
}

/// `pecs restore BACKUP_DIR --to DIR` with the service key: verify the backup (refusing a
/// bad one), copy it into a new data dir (never over an existing one), verify again
/// there, and record the restore in the restored audit log.
pub fn restore(backup: &Path, to: &Path, service_key: &Path, origin: Origin) -> Result<Restored> {
    let started = Instant::now();
    // Absolute, so that `--to data` has a parent to stage in and to sync.
    let to = &std::path::absolute(to)
        .map_err(|e| ServiceError::Invalid(format!("Cannot use {}: {e}.", to.display())))?;
    if to.exists() && std::fs::read_dir(to).map_or(true, |mut d| d.next().is_some()) {
        return Err(ServiceError::Invalid(format!(
            "{} already exists and is not empty: restore into a new directory.",
            to.display()
        )));
    }
    let name = backup
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refused = |problems: Vec<String>| {
        ServiceError::Invalid(format!(
            "The backup {} is not sound, so nothing was restored: {}",
            backup.display(),
            problems.join(" ")
        ))
    };
    let (manifest, bytes) = disk::read_manifest(backup).map_err(|p| refused(vec![p]))?;
    let damaged = check::files(backup, &manifest);
    let secret = slots::read_service_key(service_key)?;
    let unlocked = Keyring::open_read_only(&backup.join(KEYRING))
        .map_err(ServiceError::from)
        .and_then(|ring| slots::unlock_service(&ring, &secret));
    let key = match unlocked {
        Ok(Some(key)) => key,
        // A damaged key ring must read as damaged, not as a wrong key.
        _ if !damaged.is_empty() => return Err(refused(damaged)),
        Ok(None) => return Err(ServiceError::KeyRejected),
        Err(e) => return Err(refused(vec![format!("{KEYRING} cannot be read: {e}.")])),
    };
    // A folder named as a backup must hold that backup; one copied elsewhere under
    // another name (`/mnt/usb/latest`) may have any name.
    let named = disk::time_of(&name).map(|_| name.as_str());
    let problems = check::with_manifest(backup, &manifest, &bytes, &key, named, damaged);
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    let staging = to.with_file_name(format!(
        "{PARTIAL}restore-{}",
        to.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    ));
    let _ = std::fs::remove_dir_all(&staging);
    let copied = disk::make_dir(&staging).and_then(|_| {
        for file in FILES {
            disk::copy_synced(&backup.join(file), &staging.join(file))?;
        }
        disk::sync_dir(&staging)
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(ServiceError::Invalid(format!(
            "Cannot write {}: {e}. Nothing was restored.",
            staging.display()
        )));
    }
    let again = check::contents(
        &staging.join(DATABASE),
        &staging.join(KEYRING),
        &manifest,
        &key,
    );
    if !again.is_empty() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(refused(again));
    }
    std::fs::rename(&staging, to)
        .and_then(|_| to.parent().map_or(Ok(()), disk::sync_dir))
        .map_err(|e| ServiceError::Invalid(format!("Cannot create {}: {e}.", to.display())))?;
    let restored = Pecs::new(to, super::Settings::default());
    let service = restored.open_as_service(service_key, origin)?;
    let mut detail = Map::new();
    detail.insert("backup".into(), manifest.name.clone().into());
    detail.insert("created_at".into(), manifest.created_at.clone().into());
    detail.insert("from".into(), backup.display().to_string().into());
    Operator::Service(&service).record("backup.restore", true, detail)?;
    let report = super::audit::verify_as_service(&service)?;
    if let Some(problem) = report.problem {
        return Err(ServiceError::Invalid(format!(
            "The restored data in {} does not verify: {problem}",
            to.display()
        )));
    }
    Ok(Restored {
        backup: manifest.name,
        to: to.to_path_buf(),
        events: report.events,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What the System screen shows: backup health and listings, and the audit log's state.
#[derive(Debug, Clone)]
pub struct SystemStatus {
    pub health: health::Health,
    pub listings: Vec<Listing>,
    pub audit: super::audit::ChainState,
}

/// The System screen's status (sysadmins; supervisors read it too).
pub fn status(s: &Session) -> Result<SystemStatus> {
    s.act(Action::SystemStatus, Target::kind_only("system"), |act| {
        let settings = &s.opened.pecs.settings.backup;
        Ok(SystemStatus {
            health: health::survey(settings, s.now()),
            listings: list(settings),
            audit: super::audit::chain_state(&s.opened, act.tx)?,
        })
    })
}
