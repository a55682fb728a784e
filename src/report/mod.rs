//! Rendering findings: human (miette's graphical handler) and JSON. Rendering never changes
//! what was found.

mod github;
mod html;
mod human;
mod json;
mod matrix;
mod opinion;
mod sarif;

pub use github::{
    render_github, render_summary_markdown, summary_close, summary_header, summary_rows,
    GithubWriter, ANNOTATIONS_PER_KIND,
};
pub use html::{
    escape as html_escape, html_script, html_style, render_report_html, report_body, GENERATOR,
};
pub use human::{render_human, HumanOptions};
pub use json::{render_json, JsonVersion, JSON_FORMAT_VERSION};
pub use matrix::{
    render_index_html, render_matrix_csv, render_matrix_xlsx, MatrixRow, CSV_HEADER_START,
};
pub use opinion::{render_opinion_docx, APP_PROPERTIES};
pub use sarif::{render_sarif, uri_encode, SarifWriter};

use crate::rules::Registry;

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
    /// The files by what they were: plan files, and documents by format.
    pub plan_files: usize,
    pub txt: usize,
    pub docx: usize,
    pub pdf: usize,
    /// Web pages (.html, .htm).
    pub html: usize,
    /// Word 97–2003 and WPS documents (.doc, .wps).
    pub doc: usize,
    /// Documents of another name (standard input named otherwise).
    pub other_documents: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary::default();
        reports.iter().for_each(|r| s.add(r));
        s
    }

    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        self.errors += r.count(Severity::Error);
        self.warnings += r.count(Severity::Warning);
        self.infos += r.count(Severity::Info);
        self.failed += usize::from(r.is_fatal());
        let name = r.source.name.to_ascii_lowercase();
        if name.ends_with(".toml") || name == "<stdin>" {
            self.plan_files += 1;
        } else if name.ends_with(".txt") {
            self.txt += 1;
        } else if name.ends_with(".docx") {
            self.docx += 1;
        } else if name.ends_with(".pdf") {
            self.pdf += 1;
        } else if [".html", ".htm", ".shtml"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            self.html += 1;
        } else if name.ends_with(".doc") || name.ends_with(".wps") {
            self.doc += 1;
        } else {
            self.other_documents += 1;
        }
    }

    /// "4 plan files, 1 .txt, 1 .docx" when documents were read; empty otherwise.
    pub fn kinds(&self) -> String {
        if self.txt + self.docx + self.pdf + self.html + self.doc + self.other_documents == 0 {
            return String::new();
        }
        let mut parts = Vec::new();
        let mut add = |n: usize, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        add(
            self.plan_files,
            if self.plan_files == 1 {
                "plan file"
            } else {
                "plan files"
            },
        );
        add(self.txt, ".txt");
        add(self.docx, ".docx");
        add(self.pdf, ".pdf");
        add(self.html, "web pages");
        add(self.doc, ".doc");
        add(self.other_documents, "other");
        parts.join(", ")
    }
}

/// An output format, for a streamed run.
#[derive(Clone, Copy, Debug)]
pub enum OutputFormat {
    Human(HumanOptions),
    /// One line per finding; `quiet` leaves out the closing summary.
    Concise {
        quiet: bool,
    },
    Json(json::JsonVersion),
    Sarif,
    Github,
}

/// Renders a run file by file, so that checking thousands of files holds only the files in
/// flight: `start`, then `file` for each report in order, then `finish`. The concatenated text
/// is what the one-shot `render_*` functions return.
pub struct ReportStream<'r> {
    format: OutputFormat,
    registry: &'r Registry,
    handler: Option<miette::GraphicalReportHandler>,
    sarif: SarifWriter,
    github: GithubWriter,
    summary: Summary,
    packs: std::collections::BTreeSet<String>,
    /// For JSON version 2: the rules' help, and which rules the findings so far named.
    rule_table: json::RuleTable<'r>,
    rules_seen: json::RulesSeen,
}

impl<'r> ReportStream<'r> {
    /// The stream and the text that opens the output.
    pub fn start(format: OutputFormat, registry: &'r Registry) -> (Self, String) {
        let handler = match format {
            OutputFormat::Human(options) => Some(human::handler(options)),
            _ => None,
        };
        let stream = ReportStream {
            format,
            registry,
            handler,
            sarif: SarifWriter::default(),
            github: GithubWriter::default(),
            summary: Summary::default(),
            packs: Default::default(),
            rule_table: match format {
                OutputFormat::Json(json::JsonVersion::V2) => json::RuleTable::new(registry),
                _ => json::RuleTable::default(),
            },
            rules_seen: Default::default(),
        };
        let prefix = match format {
            OutputFormat::Json(version) => json::json_prefix(version),
            OutputFormat::Sarif => stream.sarif.prefix(),
            _ => String::new(),
        };
        (stream, prefix)
    }

    /// The text of a file for formats that render each file on its own (human, JSON), or
    /// `None`, as UTF-8 bytes. Takes `&self`, so files can be rendered in parallel and then
    /// passed, in order, to [`ReportStream::file_rendered`].
    pub fn prerender(&self, report: &FileReport) -> Option<Vec<u8>> {
        match self.format {
            OutputFormat::Human(o) => self
                .handler
                .as_ref()
                .map(|h| human::render_file(report, h, o).into_bytes()),
            OutputFormat::Concise { .. } => Some(human::render_concise(report).into_bytes()),
            OutputFormat::Json(version) => {
                Some(json::json_file_element(report, version, &self.rule_table))
            }
            _ => None,
        }
    }

    /// The text for one more file, given what [`ReportStream::prerender`] made of it.
    pub fn file_rendered(&mut self, report: &FileReport, rendered: Option<Vec<u8>>) -> Vec<u8> {
        let Some(text) = rendered else {
            return self.file(report).into_bytes();
        };
        let first = self.summary.files == 0;
        self.summary.add(report);
        self.packs.extend(report.packs.iter().map(|p| p.id.clone()));
        self.rules_seen.add(report);
        if first && matches!(self.format, OutputFormat::Json(_)) {
            json::without_comma(text)
        } else {
            text
        }
    }

    /// The text for one more file.
    pub fn file(&mut self, report: &FileReport) -> String {
        let first = self.summary.files == 0;
        self.summary.add(report);
        self.packs.extend(report.packs.iter().map(|p| p.id.clone()));
        match self.format {
            OutputFormat::Human(o) => human::render_file(
                report,
                self.handler.as_ref().expect("set for human output"),
                o,
            ),
            OutputFormat::Concise { .. } => human::render_concise(report),
            OutputFormat::Json(version) => {
                self.rules_seen.add(report);
                let element = json::json_element(report, version, &self.rule_table, first);
                String::from_utf8(element).expect("serde_json writes UTF-8")
            }
            OutputFormat::Sarif => self.sarif.file(report, self.registry),
            OutputFormat::Github => {
                self.github.file(report);
                String::new()
            }
        }
    }

    /// The text that closes the output.
    pub fn finish(self) -> String {
        match self.format {
            OutputFormat::Human(HumanOptions { quiet: true, .. })
            | OutputFormat::Concise { quiet: true } => String::new(),
            OutputFormat::Human(_) | OutputFormat::Concise { .. } => {
                human::summary_line(&self.summary, &self.packs)
            }
            OutputFormat::Json(version) => json::json_suffix(
                &self.summary,
                self.summary.files > 0,
                version,
                &self.rule_table,
                &self.rules_seen,
            ),
            OutputFormat::Sarif => self.sarif.finish(),
            OutputFormat::Github => self.github.finish(&self.summary),
        }
    }

    pub fn summary(&self) -> Summary {
        self.summary
    }
}

/// One file's findings in the concise format, one line each.
pub fn render_concise_file(report: &FileReport) -> String {
    human::render_concise(report)
}

/// The help text shown under a finding: the rule's help, the clause it comes from, and the
/// TOML to add.
pub fn full_help(finding: &crate::diagnostic::Finding) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(help) = &finding.help {
        parts.push(help.to_string());
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
    fingerprints(source, std::slice::from_ref(finding)).remove(0)
}

/// The fingerprints of a file's findings, in order: the file is parsed once for all of them.
pub fn fingerprints(
    source: &crate::source::SourceFile,
    findings: &[crate::diagnostic::Finding],
) -> Vec<String> {
    let offsets: Vec<usize> = findings
        .iter()
        .map(|f| source.clamp(f.span).start)
        .collect();
    let paths = crate::plan::key_paths_at(&source.text, &offsets);
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let anchor = paths.as_ref().map_or(f.label.as_str(), |p| p[i].as_str());
            fnv1a(&[&f.code, &source.name, anchor, &f.label])
        })
        .collect()
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

/// The largest baseline read: about a million findings' worth.
pub const MAX_BASELINE_BYTES: u64 = 256 * 1024 * 1024;

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
                    .zip(fingerprints(&r.source, &r.findings))
                    .filter(|(f, _)| !f.fatal)
                    .map(move |(f, fingerprint)| BaselineEntry {
                        path: r.source.name.clone(),
                        code: f.code.clone(),
                        fingerprint,
                        message: f.message.to_string(),
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
        let bytes = crate::source::read_limited(path, MAX_BASELINE_BYTES)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{} is not a planlint baseline: not UTF-8", path.display()))?;
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

    /// The baseline indexed by file, built once for a run: filtering a file then costs its own
    /// findings, not the whole baseline.
    pub fn index(&self) -> BaselineIndex {
        let mut by_path: std::collections::HashMap<
            String,
            std::collections::HashSet<(String, String)>,
        > = Default::default();
        for e in &self.findings {
            by_path
                .entry(e.path.clone())
                .or_default()
                .insert((e.code.clone(), e.fingerprint.clone()));
        }
        BaselineIndex { by_path }
    }
}

/// A [`Baseline`]'s entries by file.
#[derive(Debug, Default)]
pub struct BaselineIndex {
    by_path: std::collections::HashMap<String, std::collections::HashSet<(String, String)>>,
}

impl BaselineIndex {
    /// Drop the findings the baseline records; returns how many were dropped.
    pub fn filter(&self, report: &mut FileReport) -> usize {
        let Some(known) = self.by_path.get(&report.source.name) else {
            return 0;
        };
        let prints = fingerprints(&report.source, &report.findings);
        let before = report.findings.len();
        let mut prints = prints.into_iter();
        report.findings.retain(|f| {
            let print = prints.next().unwrap_or_default();
            f.fatal || !known.contains(&(f.code.clone(), print))
        });
        before - report.findings.len()
    }
}
