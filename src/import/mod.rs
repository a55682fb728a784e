//! Import: the documents reviewers receive (plain text in any Chinese encoding, .docx) → a
//! structured plan whose every value keeps the span of the document text it came from, so that
//! checking an imported document labels the document itself.
//!
//! The names of actions, projects and the literacy indicator come from the rule packs; nothing
//! domain-specific is listed here beyond the shape of Chinese official documents.

mod body;
mod division;
mod doc;
mod header;
mod html;
mod lines;
mod pdf;
mod read;
mod reading;
mod targets;
mod text;
mod title;
mod units;
mod write;

pub use pdf::clean as clean_pdf_text;
pub use read::read_document;
pub use text::{DocumentText, MetaField, MetaKey, ReadError, Table, MAX_DOCUMENT_BYTES};
pub use write::to_toml;

use crate::diagnostic::Finding;
use crate::plan::{Items, Level, Plan, PlanKind, Section, SectionKind, Sp, Target};
use crate::rules::ast::NameKind;
use crate::rules::name_index::NameIndex;
use crate::rules::normalize;
use crate::rules::{Normalizer, Registry, ResolvedName};
use crate::source::{SourceFile, Span};
use lines::{heading_level, Line};
pub use reading::Reading;
use title::{find_title, TitleAt};

/// What the importer recognises, gathered from the rule packs.
#[derive(Debug)]
pub struct Vocabulary {
    normalizer: Normalizer,
    /// Every declared action and project, as the packs resolved them (keys and `means`),
    /// compiled so that a heading is scanned once for all of them.
    actions: NameIndex,
    projects: NameIndex,
    /// The literacy indicator as declared in any pack.
    literacy: NameIndex,
    /// The titles (and short forms) of every pack's document, folded: a plan citing one by
    /// title alone has cited it.
    titles: Vec<String>,
    /// The packs written for a region (a province's plan), to tell which region a cited
    /// document belongs to.
    regional: Vec<std::sync::Arc<crate::rules::ResolvedPack>>,
}

impl Vocabulary {
    pub fn from_registry(registry: &Registry) -> Self {
        let mut ignore = Vec::new();
        let mut actions = Vec::new();
        let mut projects = Vec::new();
        let mut literacy = Vec::new();
        let mut titles = Vec::new();
        let regional = registry
            .packs()
            .filter(|p| p.region.is_some() && !p.is_abstract)
            .cloned()
            .collect();
        for pack in registry.packs() {
            titles.extend(pack.titles.iter().cloned());
            ignore.extend(pack.normalizer.words().iter().cloned());
            let mut names: Vec<(&String, &ResolvedName)> = pack.names.iter().collect();
            names.sort_by_key(|(key, _)| key.as_str());
            for (key, name) in names {
                match name.kind {
                    NameKind::Section(SectionKind::Action) => actions.push(name.clone()),
                    NameKind::Section(SectionKind::Project) => projects.push(name.clone()),
                    NameKind::Indicator if key == "literacy" => literacy.push(name.clone()),
                    _ => {}
                }
            }
        }
        ignore.sort();
        ignore.dedup();
        Vocabulary {
            normalizer: Normalizer::new(&ignore),
            actions: NameIndex::new(actions),
            projects: NameIndex::new(projects),
            literacy: NameIndex::new(literacy),
            titles,
            regional,
        }
    }

    /// The regions whose packs' documents the basis cites.
    fn regions_cited<'v>(&'v self, basis: &'v [Sp<String>]) -> impl Iterator<Item = &'v str> {
        self.regional
            .iter()
            .filter(|p| basis.iter().any(|b| p.cites_own(&b.value)))
            .filter_map(|p| p.region.as_deref())
    }

    /// The kind of the declared action or project a name is, by its name or alias alone (no
    /// `means`): for numbered items, which say more than a heading.
    fn named_section(&self, name: &str) -> Option<SectionKind> {
        let key = self.normalizer.key(name);
        if self.actions.any_named(&key) {
            return Some(SectionKind::Action);
        } else if self.projects.any_named(&key) {
            return Some(SectionKind::Project);
        }
        // A project written as the task it is (6.推动科技资源科普化): the verb before it
        // dropped and 工程 added, it is named.
        let task = [
            "推动", "推进", "实施", "加强", "强化", "开展", "构建", "打造", "加快", "深化", "促进",
        ]
        .iter()
        .find_map(|v| name.strip_prefix(v))?;
        if name.chars().count() > 20 || task.ends_with("工程") || task.ends_with("行动") {
            return None;
        }
        let key = self.normalizer.key(&format!("{task}工程"));
        self.projects
            .any_named(&key)
            .then_some(SectionKind::Project)
    }

    fn section_kind(&self, name: &str) -> Option<SectionKind> {
        let key = self.normalizer.key(name);
        let folded = normalize::fold(name);
        if self.actions.any_matches(&key, &folded) {
            Some(SectionKind::Action)
        } else if self.projects.any_matches(&key, &folded) {
            Some(SectionKind::Project)
        } else {
            None
        }
    }
}

/// An imported plan: the model (spans into the document text) and notes on what was inferred.
#[derive(Debug)]
pub struct Imported {
    pub plan: Plan<'static>,
    /// e.g. "read as GBK", "a second copy of the text was cut at line 48".
    pub notes: Vec<String>,
    /// What the import itself found (a disclosure field that says otherwise than the text).
    pub findings: Vec<Finding>,
    /// What could not be read with certainty: findings there are notes, not errors.
    pub reading: Reading,
}

/// What a document holds beyond its lines: a page's disclosure fields (before `body_start`)
/// and its tables.
#[derive(Debug, Default)]
pub struct Structure {
    pub metadata: Vec<MetaField>,
    pub body_start: usize,
    pub tables: Vec<Table>,
}

impl Structure {
    /// The structure of a document read, leaving its text.
    pub fn of(document: DocumentText) -> (String, Structure) {
        (
            document.text,
            Structure {
                metadata: document.metadata,
                body_start: document.body_start,
                tables: document.tables,
            },
        )
    }
}

/// Import a document's text (already read; see [`read_document`]).
pub fn import(source: &SourceFile, vocabulary: &Vocabulary) -> Result<Imported, Box<Finding>> {
    import_document(source, &Structure::default(), vocabulary)
}

/// Import a document's text with its structure (disclosure fields, tables).
pub fn import_document(
    source: &SourceFile,
    structure: &Structure,
    vocabulary: &Vocabulary,
) -> Result<Imported, Box<Finding>> {
    let divisions = division::find(&source.text, &structure.tables);
    let excluded: Vec<std::ops::Range<usize>> = divisions.iter().map(|d| d.range.clone()).collect();
    let (mut lines, cut) = lines::logical_lines_in(&source.text, structure.body_start, &excluded);
    let mut notes = Vec::new();
    if cut {
        notes.push("a second copy of the text (from PDF extraction) was left out".to_owned());
    }
    // A notice that issues the text (现印发给你们) makes it a plan, whatever words about
    // interpretation or news the page around it has.
    let looks_like = if issued_by_notice(&lines) {
        None
    } else {
        looks_like(&source.text)
    };
    let not_a_plan = |missing: &str, found: &str| {
        let mut message = format!("不是可检查的规划文本：{missing}");
        if let Some(kind) = looks_like {
            message = format!("{message}；此文本看来是{kind}");
        }
        let help = if found.is_empty() {
            "planlint 读取的规划须有标题（…实施方案、…工作要点）、规划期（2021—2025年、“十四五”或工作要点的年份）和编号的各级标题（一、（一）1.）。".to_owned()
        } else {
            format!("已识别：{found}。planlint 读取的规划须有编号的各级标题（一、（一）1.），其中有提升行动或重点工程。")
        };
        Box::new(
            Finding::input_error(
                "import/no-structure",
                message,
                Span::new(0, 0),
                "文本从此处开始",
            )
            .with_help(help),
        )
    };
    let title = match find_title(&lines) {
        Some(title) => Some(title),
        // A page whose text lacks its title: the disclosure table's, as the first line.
        None => structure
            .metadata
            .iter()
            .find(|m| m.key == MetaKey::Title)
            .and_then(|m| {
                lines.insert(0, Line::at(&source.text[m.value.clone()], m.value.start));
                find_title(&lines)
            }),
    };
    let title = title.ok_or_else(|| not_a_plan("未找到实施方案或工作要点的标题", ""))?;
    // A text that starts under a plan's own title line is the plan (an article's headline
    // quotes the plan it reports on).
    let under_own_title = title.standalone && title.line < 3;
    let mut builder = Builder::new(vocabulary, &lines, title);
    builder.metadata();
    let mut findings = builder.disclosure(&structure.metadata, &source.text);
    let title_text = builder.title_value.value.clone();
    if builder.period.value == (0, 0) {
        return Err(not_a_plan(
            "标题中没有规划期（如2021—2025年、“十四五”，或工作要点的年份）",
            &format!("标题《{title_text}》"),
        ));
    }
    builder.body();
    notes.append(&mut builder.notes);
    let cut = reading::cut(
        &lines,
        builder.reached_safeguards,
        builder.kind.value == PlanKind::WorkPoints,
    );
    let mut plan = builder.finish(source.text.len());
    division::apply(&divisions, &mut plan, vocabulary, &mut notes);
    let reading = reading::assess(&plan, &lines, cut);
    // The beginning of a plan (a page that holds only its first part, an extract) is read for
    // what it shows; what it does not show is noted, never reported missing.
    let started = reading.cut.is_some()
        && looks_like.is_none_or(|kind| kind.starts_with("片段"))
        && (under_own_title || has_plan_shape(&lines));
    if plan.actions.items.is_empty() && plan.projects.items.is_empty() && !started {
        let (a, b) = plan.period.value;
        return Err(not_a_plan(
            "未找到提升行动或重点工程（一、… （一）… 1.…）",
            &format!(
                "标题《{title_text}》，规划期{}，目标{}项，保障措施{}项",
                if a == b {
                    format!("{a}年")
                } else {
                    format!("{a}—{b}年")
                },
                plan.targets.items.len(),
                plan.safeguards.items.len()
            ),
        ));
    }
    if let Some((span, closing)) = &reading.cut {
        findings.push(incomplete(*span, closing));
    }
    findings.sort_by_key(|f| f.span.start);
    Ok(Imported {
        plan,
        notes,
        findings,
        reading,
    })
}

/// The finding for a text that stops short of the plan's end.
fn incomplete(span: Span, closing: &str) -> Finding {
    let mut f = Finding::input_error(
        "import/incomplete",
        format!("文本不完整：止于“{closing}”，其后的内容未能核对"),
        span,
        "文本至此为止",
    )
    .with_help(
        "文本止于句中，或未写到保障措施（组织实施）部分：可能只是节选或提取不全。未读到的提升行动、重点工程、目标等只作提示，请以完整文本复核。",
    );
    f.severity = crate::diagnostic::Severity::Warning;
    f.fatal = false;
    f
}

/// Whether a notice issues the text: 现印发给你们, 现予印发, 请认真贯彻执行.
fn issued_by_notice(lines: &[Line]) -> bool {
    lines.iter().take(60).any(|l| {
        [
            "印发给你们",
            "现予印发",
            "印发你们",
            "请认真贯彻",
            "请认真组织实施",
            "请结合实际",
        ]
        .iter()
        .any(|w| l.text.contains(w))
    })
}

/// Whether the text has the shape of a plan, not of an article about one: a notice that
/// issues it, or the first part of a plan's body (一、… or 制定本方案).
fn has_plan_shape(lines: &[Line]) -> bool {
    issued_by_notice(lines)
        || lines.iter().any(|l| {
            heading_level(&l.text).is_some()
                || ["制定本", "特制定", "制订本"]
                    .iter()
                    .any(|w| l.text.contains(w))
        })
}

/// What a text that is not a plan looks like, for the refusal: a news report, an
/// interpretation, a fragment.
fn looks_like(text: &str) -> Option<&'static str> {
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["政策解读", "解读", "答记者问", "问：", "答："]) {
        Some("政策解读文章")
    } else if has(&["记者", "新华社", "责任编辑", "来源：", "日电", "讯（"]) {
        Some("新闻报道")
    } else if text.chars().count() < 600 {
        Some("片段（过短）")
    } else {
        None
    }
}

struct Builder<'a> {
    vocabulary: &'a Vocabulary,
    lines: &'a [Line],
    title: TitleAt,
    plan_span: Span,
    title_value: Sp<String>,
    kind: Sp<PlanKind>,
    level: Sp<Level>,
    region: Vec<Sp<String>>,
    issuer: Option<Sp<String>>,
    number: Option<Sp<String>>,
    issued: Option<Sp<String>>,
    period: Sp<(i64, i64)>,
    basis: Vec<Sp<String>>,
    targets: Vec<Target<'static>>,
    sections: Vec<Section<'static>>,
    /// What was inferred or could not be decided, for the reader of the import.
    notes: Vec<String>,
    /// Under a heading that states the plan's goals (主要目标, 发展目标…).
    in_goals: bool,
    /// Whether a 保障措施/组织实施 part was reached (an implementation plan's last part).
    reached_safeguards: bool,
    /// For each line, where the part holding it starts (its level-1 heading): computed once,
    /// since asking for every line would cost lines × headings.
    part_starts: Vec<usize>,
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl<'a> Builder<'a> {
    fn new(vocabulary: &'a Vocabulary, lines: &'a [Line], title: TitleAt) -> Self {
        let line = &lines[title.line];
        let span = line.span(title.start, title.end);
        let text = compact(&line.text[title.start..title.end]);
        Builder {
            vocabulary,
            lines,
            title,
            plan_span: span,
            title_value: Sp::new(text, span),
            kind: Sp::new(PlanKind::Implementation, span),
            level: Sp::new(Level::City, span),
            region: Vec::new(),
            issuer: None,
            number: None,
            issued: None,
            period: Sp::new((0, 0), span),
            basis: Vec::new(),
            targets: Vec::new(),
            sections: Vec::new(),
            notes: Vec::new(),
            in_goals: false,
            reached_safeguards: false,
            part_starts: body::part_starts(lines),
        }
    }

    fn finish(self, end: usize) -> Plan<'static> {
        let mut plan = Plan {
            span: self.plan_span,
            title: self.title_value.convert(),
            kind: self.kind,
            level: self.level,
            region: self.region.into_iter().map(Sp::convert).collect(),
            issuer: self.issuer.map(Sp::convert),
            number: self.number.map(Sp::convert),
            issued: self.issued.map(Sp::convert),
            period: self.period,
            basis: self.basis.into_iter().map(Sp::convert).collect(),
            basis_span: None,
            targets: Items {
                span: None,
                items: self.targets,
            },
            actions: Items::default(),
            projects: Items::default(),
            safeguards: Items::default(),
            end,
        };
        for section in self.sections {
            let list = match section.kind {
                SectionKind::Action => &mut plan.actions,
                SectionKind::Project => &mut plan.projects,
                SectionKind::Safeguard => &mut plan.safeguards,
            };
            list.span.get_or_insert(section.span);
            list.items.push(section);
        }
        if let Some(first) = plan.targets.items.first() {
            plan.targets.span = Some(first.span);
        }
        plan
    }
}
