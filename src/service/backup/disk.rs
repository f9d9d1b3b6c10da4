//! Backups as directories on disk: their names (`pecs-YYYYMMDDTHHMMSSZ`, UTC), the
//! `MANIFEST.json` that describes each and the MAC that seals it, the verification stamp
//! written beside it, and the careful file work (hash while reading, write then fsync, rename into place).

use crate::crypto::DataKey;
use crate::domain::Millis;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "MANIFEST.json";
/// The manifest's MAC: HMAC-SHA-256 of its exact bytes (hex) under a key derived from
/// the data key, so no byte of it can change, and no manifest be written, without the key.
pub const MANIFEST_MAC: &str = "MANIFEST.mac";
const MAC_PURPOSE: &str = "pecs backup manifest";
/// The manifest format this program writes and understands (2: with its MAC).
pub const FORMAT: u32 = 2;
pub const STAMP: &str = "verification.json";
pub const DATABASE: &str = "pecs.db";
pub const KEYRING: &str = "pecs.keys";
/// The files a backup holds besides its manifest and stamp.
pub const FILES: [&str; 2] = [DATABASE, KEYRING];
/// A backup being written or copied: never listed as a backup, never restored.
pub const PARTIAL: &str = ".partial-";
const PREFIX: &str = "pecs-";
const NAME_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// What a backup contains, written last and checked first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub name: String,
    pub created_at: String,
    pub created_at_ms: i64,
    pub program_version: String,
    pub schema_version: i64,
    pub files: BTreeMap<String, FileEntry>,
    pub row_counts: BTreeMap<String, i64>,
    pub audit_head: Option<AuditHead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The result of the last verification of one backup copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub at_ms: i64,
    pub at: String,
    pub ok: bool,
    pub problems: Vec<String>,
}

/// The directory name of a backup made at `at`.
pub fn name_at(at: Millis) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at.0)
        .map(|t| format!("{PREFIX}{}", t.format(NAME_FORMAT)))
        .unwrap_or_else(|| format!("{PREFIX}{}", at.0))
}

/// When the backup called `name` was made, if `name` is a backup's name.
pub fn time_of(name: &str) -> Option<Millis> {
    let stamp = name.strip_prefix(PREFIX)?;
    let t = chrono::NaiveDateTime::parse_from_str(stamp, NAME_FORMAT).ok()?;
    Some(Millis(t.and_utc().timestamp_millis()))
}

/// One complete backup found in a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub name: String,
    pub at: Millis,
    pub path: PathBuf,
    pub stamp: Option<Stamp>,
}

/// The complete backups in `dir`, oldest first, and the names of partial ones.
pub fn list(dir: &Path) -> io::Result<(Vec<Found>, Vec<String>)> {
    let mut found = Vec::new();
    let mut partial = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        if name.starts_with(PARTIAL) {
            partial.push(name);
        } else if let Some(at) = time_of(&name) {
            let path = entry.path();
            found.push(Found {
                stamp: read_stamp(&path),
                name,
                at,
                path,
            });
        }
    }
    found.sort_by_key(|f| f.at);
    partial.sort();
    Ok((found, partial))
}

fn read_stamp(dir: &Path) -> Option<Stamp> {
    let text = fs::read(dir.join(STAMP)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Record a verification beside the backup (replacing the last one, atomically).
pub fn write_stamp(dir: &Path, stamp: &Stamp) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(stamp).map_err(io::Error::other)?;
    let tmp = dir.join(format!("{STAMP}.tmp"));
    let _ = fs::remove_file(&tmp);
    write_new(&tmp, &bytes)?;
    fs::rename(&tmp, dir.join(STAMP))?;
    sync_dir(dir)
}

/// The manifest in `dir` and the exact bytes it was read from (read once: the MAC is
/// checked against the same bytes that were parsed).
pub fn read_manifest(dir: &Path) -> Result<(Manifest, Vec<u8>), String> {
    let bytes =
        fs::read(dir.join(MANIFEST)).map_err(|e| format!("{MANIFEST} cannot be read: {e}"))?;
    let manifest =
        serde_json::from_slice(&bytes).map_err(|e| format!("{MANIFEST} is corrupt: {e}"))?;
    Ok((manifest, bytes))
}

/// Write the manifest and its MAC.
pub fn write_manifest(dir: &Path, m: &Manifest, key: &DataKey) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(m).map_err(io::Error::other)?;
    write_new(&dir.join(MANIFEST), &bytes)?;
    let mut tag = hex::encode(key.mac(MAC_PURPOSE, &bytes));
    tag.push('\n');
    write_new(&dir.join(MANIFEST_MAC), tag.as_bytes())
}

/// Why the manifest `bytes` read from `dir` are not, byte for byte, a manifest written
/// with `key`; `None` when the MAC beside them proves they are.
pub fn manifest_not_authentic(dir: &Path, bytes: &[u8], key: &DataKey) -> Option<String> {
    let tag = match fs::read_to_string(dir.join(MANIFEST_MAC)) {
        Ok(tag) => tag,
        Err(e) => return Some(format!("{MANIFEST_MAC} cannot be read: {e}.")),
    };
    match hex::decode(tag.trim_end_matches('\n')) {
        Ok(tag) if key.verify_mac(MAC_PURPOSE, bytes, &tag) => None,
        _ => Some(format!(
            "{MANIFEST} does not match its MAC in {MANIFEST_MAC}: one of them was changed, or they are from another installation."
        )),
    }
}

/// Size and SHA-256 (hex) of a file, read once.
pub fn hash_file(path: &Path) -> io::Result<FileEntry> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok(FileEntry {
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// A new directory, mode 0700 (fails if it exists).
pub fn make_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().mode(0o700).create(path)
}

/// A new file (0600) holding `bytes`, on disk before this returns.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Copy `from` to the new file `to` (0600), on disk before this returns.
pub fn copy_synced(from: &Path, to: &Path) -> io::Result<()> {
    let mut src = File::open(from)?;
    let mut dst = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)?;
    io::copy(&mut src, &mut dst)?;
    dst.sync_all()
}

/// fsync a file written by someone else (SQLite's `VACUUM INTO`), and fix its mode.
pub fn sync_file(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    File::open(path)?.sync_all()
}

/// fsync a directory, so the names in it (a rename) survive a power cut.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Free space, in MiB, of the file system holding `path`.
pub fn free_mib(path: &Path) -> io::Result<u64> {
    let st = rustix::fs::statvfs(path).map_err(io::Error::from)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize) / (1024 * 1024))
}
