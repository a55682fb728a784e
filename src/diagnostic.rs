//! The one diagnostic type every stage produces: rule findings and input errors alike.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Where a requirement comes from: the higher document and the clause in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cite {
    /// The document number, e.g. 国发〔2021〕9号.
    pub document: String,
    /// The document's title.
    pub title: String,
    /// The clause, e.g. “目标”; absent for general review requirements that no clause states.
    pub clause: Option<String>,
}

impl Cite {
    /// 《title》（document）clause — the form used in help texts. A rule with no clause states
    /// a general review requirement, and says so rather than seeming to quote the document.
    pub fn render(&self) -> String {
        match &self.clause {
            Some(clause) if self.document.is_empty() => format!("《{}》{}", self.title, clause),
            Some(clause) => format!("《{}》（{}）{}", self.title, self.document, clause),
            None => format!("{}（非上级文件条款）", self.title),
        }
    }
}

/// Where the rule behind a finding is written: the pack file and the line of its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleOrigin {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// A secondary location, e.g. the other spelling of a unit name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// A finding of a rule, or an error in the input; rendered by `report`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id (`national-2021/youth-action`) or a tool code (`plan/wrong-type`).
    pub code: String,
    pub severity: Severity,
    pub message: Arc<str>,
    /// Where the label goes: the offending value, or the table where a missing item belongs.
    pub span: Span,
    /// Text under the label.
    pub label: String,
    /// Shared with the rule (and every finding of it): a run makes many findings per rule.
    pub help: Option<Arc<str>>,
    pub cite: Option<Arc<Cite>>,
    /// TOML the author can add to satisfy the rule.
    pub suggestion: Option<String>,
    /// The same advice for a document (.txt, .docx): what to write, and where, in words.
    pub document_suggestion: Option<String>,
    pub related: Vec<Related>,
    /// The rule's definition, for findings of rules.
    pub origin: Option<Arc<RuleOrigin>>,
    /// True when the input could not be checked (exit code 2).
    pub fatal: bool,
}

impl Finding {
    /// An input error: the file could not be checked.
    pub fn input_error(
        code: &str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.to_owned(),
            severity: Severity::Error,
            message: Arc::from(message.into()),
            span,
            label: label.into(),
            help: None,
            cite: None,
            suggestion: None,
            document_suggestion: None,
            related: Vec::new(),
            origin: None,
            fatal: true,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(Arc::from(help.into()));
        self
    }
}

/// Findings of one rule (or one kind of input error) in one file beyond this are counted, not
/// kept: a plan with a million bad entries gets a hundred findings and a count, in memory a
/// small multiple of its size.
pub const MAX_FINDINGS_PER_RULE: usize = 100;
/// Findings of one file beyond this are counted in one closing finding.
pub const MAX_FINDINGS_PER_FILE: usize = 1000;

/// A collector that keeps at most `limit` findings and counts the rest.
#[derive(Debug)]
pub struct Bounded {
    pub findings: Vec<Finding>,
    limit: usize,
    /// Findings pushed past the limit.
    pub dropped: usize,
}

impl Bounded {
    pub fn new(limit: usize) -> Self {
        Bounded {
            findings: Vec::new(),
            limit,
            dropped: 0,
        }
    }

    pub fn push(&mut self, finding: Finding) {
        if self.findings.len() < self.limit {
            self.findings.push(finding);
        } else {
            self.dropped += 1;
        }
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        findings.into_iter().for_each(|f| self.push(f));
    }

    /// The findings kept, and, when some were dropped, one more that says how many, at the
    /// place of the last one kept.
    pub fn into_findings(mut self) -> Vec<Finding> {
        if self.dropped > 0 {
            if let Some(last) = self.findings.last() {
                let mut more = last.clone();
                more.label = format!("此外另有 {} 处同类问题，未逐一列出", self.dropped);
                more.suggestion = None;
                more.document_suggestion = None;
                more.related.clear();
                self.findings.push(more);
            }
        }
        self.findings
    }
}

/// Bound a file's findings to [`MAX_FINDINGS_PER_FILE`], with one closing finding that counts
/// the rest; fatal findings are kept first. (Each rule's are bounded as they are made, by
/// [`Bounded`].)
pub fn bound_file_findings(mut kept: Vec<Finding>) -> Vec<Finding> {
    if kept.len() > MAX_FINDINGS_PER_FILE {
        kept.sort_by_key(|f| !f.fatal);
        let rest = kept.len() - MAX_FINDINGS_PER_FILE;
        kept.truncate(MAX_FINDINGS_PER_FILE);
        let span = kept.last().map(|f| f.span).unwrap_or_default();
        kept.push(Finding {
            code: "planlint/too-many-findings".into(),
            severity: Severity::Info,
            message: format!(
                "另有 {rest} 条结论未列出：每个文件最多列出 {MAX_FINDINGS_PER_FILE} 条"
            )
            .into(),
            span,
            label: "以下从略".into(),
            help: Some("先改正上面列出的问题，再检查一次".into()),
            cite: None,
            suggestion: None,
            document_suggestion: None,
            related: Vec::new(),
            origin: None,
            fatal: false,
        });
    }
    kept
}

/// The known word closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
