//! Import: the documents reviewers receive (plain text in any Chinese encoding, .docx) → a
//! structured plan whose every value keeps the span of the document text it came from, so that
//! checking an imported document labels the document itself.
//!
//! The names of actions, projects and the literacy indicator come from the rule packs; nothing
//! domain-specific is listed here beyond the shape of Chinese official documents.

mod division;
mod doc;
mod html;
mod lines;
mod pdf;
mod read;
mod reading;
mod text;
mod title;
mod units;
mod write;

use std::sync::OnceLock;

use regex::Regex;

pub use pdf::clean as clean_pdf_text;
pub use read::read_document;
pub use text::{DocumentText, MetaField, MetaKey, ReadError, Table, MAX_DOCUMENT_BYTES};
pub use write::to_toml;

use crate::diagnostic::Finding;
use crate::gazetteer;
use crate::plan::{
    Items, Level, Measure, Plan, PlanKind, Relation, Section, SectionKind, Sp, Target, Text, Units,
};
use crate::quantity;
use crate::quantity::re;
use crate::rules::ast::NameKind;
use crate::rules::name_index::NameIndex;
use crate::rules::normalize;
use crate::rules::normalize::DocumentNumber;
use crate::rules::{Normalizer, Registry, ResolvedName};
use crate::source::{SourceFile, Span};
use lines::{heading_level, is_date, item_number, Line};
pub use reading::Reading;
use title::{find_title, period_in, title_key, TitleAt};
use units::{chars_led_by, closing_units, plain_units, unit_label, Role};

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

/// A document number as found in a line: where it stands and how it reads, repaired where a
/// page lost its brackets (国发20219号 → 国发〔2021〕9号, 内政发〔202122号 → 内政发〔2021〕22号):
/// a 机关代字 (ending 发, 办, 函…) and a year run into the serial.
struct NumberAt {
    start: usize,
    end: usize,
    written: String,
}

fn numbers_in(text: &str, whole: &Regex) -> Vec<NumberAt> {
    static DAMAGED: OnceLock<Regex> = OnceLock::new();
    let damaged = re(
        &DAMAGED,
        || r"(\p{Han}{0,7}[发办函字府政委])\s*(?:[〔\[［(（【]\s*((?:19|20)[0-9]{2})\s*|((?:19|20)[0-9]{2}))([0-9]{1,4})\s*号",
    );
    let mut found: Vec<NumberAt> = whole
        .find_iter(text)
        .map(|m| NumberAt {
            start: m.start(),
            end: m.end(),
            written: m.as_str().to_owned(),
        })
        .collect();
    for c in damaged.captures_iter(text) {
        let m = c.get(0).expect("whole match");
        if found.iter().any(|n| n.start < m.end() && m.start() < n.end) {
            continue;
        }
        found.push(NumberAt {
            start: m.start(),
            end: m.end(),
            written: format!(
                "{}〔{}〕{}号",
                &c[1],
                c.get(2).or(c.get(3)).map_or("", |y| y.as_str()),
                &c[4]
            ),
        });
    }
    found.sort_by_key(|n| n.start);
    found
}

/// A document number as issued, without what a page ran into it: the 机关代字 is the Han
/// characters before 〔year〕 after a word that is no part of it (有效, 文号).
fn number_form(found: &str) -> &str {
    let bracket = found
        .find(['〔', '[', '［', '(', '（', '【', '„'])
        .unwrap_or(found.len());
    let head = &found[..bracket];
    let skip = ["有效", "文号", "号"]
        .iter()
        .find_map(|w| head.strip_prefix(w).filter(|rest| !rest.is_empty()))
        .map_or(0, |rest| head.len() - rest.len());
    &found[skip..]
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

/// A date as plans and disclosure tables write it (2021年12月30日, 2021-12-30, 2021/12/30,
/// 2021.12.30) as a TOML date; only a real calendar date, since the TOML written out must load.
fn calendar_date(written: &str) -> Option<String> {
    // Full-width digits and separators as ASCII (fold would drop the separators).
    let c: String = compact(written)
        .chars()
        .map(|c| match c {
            '\u{FF0D}' | '\u{FF0E}' | '\u{FF0F}' | '\u{FF10}'..='\u{FF19}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .collect();
    let parts: Vec<&str> = c
        .trim_end_matches('日')
        .split(['年', '月', '-', '/', '.'])
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let year: u32 = y.parse().ok()?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (y.len() == 4 && (1..=12).contains(&m) && (1..=days[m as usize - 1]).contains(&d))
        .then(|| format!("{y}-{m:02}-{d:02}"))
}

/// The finding for a disclosure field that says otherwise than the text.
fn disclosure_differs(
    key: MetaKey,
    shown: &str,
    span: Span,
    written: &Sp<String>,
    written_as: &str,
) -> Finding {
    Finding {
        code: "import/disclosure-differs".to_owned(),
        severity: crate::diagnostic::Severity::Warning,
        message: format!(
            "网页公开信息的{}“{shown}”与正文“{written_as}”不一致",
            key.zh()
        )
        .into(),
        span,
        label: format!("公开信息所列{}", key.zh()),
        help: Some(
            format!(
                "公开信息须与正式文件一致：核对文件原件，改正网页公开信息或正文中有误的{}。",
                key.zh()
            )
            .into(),
        ),
        cite: None,
        suggestion: None,
        document_suggestion: None,
        related: vec![crate::diagnostic::Related {
            span: written.span,
            message: "正文所写".to_owned(),
        }],
        origin: None,
        fatal: false,
    }
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

/// Where the current text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// Before the first heading, or 总体要求/指导思想/目标: read for targets only.
    Preamble,
    Actions,
    Projects,
    Safeguards,
    /// A part of its own (工作要点 often group items by theme): its items form one section.
    Other,
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
            part_starts: part_starts(lines),
        }
    }

    /// The title's facts and the notice's: kind, period, basis, region and level, issuer and
    /// date. The basis comes before the region: the documents a plan cites help decide a place
    /// name that several places share.
    fn metadata(&mut self) {
        let title = &self.lines[self.title.line].text[self.title.start..self.title.end];
        // A year's list of tasks: 工作要点, 工作计划, 工作安排.
        if ["要点", "工作计划", "工作安排"]
            .iter()
            .any(|w| title.contains(w))
        {
            self.kind = Sp::new(PlanKind::WorkPoints, self.title_value.span);
        }
        let header_end = self.first_heading().unwrap_or(self.lines.len());
        self.read_period();
        self.read_basis(header_end);
        self.read_region(header_end);
        self.read_issuer_and_date(header_end);
        if self.period.value == (0, 0) {
            self.infer_period();
        }
    }

    /// A plan whose titles carry no years (四川省全民科学素质行动实施方案, a 任务分工方案): its
    /// period from its goals (到2025年: the five years ending then), else from a plan it
    /// cites with years (《…（2021—2025年）》), else the five-year plan of its date. Said in a
    /// note, since the document does not state it.
    fn infer_period(&mut self) {
        static GOAL_YEAR: OnceLock<Regex> = OnceLock::new();
        let digits = quantity::YEAR_DIGITS;
        let goal_year = re(&GOAL_YEAR, || format!(r"到\s*({digits})\s*年"));
        let issued: Option<i64> = self
            .issued
            .as_ref()
            .and_then(|d| d.value.get(..4)?.parse().ok());
        let five_year = |end: i64| {
            if end % 5 == 0 {
                (end - 4, end)
            } else {
                (issued.unwrap_or(end).min(end), end)
            }
        };
        let lines = &self.lines[..self.lines.len().min(80)];
        let from_goal = lines.iter().find_map(|line| {
            let c = goal_year.captures(&line.text)?;
            let m = c.get(1)?;
            let year = quantity::parse_year(m.as_str()).filter(|y| (2000..=2100).contains(y))?;
            (year % 5 == 0 && issued.is_none_or(|i| year >= i))
                .then(|| (five_year(year), line.span(m.start(), m.end()), "目标年份"))
        });
        let from_citation = || {
            lines.iter().find_map(|line| {
                if !line.text.contains('《') {
                    return None;
                }
                let (p, s, e) = period_in(&line.text)?;
                (p.0 != p.1 && p.1 - p.0 <= 5).then(|| (p, line.span(s, e), "所贯彻文件的规划期"))
            })
        };
        let from_date = || {
            let span = self.issued.as_ref()?.span;
            let year = issued?;
            let first = 2021 + 5 * ((year - 2021).div_euclid(5));
            Some(((first, first + 4), span, "成文日期所在的五年规划期"))
        };
        if let Some((period, span, how)) = from_goal.or_else(from_citation).or_else(from_date) {
            self.period = Sp::new(period, span);
            self.notes.push(format!(
                "标题未写规划期，按{how}读作{}—{}年",
                period.0, period.1
            ));
        }
    }

    /// The title line, its text, and a span maker for byte ranges of the title.
    fn title_parts(&self) -> (&'a str, impl Fn(usize, usize) -> Span + 'a) {
        let title_line: &'a Line = &self.lines[self.title.line];
        let title = self.title;
        (
            &title_line.text[title.start..title.end],
            move |start: usize, end: usize| title_line.span(title.start + start, title.start + end),
        )
    }

    fn read_period(&mut self) {
        let (title, at) = self.title_parts();
        // The period from the title, or else from another title line of the same plan (the
        // notice's title often lacks the period that the plan's own title line gives).
        let own_lines = (0..self.lines.len().min(60)).filter(|&i| i != self.title.line);
        let found = period_in(title)
            .map(|(p, s, e)| Sp::new(p, at(s, e)))
            .or_else(|| {
                let folded_title = normalize::fold(title);
                let core = folded_title
                    .split(|c: char| c.is_ascii_digit() || c == '年')
                    .next()
                    .unwrap_or("")
                    .to_owned();
                own_lines
                    .filter(|&i| {
                        let t = &self.lines[i].text;
                        t.chars().count() < 80
                            && !t.contains('。')
                            && (core.is_empty() || normalize::fold(t).contains(core.as_str()))
                    })
                    .find_map(|i| {
                        // The period on the title line, or alone on the line below it.
                        [i, i + 1].iter().find_map(|&j| {
                            let line = self.lines.get(j)?;
                            if j > i && line.text.chars().count() > 16 {
                                return None;
                            }
                            period_in(&line.text).map(|(p, s, e)| Sp::new(p, line.span(s, e)))
                        })
                    })
            });
        // One year is a 工作要点's period; an implementation plan's title that shows one year
        // has lost its range (2021?2025年): the period is inferred instead.
        if let Some(period) =
            found.filter(|p| p.value.0 != p.value.1 || self.kind.value == PlanKind::WorkPoints)
        {
            self.period = period;
        }
    }

    fn read_basis(&mut self, header_end: usize) {
        static DOC: OnceLock<Regex> = OnceLock::new();
        // Basis: the documents cited where a plan states what it implements — the notice, the
        // preamble and the first part when it is the 指导思想/总体要求 — by number, or by a
        // known title alone; never the plan's own number (alone on a line of the header).
        // Documents recalled later (past plans in a background section) are not its basis.
        let basis_end = self.basis_end(header_end);
        let doc = re(
            &DOC,
            || r"\p{Han}{1,8}\s*[〔\[［(（【„]\s*[0-9０-９]{4}\s*[〕\]］)）】‟]\s*[0-9０-９]+\s*号",
        );
        static QUOTED: OnceLock<Regex> = OnceLock::new();
        let quoted = re(&QUOTED, || r"《([^《》]+)》");
        // The 版头 and the notice's title carry the plan's own number (发文字号): the first
        // number before the text starts to cite (根据…, 贯彻落实…), outside a quoted title.
        // A title that has 贯彻 in it (关于印发某省贯彻…纲要实施方案的通知) does not cite.
        let citing = self.lines[..basis_end]
            .iter()
            .position(|l| {
                ["根据", "贯彻", "落实", "依据", "按照", "精神"]
                    .iter()
                    .any(|w| l.text.contains(w))
                    && (!l.text.contains("关于印发") || l.text.contains('《'))
            })
            .unwrap_or(header_end)
            .min(header_end);
        let mut own_number: Option<DocumentNumber> = None;
        let mut number_alone = false;
        for (i, line) in self.lines[..basis_end].iter().enumerate() {
            let mut numbered: Vec<(usize, usize)> = Vec::new();
            for m in numbers_in(&line.text, doc) {
                numbered.push((m.start, m.end));
                let Some(number) = DocumentNumber::parse(&m.written) else {
                    continue;
                };
                let quoted = line.text[..m.start].contains(['《', '》']);
                let header = i < citing && !quoted;
                if header && own_number.is_none() {
                    own_number = Some(number.clone());
                }
                let own = header || own_number.as_ref() == Some(&number);
                let seen = self
                    .basis
                    .iter()
                    .any(|b| DocumentNumber::find(&b.value).as_ref() == Some(&number));
                // The number on a line of its own (the 版头) is the number as issued; where a
                // page ran words into it (有效, 文号), its 机关代字 starts after them.
                let alone = compact(&line.text) == compact(&m.written);
                if own && (self.number.is_none() || alone && !number_alone) {
                    let written = number_form(&m.written);
                    let start = m.end.saturating_sub(written.len()).max(m.start);
                    self.number = Some(Sp::new(compact(written), line.span(start, m.end)));
                    number_alone = alone;
                }
                if !own && !seen {
                    self.basis
                        .push(Sp::new(compact(&m.written), line.span(m.start, m.end)));
                }
            }
            for c in quoted.captures_iter(&line.text) {
                let m = c.get(0).expect("whole");
                // A title followed by its number is cited by that number.
                let next = &line.text[m.end()..];
                let gap = next.len() - next.trim_start_matches(['（', '(', ' ']).len();
                if numbered
                    .iter()
                    .any(|(s, _)| *s >= m.end() && *s <= m.end() + gap + 3)
                {
                    continue;
                }
                if m.start() == self.title.start && i == self.title.line {
                    continue; // the plan's own title
                }
                if title_key(&c[1]) == title_key(&self.title_value.value) {
                    continue; // the plan's own title, quoted by its notice or preamble
                }
                let folded = normalize::fold(m.as_str());
                if self
                    .vocabulary
                    .titles
                    .iter()
                    .any(|t| folded.contains(t.as_str()))
                    && !self
                        .basis
                        .iter()
                        .any(|b| normalize::fold(&b.value) == folded)
                {
                    self.basis.push(Sp::new(
                        m.as_str().to_owned(),
                        line.span(m.start(), m.end()),
                    ));
                }
            }
        }
    }

    fn read_region(&mut self, header_end: usize) {
        let (title, at) = self.title_parts();
        // Region and level: the place the title names, placed in its prefecture and province
        // by the gazetteer; a name shared by several places is decided by the notice's header
        // (issuer, the documents cited) or reported, never guessed.
        let mut context: String = self.lines[..header_end]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        // A province whose plan the basis cites (豫政办〔2021〕73号 is Henan's) is evidence too.
        for region in self.vocabulary.regions_cited(&self.basis) {
            context.push('\n');
            context.push_str(region);
        }
        let located = gazetteer::locate(title, &context);
        if let Some((name, places)) = &located.ambiguous {
            let provinces: Vec<&str> = places
                .iter()
                .filter_map(|p| p.province())
                .map(|p| p.name)
                .collect();
            self.notes.push(format!(
                "“{name}” names places in {}; nothing in the document decides which, so no region was set",
                provinces.join("、")
            ));
        }
        if let Some((start, end)) = located.at {
            let span = at(start, end);
            let named = located.chain.last().copied();
            for place in &located.chain {
                // The place the title names carries the span of its name as written (黔南州
                // for 黔南布依族苗族自治州); the ones above it are inferred from the title.
                let written = Some(*place) == named;
                self.region.push(Sp::new(
                    place.name.to_owned(),
                    if written { span } else { self.title_value.span },
                ));
            }
            let most_specific = located.chain.last().expect("a located chain is not empty");
            self.level = Sp::new(
                match most_specific.rank() {
                    gazetteer::Rank::Province => Level::Province,
                    gazetteer::Rank::Prefecture => Level::City,
                    gazetteer::Rank::County => Level::District,
                },
                span,
            );
        } else {
            // The title names no place: the province most mentioned in the text, if any.
            let g = gazetteer::Gazetteer::get();
            let mut counts: Vec<(&str, usize, Span)> = Vec::new();
            for line in self.lines {
                for (s, e, name) in g.mentions(&line.text) {
                    if !gazetteer::is_province(name) {
                        continue;
                    }
                    match counts.iter_mut().find(|(n, _, _)| *n == name) {
                        Some(entry) => entry.1 += 1,
                        None => counts.push((name, 1, line.span(s, e))),
                    }
                }
            }
            if let Some((name, _, span)) = counts.iter().max_by_key(|(_, n, _)| *n) {
                self.region.push(Sp::new((*name).to_owned(), *span));
            }
        }
    }

    fn read_issuer_and_date(&mut self, header_end: usize) {
        static ISSUER: OnceLock<Regex> = OnceLock::new();
        // Issuer and date: lines of the notice or the signature.
        let issuer = re(
            &ISSUER,
            || r"^[\p{Han}（）()]{2,30}?(人民政府办公室|人民政府办公厅|人民政府|领导小组|委员会)$",
        );
        for line in &self.lines[..header_end] {
            let t = line.text.trim();
            if self.issuer.is_none() && issuer.is_match(t) {
                self.issuer = Some(Sp::new(t.to_owned(), line.whole()));
            }
            if self.issued.is_none() && is_date(t) {
                if let Some(date) = calendar_date(t) {
                    self.issued = Some(Sp::new(date, line.whole()));
                }
            }
        }
    }

    /// What a web page's disclosure table says, against what the text says: a field the text
    /// lacks is taken from the table (its span there); a field both give differently is a
    /// finding, since one of them misinforms the public.
    fn disclosure(&mut self, fields: &[MetaField], text: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        for field in fields {
            let value = text[field.value.clone()].trim();
            let span = Span::new(field.value.start, field.value.end);
            let mut differs = |written: &Sp<String>, shown: &str| {
                findings.push(disclosure_differs(field.key, value, span, written, shown));
            };
            match field.key {
                MetaKey::Number => {
                    let Some(number) = DocumentNumber::parse(value) else {
                        continue;
                    };
                    match &self.number {
                        Some(own)
                            if DocumentNumber::parse(&own.value).as_ref() != Some(&number) =>
                        {
                            differs(own, &own.value)
                        }
                        Some(_) => {}
                        None => self.number = Some(Sp::new(compact(value), span)),
                    }
                }
                MetaKey::Issued => {
                    let Some(date) = calendar_date(value) else {
                        continue;
                    };
                    match &self.issued {
                        Some(own) if own.value != date => {
                            let shown = text[own.span.start..own.span.end].trim().to_owned();
                            differs(own, &shown)
                        }
                        Some(_) => {}
                        None => self.issued = Some(Sp::new(date, span)),
                    }
                }
                MetaKey::Issuer => {
                    // Sites fill the field with their own name (…门户网) or the short name of
                    // the body: only a body's name is read, and one name within the other agrees.
                    let shown = normalize::fold(value);
                    let body = [
                        "办公室",
                        "办公厅",
                        "政府",
                        "委员会",
                        "小组",
                        "局",
                        "协会",
                        "科协",
                    ]
                    .iter()
                    .any(|w| shown.ends_with(w));
                    if !body {
                        continue;
                    }
                    match &self.issuer {
                        Some(own) => {
                            let written = normalize::fold(&own.value);
                            if !written.contains(&shown) && !shown.contains(&written) {
                                differs(own, &own.value)
                            }
                        }
                        None => self.issuer = Some(Sp::new(compact(value), span)),
                    }
                }
                MetaKey::Title => {
                    let shown = title_key(value);
                    let own = title_key(&self.title_value.value);
                    // The notice's title names the plan after 关于印发 (often without the city).
                    let core = shown
                        .split_once("关于印发")
                        .map(|(_, rest)| rest)
                        .unwrap_or(&shown)
                        .trim_end_matches("的通知")
                        .to_owned();
                    if !shown.contains(&own) && !own.contains(&core) {
                        let written = self.title_value.clone();
                        differs(&written, &written.value);
                    }
                }
            }
        }
        findings
    }

    /// Where the lines that may state the plan's basis end: after the first part when it is
    /// the 指导思想/总体要求, else at the first heading.
    fn basis_end(&self, header_end: usize) -> usize {
        let Some(first) = self.lines.get(header_end) else {
            return self.lines.len();
        };
        let first_part = heading_level(&first.text).map(|(_, s)| classify_part(&first.text[s..]));
        if first_part != Some(Part::Preamble) {
            return header_end;
        }
        (header_end + 1..self.lines.len())
            .find(|&i| heading_level(&self.lines[i].text).is_some_and(|(l, _)| l == 1))
            .unwrap_or(self.lines.len())
    }

    fn first_heading(&self) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| heading_level(&l.text).is_some_and(|(level, _)| level == 1))
    }

    fn body(&mut self) {
        let mut part = Part::Preamble;
        let mut part_heading: Option<(String, Span)> = None;
        // Whether a sub-heading of the current part made a section (then items are measures).
        let mut heading_section_in_part = false;
        // The numbering style of the items that make sections, while the last section is one.
        let mut item_section_style: Option<u8> = None;
        // Whether the line before was a numbered item (a label line below it is the item's), and
        // whether a label line already gave that item its units.
        let mut after_item = false;
        let mut labelled_item = false;
        // Targets are read from every line; preamble lines only for plan-level goals.
        for index in 0..self.lines.len() {
            let line = &self.lines[index];
            let text = line.text.as_str();
            let follows_item = std::mem::take(&mut after_item);
            if unit_label(text).is_none() {
                labelled_item = false;
            }
            if let Some((level, start)) = heading_level(text) {
                let name = &text[start..];
                self.in_goals = name.contains("目标");
                item_section_style = None;
                if level == 1 {
                    heading_section_in_part = false;
                    part = classify_part(name);
                    self.reached_safeguards |= part == Part::Safeguards;
                    let heading = named(line, heading_name(name).0, start);
                    part_heading = Some((heading.value, heading.span));
                    self.read_targets(index, None);
                    continue;
                }
                if part != Part::Preamble && is_group_heading(heading_name(name).0) {
                    // （一）实施五大提升行动: a heading that groups the actions or projects
                    // below it, as a part does; the items under it are the sections.
                    heading_section_in_part = false;
                    part = classify_part(name);
                    let heading = named(line, heading_name(name).0, start);
                    part_heading = Some((heading.value, heading.span));
                    continue;
                }
                if part != Part::Preamble {
                    let (name, name_end) = heading_name(name);
                    let kind = self.vocabulary.section_kind(name).or_else(|| {
                        if name.ends_with("工程") {
                            Some(SectionKind::Project)
                        } else if name.ends_with("行动") {
                            Some(SectionKind::Action)
                        } else {
                            None
                        }
                    });
                    let kind = match part {
                        Part::Safeguards => SectionKind::Safeguard,
                        Part::Actions => kind.unwrap_or(SectionKind::Action),
                        _ => kind.unwrap_or(SectionKind::Project),
                    };
                    let mut section = new_section(kind, named(line, name, start), line.whole());
                    let rest = &text[start + name_end..];
                    if let Some((lead, partners)) = closing_units(line, start + name_end) {
                        section.lead = lead;
                        section.partners = partners;
                    } else if !rest.trim_matches(['。', ' ']).is_empty() {
                        section.text = Some(Sp::new(
                            rest.trim_start_matches('。').to_owned().into(),
                            line.span(start + name_end, text.len()),
                        ));
                    }
                    self.sections.push(section);
                    heading_section_in_part = true;
                    self.read_targets(index, Some(TargetHome::Section));
                    continue;
                }
                self.read_targets(index, None);
                continue;
            }
            if part == Part::Preamble {
                self.read_targets(index, None);
                continue;
            }
            if let Some((role, _)) = unit_label(text) {
                // A line of labels (牵头单位：… / 责任单位：… 配合单位：…): for the item just
                // before it when that has none yet, else for the section.
                let (lead, partners) = units::inline_labels(line).unwrap_or_default();
                // In an implementation plan, label lines close a section (after its last
                // measure); in work points, each item may have its own.
                let per_item = follows_item && self.kind.value == PlanKind::WorkPoints;
                if let Some(section) = self.sections.last_mut() {
                    let (into_lead, into_partners) = match section.measures.last_mut() {
                        Some(m) if per_item && (m.lead.is_empty() || labelled_item) => {
                            (&mut m.lead, &mut m.partners)
                        }
                        _ => (&mut section.lead, &mut section.partners),
                    };
                    if role == Role::Responsible && !into_lead.is_empty() {
                        // 责任单位 after a 牵头单位 line: the partners.
                        into_partners.names.extend(lead.names);
                    } else if role == Role::Partners {
                        into_partners.names.extend(lead.names);
                    } else {
                        *into_lead = lead;
                    }
                    into_partners.names.extend(partners.names);
                    labelled_item = follows_item;
                }
                after_item = follows_item;
                continue;
            }
            if let Some((_, start)) = item_number(text) {
                // An item of a part with no sub-headings: the part's heading is its section —
                // unless the item is itself a safeguard, or names an action or project
                // (“1.青少年科学素质提升行动。…”): then the item is the section.
                // A section made from an item holds that item and the items numbered below it
                // ((1) under 1.); the next item numbered like it is not part of it.
                let style = item_style(text);
                let needs_section = match item_section_style {
                    Some(s) => s == style,
                    None => match self.sections.last() {
                        None => true,
                        Some(last) => last.span.start < self.part_starts[index],
                    },
                };
                let (title, _) = item_title(text, start);
                // Only an implementation plan numbers its actions as items, and only an item
                // titled by a requirement's own name (or alias) is one: a 工作要点's items stay
                // items, mapped to actions by what they say when the plan is checked.
                let item_kind = match part {
                    Part::Safeguards => Some(SectionKind::Safeguard),
                    Part::Preamble => None,
                    _ if self.kind.value == PlanKind::WorkPoints => None,
                    _ => self.vocabulary.named_section(title),
                };
                let below_item_section = item_section_style.is_some_and(|s| s != style);
                if let Some(kind) =
                    item_kind.filter(|_| !heading_section_in_part && !below_item_section)
                {
                    let mut section = new_section(kind, named(line, title, start), line.whole());
                    if let Some((lead, partners)) = closing_units(line, start) {
                        section.lead = lead;
                        section.partners = partners;
                    }
                    section.text = Some(Sp::new(
                        text[start..].to_owned().into(),
                        line.span(start, text.len()),
                    ));
                    self.sections.push(section);
                    item_section_style = (kind != SectionKind::Safeguard).then_some(style);
                    self.read_targets(index, Some(TargetHome::Section));
                    continue;
                }
                if !below_item_section {
                    item_section_style = None;
                }
                if part == Part::Safeguards {
                    // An item under a safeguard's heading: part of what the safeguard says.
                    if let Some(section) = self.sections.last_mut() {
                        append_text(section, line);
                    }
                    continue;
                }
                if needs_section {
                    let (name, span) = part_heading
                        .clone()
                        .unwrap_or_else(|| ("（未命名部分）".to_owned(), line.span(0, 0)));
                    let kind = if part == Part::Actions {
                        SectionKind::Action
                    } else {
                        SectionKind::Project
                    };
                    self.sections
                        .push(new_section(kind, Sp::new(name, span), span));
                }
                let mut measure = Measure {
                    span: line.span(0, start),
                    title: named(line, title, start).convert(),
                    text: Some(Sp::new(
                        text[start..].to_owned().into(),
                        line.span(start, text.len()),
                    )),
                    lead: Units::default(),
                    partners: Units::default(),
                    deadline: None,
                    targets: Vec::new(),
                };
                if let Some((lead, partners)) = closing_units(line, start) {
                    measure.lead = lead;
                    measure.partners = partners;
                }
                after_item = true;
                let section = self.sections.last_mut().expect("ensured above");
                if section.kind != SectionKind::Safeguard {
                    section.measures.push(measure);
                }
                self.read_targets(index, Some(TargetHome::Measure));
                continue;
            }
            // Plain text: continues the current measure or section. Its leads (“一是…二是…
            // （市科协牵头）”, “分工：由…牵头，…参加”) belong to what it continues.
            if part == Part::Safeguards {
                if self.sections.last().is_none_or(|s| {
                    s.kind != SectionKind::Safeguard || s.span.start < self.part_starts[index]
                }) {
                    let (name, span) = part_heading
                        .clone()
                        .unwrap_or_else(|| ("（未命名部分）".to_owned(), line.span(0, 0)));
                    self.sections.push(new_section(
                        SectionKind::Safeguard,
                        Sp::new(name, span),
                        span,
                    ));
                }
                let section = self.sections.last_mut().expect("ensured above");
                append_text(section, line);
                continue;
            }
            // Prose under a heading or item (a section's paragraphs) is what that section or
            // item says: the requirements `stated` in it are read there.
            if let Some(section) = self
                .sections
                .last_mut()
                .filter(|s| s.span.start >= self.part_starts[index])
            {
                match section.measures.last_mut() {
                    Some(measure) => append_to(&mut measure.text, line),
                    None => append_text(section, line),
                }
            }
            if let Some((lead, partners)) = plain_units(line) {
                if let Some(section) = self.sections.last_mut() {
                    let target = match section.measures.last_mut() {
                        Some(m) if m.lead.is_empty() => (&mut m.lead, &mut m.partners),
                        _ => (&mut section.lead, &mut section.partners),
                    };
                    if target.0.is_empty() {
                        *target.0 = lead;
                        *target.1 = partners;
                    } else {
                        target.0.names.extend(lead.names);
                        target.1.names.extend(partners.names);
                    }
                }
            }
            self.read_targets(index, Some(TargetHome::Measure));
        }
    }

    /// Read the quantified targets of one line: literacy goals go to the plan; counts to the
    /// current measure (or section), or to the plan in the preamble.
    fn read_targets(&mut self, index: usize, home: Option<TargetHome>) {
        let line = &self.lines[index];
        let work_year = (self.kind.value == PlanKind::WorkPoints).then_some(self.period.value.1);
        let cx = TargetContext {
            literacy: &self.vocabulary.literacy,
            normalizer: &self.vocabulary.normalizer,
            work_year,
            period: self.period.value,
            in_goals: self.in_goals && home.is_none(),
        };
        let found = targets_in(line, &cx);
        for (is_literacy, target) in found {
            if is_literacy || home.is_none() {
                if is_literacy
                    && !self.targets.iter().any(|t| {
                        t.year.as_ref().map(|y| y.value) == target.year.as_ref().map(|y| y.value)
                            && t.indicator.value == target.indicator.value
                    })
                {
                    self.targets.push(target);
                }
                continue;
            }
            let Some(section) = self.sections.last_mut() else {
                continue;
            };
            match (home, section.measures.last_mut()) {
                (Some(TargetHome::Measure), Some(measure)) => measure.targets.push(target),
                _ => section.targets.push(target),
            }
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetHome {
    Section,
    Measure,
}

/// For each line, the offset where the part holding it starts (its level-1 heading), or 0.
fn part_starts(lines: &[Line]) -> Vec<usize> {
    let mut start = 0;
    lines
        .iter()
        .map(|line| {
            if heading_level(&line.text).is_some_and(|(l, _)| l == 1) {
                start = line.whole().start;
            }
            start
        })
        .collect()
}

/// A heading's or item's name with its span; an empty one is named by its marker (（一）, 3.), so
/// that the plan written out still loads.
fn named(line: &Line, name: &str, start: usize) -> Sp<String> {
    if name.trim().is_empty() {
        let marker = line.text[..start].trim();
        let marker = if marker.is_empty() {
            "（未命名）"
        } else {
            marker
        };
        return Sp::new(marker.to_owned(), line.span(0, start));
    }
    Sp::new(name.to_owned(), line.span(start, start + name.len()))
}

fn new_section(kind: SectionKind, name: Sp<String>, span: Span) -> Section<'static> {
    Section {
        kind,
        span,
        name: name.convert(),
        text: None,
        lead: Units::default(),
        partners: Units::default(),
        measures: Vec::new(),
        targets: Vec::new(),
    }
}

fn classify_part(heading: &str) -> Part {
    let has = |words: &[&str]| words.iter().any(|w| heading.contains(w));
    if has(&[
        "总体要求",
        "指导思想",
        "背景",
        "意义",
        "基本原则",
        "主要目标",
        "总体目标",
        "形势",
        "现状",
        "发展基础",
        "工作基础",
    ]) {
        Part::Preamble
    } else if has(&["提升行动", "重点人群", "素质行动"]) {
        Part::Actions
    } else if has(&["重点工程", "重大工程", "基础工程"]) {
        Part::Projects
    } else if has(&[
        "组织实施",
        "保障措施",
        "保障条件",
        "组织保障",
        "协作机制",
        "保障",
    ]) {
        Part::Safeguards
    } else {
        Part::Other
    }
}

/// A heading's name: up to a sentence end or a unit parenthetical. Returns the name and the
/// byte offset (in `text`) where it ends.
fn heading_name(text: &str) -> (&str, usize) {
    // The name ends at a sentence end or at the first bracketed group that names units.
    let units_group = units::group_start(text);
    // A heading run on into its paragraph (PDF extraction, or “（一）…行动激发青少年…”) ends
    // after its first 行动 or 工程 when that comes early.
    let run_on = (text.chars().count() > RUN_ON_HEADING).then(|| {
        ["行动", "工程"]
            .iter()
            .filter_map(|w| text.find(w).map(|p| p + w.len()))
            .filter(|&p| text[..p].chars().count() <= RUN_ON_HEADING)
            .min()
    });
    let end = text
        .find('。')
        .into_iter()
        .chain(units_group)
        .chain(run_on.flatten())
        .min()
        .unwrap_or(text.len());
    (text[..end].trim_end_matches(['。', ' ']), end)
}

/// How an item is numbered: 1. (0), (1) (1), ① (2) — items numbered another way than the one
/// before them are nested in it.
fn item_style(text: &str) -> u8 {
    match text.chars().next() {
        Some('（' | '(') => 1,
        Some('①'..='⑳') => 2,
        _ => 0,
    }
}

/// A heading that groups actions or projects rather than naming one: 实施五大提升行动,
/// 实施5项重点工程, 聚焦重点人群实施科学素质提升行动.
fn is_group_heading(name: &str) -> bool {
    static COUNTED: OnceLock<Regex> = OnceLock::new();
    let counted = re(
        &COUNTED,
        || r"[一二三四五六七八九十0-9０-９]+\s*[大项个类]\s*(?:科学素质)?(?:提升)?(?:行动|工程|重点工程|提升行动)",
    );
    counted.is_match(name) || name.contains("重点人群") && name.ends_with("行动")
}

/// Longer than this, a heading has run on into its paragraph.
const RUN_ON_HEADING: usize = 24;

/// An item's title: its first sentence.
fn item_title(text: &str, start: usize) -> (&str, usize) {
    let body = &text[start..];
    // The first sentence, up to a group that names units (1.…行动（牵头单位：…）。).
    let end = body
        .find('。')
        .into_iter()
        .chain(units::group_start(body))
        .min()
        .unwrap_or(body.len());
    let title = body[..end].trim();
    let title = title
        .split(['（', '('])
        .next()
        .filter(|t| !t.is_empty() && end == body.len())
        .unwrap_or(title);
    (title, start + end)
}

/// Add a line of running text to a section's text (a safeguard's content is read by what it
/// says), keeping the span from the first line to this one.
fn append_text(section: &mut Section<'_>, line: &Line) {
    append_to(&mut section.text, line);
}

/// A line of prose added to a section's or measure's text.
fn append_to(text: &mut Option<Sp<Text<'_>>>, line: &Line) {
    let whole = line.whole();
    match text {
        Some(text) => {
            let value = text.value.to_mut();
            value.push('\n');
            value.push_str(&line.text);
            text.span = Span::new(text.span.start, whole.end.max(text.span.end));
        }
        None => *text = Some(Sp::new(line.text.clone().into(), whole)),
    }
}

/// How the importer reads a line's targets.
struct TargetContext<'v> {
    literacy: &'v NameIndex,
    normalizer: &'v Normalizer,
    /// The year of a 工作要点: its counts are for that year.
    work_year: Option<i64>,
    /// The plan's period: a percentage dated before it is a level reached, not a goal.
    period: (i64, i64),
    /// In the goals part of an implementation plan an undated literacy goal is for the end
    /// of the period.
    in_goals: bool,
}

/// Quantified targets in a line: (is it the literacy goal, the target). A year qualifies the
/// numbers of its own sentence, or, failing one, those of the next sentences of the paragraph.
/// A sentence longer than this is read in pieces split at commas: what is read before each
/// number is then bounded, and a hostile line of numbers costs its length, not its square. Real
/// sentences run to a few hundred characters.
const MAX_SENTENCE_BYTES: usize = 4096;

/// `text` cut after each 。, ； and ; — `split_inclusive` with those characters, which decodes
/// every character on the way.
fn split_after_stops(text: &str) -> impl Iterator<Item = &str> {
    let mut stops = chars_led_by(text, [0xE3, 0xEF, b';'])
        .filter(|(_, c)| matches!(c, '。' | '；' | ';'))
        .map(|(i, c)| i + c.len_utf8());
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == text.len() {
            return None;
        }
        let end = stops.next().unwrap_or(text.len());
        let piece = &text[start..end];
        start = end;
        Some(piece)
    })
}

/// The sentences of a line (ending in 。 or ；), long ones cut at a comma.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    split_after_stops(text).flat_map(|sentence| {
        let mut rest = sentence;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            if rest.len() <= MAX_SENTENCE_BYTES {
                return Some(std::mem::take(&mut rest));
            }
            let mut cut = MAX_SENTENCE_BYTES;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = rest[..cut]
                .rfind(['，', ','])
                .map(|at| at + rest[at..].chars().next().map_or(1, char::len_utf8))
                .filter(|&at| at > 0)
                .unwrap_or(cut);
            let (piece, tail) = rest.split_at(cut);
            rest = tail;
            Some(piece)
        })
    })
}

fn targets_in(line: &Line, cx: &TargetContext<'_>) -> Vec<(bool, Target<'static>)> {
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let count = re(&COUNT, || {
        format!(
            r"({})\s*(万|千)?\s*(余|多)?\s*(人次|人|个|家|所|场|名|处|座|期|项|支|批|部|种|篇|件|套|台|块)",
            quantity::NUMBER
        )
    });
    let text = &line.text;
    let mut out = Vec::new();
    let mut sentence_start = 0;
    let mut paragraph_year: Option<i64> = None;
    // The counts of the whole line, found in one search (a search per sentence cost more in
    // setting up than in scanning); each sentence takes those that lie inside it.
    let mut counts = count.captures_iter(text).peekable();
    for piece in sentences(text) {
        let s0 = sentence_start;
        sentence_start += piece.len();
        let mut in_piece = Vec::new();
        while let Some(c) = counts.next_if(|c| c.get(0).is_some_and(|m| m.start() < sentence_start))
        {
            let whole = c.get(0).expect("whole");
            // Only a sentence cut inside a run of characters (no comma to cut at) can split a
            // count; such a count is read in neither piece.
            if whole.start() >= s0 && whole.end() <= sentence_start {
                in_piece.push(c);
            }
        }
        let sentence_year = quantity::year_in(piece);
        let year_before = |at: usize| quantity::year_in(&piece[..at]).or(paragraph_year);
        for p in quantity::percents(piece) {
            let head = &piece[..p.start];
            let Some(indicator_at) = literacy_subject(head, cx) else {
                continue;
            };
            let year = year_before(p.start)
                .or(cx.work_year)
                .or(cx.in_goals.then_some(cx.period.1));
            // A level reached before the plan's period (2020年…达到10.56%) is no goal.
            let Some(year) = year.filter(|y| *y >= cx.period.0) else {
                continue;
            };
            let bound = quantity::bound_around(head, &piece[p.end..]);
            // The indicator as the plan words it (公民科学素质水平, 具备科学素质的公民比例…).
            static SUBJECT: OnceLock<Regex> = OnceLock::new();
            let subject = re(
                &SUBJECT,
                || r"(?:公民|居民|群众)?\p{Han}{0,4}?科学素[质养]\p{Han}{0,4}?(?:比例|水平|达标率)",
            );
            let written = subject.find_iter(&head[indicator_at..]).last().map(|m| {
                let m = m.as_str();
                // “十三五”末公民…: the subject starts at 公民 when it names them.
                match ["公民", "居民"].iter().find_map(|w| m.find(w)) {
                    Some(at) => m[at..].to_owned(),
                    None => m
                        .trim_start_matches(['末', '底', '期', '时', '年', '前'])
                        .to_owned(),
                }
            });
            let indicator = written.unwrap_or_else(|| {
                if head.contains("基本科学素质") {
                    "公民具备基本科学素质的比例".to_owned()
                } else {
                    "公民具备科学素质的比例".to_owned()
                }
            });
            let indicator = indicator.as_str();
            let number_span = line.span(s0 + p.start, s0 + p.end);
            let verb_span = bound
                .written
                .as_ref()
                .map(|_| line.span(s0 + after_last(head, &['，', ',']), s0 + p.end))
                .unwrap_or(number_span);
            let clause_start = after_last(&head[..indicator_at], &['，', ',', '：', ':']);
            // The hedge of this number: before it, or 左右 after it — not a 力争 that
            // qualifies another aim later in the sentence (“达到16%，力争与长沙市同步”).
            let hedge = quantity::hedge_of(head, &bound);
            out.push((
                true,
                Target {
                    span: line.span(s0 + clause_start, s0 + p.end),
                    indicator: Sp::new(
                        indicator.to_owned().into(),
                        line.span(s0 + indicator_at, s0 + p.start),
                    ),
                    relation: Sp::new(bound.relation, verb_span),
                    bound: bound.written.map(|w| Sp::new(w.into(), verb_span)),
                    value: Some(Sp::new(p.value, number_span)),
                    unit: Some(Sp::new("%".into(), number_span)),
                    year: Some(Sp::new(year, number_span)),
                    per: None,
                    hedge: hedge
                        .map(|h| Sp::new(h.to_owned().into(), line.span(s0, s0 + piece.len()))),
                    text: Some(Sp::new(
                        piece[clause_start..p.end].trim().to_owned().into(),
                        line.span(s0 + clause_start, s0 + p.end),
                    )),
                },
            ));
        }
        for c in in_piece {
            let whole = c.get(0).expect("whole");
            let m = (whole.start() - s0)..(whole.end() - s0);
            // The unit must close its clause: "13个强国" is a name, not a target.
            let after = piece[m.end..].chars().next();
            if after.is_some_and(|a| !"，。；,;、）)以左".contains(a)) {
                continue;
            }
            let head = &piece[..m.start];
            let clause_start = after_last(head, &['，', ',', '：', ':']);
            let Some(indicator) = indicator_of(&head[clause_start..]) else {
                continue;
            };
            let Some(mut value) = quantity::parse_number(&c[1]) else {
                continue;
            };
            match c.get(2).map(|m| m.as_str()) {
                Some("万") => value *= 10_000.0,
                Some("千") => value *= 1_000.0,
                _ => {}
            }
            let clause = &head[clause_start..];
            let recurring = clause.contains("每年") || clause.contains("年均");
            let year = if recurring {
                None
            } else {
                year_before(m.start).or(cx.work_year)
            };
            let mut bound = quantity::bound_around(head, &piece[m.end..]);
            if c.get(3).is_some() && bound.relation == Relation::AtLeast {
                bound.relation = Relation::Above; // 600余人
            }
            let number_span = line.span(s0 + m.start, s0 + m.end);
            let unit = c.get(4).expect("unit");
            let ind_at = head[clause_start..]
                .find(indicator.as_str())
                .map(|p| clause_start + p)
                .unwrap_or(clause_start);
            let hedge = quantity::hedge_of(clause, &bound);
            out.push((
                false,
                Target {
                    span: line.span(s0 + clause_start, s0 + m.end),
                    indicator: Sp::new(
                        indicator.clone().into(),
                        line.span(s0 + ind_at, s0 + ind_at + indicator.len()),
                    ),
                    relation: Sp::new(bound.relation, number_span),
                    bound: bound
                        .written
                        .clone()
                        .map(|w| Sp::new(w.into(), number_span)),
                    value: Some(Sp::new(
                        value,
                        line.span(s0 + m.start, c.get(1).expect("n").end()),
                    )),
                    unit: Some(Sp::new(
                        unit.as_str().to_owned().into(),
                        line.span(unit.start(), unit.end()),
                    )),
                    year: year.map(|y| Sp::new(y, number_span)),
                    per: recurring.then(|| Sp::new("year".into(), number_span)),
                    hedge: hedge.map(|h| Sp::new(h.to_owned().into(), number_span)),
                    text: Some(Sp::new(
                        piece[clause_start..m.end].trim().to_owned().into(),
                        line.span(s0 + clause_start, s0 + m.end),
                    )),
                },
            ));
        }
        if sentence_year.is_some() {
            paragraph_year = sentence_year;
        }
    }
    out
}

/// Where the literacy indicator stands as the subject of a number: in the number's own
/// clause, or — when that clause holds only a year, a hedge and a verb (“，到2025年达到15%”) —
/// in the clause before it. Returns its byte offset in `head`.
fn literacy_subject(head: &str, cx: &TargetContext<'_>) -> Option<usize> {
    let says = |clause: &str| {
        let folded = normalize::fold(clause);
        let key = cx.normalizer.key_of_folded(folded.clone());
        cx.literacy.any_matches(&key, &folded)
    };
    let marks = ['，', ',', '：', ':', '、'];
    let own = after_last(head, &marks);
    if says(&head[own..]) {
        return Some(own);
    }
    // The number's clause is only a time and a verb: its subject is the previous clause.
    static FILLER: OnceLock<Regex> = OnceLock::new();
    let filler = re(
        &FILLER,
        || r"^(?:到|至|力争|争取|预计|有望|确保|在|于|全[市县区省州盟旗]|我[市县区省]|[0-9０-９]{4}\s*年(?:末|底)?|“?十[一二三四五六]五”?(?:期末|末|时期末)?|达到|达|超过|提高到|提升至|提升到|提高至|不低于|以上|\s)*$",
    );
    if own == 0 || !filler.is_match(&head[own..]) {
        return None;
    }
    let before = &head[..own - head[..own].chars().next_back()?.len_utf8()];
    let prev = after_last(before, &marks);
    says(&before[prev..]).then_some(prev)
}

/// The offset just after the last of `marks` in `text`, or 0.
fn after_last(text: &str, marks: &[char]) -> usize {
    text.char_indices()
        .rfind(|(_, c)| marks.contains(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0)
}

/// What a count measures: its clause without the time words and the verbs around it.
fn indicator_of(clause: &str) -> Option<String> {
    static TIME: OnceLock<Regex> = OnceLock::new();
    // Not the item's number ((2)到2025年…).
    let clause = item_number(clause).map_or(clause, |(_, start)| &clause[start..]);
    let digits = quantity::YEAR_DIGITS;
    let time = re(&TIME, || {
        format!(r"(?:到|至)\s*{digits}\s*年|{digits}\s*年\s*(?:末|底|前)?|每年|年均|全年")
    });
    let mut s = time.replace_all(clause, "").into_owned();
    s = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(p) = s.find("完成") {
        s = s[p + "完成".len()..].to_owned();
    }
    for verb in [
        "推动", "力争", "确保", "累计", "新增", "开展", "发展", "实现", "建成", "培育", "培训",
    ] {
        if let Some(rest) = s.strip_prefix(verb) {
            if !rest.is_empty() {
                s = rest.to_owned();
            }
        }
    }
    for tail in ["达到", "超过", "不少于", "达"] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest.to_owned();
        }
    }
    (s.chars().count() >= 2).then_some(s)
}

#[cfg(test)]
mod sentence_tests {
    use super::*;

    #[test]
    fn numbers_that_lost_their_brackets_are_read_whole() {
        static DOC: OnceLock<Regex> = OnceLock::new();
        let whole = re(&DOC, || r"\p{Han}{1,8}〔[0-9]{4}〕[0-9]+号");
        let read = |text: &str| -> Vec<String> {
            numbers_in(text, whole)
                .into_iter()
                .map(|n| n.written)
                .collect()
        };
        assert_eq!(
            read("《…的通知》(国发20219号)《…》(云政发〔2021〕29号)"),
            ["国发〔2021〕9号", "云政发〔2021〕29号"]
        );
        assert_eq!(read("(内政发〔202122号)"), ["内政发〔2021〕22号"]);
        // A person's name and a year with its number apart are not a 机关代字.
        assert!(read("山西省委办公厅李斌2011 39号文件").is_empty());
    }

    #[test]
    fn sentences_end_at_full_stops_and_long_ones_are_cut_at_commas() {
        let short: Vec<&str> = sentences("到2025年，达到15%。力争更高；其余").collect();
        assert_eq!(short, ["到2025年，达到15%。", "力争更高；", "其余"]);
        let long = "完成培训100人次，".repeat(1000);
        let pieces: Vec<&str> = sentences(&long).collect();
        assert!(pieces.len() > 1);
        assert_eq!(pieces.concat(), long);
        for piece in &pieces {
            assert!(piece.len() <= MAX_SENTENCE_BYTES);
            assert!(piece.ends_with('，'), "cut at a comma: {piece}");
        }
        // No comma at all: cut at a character boundary.
        let solid = "科".repeat(5000);
        let pieces: Vec<&str> = sentences(&solid).collect();
        assert_eq!(pieces.concat(), solid);
    }

    /// The byte scans agree with the character-by-character forms they replace, on text mixing
    /// ASCII, the punctuation blocks and characters whose continuation bytes equal the lead
    /// bytes searched for (0xE3 and 0xEF are never continuations, but 。 ends in 0x82, ； in 0x9B).
    #[test]
    fn byte_scans_agree_with_character_scans() {
        use proptest::prelude::*;
        let alphabet = "a;()（）。；，、《》〔〕％%科学素质年末ｘ\u{3000}\u{FFFD}\u{E3}\u{EF}"
            .chars()
            .collect::<Vec<_>>();
        let text = proptest::collection::vec(proptest::sample::select(alphabet), 0..40)
            .prop_map(|cs| cs.into_iter().collect::<String>());
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        runner
            .run(&text, |text| {
                let by_chars: Vec<&str> = text.split_inclusive(['。', '；', ';']).collect();
                prop_assert_eq!(split_after_stops(&text).collect::<Vec<_>>(), by_chars);
                let wanted: Vec<(usize, char)> = text
                    .char_indices()
                    .filter(|(_, c)| {
                        matches!(c, '（' | '）' | '(' | ')' | '，' | 'ｘ' | '\u{FFFD}')
                    })
                    .collect();
                let found: Vec<(usize, char)> = chars_led_by(&text, [0xEF, b'(', b')'])
                    .filter(|(_, c)| {
                        matches!(c, '（' | '）' | '(' | ')' | '，' | 'ｘ' | '\u{FFFD}')
                    })
                    .collect();
                prop_assert_eq!(found, wanted);
                for chars in [&['%', '％', '百'][..], &['年', '末']] {
                    prop_assert_eq!(quantity::contains_any(&text, chars), text.contains(chars));
                }
                Ok(())
            })
            .unwrap();
    }
}
