//! The structured plan (`*.plan.toml`): the model every check runs on, with the byte span of
//! every key and value so that findings can point at them.

mod direct;
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

/// A string of the plan: borrowed from the plan file's text where the file writes it plainly
/// (most of a plan's strings), owned where TOML unescaped it or an importer made it. A check
/// reads a plan once and drops it, so a copy and a free of every name, title and text was
/// work for nothing.
pub type Text<'s> = std::borrow::Cow<'s, str>;

/// A text that no longer borrows from its file.
fn owned(text: Sp<Text<'_>>) -> Sp<Text<'static>> {
    Sp::new(Text::Owned(text.value.into_owned()), text.span)
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

    /// The same value in another type (an owned string as a plan's `Text`), at the same span.
    pub fn convert<U: From<T>>(self) -> Sp<U> {
        Sp::new(self.value.into(), self.span)
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
pub struct Target<'s> {
    /// The `[[…targets]]` header.
    pub span: Span,
    pub indicator: Sp<Text<'s>>,
    /// `at-least` when not written; then its span is the header's.
    pub relation: Sp<Relation>,
    /// The bound's words as the plan writes them (超过, 达到…以上, 不低于), if it writes any.
    pub bound: Option<Sp<Text<'s>>>,
    pub value: Option<Sp<f64>>,
    pub unit: Option<Sp<Text<'s>>>,
    pub year: Option<Sp<i64>>,
    /// `"year"` for a recurring target (每年).
    pub per: Option<Sp<Text<'s>>>,
    /// What qualifies the target as an aspiration (力争, 有望, 预计, 左右), as written.
    pub hedge: Option<Sp<Text<'s>>>,
    pub text: Option<Sp<Text<'s>>>,
}

impl Target<'_> {
    /// The target with its own copy of every text, to outlive the file it was read from.
    pub fn into_owned(self) -> Target<'static> {
        Target {
            span: self.span,
            indicator: owned(self.indicator),
            relation: self.relation,
            bound: self.bound.map(owned),
            value: self.value,
            unit: self.unit.map(owned),
            year: self.year,
            per: self.per.map(owned),
            hedge: self.hedge.map(owned),
            text: self.text.map(owned),
        }
    }

    /// “超过 15%” — the bound as a reviewer reads it.
    pub fn describe_bound(&self) -> String {
        let value = self
            .value
            .as_ref()
            .map(|v| format_number(v.value))
            .unwrap_or_else(|| "？".into());
        let unit = self.unit.as_ref().map(|u| u.value.as_ref()).unwrap_or("");
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
pub struct Measure<'s> {
    pub span: Span,
    pub title: Sp<Text<'s>>,
    pub text: Option<Sp<Text<'s>>>,
    pub lead: Units,
    pub partners: Units,
    /// When it is due (完成时限), as written: 2025年底前, 长期坚持, 每年.
    pub deadline: Option<Sp<Text<'s>>>,
    pub targets: Vec<Target<'s>>,
}

impl Measure<'_> {
    /// The measure with its own copy of every text.
    pub fn into_owned(self) -> Measure<'static> {
        Measure {
            span: self.span,
            title: owned(self.title),
            text: self.text.map(owned),
            lead: self.lead,
            partners: self.partners,
            deadline: self.deadline.map(owned),
            targets: self.targets.into_iter().map(Target::into_owned).collect(),
        }
    }
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
pub struct Section<'s> {
    pub kind: SectionKind,
    /// The `[[actions]]` (etc.) header of this item.
    pub span: Span,
    pub name: Sp<Text<'s>>,
    pub text: Option<Sp<Text<'s>>>,
    pub lead: Units,
    pub partners: Units,
    pub measures: Vec<Measure<'s>>,
    pub targets: Vec<Target<'s>>,
}

impl<'s> Section<'s> {
    /// The section with its own copy of every text.
    pub fn into_owned(self) -> Section<'static> {
        Section {
            kind: self.kind,
            span: self.span,
            name: owned(self.name),
            text: self.text.map(owned),
            lead: self.lead,
            partners: self.partners,
            measures: self.measures.into_iter().map(Measure::into_owned).collect(),
            targets: self.targets.into_iter().map(Target::into_owned).collect(),
        }
    }

    /// Every target under this section: its own and its measures'.
    pub fn all_targets(&self) -> impl Iterator<Item = &Target<'s>> {
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
pub struct Plan<'s> {
    /// The `[plan]` header.
    pub span: Span,
    pub title: Sp<Text<'s>>,
    pub kind: Sp<PlanKind>,
    pub level: Sp<Level>,
    pub region: Vec<Sp<Text<'s>>>,
    pub issuer: Option<Sp<Text<'s>>>,
    /// The plan's own document number (发文字号), e.g. 洛政办〔2021〕80号.
    pub number: Option<Sp<Text<'s>>>,
    pub issued: Option<Sp<Text<'s>>>,
    /// First and last year covered.
    pub period: Sp<(i64, i64)>,
    pub basis: Vec<Sp<Text<'s>>>,
    /// Where `basis` is written (the array), for a finding about it as a whole.
    pub basis_span: Option<Span>,
    pub targets: Items<Target<'s>>,
    pub actions: Items<Section<'s>>,
    pub projects: Items<Section<'s>>,
    pub safeguards: Items<Section<'s>>,
    /// Length of the file, where an item with no better place is anchored.
    pub end: usize,
}

impl<T> Items<T> {
    fn map<U>(self, f: impl FnMut(T) -> U) -> Items<U> {
        Items {
            items: self.items.into_iter().map(f).collect(),
            span: self.span,
        }
    }
}

impl<'s> Plan<'s> {
    /// The plan with its own copy of every text, to outlive the file it was read from (a
    /// check borrows; a caller that keeps a plan owns it).
    pub fn into_owned(self) -> Plan<'static> {
        Plan {
            span: self.span,
            title: owned(self.title),
            kind: self.kind,
            level: self.level,
            region: self.region.into_iter().map(owned).collect(),
            issuer: self.issuer.map(owned),
            number: self.number.map(owned),
            issued: self.issued.map(owned),
            period: self.period,
            basis: self.basis.into_iter().map(owned).collect(),
            basis_span: self.basis_span,
            targets: self.targets.map(Target::into_owned),
            actions: self.actions.map(Section::into_owned),
            projects: self.projects.map(Section::into_owned),
            safeguards: self.safeguards.map(Section::into_owned),
            end: self.end,
        }
    }

    pub fn sections(&self, kind: SectionKind) -> &Items<Section<'s>> {
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
            .map(|r| r.value.as_ref())
            .find(|r| crate::gazetteer::is_province(r))
    }

    /// Every target in the plan, plan-level first.
    pub fn all_targets(&self) -> impl Iterator<Item = &Target<'s>> {
        self.targets.items.iter().chain(
            self.actions
                .items
                .iter()
                .chain(&self.projects.items)
                .flat_map(|s| s.all_targets()),
        )
    }

    /// Every measure of every action and project, with the section it belongs to.
    pub fn all_measures(&self) -> impl Iterator<Item = (&Section<'s>, &Measure<'s>)> {
        self.actions
            .items
            .iter()
            .chain(&self.projects.items)
            .flat_map(|s| s.measures.iter().map(move |m| (s, m)))
    }
}
