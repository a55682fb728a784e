//! Tables of the division of work (重点任务分工表): a table whose header names the tasks and the
//! units that lead them (任务 / 牵头单位 / 配合单位 / 完成时限) gives the leads, partners and
//! deadlines of the actions and projects its rows belong to. A row belongs to the action or
//! project that a heading row inside the table, or a column of the table, names; failing that,
//! to the one its task names. Its task becomes the measure of that section it repeats, or a new
//! measure. The table's cells are read here only: the body's lines leave them out.

use std::ops::Range;

use super::lines::Line;
use super::text::Table;
use super::units::units_in;
use super::{compact, Vocabulary};
use crate::plan::{Measure, Plan, Section, SectionKind, Sp, UnitName, Units};
use crate::rules::normalize;
use crate::rules::ResolvedName;
use crate::source::Span;

/// A division-of-work table as read.
#[derive(Debug)]
pub struct Division {
    /// The table's bytes in the text.
    pub range: Range<usize>,
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    /// The row's number in the table (1 = the first row after the header), for notes.
    number: usize,
    /// The action or project a heading row or a column names.
    section: Option<Sp<String>>,
    task: Sp<String>,
    lead: Units,
    partners: Units,
    deadline: Option<Sp<String>>,
}

/// The columns a header row names.
#[derive(Debug, Default)]
struct Columns {
    task: Option<usize>,
    lead: Option<usize>,
    partners: Option<usize>,
    deadline: Option<usize>,
    section: Option<usize>,
    /// The lead column is one of 责任单位 (the units responsible, the lead among them marked or
    /// listed first), not 牵头单位.
    responsible: bool,
}

const TASK_WORDS: &[&str] = &[
    "任务",
    "工作内容",
    "工作措施",
    "具体措施",
    "主要措施",
    "重点工作",
    "工作事项",
    "内容",
    "措施",
];
const LEAD_WORDS: &[&str] = &["牵头"];
const RESPONSIBLE_WORDS: &[&str] = &["责任单位", "责任部门", "主责单位", "负责单位", "责任主体"];
const PARTNER_WORDS: &[&str] = &["配合", "参与", "协办", "协助", "参加", "协同"];
const DEADLINE_WORDS: &[&str] = &[
    "时限",
    "完成时间",
    "时间节点",
    "时间安排",
    "完成期限",
    "进度",
    "时间",
];
const SECTION_WORDS: &[&str] = &["行动", "工程", "类别", "板块", "重点领域", "项目"];

fn has(cell: &str, words: &[&str]) -> bool {
    words.iter().any(|w| cell.contains(w))
}

/// What a header row names, if it is one: a task column and a lead (or responsible) column.
fn columns(header: &[String]) -> Option<Columns> {
    let mut c = Columns::default();
    for (i, cell) in header.iter().enumerate() {
        // A cell spanning several columns names the first of them only.
        if i > 0 && header[i - 1] == *cell {
            continue;
        }
        if cell.chars().count() > 12 {
            continue;
        }
        if has(cell, LEAD_WORDS) {
            c.lead.get_or_insert(i);
        } else if has(cell, PARTNER_WORDS) {
            c.partners.get_or_insert(i);
        } else if has(cell, RESPONSIBLE_WORDS) {
            // 责任单位 beside 牵头单位 are the partners; alone, they are the responsible units.
            if c.lead.is_some() {
                c.partners.get_or_insert(i);
            } else {
                c.lead.get_or_insert(i);
                c.responsible = true;
            }
        } else if has(cell, DEADLINE_WORDS) {
            c.deadline.get_or_insert(i);
        } else if has(cell, TASK_WORDS) {
            c.task.get_or_insert(i);
        } else if has(cell, SECTION_WORDS) {
            c.section.get_or_insert(i);
        }
    }
    // 牵头单位 found after 责任单位: 责任单位 were the partners.
    if c.responsible {
        if let Some(lead) = header
            .iter()
            .position(|cell| has(cell, LEAD_WORDS) && cell.chars().count() <= 12)
        {
            c.partners = c.lead;
            c.lead = Some(lead);
            c.responsible = false;
        }
    }
    (c.task.is_some() && c.lead.is_some()).then_some(c)
}

/// The division-of-work tables among a document's tables.
pub fn find(text: &str, tables: &[Table]) -> Vec<Division> {
    let cell = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let mut found = Vec::new();
    for table in tables {
        // A table inside another one's cell is read with it.
        if found.iter().any(|d: &Division| {
            d.range.start <= table.range.start && table.range.end <= d.range.end
        }) {
            continue;
        }
        let header_at = table.rows.iter().take(3).position(|row| {
            columns(&row.iter().map(|r| fold(cell(r))).collect::<Vec<_>>()).is_some()
        });
        let Some(header_at) = header_at else {
            continue;
        };
        let header: Vec<String> = table.rows[header_at]
            .iter()
            .map(|r| fold(cell(r)))
            .collect();
        let columns = columns(&header).expect("the header was found by it");
        let first_listed_leads = columns.responsible
            && (has(
                &header.concat(),
                &["排名第一", "排在第一", "排第一", "首位", "第一位"],
            ) || note_after(text, table.range.end));
        let mut rows = Vec::new();
        let mut section: Option<Sp<String>> = None;
        for (n, row) in table.rows.iter().enumerate().skip(header_at + 1) {
            let at = |i: Option<usize>| i.and_then(|i| row.get(i)).filter(|r| !r.is_empty());
            let distinct: Vec<&Range<usize>> = {
                let mut d: Vec<&Range<usize>> = row.iter().filter(|r| !r.is_empty()).collect();
                d.dedup();
                d
            };
            // A heading row: one cell across the table (or the only cell written).
            if distinct.len() == 1 && row.len() > 1 {
                let r = distinct[0];
                section = Some(Sp::new(heading_name(cell(r)), Span::new(r.start, r.end)));
                continue;
            }
            let Some(task) = at(columns.task) else {
                continue;
            };
            let row_section = at(columns.section)
                .map(|r| Sp::new(heading_name(cell(r)), Span::new(r.start, r.end)))
                .or_else(|| section.clone());
            let (mut lead, mut partners) =
                at(columns.lead).map(|r| units(text, r)).unwrap_or_default();
            if columns.responsible {
                (lead, partners) = split_responsible(lead, first_listed_leads);
            }
            if let Some(r) = at(columns.partners) {
                let (more, _) = units(text, r);
                partners.names.extend(more.names);
                partners.span = partners.span.or(more.span);
            }
            let deadline = at(columns.deadline)
                .map(|r| Sp::new(compact(cell(r)), Span::new(r.start, r.end)))
                .filter(|d| !d.value.is_empty());
            rows.push(Row {
                number: n - header_at,
                section: row_section,
                task: Sp::new(
                    cell(task).trim().to_owned(),
                    Span::new(task.start, task.end),
                ),
                lead,
                partners,
                deadline,
            });
        }
        // A table of tasks that names no unit is no division of work.
        if rows.iter().any(|r| !r.lead.is_empty()) {
            found.push(Division {
                range: table.range.clone(),
                rows,
            });
        }
    }
    found
}

/// Whether a note just after the table says the first unit listed leads (排在第一位的为牵头单位).
fn note_after(text: &str, end: usize) -> bool {
    let mut stop = (end + 300).min(text.len());
    while !text.is_char_boundary(stop) {
        stop -= 1;
    }
    let after = text.get(end..stop).unwrap_or("");
    after.contains("牵头") && has(after, &["第一", "首位"])
}

/// The units of a cell (one or more paragraphs), spans into the text.
fn units(text: &str, cell: &Range<usize>) -> (Units, Units) {
    let mut all = Units {
        names: Vec::new(),
        span: Some(Span::new(cell.start, cell.end)),
    };
    let mut offset = cell.start;
    for piece in text[cell.clone()].split_inclusive('\n') {
        let line_text = piece.trim_end_matches(['\n', '\r']);
        let line = Line::at(line_text, offset);
        all.names.extend(units_in(&line, 0, line_text.len()).names);
        offset += piece.len();
    }
    all.names.retain(|n| !n.value.is_empty());
    (all, Units::default())
}

/// Responsible units: those marked （牵头） lead; else the first listed when the table says so,
/// else all of them.
fn split_responsible(all: Units, first_leads: bool) -> (Units, Units) {
    let marked = |n: &Sp<UnitName>| n.value.contains("牵头");
    let span = all.span;
    let mut lead = Units {
        names: Vec::new(),
        span,
    };
    let mut partners = Units {
        names: Vec::new(),
        span,
    };
    if all.names.iter().any(marked) {
        for mut name in all.names {
            if marked(&name) {
                let cut = ["（牵头）", "(牵头)", "牵头"]
                    .iter()
                    .find_map(|m| name.value.find(m).map(|at| (at, m.len())));
                if let Some((at, len)) = cut {
                    let written = name.value.len();
                    let mut value = name.value.to_string();
                    value.replace_range(at..at + len, "");
                    name.value = value.into();
                    // A marker after the name: the span ends where the name does.
                    if at + len == written {
                        name.span = Span::new(name.span.start, name.span.start + at);
                    }
                }
                lead.names.push(name);
            } else {
                partners.names.push(name);
            }
        }
    } else if first_leads {
        let mut names = all.names.into_iter();
        lead.names.extend(names.next());
        partners.names.extend(names);
    } else {
        lead.names = all.names;
    }
    (lead, partners)
}

fn fold(s: &str) -> String {
    normalize::fold(&compact(s))
}

/// A heading's name without its number: （一）青少年科学素质提升行动 → 青少年科学素质提升行动.
fn heading_name(text: &str) -> String {
    let t = compact(text);
    let rest = match super::heading_level(&t) {
        Some((_, start)) => t[start..].to_owned(),
        None => t,
    };
    rest.trim_end_matches(['。', '：', ':']).to_owned()
}

/// The action or project a name denotes, or a text names.
fn declared<'v>(vocabulary: &'v Vocabulary, name: &str) -> Option<(SectionKind, &'v ResolvedName)> {
    let key = vocabulary.normalizer.key(name);
    let folded = normalize::fold(name);
    let kinds = [
        (SectionKind::Action, &vocabulary.actions),
        (SectionKind::Project, &vocabulary.projects),
    ];
    kinds
        .iter()
        .find_map(|(kind, names)| names.first_match(&key, &folded).map(|n| (*kind, n)))
}

/// The action or project a task's text names by name (实施青少年科学素质提升行动，…).
fn named_in<'v>(vocabulary: &'v Vocabulary, task: &str) -> Option<(SectionKind, &'v ResolvedName)> {
    let folded = fold(task);
    let kinds = [
        (SectionKind::Action, &vocabulary.actions),
        (SectionKind::Project, &vocabulary.projects),
    ];
    let mut best: Option<(usize, SectionKind, &ResolvedName)> = None;
    for (kind, names) in kinds {
        for n in names.names() {
            for written in std::iter::once(&n.canonical).chain(&n.aliases) {
                let w = fold(written);
                if w.chars().count() >= 4
                    && folded.contains(&w)
                    && best.as_ref().is_none_or(|(len, _, _)| w.len() > *len)
                {
                    best = Some((w.len(), kind, n));
                }
            }
        }
    }
    best.map(|(_, kind, n)| (kind, n))
}

/// Puts each row's units and deadline on the plan.
pub fn apply(
    divisions: &[Division],
    plan: &mut Plan,
    vocabulary: &Vocabulary,
    notes: &mut Vec<String>,
) {
    for division in divisions {
        let mut placed = 0;
        let mut unplaced = Vec::new();
        for row in &division.rows {
            let by_section = row
                .section
                .as_ref()
                .and_then(|s| declared(vocabulary, &s.value).map(|d| (d, s)));
            let target = match by_section {
                Some(((kind, name), heading)) => Some((kind, name, Some(heading))),
                None => {
                    named_in(vocabulary, &row.task.value).map(|(kind, name)| (kind, name, None))
                }
            };
            let Some((kind, name, heading)) = target else {
                // No section named: the measure of the plan whose title the task repeats.
                let task = fold(&row.task.value);
                let owner = plan
                    .actions
                    .items
                    .iter_mut()
                    .chain(plan.projects.items.iter_mut())
                    .find(|s| s.measures.iter().any(|m| repeats(&task, &m.title.value)));
                match owner {
                    Some(section) => {
                        place(section, row, false);
                        placed += 1;
                    }
                    None => unplaced.push(row.number),
                }
                continue;
            };
            let list = match kind {
                SectionKind::Action => &mut plan.actions,
                SectionKind::Project => &mut plan.projects,
                SectionKind::Safeguard => &mut plan.safeguards,
            };
            let existing = list.items.iter().position(|s| {
                declared(vocabulary, &s.name.value)
                    .is_some_and(|(_, n)| n.canonical == name.canonical)
            });
            let index = match (existing, heading) {
                (Some(i), _) => i,
                // A section the body lacks but the table's heading names: the table carries it.
                (None, Some(heading)) => {
                    list.items.push(Section {
                        kind,
                        span: heading.span,
                        name: heading.clone().convert(),
                        text: None,
                        lead: Units::default(),
                        partners: Units::default(),
                        measures: Vec::new(),
                        targets: Vec::new(),
                    });
                    list.items.len() - 1
                }
                (None, None) => {
                    unplaced.push(row.number);
                    continue;
                }
            };
            // A row whose task is the section's own name gives the section its units.
            let task_key = vocabulary.normalizer.key(&row.task.value);
            let own_row = name.keys.contains(&task_key)
                || fold(&row.task.value) == fold(&list.items[index].name.value);
            place(&mut list.items[index], row, own_row);
            placed += 1;
        }
        if placed > 0 {
            notes.push(format!(
                "the division-of-work table gave the units of {placed} task(s)"
            ));
        }
        if !unplaced.is_empty() {
            let rows: Vec<String> = unplaced.iter().map(|n| n.to_string()).collect();
            notes.push(format!(
                "division-of-work table rows {} name no action or project and were not read",
                rows.join(", ")
            ));
        }
    }
}

/// A row's units on the section its task names (`own_row`), or on the measure of that section
/// it repeats, or on a new measure.
fn place(section: &mut Section, row: &Row, own_row: bool) {
    if own_row {
        if section.lead.is_empty() {
            section.lead = row.lead.clone();
        }
        if section.partners.is_empty() {
            section.partners = row.partners.clone();
        }
        return;
    }
    let task = fold(&row.task.value);
    let same = section
        .measures
        .iter_mut()
        .find(|m| repeats(&task, &m.title.value));
    match same {
        Some(measure) => {
            if measure.lead.is_empty() {
                measure.lead = row.lead.clone();
            }
            if measure.partners.is_empty() {
                measure.partners = row.partners.clone();
            }
            if measure.deadline.is_none() {
                measure.deadline = row.deadline.clone().map(Sp::convert);
            }
        }
        None => section.measures.push(Measure {
            span: row.task.span,
            title: Sp::new(first_clause(&row.task.value).into(), row.task.span),
            text: Some(row.task.clone().convert()),
            lead: row.lead.clone(),
            partners: row.partners.clone(),
            deadline: row.deadline.clone().map(Sp::convert),
            targets: Vec::new(),
        }),
    }
}

/// Whether a task (folded) repeats a measure's title, or the title the task.
fn repeats(task: &str, title: &str) -> bool {
    let title = fold(title);
    title.chars().count() >= 4 && (task.contains(&title) || title.contains(task))
}

/// A task's first clause as a measure's title: up to the first 。；： or ，, within 40 characters.
fn first_clause(task: &str) -> String {
    let t = compact(task);
    let t = t
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | '、' | '．'))
        .to_owned();
    let end = t
        .char_indices()
        .find(|(_, c)| matches!(c, '。' | '；' | '：' | '，' | ';' | ':'))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let clause: String = t[..end].chars().take(40).collect();
    if clause.is_empty() {
        t.chars().take(40).collect()
    } else {
        clause
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_document, read_document, Structure};
    use crate::rules::Registry;
    use crate::source::SourceFile;

    fn import_page(page: &str) -> (Plan<'static>, Vec<String>, String) {
        let registry = Registry::builtin().as_ref().expect("built-in packs load");
        let document = read_document("t.html", page.as_bytes()).unwrap();
        let (text, structure) = Structure::of(document);
        let source = SourceFile::new("t.html", text.clone());
        let imported =
            import_document(&source, &structure, &Vocabulary::from_registry(registry)).unwrap();
        (imported.plan, imported.notes, text)
    }

    const BODY: &str = "<p>某市全民科学素质行动规划纲要实施方案（2021—2025年）</p>\
        <p>一、提升行动</p><p>（一）青少年科学素质提升行动。</p>\
        <p>1.实施科学家精神进校园行动。组织科学家进校园。</p>\
        <p>（二）农民科学素质提升行动。</p><p>1.加强农业科技培训。开展培训。</p>\
        <p>附件：重点任务分工表</p>";

    #[test]
    fn responsible_units_marked_as_lead_and_rows_found_by_their_task() {
        let page = format!(
            "<html><body>{BODY}<table>\
             <tr><th>序号</th><th>工作任务</th><th>责任单位</th><th>完成时间</th></tr>\
             <tr><td>1</td><td>实施科学家精神进校园行动</td><td>市教育局（牵头）、市科协</td><td>2025年</td></tr>\
             <tr><td>2</td><td>深入实施青少年科学素质提升行动，开展科技节</td><td>市科协</td><td>长期坚持</td></tr>\
             <tr><td>3</td><td>加强农业科技培训</td><td>市农业农村局、市科协</td><td>每年</td></tr>\
             <tr><td>4</td><td>办好全市运动会</td><td>市体育局</td><td>2023年</td></tr>\
             </table></body></html>"
        );
        let (plan, notes, text) = import_page(&page);
        let youth = &plan.actions.items[0];
        let school = &youth.measures[0];
        let names = |u: &Units| u.names.iter().map(|n| n.value.clone()).collect::<Vec<_>>();
        assert_eq!(names(&school.lead), ["市教育局"]);
        assert_eq!(names(&school.partners), ["市科协"]);
        assert_eq!(school.deadline.as_ref().unwrap().value, "2025年");
        // The span of a lead is the name in the cell, without its marker.
        let span = school.lead.names[0].span;
        assert_eq!(&text[span.start..span.end], "市教育局");
        // A task that names the action but none of its measures is a new measure.
        assert_eq!(
            youth.measures[1].title.value,
            "深入实施青少年科学素质提升行动"
        );
        assert_eq!(names(&youth.measures[1].lead), ["市科协"]);
        // A task that repeats a measure's title, with no section named, finds it.
        let farmers = &plan.actions.items[1].measures[0];
        assert_eq!(names(&farmers.lead), ["市农业农村局", "市科协"]);
        assert!(
            notes.iter().any(|n| n.contains("rows 4 name no action")),
            "{notes:?}"
        );
        // The table's cells are not read as body text (no measure made of a cell).
        assert!(plan.actions.items.iter().all(|s| s
            .measures
            .iter()
            .all(|m| m.title.value != "市教育局（牵头）、市科协")));
    }

    #[test]
    fn the_first_listed_leads_when_the_table_says_so_and_spans_continue_down() {
        let page = format!(
            "<html><body>{BODY}<table>\
             <tr><td>行动</td><td>重点工作</td><td>责任单位</td></tr>\
             <tr><td rowspan=\"2\">农民科学素质提升行动</td><td>加强农业科技培训</td><td>市农业农村局、市科协</td></tr>\
             <tr><td>开展科普下乡</td><td>市科协、市农业农村局</td></tr>\
             </table><p>注：排在第一位的为牵头单位。</p></body></html>"
        );
        let (plan, _, _) = import_page(&page);
        let farmers = &plan.actions.items[1];
        let leads: Vec<&str> = farmers
            .measures
            .iter()
            .map(|m| m.lead.names[0].value.as_str())
            .collect();
        assert_eq!(leads, ["市农业农村局", "市科协"]);
        assert_eq!(farmers.measures[1].partners.names[0].value, "市农业农村局");
    }

    #[test]
    fn a_header_needs_a_task_and_a_lead_column() {
        let cols = |cells: &[&str]| columns(&cells.iter().map(|c| fold(c)).collect::<Vec<_>>());
        let c = cols(&["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]).unwrap();
        assert_eq!(
            (c.task, c.lead, c.partners, c.deadline, c.responsible),
            (Some(1), Some(2), Some(3), Some(4), false)
        );
        // 责任单位 beside 牵头单位 are partners, wherever it stands.
        let c = cols(&["任务", "责任单位", "牵头单位"]).unwrap();
        assert_eq!(
            (c.lead, c.partners, c.responsible),
            (Some(2), Some(1), false)
        );
        assert!(cols(&["序号", "指标", "2025年目标"]).is_none());
        assert!(cols(&["工作任务", "完成时限"]).is_none());
    }
}
