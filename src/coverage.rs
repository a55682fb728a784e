//! Coverage: for each requirement of the higher plans that applied — the goals, each 提升行动 and
//! 重点工程, each safeguard and duty of 组织实施, the basis — whether the plan meets it, where, with
//! which lead units and targets, and on which clause it rests. Computed once per plan from the
//! plan, the packs applied and the findings of the check; rendered by the HTML report, the review
//! opinion, the folder matrix and JSON.

use std::collections::HashSet;

use serde::Serialize;

use crate::check::{locate_sections, locate_targets, rule_applies};
use crate::diagnostic::{Cite, Finding, Severity};
use crate::plan::{Plan, Section, SectionKind};
use crate::rules::ast::{BasisCheck, Expect};
use crate::rules::{Registry, ResolvedPack, ResolvedRule};
use crate::source::Span;

/// The version of the coverage object in JSON.
pub const COVERAGE_VERSION: u32 = 1;

/// Whether a requirement is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// 缺失: the plan does not carry it.
    Missing,
    /// 部分落实: present, but with a problem a reviewer must see (no lead unit, no target, a
    /// target below the higher plan's…).
    Partial,
    /// 已落实.
    Met,
    /// 按上级调整: the province replaced or dropped it; inherited, never missing.
    Adjusted,
}

impl Status {
    pub fn zh(self) -> &'static str {
        match self {
            Status::Missing => "缺失",
            Status::Partial => "部分落实",
            Status::Met => "已落实",
            Status::Adjusted => "按上级调整",
        }
    }

    /// A mark that survives black-and-white printing.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Missing => "✗",
            Status::Partial => "△",
            Status::Met => "✓",
            Status::Adjusted => "↷",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Partial => "partial",
            Status::Met => "met",
            Status::Adjusted => "adjusted",
        }
    }
}

/// The part of the higher plan a requirement belongs to, in the order of the outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Goal,
    Action,
    Project,
    Safeguard,
    Duty,
    Basis,
}

impl Group {
    pub fn zh(self) -> &'static str {
        match self {
            Group::Goal => "目标",
            Group::Action => "提升行动",
            Group::Project => "重点工程",
            Group::Safeguard => "组织实施",
            Group::Duty => "地方政府职责",
            Group::Basis => "依据",
        }
    }
}

/// One requirement and how the plan meets it.
#[derive(Clone, Debug, Serialize)]
pub struct Requirement {
    pub group: Group,
    /// The requirement as the higher plan names it (青少年科学素质提升行动; 到2025年公民具备科学
    /// 素质的比例).
    pub name: String,
    pub status: Status,
    /// The rule that asks for it.
    pub rule: String,
    pub severity: Severity,
    pub cite: Cite,
    /// Where the plan meets it (a heading, a target, the basis), if it does.
    #[serde(skip)]
    pub at: Option<Span>,
    /// The plan's own name for it, where that differs (实施青少年科学素质提升行动).
    pub written_as: Option<String>,
    pub leads: Vec<String>,
    pub targets: Vec<String>,
    /// What makes it partial, or notes about it: indices into the report's findings.
    #[serde(skip)]
    pub findings: Vec<usize>,
    /// Why it was adjusted, and by which pack.
    pub adjusted: Option<Adjustment>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Adjustment {
    pub by: String,
    pub reason: String,
}

/// The coverage of one plan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    pub requirements: Vec<Requirement>,
}

impl Coverage {
    pub fn count(&self, status: Status) -> usize {
        self.requirements
            .iter()
            .filter(|r| r.status == status)
            .count()
    }
}

/// What a rule asks for, as a row of the table: the group, the subject's key, and the name.
fn subject(rule: &ResolvedRule, pack: &ResolvedPack) -> Option<(Group, String, String)> {
    let canonical = |key: &str| pack.names.get(key).map(|n| n.canonical.clone());
    match &rule.expect {
        Expect::Present { kind, name } => {
            let group = match kind {
                SectionKind::Action => Group::Action,
                SectionKind::Project => Group::Project,
                SectionKind::Safeguard => Group::Safeguard,
            };
            Some((group, name.value.clone(), canonical(&name.value)?))
        }
        Expect::Target {
            indicator,
            year,
            bound: None,
            at_end,
        } => {
            let when = match year {
                Some(y) => format!("到{y}年"),
                None if *at_end => "到规划期末".to_owned(),
                None => String::new(),
            };
            Some((
                Group::Goal,
                target_key(&indicator.value, *year),
                format!("{when}{}", canonical(&indicator.value)?),
            ))
        }
        Expect::Stated { name, within: None } => {
            Some((Group::Duty, name.value.clone(), canonical(&name.value)?))
        }
        Expect::Basis(BasisCheck::Cited) => Some((
            Group::Basis,
            "basis".to_owned(),
            "写明所依据的上级文件".to_owned(),
        )),
        _ => None,
    }
}

fn target_key(indicator: &str, year: Option<i64>) -> String {
    format!("target:{indicator}:{}", year.unwrap_or(0))
}

/// The subject a rule reports on without asking for it: lead units, targets, measures of a
/// section, the level of a target, the form of the basis.
fn attached_to(rule: &ResolvedRule) -> Option<String> {
    match &rule.expect {
        Expect::Lead { name, .. } | Expect::TargetIn { name } => Some(name.value.clone()),
        Expect::Stated {
            within: Some(name), ..
        } => Some(name.value.clone()),
        Expect::Target {
            indicator,
            year,
            bound: Some(_),
            ..
        } => Some(target_key(&indicator.value, *year)),
        // A target off the path is the target asked for at the period's end.
        Expect::OnPath { indicator } => Some(target_key(&indicator.value, None)),
        Expect::Basis(
            BasisCheck::Complete
            | BasisCheck::Foreign
            | BasisCheck::Numbered
            | BasisCheck::Superseded(_)
            | BasisCheck::Current
            | BasisCheck::Expired,
        ) => Some("basis".to_owned()),
        _ => None,
    }
}

/// The byte range a section spans: its header to the end of the last thing in it.
fn extent(section: &Section) -> Span {
    let mut end = section.span.end.max(section.name.span.end);
    let mut grow = |s: Span| end = end.max(s.end);
    if let Some(t) = &section.text {
        grow(t.span);
    }
    for units in [&section.lead, &section.partners] {
        if let Some(s) = units.span {
            grow(s);
        }
        units.names.iter().for_each(|n| grow(n.span));
    }
    for m in &section.measures {
        grow(m.span);
        grow(m.title.span);
        if let Some(t) = &m.text {
            grow(t.span);
        }
        m.lead.names.iter().for_each(|n| grow(n.span));
        m.targets.iter().for_each(|t| grow(t.span));
    }
    section.targets.iter().for_each(|t| grow(t.span));
    Span::new(section.span.start.min(section.name.span.start), end)
}

fn within(inner: Span, outer: Span) -> bool {
    inner.start >= outer.start && inner.end <= outer.end
}

/// The coverage of a plan by the packs applied (most specific first), given the findings the
/// check made (in the report's order, so that rows can point at them).
pub fn compute(
    plan: &Plan,
    packs: &[std::sync::Arc<ResolvedPack>],
    findings: &[Finding],
    registry: &Registry,
    keeps: &dyn Fn(&str) -> bool,
) -> Coverage {
    let mut handled: HashSet<String> = HashSet::new();
    let mut rows: Vec<Requirement> = Vec::new();
    let mut seen_subjects: HashSet<(Group, String)> = HashSet::new();
    for pack in packs {
        handled.extend(pack.dropped.iter().map(|d| d.id.clone()));
        // Rules that report on a subject, by the subject's key.
        let attached: Vec<(&ResolvedRule, String)> = pack
            .rules
            .iter()
            .filter_map(|r| attached_to(r).map(|k| (&**r, k)))
            .collect();
        for rule in &pack.rules {
            // A rule the project turned off checks nothing: no row claims it is met.
            if !handled.insert(rule.id.clone()) || !rule_applies(rule, plan) || !keeps(&rule.id) {
                continue;
            }
            let Some((group, key, name)) = subject(rule, pack) else {
                continue;
            };
            if !seen_subjects.insert((group, key.clone())) {
                continue;
            }
            rows.push(row(
                plan, pack, rule, group, &key, name, &attached, findings,
            ));
        }
        // Requirements of the higher plans that this pack replaced or dropped.
        for dropped in pack.dropped.iter().filter(|d| d.by == pack.id) {
            let Some((owner, rule)) = registry.rule(&dropped.id) else {
                continue;
            };
            if !rule_applies(rule, plan) {
                continue;
            }
            let Some((group, key, name)) = subject(rule, owner) else {
                continue;
            };
            if !seen_subjects.insert((group, key)) {
                continue;
            }
            rows.push(Requirement {
                group,
                name,
                status: Status::Adjusted,
                rule: rule.id.clone(),
                severity: rule.severity,
                cite: Cite::clone(&rule.cite),
                at: None,
                written_as: None,
                leads: Vec::new(),
                targets: Vec::new(),
                findings: Vec::new(),
                adjusted: Some(Adjustment {
                    by: dropped.by.clone(),
                    reason: dropped.reason.clone(),
                }),
            });
        }
    }
    rows.sort_by_key(|r| r.group);
    Coverage { requirements: rows }
}

#[allow(clippy::too_many_arguments)]
fn row(
    plan: &Plan,
    pack: &ResolvedPack,
    rule: &ResolvedRule,
    group: Group,
    key: &str,
    name: String,
    attached: &[(&ResolvedRule, String)],
    findings: &[Finding],
) -> Requirement {
    let missing = findings.iter().any(|f| f.code == rule.id);
    let mut at = None;
    let mut written_as = None;
    let mut leads = Vec::new();
    let mut targets = Vec::new();
    let mut inside: Vec<Span> = Vec::new();
    if !missing {
        match &rule.expect {
            Expect::Present { name: n, .. } | Expect::Stated { name: n, .. } => {
                let found = locate_sections(plan, pack, &n.value);
                if let Some(first) = found.first() {
                    at = Some(first.name.span);
                    if first.name.value != name {
                        written_as = Some(first.name.value.to_string());
                    }
                }
                for section in &found {
                    for lead in section.all_leads() {
                        if !leads.iter().any(|l| *l == lead.value) {
                            leads.push(lead.value.to_string());
                        }
                    }
                    targets.extend(
                        section
                            .all_targets()
                            .map(|t| format!("{}{}", t.indicator.value, t.describe_bound())),
                    );
                    if matches!(rule.expect, Expect::Present { .. }) {
                        inside.push(extent(section));
                    }
                }
            }
            Expect::Target {
                indicator, year, ..
            } => {
                for t in locate_targets(plan, pack, &indicator.value, *year) {
                    at.get_or_insert(t.value.as_ref().map(|v| v.span).unwrap_or(t.span));
                    targets.push(format!("{}{}", t.indicator.value, t.describe_bound()));
                    let mut span = t.span;
                    for s in [t.value.as_ref().map(|v| v.span), Some(t.indicator.span)]
                        .into_iter()
                        .flatten()
                    {
                        span = Span::new(span.start.min(s.start), span.end.max(s.end));
                    }
                    inside.push(span);
                }
            }
            Expect::Basis(_) => {
                at = plan.basis_span.or(plan.basis.first().map(|b| b.span));
                targets.clear();
                leads.clear();
            }
            _ => {}
        }
    }
    // Findings that bear on this requirement: those of the rules attached to it, and (for a
    // section) any warning or error inside it.
    let attached_ids: Vec<&str> = attached
        .iter()
        .filter(|(_, k)| k == key)
        .map(|(r, _)| r.id.as_str())
        .collect();
    let mut related: Vec<usize> = Vec::new();
    for (n, f) in findings.iter().enumerate() {
        if f.code == rule.id || f.fatal {
            if f.code == rule.id {
                related.push(n);
            }
            continue;
        }
        let by_rule = attached_ids.contains(&f.code.as_str());
        let by_place = f.severity >= Severity::Warning && inside.iter().any(|s| within(f.span, *s));
        if by_rule || by_place {
            related.push(n);
        }
    }
    let status = if missing {
        Status::Missing
    } else if related
        .iter()
        .any(|&n| findings[n].severity >= Severity::Warning)
    {
        Status::Partial
    } else {
        Status::Met
    };
    Requirement {
        group,
        name,
        status,
        rule: rule.id.clone(),
        severity: rule.severity,
        cite: Cite::clone(&rule.cite),
        at,
        written_as,
        leads,
        targets,
        findings: related,
        adjusted: None,
    }
}
