//! `planlint rules`: the packs, their rules, and the provinces' plans.

use std::path::PathBuf;
use std::sync::Arc;

use planlint::rules::ResolvedPack;

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn rules(for_file: Option<PathBuf>, args: PackArgs) -> u8 {
    let registry = match registry(&args) {
        Ok(r) => r,
        Err(reports) => {
            return fail_with(&reports);
        }
    };
    let packs: Vec<Arc<ResolvedPack>> = match &for_file {
        None => registry.packs().cloned().collect(),
        Some(path) => {
            // The packs that apply to the file as `check` would choose them: under the
            // planlint.toml that governs it (its rule folders, packs, selection).
            let config = match planlint::run::load_config(None, path) {
                Ok(config) => config,
                Err(report) => return fail_with(&[report]),
            };
            let mut notes = Vec::new();
            let made = planlint::run::make_checker(config, &args.rule_dirs, &[], &mut notes);
            for note in notes {
                say!("note: {note}");
            }
            let checker = match made {
                Ok(checker) => checker,
                Err(planlint::run::Unprepared::Reports(reports)) => return fail_with(&reports),
                Err(planlint::run::Unprepared::Message(m)) => {
                    say!("error: {m}");
                    return planlint::run::EXIT_UNCHECKABLE;
                }
            };
            let registry = checker.registry;
            let report = planlint::check_path(path, &path.display().to_string(), &checker);
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
