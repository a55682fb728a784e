//! `planlint test`: a folder of packs and their cases — every rule raised by one case and
//! passed by another.

use std::io::Write;
use std::path::Path;

use planlint::run::{self, EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNCHECKABLE};
use planlint::source::SourceFile;
use planlint::walk::WalkOptions;

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn test(dir: &Path) -> u8 {
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
