//! The planlint command line: parse arguments, call the library, set the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use planlint::config::Config;
use planlint::output::{write_file, Overwrite};
use planlint::report::{render_human, HumanOptions};
use planlint::rules::{Registry, ResolvedPack};
use planlint::source::SourceFile;
use planlint::{Checker, FileReport};

use planlint::run::{self, EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNCHECKABLE};
use planlint::walk::WalkOptions;

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
        /// The document to import; `-` reads standard input (and writes the plan to standard
        /// output unless -o is given).
        file: PathBuf,
        /// The name to show for standard input; its extension says what it is (.txt when not
        /// given, .docx).
        #[arg(long, value_name = "NAME")]
        stdin_filename: Option<String>,
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
    /// Write a reviewer's report: the plan's text with every finding marked, and the coverage
    /// of the higher plans (one HTML page); for a folder, a page per plan and the coverage
    /// matrix (index.html, coverage.csv, coverage.xlsx).
    Report(DeskArgs),
    /// Write a draft review opinion (审核意见) as a Word document.
    Opinion(DeskArgs),
    /// Serve a local web page (127.0.0.1) where a reviewer drops a file and reads its report.
    Serve(ServeArgs),
    /// Explain a rule: what it asks, and which clause of which document asks for it.
    Explain {
        /// A rule id such as national-2021/international-cooperation.
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
}

/// The reviewer's commands: one input, one output.
#[derive(clap::Args)]
struct DeskArgs {
    /// A plan file, a document (.txt, .docx) or, for `report`, a folder of them.
    path: PathBuf,
    /// Where to write (`-`: standard output). A single report goes to standard output when not
    /// given; a folder's report needs a folder; an opinion needs a .docx path.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace existing files that planlint did not write.
    #[arg(long)]
    force: bool,
    /// Use this configuration instead of the nearest planlint.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Apply this pack instead of those chosen by period, level and region (repeatable).
    #[arg(long = "pack", value_name = "ID")]
    packs: Vec<String>,
    #[command(flatten)]
    rules: PackArgs,
}

impl DeskArgs {
    fn options(self) -> planlint::desk::DeskOptions {
        planlint::desk::DeskOptions {
            path: self.path,
            output: self.output,
            force: self.force,
            config: self.config,
            rule_dirs: self.rules.rule_dirs,
            packs: self.packs,
        }
    }
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free port; the address is printed on start).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Open the page in the default browser once the server is up.
    #[arg(long)]
    open: bool,
    /// Use this configuration instead of the nearest planlint.toml (from the current folder).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    rules: PackArgs,
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
    /// Plan files, documents or folders; `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The name to show for standard input (`-`); its extension says what it is (a plan when
    /// it ends in .toml or is not given, otherwise a document: .txt, .docx).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Output format.
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Add each plan's coverage of the higher plans' requirements to JSON output
    /// (docs/report.md).
    #[arg(long)]
    coverage: bool,
    /// The JSON output's version: 2 (rules' help and citations once, in a `rules` table), or 1
    /// (each finding with its help), kept for a release.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
    json_version: u32,
    /// In folders, also check the documents (.txt, .docx), not only *.plan.toml.
    #[arg(long)]
    documents: bool,
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
    /// Replace existing output files that are not planlint's own reports or baselines.
    #[arg(long)]
    force: bool,
    /// Also check plan files reached through links that point outside the checked folder
    /// (their lines are never printed).
    #[arg(long)]
    follow_links: bool,
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

/// A message to standard error. Unlike `eprintln!`, a failed write (stderr on a full disk) is
/// not a panic: the message had nowhere else to go, and the exit code still tells.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `say!` without the line break.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interrupted run removes its half-written outputs; the server writes none, and stops
    // on Ctrl-C by its own handler.
    if !matches!(cli.command, Command::Serve(_)) {
        planlint::output::clean_up_on_interrupt();
    }
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
                    say!("error: cannot render the manual page: {e}");
                    EXIT_UNCHECKABLE
                }
            }
        }
        Command::Rules { for_file, packs } => rules(for_file, packs),
        Command::Explain { rule, packs } => explain(&rule, packs),
        Command::Report(args) => planlint::desk::report(
            &args.options(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr(),
        ),
        Command::Opinion(args) => planlint::desk::opinion(
            &args.options(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr(),
        ),
        Command::Serve(args) => planlint::serve::serve(
            &planlint::serve::ServeOptions {
                port: args.port,
                open: args.open,
                config: args.config,
                rule_dirs: args.rules.rule_dirs,
            },
            &mut std::io::stderr(),
        ),
        Command::Test { dir } => test(&dir),
        Command::Lsp => match Registry::builtin() {
            Ok(registry) => planlint::lsp::run_stdio(registry).clamp(0, 255) as u8,
            Err(_) => {
                say!("error: the built-in rule packs do not load");
                EXIT_UNCHECKABLE
            }
        },
        Command::Schema => write_stdout(planlint::plan::JSON_SCHEMA.as_bytes()),
        Command::Config {
            path,
            config,
            selection,
        } => show_config(path, config, &selection),
        Command::Import {
            file,
            stdin_filename,
            output,
            stdout,
            force,
            packs,
        } => import(
            &file,
            stdin_filename.as_deref(),
            output,
            stdout,
            force,
            &packs,
        ),
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
            say!("error: cannot write to standard output: {e}");
            EXIT_UNCHECKABLE
        }
    }
}

/// Print the diagnostics that stopped a command; exit 2 whether or not they could be shown.
fn fail_with(reports: &[FileReport]) -> u8 {
    write_stdout(render_human(reports, diagnostics_options()).as_bytes());
    EXIT_UNCHECKABLE
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
fn registry(args: &PackArgs) -> Result<&'static Registry, Vec<FileReport>> {
    let mut notes = Vec::new();
    let result = run::load_registry(&args.rule_dirs, &mut notes);
    for note in notes {
        say!("note: {note}");
    }
    result
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
                say!("error: cannot watch for changes: {e}");
                return EXIT_UNCHECKABLE;
            }
        };
    for path in &args.paths {
        if let Err(e) = watcher.watch(path, notify::RecursiveMode::Recursive) {
            say!("error: cannot watch {}: {e}", path.display());
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
            let _ = std::io::stdout().write_all(b"\x1b[2J\x1b[H");
        }
        check_once(args);
        say!("watching for changes (Ctrl-C to stop)");
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
    let human = HumanOptions {
        quiet: args.quiet,
        ..human_options(args.color)
    };
    let options = run::CheckOptions {
        paths: args.paths.clone(),
        format: args.format.into(),
        human,
        exit_zero: args.exit_zero,
        statistics: args.statistics,
        allow_empty: args.allow_empty,
        deny_warnings: args.deny.is_some(),
        select: args.selection.select.clone(),
        extend_select: args.selection.extend_select.clone(),
        ignore: args.selection.ignore.clone(),
        packs: args.packs.clone(),
        config: args.config.clone(),
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
        output_files: args
            .output_files
            .iter()
            .map(|o| run::OutputFile {
                format: o.format.into(),
                path: o.path.clone(),
            })
            .collect(),
        rule_dirs: args.pack_args.rule_dirs.clone(),
        force: args.force,
        coverage: args.coverage,
        json_version: planlint::report::JsonVersion::parse(args.json_version)
            .expect("clap accepts 1 and 2 only"),
        documents: args.documents,
        stdin_filename: args.stdin_filename.clone(),
        walk: WalkOptions {
            follow_outside_links: args.follow_links,
        },
    };
    run::check(
        &options,
        Box::new(std::io::stdout().lock()),
        &mut std::io::stderr().lock(),
    )
}

impl From<Format> for run::Format {
    fn from(format: Format) -> run::Format {
        match format {
            Format::Human => run::Format::Human,
            Format::Concise => run::Format::Concise,
            Format::Json => run::Format::Json,
            Format::Sarif => run::Format::Sarif,
            Format::Github => run::Format::Github,
        }
    }
}

fn show_config(path: Option<PathBuf>, explicit: Option<PathBuf>, selection: &Selection) -> u8 {
    let start = path.unwrap_or_else(|| PathBuf::from("."));
    match run::load_config(explicit.as_deref(), &start) {
        Ok(config) => write_stdout(selection.apply(config).to_toml().as_bytes()),
        Err(report) => fail_with(&[report]),
    }
}

fn import(
    file: &Path,
    stdin_filename: Option<&str>,
    output: Option<PathBuf>,
    to_stdout: bool,
    force: bool,
    pack_args: &PackArgs,
) -> u8 {
    let registry = match registry(pack_args) {
        Ok(r) => r,
        Err(reports) => {
            return fail_with(&reports);
        }
    };
    let from_stdin = file == Path::new(run::STDIN);
    let name = match (from_stdin, stdin_filename) {
        (true, Some(n)) => n.to_owned(),
        (true, None) => "<stdin>".to_owned(),
        _ => file.display().to_string(),
    };
    let done = if from_stdin {
        planlint::source::read_limited_from(
            std::io::stdin().lock(),
            planlint::import::MAX_DOCUMENT_BYTES as u64,
        )
        .map_err(|e| planlint::document_unreadable(&name, e))
        .and_then(|bytes| planlint::import_bytes(None, &name, &bytes, registry))
    } else {
        planlint::import_path(file, &name, registry)
    };
    let (_, imported) = match done {
        Ok(done) => done,
        Err(report) => {
            say_raw!("{}", render_human(&[*report], diagnostics_options()));
            return EXIT_UNCHECKABLE;
        }
    };
    let source_name = match from_stdin {
        true => name.clone(),
        false => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone()),
    };
    let toml = planlint::import::to_toml(&imported.plan, &source_name, &imported.notes);
    if to_stdout || (from_stdin && output.is_none()) {
        return write_stdout(toml.as_bytes());
    }
    let output = output.unwrap_or_else(|| {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        file.with_file_name(format!("{stem}.plan.toml"))
    });
    // Nothing planlint reads is overwritten, --force or not (a link or another spelling of the
    // document's own path included).
    let input = (!from_stdin)
        .then(|| planlint::output::file_identity(file))
        .flatten();
    if input.is_some() && input == planlint::output::file_identity(&output) {
        say!(
            "error: 输出文件 {} 就是正在导入的文档；planlint 从不改写它读取的文件（--force 也不例外），请用 -o 另指定输出文件",
            output.display()
        );
        return EXIT_UNCHECKABLE;
    }
    match write_file(
        &output,
        toml.as_bytes(),
        Overwrite::from_force(force, Overwrite::Never),
    ) {
        Ok(()) => {
            let plan = &imported.plan;
            say!(
                "wrote {}: {} actions, {} projects, {} safeguards, {} plan-level targets",
                output.display(),
                plan.actions.items.len(),
                plan.projects.items.len(),
                plan.safeguards.items.len(),
                plan.targets.items.len()
            );
            for note in &imported.notes {
                say!("note: {note}");
            }
            for finding in &imported.findings {
                say!("warning: {}", finding.message);
            }
            EXIT_CLEAN
        }
        Err(message) => {
            say!("error: {message}");
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
            return fail_with(&reports);
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
    let walk = match planlint::walk::collect(dir, ".plan.toml", WalkOptions::default()) {
        Ok(walk) => walk,
        Err(e) => {
            say!("error: cannot read {}: {e}", dir.display());
            return EXIT_UNCHECKABLE;
        }
    };
    let mut notes = Vec::new();
    run::note_skipped(&walk, &mut notes);
    for note in notes {
        say!("note: {note}");
    }
    if let Some((dir, e)) = walk.problems.first() {
        say!("error: cannot read {}: {e}", dir.display());
        return EXIT_UNCHECKABLE;
    }
    let mut cases = Vec::new();
    for found in walk.files {
        let path = found.path;
        match planlint::source::read_limited(&path, planlint::MAX_PLAN_BYTES)
            .map(|b| SourceFile::decode(&b))
        {
            Ok(Ok(text)) => cases.push((
                path.clone(),
                SourceFile::with_path(path.display().to_string(), &path, text),
            )),
            Ok(Err(_)) => {
                say!("error: cannot read {} as UTF-8 text", path.display());
                return EXIT_UNCHECKABLE;
            }
            Err(e) => {
                say!("error: cannot read {}: {e}", path.display());
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
    let written = write_stdout(out.as_bytes());
    if written != EXIT_CLEAN {
        written
    } else if run.ok() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn rules(for_file: Option<PathBuf>, args: PackArgs) -> u8 {
    let registry = match registry(&args) {
        Ok(r) => r,
        Err(reports) => {
            return fail_with(&reports);
        }
    };
    let packs: Vec<Arc<ResolvedPack>> = match &for_file {
        None => registry.packs().cloned().collect(),
        Some(path) => {
            let report =
                planlint::check_path(path, &path.display().to_string(), &Checker::new(registry));
            if report.is_fatal() {
                return fail_with(&[report]);
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
        if let Some(date) = &pack.issued {
            out.push_str(&format!("  issued {date}\n"));
        }
        if let Some(old) = &pack.supersedes {
            out.push_str(&format!("  supersedes {old}\n"));
        }
        if !pack.unknown.is_empty() {
            out.push_str(&format!(
                "  not known (the national requirement stands in): {}\n",
                pack.unknown.join("、")
            ));
        }
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
    if for_file.is_none() {
        out.push_str(&planlint::rules::provinces::table(registry));
    }
    write_stdout(out.as_bytes())
}

fn explain(id: &str, args: PackArgs) -> u8 {
    let registry = match registry(&args) {
        Ok(r) => r,
        Err(reports) => {
            return fail_with(&reports);
        }
    };
    let Some((pack, rule)) = registry.rule(id) else {
        let hint = registry.rule_hint(id);
        say!("error: unknown rule `{id}`.{hint} `planlint rules` lists them.");
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
    write_stdout(out.as_bytes())
}
