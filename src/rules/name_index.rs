//! Many declared names matched in one pass: every key and every `means`/`except` spelling of a
//! set of names goes into one automaton, so a text is scanned once instead of once per spelling
//! of every name (the importer asks "is this heading an action? a project?" at every line).
//!
//! The answers are exactly those of [`ResolvedName::matches`] and [`ResolvedName::named`] on
//! each name: a spelling is contained in the text or it is not, however many names share it.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use super::ResolvedName;

/// A set of names compiled for matching.
#[derive(Clone, Debug)]
pub struct NameIndex {
    names: Vec<ResolvedName>,
    /// Over the names' keys; pattern `p` is a key of the names `key_names[p]`.
    keys: Option<AhoCorasick>,
    key_names: Vec<Vec<u32>>,
    /// Over every `means` spelling and `except` word; pattern `p` marks `word_hits[p]`.
    words: Option<AhoCorasick>,
    word_hits: Vec<Vec<Hit>>,
    /// Per name: its `means` lines, each the term slots that must all be hit.
    lines: Vec<Vec<Vec<u32>>>,
    /// How many term slots all names have together.
    slots: usize,
}

#[derive(Clone, Copy, Debug)]
enum Hit {
    /// A spelling of the term in this slot.
    Term(u32),
    /// An `except` word of this name.
    Except(u32),
}

impl NameIndex {
    pub fn new(names: Vec<ResolvedName>) -> NameIndex {
        let mut key_patterns = Patterns::default();
        let mut word_patterns = Patterns::default();
        let mut word_hits: Vec<Vec<Hit>> = Vec::new();
        let mut key_names: Vec<Vec<u32>> = Vec::new();
        let mut lines = Vec::with_capacity(names.len());
        let mut slots = 0u32;
        for (n, name) in names.iter().enumerate() {
            let n = n as u32;
            for key in name.keys.iter().filter(|k| !k.is_empty()) {
                push_unique(key_patterns.id(key, &mut key_names), n);
            }
            for word in &name.concept.except {
                word_patterns.id(word, &mut word_hits).push(Hit::Except(n));
            }
            let mut own = Vec::with_capacity(name.concept.means.len());
            for terms in &name.concept.means {
                let mut line = Vec::with_capacity(terms.len());
                for alternatives in terms {
                    for spelling in alternatives {
                        word_patterns
                            .id(spelling, &mut word_hits)
                            .push(Hit::Term(slots));
                    }
                    line.push(slots);
                    slots += 1;
                }
                own.push(line);
            }
            lines.push(own);
        }
        NameIndex {
            names,
            keys: key_patterns.build(),
            key_names,
            words: word_patterns.build(),
            word_hits,
            lines,
            slots: slots as usize,
        }
    }

    /// The names, in the order given.
    pub fn names(&self) -> &[ResolvedName] {
        &self.names
    }

    /// Whether any name is named by `key` (a normalised name): the key contains one of its keys.
    pub fn any_named(&self, key: &str) -> bool {
        !key.is_empty() && self.keys.as_ref().is_some_and(|ac| ac.is_match(key))
    }

    /// Whether any name [`ResolvedName::matches`] the name whose key and folded form are given.
    pub fn any_matches(&self, key: &str, folded: &str) -> bool {
        self.first_match(key, folded).is_some()
    }

    /// The first name (in the order given) that [`ResolvedName::matches`] the name.
    pub fn first_match(&self, key: &str, folded: &str) -> Option<&ResolvedName> {
        let (excluded, terms) = self.word_scan(folded);
        let mut named = vec![false; self.lines.len()];
        if let Some(ac) = self.keys.as_ref().filter(|_| !key.is_empty()) {
            for m in ac.find_overlapping_iter(key) {
                for &n in &self.key_names[m.pattern().as_usize()] {
                    named[n as usize] = true;
                }
            }
        }
        let n = (0..self.lines.len()).find(|&n| {
            !excluded[n]
                && (named[n]
                    || self.lines[n]
                        .iter()
                        .any(|line| line.iter().all(|&s| terms[s as usize])))
        })?;
        Some(&self.names[n])
    }

    /// Which names have an `except` word in the text, and which term slots a spelling hit.
    fn word_scan(&self, folded: &str) -> (Vec<bool>, Vec<bool>) {
        let mut excluded = vec![false; self.lines.len()];
        let mut terms = vec![false; self.slots];
        if let Some(ac) = &self.words {
            for m in ac.find_overlapping_iter(folded) {
                for hit in &self.word_hits[m.pattern().as_usize()] {
                    match *hit {
                        Hit::Term(s) => terms[s as usize] = true,
                        Hit::Except(n) => excluded[n as usize] = true,
                    }
                }
            }
        }
        (excluded, terms)
    }
}

/// Distinct pattern strings, each with its id.
#[derive(Default)]
struct Patterns {
    ids: FxHashMap<String, usize>,
    list: Vec<String>,
}

impl Patterns {
    /// The entry of `pattern` in `table`, made when the pattern is new.
    fn id<'t, T: Default>(&mut self, pattern: &str, table: &'t mut Vec<T>) -> &'t mut T {
        let id = *self.ids.entry(pattern.to_owned()).or_insert_with(|| {
            self.list.push(pattern.to_owned());
            table.push(T::default());
            self.list.len() - 1
        });
        &mut table[id]
    }

    fn build(self) -> Option<AhoCorasick> {
        if self.list.is_empty() {
            return None;
        }
        // Standard semantics: overlapping search reports every pattern that occurs.
        Some(
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&self.list)
                .expect("a few hundred short patterns fit an automaton"),
        )
    }
}

fn push_unique(list: &mut Vec<u32>, n: u32) {
    if !list.contains(&n) {
        list.push(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::Concept;
    use crate::rules::ast::NameKind;

    fn name(keys: &[&str], means: &[&[&[&str]]], except: &[&str]) -> ResolvedName {
        let owned = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ResolvedName {
            kind: NameKind::Indicator,
            canonical: keys.first().copied().unwrap_or("").to_owned(),
            aliases: Vec::new(),
            keys: owned(keys),
            concept: Concept {
                means: means
                    .iter()
                    .map(|terms| terms.iter().map(|t| owned(t)).collect())
                    .collect(),
                except: owned(except),
            },
            obsolete: Vec::new(),
            id: crate::rules::normalize::unique_id(),
        }
    }

    /// The index answers as the names one by one do, on texts made of their own words.
    #[test]
    fn answers_as_each_name_does() {
        let names = vec![
            name(
                &["青少年科学素质提升行动", "青少年行动"],
                &[&[&["青少年", "中小学"], &["科学素质", "科普"]]],
                &["老年"],
            ),
            name(
                &["老年人科学素质提升行动"],
                &[&[&["老年", "银龄"]], &[&["智慧", "数字"], &["助老"]]],
                &[],
            ),
            name(
                &["基层科普能力提升工程"],
                &[&[&["基层"], &["科普"]]],
                &["青少年"],
            ),
            name(&[""], &[], &[]),
        ];
        let index = NameIndex::new(names.clone());
        let words = [
            "",
            "青少年",
            "科普",
            "老年",
            "银龄",
            "智慧",
            "助老",
            "基层",
            "中小学",
            "科学素质",
            "行动",
        ];
        for a in words {
            for b in words {
                for c in words {
                    let text = format!("{a}{b}{c}");
                    let each = names.iter().position(|n| n.matches(&text, &text));
                    let first = index.first_match(&text, &text);
                    assert_eq!(
                        first.map(|n| n.canonical.as_str()),
                        each.map(|n| names[n].canonical.as_str()),
                        "{text}"
                    );
                    let named = names
                        .iter()
                        .any(|n| super::super::normalize::Normalizer::key_matches(&text, &n.keys));
                    assert_eq!(index.any_named(&text), named, "{text}");
                }
            }
        }
        assert!(index.any_named("推进青少年行动"));
        assert!(!index.any_named(""));
        assert!(!NameIndex::new(Vec::new()).any_matches("科普", "科普"));
    }
}
