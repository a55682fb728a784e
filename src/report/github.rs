//! GitHub Actions workflow commands (`::error file=…::…`), and a Markdown summary for
//! `$GITHUB_STEP_SUMMARY`.

use super::Summary;
use crate::diagnostic::Severity;
use crate::FileReport;

/// GitHub shows at most this many annotations of each kind per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// Escaping of a command's message.
/// Other control characters (an escape sequence in a plan's text) are shown as their code, so
/// that the log viewer does not act on them.
fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::human::terminal_safe(&s).into_owned()
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
    let mut writer = GithubWriter::default();
    for report in reports {
        writer.file(report);
    }
    writer.finish(&Summary::of(reports))
}

/// Keeps the first ten annotations of each kind while files stream past; nothing else.
#[derive(Default)]
pub struct GithubWriter {
    /// Annotation lines by severity (info, warning, error).
    shown: [Vec<String>; 3],
    hidden: usize,
}

impl GithubWriter {
    pub fn file(&mut self, report: &FileReport) {
        for f in &report.findings {
            let kind = f.severity as usize;
            if self.shown[kind].len() >= ANNOTATIONS_PER_KIND {
                self.hidden += 1;
                continue;
            }
            let span = report.source.clamp(f.span);
            let start = report.source.line_col(span.start);
            let end = report.source.line_col(span.end);
            let mut message = format!("{}：{}", f.message, f.label);
            if let Some(cite) = &f.cite {
                message.push_str(&format!("\n依据：{}", cite.render()));
            }
            self.shown[kind].push(format!(
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
    }

    pub fn finish(self, s: &Summary) -> String {
        let mut out: String = self
            .shown
            .iter()
            .rev()
            .flatten()
            .map(String::as_str)
            .collect();
        if self.hidden > 0 {
            out.push_str(&format!(
                "::notice title=planlint::{} more finding(s) are not shown as annotations (GitHub shows {ANNOTATIONS_PER_KIND} of each kind per step); see the step summary or run planlint locally\n",
                self.hidden
            ));
        }
        out.push_str(&format!(
            "planlint: {} file(s), {} error(s), {} warning(s), {} info\n",
            s.files, s.errors, s.warnings, s.infos
        ));
        out
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A Markdown table of every finding, for the job summary.
pub fn render_summary_markdown(reports: &[FileReport]) -> String {
    let mut out = summary_header().to_owned();
    for report in reports {
        out.push_str(&summary_rows(report));
    }
    out.push_str(&summary_close(&Summary::of(reports)));
    out
}

/// The job summary starts with the table header; rows follow file by file.
pub fn summary_header() -> &'static str {
    "## planlint\n\n| file | line | severity | rule | finding |\n|---|---|---|---|---|\n"
}

pub fn summary_rows(report: &FileReport) -> String {
    let mut out = String::new();
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
    out
}

/// The totals, after the table (they are known only at the end of a streamed run).
pub fn summary_close(s: &Summary) -> String {
    format!(
        "\n{} file(s) checked: {} error(s), {} warning(s), {} info.\n",
        s.files, s.errors, s.warnings, s.infos
    )
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
