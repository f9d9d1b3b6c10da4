//! Files in and out of the case screens: reading a file from a path to attach (its media
//! type from the extension) or to import, and saving a document out to a path without
//! ever overwriting.

use crate::service::cases::MAX_DOCUMENT_BYTES;
use crate::service::{Result, ServiceError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file read for attaching.
pub struct Upload {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// `~/x` is the home folder's `x`; anything else is as typed.
fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn refused(text: String) -> ServiceError {
    ServiceError::Invalid(text)
}

/// Read the file at `path` for [`crate::service::cases::add_document`].
pub fn read_upload(path: &str) -> Result<Upload> {
    let (path, bytes) = read_bounded(path, MAX_DOCUMENT_BYTES)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(Upload {
        media_type: media_type(&file_name),
        file_name,
        bytes,
    })
}

/// The bytes of the file at `path` (as typed, `~/` for home) if it is at most `max`
/// bytes; anything else is one sentence and nothing read.
pub fn read_bounded(path: &str, max: usize) -> Result<(PathBuf, Vec<u8>)> {
    let path = expand(path);
    let shown = path.display().to_string();
    if shown.is_empty() {
        return Err(refused("Give the path of the file.".into()));
    }
    let meta =
        std::fs::metadata(&path).map_err(|e| refused(format!("{shown} cannot be read: {e}.")))?;
    if !meta.is_file() {
        return Err(refused(format!("{shown} is not a file.")));
    }
    if meta.len() > max as u64 {
        return Err(refused(format!(
            "{shown} is larger than {} MB: nothing was read from it.",
            max / (1024 * 1024)
        )));
    }
    let bytes =
        std::fs::read(&path).map_err(|e| refused(format!("{shown} cannot be read: {e}.")))?;
    Ok((path, bytes))
}

/// The media type for a file name's extension; unknown ones are plain bytes.
pub fn media_type(file_name: &str) -> &'static str {
    let ext = Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "tif" | "tiff" => "image/tiff",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "eml" => "message/rfc822",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The last part of a stored file name only: a name like `../../x` cannot climb out of
/// the folder it is saved into.
pub fn safe_name(file_name: &str) -> String {
    Path::new(file_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "document".into())
}

/// Write `bytes` to a new file at `path` (into it, named `file_name`, when `path` is a
/// folder), readable by its owner only. An existing file is never overwritten.
pub fn save_out(path: &str, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let out = NewFile::create(path, file_name)?;
    out.write(bytes)
}

/// A file just created for output (0600, never over an existing one), not yet written.
pub struct NewFile {
    target: PathBuf,
    file: std::fs::File,
}

impl NewFile {
    /// Create the file at `path` (or `file_name` inside it, if it is a folder).
    pub fn create(path: &str, file_name: &str) -> Result<NewFile> {
        let mut target = expand(path);
        if target.as_os_str().is_empty() {
            return Err(refused("Give a path to save to.".into()));
        }
        if target.is_dir() {
            target = target.join(safe_name(file_name));
        }
        let shown = target.display().to_string();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&target).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refused(format!(
                "There is already a file at {shown}: nothing was written. Give another path."
            )),
            _ => refused(format!("{shown} cannot be written: {e}.")),
        })?;
        Ok(NewFile { target, file })
    }

    /// Write `bytes` and sync; a failure removes the file again.
    pub fn write(mut self, bytes: &[u8]) -> Result<PathBuf> {
        if let Err(e) = self
            .file
            .write_all(bytes)
            .and_then(|()| self.file.sync_all())
        {
            self.abandon();
            return Err(refused(format!(
                "{} could not be written whole: {e}.",
                self.target.display()
            )));
        }
        Ok(self.target)
    }

    /// Nothing will be written after all: remove the empty file.
    pub fn abandon(&self) {
        let _ = std::fs::remove_file(&self.target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_names_and_no_overwrite() {
        assert_eq!(media_type("Report.PDF"), "application/pdf");
        assert_eq!(media_type("notes"), "application/octet-stream");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(".."), "document");
        let dir = tempfile::tempdir().unwrap();
        let saved = save_out(dir.path().to_str().unwrap(), "../a.txt", b"one").unwrap();
        assert_eq!(saved, dir.path().join("a.txt"));
        let again = save_out(saved.to_str().unwrap(), "a.txt", b"two").unwrap_err();
        assert!(again.to_string().contains("already a file"), "{again}");
        assert_eq!(std::fs::read(&saved).unwrap(), b"one");
        let up = read_upload(saved.to_str().unwrap()).unwrap();
        assert_eq!(
            (up.file_name.as_str(), up.media_type),
            ("a.txt", "text/plain")
        );
        assert!(read_upload(dir.path().to_str().unwrap()).is_err());
    }
}
