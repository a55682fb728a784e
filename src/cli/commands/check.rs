//! `planlint check`: once, or again on every change (`--watch`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use planlint::report::HumanOptions;
use planlint::run::{self, EXIT_UNCHECKABLE};
use planlint::walk::WalkOptions;

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn check(args: CheckArgs) -> u8 {
    if args.watch {
        return watch(&args);
    }
    check_once(&args)
}

/// `check --watch`: check, then again whenever a plan file, a pack or planlint.toml below the
/// given paths changes, clearing the screen between runs, until interrupted.
pub(crate) fn watch(args: &CheckArgs) -> u8 {
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
                || run::DOCUMENT_SUFFIXES
                    .iter()
                    .any(|e| name.to_ascii_lowercase().ends_with(e))
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

pub(crate) fn check_once(args: &CheckArgs) -> u8 {
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
