//! Verifying one backup: the manifest reads, is of a known format, matches its MAC (which
//! covers every byte of it, times and program version included) and names the backup it
//! is in; every file has the size and SHA-256 the manifest gives; the key ring is a sound
//! SQLite file; and the database opens with the key, has no page whose HMAC fails, no
//! damaged b-tree, the manifest's schema version and row counts (the same tables, no more
//! and no fewer), and an intact audit chain that ends exactly at the manifest's head, with
//! its append-only triggers, on which the key ring's audit checkpoint lies.

use super::disk::{self, AuditHead, DATABASE, FILES, KEYRING, Manifest};
use crate::crypto::DataKey;
use crate::store::keyring::Keyring;
use crate::store::snapshot::Snapshot;
use crate::store::{self, StoreError};
use std::path::Path;

/// Every problem with the backup in `dir` (empty: it verified). `named`: the name it
/// must have (a backup in a destination, which its manifest records); `None` for one
/// given by path, whose folder may have any name.
pub fn backup(dir: &Path, key: &DataKey, named: Option<&str>) -> Vec<String> {
    match disk::read_manifest(dir) {
        Ok((manifest, bytes)) => {
            let damaged = files(dir, &manifest);
            with_manifest(dir, &manifest, &bytes, key, named, damaged)
        }
        Err(problem) => vec![problem],
    }
}

/// [`backup`] with the manifest already read (from `bytes`) and its files already
/// re-hashed (`damaged`: what [`files`] found), so nothing is read twice.
pub fn with_manifest(
    dir: &Path,
    manifest: &Manifest,
    bytes: &[u8],
    key: &DataKey,
    named: Option<&str>,
    damaged: Vec<String>,
) -> Vec<String> {
    let mut problems = sealed(dir, manifest, bytes, key, named);
    if !damaged.is_empty() {
        problems.extend(damaged);
        return problems;
    }
    problems.extend(contents(
        &dir.join(DATABASE),
        &dir.join(KEYRING),
        manifest,
        key,
    ));
    problems
}

/// The manifest is sealed by its MAC and, when `named`, is the manifest of that backup:
/// so an older backup renamed as a newer one is caught.
pub fn sealed(
    dir: &Path,
    manifest: &Manifest,
    bytes: &[u8],
    key: &DataKey,
    named: Option<&str>,
) -> Vec<String> {
    let mut problems: Vec<String> = disk::manifest_not_authentic(dir, bytes, key)
        .into_iter()
        .collect();
    if let Some(name) = named
        && manifest.name != name
    {
        problems.push(format!(
            "The backup {name} holds the manifest of {}: it was renamed or copied over another.",
            manifest.name
        ));
    }
    problems
}

/// The manifest is of a format this program knows, and each file it lists is there with
/// its size and hash: all a byte-for-byte copy of a verified backup needs.
pub fn files(dir: &Path, manifest: &Manifest) -> Vec<String> {
    if manifest.format != disk::FORMAT {
        return vec![format!(
            "{} is of format {}; this program knows format {}.",
            disk::MANIFEST,
            manifest.format,
            disk::FORMAT
        )];
    }
    let mut problems = Vec::new();
    for name in FILES {
        let Some(want) = manifest.files.get(name) else {
            problems.push(format!("{} does not list {name}.", disk::MANIFEST));
            continue;
        };
        match disk::hash_file(&dir.join(name)) {
            Ok(got) if got == *want => {}
            Ok(_) => problems.push(format!(
                "{name} does not match its manifest: it is corrupt or was changed."
            )),
            Err(e) => problems.push(format!("{name} cannot be read: {e}.")),
        }
    }
    problems
}

/// The database and key ring at these paths hold what `manifest` describes.
pub fn contents(db: &Path, keys: &Path, manifest: &Manifest, key: &DataKey) -> Vec<String> {
    let mut problems = Vec::new();
    match Snapshot::open_keyring(keys).and_then(|k| k.structure_problems()) {
        Ok(found) => problems.extend(found.into_iter().map(|p| format!("{KEYRING}: {p}"))),
        Err(e) => problems.push(format!("{KEYRING} cannot be read: {e}.")),
    }
    let snapshot = match Snapshot::open_database(db, key) {
        Ok(s) => s,
        Err(StoreError::WrongKeyOrCorrupt) => {
            problems.push(format!(
                "{DATABASE} does not open with this installation's key: it is corrupt or from another installation."
            ));
            return problems;
        }
        Err(e) => {
            problems.push(format!("{DATABASE} cannot be read: {e}."));
            return problems;
        }
    };
    if let Err(e) = database(&snapshot, manifest, &mut problems) {
        problems.push(format!("{DATABASE} cannot be read: {e}."));
    }
    if problems.is_empty() {
        match checkpoint(&snapshot, keys) {
            Ok(found) => problems.extend(found),
            Err(e) => problems.push(format!("{KEYRING} cannot be read: {e}.")),
        }
    }
    problems
}

/// What `pecs audit verify` (and so a restore) will require of the pair: the append-only
/// triggers, and the key ring's audit checkpoint lying on the database's chain.
fn checkpoint(s: &Snapshot, keys: &Path) -> store::Result<Vec<String>> {
    let mut problems = Vec::new();
    if !store::audit::triggers_present(s.conn())? {
        problems.push(format!(
            "{DATABASE}: the audit log's append-only triggers are missing."
        ));
    }
    let head = store::audit::head(s.conn())?;
    match (Keyring::open_read_only(keys)?.checkpoint()?, head) {
        (None, None) => {}
        (None, Some(_)) => problems.push(format!(
            "{KEYRING} holds no audit checkpoint to compare the audit log with."
        )),
        (Some(cp), _) => {
            if store::audit::hash_at(s.conn(), cp.seq)?.as_deref() != Some(cp.hash.as_slice()) {
                problems.push(format!(
                    "The audit checkpoint in {KEYRING} (event {}) is not on the audit log of {DATABASE}: they are not from one moment.",
                    cp.seq
                ));
            }
        }
    }
    Ok(problems)
}

fn database(s: &Snapshot, manifest: &Manifest, problems: &mut Vec<String>) -> store::Result<()> {
    let bad_pages = s.cipher_problems()?;
    if !bad_pages.is_empty() {
        problems.extend(bad_pages.into_iter().map(|p| format!("{DATABASE}: {p}")));
        return Ok(());
    }
    problems.extend(
        s.structure_problems()?
            .into_iter()
            .map(|p| format!("{DATABASE}: {p}")),
    );
    let version = s.schema_version()?;
    if version != manifest.schema_version {
        problems.push(format!(
            "{DATABASE} is at schema version {version}, the manifest says {}.",
            manifest.schema_version
        ));
    }
    let counts = s.row_counts()?;
    for (table, want) in &manifest.row_counts {
        match counts.get(table) {
            Some(got) if got == want => {}
            Some(got) => problems.push(format!(
                "Table {table} has {got} rows; the manifest says {want}."
            )),
            None => problems.push(format!(
                "The manifest counts rows of a table {table} that {DATABASE} does not have."
            )),
        }
    }
    for table in counts
        .keys()
        .filter(|t| !manifest.row_counts.contains_key(*t))
    {
        problems.push(format!(
            "{DATABASE} has a table {table} whose rows the manifest does not count."
        ));
    }
    problems.extend(audit_chain(s.conn(), manifest.audit_head.as_ref())?);
    Ok(())
}

/// The chain is intact from the first event and ends at `head`.
fn audit_chain(conn: &store::Conn, head: Option<&AuditHead>) -> store::Result<Vec<String>> {
    let walk = store::audit::walk(conn, head.map(|h| h.seq))?;
    let mut problems = Vec::new();
    if let Some(b) = &walk.first_break {
        problems.push(b.to_string());
    }
    let found = walk.head.as_ref().map(|(seq, hash)| AuditHead {
        seq: *seq,
        hash: hex::encode(hash),
    });
    match (&found, head) {
        (Some(f), Some(h)) if f.seq == h.seq && f.hash != h.hash => problems.push(format!(
            "The audit log's last event {} does not have the hash the manifest gives.",
            f.seq
        )),
        _ if found.as_ref() != head => problems.push(format!(
            "The audit log ends at event {}; the manifest says {}.",
            found.as_ref().map_or(0, |h| h.seq),
            head.map_or(0, |h| h.seq)
        )),
        _ => {}
    }
    Ok(problems)
}
