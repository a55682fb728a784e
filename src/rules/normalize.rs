//! Name matching: the same action is written 青少年科学素质提升行动, 实施青少年科学素质提升行动 or
//! “青少年科学素质提升行动”; the normaliser makes them compare equal.

/// Folds a name to a comparable key: full-width ASCII to half-width, no spaces or punctuation,
/// and none of the pack's filler words (实施, 开展, …).
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// Filler words, longest first so that a longer word is removed before its parts.
    ignore: Vec<String>,
    /// Tells normalisers apart for caches of keys across plans (a copy keeps it: same words).
    id: u64,
}

/// A number nothing else given one in this process has (normalisers, matchers, declared names).
pub(crate) fn unique_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Normalizer {
    pub fn new(ignore: &[String]) -> Self {
        let mut ignore: Vec<String> = ignore
            .iter()
            .map(|w| fold(w))
            .filter(|w| !w.is_empty())
            .collect();
        ignore.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        ignore.dedup();
        Normalizer {
            ignore,
            id: unique_id(),
        }
    }

    /// What tells this normaliser's keys from another's in a cache.
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn key(&self, name: &str) -> String {
        self.key_of_folded(fold(name))
    }

    /// [`Normalizer::key`] of a name already folded (see [`fold`]).
    pub fn key_of_folded(&self, folded: String) -> String {
        let mut key = folded;
        for word in &self.ignore {
            if key.contains(word.as_str()) {
                key = key.replace(word.as_str(), "");
            }
        }
        key
    }

    /// The filler words, folded.
    pub fn words(&self) -> &[String] {
        &self.ignore
    }

    /// Whether a name written in a plan denotes the declared name (or one of its aliases):
    /// equal keys, or the plan's key containing the declared one (大力实施… still matches).
    pub fn matches(&self, written: &str, declared_keys: &[String]) -> bool {
        Self::key_matches(&self.key(written), declared_keys)
    }

    /// [`Normalizer::matches`] for a name already normalised.
    pub fn key_matches(key: &str, declared_keys: &[String]) -> bool {
        !key.is_empty()
            && declared_keys
                .iter()
                .any(|d| !d.is_empty() && (key == d || key.contains(d.as_str())))
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Width folding and removal of whitespace and punctuation.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    folded.extend(text.chars().filter_map(fold_char));
    folded
}

/// One character of [`fold`]: `None` when it is dropped.
fn fold_char(c: char) -> Option<char> {
    // Most characters of a plan are Han, kept as they are: told first, without the tables.
    if is_han(c) {
        return Some(c);
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    };
    let drop = c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '、' | '，'
                | '。'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '「'
                | '」'
                | '【'
                | '】'
                | '〔'
                | '〕'
                | '—'
                | '…'
                | '·'
                | '・'
                | '：'
                | '；'
        );
    (!drop).then(|| c.to_ascii_lowercase())
}

/// The brackets plans put around a document number's year: 〔〕 as the standard has it, and the
/// forms typists and PDF extraction leave (［］ [] （） () 【】, „‟ for 〔〕 in some PDF fonts).
pub const OPEN_BRACKETS: [char; 7] = ['〔', '[', '［', '(', '（', '【', '„'];
pub const CLOSE_BRACKETS: [char; 7] = ['〕', ']', '］', ')', '）', '】', '‟'];

/// A document number such as 国发〔2021〕9号: issuer code, year, serial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentNumber {
    pub prefix: String,
    pub year: u32,
    pub serial: u32,
}

impl DocumentNumber {
    /// Reads any bracket form plans use — 〔2021〕 [2021] ［2021］ (2021) （2021） 【2021】 —
    /// with or without spaces.
    pub fn parse(text: &str) -> Option<Self> {
        // A plan's basis is compared with every pack's documents: each entry is read once per
        // thread, not once per comparison.
        thread_local! {
            static READ: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Option<DocumentNumber>>> =
                Default::default();
        }
        if text.len() > 200 {
            return Self::parse_uncached(text);
        }
        READ.with_borrow_mut(|read| {
            if let Some(known) = read.get(text) {
                return known.clone();
            }
            let number = Self::parse_uncached(text);
            if read.len() >= 10_000 {
                read.clear();
            }
            read.insert(text.into(), number.clone());
            number
        })
    }

    fn parse_uncached(text: &str) -> Option<Self> {
        // Full-width digits as ASCII; spaces dropped.
        let text: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                c => c,
            })
            .collect();
        let open = text.find(OPEN_BRACKETS)?;
        let prefix = &text[..open];
        let rest = &text[open..];
        let mut chars = rest.chars();
        chars.next();
        let after_open = chars.as_str();
        let close = after_open.find(CLOSE_BRACKETS)?;
        let year = after_open[..close].parse().ok()?;
        let tail = &after_open[close..];
        let tail = &tail[tail.chars().next()?.len_utf8()..];
        let serial = tail.strip_suffix('号')?.parse().ok()?;
        (!prefix.is_empty()).then(|| DocumentNumber {
            prefix: prefix.to_owned(),
            year,
            serial,
        })
    }

    /// The first document number inside a longer text (a basis entry such as
    /// “《…》（豫政办〔2021〕73号）”), if any.
    pub fn find(text: &str) -> Option<Self> {
        let opens = text.match_indices(OPEN_BRACKETS);
        for (at, _) in opens {
            // The issuer code: the Han characters just before the bracket.
            let head = &text[..at];
            let code_start = head
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_han(*c))
                .last()
                .map(|(i, _)| i)
                .unwrap_or(at);
            let tail = &text[at..];
            let Some(end) = tail.find('号') else {
                continue;
            };
            if let Some(number) = Self::parse(&text[code_start..at + end + '号'.len_utf8()]) {
                return Some(number);
            }
        }
        None
    }

    /// The standard form (GB/T 9704-2012): 六角括号 〔〕 around the year.
    pub fn standard(&self) -> String {
        format!("{}〔{}〕{}号", self.prefix, self.year, self.serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_in_any_bracket_form() {
        let standard = DocumentNumber::parse("国发〔2021〕9号").unwrap();
        for form in [
            "国发[2021]9号",
            "国发(2021)9号",
            "国发 〔2021〕 9 号",
            "国发（2021）9号",
            "国发［2021］9号",
            "国发„2021‟9号",
            "国发〔２０２１〕９号",
        ] {
            assert_eq!(
                DocumentNumber::parse(form).as_ref(),
                Some(&standard),
                "{form}"
            );
        }
        assert_eq!(standard.standard(), "国发〔2021〕9号");
        assert!(DocumentNumber::parse("《某某方案》").is_none());
        assert!(DocumentNumber::parse("〔2021〕9号").is_none());
        let found = DocumentNumber::find(
            "《河南省全民科学素质行动规划纲要实施方案（2021—2025年）》（豫政办〔2021〕73号）",
        );
        assert_eq!(
            found.map(|n| n.standard()).as_deref(),
            Some("豫政办〔2021〕73号")
        );
        assert!(DocumentNumber::find("《全民科学素质行动规划纲要（2021—2035年）》").is_none());
    }

    #[test]
    fn wording_spacing_and_width_are_ignored() {
        let n = Normalizer::new(&["实施".into(), "开展".into()]);
        let declared = [n.key("青少年科学素质提升行动")];
        assert!(n.matches("实施青少年科学素质提升行动", &declared));
        assert!(n.matches("“青少年 科学素质提升行动”", &declared));
        assert!(n.matches("（一）青少年科学素质提升行动。", &declared));
        assert!(!n.matches("农民科学素质提升行动", &declared));
        assert!(!n.matches("", &declared));
    }

    #[test]
    fn full_width_ascii_folds() {
        assert_eq!(fold("ＡＢ１２ x"), "ab12x");
    }

    #[test]
    fn han_is_kept_and_punctuation_of_both_widths_is_dropped() {
        assert_eq!(
            fold("《全民科学素质行动规划纲要（2021—2035年）》、㐀 科普：Ｘ"),
            "全民科学素质行动规划纲要20212035年㐀科普x"
        );
    }
}
