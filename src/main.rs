//! The planlint command line: parse arguments, call the library, set the exit code. Each
//! command is a file of `cli/commands/`.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use planlint::rules::Registry;
use planlint::run::EXIT_UNCHECKABLE;

#[macro_use]
mod cli;

use cli::args::{Cli, Command};
use cli::commands::{check, config, explain, import, rules, test};
use cli::write_stdout;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interrupted run removes its half-written outputs; the server writes none, and stops
    // on Ctrl-C by its own handler.
    if !matches!(cli.command, Command::Serve(_)) {
        planlint::output::clean_up_on_interrupt();
    }
    let code = match cli.command {
        Command::Check(args) => check::check(args),
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
        Command::Rules { for_file, packs } => rules::rules(for_file, packs),
        Command::Explain { rule, packs } => explain::explain(&rule, packs),
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
        Command::Test { dir } => test::test(&dir),
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
        } => config::show_config(path, config, &selection),
        Command::Import {
            file,
            stdin_filename,
            output,
            stdout,
            force,
            packs,
        } => import::import(
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
