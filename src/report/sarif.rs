//! SARIF 2.1.0 for code scanning (GitHub and others). Columns are counted in Unicode code points
//! (`columnKind`), URIs are relative to the working directory and percent-encoded, and each
//! result has a fingerprint from (rule id, file, TOML key path of its anchor) so that an alert
//! survives lines moving.

use serde_json::{json, Value};

use super::full_help;
use crate::diagnostic::{Finding, Severity};
use crate::rules::Registry;
use crate::FileReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes a relative path for a URI: everything but unreserved characters and `/`.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path as given, made relative to the working directory when it lies below it.
fn relative(name: &str) -> String {
    let path = std::path::Path::new(name);
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = path.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    name.trim_start_matches("./").to_owned()
}

fn rule_descriptor(id: &str, registry: &Registry, example: &Finding) -> Value {
    match registry.rule(id) {
        Some((_, rule)) => {
            let mut help = rule.help.as_deref().unwrap_or_default().to_owned();
            help.push_str(&format!("\n依据：{}", rule.cite.render()));
            json!({
                "id": rule.id,
                "name": rule.id.rsplit('/').next().unwrap_or(&rule.id),
                "shortDescription": { "text": rule.message },
                "fullDescription": { "text": rule.explain.clone().unwrap_or_else(|| rule.message.to_string()) },
                "help": { "text": help.trim() },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": { "document": rule.cite.document, "clause": rule.cite.clause },
            })
        }
        // Tool codes (plan/syntax, io/read, …): described by the finding itself.
        None => json!({
            "id": id,
            "name": id.rsplit('/').next().unwrap_or(id),
            "shortDescription": { "text": example.message },
            "fullDescription": { "text": example.message },
            "help": { "text": example.help.clone().unwrap_or_else(|| example.message.clone()) },
            "defaultConfiguration": { "level": level(example.severity) },
        }),
    }
}

/// One SARIF log for the run.
pub fn render_sarif(reports: &[FileReport], registry: &Registry) -> String {
    let mut writer = SarifWriter::default();
    let mut out = writer.prefix();
    for report in reports {
        out.push_str(&writer.file(report, registry));
    }
    out.push_str(&writer.finish());
    out
}

/// Writes a SARIF log piece by piece: results as files are checked, the rule descriptions (of
/// the rules that had results) at the end — JSON objects have no key order, so `tool` may follow
/// `results`.
#[derive(Default)]
pub struct SarifWriter {
    rule_ids: Vec<String>,
    rules: Vec<Value>,
    results: usize,
}

impl SarifWriter {
    pub fn prefix(&self) -> String {
        let bases = json!({ "%SRCROOT%": { "description": { "text": "The working directory planlint ran in." } } });
        format!(
            "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"columnKind\": \"unicodeCodePoints\",\n      \"originalUriBaseIds\": {bases},\n      \"results\": ["
        )
    }

    /// The results of one file.
    pub fn file(&mut self, report: &FileReport, registry: &Registry) -> String {
        let mut out = String::new();
        let uri = uri_encode(&relative(&report.source.name));
        let prints = crate::report::fingerprints(&report.source, &report.findings);
        for (f, print) in report.findings.iter().zip(prints) {
            let index = match self.rule_ids.iter().position(|r| *r == f.code) {
                Some(i) => i,
                None => {
                    self.rule_ids.push(f.code.clone());
                    self.rules.push(rule_descriptor(&f.code, registry, f));
                    self.rule_ids.len() - 1
                }
            };
            let result = result(report, f, index, &uri, print);
            out.push_str(if self.results == 0 {
                "\n        "
            } else {
                ",\n        "
            });
            out.push_str(&result.to_string());
            self.results += 1;
        }
        out
    }

    pub fn finish(self) -> String {
        let tool = json!({ "driver": {
            "name": "planlint",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": self.rules,
        }});
        let close = if self.results == 0 { "" } else { "\n      " };
        format!("{close}],\n      \"tool\": {tool}\n    }}\n  ]\n}}\n")
    }
}

fn result(report: &FileReport, f: &Finding, index: usize, uri: &str, print: String) -> Value {
    let span = report.source.clamp(f.span);
    let start = report.source.line_col(span.start);
    let end = report.source.line_col(span.end);
    let mut message = f.message.to_string();
    if !f.label.is_empty() && *f.label != *f.message {
        message.push_str(&format!("：{}", f.label));
    }
    if let Some(help) = full_help(f) {
        message.push_str(&format!("\n{help}"));
    }
    let mut result = json!({
        "ruleId": f.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": start.line,
                    "startColumn": start.column,
                    "endLine": end.line,
                    "endColumn": end.column,
                }
            }
        }],
        "partialFingerprints": { "planlintAnchor/v1": print },
    });
    let mut related = Vec::new();
    for (i, r) in f.related.iter().enumerate() {
        let at = report.source.line_col(report.source.clamp(r.span).start);
        related.push(json!({
            "id": i,
            "message": { "text": r.message },
            "physicalLocation": {
                "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                "region": { "startLine": at.line, "startColumn": at.column }
            }
        }));
    }
    // The higher document's clause, where the rule citing it is written.
    if let (Some(origin), Some(cite)) = (&f.origin, f.cite.as_ref().filter(|c| c.clause.is_some()))
    {
        related.push(json!({
            "id": related.len(),
            "message": { "text": format!("依据：{}", cite.render()) },
            "physicalLocation": {
                "artifactLocation": { "uri": uri_encode(&origin.file) },
                "region": { "startLine": origin.line, "startColumn": origin.column }
            }
        }));
    }
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_file_names_are_percent_encoded() {
        assert_eq!(
            uri_encode("plans/孟津 区.plan.toml"),
            "plans/%E5%AD%9F%E6%B4%A5%20%E5%8C%BA.plan.toml"
        );
    }
}
