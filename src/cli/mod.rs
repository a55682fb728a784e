//! The command line's shared parts: messages to standard error, writing to standard output,
//! human output options, the registry of packs for a command. Each command is a file of
//! `commands/`; `main.rs` only parses and dispatches.

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

pub(crate) mod args;
pub(crate) mod commands;

use std::io::{IsTerminal, Write};

use planlint::report::{render_human, HumanOptions};
use planlint::rules::Registry;
use planlint::run::{self, EXIT_CLEAN, EXIT_UNCHECKABLE};
use planlint::FileReport;

use crate::cli::args::*;

/// Write generated output to stdout; a failed write is exit 2 (a closed pipe ends quietly).
pub(crate) fn write_stdout(bytes: &[u8]) -> u8 {
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
pub(crate) fn fail_with(reports: &[FileReport]) -> u8 {
    write_stdout(render_human(reports, diagnostics_options()).as_bytes());
    EXIT_UNCHECKABLE
}

pub(crate) fn human_options(color: Color) -> HumanOptions {
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
pub(crate) fn diagnostics_options() -> HumanOptions {
    HumanOptions {
        quiet: true,
        ..human_options(Color::Auto)
    }
}

/// Built-in packs plus those of `--rules` folders; on error, the reports to print instead.
pub(crate) fn registry(args: &PackArgs) -> Result<&'static Registry, Vec<FileReport>> {
    let mut notes = Vec::new();
    let result = run::load_registry(&args.rule_dirs, &mut notes);
    for note in notes {
        say!("note: {note}");
    }
    result
}
