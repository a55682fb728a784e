//! The units (牵头单位, 责任单位, 配合单位) a line names, wherever the line puts them: in a
//! bracketed group closing a heading or an item (labelled, `…牵头`, `…负责`, or a bare list
//! `（市教育局、市科协）`), inline after the sentence (`…。责任单位：…；配合单位：…`), on a
//! labelled line of their own, or in prose (`分工：由…牵头，…参加`). A unit is known by the
//! form of its name (rules/unit-forms.txt), not by where it stands.

use std::sync::OnceLock;

use super::lines::Line;
use crate::plan::{Sp, Units};

/// What a label says of the units after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Lead,
    /// 责任单位: the lead when no 牵头单位 is named for the same task, else a partner.
    Responsible,
    Partners,
}

const LABELS: &[(&str, Role)] = &[
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("牵头", Role::Lead),
    ("责任单位", Role::Responsible),
    ("责任部门", Role::Responsible),
    ("主责单位", Role::Responsible),
    ("实施单位", Role::Responsible),
    ("参与单位", Role::Partners),
    ("参加单位", Role::Partners),
    ("配合单位", Role::Partners),
    ("配合部门", Role::Partners),
    ("协同单位", Role::Partners),
    ("协办单位", Role::Partners),
];

/// A label and its colon at `at` in `text`: the role and where the units start.
fn label_at(text: &str, at: usize) -> Option<(Role, usize)> {
    let rest = &text[at..];
    LABELS.iter().find_map(|(label, role)| {
        let after = rest.strip_prefix(label)?;
        let trimmed = after.trim_start_matches([' ', '　']);
        let units = trimmed.strip_prefix(['：', ':'])?;
        Some((*role, text.len() - units.len()))
    })
}

/// A line that starts with a label (`牵头单位：…`, `责任单位：…`): its role and where the units
/// start.
pub(super) fn unit_label(text: &str) -> Option<(Role, usize)> {
    label_at(text, 0)
}

/// Labelled units inline after a sentence (`…。责任单位：市科协、市教育局。`,
/// `…。牵头单位：…；责任单位：…`), or a line of labels of its own: the lead and partners.
/// A label counts only after a sentence or clause end (or at the line's start), outside
/// brackets, so that a sentence that merely mentions 责任单位 is not read as one.
pub(super) fn inline_labels(line: &Line) -> Option<(Units, Units)> {
    let text = line.text.as_str();
    let mut labels: Vec<(usize, Role, usize)> = Vec::new(); // (label start, role, units start)
    let mut depth = 0usize;
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, '牵' | '责' | '参' | '配' | '协' | '主' | '实') {
            let boundary = previous.is_none_or(|p| {
                matches!(
                    p,
                    '。' | '；' | ';' | '！' | ' ' | '　' | '）' | ')' | '，' | ',' | '\t'
                )
            });
            if boundary {
                if let Some((role, units)) = label_at(text, i) {
                    labels.push((i, role, units));
                }
            }
        }
        previous = Some(c);
    }
    let mut lead = Units::default();
    let mut partners = Units::default();
    let has_lead = labels.iter().any(|(_, r, _)| *r == Role::Lead);
    for (k, (_, role, start)) in labels.iter().enumerate() {
        let end = labels.get(k + 1).map(|(s, _, _)| *s).unwrap_or(text.len());
        let segment = &text[*start..end];
        let kept = segment.trim_end_matches(['。', '；', ';', ' ', '　', '，', ',']);
        let units = units_in(line, *start, *start + kept.len());
        if units.is_empty() {
            continue;
        }
        let target = match role {
            Role::Lead => &mut lead,
            Role::Responsible if !has_lead => &mut lead,
            _ => &mut partners,
        };
        merge(target, units);
    }
    (!lead.is_empty() || !partners.is_empty()).then_some((lead, partners))
}

fn merge(into: &mut Units, more: Units) {
    if into.is_empty() {
        *into = more;
    } else {
        into.names.extend(more.names);
    }
}

/// Units named in a parenthetical of the line after `from`: "（市教育局、市科协牵头，市科技局等
/// 单位配合）", "（责任单位：…）", "（牵头部门：…）", "（牵头单位：…；责任单位：…）",
/// "（各成员单位按职责分工负责）", or a bare list that closes the line "（市教育局、市科协）".
/// The last such group wins: it closes the item, while one inside a sentence (“一是…（市科协
/// 牵头）。二是…”) names the leads of its part.
pub(super) fn trailing_units(line: &Line, from: usize) -> Option<(Units, Units)> {
    bracket_groups(&line.text, from)
        .into_iter()
        .rev()
        .find_map(|(s, e)| group_units(line, s, e))
}

/// Whether the bracketed group whose inside is `text[s..e]` names units: by a marker (牵头,
/// 责任单位, 负责, 分工) or, at the end of the line, as a bare list of units.
pub(super) fn names_units(text: &str, s: usize, e: usize) -> bool {
    let inner = &text[s..e];
    has_marker(inner) || (closes_line(text, e) && bare_list(inner))
}

fn has_marker(inner: &str) -> bool {
    ["牵头", "责任单位", "责任部门", "负责", "分工", "配合单位"]
        .iter()
        .any(|m| inner.contains(m))
}

/// Whether the group whose inside ends at `e` is the last thing on the line (but punctuation).
fn closes_line(text: &str, e: usize) -> bool {
    text[e..]
        .trim_start_matches(['）', ')'])
        .trim_matches(['。', '；', ';', '，', ',', ' ', '　', '.', '、'])
        .is_empty()
}

/// A bracket's inside that is nothing but unit names: `市教育局、市科协`, `各成员单位`.
fn bare_list(inner: &str) -> bool {
    let pieces = pieces(inner);
    !pieces.is_empty() && pieces.iter().all(|(s, e)| is_unit_name(&inner[*s..*e]))
}

/// `text` without its bracketed groups that name units (（市教育局、市科协牵头）): what it says.
pub(super) fn without_unit_groups(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in bracket_groups(text, 0) {
        if !names_units(text, s, e) {
            continue;
        }
        // The brackets themselves: one character before and after the inside.
        let open = s - text[..s].chars().next_back().map_or(0, char::len_utf8);
        let close = e + text[e..].chars().next().map_or(0, char::len_utf8);
        out.push_str(&text[at..open]);
        at = close;
    }
    out.push_str(&text[at..]);
    out
}

/// Every outermost bracketed group after `from`, as the byte range of its inside.
pub(super) fn bracket_groups(text: &str, from: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut depth = 0usize;
    let mut open = 0;
    for (i, c) in chars_led_by(text, [0xEF, b'(', b')']) {
        match c {
            '（' | '(' => {
                if depth == 0 {
                    open = i + c.len_utf8();
                }
                depth += 1;
            }
            '）' | ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 && open >= from {
                    groups.push((open, i));
                }
            }
            _ => {}
        }
    }
    groups
}

/// The characters of `text` whose UTF-8 starts with one of `leads`, with their byte offsets:
/// an ASCII byte stands for itself, 0xEF for the full-width forms (（）；，：), 0xE3 for the CJK
/// symbols (。、《》). Found by a vectorised byte search, so the Han characters between them —
/// most of a text — are skipped without being decoded.
pub(super) fn chars_led_by(text: &str, leads: [u8; 3]) -> impl Iterator<Item = (usize, char)> + '_ {
    debug_assert!(
        leads.iter().all(|b| !(0x80..0xC0).contains(b)),
        "a lead byte, not a continuation"
    );
    memchr::memchr3_iter(leads[0], leads[1], leads[2], text.as_bytes())
        .filter_map(|i| Some((i, text[i..].chars().next()?)))
}

/// The lead and partner units a bracketed group names, if it names any.
fn group_units(line: &Line, inner_start: usize, inner_end: usize) -> Option<(Units, Units)> {
    let text = &line.text[..];
    let inner = &text[inner_start..inner_end];
    let bare = || closes_line(text, inner_end) && bare_list(inner);
    if !has_marker(inner) {
        return bare().then(|| (units_in(line, inner_start, inner_end), Units::default()));
    }
    // A name that holds a label's words (各责任单位) is a bare list; a label is followed by its
    // colon or says who leads (牵头单位：…, …负责, 由…牵头).
    if !inner.contains(['：', ':']) && !inner.contains("牵头") && !inner.contains("负责") && bare()
    {
        return Some((units_in(line, inner_start, inner_end), Units::default()));
    }
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
    if let Some((s, e)) = labelled("责任单位").or_else(|| labelled("责任部门")) {
        let partners = labelled("配合单位").or_else(|| labelled("参与单位"));
        return Some((
            units_in(line, s, e),
            partners
                .map(|(s, e)| units_in(line, s, e))
                .unwrap_or_default(),
        ));
    }
    if !inner.contains("牵头") {
        // “各成员单位按职责分工负责”, “由市科协负责”.
        let end = [
            "按职责分工负责",
            "按照职责分工负责",
            "按职责负责",
            "分工负责",
            "共同负责",
            "负责",
        ]
        .iter()
        .find_map(|w| inner.find(w))?;
        let start = inner[..end]
            .strip_prefix("由")
            .map(|_| "由".len())
            .unwrap_or(0);
        let units = units_in(line, inner_start + start, inner_start + end);
        return (!units.is_empty()).then(|| (units, Units::default()));
    }
    let lead_at = inner.find("牵头")?;
    // “分工：由市教育局牵头” — the label and 由 are not part of the first unit's name.
    let mut lead_start = 0;
    for prefix in ["分工", "：", ":", "由"] {
        if inner[lead_start..].starts_with(prefix) {
            lead_start += prefix.len();
        }
    }
    let lead = units_in(
        line,
        inner_start + lead_start.min(lead_at),
        inner_start + lead_at,
    );
    let rest_start = inner_start + lead_at + "牵头".len();
    let rest = &text[rest_start..inner_end];
    let skip = rest.len() - rest.trim_start_matches(['，', ',', '；', ';']).len();
    let mut partners_end = inner_end;
    for tail in [
        "等单位配合",
        "等单位参与",
        "等单位参加",
        "等部门配合",
        "等部门参与",
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

/// The units that close a heading or an item (after `from`): a bracketed group, or labels
/// inline after its sentence.
pub(super) fn closing_units(line: &Line, from: usize) -> Option<(Units, Units)> {
    trailing_units(line, from).or_else(|| inline_labels(line))
}

/// Units named in a line of running text: as they close a line, or in prose after 分工：.
pub(super) fn plain_units(line: &Line) -> Option<(Units, Units)> {
    closing_units(line, 0).or_else(|| {
        let at = line.text.find("分工")?;
        let end = line.text.trim_end_matches(['。', '；', ';', ' ']).len();
        (at < end).then(|| group_units(line, at, end)).flatten()
    })
}

/// Where the first bracketed group of `text` that names units opens (the byte offset of its
/// opening bracket): a heading's or item's name ends there.
pub(super) fn group_start(text: &str) -> Option<usize> {
    bracket_groups(text, 0)
        .into_iter()
        .find(|(s, e)| names_units(text, *s, *e))
        .map(|(s, _)| s - text[..s].chars().next_back().map_or(0, char::len_utf8))
}

/// Where the piece being read starts, given the cuts made so far.
fn piece_start_of(cuts: &[(usize, usize)]) -> usize {
    cuts.last().map_or(0, |&(_, next)| next)
}

/// The pieces of a list of names (byte ranges of `text`): separated by 、，,；; and by 和 between
/// two names of bodies (so 自然资源和规划局 stays whole); nested brackets such as 各县（市、区）
/// kept whole; spaces, a closing 。 and 等/等单位/等部门 trimmed.
fn pieces(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut depth = 0i32;
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (end of piece, start of next)
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            '、' | '，' | ',' | '；' | ';' | ' ' | '　' if depth == 0 => {
                cuts.push((i, i + c.len_utf8()))
            }
            // Only between two bodies: 自然资源和规划局 is one.
            '和' | '及' if depth == 0 && is_unit_name(&text[piece_start_of(&cuts)..i]) => {
                cuts.push((i, i + c.len_utf8()))
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
            let s = piece_start + lead_trim;
            out.push((s, s + name.len()));
        }
        piece_start = next;
    }
    out
}

/// Unit names in `line.text[start..end]`, with their document spans.
pub(super) fn units_in(line: &Line, start: usize, end: usize) -> Units {
    let text = &line.text[start..end];
    let names = pieces(text)
        .into_iter()
        .map(|(s, e)| Sp::new(text[s..e].into(), line.span(start + s, start + e)))
        .collect();
    Units {
        names,
        span: Some(line.span(start, end)),
    }
}

/// The unit forms of rules/unit-forms.txt.
struct Forms {
    suffixes: Vec<&'static str>,
    wholes: Vec<&'static str>,
    nots: Vec<&'static str>,
}

fn forms() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| {
        let mut forms = Forms {
            suffixes: Vec::new(),
            wholes: Vec::new(),
            nots: Vec::new(),
        };
        for line in include_str!("../../rules/unit-forms.txt").lines() {
            let Some((kind, word)) = line.split_once('\t') else {
                continue;
            };
            match kind {
                "suffix" => forms.suffixes.push(word),
                "whole" => forms.wholes.push(word),
                "not" => forms.nots.push(word),
                _ => {}
            }
        }
        forms
    })
}

/// Whether a piece of text has the form of a body's name: 市教育局, 团市委, 各成员单位,
/// 各县（市、区）人民政府. Short, no sentence in it, and ending as bodies' names end.
pub fn is_unit_name(name: &str) -> bool {
    let name = name.trim_matches([' ', '　']);
    let count = name.chars().count();
    if !(2..=30).contains(&count)
        || name.contains(['。', '：', ':', '《', '“', '，'])
        || name.chars().any(|c| c.is_ascii_digit())
    {
        return false;
    }
    let forms = forms();
    if forms.wholes.contains(&name) {
        return true;
    }
    forms.suffixes.iter().any(|s| name.ends_with(s))
        && !forms.nots.iter().any(|n| name.ends_with(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        Line::at(text, 0)
    }

    fn names(units: &Units) -> Vec<&str> {
        units.names.iter().map(|n| n.value.as_ref()).collect()
    }

    #[test]
    fn unit_names_are_known_by_their_form() {
        for name in [
            "市教育局",
            "团市委",
            "市总工会",
            "县融媒体中心",
            "各成员单位",
            "各县（市、区）人民政府",
            "市自然资源和规划局",
            "区教育体育局",
            "市教委",
        ] {
            assert!(is_unit_name(name), "{name}");
        }
        for text in [
            "2021—2025年",
            "以下简称《纲要》",
            "科普工作新格局",
            "含科技馆建设任务",
        ] {
            assert!(!is_unit_name(text), "{text}");
        }
    }

    #[test]
    fn a_bare_list_closing_an_item_names_its_units() {
        let l = line("3.开展全国科普日活动。（市科协、市教育局）");
        let (lead, partners) = trailing_units(&l, 0).expect("units");
        assert_eq!(names(&lead), ["市科协", "市教育局"]);
        assert!(partners.is_empty());
        let l = line("5.推进科普信息化建设（各成员单位）");
        assert_eq!(names(&trailing_units(&l, 0).unwrap().0), ["各成员单位"]);
        // 各责任单位 is a name, though it holds a label's words (重庆市纲要办's work points).
        let l = line("1.推动……深化转化。(各责任单位)");
        assert_eq!(names(&trailing_units(&l, 0).unwrap().0), ["各责任单位"]);
        let l = line("2.开展科普活动（牵头单位：市科协；责任单位：市教育局）");
        let (lead, partners) = trailing_units(&l, 0).unwrap();
        assert_eq!(
            (names(&lead), names(&partners)),
            (vec!["市科协"], vec!["市教育局"])
        );
        // A bracketed list inside the sentence is not a unit annotation.
        let l = line("建设科普场馆（科技馆、博物馆）等设施，提升服务能力。");
        assert!(trailing_units(&l, 0).is_none());
    }

    #[test]
    fn what_a_line_says_besides_its_units() {
        assert_eq!(without_unit_groups("（市教育局、市科协牵头）"), "");
        assert_eq!(
            without_unit_groups("（牵头单位：县教育局）。激发青少年好奇心（含中小学）。"),
            "。激发青少年好奇心（含中小学）。"
        );
    }

    #[test]
    fn lists_split_at_he_only_between_bodies() {
        let l = line("（市自然资源和规划局、市教育局和市科协负责）");
        let (lead, _) = trailing_units(&l, 0).expect("units");
        assert_eq!(names(&lead), ["市自然资源和规划局", "市教育局", "市科协"]);
    }

    #[test]
    fn inline_labels_after_a_sentence() {
        let l = line("开展科普活动。责任单位：市科协、市教育局。");
        let (lead, partners) = inline_labels(&l).expect("labels");
        assert_eq!(names(&lead), ["市科协", "市教育局"]);
        assert!(partners.is_empty());
        let l = line("开展科普活动。牵头单位：市科协；责任单位：市教育局、团市委。");
        let (lead, partners) = inline_labels(&l).expect("labels");
        assert_eq!(names(&lead), ["市科协"]);
        assert_eq!(names(&partners), ["市教育局", "团市委"]);
        let l = line("牵头单位：市农业农村局 配合单位：市科协");
        let (lead, partners) = inline_labels(&l).expect("labels");
        assert_eq!(names(&lead), ["市农业农村局"]);
        assert_eq!(names(&partners), ["市科协"]);
        // A sentence that mentions 责任单位 is not a label.
        let l = line("明确各责任单位：的任务。");
        assert!(inline_labels(&l).is_none());
    }
}
