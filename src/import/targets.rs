//! Quantified targets in a line of a plan: the literacy goal (公民具备科学素质的比例…超过15%) and
//! the counts of measures, with their year, bound, unit and hedge.

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{item_number, Line};
use super::units::chars_led_by;
use crate::plan::{Relation, Sp, Target};
use crate::quantity;
use crate::quantity::re;
use crate::rules::name_index::NameIndex;
use crate::rules::normalize;
use crate::rules::Normalizer;

/// How the importer reads a line's targets.
pub(super) struct TargetContext<'v> {
    pub literacy: &'v NameIndex,
    pub normalizer: &'v Normalizer,
    /// The year of a 工作要点: its counts are for that year.
    pub work_year: Option<i64>,
    /// The plan's period: a percentage dated before it is a level reached, not a goal.
    pub period: (i64, i64),
    /// In the goals part of an implementation plan an undated literacy goal is for the end
    /// of the period.
    pub in_goals: bool,
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

pub(super) fn targets_in(line: &Line, cx: &TargetContext<'_>) -> Vec<(bool, Target<'static>)> {
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
