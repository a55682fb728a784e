//! Helpers shared by the integration tests: running the real binary and finding the fixtures.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root, where the fixtures and packs are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, run in `dir`, without colour and outside any GitHub step.
pub fn command_in(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planlint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Run the binary in `dir`.
pub fn planlint_in(args: &[&str], dir: &Path) -> Output {
    command_in(args, dir).output().expect("the binary runs")
}

/// Run the binary in the crate's root.
pub fn planlint(args: &[&str]) -> Output {
    planlint_in(args, root())
}

/// Every `*.plan.toml` in these folders of the crate, sorted.
pub fn plan_files(dirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(root().join(dir)).expect("the folder exists") {
            let path = entry.expect("the folder is readable").path();
            if path.to_string_lossy().ends_with(".plan.toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The plans with known verdicts: the seed fixtures and every pack test plan.
pub const VERDICT_PLAN_DIRS: &[&str] = &[
    "tests/fixtures/plans",
    "rules/national/tests",
    "rules/provinces/tests",
];

/// A minimal .docx: word/document.xml with one paragraph per line; lines that start "N." are
/// written as automatically numbered paragraphs (their number not in the text), as Word does.
pub fn write_docx(path: &Path, text: &str) {
    use std::io::Write;
    let mut body = String::new();
    for line in text.lines() {
        let numbered = line.split_once('.').filter(|(n, _)| {
            !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())
        });
        let (props, content) = match numbered {
            Some((n, rest)) => (
                format!("<w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{}\"/></w:numPr></w:pPr>", 100 + n.len()),
                rest,
            ),
            None => (String::new(), line),
        };
        let escaped = content
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        body.push_str(&format!(
            "<w:p>{props}<w:r><w:t xml:space=\"preserve\">{escaped}</w:t></w:r></w:p>"
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}
