//! The reviewer's report (`planlint report`): one self-contained HTML page — the plan's own text
//! with every finding highlighted at its span, the coverage table of the higher plans, the packs
//! applied, and what could not be read. Inline CSS and script, no fetch: it opens from disk and
//! prints on A4 (severities carry a symbol as well as a colour, for black-and-white printing).

use std::fmt::Write as _;

use crate::coverage::{Coverage, Requirement, Status};
use crate::diagnostic::{Finding, Severity};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::FileReport;

/// Marks a page as planlint's, so that a later run may rewrite it (docs/robustness.md).
pub const GENERATOR: &str = "<meta name=\"generator\" content=\"planlint\">";

/// Text made safe for HTML: markup characters escaped, and the control characters a document
/// may carry (which HTML forbids) shown as U+FFFD.
pub fn escape(text: &str) -> String {
    escape_markup(text, true)
}

/// Text made safe for HTML or XML. Line breaks and tabs are kept, or (in XML text runs, where
/// a break would be lost anyway) become spaces; other control characters, which neither
/// allows, and bidirectional overrides become U+FFFD.
pub(crate) fn escape_markup(text: &str, keep_breaks: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' if keep_breaks => out.push(c),
            '\n' | '\t' => out.push(' '),
            c if c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn severity_zh(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Info => "提示",
    }
}

pub fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✖",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}

pub(crate) const STYLE: &str = r#"
:root { --error:#b3261e; --warning:#8a5a00; --info:#1f5fa8; --met:#1b6e3a; --line:#d6d6d6; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
  margin: 0 auto; max-width: 1100px; padding: 24px; color: #1a1a1a; line-height: 1.6; }
h1 { font-size: 1.5em; margin: 0 0 4px; } h2 { font-size: 1.2em; border-bottom: 2px solid #333;
  padding-bottom: 2px; margin-top: 28px; }
.sub { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; word-break: break-word; }
th { background: #f2f2f2; }
table.facts th { width: 8em; }
.counts span { margin-right: 1.5em; font-weight: bold; }
.sev-error { color: var(--error); } .sev-warning { color: var(--warning); } .sev-info { color: var(--info); }
.st-met { color: var(--met); } .st-partial { color: var(--warning); } .st-missing { color: var(--error); }
.st-adjusted { color: #555; }
td.status { font-weight: bold; }
tr.group th { background: #e8e8e8; }
ol.findings { padding-left: 1.5em; }
ol.findings li { margin: 6px 0; padding: 4px 6px; border-left: 4px solid var(--line); }
ol.findings li.sev-error { border-color: var(--error); } ol.findings li.sev-warning { border-color: var(--warning); }
ol.findings li.sev-info { border-color: var(--info); }
ol.findings li .what { color: #1a1a1a; }
ol.findings li.flash, mark.flash { outline: 3px solid #000; }
.help, .cite, .fix { color: #333; font-size: .92em; margin: 2px 0 0; white-space: pre-wrap; }
.code { font-family: monospace; font-size: .9em; color: #555; }
a.goto { margin-left: .5em; font-size: .9em; }
.text { border: 1px solid var(--line); padding: 8px 0; font-size: .95em; }
.text .ln { display: inline-block; width: 3.5em; color: #999; text-align: right; padding-right: .8em;
  user-select: none; vertical-align: top; }
.text .line { display: flex; }
.text .tx { flex: 1; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; padding-right: 8px; }
mark { background: #fff0b3; color: inherit; border-bottom: 2px solid var(--warning); cursor: pointer; }
mark.sev-error { background: #fde0de; border-bottom-color: var(--error); }
mark.sev-info { background: #e3eefb; border-bottom-color: var(--info); }
mark.point { background: none; border: none; font-weight: bold; }
mark.sev-error::before { content: "✖"; font-size: .7em; vertical-align: super; }
mark.sev-warning::before { content: "⚠"; font-size: .7em; vertical-align: super; }
mark.sev-info::before { content: "ℹ"; font-size: .7em; vertical-align: super; }
.note { color: #555; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a.goto, .noprint { display: none; }
  tr, li, .line { break-inside: avoid; }
  h2 { break-after: avoid; }
  mark { background: none; }
}
"#;

pub(crate) const SCRIPT: &str = r#"
function flash(el) { el.classList.add('flash'); setTimeout(function () { el.classList.remove('flash'); }, 1600); }
document.addEventListener('click', function (e) {
  var go = e.target.closest('a.goto, a.to-finding, a.line-link');
  if (go) { e.preventDefault(); var m = document.getElementById(go.getAttribute('href').slice(1));
    if (m) { m.scrollIntoView({ block: 'center' }); flash(m); history.replaceState(null, '', go.getAttribute('href')); } return; }
  var mark = e.target.closest('mark[data-f]');
  if (mark) { var f = document.getElementById('finding-' + mark.getAttribute('data-f').split(' ')[0]);
    if (f) { f.scrollIntoView({ block: 'center' }); flash(f); } }
});
"#;

/// The report's style sheet, for pages that show a report body (`planlint serve`).
pub fn html_style() -> &'static str {
    STYLE
}

/// The report's script (finding ↔ highlight), for pages that show a report body.
pub fn html_script() -> &'static str {
    SCRIPT
}

/// The whole page for one plan.
pub fn render_report_html(report: &FileReport, registry: &Registry) -> String {
    let mut out = String::with_capacity(report.source.text.len() * 2 + 16 * 1024);
    let title = report
        .facts
        .as_ref()
        .map(|f| f.title.clone())
        .unwrap_or_else(|| report.source.name.clone());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n{GENERATOR}\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>审查报告：{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    out.push_str(&report_body(report, registry));
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The page's content without the document around it: also what `planlint serve` shows.
pub fn report_body(report: &FileReport, registry: &Registry) -> String {
    let mut out = String::new();
    let facts = report.facts.as_ref();
    let title = facts.map_or(report.source.name.as_str(), |f| f.title.as_str());
    let _ = writeln!(
        out,
        "<header>\n<h1>规划审查报告</h1>\n<p class=\"sub\">{}</p>\n<p class=\"sub\">文件：{}</p>\n</header>",
        escape(title),
        escape(&report.source.name)
    );

    // The plan's facts.
    if let Some(f) = facts {
        out.push_str("<h2>规划概况</h2>\n<table class=\"facts\">\n");
        let level = f.level.zh();
        let rows: [(&str, String); 6] = [
            ("类型", f.kind.zh().to_owned()),
            ("层级、地区", format!("{level}　{}", f.region.join(" "))),
            (
                "发文机关",
                f.issuer.clone().unwrap_or_else(|| "（未找到）".into()),
            ),
            (
                "成文日期",
                f.issued.clone().unwrap_or_else(|| "（未找到）".into()),
            ),
            ("规划期", format!("{}—{}年", f.period.0, f.period.1)),
            (
                "所依据的上级文件",
                if f.basis.is_empty() {
                    "（未写明）".into()
                } else {
                    f.basis.join("；")
                },
            ),
        ];
        for (k, v) in rows {
            let _ = writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", escape(&v));
        }
        out.push_str("</table>\n");
    }

    // Counts and the packs applied.
    let count = |s| report.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "<h2>审查结果</h2>\n<p class=\"counts\"><span class=\"sev-error\">✖ 错误 {}</span>\
         <span class=\"sev-warning\">⚠ 警告 {}</span><span class=\"sev-info\">ℹ 提示 {}</span></p>",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if !report.packs.is_empty() {
        out.push_str("<p>对照的上级文件：</p>\n<ul>\n");
        for applied in &report.packs {
            let chain = std::iter::once(&applied.id).chain(&applied.ancestors);
            for id in chain {
                let Some(pack) = registry.get(id) else {
                    continue;
                };
                if pack.is_abstract {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "<li>{}<span class=\"code\">（{}）</span></li>",
                    escape(&pack.reference()),
                    escape(&pack.id)
                );
            }
            for d in &applied.dropped {
                let _ = writeln!(
                    out,
                    "<li class=\"note\">不适用 <span class=\"code\">{}</span>：{}</li>",
                    escape(&d.id),
                    escape(&d.reason)
                );
            }
        }
        out.push_str("</ul>\n");
    }
    let not_found = facts.map(|f| f.not_found.as_slice()).unwrap_or_default();
    if !not_found.is_empty() || !report.notes.is_empty() {
        out.push_str("<p>planlint 未能读出或规划未写明的内容（请人工核对）：</p>\n<ul>\n");
        for n in not_found {
            let _ = writeln!(out, "<li>未找到{}</li>", escape(n));
        }
        for n in &report.notes {
            let _ = writeln!(
                out,
                "<li class=\"note\">读取说明：{}</li>",
                escape(&note_zh(n))
            );
        }
        out.push_str("</ul>\n");
    }

    if let Some(coverage) = &report.coverage {
        out.push_str(&coverage_table(coverage, report));
    }
    out.push_str(&findings_list(report));
    out.push_str(&annotated_text(&report.source, &report.findings));
    out
}

/// The importer's notes (written for the command line) in the report's language.
fn note_zh(note: &str) -> String {
    if let Some(how) = note.strip_prefix("read as ") {
        return match how {
            "docx" => "从 Word（.docx）文件读取正文".to_owned(),
            "doc" => "从 Word 97–2003（.doc）文件读取正文".to_owned(),
            "HTML" => "从网页读取正文（网页的公开信息、导航、页脚已与正文分开）".to_owned(),
            other if other.starts_with("HTML (") => format!(
                "从网页读取正文，按 {} 编码（网页的公开信息、导航、页脚已与正文分开）",
                other.trim_start_matches("HTML (").trim_end_matches(')')
            ),
            "PDF" => {
                "正文由 pdftotext 从 PDF 提取（已去除页码、页眉并接续断行）；行号指提取后的文字"
                    .to_owned()
            }
            other => format!("按 {other} 编码读取"),
        };
    }
    if let Some(n) = note
        .strip_prefix("the division-of-work table gave the units of ")
        .and_then(|r| r.strip_suffix(" task(s)"))
    {
        return format!("牵头单位、配合单位和完成时限由分工表读取（{n}项任务）");
    }
    if let Some(rows) = note
        .strip_prefix("division-of-work table rows ")
        .and_then(|r| r.strip_suffix(" name no action or project and were not read"))
    {
        return format!("分工表第{rows}行未能对应到提升行动或重点工程，未读入");
    }
    if note.starts_with("a second copy of the text") {
        return "正文有第二份副本（PDF 提取所致），已略去".to_owned();
    }
    if let Some(rest) = note.strip_prefix('“') {
        if let Some((name, places)) = rest.split_once("” names places in ") {
            let places = places.split(';').next().unwrap_or("");
            return format!("“{name}”是{places}都有的地名，文中无法确定所指，未设地区");
        }
    }
    note.to_owned()
}

/// The coverage table: one row per requirement, grouped by the part of the higher plan.
fn coverage_table(coverage: &Coverage, report: &FileReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<h2>上级要求落实情况</h2>\n<p>已落实 {}　部分落实 {}　缺失 {}　按上级调整 {}</p>",
        coverage.count(Status::Met),
        coverage.count(Status::Partial),
        coverage.count(Status::Missing),
        coverage.count(Status::Adjusted)
    );
    out.push_str(
        "<table class=\"coverage\">\n<colgroup><col style=\"width:16%\"><col style=\"width:10%\">\
         <col style=\"width:15%\"><col style=\"width:15%\"><col style=\"width:17%\">\
         <col style=\"width:14%\"><col style=\"width:13%\"></colgroup>\n\
         <thead><tr><th>要求</th><th>状态</th><th>本规划中</th><th>牵头单位</th><th>量化目标</th>\
         <th>依据条款</th><th>问题</th></tr></thead>\n<tbody>\n",
    );
    let mut group = None;
    for r in &coverage.requirements {
        if group != Some(r.group) {
            group = Some(r.group);
            let _ = writeln!(
                out,
                "<tr class=\"group\"><th colspan=\"7\">{}</th></tr>",
                r.group.zh()
            );
        }
        out.push_str(&coverage_row(r, report));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn coverage_row(r: &Requirement, report: &FileReport) -> String {
    let place = match r.at {
        Some(span) if !report.source.withheld => {
            let line = report.source.line_col(span.start).line;
            let written = r
                .written_as
                .as_ref()
                .map(|w| format!("“{}”", escape(w)))
                .unwrap_or_default();
            format!("<a class=\"line-link\" href=\"#L{line}\">第{line}行</a> {written}")
        }
        Some(span) => format!("第{}行", report.source.line_col(span.start).line),
        None => match &r.adjusted {
            Some(a) => escape(&a.reason),
            None => "—".to_owned(),
        },
    };
    let problems: Vec<String> = r
        .findings
        .iter()
        .filter_map(|&n| {
            report.findings.get(n).map(|f| {
                format!(
                    "<a class=\"to-finding sev-{}\" href=\"#finding-{n}\">{} {}</a>",
                    f.severity.as_str(),
                    severity_symbol(f.severity),
                    escape(&f.message)
                )
            })
        })
        .collect();
    format!(
        "<tr class=\"st-row-{}\"><td>{}</td><td class=\"status st-{}\">{} {}</td><td>{place}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        r.status.as_str(),
        escape(&r.name),
        r.status.as_str(),
        r.status.symbol(),
        r.status.zh(),
        escape(&r.leads.join("、")),
        escape(&r.targets.join("；")),
        escape(&short_cite(&r.cite)),
        problems.join("<br>")
    )
}

/// A clause as a table cell holds it: the document's number (or title) and the clause.
fn short_cite(cite: &crate::diagnostic::Cite) -> String {
    let document = if cite.document.is_empty() {
        format!("《{}》", cite.title)
    } else {
        cite.document.clone()
    };
    match &cite.clause {
        Some(clause) => format!("{document} {clause}"),
        None => "审查通用要求".to_owned(),
    }
}

fn findings_list(report: &FileReport) -> String {
    let mut out = String::from("<h2>问题清单</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>未发现问题。</p>\n");
        return out;
    }
    out.push_str("<ol class=\"findings\">\n");
    for (n, f) in report.findings.iter().enumerate() {
        let at = report.source.line_col(report.source.clamp(f.span).start);
        let _ = write!(
            out,
            "<li id=\"finding-{n}\" class=\"sev-{sev}\"><span class=\"sev-{sev}\">{sym} {zh}</span> \
             <span class=\"what\">{message}</span>：{label} <span class=\"code\">第{line}行 · {code}</span>\
             <a class=\"goto\" href=\"#mark-{n}\">定位</a>",
            sev = f.severity.as_str(),
            sym = severity_symbol(f.severity),
            zh = severity_zh(f.severity),
            message = escape(&f.message),
            label = escape(&f.label),
            line = at.line,
            code = escape(&f.code),
        );
        if let Some(help) = &f.help {
            let _ = write!(out, "<p class=\"help\">{}</p>", escape(help));
        }
        if let Some(cite) = &f.cite {
            let _ = write!(
                out,
                "<p class=\"cite\">依据：{}</p>",
                escape(&cite.render())
            );
        }
        let fix = f.document_suggestion.as_ref().or(f.suggestion.as_ref());
        if let Some(fix) = fix {
            let _ = write!(out, "<p class=\"fix\">建议：{}</p>", escape(fix));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}

/// The source text, one line per row, each finding's span highlighted. Overlapping spans are cut
/// into segments, each marked with every finding over it (coloured by the worst); a finding
/// with an empty span (a thing missing at a place) is a marker at that place.
fn annotated_text(source: &SourceFile, findings: &[Finding]) -> String {
    let mut out = String::from("<h2>规划原文（标注）</h2>\n");
    if source.withheld {
        out.push_str("<p class=\"note\">（该文件位于检查目录之外，正文不予显示。）</p>\n");
        return out;
    }
    if source.text.is_empty() {
        out.push_str("<p class=\"note\">（无可显示的正文。）</p>\n");
        return out;
    }
    let text = source.text.as_str();
    let spans: Vec<(usize, usize)> = findings
        .iter()
        .map(|f| {
            let s = source.clamp(f.span);
            (s.start, s.end)
        })
        .collect();
    // Every place a segment starts or ends: span ends and line breaks.
    let mut cuts: Vec<usize> = spans.iter().flat_map(|&(a, b)| [a, b]).collect();
    cuts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    cuts.push(0);
    cuts.push(text.len());
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    // Findings by start, for a sweep.
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&n| spans[n].0);
    let mut next = 0;
    let mut active: Vec<usize> = Vec::new();
    let mut anchored = vec![false; spans.len()];
    let mut line = 1;
    out.push_str("<div class=\"text\">\n<div class=\"line\" id=\"L1\"><span class=\"ln\">1</span><span class=\"tx\">");
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        active.retain(|&n| spans[n].1 > a);
        let mut points = Vec::new();
        while next < by_start.len() && spans[by_start[next]].0 <= a {
            let n = by_start[next];
            if spans[n].0 == spans[n].1 {
                points.push(n);
            } else if spans[n].1 > a {
                active.push(n);
            }
            next += 1;
        }
        for n in points {
            let f = &findings[n];
            let id = if anchored[n] {
                String::new()
            } else {
                anchored[n] = true;
                format!(" id=\"mark-{n}\"")
            };
            let _ = write!(
                out,
                "<mark class=\"point sev-{}\"{id} data-f=\"{n}\" title=\"{}\"></mark>",
                f.severity.as_str(),
                escape(&format!("{}：{}", f.message, f.label))
            );
        }
        let segment = &text[a..b];
        let (body, newline) = match segment.strip_suffix('\n') {
            Some(body) => (body, true),
            None => (segment, false),
        };
        let body = body.strip_suffix('\r').unwrap_or(body);
        if active.is_empty() {
            out.push_str(&escape(body));
        } else if !body.is_empty() {
            let worst = active
                .iter()
                .map(|&n| findings[n].severity)
                .max()
                .unwrap_or(Severity::Info);
            let ids: Vec<String> = active.iter().map(|n| n.to_string()).collect();
            let title: Vec<String> = active
                .iter()
                .map(|&n| format!("{}：{}", findings[n].message, findings[n].label))
                .collect();
            let id = active
                .iter()
                .find(|&&n| !anchored[n])
                .map(|&n| {
                    anchored[n] = true;
                    format!(" id=\"mark-{n}\"")
                })
                .unwrap_or_default();
            let _ = write!(
                out,
                "<mark class=\"sev-{}\"{id} data-f=\"{}\" title=\"{}\">{}</mark>",
                worst.as_str(),
                ids.join(" "),
                escape(&title.join("\n")),
                escape(body)
            );
        }
        if newline {
            line += 1;
            let _ = write!(
                out,
                "</span></div>\n<div class=\"line\" id=\"L{line}\"><span class=\"ln\">{line}</span><span class=\"tx\">"
            );
        }
    }
    out.push_str("</span></div>\n");
    // A finding whose mark fell on no text (its span cut away): anchored at the end.
    for (n, done) in anchored.iter().enumerate() {
        if !done {
            let _ = write!(
                out,
                "<mark class=\"point sev-{}\" id=\"mark-{n}\" data-f=\"{n}\"></mark>",
                findings[n].severity.as_str()
            );
        }
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn finding(start: usize, end: usize, severity: Severity) -> Finding {
        let mut f = Finding::input_error("x/y", "问题", Span::new(start, end), "此处");
        f.severity = severity;
        f.fatal = false;
        f
    }

    #[test]
    fn every_finding_is_anchored_once_and_markup_is_escaped() {
        let text = "第一行<b>&\n第二行很长\n\u{1b}第三行";
        let source = SourceFile::new("t.txt", text);
        let findings = vec![
            finding(0, 9, Severity::Warning),        // across the first line
            finding(3, 18, Severity::Error),         // overlapping, into line 2
            finding(12, 12, Severity::Info),         // a point
            finding(10_000, 10_001, Severity::Info), // out of range: clamped
        ];
        let html = annotated_text(&source, &findings);
        for n in 0..findings.len() {
            assert_eq!(
                html.matches(&format!("id=\"mark-{n}\"")).count(),
                1,
                "{n}: {html}"
            );
        }
        assert!(
            html.contains("&lt;b&gt;") && html.contains("&amp;"),
            "{html}"
        );
        assert!(!html.contains('\u{1b}'));
        assert!(html.contains("id=\"L3\""));
        assert_eq!(
            html.matches("<mark").count(),
            html.matches("</mark>").count()
        );
    }
}
