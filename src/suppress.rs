//! Inline suppressions in a plan file: `# planlint: allow(rule-id, …) reason` on a line, or on
//! its own line above one, silences those rules there; above the `[plan]` header (or at the top
//! of the file) it silences them in the whole file. A suppression without a reason, naming no
//! known rule, or suppressing nothing is itself reported — like Rust's `#[expect]`.

use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::{Finding, Severity};
use crate::source::{SourceFile, Span};

#[derive(Debug)]
struct Suppression {
    /// The 1-based line it covers; `None` for the whole file.
    line: Option<usize>,
    rules: Vec<(String, Span)>,
    has_reason: bool,
    span: Span,
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"#\s*planlint:\s*allow\(([^)]*)\)(.*)$").expect("valid pattern"))
}

fn parse(source: &SourceFile) -> Vec<Suppression> {
    let text = &source.text;
    if !text.contains("planlint:") {
        return Vec::new();
    }
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let at = offset;
                offset += l.len();
                (at, l.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    let header_line = lines
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("[plan]"))
        .map(|i| i + 1);
    let mut out = Vec::new();
    for (i, (offset, line)) in lines.iter().enumerate() {
        let Some(c) = pattern().captures(line) else {
            continue;
        };
        let whole = c.get(0).expect("whole match");
        let own_line = line[..whole.start()].trim().is_empty();
        let number = i + 1;
        let line_covered = if own_line && header_line.is_none_or(|h| number < h) {
            None
        } else if own_line {
            // The next line that is not blank or a comment.
            lines[i + 1..]
                .iter()
                .position(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map(|p| i + 1 + p + 1)
                .or(Some(number))
        } else {
            Some(number)
        };
        let ids = c.get(1).expect("group");
        let mut rules = Vec::new();
        let mut start = ids.start();
        for part in ids.as_str().split(',') {
            let trimmed = part.trim();
            let lead = part.len() - part.trim_start().len();
            if !trimmed.is_empty() {
                let s = offset + start + lead;
                rules.push((trimmed.to_owned(), Span::new(s, s + trimmed.len())));
            }
            start += part.len() + 1;
        }
        out.push(Suppression {
            line: line_covered,
            rules,
            has_reason: !c[2].trim().is_empty(),
            span: Span::new(offset + whole.start(), offset + whole.end()),
        });
    }
    out
}

fn warning(code: &str, message: String, span: Span, label: &str, help: &str) -> Finding {
    let mut f = Finding::input_error(code, message, span, label).with_help(help);
    f.severity = Severity::Warning;
    f.fatal = false;
    f
}

/// Remove suppressed findings and report the suppressions themselves where needed.
pub fn apply(source: &SourceFile, findings: &mut Vec<Finding>, is_rule: impl Fn(&str) -> bool) {
    let suppressions = parse(source);
    if suppressions.is_empty() {
        return;
    }
    let mut used = vec![vec![false; 0]; suppressions.len()];
    for (i, s) in suppressions.iter().enumerate() {
        used[i] = vec![false; s.rules.len()];
    }
    findings.retain(|f| {
        if f.fatal {
            return true;
        }
        let line = source.line_col(f.span.start).line;
        let mut suppressed = false;
        for (i, s) in suppressions.iter().enumerate() {
            if s.line.is_some_and(|l| l != line) {
                continue;
            }
            for (j, (id, _)) in s.rules.iter().enumerate() {
                if *id == f.code {
                    used[i][j] = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    for (i, s) in suppressions.iter().enumerate() {
        if !s.has_reason {
            findings.push(warning(
                "planlint/suppression-without-reason",
                "a suppression should say why".into(),
                s.span,
                "no reason after allow(…)",
                "write the reason after the parenthesis: # planlint: allow(rule-id) 上级方案另有规定",
            ));
        }
        if s.rules.is_empty() {
            findings.push(warning(
                "planlint/unused-suppression",
                "the suppression names no rule".into(),
                s.span,
                "empty allow()",
                "name the rule ids to allow, e.g. allow(common/unit-names)",
            ));
        }
        for (j, (id, span)) in s.rules.iter().enumerate() {
            if !is_rule(id) {
                findings.push(warning(
                    "planlint/unknown-rule",
                    format!("`{id}` is not a known rule"),
                    *span,
                    "unknown rule id",
                    "`planlint rules` lists the rule ids",
                ));
            } else if !used[i][j] {
                findings.push(warning(
                    "planlint/unused-suppression",
                    format!("the suppression of `{id}` suppresses nothing"),
                    *span,
                    "nothing to suppress here",
                    "remove it, or move it to the line the finding points at",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_whole_file_are_recognised() {
        let text = "# planlint: allow(a/b) 全文件\n[plan]\ntitle = \"x\"\n# planlint: allow(c/d, e/f) reason\n\n[[actions]]\nname = \"y\" # planlint: allow(g/h)\n";
        let s = parse(&SourceFile::new("t", text));
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].line, None);
        assert_eq!(s[1].line, Some(6));
        assert_eq!(
            s[1].rules.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["c/d", "e/f"]
        );
        assert_eq!(&text[s[1].rules[1].1.start..s[1].rules[1].1.end], "e/f");
        assert_eq!(s[2].line, Some(7));
        assert!(!s[2].has_reason);
    }
}
