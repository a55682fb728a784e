//! The planlint command line: parse arguments, call the library, set the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use planlint::config::Config;
use planlint::diagnostic::Finding;
use planlint::output::{write_file, PendingFile};
use planlint::report::Baseline;
use planlint::report::{
    render_github, render_human, render_json, render_sarif, summary_close, summary_header,
    summary_rows, HumanOptions, OutputFormat, ReportStream, Summary,
};
use planlint::rules::{PackError, Registry, ResolvedPack};
use planlint::source::{SourceFile, Span};
use planlint::{Checker, FileReport};

/// Exit codes: the contract with CI.
const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_UNCHECKABLE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "planlint",
    version,
    about = "Check local science-literacy plans against the higher plans they implement"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check plan files (*.plan.toml), or every plan file below a folder.
    Check(CheckArgs),
    /// Print a shell completion script: `planlint completions bash > /etc/bash_completion.d/planlint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `planlint man > planlint.1`.
    Man,
    /// List the rule packs and their rules.
    Rules {
        /// Show only the packs that would apply to this plan file.
        #[arg(long = "for", value_name = "FILE")]
        for_file: Option<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Turn a document (.txt in UTF-8 or GBK, .docx) into a structured plan (*.plan.toml).
    Import {
        /// The document to import.
        file: PathBuf,
        /// Where to write the plan (default: beside the document, as NAME.plan.toml).
        #[arg(short, long, value_name = "FILE", conflicts_with = "stdout")]
        output: Option<PathBuf>,
        /// Print the TOML instead of writing a file.
        #[arg(long)]
        stdout: bool,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Print the effective configuration (the nearest planlint.toml, or --config).
    Config {
        /// Where to look from (default: the current folder).
        path: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Show the configuration as `check` would use it with these flags.
        #[command(flatten)]
        selection: Selection,
    },
    /// Run the language server over stdio (for editors).
    Lsp,
    /// Print the JSON Schema of the plan format, for TOML editors (taplo, Even Better TOML).
    Schema,
    /// Run the test cases kept beside rule packs (*.plan.toml with `# planlint-test:` lines).
    Test {
        /// Folder holding packs (*.rules) and their cases.
        #[arg(default_value = "rules")]
        dir: PathBuf,
    },
    /// Explain a rule: what it asks, and which clause of which document asks for it.
    Explain {
        /// A rule id such as national-2021/international-cooperation.
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
}

#[derive(clap::Args)]
struct PackArgs {
    /// Also load the packs (*.rules) in this folder.
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
}

/// Which rules report, over planlint.toml's `[rules] select` and `ignore`.
#[derive(clap::Args, Clone, Default)]
struct Selection {
    /// Report only these rules: rule ids or pack ids, comma-separated (replaces `select`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    select: Vec<String>,
    /// Also report these rules (added to `select`).
    #[arg(long = "extend-select", value_name = "IDS", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Do not report these rules: rule ids or pack ids (added to `ignore`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    ignore: Vec<String>,
}

impl Selection {
    fn apply(&self, config: Config) -> Config {
        config.with_selection(&self.select, &self.extend_select, &self.ignore)
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Plan files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Findings only: no packs-applied lines, no closing summary.
    #[arg(short, long)]
    quiet: bool,
    /// Exit 0 even when there are error findings (input that could not be checked still exits 2).
    #[arg(long)]
    exit_zero: bool,
    /// Also print how many findings each rule raised, most first (to standard error).
    #[arg(long)]
    statistics: bool,
    /// A folder with no plans in it is not an error.
    #[arg(long)]
    allow_empty: bool,
    /// Check again whenever a plan, pack or planlint.toml below the paths changes.
    #[arg(long)]
    watch: bool,
    #[command(flatten)]
    selection: Selection,
    /// Apply this pack instead of choosing by the plan's period, level and region (repeatable).
    #[arg(long = "pack", value_name = "ID")]
    packs: Vec<String>,
    /// Use this configuration file instead of the nearest planlint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings that are not in this baseline (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings as a baseline, for adopting planlint on existing plans.
    #[arg(long = "write-baseline", value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Also write the findings in FORMAT to PATH (repeatable), e.g. `sarif=findings.sarif`.
    #[arg(long = "output-file", value_name = "FORMAT=PATH", value_parser = parse_output_file)]
    output_files: Vec<OutputFile>,
    /// Treat warnings as errors for the exit code.
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Option<Deny>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(flatten)]
    pack_args: PackArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Findings with their source snippets (the default; also called `full`).
    #[value(alias = "full")]
    Human,
    /// One line per finding: `path:line:col: severity[code] message`.
    Concise,
    Json,
    Sarif,
    Github,
}

impl Format {
    fn parse(word: &str) -> Option<Format> {
        Format::from_str(word, true).ok()
    }
}

/// `FORMAT=PATH` for `--output-file`.
#[derive(Clone, Debug)]
struct OutputFile {
    format: Format,
    path: PathBuf,
}

fn parse_output_file(arg: &str) -> Result<OutputFile, String> {
    let (format, path) = arg
        .split_once('=')
        .ok_or_else(|| "expected FORMAT=PATH, e.g. sarif=findings.sarif".to_owned())?;
    let format = Format::parse(format)
        .ok_or_else(|| format!("unknown format `{format}` (human, json, sarif, github)"))?;
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok(OutputFile {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum Deny {
    Warnings,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "planlint", &mut out);
            write_stdout(&out)
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => write_stdout(&out),
                Err(e) => {
                    eprintln!("error: cannot render the manual page: {e}");
                    EXIT_UNCHECKABLE
                }
            }
        }
        Command::Rules { for_file, packs } => rules(for_file, packs),
        Command::Explain { rule, packs } => explain(&rule, packs),
        Command::Test { dir } => test(&dir),
        Command::Lsp => match Registry::builtin() {
            Ok(registry) => planlint::lsp::run_stdio(registry).clamp(0, 255) as u8,
            Err(_) => {
                eprintln!("error: the built-in rule packs do not load");
                EXIT_UNCHECKABLE
            }
        },
        Command::Schema => {
            print(planlint::plan::JSON_SCHEMA);
            EXIT_CLEAN
        }
        Command::Config {
            path,
            config,
            selection,
        } => show_config(path, config, &selection),
        Command::Import {
            file,
            output,
            stdout,
            force,
            packs,
        } => import(&file, output, stdout, force, &packs),
    };
    ExitCode::from(code)
}

/// Write generated output to stdout; a failed write is exit 2 (a closed pipe ends quietly).
fn write_stdout(bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_CLEAN,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            EXIT_UNCHECKABLE
        }
    }
}

fn print(text: &str) {
    // A closed pipe (`planlint … | head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn human_options(color: Color) -> HumanOptions {
    let color = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // Snippets and help wrap to the terminal; piped output keeps the default width, so that
    // logs and tests do not depend on who ran them.
    let width = std::io::stdout()
        .is_terminal()
        .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .flatten()
        .filter(|w| *w >= 40);
    HumanOptions {
        color,
        width: width.unwrap_or(HumanOptions::default().width),
        ..HumanOptions::default()
    }
}

/// Human output for the diagnostics of commands other than `check` (a broken pack, a bad
/// config, an unreadable document): no "checked N files" summary, which belongs to `check`.
fn diagnostics_options() -> HumanOptions {
    HumanOptions {
        quiet: true,
        ..human_options(Color::Auto)
    }
}

/// Built-in packs plus those of `--rules` folders; on error, the reports to print instead.
/// The registry lives for the whole process.
fn registry(args: &PackArgs) -> Result<&'static Registry, Vec<FileReport>> {
    if args.rule_dirs.is_empty() {
        return Registry::builtin()
            .as_ref()
            .map_err(|errors| pack_reports(errors.clone()));
    }
    let mut sources = Vec::new();
    let mut failures = Vec::new();
    for dir in &args.rule_dirs {
        let mut files = Vec::new();
        if let Err(e) = collect(dir, "rules", &mut files, &mut Vec::new()) {
            failures.push(io_report(dir, &e));
            continue;
        }
        for file in files {
            let name = file.display().to_string();
            match std::fs::read(&file).map(|b| SourceFile::decode(&b)) {
                Ok(Ok(text)) => sources.push(SourceFile::with_path(name, &file, text)),
                Ok(Err(_)) => failures.push(report_of(
                    SourceFile::new(name, ""),
                    Finding::input_error(
                        "rules/encoding",
                        "rule pack is not UTF-8 text",
                        Span::default(),
                        "unreadable",
                    ),
                )),
                Err(e) => failures.push(io_report(&file, &e)),
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

fn pack_reports(errors: Vec<PackError>) -> Vec<FileReport> {
    errors
        .into_iter()
        .map(|e| report_of(e.source, *e.finding))
        .collect()
}

fn report_of(source: Arc<SourceFile>, finding: Finding) -> FileReport {
    FileReport {
        source,
        packs: Vec::new(),
        findings: vec![finding],
    }
}

fn io_report(path: &Path, e: &std::io::Error) -> FileReport {
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

/// Files below `path` whose name ends in `.{ext}` (or `path` itself if it is a file), sorted.
/// Symbolic links to folders are not followed, so a link loop cannot trap the walk.
fn collect(
    path: &Path,
    ext: &str,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<(PathBuf, std::io::Error)>,
) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut stack = vec![path.to_path_buf()];
    let suffix = format!(".{ext}");
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push((dir, e));
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
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&suffix))
            {
                found.push(p);
            }
        }
    }
    found.sort();
    out.extend(found);
    Ok(())
}

/// The configuration for a run: `--config`, or the nearest planlint.toml above `start`.
fn load_config(explicit: Option<&Path>, start: &Path) -> Result<Config, FileReport> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Config::discover(start),
    };
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

fn check(args: CheckArgs) -> u8 {
    if args.watch {
        return watch(&args);
    }
    check_once(&args)
}

/// `check --watch`: check, then again whenever a plan file, a pack or planlint.toml below the
/// given paths changes, clearing the screen between runs, until interrupted.
fn watch(args: &CheckArgs) -> u8 {
    use notify::Watcher;
    let (changed, events) = std::sync::mpsc::channel();
    let mut watcher =
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                if !matches!(event.kind, notify::EventKind::Access(_)) {
                    let _ = changed.send(event.paths);
                }
            }
        }) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: cannot watch for changes: {e}");
                return EXIT_UNCHECKABLE;
            }
        };
    for path in &args.paths {
        if let Err(e) = watcher.watch(path, notify::RecursiveMode::Recursive) {
            eprintln!("error: cannot watch {}: {e}", path.display());
            return EXIT_UNCHECKABLE;
        }
    }
    let relevant = |paths: &[PathBuf]| {
        paths.iter().any(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".plan.toml")
                || name.ends_with(".rules")
                || name == "planlint.toml"
                || [".txt", ".docx"].iter().any(|e| name.ends_with(e))
        })
    };
    loop {
        // Clear the screen and move home, as cargo-watch and ruff --watch do; not in a pipe.
        if std::io::stdout().is_terminal() {
            print!("\x1b[2J\x1b[H");
        }
        check_once(args);
        eprintln!("watching for changes (Ctrl-C to stop)");
        // Wait for a relevant change, then let a burst of events (an editor's save) settle.
        loop {
            match events.recv() {
                Ok(paths) if relevant(&paths) => break,
                Ok(_) => continue,
                Err(_) => return EXIT_UNCHECKABLE,
            }
        }
        while events
            .recv_timeout(std::time::Duration::from_millis(100))
            .is_ok()
        {}
    }
}

fn check_once(args: &CheckArgs) -> u8 {
    let options = HumanOptions {
        quiet: args.quiet,
        ..human_options(args.color)
    };
    let render_as = |format: Format,
                     reports: &[FileReport],
                     registry: Option<&Registry>,
                     color: bool| match format {
        Format::Human => render_human(reports, HumanOptions { color, ..options }),
        Format::Concise => reports
            .iter()
            .map(planlint::report::render_concise_file)
            .collect(),
        Format::Json => render_json(reports),
        Format::Sarif => render_sarif(reports, registry.unwrap_or(&Registry::default())),
        Format::Github => render_github(reports),
    };
    let render = |reports: &[FileReport]| render_as(args.format, reports, None, options.color);
    let start = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = match load_config(args.config.as_deref(), &start) {
        Ok(c) => args.selection.apply(c),
        Err(report) => {
            print(&render(&[report]));
            return EXIT_UNCHECKABLE;
        }
    };
    let mut pack_args = PackArgs {
        rule_dirs: args.pack_args.rule_dirs.clone(),
    };
    pack_args.rule_dirs.extend(config.rule_dirs.iter().cloned());
    let registry = match registry(&pack_args) {
        Ok(r) => r,
        Err(reports) => {
            print(&render(&reports));
            return EXIT_UNCHECKABLE;
        }
    };
    if let Err(message) = check_config_ids(&config, registry) {
        eprintln!("error: {message}");
        return EXIT_UNCHECKABLE;
    }
    let mut checker = Checker {
        registry,
        forced: Vec::new(),
        config,
    };
    for id in &args.packs {
        match registry.get(id) {
            Some(pack) => checker.forced.push(Arc::clone(pack)),
            None => {
                let known: Vec<&str> = registry.packs().map(|p| p.id.as_str()).collect();
                let hint = registry.pack_hint(id);
                eprintln!(
                    "error: unknown pack `{id}`.{hint} Packs: {}",
                    known.join(", ")
                );
                return EXIT_UNCHECKABLE;
            }
        }
    }
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match Baseline::read(path) {
            Ok(b) => Some(b),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_UNCHECKABLE;
            }
        },
    };

    // Gather the files; a missing path or unreadable folder is reported and the rest checked.
    // Files found in folders pass the configuration's include/exclude globs; files named on
    // the command line are always checked.
    let mut files = Vec::new();
    let mut early = Vec::new();
    for path in &args.paths {
        let mut problems = Vec::new();
        let mut found = Vec::new();
        match collect(path, "plan.toml", &mut found, &mut problems) {
            Ok(()) => {
                if path.is_dir() {
                    found.retain(|f| checker.config.wants(f));
                    if found.is_empty() {
                        early.push(report_of(
                            SourceFile::new(path.display().to_string(), ""),
                            Finding::input_error(
                                "io/no-plans",
                                format!("no plans found under {}", path.display()),
                                Span::default(),
                                "empty",
                            ),
                        ));
                    }
                }
                files.extend(found);
            }
            Err(e) => early.push(io_report(path, &e)),
        }
        early.extend(problems.iter().map(|(p, e)| io_report(p, e)));
    }

    // Folders that held no plan, and nothing else to check: say so instead of "checked 0 files".
    let empty_dirs: Vec<&PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .filter(|p| {
            early
                .iter()
                .any(|r| r.source.name == p.display().to_string())
        })
        .collect();
    if files.is_empty() && !empty_dirs.is_empty() && early.len() == empty_dirs.len() {
        for dir in &empty_dirs {
            eprintln!("no plans found under {}", dir.display());
        }
        if args.allow_empty {
            return EXIT_CLEAN;
        }
        eprintln!("error: nothing to check (pass --allow-empty to accept an empty folder)");
        return EXIT_UNCHECKABLE;
    }
    if args.allow_empty {
        early.retain(|r| !r.findings.iter().any(|f| f.code == "io/no-plans"));
    }

    // Check in chunks, in parallel within a chunk, and write each chunk's output in order before
    // the next: memory holds one chunk of files, however many there are.
    let mut sinks: Vec<(ReportStream<'_>, Box<dyn Write>)> = Vec::new();
    let stdout_format = output_format(args.format, options);
    let (stream, prefix) = ReportStream::start(stdout_format, registry);
    let mut stdout: Box<dyn Write> = Box::new(std::io::BufWriter::new(std::io::stdout().lock()));
    let _ = stdout.write_all(prefix.as_bytes());
    sinks.push((stream, stdout));
    let mut pending_outputs = Vec::new();
    for output in &args.output_files {
        let format = output_format(
            output.format,
            HumanOptions {
                color: false,
                ..options
            },
        );
        let (stream, prefix) = ReportStream::start(format, registry);
        let pending = match PendingFile::create(&output.path, true) {
            Ok(p) => p,
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_UNCHECKABLE;
            }
        };
        let mut writer: Box<dyn Write> = match pending.writer() {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_UNCHECKABLE;
            }
        };
        let _ = writer.write_all(prefix.as_bytes());
        sinks.push((stream, writer));
        pending_outputs.push(pending);
    }
    let wants_github = matches!(args.format, Format::Github)
        || args
            .output_files
            .iter()
            .any(|o| matches!(o.format, Format::Github));
    let mut step_summary: Option<std::fs::File> = None;
    if wants_github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = f.write_all(summary_header().as_bytes());
                    step_summary = Some(f);
                }
                Err(e) => eprintln!("warning: cannot write the step summary: {e}"),
            }
        }
    }
    let mut baseline_entries = Vec::new();
    let mut hidden_by_baseline = 0;
    let mut per_rule: std::collections::BTreeMap<String, (usize, planlint::diagnostic::Severity)> =
        Default::default();
    type Sinks<'a> = Vec<(ReportStream<'a>, Box<dyn Write>)>;
    let mut emit = |sinks: &mut Sinks<'_>, mut report: FileReport, rendered: Option<String>| {
        if args.write_baseline.is_some() {
            baseline_entries.extend(Baseline::of(std::slice::from_ref(&report)).findings);
        }
        if let Some(baseline) = &baseline {
            let before = report.findings.len();
            baseline.filter(&mut report);
            hidden_by_baseline += before - report.findings.len();
        }
        if args.statistics {
            for f in report.findings.iter().filter(|f| !f.fatal) {
                per_rule.entry(f.code.clone()).or_insert((0, f.severity)).0 += 1;
            }
        }
        let mut rendered = rendered;
        for (stream, writer) in sinks.iter_mut() {
            let text = stream.file_rendered(&report, rendered.take());
            let _ = writer.write_all(text.as_bytes());
        }
        if let Some(f) = step_summary.as_mut() {
            let _ = f.write_all(summary_rows(&report).as_bytes());
        }
    };
    const CHUNK: usize = 256;
    for chunk in files.chunks(CHUNK) {
        // Check and render in parallel; only writing is in order.
        let stdout_stream = &sinks[0].0;
        let done: Vec<(FileReport, Option<String>)> = chunk
            .par_iter()
            .map(|path| {
                let report = planlint::check_path(path, &path.display().to_string(), &checker);
                // Pre-rendered only when no baseline will remove findings first.
                let rendered = baseline
                    .is_none()
                    .then(|| stdout_stream.prerender(&report))
                    .flatten();
                (report, rendered)
            })
            .collect();
        done.into_iter()
            .for_each(|(report, rendered)| emit(&mut sinks, report, rendered));
    }
    early
        .into_iter()
        .for_each(|report| emit(&mut sinks, report, None));

    let mut summary = Summary::default();
    for (n, (stream, mut writer)) in sinks.into_iter().enumerate() {
        if n == 0 {
            summary = stream.summary();
        }
        let _ = writer.write_all(stream.finish().as_bytes());
        let _ = writer.flush();
    }
    for pending in pending_outputs {
        if let Err(message) = pending.commit() {
            eprintln!("error: {message}");
            return EXIT_UNCHECKABLE;
        }
    }
    if let Some(mut f) = step_summary {
        let _ = f.write_all(summary_close(&summary).as_bytes());
    }
    if let Some(path) = &args.write_baseline {
        baseline_entries.sort();
        let text = Baseline {
            version: 1,
            findings: baseline_entries,
        }
        .to_json();
        if let Err(message) = write_file(path, text.as_bytes(), true) {
            eprintln!("error: {message}");
            return EXIT_UNCHECKABLE;
        }
        eprintln!("wrote the baseline {}", path.display());
    }
    if baseline.is_some() {
        eprintln!("baseline: {hidden_by_baseline} known finding(s) not shown");
    }
    if args.statistics {
        eprint!("{}", statistics(per_rule));
    }
    if summary.failed > 0 {
        EXIT_UNCHECKABLE
    } else if args.exit_zero {
        EXIT_CLEAN
    } else if summary.errors > 0 || (args.deny.is_some() && summary.warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// `--statistics`: findings per rule, most first, then by id.
fn statistics(
    per_rule: std::collections::BTreeMap<String, (usize, planlint::diagnostic::Severity)>,
) -> String {
    let mut rows: Vec<(String, usize, planlint::diagnostic::Severity)> =
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

fn output_format(format: Format, options: HumanOptions) -> OutputFormat {
    match format {
        Format::Human => OutputFormat::Human(options),
        Format::Concise => OutputFormat::Concise {
            quiet: options.quiet,
        },
        Format::Json => OutputFormat::Json,
        Format::Sarif => OutputFormat::Sarif,
        Format::Github => OutputFormat::Github,
    }
}

fn show_config(path: Option<PathBuf>, explicit: Option<PathBuf>, selection: &Selection) -> u8 {
    let start = path.unwrap_or_else(|| PathBuf::from("."));
    match load_config(explicit.as_deref(), &start) {
        Ok(config) => {
            print(&selection.apply(config).to_toml());
            EXIT_CLEAN
        }
        Err(report) => {
            print(&render_human(&[report], diagnostics_options()));
            EXIT_UNCHECKABLE
        }
    }
}

fn import(
    file: &Path,
    output: Option<PathBuf>,
    to_stdout: bool,
    force: bool,
    pack_args: &PackArgs,
) -> u8 {
    let registry = match registry(pack_args) {
        Ok(r) => r,
        Err(reports) => {
            print(&render_human(&reports, diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    let name = file.display().to_string();
    let (_, imported) = match planlint::import_path(file, &name, registry) {
        Ok(done) => done,
        Err(report) => {
            eprint!("{}", render_human(&[*report], diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    let source_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.clone());
    let toml = planlint::import::to_toml(&imported.plan, &source_name, &imported.notes);
    if to_stdout {
        print(&toml);
        return EXIT_CLEAN;
    }
    let output = output.unwrap_or_else(|| {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        file.with_file_name(format!("{stem}.plan.toml"))
    });
    match write_file(&output, toml.as_bytes(), force) {
        Ok(()) => {
            let plan = &imported.plan;
            eprintln!(
                "wrote {}: {} actions, {} projects, {} safeguards, {} plan-level targets",
                output.display(),
                plan.actions.items.len(),
                plan.projects.items.len(),
                plan.safeguards.items.len(),
                plan.targets.items.len()
            );
            for note in &imported.notes {
                eprintln!("note: {note}");
            }
            EXIT_CLEAN
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_UNCHECKABLE
        }
    }
}

fn test(dir: &Path) -> u8 {
    let pack_args = PackArgs {
        rule_dirs: vec![dir.to_path_buf()],
    };
    let registry = match registry(&pack_args) {
        Ok(r) => r,
        Err(reports) => {
            print(&render_human(&reports, diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    // The packs under test are those whose file lies in `dir`.
    let tested: Vec<String> = registry
        .packs()
        .filter(|p| {
            p.source
                .path
                .as_ref()
                .is_some_and(|path| path.starts_with(dir))
        })
        .map(|p| p.id.clone())
        .collect();
    let mut files = Vec::new();
    if let Err(e) = collect(dir, "plan.toml", &mut files, &mut Vec::new()) {
        eprintln!("error: cannot read {}: {e}", dir.display());
        return EXIT_UNCHECKABLE;
    }
    let mut cases = Vec::new();
    for path in files {
        match std::fs::read(&path).map(|b| SourceFile::decode(&b)) {
            Ok(Ok(text)) => cases.push((
                path.clone(),
                SourceFile::with_path(path.display().to_string(), &path, text),
            )),
            _ => {
                eprintln!("error: cannot read {} as UTF-8 text", path.display());
                return EXIT_UNCHECKABLE;
            }
        }
    }
    let run = planlint::packtest::run(&cases, registry, &tested);
    let mut out = String::new();
    for case in &run.cases {
        let status = if case.failures.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        out.push_str(&format!("{status} {}\n", case.path.display()));
        for failure in &case.failures {
            out.push_str(&format!("       {failure}\n"));
        }
    }
    for rule in &run.never_raised {
        out.push_str(&format!("coverage: no case raises {rule}\n"));
    }
    for rule in &run.never_passed {
        out.push_str(&format!("coverage: no case passes {rule}\n"));
    }
    out.push_str(&format!(
        "\npacks tested: {}\nrules covered (raised by one case, passed by another): {} of {}\n{} passed, {} failed\n",
        if tested.is_empty() {
            "none".to_owned()
        } else {
            tested.join(", ")
        },
        run.rules_covered,
        run.rule_count,
        run.cases.len() - run.failed(),
        run.failed()
    ));
    print(&out);
    if run.ok() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn rules(for_file: Option<PathBuf>, args: PackArgs) -> u8 {
    let registry = match registry(&args) {
        Ok(r) => r,
        Err(reports) => {
            print(&render_human(&reports, diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    let packs: Vec<Arc<ResolvedPack>> = match &for_file {
        None => registry.packs().cloned().collect(),
        Some(path) => {
            let report =
                planlint::check_path(path, &path.display().to_string(), &Checker::new(registry));
            if report.is_fatal() {
                print(&render_human(&[report], diagnostics_options()));
                return EXIT_UNCHECKABLE;
            }
            report
                .packs
                .iter()
                .filter_map(|p| registry.get(&p.id).cloned())
                .collect()
        }
    };
    let mut out = String::new();
    if let Some(path) = &for_file {
        out.push_str(&format!("packs that apply to {}:\n\n", path.display()));
    }
    for pack in &packs {
        if pack.document.is_empty() {
            out.push_str(&format!("{}  《{}》\n", pack.id, pack.title));
        } else {
            out.push_str(&format!(
                "{}  《{}》（{}）\n",
                pack.id, pack.title, pack.document
            ));
        }
        let levels = if pack.levels.is_empty() {
            "all".to_owned()
        } else {
            pack.levels
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if pack.is_abstract {
            out.push_str("  abstract: applied only through the packs that extend it");
        } else {
            out.push_str(&format!(
                "  period {}–{}, levels {levels}",
                pack.period.0, pack.period.1
            ));
        }
        if let Some(region) = &pack.region {
            out.push_str(&format!(", region {region}"));
        }
        if !pack.ancestors.is_empty() {
            out.push_str(&format!(", extends {}", pack.ancestors.join(" → ")));
        }
        out.push('\n');
        // A pack's own rules (and those it overrides); inherited ones are listed with their pack,
        // unless `--for` shows one plan's packs, where the whole set is what applies.
        let mut inherited = 0;
        for rule in &pack.rules {
            let own = rule.source.name == pack.source.name;
            if !own && for_file.is_none() {
                inherited += 1;
                continue;
            }
            let mark = if rule.overridden_by.as_deref() == Some(pack.id.as_str()) {
                " (overridden here)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {:<8} {:<48} {}{mark}\n",
                rule.severity.as_str(),
                rule.id,
                rule.message
            ));
        }
        if inherited > 0 {
            out.push_str(&format!(
                "  … and {inherited} rules inherited from {}\n",
                pack.ancestors.join(", ")
            ));
        }
        let own_drops = pack
            .dropped
            .iter()
            .filter(|d| d.by == pack.id || for_file.is_some());
        for d in own_drops {
            out.push_str(&format!("  {:<8} {:<48} {}\n", "dropped", d.id, d.reason));
        }
        out.push('\n');
    }
    print(&out);
    EXIT_CLEAN
}

fn explain(id: &str, args: PackArgs) -> u8 {
    let registry = match registry(&args) {
        Ok(r) => r,
        Err(reports) => {
            print(&render_human(&reports, diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    let Some((pack, rule)) = registry.rule(id) else {
        let hint = registry.rule_hint(id);
        eprintln!("error: unknown rule `{id}`.{hint} `planlint rules` lists them.");
        return EXIT_UNCHECKABLE;
    };
    let at = rule.source.line_col(rule.span.start);
    let mut out = format!(
        "{}  [{}]\n\n{}\n\n",
        rule.id,
        rule.severity.as_str(),
        rule.message
    );
    out.push_str(&format!("依据：{}\n", rule.cite.render()));
    if let Some(explain) = &rule.explain {
        out.push_str(&format!("\n{explain}\n"));
    }
    if let Some(help) = &rule.help {
        out.push_str(&format!("\n建议：{help}\n"));
    }
    out.push_str(&format!(
        "\npack: {} ({})\ndefined at: {}:{}:{}\n",
        pack.id, pack.document, rule.source.name, at.line, at.column
    ));
    for (by, what) in registry.changes_to(id) {
        out.push_str(&format!("{by}: {what}\n"));
    }
    print(&out);
    EXIT_CLEAN
}
