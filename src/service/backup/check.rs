//! Verifying one backup: the manifest reads, every file has the size and SHA-256 the
//! manifest gives, the key ring is a sound SQLite file, and the database opens with the
//! key, has no page whose HMAC fails, no damaged b-tree, the manifest's schema version and
//! row counts, and an intact audit chain that ends exactly at the manifest's head.

use super::disk::{self, AuditHead, DATABASE, FILES, KEYRING, Manifest};
use crate::crypto::DataKey;
use crate::store::snapshot::Snapshot;
use crate::store::{self, StoreError};
use std::path::Path;

/// Every problem with the backup in `dir` (empty: it verified).
pub fn backup(dir: &Path, key: &DataKey) -> Vec<String> {
    let manifest = match disk::read_manifest(dir) {
        Ok(m) => m,
        Err(problem) => return vec![problem],
    };
    let problems = files_match(dir, &manifest);
    if !problems.is_empty() {
        return problems;
    }
    contents(&dir.join(DATABASE), &dir.join(KEYRING), &manifest, key)
}

/// Each file of the manifest is there with its size and hash: all a byte-for-byte copy
/// of a verified backup needs.
pub fn files_match(dir: &Path, manifest: &Manifest) -> Vec<String> {
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
    problems
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
        let got = counts.get(table).copied().unwrap_or(0);
        if got != *want {
            problems.push(format!(
                "Table {table} has {got} rows; the manifest says {want}."
            ));
        }
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
    if found.as_ref() != head {
        problems.push(format!(
            "The audit log ends at event {}; the manifest says {}.",
            found.map_or(0, |h| h.seq),
            head.map_or(0, |h| h.seq)
        ));
    }
    Ok(problems)
}
