//! Rendering findings: human (miette's graphical handler) and JSON. Rendering never changes
//! what was found.

mod github;
mod human;
mod json;
mod sarif;

pub use github::{render_github, render_summary_markdown, ANNOTATIONS_PER_KIND};
pub use human::{render_human, HumanOptions};
pub use json::render_json;
pub use sarif::{render_sarif, uri_encode};

use crate::diagnostic::Severity;
use crate::FileReport;

/// Totals over a run, for the summary line and the exit code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files that could not be checked.
    pub failed: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            s.errors += r.count(Severity::Error);
            s.warnings += r.count(Severity::Warning);
            s.infos += r.count(Severity::Info);
            s.failed += usize::from(r.is_fatal());
        }
        s
    }
}

/// The help text shown under a finding: the rule's help, the clause it comes from, and the
/// TOML to add.
pub fn full_help(finding: &crate::diagnostic::Finding) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(help) = &finding.help {
        parts.push(help.clone());
    }
    if let Some(cite) = &finding.cite {
        parts.push(format!("依据：{}", cite.render()));
    }
    if let Some(suggestion) = &finding.suggestion {
        parts.push(format!("可添加：\n{suggestion}"));
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}
