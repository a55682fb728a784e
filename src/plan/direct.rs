//! The direct reader: a sound plan file → `Plan` from the TOML parser's events, with no
//! document tree in between.
//!
//! Building toml's document tree (a map per table, a key and a value per entry) and freeing it
//! again cost more than reading the model out of it. Most files a run reads are sound, so this
//! reader takes them straight from toml_parser — the parser under the `toml` crate — into the
//! model. It knows only plans written the usual way: `[plan]`, `[[actions]]`,
//! `[[actions.measures]]`… each holding the format's keys with plain values. At anything else
//! — a syntax error, a dotted key, an inline table, a duplicate, an unknown key, a value of the
//! wrong type, a missing key — it gives up, and [`super::load`] reads the file with the
//! tree-walking loader, which says what is wrong and where. So a plan it reads is one the loader
//! would read without a word; the tests hold the two to the same model on every plan file of
//! the repository and on edited ones.

use std::borrow::Cow;

use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source};

use super::*;
use crate::source::Span;

/// The plan in `text`, when it is written so plainly that nothing need be said about it;
/// `None` sends the file to the loader.
pub(super) fn read(text: &str) -> Option<Plan<'_>> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut reader = Reader::new(text);
    let mut failed = Failed(false);
    {
        // As toml reads a document: whitespace checked, nesting bounded.
        let mut checked = ValidateWhitespace::new(&mut reader, source);
        let mut guarded = RecursionGuard::new(&mut checked, RECURSION_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guarded, &mut failed);
    }
    if failed.0 || reader.failed {
        return None;
    }
    reader.finish()
}

/// toml's own bound on nesting, so that the two readers refuse the same files.
const RECURSION_LIMIT: u32 = 80;

/// Any error of the parser: the file goes to the loader, which reports it.
struct Failed(bool);

impl ErrorSink for Failed {
    fn report_error(&mut self, _error: ParseError) {
        self.0 = true;
    }
}

/// A value as the file writes it, with its span.
enum Value<'i> {
    Str(Cow<'i, str>),
    Integer(i64),
    Float(f64),
    Date(String),
    /// Booleans and times: no key of a plan takes one.
    Other,
    Array(Vec<Sp<Value<'i>>>),
}

/// Which table the entries being read belong to, from its header.
#[derive(Clone, Copy, PartialEq)]
enum Home {
    /// Before any header: a plan has no keys there.
    Root,
    Meta,
    PlanTarget,
    Section(SectionKind),
    SectionTarget(SectionKind),
    Measure(SectionKind),
    MeasureTarget(SectionKind),
}

struct Reader<'i> {
    text: &'i str,
    failed: bool,
    home: Home,
    /// The header of the table being read (`[[actions]]`), and its entries.
    header: Span,
    entries: Vec<(Cow<'i, str>, Sp<Value<'i>>)>,
    /// The header being read, until its closing bracket.
    header_keys: Option<OpenHeader<'i>>,
    /// The vector of the last header's keys, emptied, for the next header: the entries' and
    /// the keys' vectors are kept from table to table, not allocated for each (they were a
    /// tenth of the allocations of a bulk run).
    spare_keys: Vec<Cow<'i, str>>,
    /// The arrays of tables already read, emptied, for the arrays to come.
    spare_arrays: Vec<Vec<Sp<Value<'i>>>>,
    /// The key whose value comes next.
    key: Option<Cow<'i, str>>,
    /// The array being read (no key of the format holds arrays of arrays), and where it opened.
    array: Option<(Vec<Sp<Value<'i>>>, usize)>,
    meta: Option<Meta<'i>>,
    targets: Items<Target<'i>>,
    actions: Items<Section<'i>>,
    projects: Items<Section<'i>>,
    safeguards: Items<Section<'i>>,
}

/// A table header (`[[actions.measures]]`) as far as it has been read.
struct OpenHeader<'i> {
    keys: Vec<Cow<'i, str>>,
    start: usize,
    is_array: bool,
}

/// What `[plan]` says.
struct Meta<'i> {
    span: Span,
    title: Sp<Text<'i>>,
    kind: Sp<PlanKind>,
    level: Sp<Level>,
    region: Vec<Sp<Text<'i>>>,
    issuer: Option<Sp<Text<'i>>>,
    number: Option<Sp<Text<'i>>>,
    issued: Option<Sp<Text<'i>>>,
    period: Sp<(i64, i64)>,
    basis: Vec<Sp<Text<'i>>>,
    basis_span: Option<Span>,
}

fn span_of(span: toml_parser::Span) -> Span {
    Span::new(span.start(), span.end())
}

impl<'i> Reader<'i> {
    fn new(text: &'i str) -> Self {
        Reader {
            text,
            failed: false,
            home: Home::Root,
            header: Span::default(),
            entries: Vec::new(),
            header_keys: None,
            spare_keys: Vec::new(),
            spare_arrays: Vec::new(),
            key: None,
            array: None,
            meta: None,
            targets: Items::default(),
            actions: Items::default(),
            projects: Items::default(),
            safeguards: Items::default(),
        }
    }

    fn give_up(&mut self) {
        self.failed = true;
    }

    fn open_header(&mut self, span: toml_parser::Span, is_array: bool) {
        self.close_table();
        self.header_keys = Some(OpenHeader {
            keys: std::mem::take(&mut self.spare_keys),
            start: span.start(),
            is_array,
        });
    }

    fn close_header(&mut self, span: toml_parser::Span) {
        let Some(open) = self.header_keys.take() else {
            return self.give_up();
        };
        self.header = Span::new(open.start, span.end());
        // No header of the format has more than three keys.
        let mut names = [""; 3];
        let count = open.keys.len();
        for (name, key) in names.iter_mut().zip(&open.keys) {
            *name = key;
        }
        let home = match (open.is_array, names.get(..count).unwrap_or_default()) {
            (false, ["plan"]) if self.meta.is_none() => Some(Home::Meta),
            (true, ["targets"]) => Some(Home::PlanTarget),
            (true, [kind]) => section_kind(kind).map(Home::Section),
            (true, [kind, "measures"]) => section_kind(kind)
                .filter(|k| *k != SectionKind::Safeguard)
                .map(Home::Measure),
            (true, [kind, "targets"]) => section_kind(kind)
                .filter(|k| *k != SectionKind::Safeguard)
                .map(Home::SectionTarget),
            (true, [kind, "measures", "targets"]) => section_kind(kind)
                .filter(|k| *k != SectionKind::Safeguard)
                .map(Home::MeasureTarget),
            _ => None,
        };
        let mut keys = open.keys;
        keys.clear();
        self.spare_keys = keys;
        // A measure or a section's target belongs to the last item of its kind: there must be one.
        let parent_exists = match home {
            Some(Home::Measure(kind) | Home::SectionTarget(kind)) => {
                !self.sections(kind).items.is_empty()
            }
            Some(Home::MeasureTarget(kind)) => self
                .sections(kind)
                .items
                .last()
                .is_some_and(|s| !s.measures.is_empty()),
            _ => true,
        };
        match home {
            Some(home) if parent_exists => self.home = home,
            _ => self.give_up(),
        }
    }

    fn sections(&mut self, kind: SectionKind) -> &mut Items<Section<'i>> {
        match kind {
            SectionKind::Action => &mut self.actions,
            SectionKind::Project => &mut self.projects,
            SectionKind::Safeguard => &mut self.safeguards,
        }
    }

    fn value(&mut self, value: Sp<Value<'i>>) {
        if let Some((elements, _)) = &mut self.array {
            elements.push(value);
            return;
        }
        match self.key.take() {
            // A key may be given once in a table.
            Some(key) if !self.entries.iter().any(|(k, _)| *k == key) => {
                self.entries.push((key, value))
            }
            _ => self.give_up(),
        }
    }

    /// The table just read becomes part of the model.
    fn close_table(&mut self) {
        if self.failed {
            return;
        }
        let entries = std::mem::take(&mut self.entries);
        let header = self.header;
        let read = Entries { entries, header };
        let done = match self.home {
            Home::Root => read.entries.is_empty(),
            Home::Meta => read.meta().map(|m| self.meta = Some(m)).is_some(),
            Home::PlanTarget => read
                .target()
                .map(|t| {
                    self.targets.span.get_or_insert(header);
                    self.targets.items.push(t);
                })
                .is_some(),
            Home::Section(kind) => read
                .section(kind)
                .map(|s| {
                    let items = self.sections(kind);
                    items.span.get_or_insert(header);
                    items.items.push(s);
                })
                .is_some(),
            Home::SectionTarget(kind) => read
                .target()
                .and_then(|t| {
                    self.sections(kind)
                        .items
                        .last_mut()
                        .map(|s| s.targets.push(t))
                })
                .is_some(),
            Home::Measure(kind) => read
                .measure()
                .and_then(|m| {
                    self.sections(kind)
                        .items
                        .last_mut()
                        .map(|s| s.measures.push(m))
                })
                .is_some(),
            Home::MeasureTarget(kind) => read
                .target()
                .and_then(|t| {
                    let section = self.sections(kind).items.last_mut()?;
                    section.measures.last_mut().map(|m| m.targets.push(t))
                })
                .is_some(),
        };
        let mut entries = read.entries;
        for (_, value) in entries.drain(..) {
            if let Value::Array(mut elements) = value.value {
                elements.clear();
                self.spare_arrays.push(elements);
            }
        }
        self.entries = entries;
        if !done {
            self.give_up();
        }
    }

    fn finish(mut self) -> Option<Plan<'i>> {
        self.close_table();
        if self.failed {
            return None;
        }
        let meta = self.meta?;
        Some(Plan {
            span: meta.span,
            title: meta.title,
            kind: meta.kind,
            level: meta.level,
            region: meta.region,
            issuer: meta.issuer,
            number: meta.number,
            issued: meta.issued,
            period: meta.period,
            basis: meta.basis,
            basis_span: meta.basis_span,
            targets: self.targets,
            actions: self.actions,
            projects: self.projects,
            safeguards: self.safeguards,
            end: self.text.len(),
        })
    }
}

/// The inside of a one-line basic string (`"…"`) that has no escape and no character TOML
/// forbids there, which is then its value as written; `None` for any other, which toml's
/// decoder reads. Most of a plan's strings are such, and this check is a fraction of the
/// decoder's cost.
fn plain_basic_string(raw: &str, encoding: Option<Encoding>) -> Option<&str> {
    if encoding != Some(Encoding::BasicString) {
        return None;
    }
    let inside = raw.strip_prefix('"')?.strip_suffix('"')?;
    // basic-unescaped = wschar / %x21 / %x23-5B / %x5D-7E / non-ascii; a `"` cannot be inside
    // the token unescaped.
    let forbidden = inside.as_bytes().iter().fold(false, |any, &b| {
        any | (b < b' ' && b != b'\t') | (b == 0x7f) | (b == b'\\')
    });
    (!forbidden).then_some(inside)
}

fn section_kind(key: &str) -> Option<SectionKind> {
    match key {
        "actions" => Some(SectionKind::Action),
        "projects" => Some(SectionKind::Project),
        "safeguards" => Some(SectionKind::Safeguard),
        _ => None,
    }
}

impl EventReceiver for Reader<'_> {
    fn std_table_open(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) {
        self.open_header(span, false);
    }
    fn std_table_close(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) {
        self.close_header(span);
    }
    fn array_table_open(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) {
        self.open_header(span, true);
    }
    fn array_table_close(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) {
        self.close_header(span);
    }
    fn inline_table_open(&mut self, _: toml_parser::Span, _: &mut dyn ErrorSink) -> bool {
        self.give_up();
        true
    }
    fn array_open(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) -> bool {
        if self.array.is_some() || self.key.is_none() {
            self.give_up();
        } else {
            let elements = self.spare_arrays.pop().unwrap_or_default();
            self.array = Some((elements, span.start()));
        }
        true
    }
    fn array_close(&mut self, span: toml_parser::Span, _: &mut dyn ErrorSink) {
        let Some((elements, start)) = self.array.take() else {
            return self.give_up();
        };
        self.value(Sp::new(
            Value::Array(elements),
            Span::new(start, span.end()),
        ));
    }
    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        error: &mut dyn ErrorSink,
    ) {
        let Some(raw) = self.text.get(span.start()..span.end()) else {
            return self.give_up();
        };
        // A bare key of the format's letters is itself; any other is decoded as toml decodes
        // keys (which also refuses an empty or ill-formed bare key).
        let plain = encoding.is_none()
            && !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let mut key = Cow::Borrowed(raw);
        if !plain {
            key = Cow::Borrowed("");
            Raw::new_unchecked(raw, encoding, span).decode_key(&mut key, error);
        }
        match &mut self.header_keys {
            Some(open) => open.keys.push(key),
            None if self.key.is_none() && self.array.is_none() => self.key = Some(key),
            None => self.give_up(),
        }
    }
    fn key_sep(&mut self, _: toml_parser::Span, _: &mut dyn ErrorSink) {
        // `a.b = 1` is a dotted key; only a header's keys may be dotted here.
        if self.header_keys.is_none() {
            self.give_up();
        }
    }
    fn scalar(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        error: &mut dyn ErrorSink,
    ) {
        let Some(raw) = self.text.get(span.start()..span.end()) else {
            return self.give_up();
        };
        if let Some(plain) = plain_basic_string(raw, encoding) {
            return self.value(Sp::new(Value::Str(Cow::Borrowed(plain)), span_of(span)));
        }
        let raw = Raw::new_unchecked(raw, encoding, span);
        let mut decoded = Cow::Borrowed("");
        let value = match raw.decode_scalar(&mut decoded, error) {
            ScalarKind::String => Value::Str(decoded),
            ScalarKind::Integer(radix) => match i64::from_str_radix(&decoded, radix.value()) {
                Ok(n) => Value::Integer(n),
                Err(_) => return self.give_up(),
            },
            ScalarKind::Float => match decoded.replace('_', "").parse::<f64>() {
                Ok(f) => Value::Float(f),
                Err(_) => return self.give_up(),
            },
            ScalarKind::DateTime => match decoded.parse::<toml::value::Datetime>() {
                Ok(d) if d.date.is_some() && d.time.is_none() => Value::Date(d.to_string()),
                Ok(_) => Value::Other,
                Err(_) => return self.give_up(),
            },
            ScalarKind::Boolean(_) => Value::Other,
        };
        self.value(Sp::new(value, span_of(span)));
    }
    fn error(&mut self, _: toml_parser::Span, _: &mut dyn ErrorSink) {
        self.give_up();
    }
}

/// One table's entries, read into the model: every key known, every required one present,
/// every value of its type — or nothing.
struct Entries<'i> {
    entries: Vec<(Cow<'i, str>, Sp<Value<'i>>)>,
    header: Span,
}

impl<'i> Entries<'i> {
    /// Every key of the table is one of `known`.
    fn only(&self, known: &[&str]) -> Option<()> {
        self.entries
            .iter()
            .all(|(k, _)| known.contains(&&**k))
            .then_some(())
    }

    fn get(&self, key: &str) -> Option<&Sp<Value<'i>>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `Some(None)` when absent, `None` when present but not a string.
    fn string(&self, key: &str) -> Option<Option<Sp<Text<'i>>>> {
        match self.get(key) {
            None => Some(None),
            Some(Sp {
                value: Value::Str(s),
                span,
            }) => Some(Some(Sp::new(s.clone(), *span))),
            Some(_) => None,
        }
    }

    /// A required string, not blank.
    fn required(&self, key: &str) -> Option<Sp<Text<'i>>> {
        self.string(key)?.filter(|s| !s.value.trim().is_empty())
    }

    fn keyword<K>(&self, key: &str, parse: impl Fn(&str) -> Option<K>) -> Option<Option<Sp<K>>> {
        match self.string(key)? {
            None => Some(None),
            Some(s) => parse(&s.value).map(|k| Some(Sp::new(k, s.span))),
        }
    }

    /// An array of strings: the strings and the array's span (`None` when absent).
    fn strings<S>(
        &self,
        key: &str,
        convert: impl Fn(&Cow<'i, str>) -> S,
    ) -> Option<(Vec<Sp<S>>, Option<Span>)> {
        let Some(value) = self.get(key) else {
            return Some((Vec::new(), None));
        };
        let Value::Array(elements) = &value.value else {
            return None;
        };
        let mut names = Vec::with_capacity(elements.len());
        for element in elements {
            let Value::Str(s) = &element.value else {
                return None;
            };
            names.push(Sp::new(convert(s), element.span));
        }
        Some((names, Some(value.span)))
    }

    fn units(&self, key: &str) -> Option<Units> {
        let (names, span) = self.strings(key, |s| UnitName::from(&**s))?;
        Some(Units { names, span })
    }

    fn integer(&self, key: &str) -> Option<Option<Sp<i64>>> {
        match self.get(key) {
            None => Some(None),
            Some(Sp {
                value: Value::Integer(n),
                span,
            }) => Some(Some(Sp::new(*n, *span))),
            Some(_) => None,
        }
    }

    fn number(&self, key: &str) -> Option<Option<Sp<f64>>> {
        let (n, span) = match self.get(key) {
            None => return Some(None),
            Some(Sp {
                value: Value::Integer(n),
                span,
            }) => (*n as f64, *span),
            Some(Sp {
                value: Value::Float(f),
                span,
            }) => (*f, *span),
            Some(_) => return None,
        };
        n.is_finite().then(|| Some(Sp::new(n, span)))
    }

    fn date(&self, key: &str) -> Option<Option<Sp<Text<'static>>>> {
        match self.get(key) {
            None => Some(None),
            Some(Sp {
                value: Value::Date(d),
                span,
            }) => Some(Some(Sp::new(Text::Owned(d.clone()), *span))),
            Some(_) => None,
        }
    }

    fn period(&self) -> Option<Sp<(i64, i64)>> {
        let value = self.get("period")?;
        let Value::Array(years) = &value.value else {
            return None;
        };
        let [first, last] = years.as_slice() else {
            return None;
        };
        let (Value::Integer(first), Value::Integer(last)) = (&first.value, &last.value) else {
            return None;
        };
        (PLAUSIBLE_YEARS.contains(first) && PLAUSIBLE_YEARS.contains(last) && first <= last)
            .then(|| Sp::new((*first, *last), value.span))
    }

    fn meta(&self) -> Option<Meta<'i>> {
        self.only(load::META_KEYS)?;
        let (region, _) = self.strings("region", Cow::clone)?;
        let (basis, basis_span) = self.strings("basis", Cow::clone)?;
        Some(Meta {
            span: self.header,
            title: self.required("title")?,
            kind: self.keyword("kind", PlanKind::parse)??,
            level: self.keyword("level", Level::parse)??,
            region,
            issuer: self.string("issuer")?,
            number: self.string("number")?,
            issued: self.date("issued")?,
            period: self.period()?,
            basis,
            basis_span,
        })
    }

    fn target(&self) -> Option<Target<'i>> {
        self.only(load::TARGET_KEYS)?;
        let written_relation = self.keyword("relation", Relation::parse)?;
        let explicit_relation = written_relation.is_some();
        let per = self.keyword("per", |w| (w == "year").then_some(()))?;
        let mut target = Target {
            span: self.header,
            indicator: self.required("indicator")?,
            relation: written_relation.unwrap_or(Sp::new(Relation::AtLeast, self.header)),
            bound: self.string("bound")?,
            value: self.number("value")?,
            unit: self.string("unit")?,
            year: self.integer("year")?,
            per: per.map(|p| Sp::new("year".into(), p.span)),
            hedge: self.string("hedge")?,
            text: self.string("text")?,
        };
        crate::quantity::complete_from_text(&mut target, explicit_relation);
        Some(target)
    }

    fn section(&self, kind: SectionKind) -> Option<Section<'i>> {
        // Measures and targets arrive as tables of their own (`[[actions.measures]]`).
        self.only(if kind == SectionKind::Safeguard {
            load::SAFEGUARD_KEYS
        } else {
            load::SECTION_KEYS
        })?;
        if self.get("measures").is_some() || self.get("targets").is_some() {
            return None;
        }
        Some(Section {
            kind,
            span: self.header,
            name: self.required("name")?,
            text: self.string("text")?,
            lead: self.units("lead")?,
            partners: self.units("partners")?,
            measures: Vec::new(),
            targets: Vec::new(),
        })
    }

    fn measure(&self) -> Option<Measure<'i>> {
        self.only(load::MEASURE_KEYS)?;
        if self.get("targets").is_some() {
            return None;
        }
        Some(Measure {
            span: self.header,
            title: self.required("title")?,
            text: self.string("text")?,
            lead: self.units("lead")?,
            partners: self.units("partners")?,
            deadline: self.string("deadline")?,
            targets: Vec::new(),
        })
    }
}

/// Years a plan's period may name; the loader says so of any other.
pub(super) const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i64> = 1949..=2100;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use proptest::prelude::*;

    /// Every plan file of the repository: fixtures, pack tests, the example, the fuzz corpus.
    fn repository_plans() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        let mut folders = vec![
            root.join("tests"),
            root.join("rules"),
            root.join("examples"),
            root.join("fuzz"),
        ];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.to_string_lossy().ends_with(".plan.toml") {
                    let bytes = std::fs::read(&path).expect("readable");
                    if let Ok(text) = String::from_utf8(bytes) {
                        found.push((path.display().to_string(), text));
                    }
                }
            }
        }
        found.sort();
        found
    }

    /// Reads `text` both ways. What the direct reader reads, the loader must read without a
    /// word, to the same model. Returns (read directly, the loader read it without a word).
    fn both_ways(name: &str, text: &str) -> (bool, bool) {
        let file = SourceFile::new(name, text);
        let tree = load::load_tree(&file);
        let clean = tree.plan.is_some() && tree.diagnostics.is_empty();
        let Some(plan) = read(&file.text) else {
            return (false, clean);
        };
        assert!(
            tree.diagnostics.is_empty(),
            "{name}: read directly, but the loader says {:?}",
            tree.diagnostics
        );
        assert_eq!(
            tree.plan.as_ref(),
            Some(&plan),
            "{name}: the two readers differ"
        );
        (true, clean)
    }

    #[test]
    fn every_sound_plan_of_the_repository_is_read_directly_to_the_loaders_model() {
        let plans = repository_plans();
        assert!(plans.len() >= 40, "only {} plans found", plans.len());
        let mut direct = 0;
        for (name, text) in &plans {
            let (read, clean) = both_ways(name, text);
            // A plan the loader reads without a word is read directly too: else the direct
            // reader would be a slow path nobody notices.
            assert_eq!(
                read, clean,
                "{name}: the loader reads it cleanly, the direct reader gives up"
            );
            direct += usize::from(read);
        }
        assert!(direct >= 30, "only {direct} plans read directly");
    }

    const BASES: &[&str] = &[
        include_str!("../../tests/fixtures/plans/changzhi-city-2021-2025.plan.toml"),
        include_str!("../../tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
        include_str!("../../tests/fixtures/plans/pingdingshan-city-2017.plan.toml"),
        include_str!("../../tests/fixtures/plans/tangshan-city-2023.plan.toml"),
    ];

    /// Values of every type and form TOML has, for any key.
    const VALUES: &[&str] = &[
        "1",
        "-3",
        "0x10",
        "1_000",
        "99999999999999999999",
        "2.5",
        "1e400",
        "nan",
        "inf",
        "true",
        "\"x\"",
        "\"\"",
        "\"  \"",
        "\"a\\nb\"",
        "'literal'",
        "\"\"\"\nmulti\"\"\"",
        "\"\\u4e2d\"",
        "[]",
        "[1, 2]",
        "[2021, 2025]",
        "[2025, 2021]",
        "[1900, 2025]",
        "[2021]",
        "[\"a\", \"b\"]",
        "[\"a\", 1]",
        "[[\"a\"]]",
        "{ a = 1 }",
        "1979-05-27",
        "1979-05-27T07:32:00",
        "07:32:00",
        "\"implementation\"",
        "\"work-points\"",
        "\"city\"",
        "\"above\"",
        "\"year\"",
        "[\n  \"a\",\n  \"b\",\n]",
        "\"x\" # a note",
        "[\"a\", # a note\n \"b\"]",
        "[2021,\n2025]",
        "\"x\" \"y\"",
        "\"\u{3000}\"",
        "\"tab\tin\"",
        "\"del\u{7f}\"",
        "\"bell\u{7}\"",
        "\"back\\\\slash\"",
    ];

    /// Keys of the format, near misses, quoted and dotted keys.
    const KEYS: &[&str] = &[
        "name",
        "title",
        "text",
        "lead",
        "partners",
        "measures",
        "targets",
        "kind",
        "level",
        "period",
        "region",
        "basis",
        "issued",
        "issuer",
        "number",
        "indicator",
        "relation",
        "value",
        "unit",
        "year",
        "per",
        "bound",
        "hedge",
        "deadline",
        "nmae",
        "\"name\"",
        "a.b",
        "plan",
    ];

    const HEADERS: &[&str] = &[
        "[plan]",
        "[[plan]]",
        "[plan.x]",
        "[[targets]]",
        "[targets]",
        "[[actions]]",
        "[actions]",
        "[[projects]]",
        "[[safeguards]]",
        "[[actions.measures]]",
        "[[projects.measures]]",
        "[[safeguards.measures]]",
        "[[actions.targets]]",
        "[[actions.measures.targets]]",
        "[actions.measures]",
        "[[other]]",
        "[\"plan\"]",
        "[[ actions ]]",
        "# a comment",
        "",
        "key = ",
        "[",
    ];

    /// One change to a plan file's lines.
    #[derive(Clone, Debug)]
    enum Edit {
        Delete(usize),
        Duplicate(usize),
        Value(usize, usize),
        Key(usize, usize),
        Insert(usize, usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            any::<usize>().prop_map(Edit::Delete),
            any::<usize>().prop_map(Edit::Duplicate),
            (any::<usize>(), 0..VALUES.len()).prop_map(|(l, v)| Edit::Value(l, v)),
            (any::<usize>(), 0..KEYS.len()).prop_map(|(l, k)| Edit::Key(l, k)),
            (any::<usize>(), 0..HEADERS.len()).prop_map(|(l, h)| Edit::Insert(l, h)),
        ]
    }

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for edit in edits {
            if lines.is_empty() {
                break;
            }
            let at = |l: &usize| l % lines.len();
            match edit {
                Edit::Delete(l) => {
                    lines.remove(at(l));
                }
                Edit::Duplicate(l) => {
                    let line = lines[at(l)].clone();
                    lines.insert(at(l), line);
                }
                Edit::Value(l, v) => {
                    let i = at(l);
                    if let Some((key, _)) = lines[i].split_once(" = ") {
                        lines[i] = format!("{key} = {}", VALUES[*v]);
                    }
                }
                Edit::Key(l, k) => {
                    let i = at(l);
                    if let Some((_, value)) = lines[i].split_once(" = ") {
                        lines[i] = format!("{} = {value}", KEYS[*k]);
                    }
                }
                Edit::Insert(l, h) => {
                    let i = at(l);
                    lines.insert(i, HEADERS[*h].to_owned());
                }
            }
        }
        lines.join("\n")
    }

    proptest! {
        // A failing case is shrunk and shown; it is then kept as a test of its own below, as
        // the empty header was.
        #![proptest_config(ProptestConfig {
            cases: 1000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]
        /// Whatever a file says, the direct reader reads it as the loader does or not at all.
        #[test]
        fn an_edited_plan_is_read_as_the_loader_reads_it_or_left_to_it(
            base in 0..BASES.len(),
            edits in proptest::collection::vec(edit(), 1..4),
        ) {
            let text = apply(BASES[base], &edits);
            both_ways("edited.plan.toml", &text);
        }
    }

    #[test]
    fn edits_that_keep_a_plan_sound_are_read_directly_and_others_are_not() {
        // The property above is only worth its cases if some edited files are read directly
        // and some are left to the loader.
        let base = BASES[1];
        // (case, text, read directly): read directly or not, the two readers agree.
        let cases = [
            ("renamed", base.replacen("name = ", "nmae = ", 1), false),
            ("commented", format!("# 孟津区\n{base}"), true),
            (
                "inline",
                base.replacen("[plan]", "plan = { title = \"x\" }\n[plan2]", 1),
                false,
            ),
            // An empty header: toml_parser accepts the token, the key decoder does not.
            (
                "empty header",
                base.replacen("[plan]", "[\n[plan]", 1),
                false,
            ),
            // A character TOML forbids in a string is refused as the loader refuses it; an
            // escape is read to the same text.
            (
                "forbidden",
                base.replacen("title = \"", "title = \"\u{7f}", 1),
                false,
            ),
            (
                "escaped",
                base.replacen("title = \"", "title = \"\\u5b5f", 1),
                true,
            ),
            ("quoted", base.replacen("title = ", "\"title\" = ", 1), true),
            (
                "dotted",
                base.replacen("title = ", "plan.title = ", 1),
                false,
            ),
        ];
        for (case, text, direct) in &cases {
            assert_eq!(both_ways(case, text), (*direct, *direct), "{case}");
        }
    }
}
