//! GitHub Actions workflow commands (`::error file=…::…`), and a Markdown summary for
//! `$GITHUB_STEP_SUMMARY`.

use super::Summary;
use crate::diagnostic::{Finding, Severity};
use crate::FileReport;

/// GitHub shows at most this many annotations of each kind per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// Escaping of a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (file, title): also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// The workflow commands: errors first, at most ten of each kind, then one notice saying how
/// many more there are.
pub fn render_github(reports: &[FileReport]) -> String {
    let mut all: Vec<(&FileReport, &Finding)> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .collect();
    all.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut hidden = 0;
    for (report, f) in all {
        let kind = f.severity as usize;
        if shown[kind] >= ANNOTATIONS_PER_KIND {
            hidden += 1;
            continue;
        }
        shown[kind] += 1;
        let span = report.source.clamp(f.span);
        let start = report.source.line_col(span.start);
        let end = report.source.line_col(span.end);
        let mut message = format!("{}：{}", f.message, f.label);
        if let Some(cite) = &f.cite {
            message.push_str(&format!("\n依据：{}", cite.render()));
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(f.severity),
            escape_property(&report.source.name),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&f.code),
            escape_data(&message)
        ));
    }
    if hidden > 0 {
        out.push_str(&format!(
            "::notice title=planlint::{hidden} more finding(s) are not shown as annotations (GitHub shows {ANNOTATIONS_PER_KIND} of each kind per step); see the step summary or run planlint locally\n"
        ));
    }
    let s = Summary::of(reports);
    out.push_str(&format!(
        "planlint: {} file(s), {} error(s), {} warning(s), {} info\n",
        s.files, s.errors, s.warnings, s.infos
    ));
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A Markdown table of every finding, for the job summary.
pub fn render_summary_markdown(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    let mut out = format!(
        "## planlint\n\n{} file(s) checked: {} error(s), {} warning(s), {} info.\n\n",
        s.files, s.errors, s.warnings, s.infos
    );
    if s.errors + s.warnings + s.infos == 0 {
        return out;
    }
    out.push_str("| file | line | severity | rule | finding |\n|---|---|---|---|---|\n");
    for report in reports {
        for f in &report.findings {
            let at = report.source.line_col(report.source.clamp(f.span).start);
            out.push_str(&format!(
                "| {} | {} | {} | `{}` | {}：{} |\n",
                cell(&report.source.name),
                at.line,
                f.severity.as_str(),
                f.code,
                cell(&f.message),
                cell(&f.label)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
