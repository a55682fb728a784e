//! `planlint test`: the cases kept beside each pack. A case is a plan file whose comment lines
//! say which rules it must raise and which it must pass:
//!
//! ```toml
//! # planlint-test: raises national-2021/international-cooperation
//! # planlint-test: passes national-2021/youth-action national-2021/literacy-2025
//! # planlint-test: pack henan-2021          (optional: apply these packs, not the chosen ones)
//! ```
//!
//! A "passes" claim counts only if the rule actually applies to the plan (its `when` holds), so
//! a case cannot pass by not exercising its rule.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::rules::{Registry, ResolvedPack};
use crate::source::SourceFile;

const DIRECTIVE: &str = "# planlint-test:";

/// What one case claims.
#[derive(Debug, Default)]
pub struct CaseSpec {
    pub raises: Vec<String>,
    pub passes: Vec<String>,
    pub packs: Vec<String>,
}

/// Reads the directives of a case; malformed directives are errors, not silently skipped.
pub fn parse_case(text: &str) -> Result<CaseSpec, String> {
    let mut spec = CaseSpec::default();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix(DIRECTIVE) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let target = match words.next() {
            Some("raises") => &mut spec.raises,
            Some("passes") => &mut spec.passes,
            Some("pack") => &mut spec.packs,
            other => {
                return Err(format!(
                "line {}: expected `raises`, `passes` or `pack` after `{DIRECTIVE}`, found {:?}",
                n + 1,
                other.unwrap_or("nothing")
            ))
            }
        };
        let before = target.len();
        target.extend(words.map(str::to_owned));
        if target.len() == before {
            return Err(format!(
                "line {}: the directive names no rule or pack",
                n + 1
            ));
        }
    }
    if spec.raises.is_empty() && spec.passes.is_empty() {
        return Err(format!(
            "no `{DIRECTIVE} raises …` or `passes …` line: not a test case"
        ));
    }
    Ok(spec)
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub path: PathBuf,
    pub failures: Vec<String>,
    pub spec: CaseSpec,
}

/// The outcome of a whole run: every case, and the rules no case covers.
#[derive(Debug, Default)]
pub struct TestRun {
    pub cases: Vec<CaseResult>,
    /// Rules (of the packs under test) with no case that raises them.
    pub never_raised: Vec<String>,
    /// Rules (of the packs under test) with no case that passes them.
    pub never_passed: Vec<String>,
    /// How many rule definitions the packs under test hold, and how many of them some case
    /// raises and some case passes.
    pub rule_count: usize,
    pub rules_covered: usize,
}

impl TestRun {
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.failures.is_empty()).count()
    }

    pub fn ok(&self) -> bool {
        self.failed() == 0 && self.never_raised.is_empty() && self.never_passed.is_empty()
    }
}

/// Run every case file against the registry; `tested` are the packs whose coverage is checked.
pub fn run(
    cases: &[(PathBuf, Arc<SourceFile>)],
    registry: &Registry,
    tested: &[String],
) -> TestRun {
    let mut run = TestRun::default();
    // Coverage is counted per rule definition: a rule id and the pack file that wrote it last
    // (its own pack, or one that overrode it). An inherited, unchanged rule is covered once.
    let mut raised: BTreeSet<(String, String)> = BTreeSet::new();
    let mut passed: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, source) in cases {
        let (result, covered) = run_case(path, source, registry);
        if result.failures.is_empty() {
            raised.extend(covered.raised);
            passed.extend(covered.passed);
        }
        run.cases.push(result);
    }
    for id in tested {
        let Some(pack) = registry.get(id) else {
            continue;
        };
        for rule in pack
            .rules
            .iter()
            .filter(|r| r.source.name == pack.source.name)
        {
            run.rule_count += 1;
            let key = (rule.id.clone(), rule.source.name.clone());
            if !raised.contains(&key) {
                run.never_raised
                    .push(format!("{} (as written in {})", rule.id, rule.source.name));
            }
            if !passed.contains(&key) {
                run.never_passed
                    .push(format!("{} (as written in {})", rule.id, rule.source.name));
            }
            if raised.contains(&key) && passed.contains(&key) {
                run.rules_covered += 1;
            }
        }
    }
    run.never_raised.sort();
    run.never_raised.dedup();
    run.never_passed.sort();
    run.never_passed.dedup();
    run
}

/// The rule definitions a passing case covers: (rule id, pack file that wrote it).
#[derive(Default)]
struct Covered {
    raised: Vec<(String, String)>,
    passed: Vec<(String, String)>,
}

fn run_case(path: &Path, source: &Arc<SourceFile>, registry: &Registry) -> (CaseResult, Covered) {
    let mut failures = Vec::new();
    let mut covered = Covered::default();
    let result = |failures, spec| CaseResult {
        path: path.to_owned(),
        failures,
        spec,
    };
    let spec = match parse_case(&source.text) {
        Ok(spec) => spec,
        Err(e) => return (result(vec![e], CaseSpec::default()), covered),
    };
    let loaded = crate::plan::load(source);
    let Some(plan) = loaded.plan else {
        let first = loaded
            .diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        failures.push(format!("the plan does not load: {first}"));
        return (result(failures, spec), covered);
    };
    let mut packs: Vec<Arc<ResolvedPack>> = Vec::new();
    for id in &spec.packs {
        match registry.get(id) {
            Some(p) => packs.push(Arc::clone(p)),
            None => failures.push(format!("unknown pack `{id}`")),
        }
    }
    if spec.packs.is_empty() {
        packs = registry.select(&plan);
    }
    if packs.is_empty() {
        failures
            .push("no pack applies to this plan; name one with `# planlint-test: pack ID`".into());
    }
    let checker = crate::Checker {
        registry,
        forced: packs.clone(),
        config: Default::default(),
        coverage: false,
    };
    let report = crate::check_source(Arc::clone(source), &checker);
    let found = |id: &str| report.findings.iter().any(|f| f.code == id);
    // The definition that ran: the first (most specific) pack holding the rule.
    let rule_in_packs = |id: &str| {
        packs
            .iter()
            .find_map(|p| p.rules.iter().find(|r| r.id == id))
    };
    let not_a_rule = |id: &str| {
        format!(
            "`{id}` is not a rule of the packs applied ({})",
            pack_ids(&packs)
        )
    };
    for id in &spec.raises {
        match rule_in_packs(id) {
            None => failures.push(not_a_rule(id)),
            Some(_) if !found(id) => {
                failures.push(format!("expected `{id}` to be raised; it was not"))
            }
            Some(rule) => covered.raised.push((id.clone(), rule.source.name.clone())),
        }
    }
    // A rule a more specific pack drops may be claimed to pass: that is what dropping promises.
    let dropped = |id: &str| packs.iter().any(|p| p.dropped.iter().any(|d| d.id == id));
    for id in &spec.passes {
        match rule_in_packs(id) {
            None if dropped(id) && found(id) => failures.push(format!("`{id}` is dropped, yet it was raised")),
            None if dropped(id) => {}
            None => failures.push(not_a_rule(id)),
            Some(rule) if !crate::check::rule_applies(rule, &plan) => failures.push(format!(
                "`{id}` does not apply to this plan (its `when` is false), so passing it proves nothing"
            )),
            Some(_) if found(id) => failures.push(format!("expected `{id}` to pass; it was raised")),
            Some(rule) => covered.passed.push((id.clone(), rule.source.name.clone())),
        }
    }
    (result(failures, spec), covered)
}

fn pack_ids(packs: &[Arc<ResolvedPack>]) -> String {
    packs
        .iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_and_bad_ones_refused() {
        let spec =
            parse_case("# planlint-test: raises a/b c/d\n# planlint-test: passes e/f\n[plan]\n")
                .unwrap();
        assert_eq!(spec.raises, ["a/b", "c/d"]);
        assert_eq!(spec.passes, ["e/f"]);
        assert!(parse_case("# planlint-test: raise a/b\n").is_err());
        assert!(parse_case("# planlint-test: raises\n").is_err());
        assert!(parse_case("[plan]\n").is_err());
    }
}
