//! An imported plan → TOML in the documented key order, readable, with the source text of each
//! item where it helps a reviewer. Strings are escaped by the `toml` crate.

use crate::plan::{format_number, Measure, Plan, Section, Target, Units};

fn string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

fn strings(units: &Units) -> String {
    let items: Vec<String> = units.names.iter().map(|u| string(&u.value)).collect();
    format!("[{}]", items.join(", "))
}

/// The TOML text of a plan imported from `source_name`.
/// A number as TOML reads it back: an integer where it fits one, else a float with its point
/// (1e19 written as an integer would not load).
fn toml_number(value: f64) -> String {
    let text = format_number(value);
    if value.fract() == 0.0 && value.abs() >= 1e15 && !text.contains(['.', 'e']) {
        format!("{text}.0")
    } else {
        text
    }
}

pub fn to_toml(plan: &Plan, source_name: &str, notes: &[String]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Imported by planlint {} from {source_name}.\n",
        env!("CARGO_PKG_VERSION")
    ));
    for note in notes {
        out.push_str(&format!("# Note: {note}\n"));
    }
    out.push_str("# Check every value against the document before relying on it; see docs/plan-format.md.\n\n");
    out.push_str("[plan]\n");
    out.push_str(&format!("title = {}\n", string(&plan.title.value)));
    out.push_str(&format!("kind = {}\n", string(plan.kind.value.as_str())));
    out.push_str(&format!("level = {}\n", string(plan.level.value.as_str())));
    if !plan.region.is_empty() {
        let region: Vec<String> = plan.region.iter().map(|r| string(&r.value)).collect();
        out.push_str(&format!("region = [{}]\n", region.join(", ")));
    }
    if let Some(issuer) = &plan.issuer {
        out.push_str(&format!("issuer = {}\n", string(&issuer.value)));
    }
    if let Some(number) = &plan.number {
        out.push_str(&format!("number = {}\n", string(&number.value)));
    }
    if let Some(issued) = &plan.issued {
        out.push_str(&format!("issued = {}\n", issued.value));
    }
    out.push_str(&format!(
        "period = [{}, {}]\n",
        plan.period.value.0, plan.period.value.1
    ));
    let basis: Vec<String> = plan.basis.iter().map(|b| string(&b.value)).collect();
    out.push_str(&format!("basis = [{}]\n", basis.join(", ")));

    for target in &plan.targets.items {
        write_target(&mut out, "targets", target, "");
    }
    for (key, list) in [
        ("actions", &plan.actions),
        ("projects", &plan.projects),
        ("safeguards", &plan.safeguards),
    ] {
        for section in &list.items {
            write_section(&mut out, key, section);
        }
    }
    out
}

fn write_target(out: &mut String, table: &str, t: &Target, indent: &str) {
    out.push_str(&format!("\n{indent}[[{table}]]\n"));
    out.push_str(&format!(
        "{indent}indicator = {}\n",
        string(&t.indicator.value)
    ));
    out.push_str(&format!(
        "{indent}relation = {}\n",
        string(t.relation.value.as_str())
    ));
    if let Some(v) = &t.value {
        out.push_str(&format!("{indent}value = {}\n", toml_number(v.value)));
    }
    if let Some(u) = &t.unit {
        out.push_str(&format!("{indent}unit = {}\n", string(&u.value)));
    }
    if let Some(y) = &t.year {
        out.push_str(&format!("{indent}year = {}\n", y.value));
    }
    if let Some(bound) = &t.bound {
        out.push_str(&format!("{indent}bound = {}\n", string(&bound.value)));
    }
    if let Some(hedge) = &t.hedge {
        out.push_str(&format!("{indent}hedge = {}\n", string(&hedge.value)));
    }
    if t.per.is_some() {
        out.push_str(&format!("{indent}per = \"year\"\n"));
    }
    if let Some(text) = &t.text {
        out.push_str(&format!("{indent}text = {}\n", string(&text.value)));
    }
}

fn write_units(out: &mut String, indent: &str, lead: &Units, partners: &Units) {
    if !lead.is_empty() {
        out.push_str(&format!("{indent}lead = {}\n", strings(lead)));
    }
    if !partners.is_empty() {
        out.push_str(&format!("{indent}partners = {}\n", strings(partners)));
    }
}

fn write_section(out: &mut String, key: &str, s: &Section) {
    out.push_str(&format!("\n[[{key}]]\nname = {}\n", string(&s.name.value)));
    write_units(out, "", &s.lead, &s.partners);
    if let Some(text) = &s.text {
        out.push_str(&format!("text = {}\n", string(&text.value)));
    }
    for t in &s.targets {
        write_target(out, &format!("{key}.targets"), t, "  ");
    }
    for m in &s.measures {
        write_measure(out, key, m);
    }
}

fn write_measure(out: &mut String, key: &str, m: &Measure) {
    out.push_str(&format!(
        "\n  [[{key}.measures]]\n  title = {}\n",
        string(&m.title.value)
    ));
    write_units(out, "  ", &m.lead, &m.partners);
    if let Some(deadline) = &m.deadline {
        out.push_str(&format!("  deadline = {}\n", string(&deadline.value)));
    }
    if let Some(text) = &m.text {
        out.push_str(&format!("  text = {}\n", string(&text.value)));
    }
    for t in &m.targets {
        write_target(out, &format!("{key}.measures.targets"), t, "    ");
    }
}

#[cfg(test)]
mod tests {
    use super::toml_number;

    #[test]
    fn numbers_are_written_so_that_toml_reads_them_back() {
        for value in [16.0, 14.5, 20000.0, 1e19, 1.5e20] {
            let text = toml_number(value);
            let parsed: toml::Value = toml::from_str(&format!("v = {text}")).unwrap();
            assert_eq!(
                parsed["v"]
                    .as_float()
                    .or(parsed["v"].as_integer().map(|i| i as f64)),
                Some(value),
                "{text}"
            );
        }
    }
}
