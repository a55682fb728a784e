//! Name matching: the same action is written 青少年科学素质提升行动, 实施青少年科学素质提升行动 or
//! “青少年科学素质提升行动”; the normaliser makes them compare equal.

/// Folds a name to a comparable key: full-width ASCII to half-width, no spaces or punctuation,
/// and none of the pack's filler words (实施, 开展, …).
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// Filler words, longest first so that a longer word is removed before its parts.
    ignore: Vec<String>,
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
        Normalizer { ignore }
    }

    pub fn key(&self, name: &str) -> String {
        let mut key = fold(name);
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
        let key = self.key(written);
        !key.is_empty()
            && declared_keys
                .iter()
                .any(|d| !d.is_empty() && (key == *d || key.contains(d.as_str())))
    }
}

/// Width folding and removal of whitespace and punctuation.
fn fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
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
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
