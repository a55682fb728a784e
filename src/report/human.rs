//! Human output through miette's graphical handler.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{full_help, Summary};
use crate::diagnostic::{Finding, Severity};
use crate::source::{SourceFile, Span};
use crate::FileReport;

#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    /// Findings only: no per-file header of packs applied, no closing summary (`--quiet`).
    pub quiet: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            quiet: false,
        }
    }
}

/// Render reports and the closing summary line.
pub fn render_human(reports: &[FileReport], options: HumanOptions) -> String {
    let mut out = String::new();
    let handler = handler(options);
    for report in reports {
        out.push_str(&render_file(report, &handler, options));
    }
    let packs: std::collections::BTreeSet<String> = reports
        .iter()
        .flat_map(|r| r.packs.iter().map(|p| p.id.clone()))
        .collect();
    if !options.quiet {
        out.push_str(&summary_line(&Summary::of(reports), &packs));
    }
    out
}

/// One line per finding, as compilers and ruff's concise format write them:
/// `path:line:col: severity[code] message — label`. Columns count characters.
pub(super) fn render_concise(report: &FileReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let at = report.source.line_col(f.span.start);
        let label = if f.label.is_empty() || f.message.contains(f.label.as_str()) {
            String::new()
        } else {
            format!(" — {}", one_line(&f.label))
        };
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}{label}\n",
            terminal_safe(&report.source.name),
            at.line,
            at.column,
            f.severity.as_str(),
            f.code,
            one_line(&f.message)
        ));
    }
    out
}

/// Whether a character would act on a terminal instead of showing: control characters (but
/// tab and line feed), and the bidirectional overrides that make text read other than it is.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Text safe to print: each acting character shown as its code (`\u{1b}`). A carriage return
/// ending a line (CRLF) is kept.
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if acts_on_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Source text made safe with its byte length kept, so that spans still fit: each acting
/// character becomes as many `?` as it has bytes.
fn terminal_safe_same_length(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if acts_on_terminal(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// A copy of the report with its text and messages made terminal-safe, or `None` when it is
/// safe already (the usual case: nothing is copied).
fn terminal_safe_report(report: &FileReport) -> Option<FileReport> {
    let unsafe_text = |t: &str| t.chars().any(acts_on_terminal);
    let findings_unsafe = report.findings.iter().any(|f| {
        unsafe_text(&f.message)
            || unsafe_text(&f.label)
            || f.help.as_deref().is_some_and(unsafe_text)
            || f.suggestion.as_deref().is_some_and(unsafe_text)
            || f.related.iter().any(|r| unsafe_text(&r.message))
    });
    let source = &report.source;
    if !findings_unsafe && !unsafe_text(&source.text) && !unsafe_text(&source.name) {
        return None;
    }
    let clean = |t: &str| terminal_safe(t).into_owned();
    let copy =
        source.with_same_length_text(clean(&source.name), terminal_safe_same_length(&source.text));
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.message = clean(&f.message).into();
            f.label = clean(&f.label);
            f.help = f.help.as_deref().map(|h| clean(h).into());
            f.suggestion = f.suggestion.as_deref().map(clean);
            for r in f.related.iter_mut() {
                r.message = clean(&r.message);
            }
            f
        })
        .collect();
    Some(FileReport {
        source: copy,
        packs: report.packs.clone(),
        findings,
        coverage: report.coverage.clone(),
        facts: report.facts.clone(),
        notes: report.notes.clone(),
    })
}

/// A message on one line: line breaks and control characters become spaces.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    terminal_safe(&flat).into_owned()
}

/// miette's graphical handler as planlint configures it.
pub(super) fn handler(options: HumanOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Links off: escape codes would otherwise reach pipes and files (miette's default).
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(options.width)
}

/// One file's packs and findings.
pub(super) fn render_file(
    report: &FileReport,
    handler: &GraphicalReportHandler,
    options: HumanOptions,
) -> String {
    let (quiet, width) = (options.quiet, options.width);
    // Plan text (names, titles, whole lines) may hold escape sequences; a terminal must not
    // obey them.
    let safe = terminal_safe_report(report);
    let report = safe.as_ref().unwrap_or(report);
    let mut out = String::new();
    if !report.packs.is_empty() && !quiet {
        let packs: Vec<String> = report
            .packs
            .iter()
            .map(|p| {
                // A plan known by its title alone has no number to show.
                let document = if p.document.is_empty() {
                    "文号未详"
                } else {
                    p.document.as_str()
                };
                if p.ancestors.is_empty() {
                    format!("{} ({document})", p.id)
                } else {
                    format!("{} ({document}, extends {})", p.id, p.ancestors.join(" → "))
                }
            })
            .collect();
        out.push_str(&format!(
            "{}: packs applied: {}\n",
            report.source.name,
            packs.join(", ")
        ));
        for pack in &report.packs {
            for d in &pack.dropped {
                out.push_str(&format!(
                    "  note: {} does not apply {}: {}\n",
                    d.by, d.id, d.reason
                ));
            }
        }
    }
    for finding in &report.findings {
        let file = &report.source;
        let line = file.line_span(finding.span.start);
        // A snippet of a huge line (minified or hostile input) would flood the terminal.
        let show_source = line.len() <= MAX_SNIPPET_LINE && !file.withheld;
        let (source, span) = Snippet::around(file, finding.span, width);
        let diagnostic = Rendered {
            finding,
            file,
            source,
            span,
            show_source,
            related: finding
                .related
                .iter()
                .filter(|r| {
                    !file.withheld && file.line_span(r.span.start).len() <= MAX_SNIPPET_LINE
                })
                .map(|r| {
                    let (source, span) = Snippet::around(file, r.span, width);
                    RelatedPlace {
                        related: r,
                        source,
                        span,
                    }
                })
                .collect(),
        };
        let mut text = String::new();
        if handler.render_report(&mut text, &diagnostic).is_err() {
            // Rendering can only fail on a span outside the text; fall back to one line.
            text = format!(
                "{}: {} [{}]\n",
                report.source.name, finding.message, finding.code
            );
        }
        // Related places follow the finding's own: rendered apart, because miette orders one
        // diagnostic's labels by offset and would put an earlier related place first.
        for place in &diagnostic.related {
            let mut note = String::new();
            if handler.render_report(&mut note, place).is_ok() {
                text.push_str(&note);
            }
        }
        out.push_str(&text);
    }
    out
}

/// The line that ends a run.
pub(super) fn summary_line(s: &Summary, packs: &std::collections::BTreeSet<String>) -> String {
    let kinds = s.kinds();
    format!(
        "checked {} file{}{}: {} error{}, {} warning{}, {} info{}{}; packs applied: {}\n",
        s.files,
        plural(s.files),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({kinds})")
        },
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        plural(s.infos),
        if s.failed > 0 {
            format!("; {} could not be checked", s.failed)
        } else {
            String::new()
        },
        if packs.is_empty() {
            "none".to_owned()
        } else {
            packs.iter().cloned().collect::<Vec<_>>().join(", ")
        },
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Lines longer than this (in bytes) are not shown as a snippet; the location is given instead.
const MAX_SNIPPET_LINE: usize = 1000;

/// A finding as miette sees it. Written by hand: the derive ignores a code and severity given
/// at run time (miette#437), and ours come from the packs.
struct Rendered<'a> {
    finding: &'a Finding,
    file: &'a SourceFile,
    /// The source as shown: the file, or its long line clipped around the finding.
    source: Snippet<'a>,
    /// The finding's span in `source`.
    span: Span,
    show_source: bool,
    related: Vec<RelatedPlace<'a>>,
}

/// A related place of a finding (where a name was first written…), shown after it.
struct RelatedPlace<'a> {
    related: &'a crate::diagnostic::Related,
    source: Snippet<'a>,
    span: Span,
}

impl fmt::Debug for RelatedPlace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.related.message)
    }
}

impl fmt::Display for RelatedPlace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.related.message)
    }
}

impl std::error::Error for RelatedPlace<'_> {}

impl Diagnostic for RelatedPlace<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                None,
                SourceSpan::new(self.span.start.into(), self.span.len()),
            ),
        )))
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("code", &self.finding.code)
            .finish()
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = full_help(self.finding);
        if self.show_source {
            return help.map(|h| Box::new(h) as Box<dyn fmt::Display>);
        }
        let file = self.file;
        let at = file.line_col(self.finding.span.start);
        let why = if file.withheld {
            "the file lies outside the checked folder; its lines are not shown"
        } else {
            "the line is too long to show"
        };
        let location = format!(
            "at {}:{}:{} ({}; {why})",
            file.name, at.line, at.column, self.finding.label
        );
        Some(Box::new(match help {
            Some(h) => format!("{location}\n{h}"),
            None => location,
        }))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.show_source.then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.show_source {
            return None;
        }
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(self.finding.label.clone()),
                SourceSpan::new(self.span.start.into(), self.span.len()),
            ),
        )))
    }
}

/// What a snippet shows: the file, or — when the finding's line is wider than the terminal (a
/// document's 500-character paragraph) — that line alone, clipped around the finding with an
/// ellipsis at each cut, keeping the real line and column numbers.
enum Snippet<'a> {
    File(CharColumns<'a>),
    Clipped(ClippedLine<'a>),
}

struct ClippedLine<'a> {
    file: &'a SourceFile,
    /// “…” + the shown part of the line + “…”.
    text: String,
    /// Where the shown part starts in the file, and in `text`.
    real_start: usize,
    shown_at: usize,
}

/// Columns a character takes in a terminal: two for CJK and other wide characters.
fn columns(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

impl<'a> Snippet<'a> {
    /// The snippet for `span` and the span's place in it, for a terminal `width` columns wide.
    fn around(file: &'a SourceFile, span: Span, width: usize) -> (Snippet<'a>, Span) {
        let span = file.clamp(span);
        let line = file.line_span(span.start);
        let text = &file.text[line.start..line.end];
        // The gutter (line number, bars) takes about ten columns.
        let budget = width.saturating_sub(12).max(20);
        let width_of = |t: &str| t.chars().map(columns).sum::<usize>();
        if line.len() > MAX_SNIPPET_LINE {
            return (Snippet::File(CharColumns(file)), span);
        }
        if width_of(text) <= budget {
            // The line fits; its neighbours, shown as context, must fit too, or the line is
            // shown alone.
            let before = line.start.checked_sub(1).map(|o| file.line_span(o));
            let after = (line.end + 1 < file.text.len()).then(|| file.line_span(line.end + 1));
            let neighbours_fit = [before, after]
                .into_iter()
                .flatten()
                .all(|l| width_of(&file.text[l.start..l.end]) <= budget);
            if neighbours_fit {
                return (Snippet::File(CharColumns(file)), span);
            }
            let alone = ClippedLine {
                file,
                text: text.to_owned(),
                real_start: line.start,
                shown_at: 0,
            };
            return (
                Snippet::Clipped(alone),
                Span::new(span.start - line.start, span.end.min(line.end) - line.start),
            );
        }
        // A third of the room before the finding, the rest from it on.
        let at = span.start - line.start;
        let (mut start, mut used) = (at, 0);
        for (i, c) in text[..at].char_indices().rev() {
            if used + columns(c) > budget / 3 {
                break;
            }
            used += columns(c);
            start = i;
        }
        let mut end = at;
        for (i, c) in text[at..].char_indices() {
            if used + columns(c) > budget {
                break;
            }
            used += columns(c);
            end = at + i + c.len_utf8();
        }
        let left = if start > 0 { "…" } else { "" };
        let right = if end < text.len() { "…" } else { "" };
        let real_start = line.start + start;
        // The label stays within what is shown.
        let shown_end = (line.start + end).max(span.start);
        let mapped = Span::new(
            left.len() + span.start - real_start,
            left.len() + span.end.clamp(span.start, shown_end) - real_start,
        );
        let clipped = ClippedLine {
            file,
            text: format!("{left}{}{right}", &text[start..end]),
            real_start,
            shown_at: left.len(),
        };
        (Snippet::Clipped(clipped), mapped)
    }
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        match self {
            Snippet::File(file) => file.read_span(span, context_lines_before, context_lines_after),
            Snippet::Clipped(clipped) => {
                // One line (context lines asked for do not exist in it); the header gives the
                // real line and column.
                let inner =
                    clipped
                        .text
                        .read_span(span, context_lines_before, context_lines_after)?;
                let shown = inner.span().offset().saturating_sub(clipped.shown_at);
                let at = clipped.file.line_col(clipped.real_start + shown);
                Ok(Box::new(MietteSpanContents::new_named(
                    clipped.file.name.clone(),
                    inner.data(),
                    *inner.span(),
                    at.line - 1,
                    at.column - 1,
                    1,
                )))
            }
        }
    }
}

/// The source as miette reads it, with the header's column counted in characters: miette
/// counts bytes there, which sends a user to the wrong place on a line of Chinese text.
struct CharColumns<'a>(&'a SourceFile);

impl SourceCode for CharColumns<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .0
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = self.0.line_col(inner.span().offset()).column - 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}
