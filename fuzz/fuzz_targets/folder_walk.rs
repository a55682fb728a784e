#![no_main]
//! Small folder trees with plans, packs, named pipes, symbolic links (inside, outside, dangling,
//! to folders, in loops) and unreadable files, checked as `planlint check DIR` is: the run must
//! end (no pipe waited for), never panic, never echo a file outside the tree, and leave no
//! temporary file.

use std::io::Write;
use std::path::Path;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use planlint::run::{CheckOptions, Format, OutputFile};

const PLANS: &[&str] = &[
    include_str!("../../tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
    include_str!("../../tests/fixtures/plans/tangshan-city-2023.plan.toml"),
];

/// Written outside the tree; must never appear in the output.
const SECRET: &str = "secret-7f3a9c";

#[derive(Arbitrary, Debug)]
struct Tree {
    entries: Vec<Entry>,
    follow_links: bool,
    json: bool,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    /// Folder depth 0–2 and a name from a small set, so that entries meet.
    dir: u8,
    name: u8,
    kind: Kind,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Plan { which: u8, cut: u16 },
    Bytes(Vec<u8>),
    Pipe,
    LinkInside(u8),
    LinkOutside,
    LinkToFolder(u8),
    Dangling,
    Folder,
}

const NAMES: &[&str] = &[
    "a.plan.toml",
    "b.plan.toml",
    "c.rules",
    "planlint.toml",
    "d",
    "e.plan.toml",
];
const DIRS: &[&str] = &["", "sub", "sub/deeper"];

fuzz_target!(|tree: Tree| {
    let Ok(outside) = tempfile::tempdir() else {
        return;
    };
    let secret = outside.path().join("secret.plan.toml");
    let _ = std::fs::write(
        &secret,
        format!("[plan]\ntitle = \"{SECRET}\"\n{SECRET} = 1\n"),
    );
    let Ok(root) = tempfile::tempdir() else {
        return;
    };
    for entry in tree.entries.iter().take(12) {
        let dir = root.path().join(DIRS[usize::from(entry.dir) % DIRS.len()]);
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(NAMES[usize::from(entry.name) % NAMES.len()]);
        make(&path, &entry.kind, root.path(), &secret);
    }
    let mut options = CheckOptions::new(vec![root.path().to_path_buf()]);
    options.walk.follow_outside_links = tree.follow_links;
    options.allow_empty = true;
    options.format = if tree.json {
        Format::Json
    } else {
        Format::Human
    };
    options.output_files.push(OutputFile {
        format: Format::Sarif,
        path: root.path().join("report.sarif"),
    });
    let stdout = SharedVec::default();
    let mut stderr = Vec::new();
    let code = planlint::run::check(&options, Box::new(stdout.clone()), &mut stderr);
    assert!(code <= 2);
    if !tree.follow_links {
        let shown = String::from_utf8_lossy(&stdout.0.lock().unwrap()).into_owned();
        assert!(!shown.contains(SECRET), "a file outside the tree was read");
    }
    let leftovers = walk_names(root.path())
        .into_iter()
        .filter(|n| n.starts_with(".planlint-"))
        .count();
    assert_eq!(leftovers, 0, "a temporary file was left behind");
});

/// A `Write` into a Vec the caller keeps (the run takes a `'static` boxed writer).
#[derive(Clone, Default)]
struct SharedVec(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for SharedVec {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn make(path: &Path, kind: &Kind, root: &Path, secret: &Path) {
    let _ = std::fs::remove_file(path);
    match kind {
        Kind::Plan { which, cut } => {
            let text = PLANS[usize::from(*which) % PLANS.len()];
            let mut end = text.len() * usize::from(*cut) / 65_536;
            if end == 0 {
                end = text.len();
            }
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let _ = std::fs::write(path, &text[..end]);
        }
        Kind::Bytes(bytes) => {
            let _ = std::fs::write(path, bytes);
        }
        Kind::Pipe => {
            let _ = std::process::Command::new("mkfifo").arg(path).status();
        }
        Kind::LinkInside(n) => {
            let target = root.join(NAMES[usize::from(*n) % NAMES.len()]);
            let _ = std::os::unix::fs::symlink(target, path);
        }
        Kind::LinkOutside => {
            let _ = std::os::unix::fs::symlink(secret, path);
        }
        Kind::LinkToFolder(n) => {
            let _ = std::os::unix::fs::symlink(root.join(DIRS[usize::from(*n) % DIRS.len()]), path);
        }
        Kind::Dangling => {
            let _ = std::os::unix::fs::symlink(root.join("nowhere"), path);
        }
        Kind::Folder => {
            let _ = std::fs::create_dir_all(path);
        }
    }
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    names
}
