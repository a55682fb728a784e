//! How sure the reading of a document is: whether the text runs to the plan's end, and which
//! sections name bodies in a way the importer could not place. A finding that something is
//! missing is an error only where the part was found and read; where it was not, the checker
//! says so as a note (see `check::assurance`).

use super::lines::{ends_complete, heading_level, is_date, Line};
use super::units;
use crate::plan::{Plan, PlanKind, Section};
use crate::source::Span;

/// What the importer could not read with certainty.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// Where the text stops short of the plan's end (mid-sentence, or before its last part):
    /// the span of the last line, and its closing words.
    pub cut: Option<(Span, String)>,
    /// Parts of the text whose units could not be read with certainty, and why.
    pub unsure_units: Vec<(Span, UnitDoubt)>,
}

/// Why the units of a part of the text are unsure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitDoubt {
    /// Its text names bodies in a way the importer did not place.
    Unplaced,
    /// The text stops inside it: its units may be in what is missing.
    Cut,
    /// Its heading has no text under it (a table of contents, an extract of headings): its units
    /// were never read.
    NoBody,
    /// Work points that name no unit anywhere: a body's own list, or the division of work in a
    /// table not in the text.
    NoneNamed,
}

impl UnitDoubt {
    /// The reason, for the note that replaces an error.
    pub fn zh(self) -> &'static str {
        match self {
            UnitDoubt::Unplaced => "此处写有单位名称，但未能识别其为牵头或责任单位",
            UnitDoubt::Cut => "文本在此部分中断，单位可能写在未读到的部分",
            UnitDoubt::NoBody => "此标题下没有正文（可能是目录或节选），未能读到其单位",
            UnitDoubt::NoneNamed => {
                "全文未写任何单位：可能是发文单位自身的工作安排，或分工另附表格"
            }
        }
    }
}

impl Reading {
    /// Why the units at `span` are unsure, if they are.
    pub fn unit_doubt_at(&self, span: Span) -> Option<UnitDoubt> {
        self.unsure_units
            .iter()
            .find(|(s, _)| s.start <= span.start && span.start <= s.end)
            .map(|(_, why)| *why)
    }
}

/// How sure the reading of an imported plan is, given where its text stops.
pub(super) fn assess(plan: &Plan<'_>, lines: &[Line], cut: Option<(Span, String)>) -> Reading {
    let mut sections: Vec<&Section<'_>> = plan
        .actions
        .items
        .iter()
        .chain(&plan.projects.items)
        .collect();
    sections.sort_by_key(|s| s.span.start);
    // Lines are in document order: a part's lines are found by binary search, so that the
    // whole assessment costs one pass over the lines, not one per section.
    let line_at = |offset: usize| lines.partition_point(|l| l.whole().start < offset);
    let mut unsure = Vec::new();
    for (k, section) in sections.iter().enumerate() {
        let end = sections.get(k + 1).map_or(plan.end, |next| next.span.start);
        let own = &lines[line_at(section.span.start)..line_at(end)];
        let has_lead =
            !section.lead.is_empty() || section.measures.iter().any(|m| !m.lead.is_empty());
        // The section's own text: the lines after its heading, up to the next heading.
        let body = own
            .iter()
            .skip(1)
            .take_while(|l| heading_level(&l.text).is_none())
            .count()
            + own
                .first()
                .map_or(0, |l| usize::from(l.text.contains('。')));
        if !has_lead && body == 0 && section.measures.is_empty() {
            unsure.push((Span::new(section.span.start, end), UnitDoubt::NoBody));
        } else if !has_lead && own.iter().any(names_bodies) {
            unsure.push((Span::new(section.span.start, end), UnitDoubt::Unplaced));
        }
        for measure in section.measures.iter().filter(|m| m.lead.is_empty()) {
            let line = lines
                .get(line_at(measure.span.start))
                .filter(|l| l.whole().start == measure.span.start);
            if let Some(line) = line.filter(|l| names_bodies(l)) {
                unsure.push((line.whole(), UnitDoubt::Unplaced));
            }
        }
    }
    if cut.is_some() {
        if let Some(last) = sections.last() {
            unsure.push((Span::new(last.span.start, plan.end), UnitDoubt::Cut));
        }
    }
    let none_named = sections.iter().all(|s| {
        s.lead.is_empty()
            && s.partners.is_empty()
            && s.measures
                .iter()
                .all(|m| m.lead.is_empty() && m.partners.is_empty())
    });
    if none_named && plan.kind.value == PlanKind::WorkPoints {
        unsure.push((Span::new(0, plan.end), UnitDoubt::NoneNamed));
    }
    Reading {
        cut,
        unsure_units: unsure,
    }
}

/// Where the text stops short: its last line ends mid-sentence, or the plan (an implementation
/// plan, whose last part is its 保障措施/组织实施) never reaches a safeguards part.
pub(super) fn cut(
    lines: &[Line],
    reached_safeguards: bool,
    work_points: bool,
) -> Option<(Span, String)> {
    // The last line of content: a page's closing chrome (扫一扫在手机打开当前页, 打印 关闭) is
    // short, as are signatures and dates.
    let last = lines
        .iter()
        .rev()
        .find(|l| l.text.trim().chars().count() >= 20)?;
    let text = last.text.trim();
    let closing: String = {
        let chars: Vec<char> = text.chars().collect();
        chars[chars.len().saturating_sub(16)..].iter().collect()
    };
    // An attachment's title (附件：…分工表) ends the text as its table follows.
    let attachment = text.starts_with("附件") || text.ends_with('表');
    let mid_sentence = !ends_complete(text) && !attachment && !is_date(text);
    let before_last_part = !work_points && !reached_safeguards;
    (mid_sentence || before_last_part).then(|| (last.whole(), closing))
}

/// Whether a line names bodies in a way the unit reader did not place: a bracketed group or a
/// clause whose pieces have the form of units, or a 牵头/负责 phrase.
pub(super) fn names_bodies(line: &Line) -> bool {
    let text = line.text.as_str();
    if heading_level(text).is_some_and(|(level, _)| level == 1) {
        return false;
    }
    units::bracket_groups(text, 0).into_iter().any(|(s, e)| {
        let inner = &text[s..e];
        inner.contains("牵头")
            || inner.contains("负责")
            || inner
                .split(['、', '，', ',', '；', ';'])
                .filter(|p| !p.is_empty())
                .any(units::is_unit_name)
    })
}
