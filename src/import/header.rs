//! The plan's facts from its 版头 and notice (GB/T 9704): its kind and period (from the title, or
//! inferred), the documents it implements (its basis) apart from its own 发文字号, its place and
//! level, its issuer and date, and what a page's disclosure table says of them.

use std::sync::OnceLock;

use regex::Regex;

use super::body::{classify_part, Part};
use super::lines::{heading_level, is_date, Line};
use super::text::{MetaField, MetaKey};
use super::title::{clause_says, period_in, title_key};
use super::{compact, Builder};
use crate::diagnostic::Finding;
use crate::gazetteer;
use crate::plan::{Level, PlanKind, Sp};
use crate::quantity;
use crate::quantity::re;
use crate::rules::normalize;
use crate::rules::normalize::DocumentNumber;
use crate::source::Span;

impl<'a> Builder<'a> {
    /// The title's facts and the notice's: kind, period, basis, region and level, issuer and
    /// date. The basis comes before the region: the documents a plan cites help decide a place
    /// name that several places share.
    pub(super) fn metadata(&mut self) {
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
                // In the 指导思想 (after the first heading) a number is a basis unless its clause
                // names the document as context (把握…意见（国发〔2022〕2号）出台的机遇).
                let in_body = i >= header_end;
                if !own && !seen && (!in_body || implements(&line.text[..m.start])) {
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
    pub(super) fn disclosure(&mut self, fields: &[MetaField], text: &str) -> Vec<Finding> {
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
}

/// Whether the clause that ends at a cited number cites it as something the plan implements:
/// any clause but one that names the document as context (把握…出台的机遇, …印发以来).
fn implements(before: &str) -> bool {
    !clause_says(before, &["把握", "机遇", "以来", "颁布实施"])
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

#[cfg(test)]
mod tests {
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
}
