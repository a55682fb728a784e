//! The plan's 正文 as parts, headings and items: which part a line is in (goals, actions,
//! projects, safeguards), the sections its headings and numbered items make, their measures,
//! units and text. Headings' levels come from the numbering the document uses (lines.rs).

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{heading_level, item_number, Line};
use super::targets::{targets_in, TargetContext};
use super::units::{self, closing_units, plain_units, unit_label, Role};
use super::Builder;
use crate::plan::{Measure, PlanKind, Section, SectionKind, Sp, Text, Units};
use crate::quantity::re;
use crate::source::Span;

/// Where the current text goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// Before the first heading, or 总体要求/指导思想/目标: read for targets only.
    Preamble,
    Actions,
    Projects,
    Safeguards,
    /// A part of its own (工作要点 often group items by theme): its items form one section.
    Other,
}

impl Builder<'_> {
    pub(super) fn body(&mut self) {
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
        // Whether prose below continues the last section or measure: not after a heading that
        // made none (a group heading's own paragraph is not the section before it).
        let mut prose_home = false;
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
                    prose_home = false;
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
                    }
                    // What the heading's line says after its name, besides its units, is the
                    // section's text.
                    if !units::without_unit_groups(rest)
                        .trim_matches(['。', '；', ' '])
                        .is_empty()
                    {
                        section.text = Some(Sp::new(
                            rest.trim_start_matches('。').to_owned().into(),
                            line.span(start + name_end, text.len()),
                        ));
                    }
                    self.sections.push(section);
                    prose_home = true;
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
                    prose_home = true;
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
                prose_home = true;
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
                .filter(|s| prose_home && s.span.start >= self.part_starts[index])
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetHome {
    Section,
    Measure,
}

/// For each line, the offset where the part holding it starts (its level-1 heading), or 0.
pub(super) fn part_starts(lines: &[Line]) -> Vec<usize> {
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

pub(super) fn classify_part(heading: &str) -> Part {
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
