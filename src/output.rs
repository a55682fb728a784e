//! Writing files the user named: reports (`--output-file`), baselines and imported plans.
//!
//! A regular file is replaced atomically (a temporary file in the same folder, then a rename), so a
//! reader never sees half a file and a failed or interrupted run leaves the old one. Anything else
//! that already exists at the path, a device such as `/dev/null` or `/dev/stdout`, or a named
//! pipe, is written straight through: renaming over it would replace the device with a regular
//! file (and as root, break `/dev/null` for every program on the machine).
//!
//! Every write is checked. A [`Sink`] keeps the first error it meets, stops writing, and reports it
//! at the end; its temporary file is then removed and the target left as it was. Temporary files
//! carry the writer's process id (`.planlint-<pid>-*.tmp`): those of a run that was killed are
//! removed by the next write into the same folder, and those of a run interrupted by SIGINT or
//! SIGTERM by the run itself ([`remove_in_flight`]).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tempfile::NamedTempFile;

/// What may be replaced at a path that already holds a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Anything (`--force`).
    Always,
    /// Only a file planlint wrote: a report or a baseline (see [`is_planlint_output`]).
    OwnOutput,
    /// Nothing.
    Never,
}

impl Overwrite {
    pub fn from_force(force: bool, otherwise: Overwrite) -> Overwrite {
        if force {
            Overwrite::Always
        } else {
            otherwise
        }
    }
}

/// A file being written. A regular file shows nothing at its path until [`PendingFile::commit`];
/// a device or pipe receives the bytes as they are written.
pub struct PendingFile {
    path: PathBuf,
    /// Taken by `commit`; `None` only after it.
    target: Option<Target>,
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

/// Temporary files this process is writing, for [`remove_in_flight`].
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Remove the temporary files of every write in progress: called when the process is told to
/// stop (SIGINT, SIGTERM), so that an interrupted run leaves nothing behind.
pub fn remove_in_flight() {
    for path in in_flight().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// On SIGINT or SIGTERM, remove the temporary files of writes in progress and exit with 130:
/// an interrupted run leaves the old outputs and no debris. Installed once, by the command line.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        remove_in_flight();
        std::process::exit(130);
    });
}

const TEMP_PREFIX: &str = ".planlint-";
const TEMP_SUFFIX: &str = ".tmp";

impl PendingFile {
    /// Prepare to write `path`. An existing regular file is replaced as `overwrite` allows; a
    /// device or pipe is written in place whatever it says, since nothing stored there is lost.
    pub fn create(path: &Path, overwrite: Overwrite) -> Result<PendingFile, String> {
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
                    target: Some(Target::Direct(file)),
                });
            }
            let allowed = match overwrite {
                Overwrite::Always => true,
                Overwrite::OwnOutput => is_planlint_output(path),
                Overwrite::Never => false,
            };
            if !allowed {
                return Err(match overwrite {
                    Overwrite::OwnOutput => format!(
                        "{shown} exists and is not a planlint report; use --force to overwrite it"
                    ),
                    _ => format!("{shown} exists; use --force to overwrite it"),
                });
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
        remove_stale_temp_files(&dir);
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(TEMP_SUFFIX);
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
        in_flight().push(temp.path().to_path_buf());
        Ok(PendingFile {
            path: path.to_path_buf(),
            target: Some(Target::Replace {
                temp,
                destination,
                replace_existing: existing.is_some(),
            }),
        })
    }

    /// A handle to write the contents through.
    pub fn writer(&self) -> Result<File, String> {
        let handle = match &self.target {
            Some(Target::Replace { temp, .. }) => temp.reopen(),
            Some(Target::Direct(file)) => file.try_clone(),
            None => Err(std::io::Error::other("already committed")),
        };
        handle.map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// The path the contents go to, as the user named it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Make the contents visible at the path.
    pub fn commit(mut self) -> Result<(), String> {
        let shown = self.path.display().to_string();
        let Some(target) = self.target.take() else {
            return Ok(());
        };
        match target {
            Target::Direct(mut file) => file
                .flush()
                .map_err(|e| format!("cannot write {shown}: {e}")),
            Target::Replace {
                temp,
                destination,
                replace_existing,
            } => {
                let temp_path = temp.path().to_path_buf();
                // The bytes are on disk before the name points at them: a crash after the
                // rename must not leave an empty report in place of a good one.
                temp.as_file()
                    .sync_all()
                    .map_err(|e| format!("cannot write {shown}: {e}"))?;
                let result = if replace_existing {
                    temp.persist(&destination).map(|_| ())
                } else {
                    // A file that appeared since `create` is not silently overwritten.
                    temp.persist_noclobber(&destination).map(|_| ())
                };
                in_flight().retain(|p| *p != temp_path);
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

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Not committed: the temporary file goes (NamedTempFile removes it) and is no longer ours.
        if let Some(Target::Replace { temp, .. }) = &self.target {
            let path = temp.path().to_path_buf();
            in_flight().retain(|p| *p != path);
        }
    }
}

/// Remove `.planlint-<pid>-*.tmp` files in `dir` left by a planlint process that no longer runs
/// (killed mid-write). Where process ids cannot be looked up, a temporary file older than a day
/// is taken as stale.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let proc_fs = Path::new("/proc/self").exists();
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name
            .strip_prefix(TEMP_PREFIX)
            .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_file() {
            continue;
        }
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let stale = match pid {
            Some(pid) if pid == own => false,
            Some(pid) if proc_fs => !Path::new(&format!("/proc/{pid}")).exists(),
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600)),
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether the regular file at `path` is something planlint wrote and may write again without
/// `--force`: empty, a JSON or SARIF report, a baseline, or human, concise or GitHub output.
/// Only the first and last few kilobytes are read.
pub fn is_planlint_output(path: &Path) -> bool {
    const PEEK: u64 = 4096;
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return false;
    };
    if len == 0 {
        return true;
    }
    let mut head = Vec::new();
    if (&mut file).take(PEEK).read_to_end(&mut head).is_err() {
        return false;
    }
    let mut tail = Vec::new();
    if len > PEEK {
        use std::io::Seek;
        if file.seek(std::io::SeekFrom::End(-(PEEK as i64))).is_err()
            || (&mut file).take(PEEK).read_to_end(&mut tail).is_err()
        {
            return false;
        }
    } else {
        tail.clone_from(&head);
    }
    // The reviewer's outputs: a report page, the matrix as CSV, a .docx or .xlsx it made.
    if head.starts_with(b"PK\x03\x04") {
        return zip_by_planlint(path);
    }
    let head = String::from_utf8_lossy(&head);
    let tail = String::from_utf8_lossy(&tail);
    let page = head.starts_with("<!DOCTYPE html>") && head.contains(crate::report::GENERATOR);
    let matrix = head.starts_with(crate::report::CSV_HEADER_START);
    if page || matrix {
        return true;
    }
    let json_report =
        head.starts_with("{\n  \"version\": ") && head.contains("\"tool\": \"planlint\"");
    let sarif = head.starts_with("{\n  \"$schema\": ") && head.contains("planlint ran in");
    let baseline = head.starts_with("{\n  \"version\": 1,\n  \"findings\": [");
    // Human and concise output close with the summary line; GitHub output is workflow commands.
    let text = tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with("checked ") && l.contains("; packs applied: "));
    let github = head.lines().next().is_some_and(|l| {
        ["::error ", "::warning ", "::notice ", "::group::"]
            .iter()
            .any(|p| l.starts_with(p))
    });
    json_report || sarif || baseline || text || github
}

/// Write `bytes` to `path` as [`PendingFile`] does.
/// Whether a zip file (a .docx or .xlsx) says planlint made it: its core properties name
/// planlint as the creator (read bounded: a part of a few hundred bytes).
fn zip_by_planlint(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return false;
    };
    let Ok(core) = archive.by_name("docProps/core.xml") else {
        return false;
    };
    let mut text = String::new();
    if core.take(64 * 1024).read_to_string(&mut text).is_err() {
        return false;
    }
    text.contains("<dc:creator>planlint</dc:creator>")
}

pub fn write_file(path: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<(), String> {
    let pending = PendingFile::create(path, overwrite)?;
    let mut file = pending.writer()?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    pending.commit()
}

/// Where a run's output goes: standard output or a file, with every write checked.
///
/// The first failed write is kept and later writes are skipped; [`Sink::finish`] reports it and,
/// for a file, leaves the target untouched. A closed standard output (`planlint … | head`) is not
/// an error: writing just stops, as it does for other tools.
pub struct Sink {
    name: String,
    writer: std::io::BufWriter<Box<dyn Write>>,
    pending: Option<PendingFile>,
    error: Option<std::io::Error>,
    closed: bool,
    stdout: bool,
}

/// The buffer of output that no one watches as it is written (a file, a pipe): a bulk run's
/// JSON went out in 14,000 writes of 4 KB for 10,000 plans with the default 8 KB buffer (the
/// standard output's own line buffer passes every write through), in 60 with this.
const BULK_BUFFER_BYTES: usize = 1 << 20;

impl Sink {
    /// Standard output (or any writer standing in for it). Written in large pieces unless the
    /// process's standard output is a terminal, where a reader sees the findings as they come.
    pub fn stdout(writer: Box<dyn Write>) -> Sink {
        use std::io::IsTerminal;
        let capacity = if std::io::stdout().is_terminal() {
            8 * 1024
        } else {
            BULK_BUFFER_BYTES
        };
        Sink {
            name: "standard output".into(),
            writer: std::io::BufWriter::with_capacity(capacity, writer),
            pending: None,
            error: None,
            closed: false,
            stdout: true,
        }
    }

    /// A file opened for appending by the caller (the GitHub step summary), written in place.
    pub fn appending(path: &Path, writer: Box<dyn Write>) -> Sink {
        Sink {
            name: path.display().to_string(),
            writer: std::io::BufWriter::new(writer),
            pending: None,
            error: None,
            closed: false,
            stdout: false,
        }
    }

    /// A file, replaced on [`Sink::finish`] as [`PendingFile`] does.
    pub fn file(path: &Path, overwrite: Overwrite) -> Result<Sink, String> {
        let pending = PendingFile::create(path, overwrite)?;
        let file = pending.writer()?;
        Ok(Sink {
            name: path.display().to_string(),
            writer: std::io::BufWriter::with_capacity(BULK_BUFFER_BYTES, Box::new(file)),
            pending: Some(pending),
            error: None,
            closed: false,
            stdout: false,
        })
    }

    pub fn write(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    /// Text already encoded (UTF-8), as the renderers make it.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        if self.error.is_some() || self.closed || bytes.is_empty() {
            return;
        }
        if let Err(e) = self.writer.write_all(bytes) {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: std::io::Error) {
        if self.stdout && e.kind() == std::io::ErrorKind::BrokenPipe {
            self.closed = true;
        } else {
            self.error = Some(e);
        }
    }

    /// Whether a write has failed so far (a closed standard output is not a failure).
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Flush and, for a file, commit. The error names the path.
    pub fn finish(mut self) -> Result<(), String> {
        if self.error.is_none() && !self.closed {
            if let Err(e) = self.writer.flush() {
                self.fail(e);
            }
        }
        if let Some(e) = self.error.take() {
            // `pending` is dropped with `self`: its temporary file is removed.
            return Err(format!("cannot write {}: {e}", self.name));
        }
        match self.pending.take() {
            Some(pending) => pending.commit(),
            None => Ok(()),
        }
    }
}

/// The identity of an existing file (device and inode where there are such), so that an output
/// can be compared with the inputs however either was spelt, hard links included.
pub fn file_identity(path: &Path) -> Option<FileIdentity> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = &meta;
        Some(FileIdentity::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        std::fs::canonicalize(path).ok().map(FileIdentity::Path)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileIdentity {
    Inode(u64, u64),
    Path(PathBuf),
}

/// Where a path will be written, spelt one way: an existing file's canonical path, or a new
/// file's name in its folder's canonical path.
pub fn destination_key(path: &Path) -> PathBuf {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_file_is_written_and_existing_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_file(&path, b"one", Overwrite::Never).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let err = write_file(&path, b"two", Overwrite::Never).unwrap_err();
        assert!(err.contains("--force"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_file(&path, b"two", Overwrite::Always).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A writer that takes `room` bytes and then fails, as a full disk does.
    struct FillsUp {
        room: usize,
    }

    impl Write for FillsUp {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::other("No space left on device"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_report_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "{\n  \"version\": 1,\n  \"tool\": \"planlint\"\n}\n").unwrap();
        let good = std::fs::read(&path).unwrap();
        let mut sink = Sink::file(&path, Overwrite::OwnOutput).unwrap();
        // The disk fills up part-way through the new report.
        sink.writer = std::io::BufWriter::with_capacity(16, Box::new(FillsUp { room: 40 }));
        for _ in 0..100 {
            sink.write("一行又一行的结论，直到磁盘写满。\n");
        }
        assert!(sink.failed());
        let err = sink.finish().unwrap_err();
        assert!(
            err.contains("report.json") && err.contains("No space"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), good);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(!in_flight().iter().any(|p| p.starts_with(dir.path())));
    }

    #[test]
    fn own_output_is_recognised_and_other_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        assert!(is_planlint_output(&write("empty", "")));
        assert!(is_planlint_output(&write(
            "human",
            "x\nchecked 1 file: 0 errors, 0 warnings, 0 infos; packs applied: henan-2021\n"
        )));
        assert!(is_planlint_output(&write(
            "baseline",
            "{\n  \"version\": 1,\n  \"findings\": []\n}\n"
        )));
        assert!(!is_planlint_output(&write(
            "plan",
            "[plan]\ntitle = \"x\"\n"
        )));
        assert!(!is_planlint_output(&write("json", "{\"version\": 1}")));
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path(), b"x", Overwrite::Always).unwrap_err();
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
        write_file(&link, b"new", Overwrite::Always).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let fresh = dir.path().join("fresh.txt");
        write_file(&fresh, b"x", Overwrite::Never).unwrap();
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
        write_file(&fifo, b"through the pipe", Overwrite::Never).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
