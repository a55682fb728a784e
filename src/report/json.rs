//! The JSON output (`--format json`), format version 1. Written with serde_json: text taken
//! from documents holds control characters that must be escaped exactly.

use serde::Serialize;

use super::{full_help, Summary};
use crate::diagnostic::{Cite, Severity};
use crate::source::LineCol;
use crate::FileReport;

pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: &'static str,
    tool_version: &'static str,
    files: Vec<FileOut<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct FileOut<'a> {
    path: &'a str,
    packs: Vec<PackOut<'a>>,
    findings: Vec<FindingOut<'a>>,
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
    let files = reports
        .iter()
        .map(|r| FileOut {
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
        })
        .collect();
    let output = Output {
        version: JSON_FORMAT_VERSION,
        tool: "planlint",
        tool_version: env!("CARGO_PKG_VERSION"),
        files,
        summary: Summary::of(reports),
    };
    let mut text = serde_json::to_string_pretty(&output).expect("plain data always serialises");
    text.push('\n');
    text
}
