//! Files and folders with owner-only permissions: the data dir is 0700, its files 0600.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Create a new, empty file readable by the owner only; fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The process umask may have removed bits, never added them; make the mode exact.
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

/// `NotFound` with the path when `path` is not an existing file.
pub fn require_file(path: &Path) -> io::Result<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} does not exist", path.display()),
        ))
    }
}

/// Create the data dir (and parents) with mode 0700, or tighten an existing one.
pub fn ensure_private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}
