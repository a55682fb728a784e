//! The one diagnostic type every stage produces: rule findings and input errors alike.

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
    pub message: String,
    /// Where the label goes: the offending value, or the table where a missing item belongs.
    pub span: Span,
    /// Text under the label.
    pub label: String,
    pub help: Option<String>,
    pub cite: Option<Cite>,
    /// TOML the author can add to satisfy the rule.
    pub suggestion: Option<String>,
    /// The same advice for a document (.txt, .docx): what to write, and where, in words.
    pub document_suggestion: Option<String>,
    pub related: Vec<Related>,
    /// The rule's definition, for findings of rules.
    pub origin: Option<RuleOrigin>,
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
            message: message.into(),
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
        self.help = Some(help.into());
        self
    }
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
