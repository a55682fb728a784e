//! The reviewer's desk: `planlint report` (one plan's HTML report, or a folder's pages with the
//! coverage matrix as HTML, CSV and .xlsx) and `planlint opinion` (a draft 审核意见 as .docx).
//! Both check through the same library path as `check` (run::make_checker, check_path) with
//! coverage on; `planlint serve` renders the same pages from memory.
//!
//! Exit codes: 0 when everything asked for was written, 2 when an input could not be checked or
//! an output not written. Findings do not change the code: the report is the answer.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::output::{write_file, Overwrite};
use crate::report::{
    render_human, render_index_html, render_matrix_csv, render_matrix_xlsx, render_opinion_docx,
    render_report_html, HumanOptions, MatrixRow,
};
use crate::run::{load_config, make_checker, Unprepared, EXIT_CLEAN, EXIT_UNCHECKABLE};
use crate::walk::WalkOptions;
use crate::{Checker, FileReport};

/// What `report` and `opinion` are asked to do.
#[derive(Clone, Debug, Default)]
pub struct DeskOptions {
    /// A plan file, a document, or (for `report`) a folder of them.
    pub path: PathBuf,
    /// Where to write; `-` for standard output; none: standard output for a single report.
    pub output: Option<PathBuf>,
    /// Replace existing files that planlint did not write.
    pub force: bool,
    pub config: Option<PathBuf>,
    pub rule_dirs: Vec<PathBuf>,
    pub packs: Vec<String>,
}

/// The suffixes a folder report reads: plan files and the documents reviewers receive.
pub const FOLDER_INPUTS: &[&str] = &[
    ".plan.toml",
    ".txt",
    ".docx",
    ".pdf",
    ".html",
    ".htm",
    ".shtml",
    ".doc",
    ".wps",
];

/// The checker for the desk: the run's, with coverage on. On failure, the message was said.
fn desk_checker(options: &DeskOptions, stderr: &mut dyn Write) -> Result<Checker<'static>, u8> {
    reviewer_checker(
        options.config.as_deref(),
        &options.path,
        &options.rule_dirs,
        &options.packs,
        stderr,
    )
}

/// The checker the reviewer's doors share (`report`, `opinion`, `serve`): the configuration
/// named or found from `start`, the packs, coverage on. Problems are said on `stderr`; the
/// error is the exit code.
pub(crate) fn reviewer_checker(
    config: Option<&Path>,
    start: &Path,
    rule_dirs: &[PathBuf],
    packs: &[String],
    stderr: &mut dyn Write,
) -> Result<Checker<'static>, u8> {
    let mut say = |text: &str| {
        let _ = writeln!(stderr, "{text}");
    };
    let config = match load_config(config, start) {
        Ok(c) => c,
        Err(report) => {
            say(render_human(&[report], HumanOptions::default()).trim_end());
            return Err(EXIT_UNCHECKABLE);
        }
    };
    let mut notes = Vec::new();
    let made = make_checker(config, rule_dirs, packs, &mut notes);
    for note in notes {
        say(&format!("note: {note}"));
    }
    match made {
        Ok(mut checker) => {
            checker.coverage = true;
            Ok(checker)
        }
        Err(Unprepared::Reports(reports)) => {
            say(render_human(&reports, HumanOptions::default()).trim_end());
            Err(EXIT_UNCHECKABLE)
        }
        Err(Unprepared::Message(m)) => {
            say(&format!("error: {m}"));
            Err(EXIT_UNCHECKABLE)
        }
    }
}

/// Check one file for the desk; a file that could not be checked is said, and `None`.
fn checked(path: &Path, checker: &Checker<'_>, stderr: &mut dyn Write) -> Option<FileReport> {
    let report = crate::check_path(path, &path.display().to_string(), checker);
    if report.is_fatal() {
        let _ = writeln!(
            stderr,
            "{}",
            render_human(&[report], HumanOptions::default()).trim_end()
        );
        return None;
    }
    Some(report)
}

fn to_stdout(bytes: &[u8], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_CLEAN,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot write standard output: {e}");
            EXIT_UNCHECKABLE
        }
    }
}

/// An output that is the input is refused, even with `--force`: the reviewer's draft is kept.
fn is_input(output: &Path, input: &Path) -> bool {
    match (
        crate::output::file_identity(output),
        crate::output::file_identity(input),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn write_out(path: &Path, bytes: &[u8], force: bool, stderr: &mut dyn Write) -> bool {
    match write_file(
        path,
        bytes,
        Overwrite::from_force(force, Overwrite::OwnOutput),
    ) {
        Ok(()) => true,
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            false
        }
    }
}

fn summary(report: &FileReport) -> String {
    use crate::coverage::Status;
    use crate::diagnostic::Severity;
    let mut s = format!(
        "{} errors, {} warnings, {} infos",
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info)
    );
    if let Some(c) = &report.coverage {
        s.push_str(&format!(
            "; 已落实 {}, 部分落实 {}, 缺失 {}, 按上级调整 {}",
            c.count(Status::Met),
            c.count(Status::Partial),
            c.count(Status::Missing),
            c.count(Status::Adjusted)
        ));
    }
    s
}

/// `planlint report PATH [-o OUT]`.
pub fn report(options: &DeskOptions, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let checker = match desk_checker(options, stderr) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if options.path.is_dir() {
        return report_folder(options, &checker, stderr);
    }
    if let Some(out) = options
        .output
        .as_deref()
        .filter(|o| is_input(o, &options.path))
    {
        let _ = writeln!(
            stderr,
            "error: {} is the plan being checked; write the report elsewhere",
            out.display()
        );
        return EXIT_UNCHECKABLE;
    }
    let Some(report) = checked(&options.path, &checker, stderr) else {
        return EXIT_UNCHECKABLE;
    };
    let html = render_report_html(&report, checker.registry);
    match &options.output {
        None => to_stdout(html.as_bytes(), stdout, stderr),
        Some(p) if p == Path::new("-") => to_stdout(html.as_bytes(), stdout, stderr),
        Some(path) => {
            if !write_out(path, html.as_bytes(), options.force, stderr) {
                return EXIT_UNCHECKABLE;
            }
            let _ = writeln!(stderr, "wrote {}: {}", path.display(), summary(&report));
            EXIT_CLEAN
        }
    }
}

/// A page's file name for a plan, from its path below the folder: readable, unique, safe.
fn page_name(relative: &Path, taken: &mut Vec<String>) -> String {
    let stem: String = relative
        .to_string_lossy()
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() || c == ':' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let mut name = format!("{stem}.html");
    let mut n = 2;
    while taken.contains(&name) || name == "index.html" {
        name = format!("{stem}-{n}.html");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn report_folder(options: &DeskOptions, checker: &Checker<'_>, stderr: &mut dyn Write) -> u8 {
    let Some(out_dir) = options.output.clone().filter(|p| p != Path::new("-")) else {
        let _ = writeln!(
            stderr,
            "error: a folder's report is several files: give the folder to write them to with -o DIR"
        );
        return EXIT_UNCHECKABLE;
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    match crate::run::walk_inputs(&options.path, FOLDER_INPUTS, WalkOptions::default()) {
        Ok(walk) => {
            crate::run::note_skipped(&walk, &mut notes);
            for (p, e) in &walk.problems {
                notes.push(format!("cannot read {}: {e}", p.display()));
            }
            files.extend(walk.files.into_iter().map(|f| f.path));
        }
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot read {}: {e}", options.path.display());
            return EXIT_UNCHECKABLE;
        }
    }
    // Pages already written into the output folder are not inputs.
    if let Ok(out) = std::fs::canonicalize(&out_dir) {
        files.retain(|f| std::fs::canonicalize(f).map_or(true, |c| !c.starts_with(&out)));
    }
    files.sort();
    files.dedup();
    for note in notes {
        let _ = writeln!(stderr, "note: {note}");
    }
    if files.is_empty() {
        let _ = writeln!(
            stderr,
            "error: no plans or documents ({}) under {}",
            FOLDER_INPUTS.join(", "),
            options.path.display()
        );
        return EXIT_UNCHECKABLE;
    }
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        let _ = writeln!(stderr, "error: cannot make {}: {e}", out_dir.display());
        return EXIT_UNCHECKABLE;
    }
    let reports: Vec<FileReport> = files
        .par_iter()
        .map(|p| crate::check_path(p, &p.display().to_string(), checker))
        .collect();
    let mut taken = Vec::new();
    let mut rows = Vec::new();
    let mut failed: Vec<&FileReport> = Vec::new();
    let mut ok = true;
    // `par_iter().map().collect()` keeps the order: each report is its file's.
    for (path, report) in files.iter().zip(&reports) {
        if report.is_fatal() {
            failed.push(report);
            continue;
        }
        let relative = path.strip_prefix(&options.path).unwrap_or(path);
        let page = page_name(relative, &mut taken);
        let html = render_report_html(report, checker.registry);
        ok &= write_out(&out_dir.join(&page), html.as_bytes(), options.force, stderr);
        rows.push(MatrixRow { report, page });
    }
    let index = render_index_html(&rows, &failed);
    ok &= write_out(
        &out_dir.join("index.html"),
        index.as_bytes(),
        options.force,
        stderr,
    );
    let csv = render_matrix_csv(&rows);
    ok &= write_out(
        &out_dir.join("coverage.csv"),
        csv.as_bytes(),
        options.force,
        stderr,
    );
    match render_matrix_xlsx(&rows) {
        Ok(bytes) => {
            ok &= write_out(
                &out_dir.join("coverage.xlsx"),
                &bytes,
                options.force,
                stderr,
            )
        }
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            ok = false;
        }
    }
    for r in &failed {
        let why = r.findings.first().map(|f| &*f.message).unwrap_or("");
        let _ = writeln!(stderr, "not checked: {}: {why}", r.source.name);
    }
    let _ = writeln!(
        stderr,
        "wrote {}: {} plans ({} not checked), index.html, coverage.csv, coverage.xlsx",
        out_dir.display(),
        rows.len(),
        failed.len()
    );
    if ok && failed.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_UNCHECKABLE
    }
}

/// `planlint opinion FILE -o 审核意见.docx`.
pub fn opinion(options: &DeskOptions, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    if options.path.is_dir() {
        let _ = writeln!(
            stderr,
            "error: an opinion answers one plan; give a plan file or a document, not a folder"
        );
        return EXIT_UNCHECKABLE;
    }
    let Some(output) = &options.output else {
        let _ = writeln!(
            stderr,
            "error: give the .docx to write with -o FILE (or -o - for standard output)"
        );
        return EXIT_UNCHECKABLE;
    };
    if is_input(output, &options.path) {
        let _ = writeln!(
            stderr,
            "error: {} is the plan being checked; write the opinion elsewhere",
            output.display()
        );
        return EXIT_UNCHECKABLE;
    }
    let checker = match desk_checker(options, stderr) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(report) = checked(&options.path, &checker, stderr) else {
        return EXIT_UNCHECKABLE;
    };
    let bytes = match render_opinion_docx(&report, checker.registry) {
        Ok(b) => b,
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            return EXIT_UNCHECKABLE;
        }
    };
    if output == Path::new("-") {
        return to_stdout(&bytes, stdout, stderr);
    }
    if !write_out(output, &bytes, options.force, stderr) {
        return EXIT_UNCHECKABLE;
    }
    let _ = writeln!(stderr, "wrote {}: {}", output.display(), summary(&report));
    EXIT_CLEAN
}
