//! The structured plan (`*.plan.toml`): the model every check runs on, with the byte span of
//! every key and value so that findings can point at them.

mod load;

/// The JSON Schema of the plan format, for TOML editors (`planlint schema`).
pub const JSON_SCHEMA: &str = include_str!("plan.schema.json");

pub use load::{key_path_at, key_paths_at, load, LoadOutcome};

use crate::source::Span;

/// A plan file as JSON (dates as strings, as TOML editors treat them): for JSON Schema
/// validation and for handing plans to other engines.
pub fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::json!(i),
        toml::Value::Float(f) => serde_json::json!(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// A value with the span of its text in the plan file.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal / $zh:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const WORDS: &'static [&'static str] = &[$($word),+];
            pub fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            /// The Chinese word used in messages.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
        }
    };
}

keyword_enum!(
    /// 实施方案 (several years) or 工作要点 (one year).
    PlanKind { Implementation = "implementation" / "实施方案", WorkPoints = "work-points" / "工作要点" }
);
keyword_enum!(
    /// The administrative level of the issuing government.
    Level { Province = "province" / "省级", City = "city" / "市级", District = "district" / "县级" }
);
keyword_enum!(
    /// How a target's value bounds the indicator.
    Relation { Above = "above" / "超过", AtLeast = "at-least" / "达到", AtMost = "at-most" / "不超过", Below = "below" / "低于" }
);

keyword_enum!(
    /// Which list of the plan a section sits in.
    SectionKind { Action = "action" / "提升行动", Project = "project" / "重点工程", Safeguard = "safeguard" / "组织实施" }
);

impl SectionKind {
    /// The TOML key of the array holding sections of this kind.
    pub fn table_key(self) -> &'static str {
        match self {
            SectionKind::Action => "actions",
            SectionKind::Project => "projects",
            SectionKind::Safeguard => "safeguards",
        }
    }
}

/// A quantified target: plan-level or under an action, project or measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The `[[…targets]]` header.
    pub span: Span,
    pub indicator: Sp<String>,
    /// `at-least` when not written; then its span is the header's.
    pub relation: Sp<Relation>,
    /// The bound's words as the plan writes them (超过, 达到…以上, 不低于), if it writes any.
    pub bound: Option<Sp<String>>,
    pub value: Option<Sp<f64>>,
    pub unit: Option<Sp<String>>,
    pub year: Option<Sp<i64>>,
    /// `"year"` for a recurring target (每年).
    pub per: Option<Sp<String>>,
    /// What qualifies the target as an aspiration (力争, 有望, 预计, 左右), as written.
    pub hedge: Option<Sp<String>>,
    pub text: Option<Sp<String>>,
}

impl Target {
    /// “超过 15%” — the bound as a reviewer reads it.
    pub fn describe_bound(&self) -> String {
        let value = self
            .value
            .as_ref()
            .map(|v| format_number(v.value))
            .unwrap_or_else(|| "？".into());
        let unit = self.unit.as_ref().map(|u| u.value.as_str()).unwrap_or("");
        format!("{}{}{}", self.relation.value.zh(), value, unit)
    }
}

/// Formats 15.0 as "15" and 14.5 as "14.5".
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// A numbered measure under an action or project.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub span: Span,
    pub title: Sp<String>,
    pub text: Option<Sp<String>>,
    pub lead: Units,
    pub partners: Units,
    /// When it is due (完成时限), as written: 2025年底前, 长期坚持, 每年.
    pub deadline: Option<Sp<String>>,
    pub targets: Vec<Target>,
}

/// A unit name as a plan lists it (牵头单位, 参与单位): kept inline when short
/// (up to 23 bytes: most units are three to seven characters), so that the plan's many unit
/// lists do not cost an allocation per name.
pub type UnitName = smol_str::SmolStr;

/// A list of unit names (牵头单位 or 参与单位) with the span of the array that holds them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Units {
    pub names: Vec<Sp<UnitName>>,
    /// The array's span; `None` when the key is absent.
    pub span: Option<Span>,
}

impl Units {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A 提升行动, 重点工程 or 组织实施 item.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub kind: SectionKind,
    /// The `[[actions]]` (etc.) header of this item.
    pub span: Span,
    pub name: Sp<String>,
    pub text: Option<Sp<String>>,
    pub lead: Units,
    pub partners: Units,
    pub measures: Vec<Measure>,
    pub targets: Vec<Target>,
}

impl Section {
    /// Every target under this section: its own and its measures'.
    pub fn all_targets(&self) -> impl Iterator<Item = &Target> {
        self.targets
            .iter()
            .chain(self.measures.iter().flat_map(|m| m.targets.iter()))
    }

    /// Every lead unit named by the section or by one of its measures.
    pub fn all_leads(&self) -> impl Iterator<Item = &Sp<UnitName>> {
        self.lead
            .names
            .iter()
            .chain(self.measures.iter().flat_map(|m| m.lead.names.iter()))
    }
}

/// An array of tables in the plan, with the span of its first header (where new items go).
#[derive(Clone, Debug, PartialEq)]
pub struct Items<T> {
    pub items: Vec<T>,
    pub span: Option<Span>,
}

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items {
            items: Vec::new(),
            span: None,
        }
    }
}

/// A loaded plan. Required keys are plain fields: a plan lacking them does not load.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The `[plan]` header.
    pub span: Span,
    pub title: Sp<String>,
    pub kind: Sp<PlanKind>,
    pub level: Sp<Level>,
    pub region: Vec<Sp<String>>,
    pub issuer: Option<Sp<String>>,
    /// The plan's own document number (发文字号), e.g. 洛政办〔2021〕80号.
    pub number: Option<Sp<String>>,
    pub issued: Option<Sp<String>>,
    /// First and last year covered.
    pub period: Sp<(i64, i64)>,
    pub basis: Vec<Sp<String>>,
    /// Where `basis` is written (the array), for a finding about it as a whole.
    pub basis_span: Option<Span>,
    pub targets: Items<Target>,
    pub actions: Items<Section>,
    pub projects: Items<Section>,
    pub safeguards: Items<Section>,
    /// Length of the file, where an item with no better place is anchored.
    pub end: usize,
}

impl Plan {
    pub fn sections(&self, kind: SectionKind) -> &Items<Section> {
        match kind {
            SectionKind::Action => &self.actions,
            SectionKind::Project => &self.projects,
            SectionKind::Safeguard => &self.safeguards,
        }
    }

    /// The province its `region` names (河南省, 重庆市…), if any.
    pub fn province(&self) -> Option<&str> {
        self.region
            .iter()
            .map(|r| r.value.as_str())
            .find(|r| crate::gazetteer::is_province(r))
    }

    /// Every target in the plan, plan-level first.
    pub fn all_targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.items.iter().chain(
            self.actions
                .items
                .iter()
                .chain(&self.projects.items)
                .flat_map(|s| s.all_targets()),
        )
    }

    /// Every measure of every action and project, with the section it belongs to.
    pub fn all_measures(&self) -> impl Iterator<Item = (&Section, &Measure)> {
        self.actions
            .items
            .iter()
            .chain(&self.projects.items)
            .flat_map(|s| s.measures.iter().map(move |m| (s, m)))
    }
}
