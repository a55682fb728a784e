//! The province's or city's view of a folder of plans: a coverage matrix — plans as rows,
//! requirements as columns, a status in each cell — as an HTML index (sortable, with a filter
//! for the gaps), as CSV and as .xlsx for people who work in Excel.

use std::fmt::Write as _;

use super::html::{escape, GENERATOR, STYLE};
use crate::coverage::{Group, Status};
use crate::FileReport;

/// One plan of the folder, with the page written for it.
pub struct MatrixRow<'a> {
    pub report: &'a FileReport,
    /// The file name of its page, beside the index.
    pub page: String,
}

/// The requirements of all plans, as columns: in the outline's order of parts, then as first
/// met. A requirement is identified by its part and name.
fn columns(rows: &[MatrixRow<'_>]) -> Vec<(Group, String)> {
    let mut cols: Vec<(Group, String)> = Vec::new();
    for row in rows {
        for r in row.report.coverage.iter().flat_map(|c| &c.requirements) {
            let key = (r.group, r.name.clone());
            if !cols.contains(&key) {
                cols.push(key);
            }
        }
    }
    cols.sort_by_key(|(g, _)| *g);
    cols
}

fn cell(report: &FileReport, col: &(Group, String)) -> Option<Status> {
    report
        .coverage
        .as_ref()?
        .requirements
        .iter()
        .find(|r| r.group == col.0 && r.name == col.1)
        .map(|r| r.status)
}

fn title(report: &FileReport) -> &str {
    report
        .facts
        .as_ref()
        .map_or(report.source.name.as_str(), |f| f.title.as_str())
}

fn gaps(report: &FileReport) -> usize {
    report
        .coverage
        .as_ref()
        .map_or(0, |c| c.count(Status::Missing) + c.count(Status::Partial))
}

const SCRIPT: &str = r#"
document.querySelectorAll('table.matrix th[data-col]').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], col = +th.getAttribute('data-col');
    var dir = th.getAttribute('data-dir') === 'asc' ? 'desc' : 'asc';
    table.querySelectorAll('th[data-col]').forEach(function (o) { o.removeAttribute('data-dir'); });
    th.setAttribute('data-dir', dir);
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-sort'), y = b.cells[col].getAttribute('data-sort');
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
      return dir === 'asc' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
var only = document.getElementById('only-gaps');
only.addEventListener('change', function () {
  document.querySelectorAll('table.matrix tbody tr').forEach(function (r) {
    r.hidden = only.checked && r.getAttribute('data-gaps') === '0';
  });
  document.querySelectorAll('table.matrix td.st-met, table.matrix td.st-adjusted').forEach(function (c) {
    c.classList.toggle('dim', only.checked);
  });
});
"#;

const MATRIX_STYLE: &str = r#"
.wide { overflow-x: auto; max-width: 100%; }
table.matrix { table-layout: auto; width: auto; font-size: .9em; }
table.matrix th[data-col] { cursor: pointer; }
table.matrix th[data-dir=asc]::after { content: " ▲"; } table.matrix th[data-dir=desc]::after { content: " ▼"; }
table.matrix thead th.req { writing-mode: vertical-rl; white-space: nowrap; max-height: 16em; }
table.matrix td.st { text-align: center; white-space: nowrap; }
td.dim { color: #bbb !important; }
@media print { @page { size: A4 landscape; } .wide { overflow: visible; } }
"#;

/// The index page: every plan's counts and its cell for each requirement.
pub fn render_index_html(rows: &[MatrixRow<'_>], failed: &[&FileReport]) -> String {
    let cols = columns(rows);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n{GENERATOR}\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>规划审查汇总</title>\n<style>{STYLE}{MATRIX_STYLE}</style>\n</head>\n<body>\n\
         <h1>规划审查汇总</h1>\n<p class=\"sub\">{} 份规划；点击列标题排序；状态：✓ 已落实　△ 部分落实　✗ 缺失　↷ 按上级调整　— 不适用</p>\n\
         <p class=\"noprint\"><label><input type=\"checkbox\" id=\"only-gaps\"> 只看有缺口的规划</label>　\
         <a href=\"coverage.xlsx\">下载 Excel（coverage.xlsx）</a>　<a href=\"coverage.csv\">下载 CSV</a></p>\n",
        rows.len()
    );
    out.push_str("<div class=\"wide\">\n<table class=\"matrix\">\n<thead><tr>");
    let fixed = ["规划", "错误", "警告", "缺口"];
    for (n, h) in fixed.iter().enumerate() {
        let _ = write!(out, "<th data-col=\"{n}\">{h}</th>");
    }
    for (n, (group, name)) in cols.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"req\" data-col=\"{}\" title=\"{}：{}\">{}</th>",
            n + fixed.len(),
            group.zh(),
            escape(name),
            escape(name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let r = row.report;
        let count = |s| r.findings.iter().filter(|f| f.severity == s).count();
        let (errors, warnings) = (
            count(crate::diagnostic::Severity::Error),
            count(crate::diagnostic::Severity::Warning),
        );
        let g = gaps(r);
        let _ = write!(
            out,
            "<tr data-gaps=\"{g}\"><td data-sort=\"{t}\"><a href=\"{page}\">{t}</a><br><span class=\"code\">{file}</span></td>\
             <td data-sort=\"{errors}\">{errors}</td><td data-sort=\"{warnings}\">{warnings}</td><td data-sort=\"{g}\">{g}</td>",
            t = escape(title(r)),
            page = escape(&row.page),
            file = escape(&r.source.name),
        );
        for col in &cols {
            match cell(r, col) {
                Some(s) => {
                    let _ = write!(
                        out,
                        "<td class=\"st st-{}\" data-sort=\"{}\" title=\"{}\">{}</td>",
                        s.as_str(),
                        s as u8,
                        s.zh(),
                        s.symbol()
                    );
                }
                None => out.push_str("<td class=\"st\" data-sort=\"9\" title=\"不适用\">—</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    if !failed.is_empty() {
        out.push_str("<h2>未能检查的文件</h2>\n<ul>\n");
        for r in failed {
            let why = r.findings.first().map(|f| &*f.message).unwrap_or("");
            let _ = writeln!(out, "<li>{}：{}</li>", escape(&r.source.name), escape(why));
        }
        out.push_str("</ul>\n");
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// The first cell of the CSV: a header Excel opens as UTF-8 (with the byte-order mark), and
/// by which planlint knows its own file.
pub const CSV_HEADER_START: &str = "\u{feff}规划,文件,错误,警告,缺口";

fn csv_field(text: &str) -> String {
    // Excel would run a cell that starts with = + - @ as a formula: such text is quoted
    // with a leading apostrophe.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The matrix as CSV: one row per plan, one column per requirement (its status in words).
pub fn render_matrix_csv(rows: &[MatrixRow<'_>]) -> String {
    let cols = columns(rows);
    let mut out = String::from(CSV_HEADER_START);
    for (group, name) in &cols {
        out.push(',');
        out.push_str(&csv_field(&format!("{}：{}", group.zh(), name)));
    }
    out.push_str("\r\n");
    for row in rows {
        let r = row.report;
        let count = |s| r.findings.iter().filter(|f| f.severity == s).count();
        let mut fields = vec![
            csv_field(title(r)),
            csv_field(&r.source.name),
            count(crate::diagnostic::Severity::Error).to_string(),
            count(crate::diagnostic::Severity::Warning).to_string(),
            gaps(r).to_string(),
        ];
        for col in &cols {
            fields.push(cell(r, col).map_or("不适用".to_owned(), |s| s.zh().to_owned()));
        }
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The matrix as an Excel workbook: a header row, frozen, statuses in words and coloured.
pub fn render_matrix_xlsx(rows: &[MatrixRow<'_>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let cols = columns(rows);
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("规划审查汇总")
            .set_author("planlint"),
    );
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| format!("cannot make the workbook: {e}");
    sheet.set_name("落实情况").map_err(fail)?;
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xF2F2F2));
    let colour = |s: Status| {
        let rgb = match s {
            Status::Met => 0x1B6E3A,
            Status::Partial => 0x8A5A00,
            Status::Missing => 0xB3261E,
            Status::Adjusted => 0x555555,
        };
        Format::new().set_font_color(Color::RGB(rgb))
    };
    let fixed = ["规划", "文件", "错误", "警告", "缺口"];
    for (c, h) in fixed.iter().enumerate() {
        sheet
            .write_with_format(0, c as u16, *h, &head)
            .map_err(fail)?;
    }
    for (n, (group, name)) in cols.iter().enumerate() {
        let c = (n + fixed.len()) as u16;
        sheet
            .write_with_format(0, c, format!("{}：{}", group.zh(), name), &head)
            .map_err(fail)?;
        sheet.set_column_width(c, 14).map_err(fail)?;
    }
    sheet.set_column_width(0, 40).map_err(fail)?;
    sheet.set_column_width(1, 30).map_err(fail)?;
    for (i, row) in rows.iter().enumerate() {
        let r = row.report;
        let line = (i + 1) as u32;
        let count = |s| r.findings.iter().filter(|f| f.severity == s).count() as f64;
        sheet.write(line, 0, title(r)).map_err(fail)?;
        sheet.write(line, 1, r.source.name.as_str()).map_err(fail)?;
        sheet
            .write(line, 2, count(crate::diagnostic::Severity::Error))
            .map_err(fail)?;
        sheet
            .write(line, 3, count(crate::diagnostic::Severity::Warning))
            .map_err(fail)?;
        sheet.write(line, 4, gaps(r) as f64).map_err(fail)?;
        for (n, col) in cols.iter().enumerate() {
            let c = (n + fixed.len()) as u16;
            match cell(r, col) {
                Some(s) => sheet.write_with_format(line, c, s.zh(), &colour(s)),
                None => sheet.write(line, c, "不适用"),
            }
            .map_err(fail)?;
        }
    }
    sheet.set_freeze_panes(1, 1).map_err(fail)?;
    if !rows.is_empty() {
        sheet
            .autofilter(
                0,
                0,
                rows.len() as u32,
                (cols.len() + fixed.len() - 1) as u16,
            )
            .map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
