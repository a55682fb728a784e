//! `planlint import`: a published document (.txt, .docx, .doc, web page, PDF) → a plan file.

use std::io::Write;
use std::path::{Path, PathBuf};

use planlint::output::{write_file, Overwrite};
use planlint::report::render_human;
use planlint::run::{self, EXIT_CLEAN, EXIT_UNCHECKABLE};

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn import(
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
