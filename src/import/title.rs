//! The plan's own title (GB/T 9704 标题) and the period a title states.
//!
//! A published plan is a notice that issues it (关于印发《…》的通知, 现将《…》印发给你们) followed
//! by the plan under its own title line. The title is the one the notice issues; where the plan's
//! own title line says the same with more care (the notice dropped a 年, a page damaged it), the
//! plan's line. A title is known by its form — it ends with the kind of document it is (实施方案,
//! 工作要点, 规划, 纲要, 行动计划, 工作清单…), before its period — not by the words of one layout.

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{heading_level, item_number, Line};
use crate::gazetteer;
use crate::quantity;
use crate::quantity::re;
use crate::rules::normalize;

/// What a plan document is called, as the last words of its title. Longer forms end in shorter
/// ones (实施方案 in 方案, 行动计划 in 计划), so an ending is enough.
const KINDS: &[&str] = &[
    "方案",
    "要点",
    "规划",
    "纲要",
    "意见",
    "计划",
    "清单",
    "安排",
    "任务分工",
];

/// What a title about this work names: science literacy or popularisation.
const SUBJECTS: &[&str] = &["科学素质", "科普", "科学技术普及", "科学普及"];

/// A title reduced to its letters and digits, folded: titles are punctuated every way
/// ((2021-2025年), （2021—2025年）, “十四五”).
pub(super) fn title_key(title: &str) -> String {
    normalize::fold(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A title's key without its years: the notice and the plan's own line may write the period
/// differently, or one of them not at all.
fn words_key(title: &str) -> String {
    title_key(title)
        .chars()
        .filter(|c| !c.is_numeric() && *c != '年')
        .collect()
}

/// A title without a closing period in brackets ((2021—2025年), （2026年）) or quotation marks.
fn without_period(title: &str) -> &str {
    let mut t = title.trim_end();
    loop {
        let before = t;
        t = t.trim_end_matches(['”', '"', '》', ' ', '\u{3000}']);
        if let Some(inner) = t.strip_suffix(['）', ')']) {
            if let Some(open) = inner.rfind(['（', '(']) {
                let bracket = &inner[open..];
                if bracket.chars().any(|c| c.is_numeric()) || bracket.contains('年') {
                    t = inner[..open].trim_end();
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

/// Whether a title names a plan document: it ends, before its period, with a kind of plan.
pub(super) fn names_plan(title: &str) -> bool {
    let core = without_period(title);
    KINDS.iter().any(|k| core.ends_with(k))
}

fn about_the_work(title: &str) -> bool {
    SUBJECTS.iter().any(|s| title.contains(s))
}

/// Where in the lines the title is: (line index, byte range in that line).
#[derive(Clone, Copy, Debug)]
pub(super) struct TitleAt {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    /// Whether the title stands on a line of its own, as a plan's title does (not quoted by a
    /// notice or named in its title).
    pub standalone: bool,
}

/// How far into a document its title may stand: a page's chrome (menus, a disclosure table,
/// a table of contents) comes before it.
const TITLE_WITHIN: usize = 60;

pub(super) fn find_title(lines: &[Line]) -> Option<TitleAt> {
    let issued = issued_title(lines).or_else(|| unbracketed_title(lines));
    let own = own_title_line(lines, issued.map_or(0, |t| t.line + 1));
    match (issued, own) {
        // The plan's own title line, where it is the issued title written in full (the notice
        // dropped a 年 or the years, or a page damaged them).
        (Some(issued), Some(own)) => {
            let text = |t: TitleAt| &lines[t.line].text[t.start..t.end];
            let (i, o) = (words_key(text(issued)), words_key(text(own)));
            let fuller = i == o && title_key(text(own)).len() > title_key(text(issued)).len();
            Some(if fuller { own } else { issued })
        }
        (Some(issued), None) => Some(issued),
        (None, own) => own,
    }
}

/// The title a notice issues: 现将《…》印发, 关于印发《…》的通知, 《…》已经…同意, a page's 《…》全文;
/// not a plan the preamble recalls (自《…》印发实施以来).
fn issued_title(lines: &[Line]) -> Option<TitleAt> {
    static NOTICE: OnceLock<Regex> = OnceLock::new();
    let notice = re(
        &NOTICE,
        || r"(?:现将|印发)《([^》]+)》|《([^》]+)》(?:已经|业经|印发给|\s*全文)",
    );
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let quoted = re(&QUOTED, || r"《([^》]+)》");
    for (i, line) in lines.iter().enumerate().take(TITLE_WITHIN) {
        if !notice.is_match(&line.text) {
            continue;
        }
        // A notice may issue several documents (《A》和《B》): the science-literacy plan is ours.
        // A title the notice cites (为贯彻《…》精神，现将《…》印发) is not one it issues.
        let titles: Vec<regex::Match> = quoted
            .captures_iter(&line.text)
            .filter_map(|c| c.get(1))
            .filter(|m| names_plan(m.as_str()) && !cited(&line.text[..m.start()]))
            .collect();
        let chosen = titles
            .iter()
            .find(|m| about_the_work(m.as_str()))
            .or(titles.first());
        if let Some(m) = chosen {
            return Some(TitleAt {
                line: i,
                start: m.start(),
                end: m.end(),
                standalone: false,
            });
        }
    }
    None
}

/// Whether a title after `before` is cited, not issued: its clause says so (贯彻, 根据…).
fn cited(before: &str) -> bool {
    clause_says(before, &["贯彻", "落实", "根据", "依据", "按照", "自"])
}

/// Whether the clause that ends where `before` ends (after its last ，。；) holds one of `words`.
pub(super) fn clause_says(before: &str, words: &[&str]) -> bool {
    let clause = before
        .rfind(['，', '。', '；', ',', ';'])
        .map_or(before, |p| &before[p..]);
    words.iter().any(|w| clause.contains(w))
}

/// The first line, from `from` on, written as a plan's title: short, no sentence, not a
/// heading, ending with a kind of plan. What a page ran into it before (a breadcrumb, a
/// damaged date) is left out.
fn own_title_line(lines: &[Line], from: usize) -> Option<TitleAt> {
    lines
        .iter()
        .enumerate()
        .take(TITLE_WITHIN)
        .skip(from)
        .find_map(|(i, line)| {
            let t = &line.text;
            if t.chars().count() >= 80
                || t.contains('。')
                || t.contains("关于印发")
                || ["现将", "印发给你们", "已经", "同意", "以下简称"]
                    .iter()
                    .any(|w| t.contains(w))
                || heading_level(t).is_some()
                || item_number(t).is_some()
            {
                return None;
            }
            let start = title_start(t);
            let title = &t[start..];
            // 实施方案 and 工作要点 are always plans; the other kinds only with the work in them
            // (a 发展规划 of another field is not ours).
            let core = without_period(title);
            let ours =
                about_the_work(title) || core.ends_with("实施方案") || core.ends_with("工作要点");
            (names_plan(title) && ours && !title.starts_with('《')).then_some(TitleAt {
                line: i,
                start,
                end: t.len(),
                standalone: true,
            })
        })
}

/// Where a title line's title starts: after a breadcrumb (首页>…>), and at the place the title
/// names when something else was run into it before (a plan's title starts with its place, or
/// a year).
fn title_start(t: &str) -> usize {
    let start = t
        .rfind(['>', '＞', '»'])
        .map_or(0, |p| p + t[p..].chars().next().map_or(1, char::len_utf8));
    gazetteer::Gazetteer::get()
        .mentions(&t[start..])
        .first()
        .map(|(s, _, _)| start + s)
        .filter(|&at| {
            let before = t[start..at].trim();
            !before.is_empty()
                && !before.ends_with('年')
                && !before.contains("十四五")
                && !before.contains("十五五")
                && !before.contains('“')
        })
        .unwrap_or(start)
}

/// GB/T 9704's notice title without brackets (发文机关 + 关于印发 + 事由 + 的通知): the plan's
/// title is what it issues. Not inside a quoted title, where it is a document cited.
fn unbracketed_title(lines: &[Line]) -> Option<TitleAt> {
    static ISSUES: OnceLock<Regex> = OnceLock::new();
    let issues = re(&ISSUES, || r"关于印发([^《》〈〉。，,]+?)(?:的通知|$)");
    lines
        .iter()
        .enumerate()
        .take(TITLE_WITHIN)
        .find_map(|(i, line)| {
            let c = issues.captures(&line.text)?;
            let m = c.get(1)?;
            let t = m.as_str();
            let quoted = line.text[..m.start()].contains(['《', '〈']);
            (!quoted && names_plan(t) && about_the_work(t)).then_some(TitleAt {
                line: i,
                start: m.start(),
                end: m.end(),
                standalone: false,
            })
        })
}

/// A plan's period in a title: 2021—2025年, （２０２１－２０２５年）, “十四五”, or the year of a
/// 工作要点 (2023年). Returns the years and the byte range that states them.
pub(super) fn period_in(title: &str) -> Option<((i64, i64), usize, usize)> {
    static RANGE: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let digits = quantity::YEAR_DIGITS;
    let range = re(&RANGE, || {
        format!(r"({digits})\s*年?\s*(?:[-—–―‒‐‑－﹣～〜~?？至到]+|年)?\s*({digits})")
    });
    let year = re(&YEAR, || format!(r"({digits})\s*年"));
    let plausible = |y: &i64| (1949..=2100).contains(y);
    if let Some(c) = range.captures_iter(title).find(|c| {
        let a = quantity::parse_year(&c[1]).filter(plausible);
        let b = quantity::parse_year(&c[2]).filter(plausible);
        matches!((a, b), (Some(a), Some(b)) if a <= b)
    }) {
        let m = c.get(0).expect("whole match");
        let (a, b) = (quantity::parse_year(&c[1])?, quantity::parse_year(&c[2])?);
        return Some(((a, b), m.start(), m.end()));
    }
    for (n, five) in ["十三五", "十四五", "十五五"].iter().enumerate() {
        if let Some(p) = title.find(five) {
            let first = 2016 + 5 * n as i64;
            return Some(((first, first + 4), p, p + five.len()));
        }
    }
    year.captures_iter(title).find_map(|c| {
        let y = quantity::parse_year(&c[1]).filter(plausible)?;
        let m = c.get(0).expect("whole match");
        Some(((y, y), m.start(), m.end()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines()
            .scan(0, |at, l| {
                let line = Line::at(l, *at);
                *at += l.len() + 1;
                Some(line)
            })
            .collect()
    }

    fn title(text: &str) -> Option<String> {
        let lines = lines(text);
        find_title(&lines).map(|t| lines[t.line].text[t.start..t.end].to_owned())
    }

    #[test]
    fn a_title_is_known_by_the_kind_it_ends_with() {
        assert!(names_plan(
            "某市全民科学素质行动规划纲要实施方案（2021—2025年）"
        ));
        assert!(names_plan("北京市“十三五”时期科学技术普及发展规划"));
        assert!(names_plan(
            "进一步提升公民科学素质三年行动计划(2015-2017年)"
        ));
        assert!(names_plan(
            "巴南区全民科学素质行动计划工作清单(2021-2025年)"
        ));
        assert!(names_plan(
            "新余市全民科学素质行动计划实施纲要(2006-2020年)"
        ));
        assert!(!names_plan(
            "共青城市全民科学素质行动规划纲要实施(2021-2025年)"
        ));
        assert!(!names_plan("全民科学素质工作领导小组"));
    }

    #[test]
    fn the_plans_own_line_is_preferred_when_it_is_the_issued_title_in_full() {
        let text = "关于印发《某省贯彻纲要实施方案(2016-2020)》的通知\n某省人民政府办公厅\n\
                    某省贯彻纲要实施方案(2016-2020年)\n为贯彻……";
        assert_eq!(
            title(text).as_deref(),
            Some("某省贯彻纲要实施方案(2016-2020年)")
        );
        // A defective issued title (no kind) gives way to the plan's own line.
        let text = "关于印发《某市全民科学素质行动规划纲要实施(2021-2025年)》的通知\n\
                    某市全民科学素质行动规划纲要实施方案(2021—2025年)\n为贯彻……";
        assert_eq!(
            title(text).as_deref(),
            Some("某市全民科学素质行动规划纲要实施方案(2021—2025年)")
        );
        // Another plan's title line later on does not replace the issued one.
        let text = "现将《某市全民科学素质行动实施方案》印发给你们\n某市科普工作要点\n";
        assert_eq!(title(text).as_deref(), Some("某市全民科学素质行动实施方案"));
    }

    #[test]
    fn titles_of_other_kinds_and_without_brackets() {
        assert_eq!(
            title("首页>规划\n北京市“十三五”时期科学技术普及发展规划\n北京市科学技术委员会")
                .as_deref(),
            Some("北京市“十三五”时期科学技术普及发展规划")
        );
        assert_eq!(
            title("重庆市巴南区人民政府办公室关于印发重庆市巴南区全民科学素质行动计划工作清单(2021-2025年)的通知")
                .as_deref(),
            Some("重庆市巴南区全民科学素质行动计划工作清单(2021-2025年)")
        );
        // A development plan of another field is not ours.
        assert_eq!(title("某市交通发展规划\n"), None);
    }
}
