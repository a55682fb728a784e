//! Writing files the user named: reports (`--output-file`), baselines and imported plans.
//!
//! A regular file is replaced atomically (a temporary file in the same folder, then a rename), so a
//! reader never sees half a file and an interrupted run leaves the old one. Anything else that
//! already exists at the path, a device such as `/dev/null` or `/dev/stdout`, or a named pipe, is
//! written straight through: renaming over it would replace the device with a regular file (and
//! as root, break `/dev/null` for every program on the machine).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written. A regular file shows nothing at its path until [`PendingFile::commit`];
/// a device or pipe receives the bytes as they are written.
pub struct PendingFile {
    path: PathBuf,
    target: Target,
}

enum Target {
    /// Renamed onto `destination` (the path with symbolic links resolved) on commit.
    Replace {
        temp: NamedTempFile,
        destination: PathBuf,
        replace_existing: bool,
    },
    /// A device or pipe, written in place.
    Direct(File),
}

impl PendingFile {
    /// Prepare to write `path`. An existing regular file is replaced only with `force`; a device
    /// or pipe is written in place whatever `force` says, since nothing stored there is lost.
    pub fn create(path: &Path, force: bool) -> Result<PendingFile, String> {
        let shown = path.display();
        let existing = match std::fs::metadata(path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot write {shown}: {e}")),
        };
        if let Some(meta) = &existing {
            if meta.is_dir() {
                return Err(format!("cannot write {shown}: it is a directory"));
            }
            if !meta.is_file() {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| format!("cannot write {shown}: {e}"))?;
                return Ok(PendingFile {
                    path: path.to_path_buf(),
                    target: Target::Direct(file),
                });
            }
            if !force {
                return Err(format!("{shown} exists; use --force to overwrite it"));
            }
        }
        // Replace what a symbolic link points at, not the link.
        let destination = match &existing {
            Some(_) => {
                std::fs::canonicalize(path).map_err(|e| format!("cannot write {shown}: {e}"))?
            }
            None => path.to_path_buf(),
        };
        let dir = match destination.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".planlint-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Keep an existing file's mode; a new file gets the usual rw-r--r--, not the
            // temporary file's owner-only mode.
            let mode = existing
                .as_ref()
                .map(|meta| meta.permissions().mode() & 0o7777)
                .unwrap_or(0o644);
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let temp = builder
            .tempfile_in(&dir)
            .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        Ok(PendingFile {
            path: path.to_path_buf(),
            target: Target::Replace {
                temp,
                destination,
                replace_existing: existing.is_some(),
            },
        })
    }

    /// A handle to write the contents through.
    pub fn writer(&self) -> Result<File, String> {
        let handle = match &self.target {
            Target::Replace { temp, .. } => temp.reopen(),
            Target::Direct(file) => file.try_clone(),
        };
        handle.map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Make the contents visible at the path.
    pub fn commit(self) -> Result<(), String> {
        let shown = self.path.display();
        match self.target {
            Target::Direct(mut file) => file
                .flush()
                .map_err(|e| format!("cannot write {shown}: {e}")),
            Target::Replace {
                temp,
                destination,
                replace_existing,
            } => {
                let result = if replace_existing {
                    temp.persist(&destination).map(|_| ())
                } else {
                    // A file that appeared since `create` is not silently overwritten.
                    temp.persist_noclobber(&destination).map(|_| ())
                };
                result.map_err(|e| match e.error.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        format!("{shown} exists; use --force to overwrite it")
                    }
                    _ => format!("cannot write {shown}: {}", e.error),
                })
            }
        }
    }
}

/// Write `bytes` to `path` as [`PendingFile`] does.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    let pending = PendingFile::create(path, force)?;
    pending
        .writer()?
        .write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    pending.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_file_is_written_and_existing_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_file(&path, b"one", false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let err = write_file(&path, b"two", false).unwrap_err();
        assert!(err.contains("--force"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_file(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), b"x", true).unwrap_err();
        assert!(err.contains("directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_at_the_replaced_file_and_modes_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, b"new", true).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let fresh = dir.path().join("fresh.txt");
        write_file(&fresh, b"x", false).unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_written_in_place_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_file(&fifo, b"through the pipe", false).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
