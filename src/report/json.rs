//! The JSON output (`--format json`). Version 2 (the default) names each finding's rule and
//! gives the rule's help and citation once, in a `rules` table after the files; a finding
//! carries its own help or citation only where it differs from its rule's. Version 1 (every
//! finding with its help, citation and suggestion joined in `help`) stays available with
//! `--json-version 1` for a release. Written with serde_json: text taken from documents holds
//! control characters that must be escaped exactly. The one exception is the version 2 file
//! object, most of a bulk run's output, which is written by hand in serde_json's layout (a
//! string with nothing to escape copied whole, any other escaped by serde_json) and tested to
//! be byte for byte what serde_json makes of [`FileOutV2`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::{full_help, Summary};
use crate::diagnostic::{Cite, Finding, Severity};
use crate::rules::{Registry, ResolvedRule};
use crate::source::LineCol;
use crate::FileReport;

/// The version written unless another is asked for.
pub const JSON_FORMAT_VERSION: u32 = 2;

/// The versions `--json-version` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum JsonVersion {
    V1,
    #[default]
    V2,
}

impl JsonVersion {
    pub fn number(self) -> u32 {
        match self {
            JsonVersion::V1 => 1,
            JsonVersion::V2 => 2,
        }
    }

    pub fn parse(n: u32) -> Option<Self> {
        match n {
            1 => Some(JsonVersion::V1),
            2 => Some(JsonVersion::V2),
            _ => None,
        }
    }
}

/// Every rule of the registry by id, as the pack its id names defines it: what version 2
/// writes once per rule instead of once per finding.
#[derive(Default)]
pub struct RuleTable<'r> {
    rules: rustc_hash::FxHashMap<&'r str, &'r ResolvedRule>,
}

impl<'r> RuleTable<'r> {
    pub fn new(registry: &'r Registry) -> Self {
        let mut rules = rustc_hash::FxHashMap::default();
        for pack in registry.packs() {
            for rule in &pack.rules {
                if !rules.contains_key(rule.id.as_str()) {
                    if let Some((_, defining)) = registry.rule(&rule.id) {
                        rules.insert(defining.id.as_str(), defining);
                    }
                }
            }
        }
        RuleTable { rules }
    }

    fn get(&self, id: &str) -> Option<&'r ResolvedRule> {
        self.rules.get(id).copied()
    }
}

#[derive(Serialize)]
struct RuleOut<'a> {
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    cite: &'a Cite,
}

#[derive(Serialize)]
struct FileOutV2<'a> {
    path: &'a str,
    packs: Vec<PackOut<'a>>,
    findings: Vec<FindingOutV2<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<CoverageOut<'a>>,
}

#[derive(Serialize)]
struct FindingOutV2<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    label: &'a str,
    /// Only where it is not the rule's (findings of planlint itself, computed help).
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cite: Option<&'a Cite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    offset: usize,
    length: usize,
    start: LineCol,
    end: LineCol,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedOut<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fatal: bool,
}

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
pub fn render_json(reports: &[FileReport], registry: &Registry, version: JsonVersion) -> String {
    let table = RuleTable::new(registry);
    let mut files = Vec::new();
    let mut seen = RulesSeen::default();
    for (n, r) in reports.iter().enumerate() {
        seen.add(r);
        files.extend(json_element(r, version, &table, n == 0));
    }
    let mut out = json_prefix(version);
    out.push_str(&String::from_utf8(files).expect("serde_json writes UTF-8"));
    out.push_str(&json_suffix(
        &Summary::of(reports),
        !reports.is_empty(),
        version,
        &table,
        &seen,
    ));
    out
}

/// The ids of the findings written so far, for the `rules` table at the end.
#[derive(Default)]
pub struct RulesSeen {
    ids: std::collections::BTreeSet<String>,
}

impl RulesSeen {
    pub fn add(&mut self, report: &FileReport) {
        for f in &report.findings {
            if !self.ids.contains(&f.code) {
                self.ids.insert(f.code.clone());
            }
        }
    }
}

/// The document up to the first file. Written piece by piece so that a run over thousands of
/// files streams its output; the pieces make exactly what serde_json's pretty printer would.
pub(super) fn json_prefix(version: JsonVersion) -> String {
    format!(
        "{{\n  \"version\": {},\n  \"tool\": \"planlint\",\n  \"tool_version\": {},\n  \"files\": [",
        version.number(),
        serde_json::to_string(env!("CARGO_PKG_VERSION")).expect("a string serialises")
    )
}

/// serde_json's pretty printer, starting `depth` levels in: the pieces of a streamed document
/// are written where they stand, with no re-indenting copy.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        // One write per line, not one per level: JSON is 7 % of a bulk run.
        const SPACES: &[u8; 32] = b"                                ";
        let mut left = self.depth * 2;
        while left > 0 {
            let n = left.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }

    /// `[` or `{`: one level in.
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own when the container held anything.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an element or a key: a line of its own.
    fn entry<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.entry(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `value` pretty-printed as if `depth` levels deep, its first line indented too.
fn pretty_at(value: &impl Serialize, depth: usize) -> String {
    let mut out = Vec::with_capacity(4096);
    pretty_into(&mut out, value, depth);
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`pretty_at`] appended to bytes.
fn pretty_into(out: &mut Vec<u8>, value: &impl Serialize, depth: usize) {
    out.extend(std::iter::repeat_n(b' ', depth * 2));
    serde_into(out, value, depth);
}

/// `value` pretty-printed `depth` levels deep, where its first line is already indented.
fn serde_into(out: &mut Vec<u8>, value: &impl Serialize, depth: usize) {
    let mut serializer = serde_json::Serializer::with_formatter(
        out,
        Indented {
            depth,
            has_value: false,
        },
    );
    value
        .serialize(&mut serializer)
        .expect("plain data serialises");
}

/// A JSON string as serde_json writes it. Most of the text of findings needs no escape, and
/// is copied whole; serde_json escapes the rest (documents' text holds control characters).
fn string_into(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        serde_into(out, &s, 0);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether a string holds a byte JSON escapes: a control character, `"` or `\\`.
fn needs_escape(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |any, &b| {
        any | (b < b' ') | (b == b'"') | (b == b'\\')
    })
}

/// An object or array written by hand in [`Indented`]'s layout: each entry on a line of its
/// own, one level in, the closing bracket on its own line unless the container is empty.
struct Container<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    empty: bool,
    close: u8,
}

impl<'o> Container<'o> {
    fn object(out: &'o mut Vec<u8>, depth: usize) -> Self {
        Container::open(out, depth, b'{', b'}')
    }

    fn array(out: &'o mut Vec<u8>, depth: usize) -> Self {
        Container::open(out, depth, b'[', b']')
    }

    fn open(out: &'o mut Vec<u8>, depth: usize, open: u8, close: u8) -> Self {
        out.push(open);
        Container {
            out,
            depth,
            empty: true,
            close,
        }
    }

    /// The start of the next entry; returns the buffer to write its value into.
    fn entry(&mut self) -> &mut Vec<u8> {
        self.out
            .extend_from_slice(if self.empty { b"\n" } else { b",\n" });
        self.empty = false;
        self.out
            .extend(std::iter::repeat_n(b' ', (self.depth + 1) * 2));
        self.out
    }

    /// `"key": `, before the value.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        let out = self.entry();
        string_into(out, key);
        out.extend_from_slice(b": ");
        out
    }

    fn string(&mut self, key: &str, value: &str) {
        string_into(self.key(key), value);
    }

    fn number(&mut self, key: &str, value: usize) {
        serde_into(self.key(key), &value, 0);
    }

    /// A value serde_json writes, one level in.
    fn serde(&mut self, key: &str, value: &impl Serialize) {
        let depth = self.depth + 1;
        serde_into(self.key(key), value, depth);
    }

    fn line_col(&mut self, key: &str, at: LineCol) {
        let depth = self.depth + 1;
        let mut inner = Container::object(self.key(key), depth);
        inner.number("line", at.line);
        inner.number("column", at.column);
        inner.finish();
    }

    fn finish(self) {
        if !self.empty {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', self.depth * 2));
        }
        self.out.push(self.close);
    }
}

/// A version 2 file object, `depth` levels deep and already indented: the bulk of a run's
/// output, written without serde's per-value calls. It makes exactly what serde_json's pretty
/// printer makes of [`FileOutV2`] (tested below).
fn file_v2_into(out: &mut Vec<u8>, file: &FileOutV2<'_>, depth: usize) {
    let mut object = Container::object(out, depth);
    object.string("path", file.path);
    object.serde("packs", &file.packs);
    {
        let findings_depth = depth + 1;
        let mut findings = Container::array(object.key("findings"), findings_depth);
        for f in &file.findings {
            finding_v2_into(findings.entry(), f, findings_depth + 1);
        }
        findings.finish();
    }
    if let Some(coverage) = &file.coverage {
        object.serde("coverage", coverage);
    }
    object.finish();
}

fn finding_v2_into(out: &mut Vec<u8>, f: &FindingOutV2<'_>, depth: usize) {
    let mut object = Container::object(out, depth);
    object.string("code", f.code);
    object.string("severity", f.severity.as_str());
    object.string("message", f.message);
    object.string("label", f.label);
    if let Some(help) = f.help {
        object.string("help", help);
    }
    if let Some(cite) = f.cite {
        object.serde("cite", cite);
    }
    if let Some(suggestion) = f.suggestion {
        object.string("suggestion", suggestion);
    }
    object.number("offset", f.offset);
    object.number("length", f.length);
    object.line_col("start", f.start);
    object.line_col("end", f.end);
    if !f.related.is_empty() {
        object.serde("related", &f.related);
    }
    if f.fatal {
        object.serde("fatal", &true);
    }
    object.finish();
}

/// One file's object as bytes, after the separator that precedes every file but the first
/// (`,\n`; the stream drops the comma of the first). Bulk output stays bytes from serde_json
/// to the file: checking that it is UTF-8 again cost 2 % of a bulk run.
pub(super) fn json_file_element(
    r: &FileReport,
    version: JsonVersion,
    table: &RuleTable<'_>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * 1024);
    out.extend_from_slice(b",\n");
    file_into(&mut out, r, version, table);
    out
}

fn file_into(out: &mut Vec<u8>, r: &FileReport, version: JsonVersion, table: &RuleTable<'_>) {
    match version {
        JsonVersion::V1 => pretty_into(out, &file_out(r), 2),
        JsonVersion::V2 => {
            out.extend_from_slice(b"    ");
            file_v2_into(out, &file_out_v2(r, table), 2);
        }
    }
}

/// One file's element: its object after the separator, which the first file has not.
pub(super) fn json_element(
    r: &FileReport,
    version: JsonVersion,
    table: &RuleTable<'_>,
    first: bool,
) -> Vec<u8> {
    let element = json_file_element(r, version, table);
    if first {
        without_comma(element)
    } else {
        element
    }
}

/// The first file's element, from what [`json_file_element`] made.
pub(super) fn without_comma(mut element: Vec<u8>) -> Vec<u8> {
    element.remove(0);
    element
}

pub(super) fn json_suffix(
    summary: &Summary,
    any_files: bool,
    version: JsonVersion,
    table: &RuleTable<'_>,
    seen: &RulesSeen,
) -> String {
    let rules = match version {
        JsonVersion::V1 => String::new(),
        JsonVersion::V2 => {
            let rules: BTreeMap<&str, RuleOut<'_>> = seen
                .ids
                .iter()
                .filter_map(|id| table.get(id))
                .map(|rule| {
                    (
                        rule.id.as_str(),
                        RuleOut {
                            severity: rule.severity,
                            help: rule.help.as_deref(),
                            cite: &rule.cite,
                        },
                    )
                })
                .collect();
            format!(",\n  \"rules\": {}", pretty_at(&rules, 1).trim_start())
        }
    };
    format!(
        "{}]{rules},\n  \"summary\": {}\n}}\n",
        if any_files { "\n  " } else { "" },
        pretty_at(summary, 1).trim_start()
    )
}

fn file_out_v2<'a>(r: &'a FileReport, table: &RuleTable<'_>) -> FileOutV2<'a> {
    FileOutV2 {
        path: &r.source.name,
        packs: packs_out(r),
        coverage: coverage_out(r),
        findings: r
            .findings
            .iter()
            .map(|f| finding_out_v2(r, f, table))
            .collect(),
    }
}

fn finding_out_v2<'a>(
    r: &'a FileReport,
    f: &'a Finding,
    table: &RuleTable<'_>,
) -> FindingOutV2<'a> {
    let rule = table.get(&f.code);
    let span = r.source.clamp(f.span);
    FindingOutV2 {
        code: &f.code,
        severity: f.severity,
        message: &f.message,
        label: &f.label,
        help: f
            .help
            .as_deref()
            .filter(|h| rule.is_none_or(|rule| rule.help.as_deref() != Some(*h))),
        cite: f
            .cite
            .as_deref()
            .filter(|c| rule.is_none_or(|rule| &*rule.cite != *c)),
        suggestion: f.suggestion.as_deref(),
        offset: span.start,
        length: span.len(),
        start: r.source.line_col(span.start),
        end: r.source.line_col(span.end),
        related: related_out(r, f),
        fatal: f.fatal,
    }
}

fn related_out<'a>(r: &'a FileReport, f: &'a Finding) -> Vec<RelatedOut<'a>> {
    f.related
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
        .collect()
}

fn coverage_out(r: &FileReport) -> Option<CoverageOut<'_>> {
    r.coverage.as_ref().map(|c| CoverageOut {
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
    })
}

fn packs_out(r: &FileReport) -> Vec<PackOut<'_>> {
    r.packs
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
        .collect()
}

fn file_out(r: &FileReport) -> FileOut<'_> {
    FileOut {
        coverage: coverage_out(r),
        path: &r.source.name,
        packs: packs_out(r),
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
                    cite: f.cite.as_deref(),
                    suggestion: f.suggestion.as_deref(),
                    offset: span.start,
                    length: span.len(),
                    start: r.source.line_col(span.start),
                    end: r.source.line_col(span.end),
                    related: related_out(r, f),
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
    struct Whole<'a, F: Serialize> {
        version: u32,
        tool: &'static str,
        tool_version: &'static str,
        files: Vec<F>,
        #[serde(skip_serializing_if = "Option::is_none")]
        rules: Option<BTreeMap<&'a str, RuleOut<'a>>>,
        summary: Summary,
    }

    /// The streamed pieces make the same document serde_json would print in one go, in both
    /// versions; version 2 gives a rule's help once, in the table.
    #[test]
    fn streamed_json_is_the_pretty_document() {
        let registry = Registry::builtin().as_ref().expect("built-in packs load");
        let table = RuleTable::new(registry);
        let rule = table
            .get("national-2021/youth-action")
            .expect("a built-in rule");
        for count in [0usize, 1, 2] {
            let reports: Vec<FileReport> = (0..count)
                .map(|i| {
                    let mut finding = Finding::input_error(
                        &rule.id,
                        "缺少",
                        crate::source::Span::new(0, 1),
                        "这里",
                    );
                    finding.help = rule.help.clone();
                    finding.cite = Some(rule.cite.clone());
                    finding.fatal = false;
                    // Everything a finding may carry, and text that must be escaped: the
                    // version 2 file object is written by hand and must match serde's.
                    let mut odd = Finding::input_error(
                        "plan/syntax",
                        "控制字符\u{1}、引号\"、反斜杠\\、制表\t与换行\n",
                        crate::source::Span::new(1, 3),
                        "“这里”",
                    );
                    odd.help = Some("自己的说明".into());
                    odd.suggestion = Some("[[actions]]\nname = \"…\"".into());
                    odd.related.push(crate::diagnostic::Related {
                        span: crate::source::Span::new(0, 1),
                        message: "又见\u{7f}".into(),
                    });
                    let findings = if i == 1 {
                        vec![finding, odd]
                    } else {
                        vec![finding]
                    };
                    FileReport::of(SourceFile::new(format!("f\"{i}"), "x\ny\n"), findings)
                })
                .collect();
            let v1 = Whole {
                version: 1,
                tool: "planlint",
                tool_version: env!("CARGO_PKG_VERSION"),
                files: reports.iter().map(file_out).collect(),
                rules: None,
                summary: Summary::of(&reports),
            };
            let expected = serde_json::to_string_pretty(&v1).unwrap() + "\n";
            assert_eq!(render_json(&reports, registry, JsonVersion::V1), expected);
            let entry = (
                rule.id.as_str(),
                RuleOut {
                    severity: rule.severity,
                    help: rule.help.as_deref(),
                    cite: &rule.cite,
                },
            );
            let rules: BTreeMap<&str, RuleOut<'_>> =
                (count > 0).then_some(entry).into_iter().collect();
            let v2 = Whole {
                version: 2,
                tool: "planlint",
                tool_version: env!("CARGO_PKG_VERSION"),
                files: reports.iter().map(|r| file_out_v2(r, &table)).collect(),
                rules: Some(rules),
                summary: Summary::of(&reports),
            };
            let expected = serde_json::to_string_pretty(&v2).unwrap() + "\n";
            let written = render_json(&reports, registry, JsonVersion::V2);
            assert_eq!(written, expected, "{count} files");
            // The help is in the table, not in the finding.
            assert_eq!(
                written.matches(rule.help.as_deref().unwrap()).count(),
                usize::from(count > 0)
            );
        }
    }
}
