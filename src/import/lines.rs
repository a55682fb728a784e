//! Physical lines of extracted text → logical lines: page numbers and stray punctuation dropped,
//! a second (broken) copy of the document cut off, and sentences that PDF extraction split across
//! lines joined again. Each logical line keeps a map back to byte offsets in the document.

use std::sync::OnceLock;

use regex::Regex;

use crate::quantity::re;
use crate::source::Span;

/// A logical line: its text, and the document offset of each piece it was joined from.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// (offset in `text`, offset in the document) at the start of each joined piece.
    pieces: Vec<(usize, usize)>,
}

impl Line {
    /// A line of the document that is `text` at `offset` (a cell, a disclosure field).
    pub fn at(text: &str, offset: usize) -> Line {
        Line {
            text: text.to_owned(),
            pieces: vec![(0, offset)],
        }
    }

    /// The document offset of a byte offset in `text`.
    pub fn doc_offset(&self, at: usize) -> usize {
        let (text_start, doc_start) = self
            .pieces
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .copied()
            .unwrap_or((0, self.pieces[0].1));
        doc_start + (at - text_start)
    }

    /// The document span of a byte range of `text` (which may cross a joined line break). Offsets
    /// inside a character are moved back to its start, so a span is always on boundaries.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let floor = |at: usize| {
            let mut at = at.min(self.text.len());
            while !self.text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (start, end) = (floor(start), floor(end));
        if end <= start {
            let at = self.doc_offset(start);
            return Span::new(at, at);
        }
        // The end is the end of the last character, mapped from inside its piece.
        let last = self.text[..end]
            .chars()
            .next_back()
            .map(char::len_utf8)
            .unwrap_or(0);
        Span::new(self.doc_offset(start), self.doc_offset(end - last) + last)
    }

    pub fn whole(&self) -> Span {
        self.span(0, self.text.len())
    }

    /// The part of the line from `at` on, as a line of its own (its pieces map back as before).
    fn split_off(&mut self, at: usize) -> Line {
        let doc_at = self.doc_offset(at);
        let mut pieces = vec![(0, doc_at)];
        pieces.extend(
            self.pieces
                .iter()
                .filter(|(t, _)| *t > at)
                .map(|(t, d)| (t - at, *d)),
        );
        self.pieces.retain(|(t, _)| *t < at);
        let text = self.text.split_off(at);
        Line { text, pieces }
    }
}

/// A line longer than this with headings inside it is a text whose line breaks were lost (a
/// page that ran the document into one paragraph, a PDF copied as one line).
const FLATTENED_CHARS: usize = 300;

/// Where the structure of a flattened line starts again: a title at its start (…实施方案
/// （2021—2025年）), and headings (一、 （一）) after a sentence or a lost line break (a space).
fn flattened_breaks(text: &str) -> Vec<usize> {
    static TITLE: OnceLock<Regex> = OnceLock::new();
    static HEADING: OnceLock<Regex> = OnceLock::new();
    let title = re(
        &TITLE,
        || r"^[^。，,；《]{4,60}?(?:方案|要点|规划|纲要|计划|意见|清单)\s*[（(][^（）()。]{4,16}[）)]",
    );
    let heading = re(
        &HEADING,
        || r"(?:[。；;]\s*|\s+)((?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])\S)",
    );
    let mut breaks: Vec<usize> = title.find(text).map(|m| m.end()).into_iter().collect();
    breaks.extend(
        heading
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.start())
            .filter(|&at| at > 0),
    );
    // A part's heading run into its first sub-heading (二、重点任务(一)实施…): the sub-heading
    // starts a line of its own.
    static FIRST_SUB: OnceLock<Regex> = OnceLock::new();
    let first_sub = re(
        &FIRST_SUB,
        || r"(?:^|[。；;\s])[一二三四五六七八九十]{1,3}、[^。；;（(\s]{2,30}([（(]一[）)])",
    );
    breaks.extend(
        first_sub
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.start()),
    );
    breaks.sort_unstable();
    breaks.dedup();
    breaks
}

/// Lines whose breaks were lost, broken again where their structure starts.
fn unflatten(lines: Vec<Line>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    for mut line in lines {
        if line.text.chars().nth(FLATTENED_CHARS).is_none() {
            out.push(line);
            continue;
        }
        let breaks = flattened_breaks(&line.text);
        let mut parts = Vec::with_capacity(breaks.len() + 1);
        for &at in breaks.iter().rev() {
            parts.push(line.split_off(at));
        }
        parts.push(line);
        for mut part in parts.into_iter().rev() {
            let end = part.text.trim_end().len();
            part.text.truncate(end);
            if !part.text.is_empty() {
                out.push(part);
            }
        }
    }
    out
}

/// Characters that end a sentence or a complete line.
pub(super) fn ends_complete(line: &str) -> bool {
    const ENDERS: &[char] = &[
        '。', '；', ';', '！', '？', '：', ':', '）', ')', '”', '」', '》',
    ];
    const WORDS: &[&str] = &[
        "方案",
        "要点",
        "意见",
        "计划",
        "安排",
        "通知",
        "纲要",
        "规划",
        "清单",
        "办公室",
        "办公厅",
        "政府",
        "小组",
        "文件",
        "号",
    ];
    line.ends_with(ENDERS)
        || WORDS.iter().any(|w| line.ends_with(w))
        || is_date(line)
        || ends_with_time(line)
}

/// A page's date and time (发布日期 2016-06-23 00:00) ends its line.
fn ends_with_time(line: &str) -> bool {
    let tail = line.as_bytes();
    let n = tail.len();
    n >= 5
        && tail[n - 3] == b':'
        && tail[n - 5..n - 3].iter().all(u8::is_ascii_digit)
        && tail[n - 2..].iter().all(u8::is_ascii_digit)
}

pub fn is_date(line: &str) -> bool {
    // A date is short: a long line is not compacted only to be refused (a line of a document
    // being joined is tested after each piece).
    if line.len() > 64 {
        return false;
    }
    let compact: String = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect();
    let Some(rest) = compact.strip_suffix('日') else {
        return false;
    };
    let parts: Vec<&str> = rest.split(['年', '月']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Whether a line starts a new unit of structure (heading, numbered item, unit label).
pub fn starts_structure(line: &str) -> bool {
    heading_level(line).is_some()
        || item_number(line).is_some()
        || ["牵头单位", "牵头部门", "参与单位", "配合单位", "责任单位"]
            .iter()
            .any(|l| line.starts_with(l))
}

const CN_NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// `一、…` is level 1, `（一）…` level 2. Returns the level and where the heading text starts
/// (after any spaces).
pub fn heading_level(line: &str) -> Option<(u8, usize)> {
    let (level, start) = heading_marker(line)?;
    let rest = &line[start..];
    Some((level, start + (rest.len() - rest.trim_start().len())))
}

fn heading_marker(line: &str) -> Option<(u8, usize)> {
    // 第一部分 / 第一章: a part, as 一、 is (a document numbers its parts one way or the other).
    if let Some(rest) = line.strip_prefix('第') {
        let numeral_end = rest.find(|c: char| !CN_NUMERALS.contains(&c))?;
        let after = &rest[numeral_end..];
        let word = ["部分", "章"].iter().find(|w| after.starts_with(**w))?;
        if numeral_end == 0 {
            return None;
        }
        let end = line.len() - after.len() + word.len();
        let rest = &line[end..];
        // The part's name follows after a space or a 、; 第一章节 is not a heading.
        let sep = rest.len()
            - rest
                .trim_start_matches([' ', '\u{3000}', '、', '：', ':'])
                .len();
        return (sep > 0 || rest.is_empty()).then_some((1, end + sep));
    }
    let numeral_end = line
        .find(|c: char| !CN_NUMERALS.contains(&c))
        .unwrap_or(line.len());
    if numeral_end > 0 && line[numeral_end..].starts_with('、') {
        return Some((1, numeral_end + '、'.len_utf8()));
    }
    let open = line.strip_prefix(['（', '('])?;
    let numeral_end = open.find(|c: char| !CN_NUMERALS.contains(&c))?;
    if numeral_end == 0 {
        return None;
    }
    let after = &open[numeral_end..];
    let close = after.strip_prefix(['）', ')'])?;
    Some((2, line.len() - close.len()))
}

/// `1.` `1．` `1、` `(1)` `①`: the item's number and where its text starts.
pub fn item_number(line: &str) -> Option<(u32, usize)> {
    // ASCII or full-width digits (１．): up to three of them.
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let digits_end = line.find(|c: char| !is_digit(c)).unwrap_or(line.len());
    if digits_end > 0 && line[..digits_end].chars().count() <= 3 {
        let rest = &line[digits_end..];
        let marker = rest.chars().next()?;
        if matches!(marker, '.' | '．' | '、') {
            let after = digits_end + marker.len_utf8();
            // "2.5亿" is a number, not an item.
            if line[after..].starts_with(is_digit) {
                return None;
            }
            let start = after + (line[after..].len() - line[after..].trim_start().len());
            let number = crate::quantity::parse_number(&line[..digits_end])?;
            return Some((number as u32, start));
        }
        return None;
    }
    if let Some(open) = line.strip_prefix(['（', '(']) {
        let end = open.find(|c: char| !c.is_ascii_digit())?;
        if end == 0 {
            return None;
        }
        let close = open[end..].strip_prefix(['）', ')'])?;
        return Some((open[..end].parse().ok()?, line.len() - close.len()));
    }
    let first = line.chars().next()?;
    if ('①'..='⑳').contains(&first) {
        return Some((first as u32 - '①' as u32 + 1, first.len_utf8()));
    }
    None
}

fn is_noise(line: &str) -> bool {
    let visible = || line.chars().filter(|c| !c.is_whitespace());
    // Nothing, or punctuation only. Most lines fail this at their first character. A closing
    // bracket or sentence mark alone is the end of a line broken at the page's width (…负责 / ）):
    // it stays, to be joined to its line.
    if visible().all(|c| c.is_ascii_punctuation() || "，。、；：“”‘’（）《》—…·".contains(c))
    {
        return !visible().any(|c| "）)”》。；".contains(c));
    }
    // Page numbers: "12", "-12-", "— 12 —", "第3页" — never more than 12 bytes of text.
    let short = visible()
        .try_fold(0, |n, c| Some(n + c.len_utf8()).filter(|&n| n <= 12))
        .is_some();
    if !short {
        return false;
    }
    let compact = compact(line);
    let stripped = compact.trim_matches(|c| matches!(c, '-' | '—' | '–' | '第' | '页'));
    !stripped.is_empty() && stripped.len() <= 3 && stripped.chars().all(|c| c.is_ascii_digit())
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Physical lines with their document offsets, trimmed, noise removed.
fn physical(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let content = raw.trim_end_matches(['\n', '\r']);
        let trimmed_start = content.trim_start_matches(|c: char| c.is_whitespace());
        let trimmed = trimmed_start.trim_end_matches(|c: char| c.is_whitespace());
        if !is_noise(trimmed) {
            out.push((offset + (content.len() - trimmed_start.len()), trimmed));
        }
        offset += raw.len();
    }
    out
}

/// Where a second copy of the document starts (PDF extraction sometimes appends one, broken
/// into short lines): the first line's text found again, at a line start, in the later part.
fn second_copy(lines: &[(usize, &str)]) -> Option<usize> {
    let first = compact(lines.first()?.1);
    if first.chars().count() < 6 {
        return None;
    }
    let first_char = first.chars().next()?;
    // A copy is no longer than what it copies: a page that repeats its title above the text
    // (page title, breadcrumb, heading) has its text after the repeat, not a copy.
    let chars_from: Vec<usize> = {
        let mut total = 0;
        let mut from: Vec<usize> = lines
            .iter()
            .rev()
            .map(|(_, l)| {
                total += l.len();
                total
            })
            .collect();
        from.reverse();
        from
    };
    let whole = chars_from.first().copied().unwrap_or(0);
    (lines.len() / 4 + 1..lines.len()).find(|&i| {
        if chars_from[i] * 2 > whole + whole / 5 {
            return false;
        }
        // Most lines start otherwise: only those that could begin the copy are joined.
        if !lines[i].1.starts_with(first_char) {
            return false;
        }
        let mut joined = String::new();
        for (_, l) in &lines[i..] {
            joined.push_str(&compact(l));
            if joined.len() >= first.len() {
                break;
            }
        }
        joined.starts_with(&first)
    })
}

/// The brackets left open after `text`, given those open before it: （ is EF BC 88 and ） EF BC
/// 89 in UTF-8, so the bytes are read, not the characters.
fn bracket_depth(mut depth: i32, text: &str) -> i32 {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let wide = |last: u8| {
            b == 0xEF && bytes.get(i + 1) == Some(&0xBC) && bytes.get(i + 2) == Some(&last)
        };
        if b == b'(' || wide(0x88) {
            depth += 1;
        } else if b == b')' || wide(0x89) {
            depth = (depth - 1).max(0);
        }
    }
    depth
}

/// The width at which extraction broke the text's lines, if it did: the most common length of
/// its long lines, when a good share of them have it (a PDF's text runs to the page's width;
/// a web page's paragraphs have no common length).
fn wrap_width(lines: &[(usize, &str)]) -> Option<usize> {
    let mut counts: rustc_hash::FxHashMap<usize, usize> = Default::default();
    let mut long = 0;
    for (_, line) in lines {
        let n = line.chars().count();
        if n >= MIN_WRAP_WIDTH {
            long += 1;
            *counts.entry(n).or_default() += 1;
        }
    }
    let (&width, _) = counts.iter().max_by_key(|(&n, &c)| (c, n))?;
    let at_width =
        counts.get(&width).copied().unwrap_or(0) + counts.get(&(width - 1)).copied().unwrap_or(0);
    // A page broken at its width has most of its long lines at that width, and many of them:
    // a web page's few lines that happen to share a length are not a page.
    (at_width >= 8 && at_width * 2 >= long).then_some(width)
}

/// The narrowest page a text is broken at: narrower lines are a table's cells or a list.
const MIN_WRAP_WIDTH: usize = 16;

/// The document's logical lines, and whether a second copy was cut off.
#[cfg(test)]
pub fn logical_lines(text: &str) -> (Vec<Line>, bool) {
    logical_lines_in(text, 0, &[])
}

/// The logical lines of the text from `start` on, leaving out the `excluded` ranges (tables read
/// on their own): no line is joined across one.
pub fn logical_lines_in(
    text: &str,
    start: usize,
    excluded: &[std::ops::Range<usize>],
) -> (Vec<Line>, bool) {
    let mut lines = physical(text);
    lines.retain(|(offset, _)| *offset >= start);
    let cut = second_copy(&lines);
    if let Some(at) = cut {
        lines.truncate(at);
    }
    let width = wrap_width(&lines);
    let mut out: Vec<Line> = Vec::new();
    let mut open = false; // whether the last logical line may continue
                          // Brackets the last logical line leaves open, counted piece by piece as it is joined (not
                          // re-read whole for every piece: a long joined line would cost its square).
    let mut depth = 0i32;
    for (offset, line) in lines {
        if excluded.iter().any(|r| r.contains(&offset)) {
            open = false;
            continue;
        }
        // Inside an open bracket no label starts (（牵头单位：…； / 配合单位：…） is one group);
        // a numbered item or a heading still does (a bracket the page never closed).
        let new_item = heading_level(line).is_some() || item_number(line).is_some();
        if open && !new_item && (depth > 0 || !starts_structure(line)) {
            let last = out.last_mut().expect("open implies a line");
            last.pieces.push((last.text.len(), offset));
            last.text.push_str(line);
        } else {
            out.push(Line {
                text: line.to_owned(),
                pieces: vec![(0, offset)],
            });
            depth = 0;
        }
        let current = &out.last().expect("just pushed").text;
        // A line that fills the page's width was broken there, whatever it ends with (a PDF
        // breaks after 牵头单位： as readily as mid-word), unless it ends a sentence.
        let full = width.is_some_and(|w| line.chars().count() + 1 >= w)
            && !line.ends_with(['。', '！', '？']);
        open = full
            || !ends_complete(current) && heading_level(current).is_none_or(|(level, _)| level > 2);
        // Only a line that may continue needs its open brackets counted.
        depth = if open { bracket_depth(depth, line) } else { 0 };
    }
    (name_bare_parts(unflatten(out)), cut.is_some())
}

/// A part's marker alone on its line (第一部分, then 指导思想和目标 below it): the next line,
/// short and not a sentence, is its name, joined to it.
fn name_bare_parts(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut bare = false;
    for line in lines {
        let names_it = bare
            && line.text.chars().count() <= 30
            && !line.text.contains('。')
            && heading_level(&line.text).is_none()
            && item_number(&line.text).is_none();
        if names_it {
            let last = out.last_mut().expect("a bare part came before");
            last.text.push('\u{3000}');
            let base = last.text.len();
            last.pieces
                .extend(line.pieces.iter().map(|&(t, d)| (base + t, d)));
            last.text.push_str(&line.text);
            bare = false;
            continue;
        }
        bare = line.text.starts_with('第')
            && heading_level(&line.text).is_some_and(|(_, start)| start == line.text.len());
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_sentences_are_joined_and_spans_map_back() {
        let text = "一、总体要求\n为厚植沃土，“建强副\n\n中心、形成增长极”提供支撑。\n— 3 —\n1.加强培训。\n";
        let (lines, cut) = logical_lines(text);
        assert!(!cut);
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1].text,
            "为厚植沃土，“建强副中心、形成增长极”提供支撑。"
        );
        let at = lines[1].text.find("中心").unwrap();
        let span = lines[1].span(at, at + "中心".len());
        assert_eq!(&text[span.start..span.end], "中心");
        let whole = lines[1].whole();
        assert!(
            text[whole.start..whole.end].starts_with("为厚植")
                && text[whole.start..whole.end].ends_with("支撑。")
        );
        assert_eq!(lines[2].text, "1.加强培训。");
    }

    #[test]
    fn a_part_marker_alone_takes_its_name_from_the_next_line() {
        let (lines, _) = logical_lines("第一部分\n指导思想和目标\n（一）指导思想。坚持……。\n");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            ["第一部分\u{3000}指导思想和目标", "（一）指导思想。坚持……。"]
        );
        let name_at = lines[0].text.find("指导").unwrap();
        let span = lines[0].span(name_at, lines[0].text.len());
        assert_eq!(
            span,
            Span::new("第一部分\n".len(), "第一部分\n指导思想和目标".len())
        );
    }

    #[test]
    fn an_unclosed_bracket_does_not_swallow_the_next_item() {
        let text = "1.开展科普活动（牵头单位：市教育局、市科协\n2.开展农民培训。（市农业农村局）\n";
        let (lines, _) = logical_lines(text);
        assert_eq!(lines.len(), 2, "{lines:?}");
    }

    #[test]
    fn parts_numbered_as_parts_are_level_one() {
        assert_eq!(
            heading_level("第一部分　总体要求"),
            Some((1, "第一部分　".len()))
        );
        assert_eq!(heading_level("第三章 保障措施"), Some((1, "第三章 ".len())));
        assert_eq!(heading_level("第一部分"), Some((1, "第一部分".len())));
        assert_eq!(heading_level("第一章节内容"), None);
        assert_eq!(heading_level("第二批试点"), None);
    }

    #[test]
    fn markers() {
        assert_eq!(heading_level("一、总体要求"), Some((1, "一、".len())));
        assert_eq!(heading_level("（二）农民"), Some((2, "（二）".len())));
        assert_eq!(heading_level("(二)农民"), Some((2, "(二)".len())));
        assert_eq!(heading_level("一是加强"), None);
        assert_eq!(item_number("12.深入开展"), Some((12, 3)));
        assert_eq!(item_number("16. 以全国科普日"), Some((16, 4)));
        assert_eq!(item_number("2023年唐山市"), None);
        assert_eq!(item_number("(3)开展"), Some((3, 3)));
        assert_eq!(item_number("１２．深入开展"), Some((12, 9)));
        assert_eq!(item_number("２.５亿元"), None);
        assert!(is_date("2022年3月25日"));
        assert!(is_noise("- 12 -") && is_noise("，") && !is_noise("2017"));
    }

    #[test]
    fn a_second_broken_copy_is_cut() {
        let mut text = String::from("平顶山市2017年全民科学素质工作要点\n");
        for i in 0..8 {
            text.push_str(&format!("{}.第{i}项工作。\n", i + 1));
        }
        text.push_str("平顶山市\n\n2017\n\n年全民科学素质工作要点\n1.第0项\n工作。\n");
        let (lines, cut) = logical_lines(&text);
        assert!(cut);
        assert_eq!(lines.len(), 9);
    }

    #[test]
    fn a_flattened_text_is_broken_where_its_structure_starts() {
        let body = "科学素质是国民素质的重要组成部分。".repeat(20);
        let text = format!(
            "某省全民科学素质行动计划纲要实施方案(2016-2020年){body}一、总体要求(一)指导思想。坚持……。二、重点任务 (一)实施青少年科学素质行动。推进……"
        );
        let (lines, _) = logical_lines(&text);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts[0],
            "某省全民科学素质行动计划纲要实施方案(2016-2020年)"
        );
        assert!(texts[1].starts_with("科学素质是"));
        assert_eq!(texts[2], "一、总体要求");
        assert_eq!(texts[3], "(一)指导思想。坚持……。");
        assert_eq!(texts[4], "二、重点任务");
        assert_eq!(texts[5], "(一)实施青少年科学素质行动。推进……");
        // Each part maps back to where it stands in the document.
        let at = text.find("二、重点任务").unwrap();
        assert_eq!(lines[4].whole(), Span::new(at, at + "二、重点任务".len()));
    }
}
