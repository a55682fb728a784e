//! Evaluation: a plan and a resolved pack in, findings out. No I/O, no rendering.

pub mod assurance;
mod eval;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::diagnostic::{Bounded, Finding, Related, MAX_FINDINGS_PER_RULE};
use crate::plan::{Plan, PlanKind, Relation, Section, SectionKind, Sp, Target, Text, UnitName};
use crate::rules::ast::{BasisCheck, Bound, Collection, Expect};
use crate::rules::normalize::{fold, DocumentNumber};
use crate::rules::{
    Cited, Normalizer, Registry, ResolvedName, ResolvedPack, ResolvedRule, UnitForm, UnitMatcher,
};
use crate::source::Span;
use eval::{interpolate, Item};

/// Run every rule of a pack on a plan, except those in `handled`: rules a more specific pack
/// already ran or dropped (the lower pack in the chain wins). Adds what it runs to `handled`.
pub fn check_plan<'r>(
    plan: &Plan,
    pack: &'r ResolvedPack,
    registry: &Registry,
    handled: &mut rustc_hash::FxHashSet<&'r str>,
) -> Vec<Finding> {
    handled.extend(pack.dropped.iter().map(|d| d.id.as_str()));
    let keys = KeyCache::new(&pack.normalizer);
    let mut findings = Vec::new();
    for rule in &pack.rules {
        if handled.insert(rule.id.as_str()) && rule_applies(rule, plan) {
            // Bounded while it runs: a plan with a million bad entries must not make a
            // million findings first.
            let mut out = Bounded::new(MAX_FINDINGS_PER_RULE);
            run_rule(plan, pack, registry, &keys, rule, &mut out);
            let mut found = out.into_findings();
            if let Some(years) = rule.binding.filter(|(_, end)| plan.period.value.0 > *end) {
                for f in &mut found {
                    past_binding(f, years, plan.period.value);
                }
            }
            findings.extend(found);
        }
    }
    findings
}

/// Whether a rule's `when` condition holds for the plan.
pub fn rule_applies(rule: &ResolvedRule, plan: &Plan) -> bool {
    rule.when
        .as_ref()
        .is_none_or(|when| eval::truthy(when, &Item::Plan, plan))
}

/// A finding of a requirement the higher document fixed for years before the plan's period
/// (the outline's 十四五 lists, asked of a 2026—2030 plan): an expectation, not a breach, so at
/// most a warning that says why.
fn past_binding(f: &mut Finding, (first, last): (i64, i64), (start, end): (i64, i64)) {
    f.severity = f.severity.min(crate::diagnostic::Severity::Warning);
    let why = format!(
        "上级文件将此项定为{first}—{last}年的任务，本规划期（{start}—{end}年）在其后：仍宜落实，或说明不再列入的理由；下一期上级规划印发后以其为准。"
    );
    f.help = Some(match f.help.take() {
        Some(help) => format!("{why}{help}").into(),
        None => why.into(),
    });
}

fn finding(rule: &ResolvedRule, span: Span, label: String) -> Finding {
    Finding {
        code: rule.id.clone(),
        severity: rule.severity,
        message: rule.message.clone(),
        span,
        label,
        help: rule.help.clone(),
        cite: Some(rule.cite.clone()),
        suggestion: None,
        document_suggestion: None,
        related: Vec::new(),
        origin: Some(Arc::clone(&rule.origin)),
        fatal: false,
    }
}

/// A name's key (filler words removed) and its folded form.
type NameForms = (Rc<str>, Rc<str>);

/// Names' forms and units' declared forms already computed on this thread, across plans: plans
/// of a run name the same actions and the same bodies over and over (市科协, 教育局), and
/// normalising them was a fifth of a bulk run. Keyed by the normaliser's (or matcher's) id, so
/// that packs loaded anew never see another's keys; emptied when large.
#[derive(Default)]
struct RunMemo {
    /// By normaliser id, then name.
    forms: rustc_hash::FxHashMap<u64, rustc_hash::FxHashMap<Box<str>, NameForms>>,
    /// By matcher id (and normaliser id), then unit name: its key and the index of the
    /// longest declared form in it.
    units: rustc_hash::FxHashMap<(u64, u64), rustc_hash::FxHashMap<Box<str>, UnitSeen>>,
    /// By normaliser id and declared name id, then a name as the plan writes it: whether it
    /// denotes the declared one (each plan of a run asks again about the same headings).
    matched: rustc_hash::FxHashMap<(u64, u64), rustc_hash::FxHashMap<Box<str>, bool>>,
    /// Answers `matched` holds, all names together: it is emptied at [`MEMO_LIMIT`].
    matched_count: usize,
}

/// A unit name's key and the index of the longest declared form in it.
type UnitSeen = (Rc<str>, Option<usize>);

/// Entries each memo holds before it is emptied: a run's distinct names are a few thousand.
const MEMO_LIMIT: usize = 50_000;

thread_local! {
    static MEMO: RefCell<RunMemo> = RefCell::new(RunMemo::default());
}

/// Normalised and folded names of one plan, computed once: every rule of a pack compares the
/// same names.
struct KeyCache<'p> {
    normalizer: &'p Normalizer,
    /// By the name's place in the plan (address and length): the plan's strings stay put while
    /// it is checked, and a place hashes faster than the text.
    keys: RefCell<rustc_hash::FxHashMap<(usize, usize), NameForms>>,
    /// Whether a name (by place) denotes a declared one (by address): rules about the same
    /// requirement ask again.
    matched: RefCell<rustc_hash::FxHashMap<(usize, usize, usize), bool>>,
    /// Texts folded, by place: `means` reads measures' and safeguards' texts for every
    /// requirement.
    folded: RefCell<rustc_hash::FxHashMap<(usize, usize), Rc<str>>>,
    /// Every unit the plan names with the declared form it contains, found once for the rules
    /// about units (`consistent units`, `current units`).
    units: std::cell::OnceCell<Vec<UnitMention<'p>>>,
}

/// A unit named in the plan, its key, and the declared form (of the pack's unit table) in it.
struct UnitMention<'p> {
    name: &'p Sp<UnitName>,
    key: Rc<str>,
    form: Option<&'p UnitForm>,
}

impl<'p> KeyCache<'p> {
    fn new(normalizer: &'p Normalizer) -> Self {
        KeyCache {
            normalizer,
            keys: RefCell::new(rustc_hash::FxHashMap::with_capacity_and_hasher(
                128,
                Default::default(),
            )),
            matched: RefCell::new(rustc_hash::FxHashMap::with_capacity_and_hasher(
                256,
                Default::default(),
            )),
            folded: RefCell::new(Default::default()),
            units: std::cell::OnceCell::new(),
        }
    }

    /// The name's key (filler words removed) and its folded form.
    fn forms(&self, name: &'p str) -> (Rc<str>, Rc<str>) {
        let place = (name.as_ptr() as usize, name.len());
        if let Some((k, f)) = self.keys.borrow().get(&place) {
            return (Rc::clone(k), Rc::clone(f));
        }
        let id = self.normalizer.id();
        let (k, f) = MEMO.with_borrow_mut(|memo| {
            // Packs loaded again and again (an editor session) leave old ids behind.
            if memo.forms.len() > 8 && !memo.forms.contains_key(&id) {
                memo.forms.clear();
            }
            let forms = memo.forms.entry(id).or_default();
            if let Some(known) = forms.get(name) {
                return known.clone();
            }
            let folded = fold(name);
            let f: Rc<str> = folded.as_str().into();
            let k: Rc<str> = self.normalizer.key_of_folded(folded).into();
            if forms.len() >= MEMO_LIMIT {
                forms.clear();
            }
            forms.insert(name.into(), (Rc::clone(&k), Rc::clone(&f)));
            (k, f)
        });
        self.keys
            .borrow_mut()
            .insert(place, (Rc::clone(&k), Rc::clone(&f)));
        (k, f)
    }

    /// A text of the plan folded (see [`fold`]), once.
    fn folded(&self, text: &'p str) -> Rc<str> {
        let place = (text.as_ptr() as usize, text.len());
        if let Some(f) = self.folded.borrow().get(&place) {
            return Rc::clone(f);
        }
        let f: Rc<str> = fold(text).into();
        self.folded.borrow_mut().insert(place, Rc::clone(&f));
        f
    }

    fn key(&self, name: &'p str) -> Rc<str> {
        self.forms(name).0
    }

    fn units(&self, plan: &'p Plan<'p>, matcher: &'p UnitMatcher) -> &[UnitMention<'p>] {
        self.units.get_or_init(|| {
            let id = (matcher.id(), self.normalizer.id());
            let names = all_units(plan);
            // What this thread has seen, looked up under one borrow of the memo.
            let known: Vec<Option<UnitSeen>> = MEMO.with_borrow(|memo| {
                let seen = memo.units.get(&id);
                names
                    .iter()
                    .map(|name| seen.and_then(|u| u.get(name.value.as_str()).cloned()))
                    .collect()
            });
            names
                .into_iter()
                .zip(known)
                .map(|(name, known)| {
                    let (key, index) = known.unwrap_or_else(|| {
                        let key = self.key(&name.value);
                        let index = matcher.best_index(&key);
                        MEMO.with_borrow_mut(|memo| {
                            if memo.units.len() > 8 && !memo.units.contains_key(&id) {
                                memo.units.clear();
                            }
                            let units = memo.units.entry(id).or_default();
                            if units.len() >= MEMO_LIMIT {
                                units.clear();
                            }
                            units.insert(name.value.as_str().into(), (Rc::clone(&key), index));
                        });
                        (key, index)
                    });
                    let form = index.and_then(|i| matcher.form(i));
                    UnitMention { name, key, form }
                })
                .collect()
        })
    }

    fn matches(&self, name: &'p str, declared: &ResolvedName) -> bool {
        let place = (
            name.as_ptr() as usize,
            name.len(),
            declared as *const ResolvedName as usize,
        );
        if let Some(&known) = self.matched.borrow().get(&place) {
            return known;
        }
        let by = (self.normalizer.id(), declared.id());
        let known = MEMO.with_borrow(|memo| {
            memo.matched
                .get(&by)
                .and_then(|names| names.get(name))
                .copied()
        });
        let found = known.unwrap_or_else(|| {
            let (key, folded) = self.forms(name);
            let found = declared.matches(&key, &folded);
            MEMO.with_borrow_mut(|memo| {
                if memo.matched_count >= MEMO_LIMIT {
                    memo.matched.clear();
                    memo.matched_count = 0;
                }
                memo.matched
                    .entry(by)
                    .or_default()
                    .insert(name.into(), found);
                memo.matched_count += 1;
            });
            found
        });
        self.matched.borrow_mut().insert(place, found);
        found
    }
}

/// Sections that carry a declared name: by their heading; a safeguard also by what its text
/// says (plans name safeguards by their content: 监测评估, 表彰激励 …).
fn sections<'p>(
    plan: &'p Plan<'p>,
    keys: &KeyCache<'p>,
    name: &ResolvedName,
) -> Vec<&'p Section<'p>> {
    let kinds = [
        SectionKind::Action,
        SectionKind::Project,
        SectionKind::Safeguard,
    ];
    kinds
        .iter()
        .flat_map(|k| plan.sections(*k).items.iter())
        .filter(|s| keys.matches(&s.name.value, name))
        .collect()
}

/// Whether the plan carries a required action, project or safeguard. A heading of the kind
/// asked for counts first; then a heading of the sibling kind (plans file 科技资源科普化 under
/// 行动 or 工程 alike); a safeguard also by the text of any safeguard; and in a 工作要点, whose
/// items are grouped by theme, by what any item says.
fn present<'p>(
    plan: &'p Plan<'p>,
    keys: &KeyCache<'p>,
    kind: SectionKind,
    name: &ResolvedName,
) -> bool {
    let by_heading = |k: SectionKind| {
        plan.sections(k)
            .items
            .iter()
            .any(|s| keys.matches(&s.name.value, name))
    };
    let says = |text: &'p Option<Sp<Text<'p>>>| {
        text.as_ref()
            .is_some_and(|t| name.means(&keys.folded(&t.value)))
    };
    match kind {
        SectionKind::Safeguard => {
            by_heading(kind) || plan.safeguards.items.iter().any(|s| says(&s.text))
        }
        SectionKind::Action | SectionKind::Project => {
            let sibling = if kind == SectionKind::Action {
                SectionKind::Project
            } else {
                SectionKind::Action
            };
            // A measure titled by the requirement's own name (“1.青少年科学素质提升行动”
            // numbered as an item) carries it in any plan; in a 工作要点 so does any item that
            // says what the requirement is made of.
            let work_points = plan.kind.value == PlanKind::WorkPoints;
            by_heading(kind)
                || by_heading(sibling)
                || plan.all_measures().any(|(_, m)| {
                    if work_points {
                        keys.matches(&m.title.value, name) || says(&m.text)
                    } else {
                        Normalizer::key_matches(&keys.key(&m.title.value), &name.keys)
                    }
                })
        }
    }
}

/// Where a plan meets a declared requirement, for the coverage table: the sections whose
/// heading names it (any kind: plans file 科技资源科普化 under 行动 or 工程 alike), else the
/// safeguards whose text says it.
pub fn locate_sections<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    key: &str,
) -> Vec<&'p Section<'p>> {
    let Some(name) = pack.names.get(key) else {
        return Vec::new();
    };
    let keys = KeyCache::new(&pack.normalizer);
    let found = sections(plan, &keys, name);
    if !found.is_empty() {
        return found;
    }
    let said: Vec<&Section> = plan
        .safeguards
        .items
        .iter()
        .filter(|s| {
            s.text
                .as_ref()
                .is_some_and(|t| name.means(&keys.folded(&t.value)))
        })
        .collect();
    if !said.is_empty() {
        return said;
    }
    // A measure titled by the requirement's name (an action numbered as an item).
    plan.all_measures()
        .filter(|(_, m)| Normalizer::key_matches(&keys.key(&m.title.value), &name.keys))
        .map(|(s, _)| s)
        .take(1)
        .collect()
}

/// The plan-level targets for a declared indicator (in a year, if given).
pub fn locate_targets<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    key: &str,
    year: Option<i64>,
) -> Vec<&'p Target<'p>> {
    let Some(name) = pack.names.get(key) else {
        return Vec::new();
    };
    let keys = KeyCache::new(&pack.normalizer);
    plan.targets
        .items
        .iter()
        .filter(|t| keys.matches(&t.indicator.value, name))
        .filter(|t| year.is_none_or(|y| t.year.as_ref().is_some_and(|ty| ty.value == y)))
        .collect()
}

fn run_rule<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    registry: &Registry,
    keys: &KeyCache<'p>,
    rule: &ResolvedRule,
    out: &mut Bounded,
) {
    match &rule.expect {
        Expect::Present { kind, name } => {
            let name = pack.name(&name.value);
            let items = plan.sections(*kind);
            if !present(plan, keys, *kind, name) {
                let span = items.span.unwrap_or(plan.span);
                let mut f = finding(rule, span, format!("此处缺少“{}”", name.canonical));
                f.suggestion = Some(format!(
                    "[[{}]]\nname = \"{}\"\nlead = [\"…\"]",
                    kind.table_key(),
                    name.canonical
                ));
                f.document_suggestion = Some(format!(
                    "在“{}”部分增加“{}”，并写明牵头单位和措施",
                    kind.zh(),
                    name.canonical
                ));
                out.push(f);
            }
        }
        Expect::Lead { name, patterns } => {
            for section in sections(plan, keys, pack.name(&name.value)) {
                let leads: Vec<&Sp<UnitName>> = section.all_leads().collect();
                let span = section.lead.span.unwrap_or(section.name.span);
                if leads.is_empty() {
                    let mut f = finding(
                        rule,
                        span,
                        format!("“{}”未写明牵头单位", section.name.value),
                    );
                    f.suggestion = Some(format!("lead = [{}]", suggest_units(patterns)));
                    f.document_suggestion = Some(
                        "在该部分或其各项措施后写明牵头单位，如“（市教育局、市科协牵头）”"
                            .to_owned(),
                    );
                    out.push(f);
                    continue;
                }
                let missing: Vec<String> = patterns
                    .iter()
                    .filter(|p| {
                        !leads
                            .iter()
                            .any(|u| p.split('|').any(|alt| u.value.contains(alt)))
                    })
                    .map(|p| format!("“{}”", p.replace('|', "”或“")))
                    .collect();
                if !missing.is_empty() {
                    out.push(finding(
                        rule,
                        span,
                        format!("牵头单位中没有名称含{}的单位", missing.join("、")),
                    ));
                }
            }
        }
        Expect::TargetIn { name } => {
            for section in sections(plan, keys, pack.name(&name.value)) {
                if section.all_targets().next().is_none() {
                    let mut f = finding(
                        rule,
                        section.name.span,
                        format!("“{}”没有量化目标", section.name.value),
                    );
                    f.suggestion = Some(format!(
                        "[[{}.measures.targets]]\nindicator = \"…\"\nvalue = 0\nunit = \"…\"\nyear = {}",
                        section.kind.table_key(),
                        plan.period.value.1
                    ));
                    f.document_suggestion = Some(format!(
                        "在该部分写明至少一个量化目标，如“到{}年，完成培训300人次”",
                        plan.period.value.1
                    ));
                    out.push(f);
                }
            }
        }
        Expect::OnPath { indicator } => on_path(plan, pack, keys, rule, indicator, out),
        Expect::Target {
            indicator,
            year,
            bound,
            at_end,
        } => {
            let year = &year.or(at_end.then_some(plan.period.value.1));
            let name = pack.name(&indicator.value);
            let candidates: Vec<&Target> = plan
                .targets
                .items
                .iter()
                .filter(|t| keys.matches(&t.indicator.value, name))
                .filter(|t| year.is_none_or(|y| t.year.as_ref().is_some_and(|ty| ty.value == y)))
                .collect();
            match bound {
                None if candidates.is_empty() => {
                    let when = year.map(|y| format!("{y}年")).unwrap_or_default();
                    let span = plan.targets.span.unwrap_or(plan.span);
                    let mut f = finding(rule, span, format!("缺少{when}“{}”目标", name.canonical));
                    f.suggestion = Some(format!(
                        "[[targets]]\nindicator = \"{}\"\nrelation = \"at-least\"\nvalue = …\nunit = \"%\"\nyear = {}",
                        name.canonical,
                        year.unwrap_or(plan.period.value.1)
                    ));
                    f.document_suggestion = Some(format!(
                        "在目标部分写明“到{}年，{}达到…%”",
                        year.unwrap_or(plan.period.value.1),
                        name.canonical
                    ));
                    out.push(f);
                }
                None => {}
                Some(bound) => {
                    for target in candidates {
                        if let Some(label) = bound_shortfall(target, bound) {
                            let span = target.value.as_ref().map(|v| v.span).unwrap_or(target.span);
                            out.push(finding(rule, span, label));
                        }
                    }
                }
            }
        }
        Expect::Each {
            collections,
            filter,
            predicate,
        } => {
            for item in items(plan, collections) {
                if filter
                    .as_ref()
                    .is_some_and(|f| !eval::truthy(f, &item, plan))
                {
                    continue;
                }
                if !eval::truthy(predicate, &item, plan) {
                    let span = eval::anchor(predicate, &item).unwrap_or(item.span());
                    let mut f = finding(rule, span, item.describe());
                    f.message = interpolate(&rule.message, &item, plan).into();
                    out.push(f);
                }
            }
        }
        Expect::Some {
            collections,
            filter,
            predicate,
        } => {
            let satisfied = items(plan, collections).iter().any(|item| {
                filter.as_ref().is_none_or(|f| eval::truthy(f, item, plan))
                    && eval::truthy(predicate, item, plan)
            });
            if !satisfied {
                let span = match collections.as_slice() {
                    [Collection::Target] => plan.targets.span,
                    [Collection::Action] => plan.actions.span,
                    [Collection::Project] => plan.projects.span,
                    [Collection::Safeguard] => plan.safeguards.span,
                    _ => None,
                }
                .unwrap_or(plan.span);
                let what = collections
                    .iter()
                    .map(|c| c.zh())
                    .collect::<Vec<_>>()
                    .join("或");
                out.push(finding(rule, span, format!("没有符合要求的{what}")));
            }
        }
        Expect::Basis(check) => basis(plan, pack, registry, rule, check, out),
        Expect::Stated { name, within } => {
            let declared = pack.name(&name.value);
            match within {
                None => {
                    // Read only where the plan gives the 组织实施 part in words.
                    let said: Vec<&Sp<Text<'_>>> = plan
                        .safeguards
                        .items
                        .iter()
                        .filter_map(|s| s.text.as_ref())
                        .collect();
                    if said.is_empty() {
                        return;
                    }
                    let stated = plan
                        .safeguards
                        .items
                        .iter()
                        .any(|s| declared.means(&keys.folded(&s.name.value)))
                        || said.iter().any(|t| declared.means(&keys.folded(&t.value)));
                    if !stated {
                        let span = plan.safeguards.span.unwrap_or(plan.span);
                        let mut f = finding(
                            rule,
                            span,
                            format!("组织实施部分未写明“{}”", declared.canonical),
                        );
                        f.document_suggestion =
                            Some(format!("在“组织实施”部分写明“{}”", declared.canonical));
                        out.push(f);
                    }
                }
                Some(section_name) => {
                    for section in sections(plan, keys, pack.name(&section_name.value)) {
                        let prose = section.text.is_some()
                            || section.measures.iter().any(|m| m.text.is_some());
                        if !prose {
                            // Headings alone (a plan file that lists measures by title) are a
                            // summary: what the measures say cannot be told from them.
                            continue;
                        }
                        let mut texts: Vec<&str> = vec![&section.name.value];
                        texts.extend(section.text.iter().map(|t| t.value.as_ref()));
                        for m in &section.measures {
                            texts.push(&m.title.value);
                            texts.extend(m.text.iter().map(|t| t.value.as_ref()));
                        }
                        if !texts.iter().any(|t| declared.means(&keys.folded(t))) {
                            let mut f = finding(
                                rule,
                                section.name.span,
                                format!("“{}”未涉及“{}”", section.name.value, declared.canonical),
                            );
                            f.document_suggestion =
                                Some(format!("在该部分增加“{}”的措施", declared.canonical));
                            out.push(f);
                        }
                    }
                }
            }
        }
        Expect::ProvinceKnown => province_known(plan, pack, registry, rule, out),
        Expect::PeriodWithin => {
            let (start, end) = plan.period.value;
            let (first, last) = pack.period;
            if start < first || end > last {
                let label = format!(
                    "规划期{start}—{end}超出上级文件（{}）的{first}—{last}",
                    pack.document
                );
                out.push(finding(rule, plan.period.span, label));
            }
        }
        Expect::ConsistentUnits => consistent_units(plan, pack, keys, rule, out),
        Expect::CurrentUnits => current_units(plan, pack, keys, rule, out),
        Expect::Unique { collections } => {
            let mut seen: rustc_hash::FxHashMap<Rc<str>, Span> = Default::default();
            for item in items(plan, collections) {
                let Some(name) = item.name() else { continue };
                let key = keys.key(&name.value);
                if let Some(first) = seen.get(&key) {
                    let mut f = finding(rule, name.span, format!("“{}”重复", name.value));
                    f.message = interpolate(&rule.message, &item, plan).into();
                    f.related.push(Related {
                        span: *first,
                        message: "首次出现于此".into(),
                    });
                    out.push(f);
                } else {
                    seen.insert(key, name.span);
                }
            }
        }
    }
}

/// Whether a cited document is an earlier version (`supersedes`) of a document of the chain.
fn cites_earlier_version(cited: &Cited, pack: &ResolvedPack, registry: &Registry) -> bool {
    chain_packs(pack, registry)
        .filter_map(|p| p.supersedes.as_deref().and_then(|id| registry.get(id)))
        .any(|old| old.cites_own_read(cited))
}

/// An implementation plan of a province that no pack encodes, citing only the national
/// documents, when the province has (or should have) a plan of the plan's years (the registry's
/// period): it skipped a level. A plan that cites a number no pack knows may be citing the province's plan, so it
/// is not told.
fn province_not_cited(
    plan: &Plan,
    pack: &ResolvedPack,
    registry: &Registry,
    rule: &ResolvedRule,
    read: &[(&Sp<Text<'_>>, Cited)],
    out: &mut Bounded,
) {
    let Some(province) = plan.province() else {
        return;
    };
    let (first, last) = crate::rules::provinces::period();
    let (start, end) = plan.period.value;
    // Work points cite what they implement this year (often the city's plan): only an
    // implementation plan is told of a provincial plan no pack encodes.
    if read.is_empty() || start > last || end < first || plan.kind.value != PlanKind::Implementation
    {
        return;
    }
    let entry = crate::rules::provinces::entry(province);
    let plan_name = match entry.and_then(|e| e.title.as_deref()) {
        Some(title) => format!("《{title}》"),
        None => "实施方案".to_owned(),
    };
    if !read.iter().all(|(_, b)| pack.chain_cites_read(b)) {
        return only_local_documents(plan, registry, rule, read, province, &plan_name, out);
    }
    let label = format!("只引用了国家纲要，未引用{province}的{plan_name}");
    let span = plan.basis_span.unwrap_or(read[0].0.span);
    let mut f = finding(rule, span, label);
    // Where nothing of the province's plan was found, whether it exists is not known: a note.
    if entry.is_none_or(|e| e.title.is_none()) {
        f.severity = crate::diagnostic::Severity::Info;
    }
    f.document_suggestion = Some(format!("在依据中写明{province}的{plan_name}及其文号"));
    out.push(f);
}

/// A plan that cites only documents no pack knows (a county citing its prefecture's plan): it
/// may cite its province's plan by a number planlint lacks, so it is told at info, not warned.
fn only_local_documents(
    plan: &Plan,
    registry: &Registry,
    rule: &ResolvedRule,
    read: &[(&Sp<Text<'_>>, Cited)],
    province: &str,
    plan_name: &str,
    out: &mut Bounded,
) {
    if read
        .iter()
        .any(|(_, b)| registry.packs().any(|p| p.chain_cites_read(b)))
    {
        return;
    }
    let label = format!(
        "所引文件均不是 planlint 收录的国家或省级文件：如未依据{province}的{plan_name}，请补上"
    );
    let span = plan.basis_span.unwrap_or(read[0].0.span);
    let mut f = finding(rule, span, label);
    f.severity = crate::diagnostic::Severity::Info;
    f.message = "未能确认是否依据了本省的实施方案".into();
    f.document_suggestion = Some(format!("在依据中写明{province}的{plan_name}"));
    out.push(f);
}

/// The local plan (a province's, a city's) a cited document is, when its period ended before
/// the plan's began.
fn expired_plan<'r>(
    cited: &Cited,
    plan: &Plan,
    registry: &'r Registry,
) -> Option<&'r ResolvedPack> {
    registry
        .packs()
        .find(|p| {
            !p.is_abstract
                && p.region.is_some()
                && p.period.1 < plan.period.value.0
                && p.cites_own_read(cited)
        })
        .map(|p| &**p)
}

/// The pack and the packs it extends, nearest first.
fn chain_packs<'r>(
    pack: &'r ResolvedPack,
    registry: &'r Registry,
) -> impl Iterator<Item = &'r ResolvedPack> {
    std::iter::once(pack).chain(
        pack.ancestors
            .iter()
            .filter_map(|a| registry.get(a).map(|p| &**p)),
    )
}

/// Each plan-level target for the indicator compared with the pack's path: below a level the
/// country had reached before the plan's period began, or below the goals at the target's year
/// (between two goals, the straight line joining them), it is reported with both figures and
/// their sources.
fn on_path<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    keys: &KeyCache<'p>,
    rule: &ResolvedRule,
    indicator: &Sp<String>,
    out: &mut Bounded,
) {
    let Some(path) = pack
        .paths
        .iter()
        .find(|p| p.indicator.value == indicator.value)
    else {
        return;
    };
    let name = pack.name(&indicator.value);
    let start = plan.period.value.0;
    let figure = |value: f64, unit: &str| format!("{}{unit}", crate::plan::format_number(value));
    for target in plan
        .targets
        .items
        .iter()
        .filter(|t| keys.matches(&t.indicator.value, name))
    {
        let (Some(year), Some(value)) = (&target.year, &target.value) else {
            continue;
        };
        let (year, value_span, value) = (year.value, value.span, value.value);
        let reached = path
            .points
            .iter()
            .filter(|p| p.goal.is_none() && p.year < start && p.year <= year)
            .max_by_key(|p| p.year)
            .filter(|p| value < p.value);
        if let Some(level) = reached {
            out.push(finding(
                rule,
                value_span,
                format!(
                    "{year}年目标{}低于全国{}年已达到的{}（{}）",
                    figure(value, &level.unit),
                    level.year,
                    figure(level.value, &level.unit),
                    level.source
                ),
            ));
            continue;
        }
        let goals: Vec<&crate::rules::ast::PathPoint> =
            path.points.iter().filter(|p| p.goal.is_some()).collect();
        let on_line = goals.windows(2).find_map(|w| {
            let (a, b) = (w[0], w[1]);
            (a.year <= year && year <= b.year).then(|| {
                let share = (year - a.year) as f64 / (b.year - a.year).max(1) as f64;
                (a.value + (b.value - a.value) * share, a, b)
            })
        });
        if let Some((expected, a, b)) = on_line.filter(|(expected, _, _)| value + 1e-9 < *expected)
        {
            let rounded = (expected * 10.0).round() / 10.0;
            // The line between two goals is planlint's reckoning, not a figure of the document:
            // a note, worded as such.
            let mut f = finding(
                rule,
                value_span,
                format!(
                    "{year}年目标{}低于按两个目标推算的约{}（{}年{}、{}年{}，{}；纲要未定{year}年数值）",
                    figure(value, &a.unit),
                    figure(rounded, &a.unit),
                    a.year,
                    figure(a.value, &a.unit),
                    b.year,
                    figure(b.value, &b.unit),
                    if a.source == b.source {
                        a.source.clone()
                    } else {
                        format!("{}；{}", a.source, b.source)
                    }
                ),
            );
            f.severity = crate::diagnostic::Severity::Info;
            out.push(f);
        }
    }
}

/// Tells a plan when its province's rules are not (all) known, so that the reader knows the
/// national requirement stood in for them.
fn province_known(
    plan: &Plan,
    pack: &ResolvedPack,
    registry: &Registry,
    rule: &ResolvedRule,
    out: &mut Bounded,
) {
    let Some(province) = plan.province() else {
        return;
    };
    let span = plan
        .region
        .iter()
        .find(|r| r.value == province)
        .map(|r| r.span)
        .unwrap_or(plan.span);
    let in_chain = |p: &ResolvedPack| p.id == pack.id || pack.ancestors.contains(&p.id);
    let own: Vec<&Arc<ResolvedPack>> = registry
        .packs()
        .filter(|p| !p.is_abstract && p.region.as_deref() == Some(province))
        .collect();
    if let Some(applied) = own.iter().find(|p| in_chain(p)) {
        if !applied.unknown.is_empty() {
            let label = format!(
                "{}{}的{}未知，按全国纲要的要求检查",
                province,
                applied.reference(),
                applied.unknown.join("、")
            );
            out.push(finding(rule, span, label));
        }
        return;
    }
    let (start, end) = plan.period.value;
    // The province's plan for the plan's years is not (yet) known: the plans it has are of an
    // earlier period (a 2026—2030 plan, the province's 2021—2025 plan).
    let latest = own.iter().map(|p| p.period.1).max();
    if let Some(latest_end) = latest.filter(|&e| e < start) {
        let known: Vec<String> = own
            .iter()
            .filter(|p| p.period.1 == latest_end)
            .map(|p| p.reference())
            .collect();
        let label = format!(
            "未收录{province}{start}—{end}年的实施方案（已收录的{}规划期至{latest_end}年），按全国纲要的要求检查",
            known.join("、")
        );
        out.push(finding(rule, span, label));
        return;
    }
    if !own.is_empty() {
        return; // the province's plan is known, but for another kind of plan
    }
    if start > crate::rules::provinces::period().1 {
        let label = format!("未收录{province}{start}—{end}年的实施方案，按全国纲要的要求检查");
        out.push(finding(rule, span, label));
        return;
    }
    let label = match crate::rules::provinces::entry(province) {
        Some(e) => match &e.title {
            Some(t) => format!("{province}的方案《{t}》内容未知：{}", e.known),
            None => format!("未收录{province}的实施方案：{}", e.known),
        },
        None => format!("未收录{province}的实施方案"),
    };
    out.push(finding(rule, span, label));
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn basis(
    plan: &Plan,
    pack: &ResolvedPack,
    registry: &Registry,
    rule: &ResolvedRule,
    check: &BasisCheck,
    out: &mut Bounded,
) {
    // Each entry is compared with many packs' documents: read once.
    let read = || -> Vec<(&Sp<Text<'_>>, Cited)> {
        plan.basis
            .iter()
            .map(|b| (b, Cited::read(&b.value)))
            .collect()
    };
    match check {
        BasisCheck::Cited => {
            if plan.basis.is_empty() {
                let span = plan.basis_span.unwrap_or(plan.span);
                let mut f = finding(rule, span, "未写明所依据的上级文件".into());
                f.suggestion = Some(format!("basis = [\"{}\"]", pack.citation()));
                f.document_suggestion =
                    Some(format!("在文首写明依据，如“根据{}”", pack.reference()));
                out.push(f);
            }
        }
        BasisCheck::Known => {
            // An earlier version of a document in the chain is known: `basis current` tells
            // the plan about it.
            let chain = pack.chain_documents.join("、");
            // A local plan whose period has ended is `basis expired`'s.
            for (cited, _) in read().iter().filter(|(_, b)| {
                !pack.chain_cites_read(b)
                    && !cites_earlier_version(b, pack, registry)
                    && expired_plan(b, plan, registry).is_none()
            }) {
                let label = format!("“{}”不在上级文件链（{chain}）中", cited.value);
                out.push(finding(rule, cited.span, label));
            }
        }
        BasisCheck::Numbered => {
            for (cited, read) in read().iter().filter(|(_, b)| !b.numbered()) {
                // A pack known by title alone has no number to suggest.
                let number = registry
                    .packs()
                    .find(|p| !p.is_abstract && p.cites_own_read(read))
                    .map(|p| p.document.clone())
                    .filter(|n| !n.is_empty());
                let label = match &number {
                    Some(n) => format!("只写了文件标题，请补上文号“{n}”"),
                    None => "只写了文件标题，请补上文号".to_owned(),
                };
                let mut f = finding(rule, cited.span, label);
                f.document_suggestion = number
                    .as_ref()
                    .map(|n| format!("在文件标题后写明文号（{n}）"));
                f.suggestion = number.map(|n| format!("\"{n}\""));
                out.push(f);
            }
        }
        BasisCheck::Complete => {
            let Some(region) = &pack.region else {
                return province_not_cited(plan, pack, registry, rule, &read(), out);
            };
            // Citing an earlier version is not skipping the level (`basis current` says it).
            let read = read();
            if read.is_empty()
                || read.iter().any(|(_, b)| {
                    pack.cites_own_read(b) || cites_earlier_version(b, pack, registry)
                })
            {
                return;
            }
            // A province plan known only by its title may be the number the plan cites that no
            // pack knows: then whether a level was skipped cannot be told.
            let unknown_number = read
                .iter()
                .any(|(_, b)| b.numbered() && !registry.packs().any(|p| p.chain_cites_read(b)));
            if pack.document.is_empty() && unknown_number {
                return only_local_documents(
                    plan,
                    registry,
                    rule,
                    &read,
                    region,
                    &pack.reference(),
                    out,
                );
            }
            let label = format!("引用了上级文件，但未引用{region}的{}", pack.reference());
            let span = plan.basis_span.unwrap_or(plan.basis[0].span);
            let mut f = finding(rule, span, label);
            f.suggestion = Some(format!("\"{}\"", pack.citation()));
            f.document_suggestion = Some(format!("在依据中写明{}", pack.reference()));
            out.push(f);
        }
        BasisCheck::Foreign => {
            let Some(province) = plan.province() else {
                return;
            };
            for (cited, read) in read() {
                let other = registry.packs().find(|p| {
                    p.region.as_deref().is_some_and(|r| r != province)
                        && !p.is_abstract
                        && p.cites_own_read(&read)
                });
                if let Some(other) = other {
                    let label = format!(
                        "本规划属{province}，所引为{}的{}",
                        other.region.as_deref().unwrap_or(""),
                        other.reference()
                    );
                    out.push(finding(rule, cited.span, label));
                }
            }
        }
        BasisCheck::Superseded(old) => {
            let title = fold(&plan.title.value);
            for word in old {
                let is_number = DocumentNumber::parse(word).is_some();
                let folded = fold(word);
                let cited = plan.basis.iter().find(|b| {
                    if is_number {
                        DocumentNumber::find(&b.value)
                            .is_some_and(|n| Some(n) == DocumentNumber::parse(word))
                    } else {
                        fold(&b.value).contains(folded.as_str())
                    }
                });
                if let Some(cited) = cited {
                    out.push(finding(
                        rule,
                        cited.span,
                        format!("所引“{}”已被取代", cited.value),
                    ));
                } else if !is_number && title.contains(folded.as_str()) {
                    let label = format!("标题沿用了旧纲要的名称“{word}”");
                    out.push(finding(rule, plan.title.span, label));
                }
            }
        }
        BasisCheck::Expired => {
            let start = plan.period.value.0;
            for (cited, read) in read() {
                // An earlier version of a document the chain applies is `basis current`'s.
                if cites_earlier_version(&read, pack, registry) {
                    continue;
                }
                if let Some(old) = expired_plan(&read, plan, registry) {
                    let label = format!(
                        "{}的规划期为{}—{}年，在本规划期（{}—{}年）开始前已结束",
                        old.reference(),
                        old.period.0,
                        old.period.1,
                        start,
                        plan.period.value.1
                    );
                    out.push(finding(rule, cited.span, label));
                }
            }
        }
        BasisCheck::Current => {
            for newer in chain_packs(pack, registry) {
                let Some(older) = newer.supersedes.as_deref().and_then(|id| registry.get(id))
                else {
                    continue;
                };
                let read = read();
                if read.iter().any(|(_, b)| newer.cites_own_read(b)) {
                    continue;
                }
                let Some((cited, _)) = read.iter().find(|(_, b)| older.cites_own_read(b)) else {
                    continue;
                };
                let label = format!(
                    "所引为旧版（{}），现行为《{}》（{}）",
                    older.version(),
                    newer.title,
                    newer.version()
                );
                let mut f = finding(rule, cited.span, label);
                let changes = crate::rules::version_changes(older, newer);
                let listed = if changes.is_empty() {
                    "两版要求相同".to_owned()
                } else {
                    changes
                        .iter()
                        .map(|c| c.describe())
                        .collect::<Vec<_>>()
                        .join("；")
                };
                f.help = Some(match &f.help {
                    Some(h) => format!("{h} 此后的变化：{listed}。").into(),
                    None => format!("此后的变化：{listed}。").into(),
                });
                f.suggestion = Some(format!("\"{}\"", newer.citation()));
                f.document_suggestion = Some(format!("将依据改为{}", newer.reference()));
                out.push(f);
            }
        }
        BasisCheck::Standard => {
            for cited in &plan.basis {
                let Some(number) = DocumentNumber::find(&cited.value) else {
                    continue; // a title alone; `basis numbered` asks for its number
                };
                let standard = number.standard();
                if compact(&cited.value).contains(&standard) {
                    continue;
                }
                let mut f = finding(rule, cited.span, format!("应写作“{standard}”"));
                f.suggestion = Some(format!("\"{standard}\""));
                f.document_suggestion = Some(format!("改写作“{standard}”"));
                out.push(f);
            }
        }
    }
}

/// Flags a declared unit written in two forms in one plan (区教育局 and 区教体局). A unit
/// name is matched to the declared unit whose longest alias it contains; the alias is its form.
fn consistent_units<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    keys: &KeyCache<'p>,
    rule: &ResolvedRule,
    out: &mut Bounded,
) {
    // For each declared unit (by canonical name): the forms seen, with their first mention.
    let mut seen: rustc_hash::FxHashMap<&str, Vec<(&str, &Sp<UnitName>)>> = Default::default();
    for mention in keys.units(plan, &pack.units) {
        let Some(best) = mention.form else { continue };
        let forms = seen.entry(best.unit.as_str()).or_default();
        if forms.iter().any(|(f, _)| *f == best.form) {
            continue;
        }
        if let Some((_, first)) = forms.first() {
            let mut f = finding(
                rule,
                mention.name.span,
                format!("“{}”与“{}”应为同一单位", mention.name.value, first.value),
            );
            f.related.push(Related {
                span: first.span,
                message: format!("此处写作“{}”", first.value),
            });
            out.push(f);
        }
        forms.push((best.form.as_str(), mention.name));
    }
}

/// Flags units named by a form the pack marks obsolete (农业局 after the 2018 reorganisation),
/// with the current name; each name once.
fn current_units<'p>(
    plan: &'p Plan<'p>,
    pack: &'p ResolvedPack,
    keys: &KeyCache<'p>,
    rule: &ResolvedRule,
    out: &mut Bounded,
) {
    let mut seen: rustc_hash::FxHashSet<&str> = Default::default();
    for mention in keys.units(plan, &pack.units) {
        let Some(best) = mention.form.filter(|b| b.obsolete) else {
            continue;
        };
        if seen.insert(&mention.key) {
            let label = format!("“{}”为机构改革前的名称，现为“{}”", best.form, best.unit);
            out.push(finding(rule, mention.name.span, label));
        }
    }
}

/// Every unit a plan names as lead or partner, in file order.
fn all_units<'p>(plan: &'p Plan<'_>) -> Vec<&'p Sp<UnitName>> {
    let mut mentions: Vec<&Sp<UnitName>> = Vec::new();
    for section in plan
        .actions
        .items
        .iter()
        .chain(&plan.projects.items)
        .chain(&plan.safeguards.items)
    {
        mentions.extend(section.lead.names.iter().chain(&section.partners.names));
        for measure in &section.measures {
            mentions.extend(measure.lead.names.iter().chain(&measure.partners.names));
        }
    }
    mentions.sort_by_key(|m| m.span.start);
    mentions
}

/// The items of the listed collections, in file order within each collection.
fn items<'p>(plan: &'p Plan<'p>, collections: &[Collection]) -> Vec<Item<'p>> {
    let mut out = Vec::new();
    for c in collections {
        match c {
            Collection::Action => out.extend(plan.actions.items.iter().map(Item::Section)),
            Collection::Project => out.extend(plan.projects.items.iter().map(Item::Section)),
            Collection::Safeguard => out.extend(plan.safeguards.items.iter().map(Item::Section)),
            Collection::Measure => {
                out.extend(plan.all_measures().map(|(s, m)| Item::Measure(s, m)))
            }
            Collection::Target => out.extend(plan.all_targets().map(Item::Target)),
        }
    }
    out
}

fn suggest_units(patterns: &[String]) -> String {
    if patterns.is_empty() {
        return "\"…\"".into();
    }
    patterns
        .iter()
        .map(|p| format!("\"…{}…\"", p.split('|').next().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a target is less demanding than a bound, or `None` if it meets it.
fn bound_shortfall(target: &Target, bound: &Bound) -> Option<String> {
    let wanted = bound.describe();
    let Some(value) = &target.value else {
        return Some(format!("没有数值，上级要求{wanted}"));
    };
    if let (Some(want), Some(unit)) = (&bound.unit, &target.unit) {
        if *want != unit.value {
            return Some(format!("单位为“{}”，上级要求{wanted}", unit.value));
        }
    }
    let (v, b) = (value.value, bound.value);
    let relation = target.relation.value;
    let lower = |r: Relation| matches!(r, Relation::Above | Relation::AtLeast);
    let meets = match bound.relation {
        // Local plans restate 超过15% as 达到15%（以上）; no reviewer reads that as a lower aim.
        Relation::Above => lower(relation) && v >= b,
        Relation::AtLeast => lower(relation) && v >= b,
        Relation::Below => !lower(relation) && (v < b || (v == b && relation == Relation::Below)),
        Relation::AtMost => !lower(relation) && v <= b,
    };
    (!meets).then(|| format!("此处为{}，上级要求{wanted}", target.describe_bound()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(relation: Relation, value: f64) -> Target<'static> {
        Target {
            span: Span::default(),
            indicator: Sp::new("公民具备科学素质的比例".into(), Span::default()),
            relation: Sp::new(relation, Span::default()),
            bound: None,
            value: Some(Sp::new(value, Span::default())),
            unit: Some(Sp::new("%".into(), Span::default())),
            year: Some(Sp::new(2025, Span::default())),
            per: None,
            hedge: None,
            text: None,
        }
    }

    #[test]
    fn bounds_compare_relation_and_value() {
        let above15 = Bound {
            relation: Relation::Above,
            value: 15.0,
            unit: Some("%".into()),
        };
        assert!(bound_shortfall(&target(Relation::Above, 16.0), &above15).is_none());
        assert!(bound_shortfall(&target(Relation::Above, 15.0), &above15).is_none());
        assert!(bound_shortfall(&target(Relation::AtLeast, 16.0), &above15).is_none());
        let short = bound_shortfall(&target(Relation::AtLeast, 14.5), &above15).unwrap();
        assert_eq!(short, "此处为达到14.5%，上级要求超过15%");
        assert!(bound_shortfall(&target(Relation::AtLeast, 15.0), &above15).is_none());
        assert!(bound_shortfall(&target(Relation::AtLeast, 14.9), &above15).is_some());
        assert!(bound_shortfall(&target(Relation::Below, 20.0), &above15).is_some());
    }
}
