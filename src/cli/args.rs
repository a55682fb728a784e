//! The command line as clap reads it: commands, their arguments, and the enums they take.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use planlint::config::Config;

#[derive(Parser)]
#[command(
    name = "planlint",
    version,
    about = "Check local science-literacy plans against the higher plans they implement"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct DeskArgs {
    /// A plan file, a document (.txt, .docx) or, for `report`, a folder of them.
    pub path: PathBuf,
    /// Where to write (`-`: standard output). A single report goes to standard output when not
    /// given; a folder's report needs a folder; an opinion needs a .docx path.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace existing files that planlint did not write.
    #[arg(long)]
    pub force: bool,
    /// Use this configuration instead of the nearest planlint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Apply this pack instead of those chosen by period, level and region (repeatable).
    #[arg(long = "pack", value_name = "ID")]
    pub packs: Vec<String>,
    #[command(flatten)]
    pub rules: PackArgs,
}

impl DeskArgs {
    pub(crate) fn options(self) -> planlint::desk::DeskOptions {
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
pub(crate) struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free port; the address is printed on start).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Open the page in the default browser once the server is up.
    #[arg(long)]
    pub open: bool,
    /// Use this configuration instead of the nearest planlint.toml (from the current folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub rules: PackArgs,
}

#[derive(clap::Args)]
pub(crate) struct PackArgs {
    /// Also load the packs (*.rules) in this folder.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

/// Which rules report, over planlint.toml's `[rules] select` and `ignore`.
#[derive(clap::Args, Clone, Default)]
pub(crate) struct Selection {
    /// Report only these rules: rule ids or pack ids, comma-separated (replaces `select`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Also report these rules (added to `select`).
    #[arg(long = "extend-select", value_name = "IDS", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Do not report these rules: rule ids or pack ids (added to `ignore`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

impl Selection {
    pub(crate) fn apply(&self, config: Config) -> Config {
        config.with_selection(&self.select, &self.extend_select, &self.ignore)
    }
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Plan files, documents or folders; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The name to show for standard input (`-`); its extension says what it is (a plan when
    /// it ends in .toml or is not given, otherwise a document: .txt, .docx).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Output format.
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Add each plan's coverage of the higher plans' requirements to JSON output
    /// (docs/report.md).
    #[arg(long)]
    pub coverage: bool,
    /// The JSON output's version: 2 (rules' help and citations once, in a `rules` table), or 1
    /// (each finding with its help), kept for a release.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub json_version: u32,
    /// In folders, also check the documents (.txt, .docx), not only *.plan.toml.
    #[arg(long)]
    pub documents: bool,
    /// Findings only: no packs-applied lines, no closing summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Exit 0 even when there are error findings (input that could not be checked still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Also print how many findings each rule raised, most first (to standard error).
    #[arg(long)]
    pub statistics: bool,
    /// A folder with no plans in it is not an error.
    #[arg(long)]
    pub allow_empty: bool,
    /// Check again whenever a plan, pack or planlint.toml below the paths changes.
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub selection: Selection,
    /// Apply this pack instead of choosing by the plan's period, level and region (repeatable).
    #[arg(long = "pack", value_name = "ID")]
    pub packs: Vec<String>,
    /// Use this configuration file instead of the nearest planlint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings that are not in this baseline (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings as a baseline, for adopting planlint on existing plans.
    #[arg(long = "write-baseline", value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Replace existing output files that are not planlint's own reports or baselines.
    #[arg(long)]
    pub force: bool,
    /// Also check plan files reached through links that point outside the checked folder
    /// (their lines are never printed).
    #[arg(long)]
    pub follow_links: bool,
    /// Also write the findings in FORMAT to PATH (repeatable), e.g. `sarif=findings.sarif`.
    #[arg(long = "output-file", value_name = "FORMAT=PATH", value_parser = parse_output_file)]
    pub output_files: Vec<OutputFile>,
    /// Treat warnings as errors for the exit code.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    #[command(flatten)]
    pub pack_args: PackArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Format {
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
    pub(crate) fn parse(word: &str) -> Option<Format> {
        Format::from_str(word, true).ok()
    }
}

/// `FORMAT=PATH` for `--output-file`.
#[derive(Clone, Debug)]
pub(crate) struct OutputFile {
    pub format: Format,
    pub path: PathBuf,
}

pub(crate) fn parse_output_file(arg: &str) -> Result<OutputFile, String> {
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
pub(crate) enum Deny {
    Warnings,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}
