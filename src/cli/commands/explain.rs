//! `planlint explain`: one rule, where it comes from, and what changes it.

use std::io::Write;

use planlint::run::EXIT_UNCHECKABLE;

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn explain(id: &str, args: PackArgs) -> u8 {
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
