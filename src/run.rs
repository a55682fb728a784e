//! A check run, from the paths a user gave to the outputs written and the exit code: the one
//! path the command line (and every other door) takes.
//!
//! The contract (docs/robustness.md): exit 0 clean, 1 findings, 2 when something could not be
//! checked or written. Nothing the run reads is written over; an existing file that planlint did
//! not write is replaced only with `force`; every write is checked, and a failed one leaves its
//! target as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Finding, Severity};
use crate::output::{destination_key, file_identity, write_file, Overwrite, Sink};
use crate::report::{
    render_github, render_human, render_json, render_sarif, summary_close, summary_header,
    summary_rows, Baseline, BaselineIndex, HumanOptions, JsonVersion, OutputFormat, ReportStream,
};
use crate::rules::{PackError, Registry};
use crate::source::{SourceFile, Span};
use crate::walk::{Walk, WalkOptions};
use crate::{Checker, FileReport};

/// Exit codes: the contract with CI.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_UNCHECKABLE: u8 = 2;

/// Rule packs larger than this are refused: the national pack is 30 KB.
pub const MAX_PACK_BYTES: u64 = 4 * 1024 * 1024;

/// An output format of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

/// A further output of a run: `--output-file FORMAT=PATH`.
#[derive(Clone, Debug)]
pub struct OutputFile {
    pub format: Format,
    pub path: PathBuf,
}

/// Everything a check run is asked to do.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Plan files, documents or folders.
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Colour, width and quietness of human output, as the caller's terminal allows.
    pub human: HumanOptions,
    pub exit_zero: bool,
    pub statistics: bool,
    pub allow_empty: bool,
    pub deny_warnings: bool,
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Packs applied instead of those chosen by the plan's period, level and region.
    pub packs: Vec<String>,
    pub config: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub output_files: Vec<OutputFile>,
    pub rule_dirs: Vec<PathBuf>,
    /// Replace existing files that planlint did not write.
    pub force: bool,
    /// JSON output carries each plan's coverage (off by default: it costs a third more time).
    pub coverage: bool,
    /// The JSON output's version (docs/output.md): 2, or 1 for a release.
    pub json_version: JsonVersion,
    /// Folders are searched for documents (.txt, .docx) as well as plan files.
    pub documents: bool,
    /// The name standard input (`-` among the paths) is shown under, and whose extension says
    /// what it is: a plan (`.toml`, also when no name is given) or a document (`.txt`, `.docx`).
    pub stdin_filename: Option<String>,
    pub walk: WalkOptions,
}

impl CheckOptions {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        CheckOptions {
            paths,
            format: Format::Human,
            human: HumanOptions::default(),
            exit_zero: false,
            statistics: false,
            allow_empty: false,
            deny_warnings: false,
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: Vec::new(),
            packs: Vec::new(),
            config: None,
            baseline: None,
            write_baseline: None,
            output_files: Vec::new(),
            rule_dirs: Vec::new(),
            force: false,
            coverage: false,
            json_version: JsonVersion::default(),
            documents: false,
            stdin_filename: None,
            walk: WalkOptions::default(),
        }
    }
}

/// The documents a folder holds that `--documents` reads besides plan files.
pub const DOCUMENT_SUFFIXES: &[&str] = &[
    ".txt", ".docx", ".pdf", ".html", ".htm", ".shtml", ".doc", ".wps",
];

/// Whether `file` lies in the folder of a saved page's parts (`页面_files` or `页面.files` beside
/// `页面.html` or `页面.htm`) below `root`.
fn is_saved_page_part(root: &Path, file: &Path) -> bool {
    let Ok(inside) = file.strip_prefix(root) else {
        return false;
    };
    let mut folder = root.to_path_buf();
    for part in inside.parent().into_iter().flat_map(|p| p.components()) {
        let name = part.as_os_str().to_string_lossy();
        let stem = name
            .strip_suffix("_files")
            .or_else(|| name.strip_suffix(".files"));
        if let Some(stem) = stem {
            if ["html", "htm"]
                .iter()
                .any(|ext| folder.join(format!("{stem}.{ext}")).is_file())
            {
                return true;
            }
        }
        folder.push(part);
    }
    false
}

/// The files below `path` with any of the suffixes (a file named directly, whatever it is), in
/// a stable order.
pub fn walk_inputs(path: &Path, suffixes: &[&str], options: WalkOptions) -> std::io::Result<Walk> {
    if !path.is_dir() {
        return crate::walk::collect(path, suffixes[0], options);
    }
    let mut all = Walk::default();
    for suffix in suffixes {
        let walk = crate::walk::collect(path, suffix, options)?;
        all.files.extend(walk.files);
        all.skipped.extend(walk.skipped);
        all.problems.extend(walk.problems);
    }
    // A page saved "complete" keeps its images, scripts and frames in a folder beside it
    // (页面_files): those are the page's parts, not documents.
    all.files.retain(|f| !is_saved_page_part(path, &f.path));
    all.files.sort_by(|a, b| a.path.cmp(&b.path));
    all.files.dedup_by(|a, b| a.path == b.path);
    all.skipped.sort();
    all.skipped.dedup();
    all.problems.sort_by(|a, b| a.0.cmp(&b.0));
    all.problems.dedup_by(|a, b| a.0 == b.0);
    Ok(all)
}

/// Why a checker could not be made: pack errors to show as reports, or a message.
pub enum Unprepared {
    Reports(Vec<FileReport>),
    Message(String),
}

/// The checker of a run: the packs (built-in, under `rule_dirs` and the configuration's), the
/// configuration, and any packs forced by id. Shared by `check`, `report`, `opinion` and
/// `serve`, so that every door checks with the same packs and settings.
pub fn make_checker(
    config: Config,
    rule_dirs: &[PathBuf],
    packs: &[String],
    notes: &mut Vec<String>,
) -> Result<Checker<'static>, Unprepared> {
    let mut dirs = rule_dirs.to_vec();
    dirs.extend(config.rule_dirs.iter().cloned());
    let registry = load_registry(&dirs, notes).map_err(Unprepared::Reports)?;
    check_config_ids(&config, registry).map_err(Unprepared::Message)?;
    let mut checker = Checker {
        registry,
        forced: Vec::new(),
        config,
        coverage: false,
    };
    for id in packs {
        match registry.get(id) {
            Some(pack) => checker.forced.push(Arc::clone(pack)),
            None => {
                let known: Vec<&str> = registry.packs().map(|p| p.id.as_str()).collect();
                let hint = registry.pack_hint(id);
                return Err(Unprepared::Message(format!(
                    "unknown pack `{id}`.{hint} Packs: {}",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(checker)
}

/// Built-in packs plus those below `rule_dirs`; on error, the reports to print instead. Notes
/// on files skipped while walking go to `notes`. The registry lives for the whole process.
pub fn load_registry(
    rule_dirs: &[PathBuf],
    notes: &mut Vec<String>,
) -> Result<&'static Registry, Vec<FileReport>> {
    if rule_dirs.is_empty() {
        return Registry::builtin()
            .as_ref()
            .map_err(|errors| pack_reports(errors.clone()));
    }
    let mut sources = Vec::new();
    let mut failures = Vec::new();
    for dir in rule_dirs {
        let walk = match crate::walk::collect(dir, ".rules", WalkOptions::default()) {
            Ok(walk) => walk,
            Err(e) => {
                failures.push(io_report(dir, &e));
                continue;
            }
        };
        note_skipped(&walk, notes);
        failures.extend(walk.problems.iter().map(|(p, e)| io_report(p, e)));
        for found in walk.files {
            let file = found.path;
            let name = file.display().to_string();
            match crate::source::read_limited(&file, MAX_PACK_BYTES) {
                Ok(bytes) => match SourceFile::decode(&bytes) {
                    Ok(text) => sources.push(SourceFile::with_path(name, &file, text)),
                    Err(_) => failures.push(report_of(
                        SourceFile::new(name, ""),
                        Finding::input_error(
                            "rules/encoding",
                            "rule pack is not UTF-8 text",
                            Span::default(),
                            "unreadable",
                        ),
                    )),
                },
                Err(crate::source::ReadError::TooLarge { limit }) => failures.push(report_of(
                    SourceFile::new(name.clone(), ""),
                    Finding::input_error(
                        "rules/too-large",
                        format!(
                            "{name} is larger than {}; no rule pack is",
                            crate::source::human_size(limit)
                        ),
                        Span::default(),
                        "not read",
                    ),
                )),
                Err(crate::source::ReadError::Io(e)) => failures.push(io_report(&file, &e)),
            }
        }
    }
    if !failures.is_empty() {
        return Err(failures);
    }
    Registry::with_builtin(sources)
        .map(|r| &*Box::leak(Box::new(r)))
        .map_err(pack_reports)
}

/// `note: skipped …` lines for what a walk left out.
pub fn note_skipped(walk: &Walk, notes: &mut Vec<String>) {
    for (path, why) in &walk.skipped {
        notes.push(format!("skipped {}: {why}", path.display()));
    }
}

fn pack_reports(errors: Vec<PackError>) -> Vec<FileReport> {
    errors
        .into_iter()
        .map(|e| report_of(e.source, *e.finding))
        .collect()
}

/// A report holding one finding.
pub fn report_of(source: Arc<SourceFile>, finding: Finding) -> FileReport {
    FileReport::of(source, vec![finding])
}

/// A report for a path that could not be read.
pub fn io_report(path: &Path, e: &std::io::Error) -> FileReport {
    let name = path.display().to_string();
    report_of(
        SourceFile::new(name.clone(), ""),
        Finding::input_error(
            "io/read",
            format!("cannot read {name}: {e}"),
            Span::default(),
            "unreadable",
        ),
    )
}

/// The configuration for a run: `explicit`, or the nearest planlint.toml above `start`.
pub fn load_config(explicit: Option<&Path>, start: &Path) -> Result<Config, FileReport> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Config::discover(start),
    };
    // A planlint.toml found (not named) that links out of its folder is not read: its errors
    // would print another file's lines into a public CI log.
    if let (None, Some(found)) = (explicit, &path) {
        let folder = found.parent().and_then(|d| std::fs::canonicalize(d).ok());
        let target = std::fs::canonicalize(found).ok();
        if let (Some(folder), Some(target)) = (folder, target) {
            if !target.starts_with(&folder) {
                let name = found.display().to_string();
                return Err(report_of(
                    SourceFile::new(name.clone(), ""),
                    Finding::input_error(
                        "config/read",
                        format!("{name} is a link to a file outside its folder; it is not read"),
                        Span::default(),
                        "not read",
                    )
                    .with_help("name it with --config to use it"),
                ));
            }
        }
    }
    match path {
        None => Ok(Config::default()),
        Some(p) => Config::load(&p).map_err(|(source, finding)| report_of(source, finding)),
    }
}

/// Rule and pack ids a configuration names must exist.
fn check_config_ids(config: &Config, registry: &Registry) -> Result<(), String> {
    let where_ = config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    // `select` and `ignore` may also come from --select/--extend-select/--ignore.
    let selected_where = match &config.path {
        Some(p) => format!("{} or the command line", p.display()),
        None => "the command line".to_owned(),
    };
    for id in config.add_packs.iter().chain(&config.exclude_packs) {
        if registry.get(id).is_none() {
            return Err(format!(
                "{where_}: unknown pack `{id}` (`planlint rules` lists them)"
            ));
        }
    }
    for id in config.select.iter().chain(&config.ignore) {
        if !id.contains('/') && registry.get(id).is_some() {
            continue; // a pack id selects or ignores all its rules
        }
        if registry.rule(id).is_none() && id != "plan/unknown-key" {
            let hint = registry.rule_hint(id);
            return Err(format!(
                "{selected_where}: unknown rule or pack `{id}`.{hint} `planlint rules` lists them."
            ));
        }
    }
    for id in config.severity.iter().map(|(id, _)| id) {
        if registry.rule(id).is_none() && id != "plan/unknown-key" {
            let hint = registry.rule_hint(id);
            return Err(format!("{where_}: unknown rule `{id}`.{hint}"));
        }
    }
    Ok(())
}

fn output_format(format: Format, options: HumanOptions, json: JsonVersion) -> OutputFormat {
    match format {
        Format::Human => OutputFormat::Human(options),
        Format::Concise => OutputFormat::Concise {
            quiet: options.quiet,
        },
        Format::Json => OutputFormat::Json(json),
        Format::Sarif => OutputFormat::Sarif,
        Format::Github => OutputFormat::Github,
    }
}

/// Reports rendered whole, for the errors that end a run before it checks anything.
fn render_reports(
    format: Format,
    reports: &[FileReport],
    registry: &Registry,
    options: HumanOptions,
    json: JsonVersion,
) -> String {
    match format {
        Format::Human => render_human(reports, options),
        Format::Concise => reports
            .iter()
            .map(crate::report::render_concise_file)
            .collect(),
        Format::Json => render_json(reports, registry, json),
        Format::Sarif => render_sarif(reports, registry),
        Format::Github => render_github(reports),
    }
}

/// Where the run's messages to people go (standard error), with its write errors ignored: a
/// message that cannot be shown has nowhere else to go.
struct Messages<'a>(&'a mut dyn Write);

impl Messages<'_> {
    fn say(&mut self, text: &str) {
        let _ = writeln!(self.0, "{text}");
    }
}

/// Run a check. `stdout` receives the findings in `options.format`; `stderr` the notes,
/// errors and statistics. Returns the exit code.
pub fn check(options: &CheckOptions, stdout: Box<dyn Write>, stderr: &mut dyn Write) -> u8 {
    let mut out = Sink::stdout(stdout);
    let mut messages = Messages(stderr);
    let code = check_into(options, &mut out, &mut messages);
    match out.finish() {
        Ok(()) => code,
        Err(message) => {
            messages.say(&format!("error: {message}"));
            EXIT_UNCHECKABLE
        }
    }
}

fn check_into(options: &CheckOptions, out: &mut Sink, messages: &mut Messages<'_>) -> u8 {
    let human = options.human;
    // Standard input is looked up as the file it names, for its planlint.toml.
    let start = match options.paths.first() {
        Some(p) if p == Path::new(STDIN) => options
            .stdin_filename
            .as_ref()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".")),
        Some(p) => p.clone(),
        None => PathBuf::from("."),
    };
    let fail_early = |out: &mut Sink, reports: &[FileReport], registry: &Registry| {
        out.write(&render_reports(
            options.format,
            reports,
            registry,
            human,
            options.json_version,
        ));
        EXIT_UNCHECKABLE
    };
    let config = match load_config(options.config.as_deref(), &start) {
        Ok(c) => c.with_selection(&options.select, &options.extend_select, &options.ignore),
        Err(report) => return fail_early(out, &[report], &Registry::default()),
    };
    let config_path = config.path.clone();
    let mut notes = Vec::new();
    // JSON carries each plan's coverage when asked; the other formats do not show it.
    let coverage = options.coverage
        && (options.format == Format::Json
            || options
                .output_files
                .iter()
                .any(|o| o.format == Format::Json));
    let checker = match make_checker(config, &options.rule_dirs, &options.packs, &mut notes) {
        Ok(mut checker) => {
            checker.coverage = coverage;
            checker
        }
        Err(Unprepared::Reports(reports)) => {
            return fail_early(out, &reports, &Registry::default())
        }
        Err(Unprepared::Message(message)) => {
            for note in notes.drain(..) {
                messages.say(&format!("note: {note}"));
            }
            messages.say(&format!("error: {message}"));
            return EXIT_UNCHECKABLE;
        }
    };
    let registry = checker.registry;
    for note in notes.drain(..) {
        messages.say(&format!("note: {note}"));
    }
    let baseline: Option<BaselineIndex> = match &options.baseline {
        None => None,
        Some(path) => match Baseline::read(path) {
            Ok(b) => Some(b.index()),
            Err(message) => {
                messages.say(&format!("error: {message}"));
                return EXIT_UNCHECKABLE;
            }
        },
    };

    // Documents in folders are read when asked (`--documents`), or when planlint.toml's
    // `[files] include` names them (`**/*.docx`).
    let documents = options.documents
        || checker
            .config
            .include
            .iter()
            .any(|g| DOCUMENT_SUFFIXES.iter().any(|s| g.ends_with(s)));
    let mut suffixes = vec![".plan.toml"];
    if documents {
        suffixes.extend(DOCUMENT_SUFFIXES);
    }
    // Gather the files; a missing path or unreadable folder is reported and the rest checked.
    // Files found in folders pass the configuration's include/exclude globs; files named on
    // the command line are always checked.
    let mut files: Vec<crate::walk::Found> = Vec::new();
    let mut early = Vec::new();
    let mut empty_dirs = Vec::new();
    let stdin_path = Path::new(STDIN);
    let mut stdin: Option<Result<Vec<u8>, crate::source::ReadError>> = None;
    for path in &options.paths {
        if path == stdin_path {
            if stdin.is_some() {
                messages.say("error: `-` (standard input) is given twice");
                return EXIT_UNCHECKABLE;
            }
            // Read whole, and bounded, before any output is begun.
            stdin = Some(crate::source::read_limited_from(
                std::io::stdin().lock(),
                crate::MAX_PLAN_BYTES.max(crate::import::MAX_DOCUMENT_BYTES as u64),
            ));
            files.push(crate::walk::Found {
                path: path.clone(),
                outside: false,
            });
            continue;
        }
        match walk_inputs(path, &suffixes, options.walk) {
            Ok(mut walk) => {
                note_skipped(&walk, &mut notes);
                if path.is_dir() {
                    walk.files.retain(|f| checker.config.wants(&f.path));
                    if walk.files.is_empty() && walk.problems.is_empty() {
                        empty_dirs.push(path.clone());
                    }
                }
                early.extend(walk.problems.iter().map(|(p, e)| io_report(p, e)));
                files.extend(walk.files);
            }
            Err(e) => early.push(io_report(path, &e)),
        }
    }
    for note in notes.drain(..) {
        messages.say(&format!("note: {note}"));
    }
    if files.is_empty() && early.is_empty() && !empty_dirs.is_empty() {
        for dir in &empty_dirs {
            messages.say(&format!("no plans found under {}", dir.display()));
        }
        if options.allow_empty {
            return EXIT_CLEAN;
        }
        messages.say("error: nothing to check (pass --allow-empty to accept an empty folder)");
        return EXIT_UNCHECKABLE;
    }
    if !options.allow_empty {
        for dir in &empty_dirs {
            early.push(report_of(
                SourceFile::new(dir.display().to_string(), ""),
                Finding::input_error(
                    "io/no-plans",
                    format!("no plans found under {}", dir.display()),
                    Span::default(),
                    "empty",
                ),
            ));
        }
    }

    // Nothing the run reads may be written over, and no two outputs may share a path: refused
    // before anything is written.
    let mut inputs: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    inputs.extend(config_path.as_deref());
    inputs.extend(options.baseline.as_deref());
    let pack_paths: Vec<PathBuf> = registry
        .packs()
        .filter_map(|p| p.source.path.clone())
        .collect();
    inputs.extend(pack_paths.iter().map(PathBuf::as_path));
    let mut outputs: Vec<(String, &Path)> = options
        .output_files
        .iter()
        .map(|o| {
            (
                format!("--output-file {}", o.path.display()),
                o.path.as_path(),
            )
        })
        .collect();
    if let Some(path) = &options.write_baseline {
        outputs.push((format!("--write-baseline {}", path.display()), path));
    }
    // The baseline is read whole before anything is written: refreshing it in place
    // (`--baseline b.json --write-baseline b.json`) loses nothing.
    let baseline_input = options.baseline.as_deref().and_then(file_identity);
    if let Err(message) = check_outputs(&outputs, &inputs, baseline_input.as_ref()) {
        messages.say(&format!("error: {message}"));
        return EXIT_UNCHECKABLE;
    }

    let overwrite = Overwrite::from_force(options.force, Overwrite::OwnOutput);
    let (stream, prefix) = ReportStream::start(
        output_format(options.format, human, options.json_version),
        registry,
    );
    out.write(&prefix);
    let mut file_streams = Vec::new();
    let mut file_sinks = Vec::new();
    for output in &options.output_files {
        let format = output_format(
            output.format,
            HumanOptions {
                color: false,
                ..human
            },
            options.json_version,
        );
        let mut sink = match Sink::file(&output.path, overwrite) {
            Ok(sink) => sink,
            Err(message) => {
                messages.say(&format!("error: {message}"));
                return EXIT_UNCHECKABLE;
            }
        };
        let (stream, prefix) = ReportStream::start(format, registry);
        sink.write(&prefix);
        file_streams.push(stream);
        file_sinks.push(sink);
    }
    let wants_github = options.format == Format::Github
        || options
            .output_files
            .iter()
            .any(|o| o.format == Format::Github);
    let mut step_summary: Option<Sink> = None;
    if wants_github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                Ok(f) => {
                    let mut sink = Sink::appending(Path::new(&path), Box::new(f));
                    sink.write(summary_header());
                    step_summary = Some(sink);
                }
                Err(e) => {
                    messages.say(&format!(
                        "error: cannot write the step summary {}: {e}",
                        Path::new(&path).display()
                    ));
                    return EXIT_UNCHECKABLE;
                }
            }
        }
    }

    let mut streams = vec![stream];
    streams.extend(file_streams);
    let mut run = Emitter {
        streams,
        baseline: baseline.as_ref(),
        write_baseline: options.write_baseline.is_some(),
        statistics: options.statistics,
        baseline_entries: Vec::new(),
        hidden_by_baseline: 0,
        per_rule: Default::default(),
    };
    // Check in chunks, in parallel within a chunk, and write each chunk's output in order before
    // the next: memory holds one chunk of files, however many there are.
    const CHUNK: usize = 256;
    for chunk in files.chunks(CHUNK) {
        let stdout_stream = &run.streams[0];
        let done: Vec<(FileReport, Option<Vec<u8>>)> = chunk
            .par_iter()
            .map(|found| {
                let path = &found.path;
                let mut report = match (&stdin, path == stdin_path) {
                    (Some(read), true) => {
                        check_stdin(read, options.stdin_filename.as_deref(), &checker)
                    }
                    _ => crate::check_path(path, &path.display().to_string(), &checker),
                };
                if found.outside {
                    report.source = Arc::clone(&report.source).withhold();
                }
                // Pre-rendered only when no baseline will remove findings first.
                let rendered = baseline
                    .is_none()
                    .then(|| stdout_stream.prerender(&report))
                    .flatten();
                (report, rendered)
            })
            .collect();
        for (report, rendered) in done {
            run.emit(
                out,
                &mut file_sinks,
                step_summary.as_mut(),
                report,
                rendered,
            );
        }
        // A full disk or a broken output: stop checking, there is nowhere to put the findings.
        if out.failed() || file_sinks.iter().any(Sink::failed) {
            break;
        }
    }
    for report in early {
        run.emit(out, &mut file_sinks, step_summary.as_mut(), report, None);
    }

    let mut streams = run.streams.into_iter();
    let stdout_stream = streams.next().expect("the stdout stream is first");
    let summary = stdout_stream.summary();
    out.write(&stdout_stream.finish());
    let mut failed_writes = Vec::new();
    for (stream, mut sink) in streams.zip(file_sinks) {
        sink.write(&stream.finish());
        if let Err(message) = sink.finish() {
            failed_writes.push(message);
        }
    }
    if let Some(mut sink) = step_summary {
        sink.write(&summary_close(&summary));
        if let Err(message) = sink.finish() {
            failed_writes.push(message);
        }
    }
    if let Some(path) = &options.write_baseline {
        if failed_writes.is_empty() {
            let mut entries = run.baseline_entries;
            entries.sort();
            let text = Baseline {
                version: 1,
                findings: entries,
            }
            .to_json();
            match write_file(path, text.as_bytes(), overwrite) {
                Ok(()) => messages.say(&format!("wrote the baseline {}", path.display())),
                Err(message) => failed_writes.push(message),
            }
        }
    }
    if !failed_writes.is_empty() {
        for message in failed_writes {
            messages.say(&format!("error: {message}"));
        }
        return EXIT_UNCHECKABLE;
    }
    if baseline.is_some() {
        messages.say(&format!(
            "baseline: {} known finding(s) not shown",
            run.hidden_by_baseline
        ));
    }
    if options.statistics {
        let text = statistics(run.per_rule);
        messages.say(text.trim_end());
    }
    if summary.failed > 0 {
        EXIT_UNCHECKABLE
    } else if options.exit_zero {
        EXIT_CLEAN
    } else if summary.errors > 0 || (options.deny_warnings && summary.warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// Check what was read from standard input, named and typed by `--stdin-filename`.
fn check_stdin(
    read: &Result<Vec<u8>, crate::source::ReadError>,
    name: Option<&str>,
    checker: &Checker<'_>,
) -> FileReport {
    let shown = name.unwrap_or("<stdin>");
    let as_plan = name.is_none_or(|n| crate::is_plan_file(Path::new(n)));
    match read {
        Ok(bytes) => crate::check_bytes(bytes, shown, as_plan, checker),
        Err(crate::source::ReadError::TooLarge { limit }) => report_of(
            SourceFile::new(shown, ""),
            Finding::input_error(
                "plan/too-large",
                format!(
                    "standard input is too large; planlint reads up to {}",
                    crate::source::human_size(*limit)
                ),
                Span::default(),
                "not read",
            ),
        ),
        Err(crate::source::ReadError::Io(e)) => report_of(
            SourceFile::new(shown, ""),
            Finding::input_error(
                "io/read",
                format!("cannot read standard input: {e}"),
                Span::default(),
                "unreadable",
            ),
        ),
    }
}

/// Refuse outputs that would overwrite an input of the run, or each other.
fn check_outputs(
    outputs: &[(String, &Path)],
    inputs: &[&Path],
    rewritable_baseline: Option<&crate::output::FileIdentity>,
) -> Result<(), String> {
    // Knowing the inputs' identities costs a stat of every input: only worth it when there is
    // something to compare them with.
    if outputs.is_empty() {
        return Ok(());
    }
    let input_ids: std::collections::HashMap<crate::output::FileIdentity, &Path> = inputs
        .iter()
        .filter_map(|p| file_identity(p).map(|id| (id, *p)))
        .collect();
    let mut seen: std::collections::HashMap<PathBuf, &str> = Default::default();
    for (flag, path) in outputs {
        // Devices and pipes are written in place and hold nothing to lose.
        let regular_or_new = std::fs::metadata(path).map_or(true, |m| m.is_file());
        if !regular_or_new {
            continue;
        }
        let identity = file_identity(path);
        let refreshes_baseline = flag.starts_with("--write-baseline")
            && identity.is_some()
            && identity.as_ref() == rewritable_baseline;
        if let Some(input) = identity
            .filter(|_| !refreshes_baseline)
            .and_then(|id| input_ids.get(&id))
        {
            return Err(format!(
                "{flag} would overwrite {}, which this run reads; choose another path",
                input.display()
            ));
        }
        let key = destination_key(path);
        if let Some(first) = seen.get(&key) {
            return Err(format!(
                "{first} and {flag} name the same file; give each output its own path"
            ));
        }
        seen.insert(key, flag);
    }
    Ok(())
}

/// What the run does with each checked file, in order.
struct Emitter<'r> {
    /// Standard output's stream first, then one per output file.
    streams: Vec<ReportStream<'r>>,
    baseline: Option<&'r BaselineIndex>,
    write_baseline: bool,
    statistics: bool,
    baseline_entries: Vec<crate::report::BaselineEntry>,
    hidden_by_baseline: usize,
    per_rule: std::collections::BTreeMap<String, (usize, Severity)>,
}

impl Emitter<'_> {
    fn emit(
        &mut self,
        out: &mut Sink,
        file_sinks: &mut [Sink],
        step_summary: Option<&mut Sink>,
        mut report: FileReport,
        rendered: Option<Vec<u8>>,
    ) {
        if self.write_baseline {
            self.baseline_entries
                .extend(Baseline::of(std::slice::from_ref(&report)).findings);
        }
        if let Some(baseline) = self.baseline {
            self.hidden_by_baseline += baseline.filter(&mut report);
        }
        if self.statistics {
            for f in report.findings.iter().filter(|f| !f.fatal) {
                self.per_rule
                    .entry(f.code.clone())
                    .or_insert((0, f.severity))
                    .0 += 1;
            }
        }
        let mut rendered = rendered;
        let (first, rest) = self.streams.split_first_mut().expect("stdout stream");
        out.write_bytes(&first.file_rendered(&report, rendered.take()));
        for (stream, sink) in rest.iter_mut().zip(file_sinks.iter_mut()) {
            sink.write(&stream.file(&report));
        }
        if let Some(sink) = step_summary {
            sink.write(&summary_rows(&report));
        }
    }
}

/// `--statistics`: findings per rule, most first, then by id.
fn statistics(per_rule: std::collections::BTreeMap<String, (usize, Severity)>) -> String {
    let mut rows: Vec<(String, usize, Severity)> =
        per_rule.into_iter().map(|(c, (n, s))| (c, n, s)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (code, n, severity) in &rows {
        out.push_str(&format!("{n:>width$}  {:<7}  {code}\n", severity.as_str()));
    }
    let total: usize = rows.iter().map(|r| r.1).sum();
    out.push_str(&format!(
        "{total:>width$}  findings from {} rules\n",
        rows.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_that_meet_inputs_or_each_other_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("a.plan.toml");
        std::fs::write(&plan, "x").unwrap();
        let report = dir.path().join("r.json");
        let err = check_outputs(&[("--output-file a".into(), &plan)], &[&plan], None).unwrap_err();
        assert!(err.contains("which this run reads"), "{err}");
        // Spelt another way, the same file.
        let other = dir.path().join("./sub/../a.plan.toml");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(check_outputs(&[("o".into(), &other)], &[&plan], None).is_err());
        let twice = dir.path().join("sub/../r.json");
        let err = check_outputs(
            &[
                ("--output-file r".into(), &report),
                ("--output-file s".into(), &twice),
            ],
            &[&plan],
            None,
        )
        .unwrap_err();
        assert!(err.contains("name the same file"), "{err}");
        assert!(check_outputs(&[("o".into(), &report)], &[&plan], None).is_ok());
        // A baseline may be refreshed in place; nothing else that is read may be written.
        let id = file_identity(&plan);
        assert!(check_outputs(
            &[("--write-baseline p".into(), &plan)],
            &[&plan],
            id.as_ref()
        )
        .is_ok());
        assert!(
            check_outputs(&[("--output-file p".into(), &plan)], &[&plan], id.as_ref()).is_err()
        );
    }
}
