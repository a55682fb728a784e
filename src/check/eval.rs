//! Expressions over one item of a plan (an action, a measure, a target…) and the plan itself.

use crate::plan::{format_number, Measure, Plan, Section, Sp, Target, Text, Units};
use crate::rules::ast::{CmpOp, Expr, Field};
use crate::source::Span;

/// The item an expression is evaluated on; `Plan` for `when` conditions.
#[derive(Clone, Copy, Debug)]
pub enum Item<'p> {
    Plan,
    Section(&'p Section<'p>),
    /// A measure with the section it belongs to (whose lead it inherits).
    Measure(&'p Section<'p>, &'p Measure<'p>),
    Target(&'p Target<'p>),
}

/// A field's value. Absent values make every comparison false, so a rule about `year` does not
/// fire on a target without a year (another rule asks for the year).
#[derive(Clone, Debug)]
enum Value<'a> {
    Absent,
    Num(f64),
    Str(&'a str),
    List(Vec<&'a str>),
}

impl<'p> Item<'p> {
    pub fn span(&self) -> Span {
        match self {
            Item::Plan => Span::default(),
            Item::Section(s) => s.span,
            Item::Measure(_, m) => m.span,
            Item::Target(t) => t.span,
        }
    }

    /// The name that identifies the item for `unique`.
    pub fn name(&self) -> Option<&'p Sp<Text<'p>>> {
        match self {
            Item::Section(s) => Some(&s.name),
            Item::Measure(_, m) => Some(&m.title),
            Item::Plan | Item::Target(_) => None,
        }
    }

    /// A short label naming the item.
    pub fn describe(&self) -> String {
        match self {
            Item::Plan => "规划".into(),
            Item::Section(s) => format!("“{}”", s.name.value),
            Item::Measure(_, m) => format!("措施“{}”", m.title.value),
            Item::Target(t) => format!("目标“{}”", t.indicator.value),
        }
    }

    /// The value of a field and the span of its text, if the item has it.
    fn field(&self, field: Field, plan: &'p Plan<'p>) -> (Value<'p>, Option<Span>) {
        fn opt_str<'v>(v: &'v Option<Sp<Text<'_>>>) -> (Value<'v>, Option<Span>) {
            match v {
                Some(s) => (Value::Str(&s.value), Some(s.span)),
                None => (Value::Absent, None),
            }
        }
        fn list(units: &Units) -> (Value<'_>, Option<Span>) {
            (
                Value::List(units.names.iter().map(|u| u.value.as_str()).collect()),
                units.span,
            )
        }
        let count = |n: usize| (Value::Num(n as f64), None);
        match (field, self) {
            (Field::PlanTitle, _) => (Value::Str(&plan.title.value), Some(plan.title.span)),
            (Field::PlanKind, _) => (Value::Str(plan.kind.value.as_str()), Some(plan.kind.span)),
            (Field::PlanLevel, _) => (Value::Str(plan.level.value.as_str()), Some(plan.level.span)),
            (Field::PlanRegion, _) => (
                Value::List(plan.region.iter().map(|r| r.value.as_ref()).collect()),
                None,
            ),
            (Field::PlanIssuer, _) => opt_str(&plan.issuer),
            (Field::PlanPeriodStart, _) => (
                Value::Num(plan.period.value.0 as f64),
                Some(plan.period.span),
            ),
            (Field::PlanPeriodEnd, _) => (
                Value::Num(plan.period.value.1 as f64),
                Some(plan.period.span),
            ),
            (Field::PlanBasis, _) => (
                Value::List(plan.basis.iter().map(|b| b.value.as_ref()).collect()),
                None,
            ),

            (Field::Name, Item::Section(s)) => (Value::Str(&s.name.value), Some(s.name.span)),
            (Field::Text, Item::Section(s)) => opt_str(&s.text),
            // A section names its lead units itself or under its measures.
            (Field::Lead, Item::Section(s)) => (
                Value::List(s.all_leads().map(|u| u.value.as_str()).collect()),
                s.lead.span,
            ),
            (Field::Partners, Item::Section(s)) => list(&s.partners),
            (Field::Measures, Item::Section(s)) => count(s.measures.len()),
            (Field::Targets, Item::Section(s)) => count(s.all_targets().count()),

            (Field::Title, Item::Measure(_, m)) => (Value::Str(&m.title.value), Some(m.title.span)),
            (Field::Text, Item::Measure(_, m)) => opt_str(&m.text),
            // A measure without its own lead units has its section's.
            (Field::Lead, Item::Measure(s, m)) => {
                list(if m.lead.is_empty() { &s.lead } else { &m.lead })
            }
            (Field::Partners, Item::Measure(_, m)) => list(&m.partners),
            (Field::Targets, Item::Measure(_, m)) => count(m.targets.len()),
            (Field::Section, Item::Measure(s, _)) => (Value::Str(&s.name.value), None),

            (Field::Indicator, Item::Target(t)) => {
                (Value::Str(&t.indicator.value), Some(t.indicator.span))
            }
            (Field::Relation, Item::Target(t)) => {
                (Value::Str(t.relation.value.as_str()), Some(t.relation.span))
            }
            (Field::Value, Item::Target(t)) => match &t.value {
                Some(v) => (Value::Num(v.value), Some(v.span)),
                None => (Value::Absent, None),
            },
            (Field::Unit, Item::Target(t)) => opt_str(&t.unit),
            (Field::Year, Item::Target(t)) => match &t.year {
                Some(y) => (Value::Num(y.value as f64), Some(y.span)),
                None => (Value::Absent, None),
            },
            (Field::Per, Item::Target(t)) => opt_str(&t.per),
            (Field::Hedge, Item::Target(t)) => opt_str(&t.hedge),
            (Field::Text, Item::Target(t)) => opt_str(&t.text),
            _ => (Value::Absent, None),
        }
    }
}

pub fn truthy(expr: &Expr, item: &Item<'_>, plan: &Plan) -> bool {
    match value(expr, item, plan) {
        Value::Absent => false,
        Value::Num(n) => n != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
    }
}

fn bool_value(b: bool) -> Value<'static> {
    Value::Num(if b { 1.0 } else { 0.0 })
}

fn value<'p>(expr: &'p Expr, item: &Item<'p>, plan: &'p Plan<'p>) -> Value<'p> {
    match expr {
        Expr::Or(items) => bool_value(items.iter().any(|e| truthy(e, item, plan))),
        Expr::And(items) => bool_value(items.iter().all(|e| truthy(e, item, plan))),
        Expr::Not(e) => bool_value(!truthy(e, item, plan)),
        Expr::Has(f) => bool_value(match item.field(f.value, plan).0 {
            Value::Absent => false,
            Value::Num(_) if matches!(f.value, Field::Measures | Field::Targets) => {
                truthy(&Expr::Field(f.clone()), item, plan)
            }
            Value::Num(_) => true,
            Value::Str(s) => !s.trim().is_empty(),
            Value::List(l) => l.iter().any(|s| !s.trim().is_empty()),
        }),
        Expr::Compare(a, op, b) => {
            bool_value(compare(&value(a, item, plan), *op, &value(b, item, plan)))
        }
        Expr::Field(f) => item.field(f.value, plan).0,
        Expr::Number(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s),
        Expr::List(items) => Value::List(
            items
                .iter()
                .filter_map(|e| match value(e, item, plan) {
                    Value::Str(s) => Some(s),
                    _ => None,
                })
                .collect(),
        ),
    }
}

fn compare(a: &Value<'_>, op: CmpOp, b: &Value<'_>) -> bool {
    use CmpOp::*;
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => match op {
            Eq => x == y,
            Ne => x != y,
            Lt => x < y,
            Le => x <= y,
            Gt => x > y,
            Ge => x >= y,
            Contains | In => false,
        },
        (Value::Str(x), Value::Str(y)) => match op {
            Eq => x == y,
            Ne => x != y,
            Contains => x.contains(y),
            _ => false,
        },
        (Value::List(xs), Value::Str(y)) => op == Contains && xs.iter().any(|x| x.contains(y)),
        (Value::Str(x), Value::List(ys)) => op == In && ys.contains(x),
        _ => false,
    }
}

/// The span to label for a failed predicate: the first field it reads that the item has
/// (e.g. the `year` value that lies outside the period), else `None` for the item's header.
pub fn anchor(expr: &Expr, item: &Item<'_>) -> Option<Span> {
    let mut fields = Vec::new();
    expr.fields(&mut fields);
    // The plan is only needed for plan fields, which are never anchors here.
    fields
        .iter()
        .filter(|f| !f.value.is_plan())
        .find_map(|f| item_span(f.value, item))
}

fn item_span(field: Field, item: &Item<'_>) -> Option<Span> {
    match (field, item) {
        (Field::Name, Item::Section(s)) => Some(s.name.span),
        (Field::Lead, Item::Section(s)) => s.lead.span,
        (Field::Partners, Item::Section(s)) => s.partners.span,
        (Field::Title, Item::Measure(_, m)) => Some(m.title.span),
        (Field::Lead, Item::Measure(_, m)) => m.lead.span,
        (Field::Indicator, Item::Target(t)) => Some(t.indicator.span),
        (Field::Value, Item::Target(t)) => t.value.as_ref().map(|v| v.span),
        (Field::Unit, Item::Target(t)) => t.unit.as_ref().map(|v| v.span),
        (Field::Year, Item::Target(t)) => t.year.as_ref().map(|v| v.span),
        _ => None,
    }
}

/// Fills `{field}` placeholders in a message with the item's values.
pub fn interpolate(message: &str, item: &Item<'_>, plan: &Plan) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Field::parse(&after[..close]).map(|f| (close, f)))
        {
            Some((close, field)) => {
                out.push_str(&match item.field(field, plan).0 {
                    Value::Absent => "（无）".to_owned(),
                    Value::Num(n) => format_number(n),
                    Value::Str(s) => s.to_owned(),
                    Value::List(l) => l.join("、"),
                });
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
