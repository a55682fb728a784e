//! China's administrative divisions (GB/T 2260), kept as data in `rules/gazetteer.tsv`: which
//! province and prefecture a county belongs to, so that a county plan that never names its
//! province is still placed in its province's chain. Names shared by several places (鼓楼区)
//! are resolved only by other evidence, never guessed.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../rules/gazetteer.tsv");

/// One administrative division.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// The six-digit GB/T 2260 code.
    pub code: u32,
    pub name: &'static str,
}

/// The level of a division, from its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rank {
    Province,
    Prefecture,
    County,
}

impl Place {
    pub fn rank(&self) -> Rank {
        if self.code % 10_000 == 0 {
            Rank::Province
        } else if self.code % 100 == 0 {
            Rank::Prefecture
        } else {
            Rank::County
        }
    }

    /// The province this place lies in (itself for a province).
    pub fn province(&self) -> Option<Place> {
        Gazetteer::get().by_code(self.code / 10_000 * 10_000)
    }

    /// The prefecture this county lies in; `None` for a province, a prefecture, or a county
    /// directly under its province (济源市).
    pub fn prefecture(&self) -> Option<Place> {
        (self.rank() == Rank::County)
            .then(|| Gazetteer::get().by_code(self.code / 100 * 100))
            .flatten()
    }

    /// Whether `other` is this place or contains it.
    pub fn within(&self, other: &Place) -> bool {
        match other.rank() {
            Rank::Province => self.code / 10_000 == other.code / 10_000,
            Rank::Prefecture => self.code / 100 == other.code / 100,
            Rank::County => self.code == other.code,
        }
    }
}

pub struct Gazetteer {
    places: Vec<Place>,
    by_name: HashMap<&'static str, Vec<usize>>,
    by_code: HashMap<u32, usize>,
    /// Every name, for scanning a text; built on first use (checking plan files never scans).
    scanner: OnceLock<(aho_corasick::AhoCorasick, Vec<&'static str>)>,
}

impl Gazetteer {
    pub fn get() -> &'static Gazetteer {
        static CELL: OnceLock<Gazetteer> = OnceLock::new();
        CELL.get_or_init(|| Gazetteer::parse(DATA))
    }

    fn parse(data: &'static str) -> Gazetteer {
        let mut places: Vec<Place> = Vec::new();
        let mut by_name: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut by_code: HashMap<u32, usize> = HashMap::new();
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((code, name)) = line.split_once('\t') else {
                continue;
            };
            let (Ok(code), name) = (code.trim().parse::<u32>(), name.trim()) else {
                continue;
            };
            // A second line with a code is a short form of the place (黔南州): it finds the
            // place under its full name.
            let index = *by_code.entry(code).or_insert_with(|| {
                places.push(Place { code, name });
                places.len() - 1
            });
            by_name.entry(name).or_default().push(index);
        }
        Gazetteer {
            places,
            by_name,
            by_code,
            scanner: OnceLock::new(),
        }
    }

    pub fn by_code(&self, code: u32) -> Option<Place> {
        self.by_code.get(&code).map(|&i| self.places[i])
    }

    /// Every place of that exact name.
    pub fn named(&self, name: &str) -> Vec<Place> {
        self.by_name
            .get(name)
            .map(|ids| ids.iter().map(|&i| self.places[i]).collect())
            .unwrap_or_default()
    }

    /// The province-level divisions, in code order.
    pub fn provinces(&self) -> impl Iterator<Item = Place> + '_ {
        self.places
            .iter()
            .copied()
            .filter(|p| p.rank() == Rank::Province)
    }

    /// Names of places in a text, leftmost-longest, with their byte ranges. Two-character
    /// names (城区, 郊区) are too common as words to be read alone and are skipped.
    pub fn mentions(&self, text: &str) -> Vec<(usize, usize, &'static str)> {
        let (automaton, names) = self.scanner.get_or_init(|| {
            let mut names: Vec<&'static str> = self.by_name.keys().copied().collect();
            names.sort();
            let automaton = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&names)
                .expect("gazetteer names form an automaton");
            (automaton, names)
        });
        automaton
            .find_iter(text)
            .map(|m| (m.start(), m.end(), names[m.pattern().as_usize()]))
            .filter(|(_, _, name)| name.chars().count() >= 3)
            .collect()
    }
}

/// Whether the name is a province-level division (河南省, 重庆市, 广西壮族自治区). Answered from the 34 province lines alone,
/// without building the whole gazetteer: every plan checked asks it.
pub fn is_province(name: &str) -> bool {
    static PROVINCES: OnceLock<Vec<&'static str>> = OnceLock::new();
    PROVINCES
        .get_or_init(|| {
            DATA.lines()
                .filter_map(|l| l.split_once('\t'))
                .filter(|(code, _)| code.len() == 6 && code.ends_with("0000"))
                .map(|(_, name)| name.trim())
                .collect()
        })
        .contains(&name)
}

/// Where a plan's title (and issuer) place it: the most specific place found, with the chain
/// above it. `ambiguous` lists a name shared by several places that nothing decided between.
#[derive(Debug, Default, PartialEq)]
pub struct Located {
    /// Province, prefecture, county — as far as known.
    pub chain: Vec<Place>,
    /// The place named in the text whose name the chain ends with, and where.
    pub at: Option<(usize, usize)>,
    pub ambiguous: Option<(&'static str, Vec<Place>)>,
}

/// Locate a plan from a text that names its own place (the title), with `context` as further
/// evidence (issuer, cited documents, the rest of the text) for names shared by several places.
pub fn locate(title: &str, context: &str) -> Located {
    let g = Gazetteer::get();
    let found = g.mentions(title);
    let context_places: Vec<Place> = g
        .mentions(context)
        .into_iter()
        .flat_map(|(_, _, n)| g.named(n))
        .filter(|p| p.rank() != Rank::County)
        .collect();
    let mut located = Located::default();
    // The most specific place wins; places named before it in the title constrain it.
    let mut best: Option<(Place, usize, usize)> = None;
    let mut named_before: Vec<Place> = Vec::new();
    for (start, end, name) in found {
        let candidates = g.named(name);
        let consistent: Vec<Place> = candidates
            .iter()
            .copied()
            .filter(|c| named_before.iter().all(|b| c.within(b) || b.within(c)))
            .collect();
        let chosen = match consistent.as_slice() {
            [one] => Some(*one),
            [] => None,
            many => {
                let by_context: Vec<Place> = many
                    .iter()
                    .copied()
                    .filter(|c| context_places.iter().any(|p| c.within(p)))
                    .collect();
                match by_context.as_slice() {
                    [one] => Some(*one),
                    _ => {
                        located.ambiguous = Some((name, many.to_vec()));
                        None
                    }
                }
            }
        };
        if let Some(place) = chosen {
            if best.is_none_or(|(b, _, _)| place.within(&b)) {
                best = Some((place, start, end));
            }
            named_before.push(place);
        }
    }
    if let Some((place, start, end)) = best {
        located.ambiguous = None;
        located.at = Some((start, end));
        located.chain = [place.province(), place.prefecture(), Some(place)]
            .into_iter()
            .flatten()
            .fold(Vec::new(), |mut chain, p| {
                if !chain.contains(&p) {
                    chain.push(p);
                }
                chain
            });
    }
    located
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(l: &Located) -> Vec<&str> {
        l.chain.iter().map(|p| p.name).collect()
    }

    #[test]
    fn a_county_is_placed_in_its_prefecture_and_province() {
        let l = locate("西平县全民科学素质行动规划纲要实施方案（2021—2025年）", "");
        assert_eq!(names(&l), ["河南省", "驻马店市", "西平县"]);
        let l = locate("洛阳市孟津区“十四五”全民科学素质行动规划纲要实施方案", "");
        assert_eq!(names(&l), ["河南省", "洛阳市", "孟津区"]);
    }

    #[test]
    fn municipalities_and_counties_under_a_province() {
        assert!(is_province("重庆市"));
        assert!(is_province("广西壮族自治区"));
        assert!(!is_province("聚焦省"));
        assert!(!is_province("洛阳市"));
        assert_eq!(Gazetteer::get().provinces().count(), 34);
        let l = locate("济源市全民科学素质行动规划纲要实施方案", "");
        assert_eq!(names(&l), ["河南省", "济源市"]);
    }

    #[test]
    fn short_forms_of_autonomous_places_find_the_place() {
        let l = locate("黔南州全民科学素质行动规划纲要实施方案(2021-2025年)", "");
        assert_eq!(names(&l), ["贵州省", "黔南布依族苗族自治州"]);
        let l = locate("长阳县全民科学素质行动实施方案", "");
        assert_eq!(names(&l), ["湖北省", "宜昌市", "长阳土家族自治县"]);
    }

    #[test]
    fn shared_names_are_resolved_by_evidence_or_reported() {
        let l = locate("鼓楼区全民科学素质行动实施方案", "");
        assert!(l.chain.is_empty());
        let (name, places) = l.ambiguous.expect("ambiguous");
        assert_eq!((name, places.len()), ("鼓楼区", 4));
        let l = locate("鼓楼区全民科学素质行动实施方案", "福州市人民政府办公厅");
        assert_eq!(names(&l), ["福建省", "福州市", "鼓楼区"]);
        let l = locate("南京市鼓楼区全民科学素质行动实施方案", "");
        assert_eq!(names(&l), ["江苏省", "南京市", "鼓楼区"]);
    }
}
