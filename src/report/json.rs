//! The JSON output (`--format json`), format version 1. Written with serde_json: text taken
//! from documents holds control characters that must be escaped exactly.

use serde::Serialize;

use super::{full_help, Summary};
use crate::diagnostic::{Cite, Severity};
use crate::source::LineCol;
use crate::FileReport;

pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct FileOut<'a> {
    path: &'a str,
    packs: Vec<PackOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    /// How the plan meets each requirement (docs/report.md); absent for a file not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<CoverageOut<'a>>,
}

#[derive(Serialize)]
struct CoverageOut<'a> {
    version: u32,
    requirements: Vec<RequirementOut<'a>>,
}

#[derive(Serialize)]
struct RequirementOut<'a> {
    #[serde(flatten)]
    requirement: &'a crate::coverage::Requirement,
    /// Where the plan meets it.
    start: Option<LineCol>,
    /// The codes of the findings that bear on it, in the order of `findings`.
    finding_codes: Vec<&'a str>,
}

#[derive(Serialize)]
struct PackOut<'a> {
    id: &'a str,
    document: &'a str,
    extends: &'a [String],
    /// Rules of higher packs this pack does not apply, with the reason.
    dropped: Vec<DroppedOut<'a>>,
}

#[derive(Serialize)]
struct DroppedOut<'a> {
    rule: &'a str,
    by: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    label: &'a str,
    help: Option<String>,
    cite: Option<&'a Cite>,
    suggestion: Option<&'a str>,
    offset: usize,
    length: usize,
    start: LineCol,
    end: LineCol,
    related: Vec<RelatedOut<'a>>,
    fatal: bool,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    message: &'a str,
    offset: usize,
    length: usize,
    start: LineCol,
}

/// One JSON document for the whole run.
pub fn render_json(reports: &[FileReport]) -> String {
    let mut out = json_prefix();
    for (n, r) in reports.iter().enumerate() {
        out.push_str(&json_file(r, n == 0));
    }
    out.push_str(&json_suffix(&Summary::of(reports), !reports.is_empty()));
    out
}

/// The document up to the first file. Written piece by piece so that a run over thousands of
/// files streams its output; the pieces make exactly what serde_json's pretty printer would.
pub(super) fn json_prefix() -> String {
    format!(
        "{{\n  \"version\": {JSON_FORMAT_VERSION},\n  \"tool\": \"planlint\",\n  \"tool_version\": {},\n  \"files\": [",
        serde_json::to_string(env!("CARGO_PKG_VERSION")).expect("a string serialises")
    )
}

fn indent(text: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    out.push_str(by);
    out.push_str(&text.replace('\n', &format!("\n{by}")));
    out
}

/// One file's object, as an element of the `files` array.
pub(super) fn json_file(r: &FileReport, first: bool) -> String {
    json_element(json_file_body(r), first)
}

/// One file's object, indented for the `files` array (no separator).
pub(super) fn json_file_body(r: &FileReport) -> String {
    let text = serde_json::to_string_pretty(&file_out(r)).expect("plain data serialises");
    indent(&text, "    ")
}

/// A file's object with the separator before it.
pub(super) fn json_element(body: String, first: bool) -> String {
    format!("{}\n{body}", if first { "" } else { "," })
}

pub(super) fn json_suffix(summary: &Summary, any_files: bool) -> String {
    let summary = serde_json::to_string_pretty(summary).expect("plain data serialises");
    let summary = indent(&summary, "  ");
    format!(
        "{}],\n  \"summary\": {}\n}}\n",
        if any_files { "\n  " } else { "" },
        summary.trim_start()
    )
}

fn file_out(r: &FileReport) -> FileOut<'_> {
    FileOut {
        coverage: r.coverage.as_ref().map(|c| CoverageOut {
            version: crate::coverage::COVERAGE_VERSION,
            requirements: c
                .requirements
                .iter()
                .map(|q| RequirementOut {
                    requirement: q,
                    start: q.at.map(|s| r.source.line_col(r.source.clamp(s).start)),
                    finding_codes: q
                        .findings
                        .iter()
                        .filter_map(|&n| r.findings.get(n).map(|f| f.code.as_str()))
                        .collect(),
                })
                .collect(),
        }),
        path: &r.source.name,
        packs: r
            .packs
            .iter()
            .map(|p| PackOut {
                id: &p.id,
                document: &p.document,
                extends: &p.ancestors,
                dropped: p
                    .dropped
                    .iter()
                    .map(|d| DroppedOut {
                        rule: &d.id,
                        by: &d.by,
                        reason: &d.reason,
                    })
                    .collect(),
            })
            .collect(),
        findings: r
            .findings
            .iter()
            .map(|f| {
                let span = r.source.clamp(f.span);
                FindingOut {
                    code: &f.code,
                    severity: f.severity,
                    message: &f.message,
                    label: &f.label,
                    help: full_help(f),
                    cite: f.cite.as_ref(),
                    suggestion: f.suggestion.as_deref(),
                    offset: span.start,
                    length: span.len(),
                    start: r.source.line_col(span.start),
                    end: r.source.line_col(span.end),
                    related: f
                        .related
                        .iter()
                        .map(|rel| {
                            let span = r.source.clamp(rel.span);
                            RelatedOut {
                                message: &rel.message,
                                offset: span.start,
                                length: span.len(),
                                start: r.source.line_col(span.start),
                            }
                        })
                        .collect(),
                    fatal: f.fatal,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[derive(Serialize)]
    struct Whole<'a> {
        version: u32,
        tool: &'static str,
        tool_version: &'static str,
        files: Vec<FileOut<'a>>,
        summary: Summary,
    }

    /// The streamed pieces make the same document serde_json would print in one go.
    #[test]
    fn streamed_json_is_the_pretty_document() {
        for count in [0usize, 1, 2] {
            let reports: Vec<FileReport> = (0..count)
                .map(|i| FileReport::of(SourceFile::new(format!("f{i}"), "x"), Vec::new()))
                .collect();
            let whole = Whole {
                version: JSON_FORMAT_VERSION,
                tool: "planlint",
                tool_version: env!("CARGO_PKG_VERSION"),
                files: reports.iter().map(file_out).collect(),
                summary: Summary::of(&reports),
            };
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            assert_eq!(render_json(&reports), expected, "{count} files");
        }
    }
}
