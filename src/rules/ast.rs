//! The typed syntax tree of a pack file. Nothing after the parser sees pest types.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::plan::{Level, PlanKind, Relation, SectionKind, Sp};

/// One `.rules` file as written, before `extends` is resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackFile {
    pub header: PackHeader,
    pub names: Vec<NameDecl>,
    pub rules: Vec<RuleDef>,
    pub overrides: Vec<RuleDef>,
    pub drops: Vec<DropDef>,
    #[serde(default)]
    pub paths: Vec<IndicatorPath>,
}

/// Where an indicator is meant to go and where it has got to (`path literacy { … }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorPath {
    pub indicator: Sp<String>,
    pub points: Vec<PathPoint>,
}

/// One point of a path: a goal of the higher document, or a level reached and published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    pub year: i64,
    /// The goal's relation (超过, 达到…); none for a level reached.
    pub goal: Option<Relation>,
    pub value: f64,
    pub unit: String,
    /// Where the figure is from, as a reader would cite it.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackHeader {
    pub id: Sp<String>,
    pub title: String,
    /// The document number this pack encodes, then any others it also encodes (e.g. the
    /// implementation plan of an outline).
    pub documents: Vec<String>,
    pub period: (i64, i64),
    /// An abstract pack is only extended, never applied to a plan by itself.
    pub is_abstract: bool,
    /// Plan levels the pack applies to; empty means all.
    pub levels: Vec<Level>,
    /// Plan kinds the pack applies to; empty means all.
    pub kinds: Vec<PlanKind>,
    pub extends: Option<Sp<String>>,
    /// The region whose plans answer to this pack (e.g. 河南省); none for a national pack.
    pub region: Option<String>,
    /// Words the name normaliser drops (实施, 开展, …).
    pub ignore: Vec<String>,
    /// Titles and short forms by which plans cite the document without its number.
    #[serde(default)]
    pub cited_as: Vec<String>,
    /// The document's date (`2021-12-04`), part of its version with the number.
    #[serde(default)]
    pub issued: Option<String>,
    /// The pack of the earlier version of the same document, which this one replaces.
    #[serde(default)]
    pub supersedes: Option<Sp<String>>,
    /// What of the document is not known; the national requirement stands in for it.
    #[serde(default)]
    pub unknown: Vec<String>,
}

/// What a declared name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameKind {
    Section(SectionKind),
    Indicator,
    /// A government body whose name is written several ways (教体局, 教育和体育局).
    Unit,
}

impl NameKind {
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Section(kind) => kind.as_str(),
            NameKind::Indicator => "indicator",
            NameKind::Unit => "unit",
        }
    }
}

/// `action youth "青少年科学素质提升行动" alias "…"`: a name the rules refer to by key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NameDecl {
    pub kind: NameKind,
    pub key: Sp<String>,
    pub canonical: String,
    pub aliases: Vec<String>,
    /// `means` lines: what the name is made of, for plans that word it their own way.
    #[serde(default)]
    pub concept: Concept,
    /// `obsolete` forms of a unit's name (before the 2018 reorganisation).
    #[serde(default)]
    pub obsolete: Vec<String>,
}

/// What a requirement is made of: it is met by a text in which every term of one of the
/// `means` lines occurs (a term by any of its alternatives) and no `except` word does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    /// Alternatives, each a list of terms that must all occur; a term is a list of spellings.
    pub means: Vec<Vec<Vec<String>>>,
    pub except: Vec<String>,
}

impl Concept {
    pub fn is_empty(&self) -> bool {
        self.means.is_empty()
    }
}

/// A rule, or an override of an inherited one (then every field is optional).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleDef {
    /// The rule's name (`youth-action`) or, for an override, the full id it overrides.
    pub name: Sp<String>,
    pub severity: Option<Sp<Severity>>,
    pub clause: Option<String>,
    pub message: Option<String>,
    pub help: Option<String>,
    pub explain: Option<String>,
    pub when: Option<Expr>,
    pub expect: Option<Sp<Expect>>,
    /// The years the higher document fixes the requirement for (`binding 2021 to 2025`).
    #[serde(default)]
    pub binding: Option<(i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DropDef {
    pub rule: Sp<String>,
    pub reason: String,
}

/// What a rule requires of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expect {
    /// The named action, project or safeguard is present.
    Present { kind: SectionKind, name: Sp<String> },
    /// The named section, if present, names lead units, matching each pattern (`a|b` = either).
    Lead {
        name: Sp<String>,
        patterns: Vec<String>,
    },
    /// The named section, if present, carries at least one quantified target.
    TargetIn { name: Sp<String> },
    /// A plan-level target for the indicator exists (for the year, if given); with a bound,
    /// every such target is at least as demanding as the bound.
    Target {
        indicator: Sp<String>,
        year: Option<i64>,
        bound: Option<Bound>,
        /// `by end`: the year the plan's period ends (then `year` is none).
        #[serde(default)]
        at_end: bool,
    },
    /// Every plan-level target for the indicator is on the pack's path for it.
    OnPath { indicator: Sp<String> },
    /// Every item of the collections (that satisfies `filter`) satisfies `predicate`.
    Each {
        collections: Vec<Collection>,
        filter: Option<Expr>,
        predicate: Expr,
    },
    /// At least one item of the collections (that satisfies `filter`) satisfies `predicate`.
    Some {
        collections: Vec<Collection>,
        filter: Option<Expr>,
        predicate: Expr,
    },
    /// No two items of the collections share a name.
    Unique { collections: Vec<Collection> },
    /// A check of the documents the plan cites in `basis`.
    Basis(BasisCheck),
    /// The plan's period lies inside the period of the pack applied.
    PeriodWithin,
    /// No declared unit is written in two different forms in one plan.
    ConsistentUnits,
    /// No unit is named by a form the pack marks obsolete.
    CurrentUnits,
    /// The named requirement is said (by a `means` line) in the 组织实施 part, or with `within`
    /// in the named action or project. Not checked where the plan gives no text to read.
    Stated {
        name: Sp<String>,
        within: Option<Sp<String>>,
    },
    /// The plan's province has a pack, and the pack knows all it should; otherwise the plan is
    /// told that the national requirements stand in for the province's.
    ProvinceKnown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BasisCheck {
    /// `basis` is not empty.
    Cited,
    /// Every cited document is one of the chain's.
    Known,
    /// Every cited document number is written in the standard form (六角括号 〔〕).
    Standard,
    /// Every cited document is cited by its number, not only by its title.
    Numbered,
    /// The plan cites the document of the most specific pack applied, not only a higher one
    /// (a county citing the national outline but not its province's plan skips a level).
    Complete,
    /// No cited document is another region's (a Jiangsu plan citing Henan's plan).
    Foreign,
    /// None of the listed (superseded) documents or titles is cited.
    Superseded(Vec<String>),
    /// No cited local plan (a province's, a city's) ended its period before the plan's began:
    /// a 2026—2030 plan citing its province's 2021—2025 plan is told to cite the successor.
    Expired,
    /// The plan does not cite only an earlier version of a document whose newer version
    /// applies (`supersedes`); if it does, it is told what changed between the versions.
    Current,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    pub relation: Relation,
    pub value: f64,
    pub unit: Option<String>,
}

impl Bound {
    /// 超过15% — as a reader writes it.
    pub fn describe(&self) -> String {
        format!(
            "{}{}{}",
            self.relation.zh(),
            crate::plan::format_number(self.value),
            self.unit.as_deref().unwrap_or("")
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Collection {
    Action,
    Project,
    Safeguard,
    Measure,
    Target,
}

impl Collection {
    pub const WORDS: &'static [&'static str] =
        &["action", "project", "safeguard", "measure", "target"];

    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "action" => Collection::Action,
            "project" => Collection::Project,
            "safeguard" => Collection::Safeguard,
            "measure" => Collection::Measure,
            "target" => Collection::Target,
            _ => return None,
        })
    }

    /// The Chinese word for an item, for messages.
    pub fn zh(self) -> &'static str {
        match self {
            Collection::Action => "行动",
            Collection::Project => "工程",
            Collection::Safeguard => "保障措施",
            Collection::Measure => "措施",
            Collection::Target => "目标",
        }
    }

    /// The fields an item of this collection has.
    pub fn fields(self) -> &'static [Field] {
        use Field::*;
        match self {
            Collection::Action | Collection::Project => {
                &[Name, Text, Lead, Partners, Measures, Targets]
            }
            Collection::Safeguard => &[Name, Text, Lead, Partners],
            Collection::Measure => &[Title, Text, Lead, Partners, Targets, Section],
            Collection::Target => &[Indicator, Relation, Value, Unit, Year, Per, Hedge, Text],
        }
    }
}

/// A field an expression can read: of the current item, or of the plan (`plan.…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Title,
    Text,
    Lead,
    Partners,
    Measures,
    Targets,
    Section,
    Indicator,
    Relation,
    Value,
    Unit,
    Year,
    Per,
    Hedge,
    PlanTitle,
    PlanKind,
    PlanLevel,
    PlanRegion,
    PlanIssuer,
    PlanPeriodStart,
    PlanPeriodEnd,
    PlanBasis,
}

impl Field {
    pub const ALL: &'static [(&'static str, Field)] = &[
        ("name", Field::Name),
        ("title", Field::Title),
        ("text", Field::Text),
        ("lead", Field::Lead),
        ("partners", Field::Partners),
        ("measures", Field::Measures),
        ("targets", Field::Targets),
        ("section", Field::Section),
        ("indicator", Field::Indicator),
        ("relation", Field::Relation),
        ("value", Field::Value),
        ("unit", Field::Unit),
        ("year", Field::Year),
        ("per", Field::Per),
        ("hedge", Field::Hedge),
        ("plan.title", Field::PlanTitle),
        ("plan.kind", Field::PlanKind),
        ("plan.level", Field::PlanLevel),
        ("plan.region", Field::PlanRegion),
        ("plan.issuer", Field::PlanIssuer),
        ("plan.period.start", Field::PlanPeriodStart),
        ("plan.period.end", Field::PlanPeriodEnd),
        ("plan.basis", Field::PlanBasis),
    ];

    pub fn parse(path: &str) -> Option<Self> {
        Field::ALL.iter().find(|(p, _)| *p == path).map(|(_, f)| *f)
    }

    pub fn path(self) -> &'static str {
        Field::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(p, _)| *p)
            .unwrap_or("?")
    }

    pub fn is_plan(self) -> bool {
        self.path().starts_with("plan.")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    In,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Has(Sp<Field>),
    Compare(Box<Expr>, CmpOp, Box<Expr>),
    Field(Sp<Field>),
    Number(f64),
    Str(String),
    List(Vec<Expr>),
}

impl Expr {
    /// Every field the expression reads, for checking them against a collection.
    pub fn fields(&self, out: &mut Vec<Sp<Field>>) {
        match self {
            Expr::Or(items) | Expr::And(items) | Expr::List(items) => {
                items.iter().for_each(|e| e.fields(out))
            }
            Expr::Not(e) => e.fields(out),
            Expr::Compare(a, _, b) => {
                a.fields(out);
                b.fields(out);
            }
            Expr::Has(f) | Expr::Field(f) => out.push(f.clone()),
            Expr::Number(_) | Expr::Str(_) => {}
        }
    }
}
