//! Rule packs: parsing (`parse`), the typed tree (`ast`), `extends` resolution and the packs
//! built into the binary.

pub mod ast;
mod compiled;
pub mod name_index;
pub mod normalize;
mod parse;
pub mod provinces;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

pub use normalize::Normalizer;
pub use parse::parse_pack;

use self::ast::*;
use crate::diagnostic::{did_you_mean, Cite, Finding, RuleOrigin, Severity};
use crate::plan::{Level, Plan, PlanKind, SectionKind, Sp};
use crate::source::{SourceFile, Span};

/// The packs compiled into the binary, by their path in the repository.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "rules/common.rules",
        include_str!("../../rules/common.rules"),
    ),
    (
        "rules/national/2006-2020.rules",
        include_str!("../../rules/national/2006-2020.rules"),
    ),
    (
        "rules/national/2021-2035.rules",
        include_str!("../../rules/national/2021-2035.rules"),
    ),
    (
        "rules/provinces/henan.rules",
        include_str!("../../rules/provinces/henan.rules"),
    ),
    (
        "rules/provinces/hebei.rules",
        include_str!("../../rules/provinces/hebei.rules"),
    ),
    (
        "rules/provinces/shanxi.rules",
        include_str!("../../rules/provinces/shanxi.rules"),
    ),
    (
        "rules/provinces/anhui.rules",
        include_str!("../../rules/provinces/anhui.rules"),
    ),
    (
        "rules/provinces/beijing.rules",
        include_str!("../../rules/provinces/beijing.rules"),
    ),
    (
        "rules/provinces/chongqing.rules",
        include_str!("../../rules/provinces/chongqing.rules"),
    ),
    (
        "rules/provinces/guangxi.rules",
        include_str!("../../rules/provinces/guangxi.rules"),
    ),
    (
        "rules/provinces/guizhou.rules",
        include_str!("../../rules/provinces/guizhou.rules"),
    ),
    (
        "rules/provinces/hainan.rules",
        include_str!("../../rules/provinces/hainan.rules"),
    ),
    (
        "rules/provinces/hubei.rules",
        include_str!("../../rules/provinces/hubei.rules"),
    ),
    (
        "rules/provinces/hunan.rules",
        include_str!("../../rules/provinces/hunan.rules"),
    ),
    (
        "rules/provinces/jiangxi.rules",
        include_str!("../../rules/provinces/jiangxi.rules"),
    ),
    (
        "rules/provinces/ningxia.rules",
        include_str!("../../rules/provinces/ningxia.rules"),
    ),
    (
        "rules/provinces/shaanxi.rules",
        include_str!("../../rules/provinces/shaanxi.rules"),
    ),
    (
        "rules/provinces/shandong.rules",
        include_str!("../../rules/provinces/shandong.rules"),
    ),
    (
        "rules/provinces/sichuan.rules",
        include_str!("../../rules/provinces/sichuan.rules"),
    ),
    (
        "rules/provinces/neimenggu.rules",
        include_str!("../../rules/provinces/neimenggu.rules"),
    ),
    (
        "rules/provinces/liaoning.rules",
        include_str!("../../rules/provinces/liaoning.rules"),
    ),
    (
        "rules/provinces/zhejiang.rules",
        include_str!("../../rules/provinces/zhejiang.rules"),
    ),
    (
        "rules/provinces/fujian.rules",
        include_str!("../../rules/provinces/fujian.rules"),
    ),
    (
        "rules/provinces/guangdong.rules",
        include_str!("../../rules/provinces/guangdong.rules"),
    ),
    (
        "rules/provinces/yunnan.rules",
        include_str!("../../rules/provinces/yunnan.rules"),
    ),
    (
        "rules/provinces/gansu.rules",
        include_str!("../../rules/provinces/gansu.rules"),
    ),
    (
        "rules/provinces/tianjin.rules",
        include_str!("../../rules/provinces/tianjin.rules"),
    ),
];

/// A pack's declared names by key; rules look names up for every plan (Fx: short keys).
pub type NameTable = rustc_hash::FxHashMap<String, ResolvedName>;

/// A declared name with its matching keys precomputed.
#[derive(Clone, Debug)]
pub struct ResolvedName {
    pub kind: NameKind,
    pub canonical: String,
    pub aliases: Vec<String>,
    /// Normalised canonical name and aliases.
    pub keys: Vec<String>,
    /// The `means`/`except` lines, folded (width and punctuation) once.
    pub concept: Concept,
    /// Obsolete forms of a unit's name, folded.
    pub obsolete: Vec<String>,
    /// Tells this name's keys and concept from any other's in a cache of answers across plans:
    /// made anew whenever they are (a copy keeps it: same content).
    id: u64,
}

impl ResolvedName {
    /// What tells this name's keys and concept apart in a cache (see the field).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether a name written in a plan denotes this one. `key` is the name normalised by
    /// the pack's normaliser, `folded` the name (or text) only folded: equal or containing
    /// keys, or every term of one `means` line — and never an `except` word.
    pub fn matches(&self, key: &str, folded: &str) -> bool {
        !self.excluded(folded) && (Normalizer::key_matches(key, &self.keys) || self.means(folded))
    }

    /// Whether a longer text (a safeguard's paragraph, a work-points item) carries the
    /// requirement by what it says: a `means` line, never a bare alias.
    pub fn means(&self, folded: &str) -> bool {
        !self.excluded(folded)
            && self.concept.means.iter().any(|terms| {
                terms
                    .iter()
                    .all(|alternatives| alternatives.iter().any(|a| folded.contains(a.as_str())))
            })
    }

    fn excluded(&self, folded: &str) -> bool {
        self.concept
            .except
            .iter()
            .any(|w| folded.contains(w.as_str()))
    }
}

/// A rule ready to run: inherited rules carry their overrides already applied.
#[derive(Clone, Debug)]
pub struct ResolvedRule {
    /// `pack/rule-name`, stable across releases.
    pub id: String,
    pub severity: Severity,
    pub message: Arc<str>,
    pub help: Option<Arc<str>>,
    pub explain: Option<String>,
    pub cite: Arc<Cite>,
    pub when: Option<Expr>,
    pub expect: Expect,
    /// The pack file that defines the rule and where.
    pub source: Arc<SourceFile>,
    pub span: Span,
    /// `source` and `span` as a finding reports them, made once (every finding carries it).
    pub origin: Arc<RuleOrigin>,
    /// The pack that changed this rule, if a lower pack overrode it.
    pub overridden_by: Option<String>,
    /// The years the higher document fixes the requirement for; beyond them it is asked at
    /// warning (see [`crate::check`]).
    pub binding: Option<(i64, i64)>,
}

/// A rule a lower pack removed, with its reason: reported so that the reader knows why a
/// requirement of the higher document is not checked.
#[derive(Clone, Debug)]
pub struct DroppedRule {
    pub id: String,
    pub by: String,
    pub reason: String,
}

/// A pack with `extends` resolved: its own rules and every inherited one.
#[derive(Debug)]
pub struct ResolvedPack {
    pub id: String,
    pub title: String,
    /// The document number the pack encodes.
    pub document: String,
    /// Every document number of this pack and the packs it extends, this pack's first.
    pub chain_documents: Vec<String>,
    /// `chain_documents` read as numbers (and folded, for those that are not), once: every
    /// plan's basis is compared with them.
    chain_numbers: Vec<(Option<normalize::DocumentNumber>, String)>,
    pub period: (i64, i64),
    pub is_abstract: bool,
    pub levels: Vec<Level>,
    pub kinds: Vec<PlanKind>,
    pub region: Option<String>,
    /// The packs this one extends, nearest first.
    pub ancestors: Vec<String>,
    pub source: Arc<SourceFile>,
    pub names: NameTable,
    /// Shared with the packs it came from when inherited unchanged.
    pub rules: Vec<Arc<ResolvedRule>>,
    pub dropped: Vec<DroppedRule>,
    pub normalizer: Normalizer,
    /// How many of `chain_documents` belong to ancestors (they come last).
    ancestor_document_count: usize,
    /// The document's title and the short forms plans cite it by (`cited-as`), folded.
    pub titles: Vec<String>,
    /// The ancestors' titles, folded.
    pub ancestor_titles: Vec<String>,
    /// The declared units' written forms, for `consistent units` (shared with the parent when
    /// the pack declares no units of its own).
    pub units: Arc<UnitMatcher>,
    /// The document's date, with `document` its version.
    pub issued: Option<String>,
    /// The pack of the earlier version this one replaces.
    pub supersedes: Option<String>,
    /// What of the document is not known (the national requirement stands in for it).
    pub unknown: Vec<String>,
    /// Where indicators are meant to go and have got to (`path`), the parent's unless the pack
    /// gives its own for the indicator.
    pub paths: Vec<ast::IndicatorPath>,
}

/// Finds, in a normalised unit name, the longest written form of a declared unit it contains —
/// in one pass over the name (Aho-Corasick), since a plan names hundreds of units. Obsolete
/// forms (农业局) are forms too, marked as such.
#[derive(Debug)]
pub struct UnitMatcher {
    automaton: Option<aho_corasick::AhoCorasick>,
    patterns: Vec<UnitForm>,
    /// Tells matchers apart for caches across plans.
    id: u64,
}

/// A written form of a declared unit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitForm {
    /// The unit's canonical name.
    pub unit: String,
    pub form: String,
    /// A name the body went by before a reorganisation.
    pub obsolete: bool,
}

impl UnitMatcher {
    fn new(names: &NameTable) -> Self {
        let mut patterns: Vec<UnitForm> = Vec::new();
        for n in names.values().filter(|n| n.kind == NameKind::Unit) {
            let forms = n.keys.iter().map(|k| (k, false));
            for (form, obsolete) in forms.chain(n.obsolete.iter().map(|o| (o, true))) {
                if !form.is_empty() {
                    patterns.push(UnitForm {
                        unit: n.canonical.clone(),
                        form: form.clone(),
                        obsolete,
                    });
                }
            }
        }
        // A form that is both an alias and obsolete (环保局) is kept once, as obsolete.
        patterns.sort_by(|a, b| (&a.form, !a.obsolete).cmp(&(&b.form, !b.obsolete)));
        patterns.dedup_by(|later, kept| later.form == kept.form);
        let automaton = (!patterns.is_empty()).then(|| {
            // A contiguous NFA: built in a fraction of a DFA's time (this runs at every start)
            // and as fast on names of a few characters.
            aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                .build(patterns.iter().map(|p| &p.form))
                .expect("unit forms build an automaton")
        });
        UnitMatcher {
            automaton,
            patterns,
            id: normalize::unique_id(),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// The form at `index` of [`UnitMatcher::best_index`].
    pub fn form(&self, index: usize) -> Option<&UnitForm> {
        self.patterns.get(index)
    }

    /// The index of the longest form `key` contains.
    pub fn best_index(&self, key: &str) -> Option<usize> {
        let automaton = self.automaton.as_ref()?;
        automaton
            .find_overlapping_iter(key)
            .map(|m| m.pattern().as_usize())
            .max_by_key(|&i| self.patterns[i].form.chars().count())
    }

    /// The longest form `key` contains.
    pub fn best(&self, key: &str) -> Option<&UnitForm> {
        let automaton = self.automaton.as_ref()?;
        automaton
            .find_overlapping_iter(key)
            .map(|m| &self.patterns[m.pattern().as_usize()])
            .max_by_key(|p| p.form.chars().count())
    }
}

impl ResolvedPack {
    /// Whether the pack applies to a plan: by period, level and kind, and by region — or
    /// because the plan cites one of the pack's own documents in `basis`.
    pub fn applies_to(&self, plan: &Plan) -> bool {
        let (start, end) = plan.period.value;
        // The cheap tests first: most packs of a registry are ruled out by period or level
        // before their region or citations need reading.
        if self.is_abstract
            || start > self.period.1
            || end < self.period.0
            || !(self.levels.is_empty() || self.levels.contains(&plan.level.value))
            || !(self.kinds.is_empty() || self.kinds.contains(&plan.kind.value))
        {
            return false;
        }
        let in_region = self
            .region
            .as_ref()
            .is_none_or(|r| plan.region.iter().any(|p| p.value == *r));
        // The region decides the province; the basis decides only where the region names no
        // province (a Jiangsu plan citing Henan's plan is still a Jiangsu plan).
        in_region
            || (plan.province().is_none() && plan.basis.iter().any(|b| self.cites_own(&b.value)))
    }

    /// Whether a cited document (by number in any bracket form, or by title) is one this pack
    /// itself encodes.
    pub fn cites_own(&self, cited: &str) -> bool {
        self.cites_own_read(&Cited::read(cited))
    }

    /// [`ResolvedPack::cites_own`] with the entry already read (a plan's basis is compared
    /// with every pack).
    pub fn cites_own_read(&self, cited: &Cited) -> bool {
        let own = self.chain_documents.len() - self.ancestor_document_count;
        if own == 0 && !self.is_abstract {
            // Known by title alone: an entry that gives the title with a number we never
            // found is still this document.
            return self
                .titles
                .iter()
                .any(|t| cited.folded.contains(t.as_str()));
        }
        self.chain_numbers[..own]
            .iter()
            .any(|known| same_parsed(known, cited))
            || cites_title(&self.titles, cited)
            || self.misnumbered(cited, own)
    }

    /// An entry that gives this document's title with a number of the same issuer and year
    /// that differs from the one known (鄂政办〔2021〕64号 for 鄂政办发〔2021〕64号): the document,
    /// cited by a number written wrong, not another one.
    fn misnumbered(&self, cited: &Cited, own: usize) -> bool {
        let Some(number) = &cited.number else {
            return false;
        };
        // Same year, and the same province's 机关代字 (its first character: 鄂 for 鄂政办发).
        let same_issuer = self.chain_numbers[..own].iter().any(|(known, _)| {
            known.as_ref().is_some_and(|k| {
                k.year == number.year && k.prefix.chars().next() == number.prefix.chars().next()
            })
        });
        same_issuer
            && self
                .titles
                .iter()
                .any(|t| cited.folded.contains(t.as_str()))
    }

    /// Whether a cited document (by number or title) is one of the chain's.
    pub fn chain_cites(&self, cited: &str) -> bool {
        self.chain_cites_read(&Cited::read(cited))
    }

    /// [`ResolvedPack::chain_cites`] with the entry already read.
    pub fn chain_cites_read(&self, cited: &Cited) -> bool {
        self.chain_numbers
            .iter()
            .any(|known| same_parsed(known, cited))
            || cites_title(&self.titles, cited)
            || cites_title(&self.ancestor_titles, cited)
    }

    /// 《title》（number）, or 《title》 where the number is not known.
    pub fn reference(&self) -> String {
        if self.document.is_empty() {
            format!("《{}》", self.title)
        } else {
            format!("《{}》（{}）", self.title, self.document)
        }
    }

    /// How a plan should cite the document in `basis`: its number, else its title.
    pub fn citation(&self) -> String {
        if self.document.is_empty() {
            format!("《{}》", self.title)
        } else {
            self.document.clone()
        }
    }

    /// The version a reader recognises: number and date, as far as known.
    pub fn version(&self) -> String {
        match (&self.issued, self.document.is_empty()) {
            (Some(date), false) => format!("{}，{date}", self.document),
            (Some(date), true) => date.clone(),
            (None, false) => self.document.clone(),
            (None, true) => "版本未详".to_owned(),
        }
    }

    pub fn name(&self, key: &str) -> &ResolvedName {
        // Resolution checked every key a rule uses.
        &self.names[key]
    }
}

fn too_deep(at: &Sp<String>, chain: &[String]) -> Finding {
    Finding::input_error(
        "rules/extends-too-deep",
        format!(
            "`extends` chains more than {MAX_EXTENDS_DEPTH} packs: {} → …",
            chain
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        at.span,
        "one pack too many",
    )
    .with_help(
        "the chain of plans runs national → province → city → county; a pack extends the pack \
         of the plan above it, not a long line of packs",
    )
}

/// The longest `extends` chain (national → province → city → county is four).
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// Every known pack, resolved.
#[derive(Debug, Default)]
pub struct Registry {
    packs: BTreeMap<String, Arc<ResolvedPack>>,
}

/// A pack file with the outcome of parsing it.
type ParsedSource = (Arc<SourceFile>, Result<PackFile, Box<Finding>>);

/// A problem in a pack file, with the file it is in.
#[derive(Clone, Debug)]
pub struct PackError {
    pub source: Arc<SourceFile>,
    pub finding: Box<Finding>,
}

impl Registry {
    /// The built-in packs, loaded (from their pre-parsed trees) and resolved once per process.
    pub fn builtin() -> &'static Result<Registry, Vec<PackError>> {
        static BUILTIN: OnceLock<Result<Registry, Vec<PackError>>> = OnceLock::new();
        BUILTIN.get_or_init(|| Registry::from_parsed(compiled::builtin_packs()))
    }

    /// Parse and resolve packs. Every broken pack is reported; none is half-loaded.
    pub fn from_sources(sources: Vec<Arc<SourceFile>>) -> Result<Registry, Vec<PackError>> {
        let parsed = sources.into_iter().map(|s| {
            let pack = parse_pack(&s.text);
            (s, pack)
        });
        Registry::from_parsed(parsed.collect())
    }

    /// Resolve packs already parsed (each file is parsed exactly once).
    fn from_parsed(parsed: Vec<ParsedSource>) -> Result<Registry, Vec<PackError>> {
        let mut errors = Vec::new();
        let mut files: BTreeMap<String, (Arc<SourceFile>, PackFile)> = BTreeMap::new();
        for (source, parsed) in parsed {
            match parsed {
                Ok(pack) => {
                    let id = pack.header.id.value.clone();
                    if let Some((other, _)) = files.get(&id) {
                        let mut finding = Finding::input_error(
                            "rules/duplicate-pack",
                            format!("pack `{id}` is defined twice"),
                            pack.header.id.span,
                            "second definition",
                        );
                        finding.help = Some(format!("also defined in {}", other.name).into());
                        errors.push(PackError {
                            source,
                            finding: Box::new(finding),
                        });
                    } else {
                        files.insert(id, (source, pack));
                    }
                }
                Err(finding) => errors.push(PackError { source, finding }),
            }
        }
        let mut registry = Registry::default();
        let ids: Vec<String> = files.keys().cloned().collect();
        let mut too_deep_reported = false;
        for id in ids {
            if let Err(e) = registry.resolve(&id, &files, &mut Vec::new()) {
                // One long chain would otherwise give an error for every pack on it.
                if e.finding.code == "rules/extends-too-deep" {
                    if too_deep_reported {
                        continue;
                    }
                    too_deep_reported = true;
                }
                errors.push(e);
            }
        }
        for (source, file) in files.values() {
            let Some(old) = &file.header.supersedes else {
                continue;
            };
            let problem = match registry.packs.get(&old.value) {
                None if !files.contains_key(&old.value) => Some((
                    format!(
                        "pack `{}` supersedes unknown pack `{}`",
                        file.header.id.value, old.value
                    ),
                    "no such pack",
                )),
                Some(_) if old.value == file.header.id.value => Some((
                    format!("pack `{}` supersedes itself", old.value),
                    "a pack replaces an earlier one",
                )),
                _ => None,
            };
            if let Some((message, label)) = problem {
                errors.push(PackError {
                    source: Arc::clone(source),
                    finding: Box::new(Finding::input_error(
                        "rules/unknown-pack",
                        message,
                        old.span,
                        label,
                    )),
                });
            }
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            errors.sort_by(|a, b| {
                (&a.source.name, a.finding.span).cmp(&(&b.source.name, b.finding.span))
            });
            errors.dedup_by(|a, b| a.source.name == b.source.name && a.finding == b.finding);
            Err(errors)
        }
    }

    /// The built-in packs plus extra ones (a `--rules` folder, or packs under test). An extra
    /// pack replaces a built-in pack with the same id, so an author can test an edited copy.
    pub fn with_builtin(extra: Vec<Arc<SourceFile>>) -> Result<Registry, Vec<PackError>> {
        let parse = |s: Arc<SourceFile>| {
            let pack = parse_pack(&s.text);
            (s, pack)
        };
        let extra: Vec<ParsedSource> = extra.into_iter().map(parse).collect();
        let replaced: Vec<&str> = extra
            .iter()
            .filter_map(|(_, p)| p.as_ref().ok().map(|p| p.header.id.value.as_str()))
            .collect();
        let mut all: Vec<ParsedSource> = compiled::builtin_packs()
            .into_iter()
            .filter(|(_, p)| {
                p.as_ref()
                    .map_or(true, |p| !replaced.contains(&p.header.id.value.as_str()))
            })
            .collect();
        all.extend(extra);
        Registry::from_parsed(all)
    }

    pub fn get(&self, id: &str) -> Option<&Arc<ResolvedPack>> {
        self.packs.get(id)
    }

    pub fn packs(&self) -> impl Iterator<Item = &Arc<ResolvedPack>> {
        self.packs.values()
    }

    /// " Did you mean `…`?" for an unknown rule id, or nothing.
    pub fn rule_hint(&self, id: &str) -> String {
        let known: Vec<&str> = self
            .packs()
            .flat_map(|p| p.rules.iter().map(|r| r.id.as_str()))
            .collect();
        did_you_mean(id, &known)
            .map(|n| format!(" Did you mean `{n}`?"))
            .unwrap_or_default()
    }

    /// " Did you mean `…`?" for an unknown pack id, or nothing.
    pub fn pack_hint(&self, id: &str) -> String {
        let known: Vec<&str> = self.packs().map(|p| p.id.as_str()).collect();
        did_you_mean(id, &known)
            .map(|n| format!(" Did you mean `{n}`?"))
            .unwrap_or_default()
    }

    /// Look a rule up by its full id in any pack that holds it.
    pub fn rule(&self, id: &str) -> Option<(&ResolvedPack, &ResolvedRule)> {
        fn in_pack<'r>(
            p: &'r Arc<ResolvedPack>,
            id: &str,
        ) -> Option<(&'r ResolvedPack, &'r ResolvedRule)> {
            p.rules
                .iter()
                .find(|r| r.id == id)
                .map(|r| (p.as_ref(), r.as_ref()))
        }
        // The pack the id names defines the rule; the packs below it only inherit it.
        let defining = id
            .split_once('/')
            .and_then(|(pack, _)| self.packs.get(pack));
        defining
            .and_then(|p| in_pack(p, id))
            .or_else(|| self.packs.values().find_map(|p| in_pack(p, id)))
    }

    /// The packs that change an inherited rule: (pack, what it does), in pack order.
    pub fn changes_to(&self, id: &str) -> Vec<(String, String)> {
        let mut changes = Vec::new();
        for pack in self.packs.values() {
            if let Some(d) = pack.dropped.iter().find(|d| d.id == id && d.by == pack.id) {
                changes.push((pack.id.clone(), format!("drops it: {}", d.reason)));
            }
            let overrides = pack
                .rules
                .iter()
                .any(|r| r.id == id && r.overridden_by.as_deref() == Some(pack.id.as_str()));
            if overrides {
                changes.push((pack.id.clone(), "overrides it".to_owned()));
            }
        }
        changes
    }

    /// The packs that apply to a plan: every applicable pack, less those that a more specific
    /// applicable pack already extends (their rules arrive through it). Most specific first.
    pub fn select(&self, plan: &Plan) -> Vec<Arc<ResolvedPack>> {
        self.select_excluding(plan, &[])
    }

    /// As [`Registry::select`], never choosing the packs in `exclude`.
    pub fn select_excluding(&self, plan: &Plan, exclude: &[String]) -> Vec<Arc<ResolvedPack>> {
        let applicable: Vec<&Arc<ResolvedPack>> = self
            .packs
            .values()
            .filter(|p| p.applies_to(plan) && !exclude.contains(&p.id))
            .collect();
        // A pack extended by another applicable pack arrives through it; a version replaced by
        // an applicable newer one (`supersedes`) is not applied beside it.
        let mut chosen: Vec<Arc<ResolvedPack>> = applicable
            .iter()
            .filter(|p| !applicable.iter().any(|q| q.ancestors.contains(&p.id)))
            .filter(|p| {
                !applicable
                    .iter()
                    .any(|q| q.supersedes.as_deref() == Some(p.id.as_str()))
            })
            .map(|p| Arc::clone(p))
            .collect();
        chosen.sort_by(|a, b| {
            b.ancestors
                .len()
                .cmp(&a.ancestors.len())
                .then(a.id.cmp(&b.id))
        });
        chosen
    }

    /// Resolve a pack after its parents. The chain's depth is bounded, since each level copies
    /// what it inherits.
    fn resolve(
        &mut self,
        id: &str,
        files: &BTreeMap<String, (Arc<SourceFile>, PackFile)>,
        visiting: &mut Vec<String>,
    ) -> Result<Arc<ResolvedPack>, PackError> {
        if let Some(done) = self.packs.get(id) {
            return Ok(Arc::clone(done));
        }
        let (source, file) = &files[id];
        let fail = |finding: Finding| PackError {
            source: Arc::clone(source),
            finding: Box::new(finding),
        };
        visiting.push(id.to_owned());

        let parent = match &file.header.extends {
            None => None,
            Some(parent_id) => {
                if visiting.contains(&parent_id.value) {
                    return Err(fail(Finding::input_error(
                        "rules/extends-cycle",
                        format!(
                            "`extends` forms a cycle: {} → {}",
                            visiting.join(" → "),
                            parent_id.value
                        ),
                        parent_id.span,
                        "this makes the cycle",
                    )));
                }
                // Bounded before recursing (the stack) and after (packs resolved earlier).
                if visiting.len() >= MAX_EXTENDS_DEPTH {
                    return Err(fail(too_deep(parent_id, visiting)));
                }
                if !files.contains_key(&parent_id.value) {
                    let known: Vec<&str> = files.keys().map(String::as_str).collect();
                    let mut f = Finding::input_error(
                        "rules/unknown-pack",
                        format!("pack `{}` extends unknown pack `{}`", id, parent_id.value),
                        parent_id.span,
                        "no such pack",
                    );
                    f.help = Some(match did_you_mean(&parent_id.value, &known) {
                        Some(near) => format!("did you mean `{near}`?").into(),
                        None => format!("known packs: {}", known.join(", ")).into(),
                    });
                    return Err(fail(f));
                }
                Some(
                    self.resolve(&parent_id.value, files, visiting)
                        .map_err(|e| {
                            // A chain too deep is one error, where it goes too deep,
                            // however many packs hang below it.
                            if e.finding.code == "rules/extends-too-deep" {
                                return e;
                            }
                            // Report a broken parent once, where the child names it.
                            fail(Finding::input_error(
                                "rules/broken-parent",
                                format!(
                                    "pack `{id}` extends `{}`, which has errors",
                                    parent_id.value
                                ),
                                parent_id.span,
                                e.finding.message.to_string(),
                            ))
                        })?,
                )
            }
        };
        visiting.pop();
        if let (Some(parent), Some(parent_id)) = (&parent, &file.header.extends) {
            if parent.ancestors.len() + 2 > MAX_EXTENDS_DEPTH {
                let mut chain = vec![id.to_owned(), parent.id.clone()];
                chain.extend(parent.ancestors.iter().cloned());
                return Err(fail(too_deep(parent_id, &chain)));
            }
        }

        let header = &file.header;
        let mut ancestors = Vec::new();
        let mut names: NameTable = NameTable::default();
        let mut rules: Vec<Arc<ResolvedRule>> = Vec::new();
        let mut dropped = Vec::new();
        let mut ignore = header.ignore.clone();
        if let Some(parent) = &parent {
            ancestors.push(parent.id.clone());
            ancestors.extend(parent.ancestors.iter().cloned());
            names = parent.names.clone();
            rules = parent.rules.clone();
            dropped = parent.dropped.clone();
            ignore.extend(parent.normalizer.words().iter().cloned());
        }
        let normalizer = Normalizer::new(&ignore);
        // A child's names replace the parent's under the same key. Inherited keys are
        // recomputed only when the child adds filler words of its own.
        if !header.ignore.is_empty() {
            for name in names.values_mut() {
                name.keys = name_keys(&name.canonical, &name.aliases, &normalizer);
                name.id = normalize::unique_id();
            }
        }
        for decl in &file.names {
            names.insert(decl.key.value.clone(), resolved_name(decl, &normalizer));
        }

        let cite = |clause: &Option<String>| Cite {
            document: header.documents.first().cloned().unwrap_or_default(),
            title: header.title.clone(),
            clause: clause.clone(),
        };

        for drop in &file.drops {
            let Some(at) = rules.iter().position(|r| r.id == drop.rule.value) else {
                return Err(fail(unknown_rule(&drop.rule, &rules)));
            };
            let removed = rules.remove(at);
            dropped.push(DroppedRule {
                id: removed.id.clone(),
                by: id.to_owned(),
                reason: drop.reason.clone(),
            });
        }
        for over in &file.overrides {
            let Some(rule) = rules.iter_mut().find(|r| r.id == over.name.value) else {
                return Err(fail(unknown_rule(&over.name, &rules)));
            };
            // Copied on write: the parent keeps its own.
            let rule = Arc::make_mut(rule);
            if let Some(s) = &over.severity {
                rule.severity = s.value;
            }
            if let Some(m) = &over.message {
                rule.message = m.clone().into();
            }
            if over.help.is_some() {
                rule.help = over.help.as_deref().map(Arc::from);
            }
            if over.explain.is_some() {
                rule.explain = over.explain.clone();
            }
            if over.clause.is_some() || over.expect.is_some() {
                // A changed requirement is the lower document's: cite it.
                rule.cite = Arc::new(cite(&over.clause.clone().or(rule.cite.clause.clone())));
            }
            if over.when.is_some() {
                rule.when = over.when.clone();
            }
            if over.binding.is_some() {
                rule.binding = over.binding;
            }
            if let Some(e) = &over.expect {
                rule.expect = e.value.clone();
            }
            rule.overridden_by = Some(id.to_owned());
            rule.source = Arc::clone(source);
            rule.span = over.name.span;
            rule.origin = rule_origin(source, over.name.span);
        }
        for def in &file.rules {
            let rule_id = format!("{id}/{}", def.name.value);
            if rules.iter().any(|r| r.id == rule_id) {
                return Err(fail(Finding::input_error(
                    "rules/duplicate-rule",
                    format!("rule `{rule_id}` is defined twice"),
                    def.name.span,
                    "second definition",
                )));
            }
            let (Some(severity), Some(message), Some(expect)) =
                (&def.severity, &def.message, &def.expect)
            else {
                unreachable!("parser requires severity, message and expect")
            };
            rules.push(Arc::new(ResolvedRule {
                id: rule_id,
                severity: severity.value,
                message: message.clone().into(),
                help: def.help.as_deref().map(Arc::from),
                explain: def.explain.clone(),
                cite: Arc::new(cite(&def.clause)),
                when: def.when.clone(),
                expect: expect.value.clone(),
                source: Arc::clone(source),
                span: def.name.span,
                origin: rule_origin(source, def.name.span),
                overridden_by: None,
                binding: def.binding,
            }));
        }

        // Check the names and fields every rule uses, including inherited rules whose
        // overrides were written here.
        for def in file.rules.iter().chain(&file.overrides) {
            if let Some(when) = &def.when {
                check_fields(when, &[]).map_err(|f| fail(*f))?;
            }
            if let Some(expect) = &def.expect {
                check_expect(expect, &names).map_err(|f| fail(*f))?;
            }
        }

        let mut paths: Vec<ast::IndicatorPath> =
            parent.as_ref().map(|p| p.paths.clone()).unwrap_or_default();
        for path in &file.paths {
            if names.get(&path.indicator.value).map(|n| n.kind) != Some(NameKind::Indicator) {
                return Err(fail(Finding::input_error(
                    "rules/unknown-name",
                    format!("`{}` is not a declared indicator", path.indicator.value),
                    path.indicator.span,
                    "declare it with `indicator`",
                )));
            }
            paths.retain(|p| p.indicator.value != path.indicator.value);
            paths.push(path.clone());
        }
        for def in file.rules.iter().chain(&file.overrides) {
            if let Some(Expect::OnPath { indicator }) = def.expect.as_ref().map(|e| &e.value) {
                if !paths.iter().any(|p| p.indicator.value == indicator.value) {
                    return Err(fail(Finding::input_error(
                        "rules/no-path",
                        format!("no `path` is declared for `{}`", indicator.value),
                        indicator.span,
                        "declare `path <indicator> { goal … reached … }` in this pack or a parent",
                    )));
                }
            }
        }

        let ancestor_documents = parent
            .as_ref()
            .map(|p| p.chain_documents.clone())
            .unwrap_or_default();
        let pack = Arc::new(ResolvedPack {
            id: id.to_owned(),
            title: header.title.clone(),
            document: header.documents.first().cloned().unwrap_or_default(),
            chain_documents: header
                .documents
                .iter()
                .cloned()
                .chain(ancestor_documents.iter().cloned())
                .collect(),
            chain_numbers: header
                .documents
                .iter()
                .chain(ancestor_documents.iter())
                .map(|d| (normalize::DocumentNumber::parse(d), normalize::fold(d)))
                .collect(),
            ancestor_document_count: ancestor_documents.len(),
            titles: if header.is_abstract {
                Vec::new()
            } else {
                std::iter::once(&header.title)
                    .chain(&header.cited_as)
                    .map(|t| normalize::fold(t))
                    .filter(|t| t.chars().count() >= 4)
                    .collect()
            },
            ancestor_titles: parent
                .as_ref()
                .map(|p| p.titles.iter().chain(&p.ancestor_titles).cloned().collect())
                .unwrap_or_default(),
            units: match &parent {
                Some(p) if !file.names.iter().any(|n| n.kind == NameKind::Unit) => {
                    Arc::clone(&p.units)
                }
                _ => Arc::new(UnitMatcher::new(&names)),
            },
            period: header.period,
            is_abstract: header.is_abstract,
            levels: header.levels.clone(),
            kinds: header.kinds.clone(),
            region: header.region.clone(),
            ancestors,
            source: Arc::clone(source),
            names,
            rules,
            dropped,
            normalizer,
            issued: header.issued.clone(),
            supersedes: header.supersedes.as_ref().map(|s| s.value.clone()),
            unknown: header.unknown.clone(),
            paths,
        });
        self.packs.insert(id.to_owned(), Arc::clone(&pack));
        Ok(pack)
    }
}

/// How a requirement changed between two versions of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Added(String),
    Removed(String),
    /// A target's bound: the requirement, the old bound, the new one.
    Target(String, String, String),
    /// Another change of what is required, or of its severity.
    Changed(String),
}

impl Change {
    pub fn describe(&self) -> String {
        match self {
            Change::Added(what) => format!("新增{what}"),
            Change::Removed(what) => format!("删去{what}"),
            Change::Target(what, old, new) => format!("{what}由{old}改为{new}"),
            Change::Changed(what) => format!("{what}的要求有变化"),
        }
    }
}

/// What changed from an earlier version of a document (`older`) to the one that supersedes it:
/// requirements added, removed, and changed (a target's bound, what is expected, or the
/// severity). A rule is the same requirement in both when it has the same id, or — for the
/// packs' own rules — the same name.
pub fn version_changes(older: &ResolvedPack, newer: &ResolvedPack) -> Vec<Change> {
    fn key(pack: &ResolvedPack, rule: &ResolvedRule) -> String {
        match rule.id.strip_prefix(&format!("{}/", pack.id)) {
            Some(own) => format!("./{own}"),
            None => rule.id.clone(),
        }
    }
    fn what(rule: &ResolvedRule) -> String {
        match &rule.cite.clause {
            Some(clause) => clause.clone(),
            None => format!("“{}”", rule.message),
        }
    }
    let old: BTreeMap<String, &ResolvedRule> =
        older.rules.iter().map(|r| (key(older, r), &**r)).collect();
    let new: BTreeMap<String, &ResolvedRule> =
        newer.rules.iter().map(|r| (key(newer, r), &**r)).collect();
    let mut changes = Vec::new();
    for (k, rule) in &new {
        match old.get(k) {
            None => changes.push(Change::Added(what(rule))),
            Some(before) => {
                if let (
                    Expect::Target {
                        indicator,
                        year,
                        bound: Some(a),
                        ..
                    },
                    Expect::Target { bound: Some(b), .. },
                ) = (&before.expect, &rule.expect)
                {
                    if a != b {
                        let name = older
                            .names
                            .get(&indicator.value)
                            .map_or(indicator.value.as_str(), |n| n.canonical.as_str());
                        let when = year.map(|y| format!("{y}年")).unwrap_or_default();
                        changes.push(Change::Target(
                            format!("{when}“{name}”目标"),
                            a.describe(),
                            b.describe(),
                        ));
                        continue;
                    }
                }
                if before.severity != rule.severity
                    || requirement(&before.expect) != requirement(&rule.expect)
                {
                    changes.push(Change::Changed(what(rule)));
                }
            }
        }
    }
    for (k, rule) in &old {
        if !new.contains_key(k) {
            changes.push(Change::Removed(what(rule)));
        }
    }
    changes
}

/// An expectation without its source positions, to compare two versions' requirements.
fn requirement(expect: &Expect) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(expect).unwrap_or_default();
    strip(&mut value);
    value
}

/// Whether a basis entry written as a title (《…》, or the notice that issued it) names one of
/// the titles. An entry that carries a document number is matched by its number alone.
fn cites_title(titles: &[String], cited: &Cited) -> bool {
    !cited.numbered && titles.iter().any(|t| cited.folded.contains(t.as_str()))
}

/// [`same_document`] with the known side already read: (its number, its folded form).
fn same_parsed(known: &(Option<normalize::DocumentNumber>, String), cited: &Cited) -> bool {
    match (&known.0, &cited.number) {
        (Some(x), Some(y)) => x == y,
        _ => known.1 == cited.folded,
    }
}

/// An entry of a plan's `basis` read once for comparing with the packs' documents.
pub struct Cited {
    /// The entry read as a document number, if it is one.
    number: Option<normalize::DocumentNumber>,
    /// Whether a document number appears anywhere in it (then it is not cited by title).
    numbered: bool,
    folded: String,
}

impl Cited {
    pub fn read(text: &str) -> Self {
        Cited {
            // A number alone, or inside a longer entry (《…》（内政发〔2021〕22号）).
            number: normalize::DocumentNumber::parse(text)
                .or_else(|| normalize::DocumentNumber::find(text)),
            numbered: normalize::DocumentNumber::find(text).is_some(),
            folded: normalize::fold(text),
        }
    }

    /// Whether a document number appears anywhere in the entry.
    pub fn numbered(&self) -> bool {
        self.numbered
    }
}

/// Whether two document numbers are the same document, whatever brackets and spaces they use.
pub fn same_document(a: &str, b: &str) -> bool {
    match (
        normalize::DocumentNumber::parse(a),
        normalize::DocumentNumber::parse(b),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => normalize::fold(a) == normalize::fold(b),
    }
}

/// Where a rule is written, as findings report it.
fn rule_origin(source: &SourceFile, span: Span) -> Arc<RuleOrigin> {
    let at = source.line_col(span.start);
    Arc::new(RuleOrigin {
        file: source.name.clone(),
        line: at.line,
        column: at.column,
    })
}

fn resolved_name(decl: &NameDecl, normalizer: &Normalizer) -> ResolvedName {
    let fold_all = |words: &[String]| -> Vec<String> {
        words
            .iter()
            .map(|w| normalize::fold(w))
            .filter(|w| !w.is_empty())
            .collect()
    };
    ResolvedName {
        kind: decl.kind,
        canonical: decl.canonical.clone(),
        aliases: decl.aliases.clone(),
        keys: name_keys(&decl.canonical, &decl.aliases, normalizer),
        concept: Concept {
            means: decl
                .concept
                .means
                .iter()
                .map(|terms| terms.iter().map(|t| fold_all(t)).collect())
                .collect(),
            except: fold_all(&decl.concept.except),
        },
        obsolete: fold_all(&decl.obsolete),
        id: normalize::unique_id(),
    }
}

/// The normalised keys a name is matched by: its canonical form's and each alias's.
fn name_keys(canonical: &str, aliases: &[String], normalizer: &Normalizer) -> Vec<String> {
    std::iter::once(canonical)
        .chain(aliases.iter().map(String::as_str))
        .map(|n| normalizer.key(n))
        .collect()
}

fn unknown_rule(name: &Sp<String>, rules: &[Arc<ResolvedRule>]) -> Finding {
    let known: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let mut f = Finding::input_error(
        "rules/unknown-rule",
        format!("no inherited rule `{}`", name.value),
        name.span,
        "not a rule of the packs this one extends",
    );
    if let Some(near) = did_you_mean(&name.value, &known) {
        f.help = Some(format!("did you mean `{near}`?").into());
    }
    f
}

fn check_expect(expect: &Sp<Expect>, names: &NameTable) -> Result<(), Box<Finding>> {
    let name_of = |key: &Sp<String>, want: Option<NameKind>| -> Result<(), Box<Finding>> {
        match names.get(&key.value) {
            None => {
                let known: Vec<&str> = names.keys().map(String::as_str).collect();
                let mut f = Finding::input_error(
                    "rules/unknown-name",
                    format!("`{}` is not declared", key.value),
                    key.span,
                    "declare it with `action`, `project`, `safeguard` or `indicator`",
                );
                if let Some(near) = did_you_mean(&key.value, &known) {
                    f.help = Some(format!("did you mean `{near}`?").into());
                }
                Err(Box::new(f))
            }
            Some(n) => match want {
                Some(kind) if n.kind != kind => Err(Box::new(Finding::input_error(
                    "rules/wrong-name-kind",
                    format!(
                        "`{}` is declared as {}, not {}",
                        key.value,
                        n.kind.word(),
                        kind.word()
                    ),
                    key.span,
                    "wrong kind of name",
                ))),
                None if n.kind == NameKind::Indicator => Err(Box::new(Finding::input_error(
                    "rules/wrong-name-kind",
                    format!(
                        "`{}` is an indicator; expected an action, project or safeguard",
                        key.value
                    ),
                    key.span,
                    "wrong kind of name",
                ))),
                _ => Ok(()),
            },
        }
    };
    match &expect.value {
        Expect::Present { kind, name } => name_of(name, Some(NameKind::Section(*kind))),
        Expect::Lead { name, .. } | Expect::TargetIn { name } => name_of(name, None),
        Expect::Target { indicator, .. } | Expect::OnPath { indicator } => {
            name_of(indicator, Some(NameKind::Indicator))
        }
        Expect::Stated { name, within } => {
            name_of(name, None)?;
            match within {
                Some(w) => match names.get(&w.value).map(|n| n.kind) {
                    Some(NameKind::Section(SectionKind::Action | SectionKind::Project)) | None => {
                        name_of(w, None)
                    }
                    Some(_) => Err(Box::new(Finding::input_error(
                        "rules/wrong-name-kind",
                        format!("`{}` is not an action or project", w.value),
                        w.span,
                        "`stated … in` names an action or project",
                    ))),
                },
                None => Ok(()),
            }
        }
        Expect::Basis(_)
        | Expect::ProvinceKnown
        | Expect::PeriodWithin
        | Expect::ConsistentUnits
        | Expect::CurrentUnits => Ok(()),
        Expect::Each {
            collections,
            filter,
            predicate,
        }
        | Expect::Some {
            collections,
            filter,
            predicate,
        } => {
            let allowed: Vec<Field> = {
                let mut sets = collections.iter().map(|c| c.fields());
                let first = sets.next().unwrap_or(&[]);
                first
                    .iter()
                    .copied()
                    .filter(|f| collections.iter().all(|c| c.fields().contains(f)))
                    .collect()
            };
            if let Some(filter) = filter {
                check_fields(filter, &allowed)?;
            }
            check_fields(predicate, &allowed)
        }
        Expect::Unique { collections } => {
            if collections.iter().any(|c| matches!(c, Collection::Target)) {
                return Err(Box::new(Finding::input_error(
                    "rules/invalid",
                    "targets have no names to compare".to_owned(),
                    expect.span,
                    "use action, project, safeguard or measure",
                )));
            }
            Ok(())
        }
    }
}

/// Every item field an expression reads must exist on the items it runs over.
fn check_fields(expr: &Expr, allowed: &[Field]) -> Result<(), Box<Finding>> {
    let mut fields = Vec::new();
    expr.fields(&mut fields);
    for f in fields {
        if !f.value.is_plan() && !allowed.contains(&f.value) {
            let mut finding = Finding::input_error(
                "rules/invalid",
                format!("field `{}` is not available here", f.value.path()),
                f.span,
                "not a field of these items",
            );
            finding.help = Some(if allowed.is_empty() {
                "`when` reads the plan only: use `plan.kind`, `plan.level`, `plan.period.start`, …"
                    .to_owned()
                    .into()
            } else {
                format!(
                    "fields here: {}",
                    allowed
                        .iter()
                        .map(|f| f.path())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .into()
            });
            return Err(Box::new(finding));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_load() {
        let registry = Registry::builtin()
            .as_ref()
            .expect("built-in packs are valid");
        assert!(registry.get("national-2021").is_some());
    }

    /// `planlint explain` prints a rule's explanation; every built-in rule must have one.
    #[test]
    fn every_builtin_rule_is_explained() {
        let registry = Registry::builtin().as_ref().unwrap();
        for pack in registry.packs() {
            for rule in &pack.rules {
                assert!(
                    rule.explain.as_deref().is_some_and(|e| !e.is_empty()),
                    "{} has no explain",
                    rule.id
                );
                assert!(!rule.message.is_empty(), "{} has no message", rule.id);
            }
        }
    }

    fn pack(text: &str) -> Arc<SourceFile> {
        SourceFile::new("t.rules", text)
    }

    #[test]
    fn a_name_whose_keys_are_made_anew_is_told_apart_from_the_inherited_one() {
        // Answers about names are cached across plans by name id: an inherited name keeps its
        // id only while its keys are the parent's.
        let same = pack(
            "pack same { title \"同\" period 2021 to 2025 extends national-2021 region \"某省\" }",
        );
        let words = pack(
            "pack words { title \"异\" period 2021 to 2025 extends national-2021 region \"某市\" ignore \"工作\" }",
        );
        let registry = Registry::with_builtin(vec![same, words]).unwrap();
        let parent = registry.get("national-2021").unwrap().name("youth");
        let same = registry.get("same").unwrap().name("youth");
        let words = registry.get("words").unwrap().name("youth");
        assert_eq!(same.id(), parent.id());
        assert_eq!(same.keys, parent.keys);
        assert_ne!(words.id(), parent.id());
    }

    #[test]
    fn a_child_pack_drops_overrides_and_adds_rules() {
        let child = pack(
            "pack child { title \"子\" document \"子〔2021〕1号\" period 2021 to 2025 extends national-2021 region \"某省\" }
             project talent \"科普人才建设工程\"
             drop national-2021/international-cooperation because \"以科普人才建设工程代替\"
             override national-2021/literacy-2025-level { severity error expect target literacy by 2025 above 16 \"%\" }
             rule talent-project { severity error message \"缺少科普人才建设工程\" expect project talent }",
        );
        let registry = Registry::with_builtin(vec![child]).unwrap();
        let child = registry.get("child").unwrap();
        assert_eq!(child.ancestors, ["national-2021", "common"]);
        assert!(!child
            .rules
            .iter()
            .any(|r| r.id == "national-2021/international-cooperation"));
        assert_eq!(child.dropped[0].by, "child");
        let level = child
            .rules
            .iter()
            .find(|r| r.id == "national-2021/literacy-2025-level")
            .unwrap();
        assert_eq!(level.severity, Severity::Error);
        assert_eq!(level.overridden_by.as_deref(), Some("child"));
        assert_eq!(level.cite.document, "子〔2021〕1号");
        assert!(child.rules.iter().any(|r| r.id == "child/talent-project"));
        // The parent is untouched.
        let national = registry.get("national-2021").unwrap();
        assert!(national
            .rules
            .iter()
            .any(|r| r.id == "national-2021/international-cooperation"));
    }

    #[test]
    fn bad_references_are_located_in_the_pack() {
        let text = "pack p { title \"p\" document \"p\" period 2021 to 2025 extends national-2021 }
                    rule r { severity error message \"m\" expect action yuoth }";
        let errors = Registry::with_builtin(vec![pack(text)]).unwrap_err();
        let f = &errors[0].finding;
        assert_eq!(f.code, "rules/unknown-name");
        assert_eq!(&text[f.span.start..f.span.end], "yuoth");
        assert_eq!(f.help.as_deref(), Some("did you mean `youth`?"));

        let text = "pack p { title \"p\" document \"p\" period 2021 to 2025 extends national-2021 }
                    drop national-2021/nothing because \"x\"";
        let errors = Registry::with_builtin(vec![pack(text)]).unwrap_err();
        assert_eq!(errors[0].finding.code, "rules/unknown-rule");

        let text = "pack p { title \"p\" document \"p\" period 2021 to 2025 }
                    rule r { severity error message \"m\" when year > 2020 expect each target: has unit }";
        let errors = Registry::with_builtin(vec![pack(text)]).unwrap_err();
        assert!(errors[0]
            .finding
            .message
            .contains("field `year` is not available here"));

        let text = "pack p { title \"p\" document \"p\" period 2021 to 2025 }
                    rule r { severity error message \"m\" expect each action: has unit }";
        let errors = Registry::with_builtin(vec![pack(text)]).unwrap_err();
        assert!(errors[0]
            .finding
            .help
            .as_deref()
            .unwrap()
            .contains("fields here: name"));
    }

    #[test]
    fn a_pack_given_again_replaces_the_builtin_one() {
        let text = "pack shanxi-2021 { title \"n\" document \"n\" period 2021 to 2025 }";
        let registry = Registry::with_builtin(vec![pack(text)]).unwrap();
        assert!(registry.get("shanxi-2021").unwrap().rules.is_empty());
    }

    #[test]
    fn versions_are_declared_checked_and_compared() {
        let old = pack(
            "pack old { title \"旧\" document \"某政办〔2021〕1号\" issued \"2021-06-01\" period 2021 to 2025 extends national-2021 region \"某省\" }
             project talent \"科普人才建设工程\"
             rule talent-project { severity error message \"缺少科普人才建设工程\" expect project talent }",
        );
        let new = pack(
            "pack new { title \"新\" document \"某政办〔2023〕2号\" issued \"2023-06-01\" period 2021 to 2025 extends national-2021 region \"某省\" supersedes old }
             override national-2021/literacy-2025-level { expect target literacy by 2025 above 16 \"%\" }
             drop national-2021/international-cooperation because \"x\"",
        );
        let registry = Registry::with_builtin(vec![old, new]).unwrap();
        let (older, newer) = (registry.get("old").unwrap(), registry.get("new").unwrap());
        assert_eq!(newer.supersedes.as_deref(), Some("old"));
        assert_eq!(newer.version(), "某政办〔2023〕2号，2023-06-01");
        let changes: Vec<String> = version_changes(older, newer)
            .iter()
            .map(Change::describe)
            .collect();
        assert!(
            changes.contains(&"2025年“公民具备科学素质的比例”目标由超过15%改为超过16%".to_owned()),
            "{changes:?}"
        );
        assert!(
            changes
                .iter()
                .any(|c| c.starts_with("删去") && c.contains("国际交流合作")),
            "{changes:?}"
        );
        assert!(
            changes
                .iter()
                .any(|c| c.starts_with("删去") && c.contains("缺少科普人才建设工程")),
            "{changes:?}"
        );
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert!(version_changes(older, older).is_empty());
    }

    #[test]
    fn bad_versions_and_stated_requirements_are_refused() {
        let cases = [
            (
                "pack p { title \"p\" document \"p\" issued \"2021-13-01\" period 2021 to 2025 }",
                "`issued` is not a date",
            ),
            (
                "pack p { title \"p\" document \"p\" issued \"去年\" period 2021 to 2025 }",
                "`issued` is not a date",
            ),
            (
                "pack p { title \"p\" document \"p\" period 2021 to 2025 supersedes nothing }",
                "supersedes unknown pack `nothing`",
            ),
            (
                "pack p { title \"p\" document \"p\" period 2021 to 2025 supersedes p }",
                "supersedes itself",
            ),
            (
                "pack p { title \"p\" document \"p\" period 2021 to 2025 extends national-2021 }
              rule r { severity info message \"m\" expect stated smart-aid in overall-plan }",
                "is not an action or project",
            ),
            (
                "pack p { title \"p\" document \"p\" period 2021 to 2025 extends national-2021 }
              rule r { severity info message \"m\" expect stated nothing-known }",
                "`nothing-known` is not declared",
            ),
        ];
        for (text, expected) in cases {
            let errors = Registry::with_builtin(vec![pack(text)]).unwrap_err();
            assert!(
                errors.iter().any(|e| e.finding.message.contains(expected)),
                "{text}: {:?}",
                errors
                    .iter()
                    .map(|e| &e.finding.message)
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_plan_known_by_number_is_recognised_by_title_and_issuer_when_misnumbered() {
        let registry = Registry::builtin().as_ref().unwrap();
        let hubei = registry.get("hubei-2021").unwrap();
        assert!(hubei.cites_own(
            "《湖北省全民科学素质行动规划纲要实施方案（2021—2025年）》（鄂政发〔2021〕46号）"
        ));
        // Another issuer's number, or the number alone: not this document.
        assert!(!hubei.cites_own(
            "《湖北省全民科学素质行动规划纲要实施方案（2021—2025年）》（豫政办〔2021〕73号）"
        ));
        assert!(!hubei.cites_own("鄂政发〔2021〕46号"));
    }

    #[test]
    fn a_pack_known_by_title_alone_is_recognised_with_any_number() {
        let registry = Registry::builtin().as_ref().unwrap();
        let jiangxi = registry.get("jiangxi-2021").unwrap();
        assert!(jiangxi.document.is_empty());
        assert_eq!(
            jiangxi.citation(),
            "《江西省全民科学素质行动规划纲要实施方案（2021—2025年）》"
        );
        assert!(jiangxi.cites_own(
            "《江西省全民科学素质行动规划纲要实施方案(2021-2025年)》（赣府厅字〔2021〕99号）"
        ));
        assert!(!jiangxi.cites_own("赣府厅字〔2021〕99号"));
        assert!(!jiangxi.cites_own("《江西省全民科学素质行动计划纲要实施方案（2016—2020年）》"));
    }
}
