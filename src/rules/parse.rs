//! Pack text → `PackFile`, via the pest grammar in `grammar/rules.pest`.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use super::ast::*;
use crate::diagnostic::{Finding, Severity};
use crate::plan::{Level, PlanKind, Relation, SectionKind, Sp};
use crate::source::Span;

#[derive(Parser)]
#[grammar = "grammar/rules.pest"]
struct RulesParser;

/// Brackets nested deeper than this are refused before parsing: no sensible rule needs them,
/// and the recursive descent would otherwise exhaust the stack on hostile input.
const MAX_NESTING: usize = 32;

type Result<T> = std::result::Result<T, Box<Finding>>;

fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> Box<Finding> {
    Box::new(Finding::input_error("rules/invalid", message, span, label))
}

/// Keyword tokens carry no information once the grammar has matched them; the few that do
/// (a section kind, `not`, an operator, a relation) are kept.
fn meaningful(pair: &Pair<'_, Rule>) -> bool {
    !matches!(
        pair.as_rule(),
        Rule::kw_title
            | Rule::kw_document
            | Rule::kw_period
            | Rule::kw_to
            | Rule::kw_levels
            | Rule::kw_kinds
            | Rule::kw_extends
            | Rule::kw_region
            | Rule::kw_ignore
            | Rule::kw_alias
            | Rule::kw_rule
            | Rule::kw_override
            | Rule::kw_drop
            | Rule::kw_because
            | Rule::kw_severity
            | Rule::kw_clause
            | Rule::kw_message
            | Rule::kw_help
            | Rule::kw_explain
            | Rule::kw_when
            | Rule::kw_binding
            | Rule::kw_path
            | Rule::kw_goal
            | Rule::kw_reached
            | Rule::kw_from
            | Rule::kw_on
            | Rule::kw_expect
            | Rule::kw_lead
            | Rule::kw_of
            | Rule::kw_matching
            | Rule::kw_target
            | Rule::kw_in
            | Rule::kw_by
            | Rule::kw_each
            | Rule::kw_where
            | Rule::kw_unique
            | Rule::kw_names
            | Rule::kw_among
            | Rule::kw_or
            | Rule::kw_and
            | Rule::kw_has
            | Rule::kw_some
            | Rule::kw_basis
            | Rule::kw_within
            | Rule::kw_consistent
            | Rule::kw_units
            | Rule::kw_abstract
            | Rule::kw_cited_as
            | Rule::kw_means
            | Rule::kw_except
            | Rule::kw_obsolete
            | Rule::kw_current
            | Rule::kw_issued
            | Rule::kw_supersedes
            | Rule::kw_unknown
            | Rule::kw_stated
            | Rule::kw_province
    )
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Parse one pack file.
pub fn parse_pack(text: &str) -> Result<PackFile> {
    check_nesting(text)?;
    let mut pairs = RulesParser::parse(Rule::file, text).map_err(syntax_error)?;
    let file = pairs.next().expect("the file rule always yields one pair");
    let mut inner = file.into_inner().filter(meaningful);
    let header = header(inner.next().expect("grammar: file starts with a header"))?;
    let mut pack = PackFile {
        header,
        names: Vec::new(),
        rules: Vec::new(),
        overrides: Vec::new(),
        drops: Vec::new(),
        paths: Vec::new(),
    };
    for item in inner {
        match item.as_rule() {
            Rule::name_decl => pack.names.push(name_decl(item)?),
            Rule::rule_def => pack.rules.push(rule_def(item, false)?),
            Rule::override_def => pack.overrides.push(rule_def(item, true)?),
            Rule::drop_def => {
                let mut parts = item.into_inner().filter(meaningful);
                let rule = parts.next().expect("grammar: drop names a rule");
                let reason = parts.next().expect("grammar: drop has a reason");
                pack.drops.push(DropDef {
                    rule: Sp::new(rule.as_str().to_owned(), span_of(&rule)),
                    reason: string(reason),
                });
            }
            Rule::path_decl => pack.paths.push(path_decl(item)?),
            Rule::EOI => {}
            other => unreachable!("grammar: unexpected item {other:?}"),
        }
    }
    Ok(pack)
}

fn check_nesting(text: &str) -> Result<()> {
    let (mut depth, mut in_string, mut in_comment, mut escaped) = (0usize, false, false, false);
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else {
            match c {
                '#' => in_comment = true,
                '"' => in_string = true,
                '(' | '[' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(error(
                            Span::new(i, i + 1),
                            format!("brackets nested more than {MAX_NESTING} deep"),
                            "too deeply nested",
                        ));
                    }
                }
                ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

fn syntax_error(e: pest::error::Error<Rule>) -> Box<Finding> {
    let span = match e.location {
        pest::error::InputLocation::Pos(p) => Span::new(p, p),
        pest::error::InputLocation::Span((s, e)) => Span::new(s, e),
    };
    let detail = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut expected: Vec<&str> = Vec::new();
            for rule in positives {
                let name = readable(rule);
                if !expected.contains(&name) {
                    expected.push(name);
                }
            }
            format!("expected {}", expected.join(" or "))
        }
        other => other.message().to_string(),
    };
    Box::new(Finding::input_error(
        "rules/syntax",
        format!("rule pack syntax error: {detail}"),
        span,
        detail,
    ))
}

/// Names of grammar rules as a pack author knows them, for "expected …" messages.
fn readable(rule: &Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::pack_header => "`pack <id> { … }`",
        Rule::string | Rule::string_list => "a quoted string",
        Rule::integer => "a year",
        Rule::number => "a number",
        Rule::ident | Rule::word => "a name",
        Rule::pack_id => "a pack id",
        Rule::rule_ref => "a rule id such as `national-2021/youth-action`",
        Rule::name_decl | Rule::rule_def | Rule::override_def | Rule::drop_def => {
            "`action`, `project`, `safeguard`, `indicator`, `unit`, `rule`, `override` or `drop`"
        }
        Rule::severity_field
        | Rule::clause_field
        | Rule::message_field
        | Rule::help_field
        | Rule::explain_field
        | Rule::when_field
        | Rule::binding_field
        | Rule::expect_field => "a rule field (severity, clause, message, help, explain, when, expect, binding) or `}`",
        Rule::title_field
        | Rule::document_field
        | Rule::period_field
        | Rule::levels_field
        | Rule::kinds_field
        | Rule::extends_field
        | Rule::region_field
        | Rule::ignore_field
        | Rule::abstract_field
        | Rule::cited_as_field
        | Rule::issued_field
        | Rule::supersedes_field
        | Rule::unknown_field => {
            "a header field (title, document, cited-as, period, levels, kinds, extends, region, ignore, abstract) or `}`"
        }
        Rule::expect_present
        | Rule::expect_lead
        | Rule::expect_target_in
        | Rule::expect_target
        | Rule::expect_each
        | Rule::expect_unique
        | Rule::expect_some
        | Rule::expect_basis
        | Rule::expect_period
        | Rule::expect_units
        | Rule::expect_current
        | Rule::expect_stated
        | Rule::expect_province => {
            "an expectation (action/project/safeguard NAME, lead of, target, each, some, unique, basis, period within, consistent units, current units)"
        }
        Rule::basis_check => {
            "`cited`, `known`, `standard`, `numbered`, `complete`, `foreign` or `superseded \"…\"`"
        }
        Rule::bound | Rule::relation => "a bound such as `above 15 \"%\"`",
        Rule::expr | Rule::conjunction | Rule::negation | Rule::comparison | Rule::has_test => "an expression",
        Rule::cmp_op => "a comparison (==, !=, <, <=, >, >=, contains, in)",
        Rule::path => "a field such as `year` or `plan.period.end`",
        Rule::list => "a list",
        Rule::collections => "a collection (action, project, safeguard, measure, target)",
        _ => "more input",
    }
}

/// A string literal's content: escapes resolved; continuation lines stripped of indentation.
fn string(pair: Pair<'_, Rule>) -> String {
    let raw = pair
        .into_inner()
        .find(meaningful)
        .map(|p| p.as_str())
        .unwrap_or("");
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    if out.contains('\n') {
        out.lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    } else {
        out
    }
}

fn strings(pair: Pair<'_, Rule>) -> Vec<String> {
    pair.into_inner().filter(meaningful).map(string).collect()
}

fn integer(pair: &Pair<'_, Rule>) -> Result<i64> {
    pair.as_str()
        .parse()
        .map_err(|_| error(span_of(pair), "number out of range", "too large"))
}

fn header(pair: Pair<'_, Rule>) -> Result<PackHeader> {
    let header_span = span_of(&pair);
    let mut inner = pair.into_inner().filter(meaningful);
    let id = inner.next().expect("grammar: pack has an id");
    let mut title = None;
    let mut documents = Vec::new();
    let mut is_abstract = false;
    let mut period = None;
    let mut levels = Vec::new();
    let mut kinds = Vec::new();
    let mut extends = None;
    let mut region = None;
    let mut ignore = Vec::new();
    let mut cited_as = Vec::new();
    let mut issued = None;
    let mut supersedes = None;
    let mut unknown = Vec::new();
    let mut seen: Vec<Rule> = Vec::new();
    for field in inner {
        let rule = field.as_rule();
        if seen.contains(&rule) {
            return Err(error(
                span_of(&field),
                "header field given twice",
                "repeated here",
            ));
        }
        seen.push(rule);
        let span = span_of(&field);
        let mut parts = field.into_inner().filter(meaningful);
        match rule {
            Rule::title_field => title = parts.next().map(string),
            Rule::document_field => documents = parts.next().map(strings).unwrap_or_default(),
            Rule::abstract_field => is_abstract = true,
            Rule::period_field => {
                let first = parts.next().expect("grammar: period has two years");
                let last = parts.next().expect("grammar: period has two years");
                let (a, b) = (integer(&first)?, integer(&last)?);
                if a > b {
                    return Err(error(
                        span,
                        "period runs backwards",
                        "first year after last",
                    ));
                }
                period = Some((a, b));
            }
            Rule::levels_field => {
                for word in parts {
                    levels.push(Level::parse(word.as_str()).ok_or_else(|| {
                        error(
                            span_of(&word),
                            "unknown level",
                            "expected province, city or district",
                        )
                    })?);
                }
            }
            Rule::kinds_field => {
                for word in parts {
                    kinds.push(PlanKind::parse(word.as_str()).ok_or_else(|| {
                        error(
                            span_of(&word),
                            "unknown plan kind",
                            "expected implementation or work-points",
                        )
                    })?);
                }
            }
            Rule::extends_field => {
                let p = parts.next().expect("grammar: extends names a pack");
                extends = Some(Sp::new(p.as_str().to_owned(), span_of(&p)));
            }
            Rule::region_field => region = parts.next().map(string),
            Rule::ignore_field => ignore = parts.next().map(strings).unwrap_or_default(),
            Rule::cited_as_field => cited_as = parts.next().map(strings).unwrap_or_default(),
            Rule::issued_field => {
                let date = parts.next().expect("grammar: issued has a date");
                let text = string(date.clone());
                if !is_date(&text) {
                    return Err(error(
                        span_of(&date),
                        "`issued` is not a date",
                        "expected a date such as \"2021-12-04\"",
                    ));
                }
                issued = Some(text);
            }
            Rule::supersedes_field => {
                let p = parts.next().expect("grammar: supersedes names a pack");
                supersedes = Some(Sp::new(p.as_str().to_owned(), span_of(&p)));
            }
            Rule::unknown_field => unknown = parts.next().map(strings).unwrap_or_default(),
            other => unreachable!("grammar: unexpected header field {other:?}"),
        }
    }
    let missing = |what: &str| {
        error(
            header_span,
            format!("pack header lacks `{what}`"),
            format!("add `{what}` here"),
        )
    };
    Ok(PackHeader {
        id: Sp::new(id.as_str().to_owned(), span_of(&id)),
        title: title.ok_or_else(|| missing("title"))?,
        // A pack encodes a document known by its number or, where the number was never found,
        // by its title alone (then `cited-as` says how plans cite it).
        documents,
        is_abstract,
        // An abstract pack is never applied, so it needs no period of its own.
        period: match period {
            Some(p) => p,
            None if is_abstract => (i64::MIN, i64::MAX),
            None => return Err(missing("period")),
        },
        levels,
        kinds,
        extends,
        region,
        ignore,
        cited_as,
        issued,
        supersedes,
        unknown,
    })
}

/// `YYYY-MM-DD`, with a month and day that exist in some year.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y, m, d] => {
            number(y, 4).is_some()
                && number(m, 2).is_some_and(|m| (1..=12).contains(&m))
                && number(d, 2).is_some_and(|d| (1..=31).contains(&d))
        }
        _ => false,
    }
}

fn name_kind(pair: &Pair<'_, Rule>) -> NameKind {
    let word = pair.as_str().trim();
    match word {
        "indicator" => NameKind::Indicator,
        "unit" => NameKind::Unit,
        other => NameKind::Section(SectionKind::parse(other).expect("grammar: section kinds")),
    }
}

fn name_decl(pair: Pair<'_, Rule>) -> Result<NameDecl> {
    let mut parts = pair.into_inner().filter(meaningful);
    let kind = name_kind(&parts.next().expect("grammar: kind"));
    let key = parts.next().expect("grammar: key");
    let canonical = string(parts.next().expect("grammar: canonical name"));
    let mut decl = NameDecl {
        kind,
        key: Sp::new(key.as_str().to_owned(), span_of(&key)),
        canonical,
        aliases: Vec::new(),
        concept: Concept::default(),
        obsolete: Vec::new(),
    };
    for part in parts {
        match part.as_rule() {
            Rule::string_list => decl.aliases = strings(part),
            Rule::obsolete_clause => {
                let list = part.into_inner().find(meaningful).expect("grammar: list");
                decl.obsolete = strings(list);
            }
            Rule::means_clause => {
                let terms = part
                    .into_inner()
                    .filter(meaningful)
                    .map(|term| term.into_inner().filter(meaningful).map(string).collect())
                    .collect();
                decl.concept.means.push(terms);
            }
            Rule::except_clause => {
                let list = part.into_inner().find(meaningful).expect("grammar: list");
                decl.concept.except = strings(list);
            }
            other => unreachable!("grammar: unexpected {other:?} in a name"),
        }
    }
    if !decl.obsolete.is_empty() && decl.kind != NameKind::Unit {
        return Err(error(
            decl.key.span,
            "`obsolete` names belong to units only",
            "not a `unit`",
        ));
    }
    Ok(decl)
}

/// `path literacy { goal 2025 above 15 "%" from "…"  reached 2025 16.74 "%" from "…" }`.
fn path_decl(item: Pair<'_, Rule>) -> Result<IndicatorPath> {
    let mut parts = item.into_inner().filter(meaningful);
    let indicator = key(parts.next().expect("grammar: path names an indicator"));
    let mut points = Vec::new();
    for point in parts {
        let is_goal = point.as_rule() == Rule::path_goal;
        let mut p = point.into_inner().filter(meaningful);
        let year = integer(&p.next().expect("grammar: a point has a year"))?;
        let goal = if is_goal {
            let relation = p.next().expect("grammar: a goal has a relation");
            Some(Relation::parse(relation.as_str().trim()).expect("grammar: relations"))
        } else {
            None
        };
        let number = p.next().expect("grammar: a point has a value");
        let value = number
            .as_str()
            .parse()
            .map_err(|_| error(span_of(&number), "bad number", "not a number"))?;
        let unit = string(p.next().expect("grammar: a point has a unit"));
        let source = string(p.next().expect("grammar: a point has a source"));
        points.push(PathPoint {
            year,
            goal,
            value,
            unit,
            source,
        });
    }
    points.sort_by_key(|p| p.year);
    Ok(IndicatorPath { indicator, points })
}

fn rule_def(pair: Pair<'_, Rule>, is_override: bool) -> Result<RuleDef> {
    let rule_span = span_of(&pair);
    let mut parts = pair.into_inner().filter(meaningful);
    let name = parts.next().expect("grammar: rule name");
    let mut def = RuleDef {
        name: Sp::new(name.as_str().to_owned(), span_of(&name)),
        severity: None,
        clause: None,
        message: None,
        help: None,
        explain: None,
        when: None,
        expect: None,
        binding: None,
    };
    let mut seen: Vec<Rule> = Vec::new();
    for field in parts {
        let rule = field.as_rule();
        if seen.contains(&rule) {
            return Err(error(
                span_of(&field),
                "rule field given twice",
                "repeated here",
            ));
        }
        seen.push(rule);
        let mut inner = field.into_inner().filter(meaningful);
        let value = inner.next().expect("grammar: every field has a value");
        match rule {
            Rule::severity_field => {
                let severity = Severity::parse(value.as_str()).ok_or_else(|| {
                    error(
                        span_of(&value),
                        "unknown severity",
                        "expected error, warning or info",
                    )
                })?;
                def.severity = Some(Sp::new(severity, span_of(&value)));
            }
            Rule::clause_field => def.clause = Some(string(value)),
            Rule::message_field => def.message = Some(string(value)),
            Rule::help_field => def.help = Some(string(value)),
            Rule::explain_field => def.explain = Some(string(value)),
            Rule::when_field => def.when = Some(expr(value)?),
            Rule::binding_field => {
                let end = inner.next().expect("grammar: binding has two years");
                let (first, last) = (integer(&value)?, integer(&end)?);
                if first > last {
                    return Err(error(
                        span_of(&end),
                        "binding years run backwards",
                        format!("expected a year from {first} on"),
                    ));
                }
                def.binding = Some((first, last));
            }
            Rule::expect_field => {
                let span = span_of(&value);
                def.expect = Some(Sp::new(expectation(value)?, span));
            }
            other => unreachable!("grammar: unexpected rule field {other:?}"),
        }
    }
    if !is_override {
        for (present, what) in [
            (def.severity.is_some(), "severity"),
            (def.message.is_some(), "message"),
            (def.expect.is_some(), "expect"),
        ] {
            if !present {
                return Err(error(
                    rule_span,
                    format!("rule `{}` lacks `{what}`", def.name.value),
                    format!("add `{what}`"),
                ));
            }
        }
    }
    Ok(def)
}

fn key(pair: Pair<'_, Rule>) -> Sp<String> {
    Sp::new(pair.as_str().to_owned(), span_of(&pair))
}

fn expectation(pair: Pair<'_, Rule>) -> Result<Expect> {
    let rule = pair.as_rule();
    let mut parts = pair.into_inner().filter(meaningful);
    Ok(match rule {
        Rule::expect_present => {
            let kind_pair = parts.next().expect("grammar: kind");
            let name = key(parts.next().expect("grammar: name"));
            match name_kind(&kind_pair) {
                NameKind::Section(kind) => Expect::Present { kind, name },
                other => {
                    return Err(error(
                        span_of(&kind_pair),
                        format!("`expect {}` is not a requirement", other.word()),
                        "expected action, project or safeguard",
                    ))
                }
            }
        }
        Rule::expect_lead => Expect::Lead {
            name: key(parts.next().expect("grammar: name")),
            patterns: parts.next().map(strings).unwrap_or_default(),
        },
        Rule::expect_target_in => Expect::TargetIn {
            name: key(parts.next().expect("grammar: name")),
        },
        Rule::expect_target => {
            let indicator = key(parts.next().expect("grammar: indicator"));
            let mut year = None;
            let mut bound = None;
            let mut at_end = false;
            for part in parts {
                match part.as_rule() {
                    Rule::integer => year = Some(integer(&part)?),
                    Rule::kw_end => at_end = true,
                    Rule::bound => {
                        let mut b = part.into_inner().filter(meaningful);
                        let relation = b.next().expect("grammar: relation");
                        let relation =
                            Relation::parse(relation.as_str().trim()).expect("grammar: relations");
                        let number = b.next().expect("grammar: number");
                        let value = number
                            .as_str()
                            .parse()
                            .map_err(|_| error(span_of(&number), "bad number", "not a number"))?;
                        bound = Some(Bound {
                            relation,
                            value,
                            unit: b.next().map(string),
                        });
                    }
                    other => unreachable!("grammar: unexpected {other:?}"),
                }
            }
            Expect::Target {
                indicator,
                year,
                bound,
                at_end,
            }
        }
        Rule::expect_on_path => Expect::OnPath {
            indicator: key(parts.next().expect("grammar: indicator")),
        },
        Rule::expect_each => {
            let collections = collections(parts.next().expect("grammar: collections"))?;
            let first = expr(parts.next().expect("grammar: expression"))?;
            match parts.next() {
                Some(predicate) => Expect::Each {
                    collections,
                    filter: Some(first),
                    predicate: expr(predicate)?,
                },
                None => Expect::Each {
                    collections,
                    filter: None,
                    predicate: first,
                },
            }
        }
        Rule::expect_some => {
            let collections = collections(parts.next().expect("grammar: collections"))?;
            let first = expr(parts.next().expect("grammar: expression"))?;
            match parts.next() {
                Some(predicate) => Expect::Some {
                    collections,
                    filter: Some(first),
                    predicate: expr(predicate)?,
                },
                None => Expect::Some {
                    collections,
                    filter: None,
                    predicate: first,
                },
            }
        }
        Rule::expect_basis => {
            let check = parts.next().expect("grammar: basis check");
            let word = check.as_str().split_whitespace().next().unwrap_or("");
            Expect::Basis(match word {
                "cited" => BasisCheck::Cited,
                "known" => BasisCheck::Known,
                "numbered" => BasisCheck::Numbered,
                "complete" => BasisCheck::Complete,
                "foreign" => BasisCheck::Foreign,
                "current" => BasisCheck::Current,
                "expired" => BasisCheck::Expired,
                "superseded" => BasisCheck::Superseded(
                    check
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::string_list)
                        .map(strings)
                        .unwrap_or_default(),
                ),
                _ => BasisCheck::Standard,
            })
        }
        Rule::expect_period => Expect::PeriodWithin,
        Rule::expect_units => Expect::ConsistentUnits,
        Rule::expect_current => Expect::CurrentUnits,
        Rule::expect_stated => Expect::Stated {
            name: key(parts.next().expect("grammar: name")),
            within: parts.next().map(key),
        },
        Rule::expect_province => Expect::ProvinceKnown,
        Rule::expect_unique => Expect::Unique {
            collections: collections(parts.next().expect("grammar: collections"))?,
        },
        other => unreachable!("grammar: unexpected expectation {other:?}"),
    })
}

fn collections(pair: Pair<'_, Rule>) -> Result<Vec<Collection>> {
    pair.into_inner()
        .filter(meaningful)
        .map(|word| {
            Collection::parse(word.as_str()).ok_or_else(|| {
                error(
                    span_of(&word),
                    "unknown collection",
                    format!("expected one of {}", Collection::WORDS.join(", ")),
                )
            })
        })
        .collect()
}

fn expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    match pair.as_rule() {
        Rule::expr => {
            let mut items = pair
                .into_inner()
                .filter(meaningful)
                .map(expr)
                .collect::<Result<Vec<_>>>()?;
            Ok(if items.len() == 1 {
                items.pop().expect("one item")
            } else {
                Expr::Or(items)
            })
        }
        Rule::conjunction => {
            let mut items = pair
                .into_inner()
                .filter(meaningful)
                .map(expr)
                .collect::<Result<Vec<_>>>()?;
            Ok(if items.len() == 1 {
                items.pop().expect("one item")
            } else {
                Expr::And(items)
            })
        }
        Rule::negation => {
            let mut nots = 0;
            let mut test = None;
            for part in pair.into_inner().filter(meaningful) {
                if part.as_rule() == Rule::kw_not {
                    nots += 1;
                } else {
                    test = Some(expr(part)?);
                }
            }
            let test = test.expect("grammar: negation ends in a test");
            Ok(if nots % 2 == 1 {
                Expr::Not(Box::new(test))
            } else {
                test
            })
        }
        Rule::has_test => Ok(Expr::Has(field(
            pair.into_inner().find(meaningful).expect("grammar: path"),
        )?)),
        Rule::comparison => {
            let mut parts = pair.into_inner().filter(meaningful);
            let left = expr(parts.next().expect("grammar: operand"))?;
            match parts.next() {
                None => Ok(left),
                Some(op) => {
                    let op = match op.as_str() {
                        "==" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        ">=" => CmpOp::Ge,
                        "contains" => CmpOp::Contains,
                        "in" => CmpOp::In,
                        other => unreachable!("grammar: operator {other}"),
                    };
                    let right = expr(parts.next().expect("grammar: operand"))?;
                    Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
                }
            }
        }
        Rule::number => pair
            .as_str()
            .parse()
            .map(Expr::Number)
            .map_err(|_| error(span_of(&pair), "bad number", "not a number")),
        Rule::string => Ok(Expr::Str(string(pair))),
        Rule::list => Ok(Expr::List(
            pair.into_inner()
                .filter(meaningful)
                .map(expr)
                .collect::<Result<_>>()?,
        )),
        Rule::path => Ok(Expr::Field(field(pair)?)),
        other => unreachable!("grammar: unexpected expression part {other:?}"),
    }
}

fn field(pair: Pair<'_, Rule>) -> Result<Sp<Field>> {
    let span = span_of(&pair);
    match Field::parse(pair.as_str()) {
        Some(f) => Ok(Sp::new(f, span)),
        None => {
            let known: Vec<&str> = Field::ALL.iter().map(|(p, _)| *p).collect();
            let mut e = error(
                span,
                format!("unknown field `{}`", pair.as_str()),
                "no such field",
            );
            e.help = Some(
                match crate::diagnostic::did_you_mean(pair.as_str(), &known) {
                    Some(near) => format!("did you mean `{near}`?").into(),
                    None => format!("fields: {}", known.join(", ")).into(),
                },
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "pack demo { title \"示例\" document \"示〔2021〕1号\" period 2021 to 2025 }\n";

    #[test]
    fn parses_every_expectation_form() {
        let text = format!(
            "{HEADER}action youth \"青少年科学素质提升行动\" alias \"青少年科学素质行动\"
             indicator literacy \"公民具备科学素质的比例\"
             rule a {{ severity error message \"m\" expect action youth }}
             rule b {{ severity info message \"m\" expect lead of youth matching \"教育|教体\", \"科协\" }}
             rule c {{ severity info message \"m\" expect target in youth }}
             rule d {{ severity error message \"m\" when plan.period.end >= 2025 expect target literacy by 2025 above 15 \"%\" }}
             rule e {{ severity warning message \"m\" expect each target where has year: year >= plan.period.start and not (year > plan.period.end) }}
             rule f {{ severity warning message \"m\" expect unique names among action, project }}
             drop other/x because \"理由\"
             override other/y {{ severity info }}"
        );
        let pack = parse_pack(&text).unwrap();
        assert_eq!(pack.rules.len(), 6);
        assert_eq!(pack.names[0].aliases, ["青少年科学素质行动"]);
        let Expect::Target { year, bound, .. } = &pack.rules[3].expect.as_ref().unwrap().value
        else {
            panic!("not a target expectation")
        };
        assert_eq!(*year, Some(2025));
        assert_eq!(bound.as_ref().unwrap().relation, Relation::Above);
        assert!(matches!(
            pack.rules[4].expect.as_ref().unwrap().value,
            Expect::Each {
                filter: Some(_),
                ..
            }
        ));
        assert_eq!(pack.drops[0].reason, "理由");
        assert_eq!(
            pack.overrides[0].severity.as_ref().unwrap().value,
            Severity::Info
        );
    }

    #[test]
    fn syntax_error_has_a_byte_span_after_cjk_text() {
        let text = format!("{HEADER}rule a {{ severity error message \"缺少\" expect oops }}");
        let err = parse_pack(&text).unwrap_err();
        assert_eq!(err.code, "rules/syntax");
        assert_eq!(&text[err.span.start..err.span.start + 4], "oops");
    }

    #[test]
    fn unknown_field_suggests_a_near_one() {
        let text = format!(
            "{HEADER}rule a {{ severity error message \"m\" expect each target: has yeer }}"
        );
        let err = parse_pack(&text).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `year`?"));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("{}year{}", "(".repeat(100_000), ")".repeat(100_000));
        let text =
            format!("{HEADER}rule a {{ severity error message \"m\" expect each target: {deep} }}");
        let err = parse_pack(&text).unwrap_err();
        assert!(err.message.contains("nested"));
    }

    #[test]
    fn rule_without_expect_is_an_error() {
        let text = format!("{HEADER}rule a {{ severity error message \"m\" }}");
        assert!(parse_pack(&text)
            .unwrap_err()
            .message
            .contains("lacks `expect`"));
    }
}
