//! The span-keeping loader: TOML text → `Plan`, reporting every problem at once.
//!
//! It walks toml's span-carrying document tree by hand rather than deriving `Deserialize`, so
//! that one run reports every wrong type, missing key and unknown key (serde stops at the
//! first), each with the span of the exact key or value.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use std::borrow::Cow;

use super::*;
use crate::diagnostic::{did_you_mean, Finding, Severity};
use crate::source::{SourceFile, Span};

/// What loading a plan produced: the plan when its required parts are sound, and diagnostics
/// (fatal errors and warnings such as unknown keys).
#[derive(Debug)]
pub struct LoadOutcome<'s> {
    pub plan: Option<Plan<'s>>,
    pub diagnostics: Vec<Finding>,
}

/// Load a plan from its source text.
pub fn load(file: &SourceFile) -> LoadOutcome<'_> {
    // Most files are sound: read those without a document tree; the rest, and every problem
    // in them, the loader below reads.
    if let Some(plan) = super::direct::read(&file.text) {
        return LoadOutcome {
            plan: Some(plan),
            diagnostics: Vec::new(),
        };
    }
    load_tree(file)
}

/// Load a plan through toml's document tree, saying what is wrong with it.
pub(super) fn load_tree(file: &SourceFile) -> LoadOutcome<'_> {
    let mut loader = Loader::default();
    let (root, errors) = DeTable::parse_recoverable(&file.text);
    if !errors.is_empty() {
        for error in errors {
            let span = error.span().map(Span::from).unwrap_or_default();
            let message = error.message().trim().to_owned();
            loader.push(Finding::input_error(
                "plan/syntax",
                format!("invalid TOML: {message}"),
                span,
                message,
            ));
        }
        return loader.finish(None);
    }
    let plan = loader.plan(root.get_ref(), file.text.len());
    loader.finish(plan)
}

pub(super) const PLAN_KEYS: &[&str] = &["plan", "targets", "actions", "projects", "safeguards"];
pub(super) const META_KEYS: &[&str] = &[
    "title", "kind", "level", "region", "issuer", "number", "issued", "period", "basis",
];
pub(super) const TARGET_KEYS: &[&str] = &[
    "indicator",
    "relation",
    "value",
    "unit",
    "year",
    "per",
    "bound",
    "hedge",
    "text",
];
pub(super) const SECTION_KEYS: &[&str] =
    &["name", "text", "lead", "partners", "measures", "targets"];
pub(super) const SAFEGUARD_KEYS: &[&str] = &["name", "text", "lead", "partners"];
pub(super) const MEASURE_KEYS: &[&str] =
    &["title", "text", "lead", "partners", "deadline", "targets"];

#[derive(Default)]
struct Loader {
    /// By code, each bounded: a file with a million bad entries gets a hundred diagnostics per
    /// kind and a count of the rest.
    diagnostics: std::collections::BTreeMap<String, crate::diagnostic::Bounded>,
}

/// One TOML table being read: its entries, the span of its header, and its key path.
struct TableRead<'a, 'i> {
    table: &'a DeTable<'i>,
    header: Span,
    path: KeyPath<'a>,
}

/// Where a table stands in the file (`actions[2].measures[0]`): a chain of borrowed keys,
/// written out only when a message needs it (most plans need none).
#[derive(Clone, Copy)]
struct KeyPath<'a> {
    parent: Option<&'a KeyPath<'a>>,
    key: &'a str,
    index: Option<usize>,
}

impl KeyPath<'_> {
    const ROOT: KeyPath<'static> = KeyPath {
        parent: None,
        key: "",
        index: None,
    };

    fn is_root(&self) -> bool {
        self.parent.is_none() && self.key.is_empty()
    }
}

impl std::fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent.filter(|p| !p.is_root()) {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.key)?;
        match self.index {
            Some(i) => write!(f, "[{i}]"),
            None => Ok(()),
        }
    }
}

/// A string of the parse tree as a plan string, without copying what the tree borrows from
/// the file.
fn borrowed<'i>(s: &Cow<'i, str>) -> Text<'i> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b),
        Cow::Owned(o) => Cow::Owned(o.clone()),
    }
}

impl Loader {
    fn finish(self, plan: Option<Plan<'_>>) -> LoadOutcome<'_> {
        let mut diagnostics: Vec<Finding> = self
            .diagnostics
            .into_values()
            .flat_map(|b| b.into_findings())
            .collect();
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        let fatal = diagnostics.iter().any(|d| d.fatal);
        LoadOutcome {
            plan: if fatal { None } else { plan },
            diagnostics,
        }
    }

    fn push(&mut self, finding: Finding) {
        self.diagnostics
            .entry(finding.code.clone())
            .or_insert_with(|| {
                crate::diagnostic::Bounded::new(crate::diagnostic::MAX_FINDINGS_PER_RULE)
            })
            .push(finding);
    }

    fn error(&mut self, span: Span, message: String, label: impl Into<String>) {
        self.push(Finding::input_error("plan/invalid", message, span, label));
    }

    fn plan<'i>(&mut self, root: &DeTable<'i>, end: usize) -> Option<Plan<'i>> {
        let top = TableRead {
            table: root,
            header: Span::new(0, 0),
            path: KeyPath::ROOT,
        };
        self.unknown_keys(&top, PLAN_KEYS);
        let Some(meta) = top.table.get("plan") else {
            self.push(
                Finding::input_error(
                    "plan/missing-key",
                    "the file has no [plan] table".to_owned(),
                    Span::new(0, 0),
                    "expected a [plan] table",
                )
                .with_help("a plan file starts with [plan] holding title, kind, level and period; see docs/plan-format.md"),
            );
            return None;
        };
        let meta = self.table(
            meta,
            KeyPath {
                parent: None,
                key: "plan",
                index: None,
            },
        )?;

        let title = self.string(&meta, "title", true);
        let kind = self.keyword(&meta, "kind", PlanKind::parse, PlanKind::WORDS, true);
        let level = self.keyword(&meta, "level", Level::parse, Level::WORDS, true);
        let (region, _) = self.string_list(&meta, "region", borrowed);
        let issuer = self.string(&meta, "issuer", false);
        let number = self.string(&meta, "number", false);
        let issued = self.date(&meta, "issued");
        let period = self.period(&meta);
        let (basis, basis_span) = self.string_list(&meta, "basis", borrowed);
        self.unknown_keys(&meta, META_KEYS);

        let targets = self.items(&top, "targets", |l, t| l.target(t));
        let actions = self.items(&top, "actions", |l, t| l.section(t, SectionKind::Action));
        let projects = self.items(&top, "projects", |l, t| l.section(t, SectionKind::Project));
        let safeguards = self.items(&top, "safeguards", |l, t| {
            l.section(t, SectionKind::Safeguard)
        });

        Some(Plan {
            span: meta.header,
            title: title?,
            kind: kind?,
            level: level?,
            region,
            issuer,
            number,
            issued,
            period: period?,
            basis_span,
            basis,
            targets,
            actions,
            projects,
            safeguards,
            end,
        })
    }

    fn target<'i>(&mut self, t: &TableRead<'_, 'i>) -> Option<Target<'i>> {
        let indicator = self.string(t, "indicator", true);
        let written_relation = self.keyword(t, "relation", Relation::parse, Relation::WORDS, false);
        let explicit_relation = written_relation.is_some();
        let relation = written_relation.unwrap_or(Sp::new(Relation::AtLeast, t.header));
        let value = self.number(t, "value");
        let unit = self.string(t, "unit", false);
        let year = self.integer(t, "year");
        let per = self.keyword(t, "per", |w| (w == "year").then_some(()), &["year"], false);
        let bound = self.string(t, "bound", false);
        let hedge = self.string(t, "hedge", false);
        let text = self.string(t, "text", false);
        self.unknown_keys(t, TARGET_KEYS);
        let mut target = Target {
            span: t.header,
            indicator: indicator?,
            relation,
            bound,
            value,
            unit,
            year,
            per: per.map(|p| Sp::new("year".into(), p.span)),
            hedge,
            text,
        };
        // What the keys leave out is read from the target's text as written (“力争到2025年
        // 达到16%”), with the importer's quantity reader.
        crate::quantity::complete_from_text(&mut target, explicit_relation);
        Some(target)
    }

    fn section<'i>(&mut self, t: &TableRead<'_, 'i>, kind: SectionKind) -> Option<Section<'i>> {
        let name = self.string(t, "name", true);
        let text = self.string(t, "text", false);
        let lead = self.strings(t, "lead");
        let partners = self.strings(t, "partners");
        let (measures, targets) = if kind == SectionKind::Safeguard {
            self.unknown_keys(t, SAFEGUARD_KEYS);
            (Vec::new(), Vec::new())
        } else {
            let measures = self.items(t, "measures", |l, m| l.measure(m)).items;
            let targets = self.items(t, "targets", |l, m| l.target(m)).items;
            self.unknown_keys(t, SECTION_KEYS);
            (measures, targets)
        };
        Some(Section {
            kind,
            span: t.header,
            name: name?,
            text,
            lead,
            partners,
            measures,
            targets,
        })
    }

    fn measure<'i>(&mut self, t: &TableRead<'_, 'i>) -> Option<Measure<'i>> {
        let title = self.string(t, "title", true);
        let text = self.string(t, "text", false);
        let lead = self.strings(t, "lead");
        let partners = self.strings(t, "partners");
        let deadline = self.string(t, "deadline", false);
        let targets = self.items(t, "targets", |l, m| l.target(m)).items;
        self.unknown_keys(t, MEASURE_KEYS);
        Some(Measure {
            span: t.header,
            title: title?,
            text,
            lead,
            partners,
            deadline,
            targets,
        })
    }

    // ---- generic readers -------------------------------------------------------------------

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        path: KeyPath<'a>,
    ) -> Option<TableRead<'a, 'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(TableRead {
                table,
                header: value.span().into(),
                path,
            }),
            other => {
                self.wrong_type(value.span().into(), &path.to_string(), "a table", other);
                None
            }
        }
    }

    /// An array of tables (`[[key]]`); each element that reads well becomes an item.
    fn items<'i, T>(
        &mut self,
        parent: &TableRead<'_, 'i>,
        key: &str,
        mut read: impl FnMut(&mut Self, &TableRead<'_, 'i>) -> Option<T>,
    ) -> Items<T> {
        let Some(value) = parent.table.get(key) else {
            return Items::default();
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                value.span().into(),
                &join(&parent.path, key),
                "an array of tables",
                value.get_ref(),
            );
            return Items::default();
        };
        let mut items = Vec::new();
        for (i, element) in array.iter().enumerate() {
            let element_path = KeyPath {
                parent: Some(&parent.path),
                key,
                index: Some(i),
            };
            if let Some(table) = self.table(element, element_path) {
                if let Some(item) = read(self, &table) {
                    items.push(item);
                }
            }
        }
        Items {
            items,
            span: Some(value.span().into()),
        }
    }

    fn get<'a, 'i>(
        &mut self,
        t: &'a TableRead<'_, 'i>,
        key: &str,
        required: bool,
    ) -> Option<&'a Spanned<DeValue<'i>>> {
        let value = t.table.get(key);
        if value.is_none() && required {
            let path = join(&t.path, key);
            self.push(Finding::input_error(
                "plan/missing-key",
                format!("missing required key `{path}`"),
                t.header,
                format!("this table needs `{key}`"),
            ));
        }
        value
    }

    fn string<'i>(
        &mut self,
        t: &TableRead<'_, 'i>,
        key: &str,
        required: bool,
    ) -> Option<Sp<Text<'i>>> {
        let value = self.get(t, key, required)?;
        match value.get_ref() {
            DeValue::String(s) => {
                if required && s.trim().is_empty() {
                    self.error(
                        value.span().into(),
                        format!("`{}` must not be empty", join(&t.path, key)),
                        "empty string",
                    );
                    return None;
                }
                Some(Sp::new(borrowed(s), value.span().into()))
            }
            other => {
                self.wrong_type(value.span().into(), &join(&t.path, key), "a string", other);
                None
            }
        }
    }

    fn keyword<K>(
        &mut self,
        t: &TableRead<'_, '_>,
        key: &str,
        parse: impl Fn(&str) -> Option<K>,
        words: &[&str],
        required: bool,
    ) -> Option<Sp<K>> {
        let raw = self.string(t, key, required)?;
        match parse(&raw.value) {
            Some(k) => Some(Sp::new(k, raw.span)),
            None => {
                let expected = words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut finding = Finding::input_error(
                    "plan/invalid",
                    format!("`{}` must be one of {expected}", join(&t.path, key)),
                    raw.span,
                    format!("unknown value \"{}\"", raw.value),
                );
                if let Some(near) = did_you_mean(&raw.value, words) {
                    finding = finding.with_help(format!("did you mean \"{near}\"?"));
                }
                self.push(finding);
                None
            }
        }
    }

    fn strings(&mut self, t: &TableRead<'_, '_>, key: &str) -> Units {
        let (names, span) = self.string_list(t, key, |s| UnitName::from(&**s));
        Units { names, span }
    }

    /// An array of strings with the array's span (`None` when the key is absent).
    fn string_list<'i, S>(
        &mut self,
        t: &TableRead<'_, 'i>,
        key: &str,
        convert: impl Fn(&Cow<'i, str>) -> S,
    ) -> (Vec<Sp<S>>, Option<Span>) {
        let Some(value) = self.get(t, key, false) else {
            return (Vec::new(), None);
        };
        // Paths are written only into messages: made when one is needed.
        let path = || join(&t.path, key);
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                value.span().into(),
                &path(),
                "an array of strings",
                value.get_ref(),
            );
            return (Vec::new(), None);
        };
        let mut names = Vec::with_capacity(array.len());
        for element in array.iter() {
            match element.get_ref() {
                DeValue::String(s) => names.push(Sp::new(convert(s), element.span().into())),
                other => self.wrong_type(element.span().into(), &path(), "a string", other),
            }
        }
        (names, Some(value.span().into()))
    }

    fn integer(&mut self, t: &TableRead<'_, '_>, key: &str) -> Option<Sp<i64>> {
        let value = self.get(t, key, false)?;
        self.integer_value(value, &join(&t.path, key))
    }

    fn integer_value(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Option<Sp<i64>> {
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Sp::new(n, value.span().into())),
                Err(_) => {
                    self.error(
                        value.span().into(),
                        format!("`{path}` is out of range"),
                        "too large",
                    );
                    None
                }
            },
            other => {
                self.wrong_type(value.span().into(), path, "an integer", other);
                None
            }
        }
    }

    fn number(&mut self, t: &TableRead<'_, '_>, key: &str) -> Option<Sp<f64>> {
        let value = self.get(t, key, false)?;
        let path = || join(&t.path, key);
        let number = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.wrong_type(value.span().into(), &path(), "a number", other);
                return None;
            }
        };
        match number {
            Some(n) if n.is_finite() => Some(Sp::new(n, value.span().into())),
            _ => {
                self.error(
                    value.span().into(),
                    format!("`{}` must be a finite number", path()),
                    "not a usable number",
                );
                None
            }
        }
    }

    fn date(&mut self, t: &TableRead<'_, '_>, key: &str) -> Option<Sp<Text<'static>>> {
        let value = self.get(t, key, false)?;
        match value.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                Some(Sp::new(d.to_string().into(), value.span().into()))
            }
            other => {
                self.wrong_type(
                    value.span().into(),
                    &join(&t.path, key),
                    "a date such as 2022-03-25",
                    other,
                );
                None
            }
        }
    }

    fn period(&mut self, t: &TableRead<'_, '_>) -> Option<Sp<(i64, i64)>> {
        let value = self.get(t, "period", true)?;
        let span: Span = value.span().into();
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                span,
                "plan.period",
                "an array of two years",
                value.get_ref(),
            );
            return None;
        };
        let years: Vec<_> = array.iter().collect();
        if years.len() != 2 {
            self.error(
                span,
                "`plan.period` must hold exactly two years: the first and the last".to_owned(),
                format!("{} value(s)", years.len()),
            );
            return None;
        }
        let first = self.integer_value(years[0], "plan.period")?;
        let last = self.integer_value(years[1], "plan.period")?;
        for year in [&first, &last] {
            if !super::direct::PLAUSIBLE_YEARS.contains(&year.value) {
                self.error(
                    year.span,
                    "`plan.period` holds an implausible year".to_owned(),
                    "expected a year such as 2025",
                );
                return None;
            }
        }
        if first.value > last.value {
            self.error(
                span,
                "`plan.period` runs backwards".to_owned(),
                "the first year is after the last",
            );
            return None;
        }
        Some(Sp::new((first.value, last.value), span))
    }

    fn wrong_type(&mut self, span: Span, path: &str, expected: &str, found: &DeValue<'_>) {
        self.push(Finding::input_error(
            "plan/wrong-type",
            format!("`{path}` must be {expected}, found {}", found.type_str()),
            span,
            format!("expected {expected}"),
        ));
    }

    fn unknown_keys(&mut self, t: &TableRead<'_, '_>, known: &[&str]) {
        for (key, _) in t.table.iter() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            let mut finding = Finding::input_error(
                "plan/unknown-key",
                format!("unknown key `{}`", join(&t.path, name)),
                key.span().into(),
                "not part of the plan format",
            );
            finding.severity = Severity::Warning;
            finding.fatal = false;
            finding.help = Some(match did_you_mean(name, known) {
                Some(near) => format!("did you mean `{near}`?").into(),
                None => format!("known keys here: {}", known.join(", ")).into(),
            });
            self.push(finding);
        }
    }
}

fn join(path: &KeyPath<'_>, key: &str) -> String {
    if path.is_root() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The TOML key path of the innermost key or value holding `offset` (`projects[0].lead[1]`),
/// or `None` if the text is not TOML. Used for fingerprints that survive lines moving.
pub fn key_path_at(text: &str, offset: usize) -> Option<String> {
    key_paths_at(text, &[offset]).map(|mut paths| paths.remove(0))
}

/// [`key_path_at`] for many offsets at once: one parse and one sweep, so that fingerprinting
/// every finding of a file costs O((keys + offsets) log keys), not keys × offsets.
pub fn key_paths_at(text: &str, offsets: &[usize]) -> Option<Vec<String>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return None;
    }
    let mut tree = KeyTree::default();
    tree.table(root.get_ref(), None, 0);
    // Sweep the offsets in order over intervals sorted by start; a max-heap by depth holds the
    // intervals begun so far, and those ended are dropped when they come to the top (they stay
    // ended for every later offset).
    tree.intervals.sort_unstable_by_key(|i| i.start);
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut open = std::collections::BinaryHeap::new();
    let mut next = 0;
    let mut found = vec![None; offsets.len()];
    for q in order {
        let offset = offsets[q];
        while let Some(i) = tree.intervals.get(next).filter(|i| i.start <= offset) {
            let depth = tree.nodes[i.node].depth;
            open.push((depth, std::cmp::Reverse(i.node), i.end));
            next += 1;
        }
        while open.peek().is_some_and(|top| top.2 <= offset) {
            open.pop();
        }
        found[q] = open.peek().map(|top| top.1 .0);
    }
    Some(
        found
            .into_iter()
            .map(|node| node.map(|n| tree.path(n)).unwrap_or_default())
            .collect(),
    )
}

/// Every key and array element of a TOML document with the spans that belong to it.
#[derive(Default)]
struct KeyTree {
    nodes: Vec<KeyNode>,
    intervals: Vec<KeyInterval>,
}

struct KeyNode {
    parent: Option<usize>,
    /// `name` for a key, `[i]` for an array element.
    segment: String,
    depth: usize,
}

struct KeyInterval {
    start: usize,
    end: usize,
    node: usize,
}

impl KeyTree {
    fn node(&mut self, parent: Option<usize>, segment: String, depth: usize) -> usize {
        self.nodes.push(KeyNode {
            parent,
            segment,
            depth,
        });
        self.nodes.len() - 1
    }

    fn interval(&mut self, span: std::ops::Range<usize>, node: usize) {
        self.intervals.push(KeyInterval {
            start: span.start,
            end: span.end.max(span.start + 1),
            node,
        });
    }

    fn table(&mut self, table: &DeTable<'_>, parent: Option<usize>, depth: usize) {
        for (key, value) in table.iter() {
            let node = self.node(parent, key.get_ref().to_string(), depth + 1);
            self.interval(key.span(), node);
            self.value(value, node, depth + 1);
        }
    }

    fn value(&mut self, value: &Spanned<DeValue<'_>>, node: usize, depth: usize) {
        self.interval(value.span(), node);
        match value.get_ref() {
            DeValue::Table(t) => self.table(t, Some(node), depth),
            DeValue::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    let element = self.node(Some(node), format!("[{i}]"), depth + 1);
                    self.value(v, element, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn path(&self, node: usize) -> String {
        let mut segments = Vec::new();
        let mut at = Some(node);
        while let Some(n) = at {
            segments.push(self.nodes[n].segment.as_str());
            at = self.nodes[n].parent;
        }
        let mut path = String::new();
        for segment in segments.into_iter().rev() {
            if !segment.starts_with('[') && !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_file(text: &str) -> std::sync::Arc<SourceFile> {
        SourceFile::new("t.plan.toml", text)
    }

    const MINIMAL: &str = "[plan]\ntitle = \"某区实施方案\"\nkind = \"implementation\"\nlevel = \"district\"\nperiod = [2021, 2025]\n";

    /// The published schema must describe exactly the keys the loader reads.
    #[test]
    fn the_json_schema_lists_the_loader_keys() {
        let schema: serde_json::Value = serde_json::from_str(crate::plan::JSON_SCHEMA).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        let sorted = |list: &[&str]| -> Vec<String> {
            let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&schema), sorted(PLAN_KEYS));
        assert_eq!(keys(&schema["properties"]["plan"]), sorted(META_KEYS));
        assert_eq!(keys(&schema["definitions"]["target"]), sorted(TARGET_KEYS));
        assert_eq!(
            keys(&schema["definitions"]["section"]),
            sorted(SECTION_KEYS)
        );
        assert_eq!(
            keys(&schema["definitions"]["safeguard"]),
            sorted(SAFEGUARD_KEYS)
        );
        assert_eq!(
            keys(&schema["definitions"]["measure"]),
            sorted(MEASURE_KEYS)
        );
        let kinds: Vec<&str> = schema["properties"]["plan"]["properties"]["kind"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(kinds, PlanKind::WORDS);
    }

    #[test]
    fn key_paths_for_many_offsets_match_one_at_a_time() {
        let text = include_str!("../../tests/fixtures/plans/changzhi-city-2021-2025.plan.toml");
        let offsets: Vec<usize> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(7)
            .collect();
        let all = key_paths_at(text, &offsets).unwrap();
        // The offsets in any order give the same paths.
        let mut reversed = offsets.clone();
        reversed.reverse();
        let mut back = key_paths_at(text, &reversed).unwrap();
        back.reverse();
        assert_eq!(all, back);
        for (offset, path) in offsets.iter().zip(&all).step_by(13) {
            assert_eq!(
                key_path_at(text, *offset).as_ref(),
                Some(path),
                "at {offset}"
            );
        }
        assert!(all.iter().any(|p| p.starts_with("actions[")));
    }

    #[test]
    fn key_paths_name_the_anchor() {
        let text = format!("{MINIMAL}[[projects]]\nname = \"a\"\n\n[[projects]]\nname = \"b\"\nlead = [\"x\", \"y\"]\n");
        let at = |needle: &str| key_path_at(&text, text.find(needle).unwrap()).unwrap();
        assert_eq!(at("[2021"), "plan.period");
        assert_eq!(at("\"y\""), "projects[1].lead[1]");
        assert_eq!(at("[[projects]]\nname = \"b"), "projects[1]");
        assert_eq!(at("[plan]"), "plan");
    }

    #[test]
    fn minimal_plan_loads() {
        let file = plan_file(MINIMAL);
        let out = load(&file);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let plan = out.plan.unwrap();
        assert_eq!(plan.period.value, (2021, 2025));
        assert_eq!(plan.kind.value, PlanKind::Implementation);
    }

    #[test]
    fn plain_strings_are_borrowed_from_the_file_and_escaped_ones_owned() {
        let text = format!("{MINIMAL}\n[[actions]]\nname = \"青少年科学素质提升行动\"\ntext = \"第一行\\n第二行\"\n");
        let file = plan_file(&text);
        let out = load(&file);
        let plan = out.plan.expect("loads");
        let action = &plan.actions.items[0];
        assert!(matches!(action.name.value, Cow::Borrowed(_)));
        assert_eq!(action.name.value, "青少年科学素质提升行动");
        let body = action.text.as_ref().expect("text");
        assert!(matches!(body.value, Cow::Owned(_)));
        assert_eq!(body.value, "第一行\n第二行");
        // A plan kept past its file owns its texts and says the same.
        let kept = plan.clone().into_owned();
        assert!(matches!(kept.actions.items[0].name.value, Cow::Owned(_)));
        assert_eq!(kept, plan);
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let text = MINIMAL.replace("[2021, 2025]", "\"2021-2025\"");
        let file = plan_file(&text);
        let out = load(&file);
        assert!(out.plan.is_none());
        let d = &out.diagnostics[0];
        assert_eq!(d.code, "plan/wrong-type");
        assert_eq!(&text[d.span.start..d.span.end], "\"2021-2025\"");
    }

    #[test]
    fn unknown_key_is_a_warning_with_a_suggestion() {
        let text = format!(
            "{MINIMAL}[[actions]]\nname = \"青少年科学素质提升行动\"\nleads = [\"区科协\"]\n"
        );
        let file = plan_file(&text);
        let out = load(&file);
        assert!(out.plan.is_some());
        let d = &out.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.help.as_deref(), Some("did you mean `lead`?"));
        assert_eq!(&text[d.span.start..d.span.end], "leads");
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let text = "[plan]\ntitle = 3\nkind = \"plan\"\nlevel = \"district\"\n";
        let file = plan_file(text);
        let out = load(&file);
        let codes: Vec<_> = out.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            ["plan/missing-key", "plan/wrong-type", "plan/invalid"]
        );
    }

    #[test]
    fn crlf_and_bom_free_text_load() {
        let file = plan_file(&MINIMAL.replace('\n', "\r\n"));
        let out = load(&file);
        assert!(out.plan.is_some(), "{:?}", out.diagnostics);
    }

    #[test]
    fn syntax_errors_are_fatal() {
        let file = plan_file("[plan\ntitle = ");
        let out = load(&file);
        assert!(out.plan.is_none());
        assert!(out
            .diagnostics
            .iter()
            .all(|d| d.code == "plan/syntax" && d.fatal));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("x = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let file = plan_file(&text);
        let out = load(&file);
        assert!(out.plan.is_none());
        assert!(!out.diagnostics.is_empty());
    }
}
