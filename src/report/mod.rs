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

/// A finding's fingerprint: (rule id, file, TOML key path of its anchor), so that it survives
/// lines moving. For a document (no TOML), the anchor is the label.
pub fn fingerprint(
    source: &crate::source::SourceFile,
    finding: &crate::diagnostic::Finding,
) -> String {
    let span = source.clamp(finding.span);
    let anchor =
        crate::plan::key_path_at(&source.text, span.start).unwrap_or_else(|| finding.label.clone());
    fnv1a(&[&finding.code, &source.name, &anchor, &finding.label])
}

/// FNV-1a: a fingerprint must not change between runs or Rust versions, which std's hasher
/// does not promise.
fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Today's findings, recorded so that a later run reports only new ones.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub path: String,
    pub code: String,
    pub fingerprint: String,
    /// For people reading the file; not compared.
    pub message: String,
}

impl Baseline {
    pub fn of(reports: &[FileReport]) -> Baseline {
        let mut findings: Vec<BaselineEntry> = reports
            .iter()
            .flat_map(|r| {
                r.findings
                    .iter()
                    .filter(|f| !f.fatal)
                    .map(move |f| BaselineEntry {
                        path: r.source.name.clone(),
                        code: f.code.clone(),
                        fingerprint: fingerprint(&r.source, f),
                        message: f.message.clone(),
                    })
            })
            .collect();
        findings.sort();
        Baseline {
            version: 1,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serialises");
        text.push('\n');
        text
    }

    pub fn read(path: &std::path::Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a planlint baseline: {e}", path.display()))?;
        if baseline.version != 1 {
            return Err(format!(
                "{}: unsupported baseline version {}",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Drop the findings the baseline records.
    pub fn filter(&self, report: &mut FileReport) {
        let known: std::collections::HashSet<(&str, &str, &str)> = self
            .findings
            .iter()
            .map(|e| (e.path.as_str(), e.code.as_str(), e.fingerprint.as_str()))
            .collect();
        let source = report.source.clone();
        report.findings.retain(|f| {
            f.fatal
                || !known.contains(&(
                    source.name.as_str(),
                    f.code.as_str(),
                    fingerprint(&source, f).as_str(),
                ))
        });
    }
}
