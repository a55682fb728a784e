//! Quantities as plans write them: numbers in ASCII, full-width or Chinese numerals (１６％,
//! 百分之十六, 二〇二五年, 1.5万人次, 三千人次), with the bound (超过, 不低于, 以上, 左右…), the
//! hedge (力争, 有望, 预计) and the year they are qualified by. Shared by the importer and the
//! plan loader (a target's `text`), so both read the same sentence the same way.

use std::sync::OnceLock;

use regex::Regex;

use crate::plan::Relation;

/// A number as written: ASCII or full-width digits with an optional decimal part, or Chinese
/// numerals. No multiplier; see [`parse_number`].
pub const NUMBER: &str = r"(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[〇零一二两三四五六七八九十百千]+(?:点[〇零一二三四五六七八九]+)?)";

/// Four year digits, ASCII, full-width or Chinese (2025, ２０２５, 二〇二五).
pub const YEAR_DIGITS: &str = "(?:[0-9０-９]{4}|[〇零一二三四五六七八九]{4})";

/// The regex kept in `cell`, compiled on first use; `pattern` is called only then, so that a
/// pattern put together with `format!` is not put together again on every call.
pub(crate) fn re<P: AsRef<str>>(
    cell: &'static OnceLock<Regex>,
    pattern: impl FnOnce() -> P,
) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern().as_ref()).expect("built-in patterns are valid"))
}

/// Whether `text` holds any of `chars`. `str::contains` with a set of characters decodes every
/// character of the text, and with one character searches a word at a time; this finds each
/// character's last byte with memchr's vectorised search and compares the bytes before it
/// (UTF-8 is self-synchronising: a whole character's bytes found anywhere are that character).
/// The prefilters of the quantity readers were a fifth of a document's import.
pub(crate) fn contains_any(text: &str, chars: &[char]) -> bool {
    let haystack = text.as_bytes();
    chars.iter().any(|&c| {
        let mut buffer = [0u8; 4];
        let needle = c.encode_utf8(&mut buffer).as_bytes();
        let last = needle[needle.len() - 1];
        memchr::memchr_iter(last, haystack)
            .any(|i| i + 1 >= needle.len() && haystack[i + 1 - needle.len()..=i] == *needle)
    })
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        '〇' | '零' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// The value of a number written in any of the forms of [`NUMBER`], with an optional trailing
/// multiplier (万, 千, 亿). `None` for anything else.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let (body, multiplier) = match text.chars().next_back()? {
        '万' => (&text[..text.len() - '万'.len_utf8()], 1e4),
        '亿' => (&text[..text.len() - '亿'.len_utf8()], 1e8),
        _ => (text, 1.0),
    };
    if body.is_empty() {
        return None;
    }
    let positional = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let value = if body.chars().all(|c| positional(c) || c == '.' || c == '．') {
        // Full-width digits and point folded to ASCII.
        let ascii: String = body
            .chars()
            .map(|c| match c {
                '．' | '.' => '.',
                c => digit(c).and_then(|d| char::from_digit(d, 10)).unwrap_or(c),
            })
            .collect();
        ascii.parse().ok()?
    } else {
        chinese_number(body)?
    };
    // A count or share in a plan is never this large: a longer digit run is not a quantity.
    Some(value * multiplier).filter(|v| v.is_finite() && *v < 1e12)
}

/// 十五 → 15, 一百二十 → 120, 三千 → 3000, 二〇二五 → 2025, 十四点五 → 14.5.
fn chinese_number(text: &str) -> Option<f64> {
    let (int_part, frac_part) = match text.split_once('点') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let mut value: u64 = 0;
    if int_part.chars().any(|c| matches!(c, '十' | '百' | '千')) {
        let (mut section, mut last_digit) = (0u64, None::<u64>);
        for c in int_part.chars() {
            match c {
                '十' | '百' | '千' => {
                    let unit = match c {
                        '十' => 10,
                        '百' => 100,
                        _ => 1000,
                    };
                    section += last_digit.take().unwrap_or(1) * unit;
                }
                _ => last_digit = Some(u64::from(digit(c)?)),
            }
        }
        value = section + last_digit.unwrap_or(0);
    } else if !int_part.is_empty() {
        // Digit by digit: 二〇二五.
        for c in int_part.chars() {
            value = value.checked_mul(10)? + u64::from(digit(c)?);
        }
    }
    let mut result = value as f64;
    if let Some(frac) = frac_part {
        let mut scale = 0.1;
        for c in frac.chars() {
            result += f64::from(digit(c)?) * scale;
            scale /= 10.0;
        }
    }
    Some(result)
}

/// A year written in four digits (ASCII or full-width) or in Chinese digits (二〇二五).
pub fn parse_year(text: &str) -> Option<i64> {
    let digits: Option<Vec<u32>> = text.trim().chars().map(digit).collect();
    let digits = digits?;
    (digits.len() == 4).then(|| digits.iter().fold(0i64, |y, d| y * 10 + i64::from(*d)))
}

/// A percentage in a text, with where it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Percent {
    pub value: f64,
    /// Byte range of the number and its sign (or of 百分之…).
    pub start: usize,
    pub end: usize,
}

/// Every percentage in a text: 15%, １６％, 14.5 %, 百分之十六.
pub fn percents(text: &str) -> Vec<Percent> {
    // Every form has 百分之, a percent sign or 百分点: a sentence without them has none.
    if !contains_any(text, &['%', '％', '百']) {
        return Vec::new();
    }
    static PCT: OnceLock<Regex> = OnceLock::new();
    let pct = re(&PCT, || {
        format!(r"百分之\s*({NUMBER})|({NUMBER})\s*(?:[%％]|个百分点)")
    });
    pct.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            // 个百分点 is a change, not a level.
            if whole.as_str().ends_with("个百分点") {
                return None;
            }
            let number = c.get(1).or(c.get(2))?;
            Some(Percent {
                value: parse_number(number.as_str())?,
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

/// The bound a quantity is stated with, and the words that state it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounded {
    pub relation: Relation,
    /// The bound as written (超过, 不低于, 以上…); `None` when nothing qualified the number.
    pub written: Option<String>,
    /// 左右, 约: the number is approximate.
    pub approximate: bool,
}

/// Read the bound around a number: the words just before it (超过, 达到, 不低于, 提升至…) and
/// just after it (以上, 以下, 左右, 余).
pub fn bound_around(before: &str, after: &str) -> Bounded {
    static BEFORE: OnceLock<Regex> = OnceLock::new();
    static AFTER: OnceLock<Regex> = OnceLock::new();
    let before_re = re(
        &BEFORE,
        || r"(超过|高于|大于|不低于|不少于|不小于|至少|达到|达|提高到|提高至|提升到|提升至|增加到|增长到|增至|突破|低于|少于|小于|不超过|不高于|控制在|约|为|是)\s*$",
    );
    let after_re = re(&AFTER, || r"^\s*(以上|以下|以内|左右|多|余)");
    let verb = before_re
        .captures(before)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str());
    let tail = after_re
        .captures(after)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str());
    let mut relation = match verb {
        Some("超过" | "高于" | "大于" | "突破") => Relation::Above,
        Some("低于" | "少于" | "小于") => Relation::Below,
        Some("不超过" | "不高于" | "控制在") => Relation::AtMost,
        _ => Relation::AtLeast,
    };
    match tail {
        Some("以下" | "以内") => relation = Relation::AtMost,
        Some("多" | "余") if relation == Relation::AtLeast => relation = Relation::Above,
        _ => {}
    }
    let written: Vec<&str> = verb.into_iter().chain(tail).collect();
    Bounded {
        relation,
        written: (!written.is_empty()).then(|| written.join("…")),
        approximate: verb == Some("约") || tail == Some("左右"),
    }
}

/// The hedge that qualifies a statement (力争, 有望, 预计, 争取, 左右/约 for an approximate
/// number): a reviewer reads such a target as an aspiration, not a commitment.
pub fn hedge_in(text: &str) -> Option<(usize, &'static str)> {
    const HEDGES: &[&str] = &["力争", "争取", "有望", "预计", "预期", "努力"];
    HEDGES
        .iter()
        .filter_map(|h| text.find(h).map(|at| (at, *h)))
        .min()
}

/// The hedge of a statement whose number has `bound`: a hedging word, or 左右 for an
/// approximate number.
pub fn hedge_of(text: &str, bound: &Bounded) -> Option<&'static str> {
    hedge_in(text)
        .map(|h| h.1)
        .or(bound.approximate.then_some("左右"))
}

/// The year a clause is qualified by: 到2025年, 2025年末/底/前, 力争2025年, 二〇二五年, or the end
/// of a five-year period (“十四五”末, 十四五期末, “十四五”时期末) — the last in the text wins.
pub fn year_in(text: &str) -> Option<i64> {
    // Both forms end in 年 or 末: most sentences have neither, and skip the search.
    if !contains_any(text, &['年', '末']) {
        return None;
    }
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let year = re(&YEAR, || {
        format!(r"({YEAR_DIGITS})\s*年|(十[一二三四五六])五[”\x22’]?\s*(?:期末|末|时期末)")
    });
    let mut found = None;
    for c in year.captures_iter(text) {
        if let Some(y) = c.get(1).and_then(|m| parse_year(m.as_str())) {
            // 2021—2025年 names a period: its end qualifies what follows.
            if (1990..=2100).contains(&y) {
                found = Some(y);
            }
        } else if let Some(plan) = c.get(2) {
            let n = match plan.as_str() {
                "十一" => 11,
                "十二" => 12,
                "十三" => 13,
                "十四" => 14,
                "十五" => 15,
                _ => 16,
            };
            // The n-th five-year plan ends in 1955 + 5n: 十四五 → 2025.
            found = Some(1955 + 5 * n);
        }
    }
    found
}

/// A target stated in a sentence, read with the functions above.
#[derive(Clone, Debug, PartialEq)]
pub struct Stated {
    pub value: f64,
    /// `%` for a percentage.
    pub unit: Option<String>,
    pub bound: Bounded,
    pub year: Option<i64>,
    pub hedge: Option<&'static str>,
    /// Byte range of the number (and its sign) in the sentence.
    pub start: usize,
    pub end: usize,
}

/// The first percentage of a sentence with its bound, year and hedge.
pub fn stated_percent(sentence: &str) -> Option<Stated> {
    let p = percents(sentence).into_iter().next()?;
    let bound = bound_around(&sentence[..p.start], &sentence[p.end..]);
    Some(Stated {
        value: p.value,
        unit: Some("%".into()),
        hedge: hedge_of(sentence, &bound),
        bound,
        year: year_in(&sentence[..p.start]),
        start: p.start,
        end: p.end,
    })
}

/// Fill what a plan file's target leaves out from its `text`: value, unit, year, relation
/// (unless written) and hedge. Spans of filled values are the text's.
pub fn complete_from_text(target: &mut crate::plan::Target, explicit_relation: bool) {
    use crate::plan::Sp;
    let Some(text) = target.text.clone() else {
        return;
    };
    let span = text.span;
    if target.hedge.is_none() {
        let approximate = ["左右", "约"].iter().any(|w| text.value.contains(*w));
        let hedge = hedge_in(&text.value)
            .map(|h| h.1)
            .or(approximate.then_some("左右"));
        target.hedge = hedge.map(|h| Sp::new(h.to_owned().into(), span));
    }
    if target.value.is_some() {
        return;
    }
    let Some(stated) = stated_percent(&text.value) else {
        return;
    };
    target.value = Some(Sp::new(stated.value, span));
    if target.unit.is_none() {
        target.unit = stated.unit.map(|u| Sp::new(u.into(), span));
    }
    if target.year.is_none() && target.per.is_none() {
        target.year = stated.year.map(|y| Sp::new(y, span));
    }
    if !explicit_relation {
        target.relation = Sp::new(stated.bound.relation, span);
    }
    if target.bound.is_none() {
        target.bound = stated.bound.written.map(|w| Sp::new(w.into(), span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_script() {
        assert_eq!(parse_number("16"), Some(16.0));
        assert_eq!(parse_number("１６"), Some(16.0));
        assert_eq!(parse_number("14.5"), Some(14.5));
        assert_eq!(parse_number("１４．５"), Some(14.5));
        assert_eq!(parse_number("十五"), Some(15.0));
        assert_eq!(parse_number("十"), Some(10.0));
        assert_eq!(parse_number("二十五"), Some(25.0));
        assert_eq!(parse_number("一百二十"), Some(120.0));
        assert_eq!(parse_number("三千"), Some(3000.0));
        assert_eq!(parse_number("十四点五"), Some(14.5));
        assert_eq!(parse_number("1.5万"), Some(15000.0));
        assert_eq!(parse_number("两万"), Some(20000.0));
        assert_eq!(parse_number("科普"), None);
        assert_eq!(parse_number("9999999999999999999"), None);
    }

    #[test]
    fn years_in_every_script() {
        assert_eq!(parse_year("2025"), Some(2025));
        assert_eq!(parse_year("２０２５"), Some(2025));
        assert_eq!(parse_year("二〇二五"), Some(2025));
        assert_eq!(year_in("力争2025年，全市公民"), Some(2025));
        assert_eq!(year_in("到二〇二五年"), Some(2025));
        assert_eq!(year_in("“十四五”期末，全县"), Some(2025));
        assert_eq!(year_in("十四五末"), Some(2025));
        assert_eq!(year_in("“十四五”时期末"), Some(2025));
        assert_eq!(year_in("“十三五”末"), Some(2020));
        assert_eq!(year_in("全面提升"), None);
    }

    #[test]
    fn percentages_in_every_script() {
        let p = percents("比例达到１６％，百分之十六，14.5 %，提高3个百分点");
        let values: Vec<f64> = p.iter().map(|p| p.value).collect();
        assert_eq!(values, [16.0, 16.0, 14.5]);
    }

    #[test]
    fn bounds_and_hedges_are_kept() {
        let b = bound_around("比例超过", "");
        assert_eq!(
            (b.relation, b.written.as_deref()),
            (Relation::Above, Some("超过"))
        );
        let b = bound_around("比例达到", "以上");
        assert_eq!(b.relation, Relation::AtLeast);
        assert_eq!(b.written.as_deref(), Some("达到…以上"));
        let b = bound_around("比例提升至", "左右");
        assert!(b.approximate);
        assert_eq!(bound_around("不低于", "").relation, Relation::AtLeast);
        assert_eq!(bound_around("", "余").relation, Relation::Above);
        assert_eq!(hedge_in("力争到2025年达到15%").map(|h| h.1), Some("力争"));
        assert_eq!(hedge_in("到2025年达到15%"), None);
    }
}
