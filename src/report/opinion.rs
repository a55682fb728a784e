//! A draft review opinion (审核意见) as a Word document (`planlint opinion`): 审查事项, 审查依据,
//! 审查意见 grouped as 应当补充 / 建议修改 / 供参考 (errors, warnings, infos) — each with its place
//! in the plan, the problem, the clause it rests on and the change to make — the coverage in
//! brief, and a 结论 with room for signature and date. Written as plain WordprocessingML with
//! the zip crate the .docx reader already uses; it opens in Word, WPS and LibreOffice
//! (checked by converting it with LibreOffice in tests/desk.rs).

use std::io::{Cursor, Write};

use super::html::severity_zh;
use crate::coverage::Status;
use crate::diagnostic::{Finding, Severity};
use crate::rules::Registry;
use crate::FileReport;

/// Written first and stored, so that planlint knows its own document again (docs/robustness.md).
pub const APP_PROPERTIES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>planlint</Application></Properties>";

fn xml_escape(text: &str) -> String {
    super::html::escape_markup(text, false)
}

/// A paragraph: runs of (text, bold), with a style.
struct Para {
    style: &'static str,
    runs: Vec<(String, bool)>,
}

impl Para {
    fn new(style: &'static str, text: impl Into<String>) -> Self {
        Para {
            style,
            runs: vec![(text.into(), false)],
        }
    }

    fn labelled(style: &'static str, parts: &[(&str, &str)]) -> Self {
        let mut runs = Vec::new();
        for (label, text) in parts {
            runs.push((label.to_string(), true));
            runs.push((format!("{text}　"), false));
        }
        Para { style, runs }
    }

    fn xml(&self) -> String {
        let mut out = format!("<w:p><w:pPr><w:pStyle w:val=\"{}\"/></w:pPr>", self.style);
        for (text, bold) in &self.runs {
            out.push_str("<w:r>");
            if *bold {
                out.push_str("<w:rPr><w:b/></w:rPr>");
            }
            out.push_str(&format!(
                "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                xml_escape(text)
            ));
        }
        out.push_str("</w:p>");
        out
    }
}

const CHINESE_NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Where a finding is, for a reader of the printed opinion: the line and what it says.
fn place(report: &FileReport, f: &Finding) -> String {
    let span = report.source.clamp(f.span);
    let at = report.source.line_col(span.start);
    if report.source.withheld || report.source.text.is_empty() {
        return format!("第{}行", at.line);
    }
    let line = report
        .source
        .text
        .lines()
        .nth(at.line - 1)
        .unwrap_or("")
        .trim();
    let excerpt: String = line.chars().take(40).collect();
    let more = if line.chars().count() > 40 { "…" } else { "" };
    if excerpt.is_empty() {
        format!("第{}行", at.line)
    } else {
        format!("第{}行“{excerpt}{more}”", at.line)
    }
}

fn paragraphs(report: &FileReport, registry: &Registry) -> Vec<Para> {
    let mut out = Vec::new();
    let facts = report.facts.as_ref();
    let title = facts.map_or(report.source.name.clone(), |f| f.title.clone());
    out.push(Para::new("Title", format!("关于《{title}》的审核意见")));
    out.push(Para::new(
        "Subtitle",
        "（草稿，由 planlint 生成，请审查人核改）",
    ));

    out.push(Para::new("Heading1", "一、审查事项"));
    out.push(Para::labelled(
        "Body",
        &[("规划名称：", &format!("《{title}》"))],
    ));
    if let Some(f) = facts {
        let issuer = f.issuer.clone().unwrap_or_else(|| "（未写明）".into());
        let issued = f.issued.clone().unwrap_or_else(|| "（未写明）".into());
        out.push(Para::labelled(
            "Body",
            &[("发文机关：", &issuer), ("成文日期：", &issued)],
        ));
        out.push(Para::labelled(
            "Body",
            &[
                (
                    "层级、地区：",
                    &format!("{}　{}", f.level.zh(), f.region.join("")),
                ),
                ("规划期：", &format!("{}—{}年", f.period.0, f.period.1)),
            ],
        ));
    }
    let file = std::path::Path::new(&report.source.name)
        .file_name()
        .map_or(report.source.name.clone(), |n| {
            n.to_string_lossy().into_owned()
        });
    out.push(Para::labelled("Body", &[("送审文件：", &file)]));

    out.push(Para::new("Heading1", "二、审查依据"));
    let mut n = 0;
    for applied in &report.packs {
        for id in std::iter::once(&applied.id).chain(&applied.ancestors) {
            let Some(pack) = registry.get(id) else {
                continue;
            };
            if pack.is_abstract {
                continue;
            }
            n += 1;
            out.push(Para::new("Body", format!("{n}. {}", pack.reference())));
        }
    }
    if n == 0 {
        out.push(Para::new("Body", "（未找到适用的上级文件）"));
    }

    out.push(Para::new("Heading1", "三、审查意见"));
    let groups = [
        (Severity::Error, "应当补充"),
        (Severity::Warning, "建议修改"),
        (Severity::Info, "供参考"),
    ];
    for (g, (severity, heading)) in groups.iter().enumerate() {
        let items: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == *severity)
            .collect();
        out.push(Para::new(
            "Heading2",
            format!("（{}）{heading}（{}项）", CHINESE_NUMBERS[g], items.len()),
        ));
        if items.is_empty() {
            out.push(Para::new("Body", "无。"));
        }
        for (i, f) in items.iter().enumerate() {
            out.push(Para::new("Item", format!("{}. {}", i + 1, f.message)));
            out.push(Para::labelled("Detail", &[("位置：", &place(report, f))]));
            out.push(Para::labelled("Detail", &[("问题：", &f.label)]));
            if let Some(cite) = &f.cite {
                out.push(Para::labelled("Detail", &[("依据：", &cite.render())]));
            }
            let fix = f
                .document_suggestion
                .clone()
                .or_else(|| f.help.as_deref().map(str::to_owned))
                .unwrap_or_default();
            if !fix.is_empty() {
                out.push(Para::labelled("Detail", &[("建议：", &fix)]));
            }
        }
    }

    if let Some(c) = &report.coverage {
        out.push(Para::new("Heading1", "四、上级要求落实情况"));
        out.push(Para::new(
            "Body",
            format!(
                "对照上级文件的{}项要求：已落实{}项，部分落实{}项，缺失{}项，按上级调整{}项。",
                c.requirements.len(),
                c.count(Status::Met),
                c.count(Status::Partial),
                c.count(Status::Missing),
                c.count(Status::Adjusted)
            ),
        ));
        for r in c
            .requirements
            .iter()
            .filter(|r| matches!(r.status, Status::Missing | Status::Partial))
        {
            out.push(Para::new(
                "Detail",
                format!("{}：{}（{}）", r.status.zh(), r.name, r.group.zh()),
            ));
        }
    }

    let heading = if report.coverage.is_some() {
        "五、结论"
    } else {
        "四、结论"
    };
    out.push(Para::new("Heading1", heading));
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let conclusion = if errors > 0 {
        format!(
            "经审查，该规划有{errors}项应当补充的内容、{warnings}项建议修改的内容，建议按上述意见修改完善后再行印发。"
        )
    } else if warnings > 0 {
        format!("经审查，该规划未发现应当补充的内容，有{warnings}项建议修改的内容，建议修改完善后按程序印发。")
    } else {
        "经审查，该规划未发现应当补充或修改的内容，建议按程序印发。".to_owned()
    };
    out.push(Para::new("Body", conclusion));
    out.push(Para::new("Body", ""));
    out.push(Para::new("Sign", "审查单位（盖章）：＿＿＿＿＿＿＿＿＿＿"));
    out.push(Para::new("Sign", "审查人（签字）：＿＿＿＿＿＿＿＿＿＿"));
    out.push(Para::new("Sign", "日期：＿＿＿＿年＿＿月＿＿日"));
    out.push(Para::new(
        "Note",
        format!(
            "注：本意见由 planlint 自动核对生成，{}；审查结论以审查人签署为准。",
            severity_note()
        ),
    ));
    out
}

fn severity_note() -> String {
    format!(
        "“应当补充”对应{}，“建议修改”对应{}，“供参考”对应{}",
        severity_zh(Severity::Error),
        severity_zh(Severity::Warning),
        severity_zh(Severity::Info)
    )
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:line="560" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Body"><w:name w:val="Body"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="560"/><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="200"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="40"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/><w:ind w:firstLineChars="200" w:firstLine="560"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/><w:ind w:firstLineChars="200" w:firstLine="560"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Item"><w:name w:val="Item"/><w:pPr><w:keepNext/><w:ind w:firstLineChars="200" w:firstLine="560"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Detail"><w:name w:val="Detail"/><w:pPr><w:ind w:left="560" w:firstLineChars="200" w:firstLine="560"/></w:pPr><w:rPr><w:sz w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Sign"><w:name w:val="Sign"/><w:pPr><w:jc w:val="right"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:pPr><w:spacing w:before="400"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr></w:style>
</w:styles>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"#;

/// The opinion as .docx bytes.
pub fn render_opinion_docx(report: &FileReport, registry: &Registry) -> Result<Vec<u8>, String> {
    let title = report
        .facts
        .as_ref()
        .map_or(report.source.name.clone(), |f| f.title.clone());
    let body: String = paragraphs(report, registry).iter().map(Para::xml).collect();
    // A4, 公文 margins (37 mm top, 35 bottom, 28 left, 26 right).
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" \
         w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
         </w:body></w:document>"
    );
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>planlint</dc:creator></cp:coreProperties>",
        xml_escape(&format!("关于《{title}》的审核意见"))
    );
    let fail = |e: &dyn std::fmt::Display| format!("cannot make the .docx: {e}");
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    let parts: [(&str, &str, bool); 7] = [
        ("docProps/app.xml", APP_PROPERTIES, true),
        ("[Content_Types].xml", CONTENT_TYPES, false),
        ("_rels/.rels", ROOT_RELS, false),
        ("docProps/core.xml", &core, false),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS, false),
        ("word/styles.xml", STYLES, false),
        ("word/document.xml", &document, false),
    ];
    for (name, text, store) in parts {
        zip.start_file(name, if store { stored } else { deflated })
            .map_err(|e| fail(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    }
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok(cursor.into_inner())
}
