//! Import: the documents reviewers receive (plain text in any Chinese encoding, .docx) → a
//! structured plan whose every value keeps the span of the document text it came from, so that
//! checking an imported document labels the document itself.
//!
//! The names of actions, projects and the literacy indicator come from the rule packs; nothing
//! domain-specific is listed here beyond the shape of Chinese official documents.

mod lines;
mod read;
mod write;

use std::sync::OnceLock;

use regex::Regex;

pub use read::{read_document, DocumentText, ReadError, MAX_DOCUMENT_BYTES};
pub use write::to_toml;

use crate::diagnostic::Finding;
use crate::plan::{
    Items, Level, Measure, Plan, PlanKind, Relation, Section, SectionKind, Sp, Target, Units,
};
use crate::rules::ast::NameKind;
use crate::rules::normalize::DocumentNumber;
use crate::rules::{Normalizer, Registry};
use crate::source::{SourceFile, Span};
use lines::{heading_level, is_date, item_number, Line};

/// What the importer recognises, gathered from the rule packs.
#[derive(Debug)]
pub struct Vocabulary {
    normalizer: Normalizer,
    /// Normalised names of every declared action, per action.
    actions: Vec<Vec<String>>,
    projects: Vec<Vec<String>>,
    /// The literacy indicator as written in any pack (canonical name and aliases).
    literacy: Vec<String>,
    /// Provinces some pack is written for (its `region`), preferred when found in the text.
    provinces: Vec<String>,
}

impl Vocabulary {
    pub fn from_registry(registry: &Registry) -> Self {
        let mut ignore = Vec::new();
        let mut actions = Vec::new();
        let mut projects = Vec::new();
        let mut literacy: Vec<String> = Vec::new();
        let mut provinces: Vec<String> = Vec::new();
        for pack in registry.packs() {
            provinces.extend(pack.region.iter().filter(|r| r.ends_with('省')).cloned());
            ignore.extend(pack.normalizer.words().iter().cloned());
            for (key, name) in &pack.names {
                let keys = name.keys.clone();
                match name.kind {
                    NameKind::Section(SectionKind::Action) => actions.push(keys),
                    NameKind::Section(SectionKind::Project) => projects.push(keys),
                    NameKind::Indicator if key == "literacy" => literacy.extend(
                        std::iter::once(&name.canonical)
                            .chain(&name.aliases)
                            .cloned(),
                    ),
                    _ => {}
                }
            }
        }
        literacy.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
        literacy.dedup();
        ignore.sort();
        ignore.dedup();
        provinces.sort();
        provinces.dedup();
        Vocabulary {
            normalizer: Normalizer::new(&ignore),
            actions,
            projects,
            literacy,
            provinces,
        }
    }

    fn section_kind(&self, name: &str) -> Option<SectionKind> {
        if self
            .actions
            .iter()
            .any(|keys| self.normalizer.matches(name, keys))
        {
            Some(SectionKind::Action)
        } else if self
            .projects
            .iter()
            .any(|keys| self.normalizer.matches(name, keys))
        {
            Some(SectionKind::Project)
        } else {
            None
        }
    }
}

/// An imported plan: the model (spans into the document text) and notes on what was inferred.
#[derive(Debug)]
pub struct Imported {
    pub plan: Plan,
    /// e.g. "read as GBK", "a second copy of the text was cut at line 48".
    pub notes: Vec<String>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("importer patterns are valid"))
}

/// Import a document's text (already read; see [`read_document`]).
pub fn import(source: &SourceFile, vocabulary: &Vocabulary) -> Result<Imported, Box<Finding>> {
    let (lines, cut) = lines::logical_lines(&source.text);
    let mut notes = Vec::new();
    if cut {
        notes.push("a second copy of the text (from PDF extraction) was left out".to_owned());
    }
    let no_structure = |what: &str| {
        Box::new(Finding::input_error(
            "import/no-structure",
            format!("no recognisable plan structure: {what}"),
            Span::new(0, 0),
            "the document starts here",
        )
        .with_help("planlint reads plans with a title (…实施方案, …工作要点) and numbered headings (一、 （一） 1.)"))
    };
    let title = find_title(&lines)
        .ok_or_else(|| no_structure("no title naming a 实施方案 or 工作要点 was found"))?;
    let mut builder = Builder::new(vocabulary, &lines, title);
    builder.metadata();
    if builder.period.value == (0, 0) {
        return Err(no_structure(
            "the title gives no period (2021—2025年, 十四五, or the year of a 工作要点)",
        ));
    }
    builder.body();
    let plan = builder.finish(source.text.len());
    if plan.actions.items.is_empty() && plan.projects.items.is_empty() {
        return Err(no_structure(
            "no actions or projects (一、… （一）… 1.…) were found",
        ));
    }
    Ok(Imported { plan, notes })
}

/// Where in the lines the title is: (line index, byte range in that line).
#[derive(Clone, Copy, Debug)]
struct TitleAt {
    line: usize,
    start: usize,
    end: usize,
}

fn find_title(lines: &[Line]) -> Option<TitleAt> {
    static NOTICE: OnceLock<Regex> = OnceLock::new();
    let notice = re(
        &NOTICE,
        r"(?:现将|印发)《([^》]+)》|《([^》]+)》(?:已经|印发)",
    );
    for (i, line) in lines.iter().enumerate().take(40) {
        if let Some(c) = notice.captures(&line.text) {
            let m = c.get(1).or(c.get(2)).expect("one group matched");
            if m.as_str().contains("方案")
                || m.as_str().contains("要点")
                || m.as_str().contains("规划")
            {
                return Some(TitleAt {
                    line: i,
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    }
    lines.iter().enumerate().take(40).find_map(|(i, line)| {
        let t = &line.text;
        ((t.contains("实施方案") || t.contains("工作要点"))
            && !t.contains('。')
            && !t.contains("关于印发")
            && t.chars().count() < 80)
            .then_some(TitleAt {
                line: i,
                start: 0,
                end: t.len(),
            })
    })
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
    issued: Option<Sp<String>>,
    period: Sp<(i64, i64)>,
    basis: Vec<Sp<String>>,
    targets: Vec<Target>,
    sections: Vec<Section>,
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
            issued: None,
            period: Sp::new((0, 0), span),
            basis: Vec::new(),
            targets: Vec::new(),
            sections: Vec::new(),
        }
    }

    fn metadata(&mut self) {
        static RANGE: OnceLock<Regex> = OnceLock::new();
        static YEAR: OnceLock<Regex> = OnceLock::new();
        static CITY: OnceLock<Regex> = OnceLock::new();
        static DISTRICT: OnceLock<Regex> = OnceLock::new();
        static PROVINCE: OnceLock<Regex> = OnceLock::new();
        static ISSUER: OnceLock<Regex> = OnceLock::new();
        static DOC: OnceLock<Regex> = OnceLock::new();
        let title_line = &self.lines[self.title.line];
        let title = &title_line.text[self.title.start..self.title.end];
        let at = |start: usize, end: usize| {
            title_line.span(self.title.start + start, self.title.start + end)
        };

        if title.contains("要点") {
            self.kind = Sp::new(PlanKind::WorkPoints, self.title_value.span);
        }
        let range = re(&RANGE, r"(\d{4})\s*年?\s*[-—–～~至]\s*(\d{4})");
        let year = re(&YEAR, r"(\d{4})\s*年");
        let plausible = |y: i64| (1949..=2100).contains(&y);
        if let Some(c) = range.captures(title).filter(|c| {
            let (a, b): (i64, i64) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
            plausible(a) && plausible(b) && a <= b
        }) {
            let m = c.get(0).expect("whole match");
            let (a, b) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
            self.period = Sp::new((a, b), at(m.start(), m.end()));
        } else if let Some((i, five)) = ["十三五", "十四五", "十五五"]
            .iter()
            .enumerate()
            .find_map(|(i, f)| title.find(f).map(|p| (i, p)))
        {
            let first = 2016 + 5 * i as i64;
            self.period = Sp::new((first, first + 4), at(five, five + "十四五".len()));
        } else if let Some(c) = year
            .captures_iter(title)
            .find(|c| plausible(c[1].parse().unwrap_or(0)))
        {
            let m = c.get(0).expect("whole match");
            let y = c[1].parse().unwrap_or(0);
            self.period = Sp::new((y, y), at(m.start(), m.end()));
        }

        // Region: the city and district from the title, the province from the text.
        let city = re(&CITY, r"\p{Han}{2,5}?市");
        let district = re(&DISTRICT, r"市(\p{Han}{2,4}?[区县])");
        let title_start = title.trim_start_matches(|c: char| c.is_ascii_digit() || c == '年');
        let offset = title.len() - title_start.len();
        let city_match = city.find(title_start).filter(|m| m.start() == 0);
        // Two characters and 省 (河南省): a longer match would take in the word before it.
        let province = re(&PROVINCE, r"\p{Han}{2}省");
        let mut counts: Vec<(String, usize, Span)> = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            for m in province.find_iter(&line.text) {
                let name = m.as_str();
                if name.starts_with(['全', '各', '本', '我', '该', '外', '分', '在', '的'])
                {
                    continue;
                }
                match counts.iter_mut().find(|(n, _, _)| n == name) {
                    Some(entry) => entry.1 += 1,
                    None => {
                        counts.push((name.to_owned(), 1, self.lines[i].span(m.start(), m.end())))
                    }
                }
            }
        }
        // A province some pack is written for wins; otherwise the most frequent.
        let known = |name: &str| self.vocabulary.provinces.iter().any(|p| p == name);
        if let Some((name, _, span)) = counts.iter().max_by_key(|(name, n, _)| (known(name), *n)) {
            if title.contains(name.as_str()) && city_match.is_none() {
                self.level = Sp::new(Level::Province, self.title_value.span);
            }
            self.region.push(Sp::new(name.clone(), *span));
        }
        if let Some(m) = city_match {
            self.region.push(Sp::new(
                m.as_str().to_owned(),
                at(offset + m.start(), offset + m.end()),
            ));
            self.level = Sp::new(Level::City, at(offset + m.start(), offset + m.end()));
            if let Some(c) = district.captures(&title_start[m.start()..]) {
                let d = c.get(1).expect("group");
                let (s, e) = (offset + m.start() + d.start(), offset + m.start() + d.end());
                self.region.push(Sp::new(d.as_str().to_owned(), at(s, e)));
                self.level = Sp::new(Level::District, at(s, e));
            }
        }

        // Issuer and date: lines of the notice or the signature.
        let issuer = re(
            &ISSUER,
            r"^[\p{Han}（）()]{2,30}?(人民政府办公室|人民政府办公厅|人民政府|领导小组|委员会)$",
        );
        let header_end = self.first_heading().unwrap_or(self.lines.len());
        for line in &self.lines[..header_end] {
            let t = line.text.trim();
            if self.issuer.is_none() && issuer.is_match(t) {
                self.issuer = Some(Sp::new(t.to_owned(), line.whole()));
            }
            if self.issued.is_none() && is_date(t) {
                let c = compact(t);
                let parts: Vec<&str> = c.trim_end_matches('日').split(['年', '月']).collect();
                if let [y, m, d] = parts.as_slice() {
                    let year: u32 = y.parse().unwrap_or(0);
                    let (m, d): (u32, u32) = (m.parse().unwrap_or(0), d.parse().unwrap_or(0));
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
                    // Only a real calendar date: the TOML written out must load.
                    if y.len() == 4
                        && (1..=12).contains(&m)
                        && (1..=days[m as usize - 1]).contains(&d)
                    {
                        self.issued = Some(Sp::new(format!("{y}-{m:02}-{d:02}"), line.whole()));
                    }
                }
            }
        }

        // Basis: every document number cited, except the plan's own (alone on a line of the
        // notice's header).
        let doc = re(
            &DOC,
            r"\p{Han}{1,8}\s*[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*\d+\s*号",
        );
        for (i, line) in self.lines.iter().enumerate() {
            for m in doc.find_iter(&line.text) {
                let own = i < header_end && compact(&line.text) == compact(m.as_str());
                let Some(number) = DocumentNumber::parse(m.as_str()) else {
                    continue;
                };
                let seen = self
                    .basis
                    .iter()
                    .any(|b| DocumentNumber::parse(&b.value).as_ref() == Some(&number));
                if !own && !seen {
                    self.basis
                        .push(Sp::new(compact(m.as_str()), line.span(m.start(), m.end())));
                }
            }
        }
    }

    fn first_heading(&self) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| heading_level(&l.text).is_some_and(|(level, _)| level == 1))
    }

    fn body(&mut self) {
        let mut part = Part::Preamble;
        let mut part_heading: Option<(String, Span)> = None;
        // Targets are read from every line; preamble lines only for plan-level goals.
        for index in 0..self.lines.len() {
            let line = &self.lines[index];
            let text = line.text.as_str();
            if let Some((level, start)) = heading_level(text) {
                let name = &text[start..];
                if level == 1 {
                    part = classify_part(name);
                    let heading = named(line, heading_name(name).0, start);
                    part_heading = Some((heading.value, heading.span));
                    self.read_targets(index, None);
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
                    if let Some((lead, partners)) = trailing_units(line, start + name_end) {
                        section.lead = lead;
                        section.partners = partners;
                    } else if !rest.trim_matches(['。', ' ']).is_empty() {
                        section.text = Some(Sp::new(
                            rest.trim_start_matches('。').to_owned(),
                            line.span(start + name_end, text.len()),
                        ));
                    }
                    self.sections.push(section);
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
            if let Some(label) = unit_label(text) {
                if let Some(section) = self.sections.last_mut() {
                    let units = split_units(line, label.start);
                    match label.role {
                        Role::Lead => section.lead = units,
                        Role::Partners => section.partners = units,
                    }
                }
                continue;
            }
            if let Some((_, start)) = item_number(text) {
                // An item of a part with no sub-headings: the part's heading is its section (or,
                // among safeguards, the item is one).
                let needs_section = match self.sections.last() {
                    None => true,
                    Some(last) => last.span.start < part_start(self.lines, index),
                };
                if part == Part::Safeguards && needs_section {
                    let (title, _) = item_title(text, start);
                    let mut section = new_section(
                        SectionKind::Safeguard,
                        named(line, title, start),
                        line.whole(),
                    );
                    if let Some((lead, partners)) = trailing_units(line, start) {
                        section.lead = lead;
                        section.partners = partners;
                    }
                    section.text = Some(Sp::new(
                        text[start..].to_owned(),
                        line.span(start, text.len()),
                    ));
                    self.sections.push(section);
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
                let (title, _) = item_title(text, start);
                let mut measure = Measure {
                    span: line.span(0, start),
                    title: named(line, title, start),
                    text: Some(Sp::new(
                        text[start..].to_owned(),
                        line.span(start, text.len()),
                    )),
                    lead: Units::default(),
                    partners: Units::default(),
                    targets: Vec::new(),
                };
                if let Some((lead, partners)) = trailing_units(line, start) {
                    measure.lead = lead;
                    measure.partners = partners;
                }
                let section = self.sections.last_mut().expect("ensured above");
                if section.kind != SectionKind::Safeguard {
                    section.measures.push(measure);
                }
                self.read_targets(index, Some(TargetHome::Measure));
                continue;
            }
            // Plain text: continues the current measure or section.
            self.read_targets(index, Some(TargetHome::Measure));
        }
    }

    /// Read the quantified targets of one line: literacy goals go to the plan; counts to the
    /// current measure (or section), or to the plan in the preamble.
    fn read_targets(&mut self, index: usize, home: Option<TargetHome>) {
        let line = &self.lines[index];
        let work_year = (self.kind.value == PlanKind::WorkPoints).then_some(self.period.value.1);
        let found = targets_in(line, &self.vocabulary.literacy, work_year);
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

    fn finish(self, end: usize) -> Plan {
        let mut plan = Plan {
            span: self.plan_span,
            title: self.title_value,
            kind: self.kind,
            level: self.level,
            region: self.region,
            issuer: self.issuer,
            issued: self.issued,
            period: self.period,
            basis: self.basis,
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

/// The line where the part holding line `index` starts (its level-1 heading).
fn part_start(lines: &[Line], index: usize) -> usize {
    (0..=index)
        .rev()
        .find(|&i| heading_level(&lines[i].text).is_some_and(|(l, _)| l == 1))
        .map(|i| lines[i].whole().start)
        .unwrap_or(0)
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

fn new_section(kind: SectionKind, name: Sp<String>, span: Span) -> Section {
    Section {
        kind,
        span,
        name,
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
    let end = ["。", "（牵头", "(牵头", "（责任", "(责任"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    (text[..end].trim_end_matches(['。', ' ']), end)
}

/// An item's title: its first sentence.
fn item_title(text: &str, start: usize) -> (&str, usize) {
    let body = &text[start..];
    let end = body.find('。').unwrap_or(body.len());
    let title = body[..end].trim();
    let title = title
        .split(['（', '('])
        .next()
        .filter(|t| !t.is_empty() && end == body.len())
        .unwrap_or(title);
    (title, start + end)
}

enum Role {
    Lead,
    Partners,
}

struct UnitLabel {
    role: Role,
    /// Where the units start in the line.
    start: usize,
}

fn unit_label(text: &str) -> Option<UnitLabel> {
    for (label, role) in [
        ("牵头单位", Role::Lead),
        ("牵头部门", Role::Lead),
        ("责任单位", Role::Lead),
        ("参与单位", Role::Partners),
        ("配合单位", Role::Partners),
    ] {
        if let Some(rest) = text.strip_prefix(label) {
            let after = rest.trim_start();
            let colon = after.strip_prefix(['：', ':'])?;
            return Some(UnitLabel {
                role,
                start: text.len() - colon.len(),
            });
        }
    }
    None
}

/// Units named in a trailing parenthetical: "（市教育局、市科协牵头，市科技局等单位配合）",
/// "（责任单位：…）", "（牵头部门：…）", "（牵头单位：…；责任单位：…）".
fn trailing_units(line: &Line, from: usize) -> Option<(Units, Units)> {
    let text = line.text.trim_end_matches(['。', ' ']);
    let close = text.chars().next_back()?;
    if close != '）' && close != ')' {
        return None;
    }
    // Find the matching open bracket, counting nesting (各县（市、区）).
    let mut depth = 0;
    let mut open = None;
    for (i, c) in text.char_indices().rev() {
        match c {
            '）' | ')' => depth += 1,
            '（' | '(' => {
                depth -= 1;
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let open = open.filter(|&o| o >= from)?;
    let inner_start = open + text[open..].chars().next()?.len_utf8();
    let inner_end = text.len() - close.len_utf8();
    let inner = &text[inner_start..inner_end];
    let labelled = |label: &str| -> Option<(usize, usize)> {
        let at = inner.find(label)?;
        let rest = &inner[at + label.len()..];
        let skip = rest.len() - rest.trim_start_matches(['：', ':', ' ']).len();
        let s = at + label.len() + skip;
        let e = inner[s..]
            .find(['；', ';'])
            .map(|p| s + p)
            .unwrap_or(inner.len());
        Some((inner_start + s, inner_start + e))
    };
    if let Some((s, e)) = labelled("牵头单位").or_else(|| labelled("牵头部门")) {
        let partners = labelled("责任单位")
            .or_else(|| labelled("配合单位"))
            .or_else(|| labelled("参与单位"));
        return Some((
            units_in(line, s, e),
            partners
                .map(|(s, e)| units_in(line, s, e))
                .unwrap_or_default(),
        ));
    }
    if let Some((s, e)) = labelled("责任单位") {
        return Some((units_in(line, s, e), Units::default()));
    }
    let lead_at = inner.find("牵头")?;
    let lead = units_in(line, inner_start, inner_start + lead_at);
    let rest_start = inner_start + lead_at + "牵头".len();
    let rest = &text[rest_start..inner_end];
    let skip = rest.len() - rest.trim_start_matches(['，', ',', '；', ';']).len();
    let mut partners_end = inner_end;
    for tail in [
        "等单位配合",
        "等单位参与",
        "等单位参加",
        "等部门配合",
        "配合",
        "参与",
        "参加",
    ] {
        if let Some(p) = text[rest_start..inner_end].rfind(tail) {
            partners_end = partners_end.min(rest_start + p);
            break;
        }
    }
    let partners = units_in(line, rest_start + skip, partners_end.max(rest_start + skip));
    Some((lead, partners))
}

fn split_units(line: &Line, start: usize) -> Units {
    let end = line.text.trim_end_matches(['。', '；', ';', ' ']).len();
    units_in(line, start, end.max(start))
}

/// Unit names in `line.text[start..end]`, separated by 、，, and 和 (when both sides are names
/// of bodies), with their document spans.
fn units_in(line: &Line, start: usize, end: usize) -> Units {
    const BODY_ENDS: &[char] = &[
        '局', '委', '会', '办', '部', '校', '院', '协', '联', '台', '社', '所', '站', '处', '厅',
        '心', '队', '团', '司',
    ];
    let text = &line.text[start..end];
    let mut names = Vec::new();
    let mut piece_start = 0;
    let mut depth = 0;
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (end of piece, start of next)
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            '、' | '，' | ',' | '；' | ';' if depth == 0 => cuts.push((i, i + c.len_utf8())),
            '和' if depth == 0 => {
                let before = text[..i].chars().next_back();
                if before.is_some_and(|b| BODY_ENDS.contains(&b)) {
                    cuts.push((i, i + c.len_utf8()));
                }
            }
            _ => {}
        }
    }
    cuts.push((text.len(), text.len()));
    for (piece_end, next) in cuts {
        let piece = &text[piece_start..piece_end];
        let trimmed = piece.trim_start_matches([' ', '　']);
        let lead_trim = piece.len() - trimmed.len();
        let mut name = trimmed.trim_end_matches([' ', '　', '。']);
        for suffix in ["等单位", "等部门", "等"] {
            if let Some(n) = name.strip_suffix(suffix) {
                name = n;
            }
        }
        if !name.is_empty() {
            let s = start + piece_start + lead_trim;
            names.push(Sp::new(name.to_owned(), line.span(s, s + name.len())));
        }
        piece_start = next;
    }
    Units {
        names,
        span: Some(line.span(start, end)),
    }
}

/// Quantified targets in a line: (is it the literacy goal, the target).
fn targets_in(line: &Line, literacy: &[String], work_year: Option<i64>) -> Vec<(bool, Target)> {
    static PERCENT: OnceLock<Regex> = OnceLock::new();
    static COUNT: OnceLock<Regex> = OnceLock::new();
    static BY_YEAR: OnceLock<Regex> = OnceLock::new();
    let percent = re(
        &PERCENT,
        r"(超过|达到|不低于|提高到|提升到|达)\s*(\d+(?:\.\d+)?)\s*[%％]",
    );
    let count = re(
        &COUNT,
        r"(\d+(?:\.\d+)?)\s*(万)?\s*(人次|人|个|家|所|场|名|处|座|期)",
    );
    let by_year = re(
        &BY_YEAR,
        r"(?:到|至)\s*(\d{4})\s*年|(\d{4})\s*年\s*(?:末|底|前)",
    );
    let text = &line.text;
    let mut out = Vec::new();
    // Sentence by sentence: a year or 每年 qualifies the numbers of its own sentence.
    let mut sentence_start = 0;
    for piece in text.split_inclusive(['。', '；', ';']) {
        let s0 = sentence_start;
        sentence_start += piece.len();
        let year_of = |before: usize| -> Option<i64> {
            let head = &piece[..before];
            if let Some(c) = by_year.captures_iter(head).last() {
                return c.get(1).or(c.get(2)).and_then(|m| m.as_str().parse().ok());
            }
            ["十三五", "十四五", "十五五"]
                .iter()
                .enumerate()
                .find(|(_, f)| {
                    head.contains(&format!("{f}”末")) || head.contains(&format!("{f}末"))
                })
                .map(|(i, _)| 2020 + 5 * i as i64)
        };
        for c in percent.captures_iter(piece) {
            let m = c.get(0).expect("whole");
            let head = &piece[..m.start()];
            let Some(indicator) = literacy.iter().find(|l| head.contains(l.as_str())) else {
                continue;
            };
            let Some(year) = year_of(m.start()) else {
                continue;
            }; // a level reached, not a goal
            let value: f64 = c[2].parse().unwrap_or(0.0);
            let relation = if &c[1] == "超过" {
                Relation::Above
            } else {
                Relation::AtLeast
            };
            let number = c.get(2).expect("value");
            let at = head.rfind(indicator.as_str()).unwrap_or(0);
            let clause_start = after_last(&head[..at], &['，', ',']);
            let sentence_text = piece[clause_start..m.end()].trim();
            let span = line.span(s0 + number.start(), s0 + m.end());
            out.push((
                true,
                Target {
                    span: line.span(s0 + clause_start, s0 + m.end()),
                    indicator: Sp::new(
                        indicator.clone(),
                        line.span(s0 + at, s0 + at + indicator.len()),
                    ),
                    relation: Sp::new(
                        relation,
                        line.span(
                            s0 + c.get(1).expect("verb").start(),
                            s0 + c.get(1).expect("verb").end(),
                        ),
                    ),
                    value: Some(Sp::new(value, span)),
                    unit: Some(Sp::new("%".into(), span)),
                    year: Some(Sp::new(year, span)),
                    per: None,
                    text: Some(Sp::new(
                        sentence_text.to_owned(),
                        line.span(s0 + clause_start, s0 + m.end()),
                    )),
                },
            ));
        }
        for c in count.captures_iter(piece) {
            let m = c.get(0).expect("whole");
            // The unit must close its clause: "13个强国" is a name, not a target.
            let after = piece[m.end()..].chars().next();
            if after.is_some_and(|a| !"，。；,;、）)".contains(a)) {
                continue;
            }
            let head = &piece[..m.start()];
            let clause_start = after_last(head, &['，', ',', '：', ':']);
            let Some(indicator) = indicator_of(&head[clause_start..]) else {
                continue;
            };
            let recurring =
                head[clause_start..].contains("每年") || head[clause_start..].contains("年均");
            let mut value: f64 = c[1].parse().unwrap_or(0.0);
            if c.get(2).is_some() {
                value *= 10_000.0;
            }
            let year = if recurring {
                None
            } else {
                year_of(m.start()).or(work_year)
            };
            if !recurring && year.is_none() {
                continue;
            }
            let number_span = line.span(s0 + m.start(), s0 + m.end());
            let unit = c.get(3).expect("unit");
            let ind_at = head[clause_start..]
                .find(indicator.as_str())
                .map(|p| clause_start + p)
                .unwrap_or(clause_start);
            out.push((
                false,
                Target {
                    span: line.span(s0 + clause_start, s0 + m.end()),
                    indicator: Sp::new(
                        indicator.clone(),
                        line.span(s0 + ind_at, s0 + ind_at + indicator.len()),
                    ),
                    relation: Sp::new(Relation::AtLeast, number_span),
                    value: Some(Sp::new(
                        value,
                        line.span(s0 + m.start(), s0 + c.get(1).expect("n").end()),
                    )),
                    unit: Some(Sp::new(
                        unit.as_str().to_owned(),
                        line.span(s0 + unit.start(), s0 + unit.end()),
                    )),
                    year: year.map(|y| Sp::new(y, number_span)),
                    per: recurring.then(|| Sp::new("year".to_owned(), number_span)),
                    text: Some(Sp::new(
                        piece[clause_start..m.end()].trim().to_owned(),
                        line.span(s0 + clause_start, s0 + m.end()),
                    )),
                },
            ));
        }
    }
    out
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
    let time = re(
        &TIME,
        r"(?:到|至)\s*\d{4}\s*年|\d{4}\s*年\s*(?:末|底|前)?|每年|年均|全年",
    );
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
