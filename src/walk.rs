//! Finding the files to read below the paths a user gave.
//!
//! A walk must end and must not wander: symbolic links to folders are not followed (a link loop
//! cannot trap it), a link to a file outside the folder being walked is skipped unless asked for
//! (a CI log is public, and such a file's lines would be printed in it), and anything that is not
//! a regular file — a named pipe, a socket, a device — is skipped with a note, since reading it
//! could block for ever or never end. A path given by name is taken as it is: the user chose it,
//! and its reader has a size limit.

use std::path::{Path, PathBuf};

/// How to walk.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// Follow links to files outside the folder being walked (`--follow-links`).
    pub follow_outside_links: bool,
}

/// A file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// Reached through a link out of the walked folder: its text is not echoed in output.
    pub outside: bool,
}

/// What a walk found, skipped and could not read.
#[derive(Debug, Default)]
pub struct Walk {
    /// Sorted by path.
    pub files: Vec<Found>,
    /// Files of the right name that were not taken, with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Folders that could not be listed.
    pub problems: Vec<(PathBuf, std::io::Error)>,
}

/// Files below `path` whose name ends in `suffix` (e.g. `.plan.toml`), or `path` itself if it is
/// not a folder. An error only when `path` itself cannot be looked at.
pub fn collect(path: &Path, suffix: &str, options: WalkOptions) -> std::io::Result<Walk> {
    let meta = std::fs::metadata(path)?;
    let mut walk = Walk::default();
    if !meta.is_dir() {
        walk.files.push(Found {
            path: path.to_path_buf(),
            outside: false,
        });
        return Ok(walk);
    }
    let root = std::fs::canonicalize(path)?;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                walk.problems.push((dir, e));
                continue;
            }
        };
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(p);
                continue;
            }
            let named = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix));
            if !named {
                continue;
            }
            if kind.is_file() {
                walk.files.push(Found {
                    path: p,
                    outside: false,
                });
            } else if kind.is_symlink() {
                match link_target(&p, &root) {
                    // A dangling link is read, and its error reported with the other files.
                    LinkTarget::Dangling => walk.files.push(Found {
                        path: p,
                        outside: false,
                    }),
                    LinkTarget::NotAFile => walk
                        .skipped
                        .push((p, "a link to something that is not a regular file".into())),
                    LinkTarget::Inside => walk.files.push(Found {
                        path: p,
                        outside: false,
                    }),
                    LinkTarget::Outside if options.follow_outside_links => walk.files.push(Found {
                        path: p,
                        outside: true,
                    }),
                    LinkTarget::Outside => walk.skipped.push((
                        p,
                        format!(
                            "a link to a file outside {} (pass --follow-links to check it)",
                            path.display()
                        ),
                    )),
                }
            } else {
                walk.skipped.push((
                    p,
                    "not a regular file (a pipe, socket or device); name it on the command line to read it".into(),
                ));
            }
        }
    }
    walk.files.sort_by(|a, b| a.path.cmp(&b.path));
    walk.skipped.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(walk)
}

enum LinkTarget {
    Dangling,
    NotAFile,
    Inside,
    Outside,
}

fn link_target(link: &Path, root: &Path) -> LinkTarget {
    let Ok(target) = std::fs::canonicalize(link) else {
        return LinkTarget::Dangling;
    };
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return LinkTarget::NotAFile,
        Err(_) => return LinkTarget::Dangling,
    }
    if target.starts_with(root) {
        LinkTarget::Inside
    } else {
        LinkTarget::Outside
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn names(files: &[Found]) -> Vec<String> {
        files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn special_files_and_outside_links_are_skipped_with_a_reason() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "password").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.plan.toml"), "").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/b.plan.toml"), "").unwrap();
        std::os::unix::fs::symlink(root.join("sub/b.plan.toml"), root.join("c.plan.toml")).unwrap();
        std::os::unix::fs::symlink(&secret, root.join("d.plan.toml")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("e.plan.toml")).unwrap();
        let fifo = root.join("f.plan.toml");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let walk = collect(root, ".plan.toml", WalkOptions::default()).unwrap();
        assert_eq!(
            names(&walk.files),
            ["a.plan.toml", "c.plan.toml", "b.plan.toml"]
        );
        let skipped: Vec<String> = walk
            .skipped
            .iter()
            .map(|(p, why)| format!("{}: {why}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped[0].starts_with("d.plan.toml: a link to a file outside"));
        assert!(skipped[1].starts_with("e.plan.toml: a link to something"));
        assert!(skipped[2].starts_with("f.plan.toml: not a regular file"));

        let followed = collect(
            root,
            ".plan.toml",
            WalkOptions {
                follow_outside_links: true,
            },
        )
        .unwrap();
        let d = followed
            .files
            .iter()
            .find(|f| f.path.ends_with("d.plan.toml"))
            .unwrap();
        assert!(d.outside);
    }
}
