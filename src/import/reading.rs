//! How sure the reading of a document is: whether the text runs to the plan's end, and which
//! sections name bodies in a way the importer could not place. A finding that something is
//! missing is an error only where the part was found and read; where it was not, the checker
//! says so as a note (see `check::assurance`).

use super::lines::{ends_complete, heading_level, is_date, Line};
use super::units;
use crate::source::Span;

/// What the importer could not read with certainty.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// Where the text stops short of the plan's end (mid-sentence, or before its last part):
    /// the span of the last line, and its closing words.
    pub cut: Option<(Span, String)>,
    /// Headings and items with no units read, whose text names bodies in a way not placed.
    pub unsure_units: Vec<Span>,
}

impl Reading {
    /// Whether `span` lies in a part whose units could not be read with certainty.
    pub fn units_unsure_at(&self, span: Span) -> bool {
        self.unsure_units
            .iter()
            .any(|s| s.start <= span.start && span.start <= s.end)
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
