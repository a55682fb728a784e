//! Project configuration: `planlint.toml`, found by walking up from the checked path (or given
//! with `--config`). Every key is documented in docs/ci.md; an unknown key is an error, so a typo
//! never silently does nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{did_you_mean, Finding, Severity};
use crate::source::{SourceFile, Span};

pub const FILE_NAME: &str = "planlint.toml";

/// A planlint.toml is a few lines; anything this large is not one.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The effective configuration.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// Extra pack folders, resolved against the config file's folder.
    pub rule_dirs: Vec<PathBuf>,
    /// Packs applied to every plan, besides those chosen.
    pub add_packs: Vec<String>,
    /// Packs never applied.
    pub exclude_packs: Vec<String>,
    /// Rules whose findings are kept, by rule id or pack id (every pack's rule when empty).
    pub select: Vec<String>,
    /// Rules whose findings are dropped, by rule id or pack id.
    pub ignore: Vec<String>,
    /// Severity per rule id.
    pub severity: Vec<(String, Severity)>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    include_set: Option<GlobSet>,
    exclude_set: Option<GlobSet>,
}

/// A problem in the config file: the file, to render it, and the finding.
pub type ConfigError = (Arc<SourceFile>, Finding);

const TOP_KEYS: &[&str] = &["rules", "packs", "files"];
const RULES_KEYS: &[&str] = &["dirs", "select", "ignore", "severity"];
const PACKS_KEYS: &[&str] = &["add", "exclude"];
const FILES_KEYS: &[&str] = &["include", "exclude"];

impl Config {
    /// The nearest `planlint.toml` at or above `start` (a file or a folder).
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(start).ok()?;
        let mut dir = if absolute.is_dir() {
            Some(absolute.as_path())
        } else {
            absolute.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// Read and check a config file (at most [`MAX_CONFIG_BYTES`]).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = crate::source::read_limited(path, MAX_CONFIG_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|b| SourceFile::decode(&b).map_err(|_| "not UTF-8 text".to_owned()));
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                let source = SourceFile::new(name.clone(), "");
                let f = Finding::input_error(
                    "config/read",
                    format!("cannot read {name}: {e}"),
                    Span::default(),
                    "unreadable",
                );
                return Err((source, f));
            }
        };
        let source = SourceFile::with_path(name, path, text);
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        parse(&source, &base)
            .map(|mut c| {
                c.path = Some(path.to_path_buf());
                c
            })
            .map_err(|f| (source, f))
    }

    /// Whether a file found by walking a folder is checked.
    pub fn wants(&self, path: &Path) -> bool {
        let rel = self
            .path
            .as_ref()
            .and_then(|c| c.parent())
            .and_then(|base| {
                std::path::absolute(path)
                    .ok()?
                    .strip_prefix(std::path::absolute(base).ok()?)
                    .ok()
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| path.to_path_buf());
        self.include_set.as_ref().is_none_or(|s| s.is_match(&rel))
            && self.exclude_set.as_ref().is_none_or(|s| !s.is_match(&rel))
    }

    /// Whether a finding of this rule is reported: selected (when a selection is given) and
    /// not ignored. A selector is a rule id (`common/unit-names`) or a pack id (`common`).
    pub fn keeps(&self, code: &str) -> bool {
        let matches = |selector: &String| {
            code == selector
                || code
                    .strip_prefix(selector.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        (self.select.is_empty() || self.select.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }

    /// The command line's `--select`, `--extend-select` and `--ignore` over the file's.
    pub fn with_selection(
        mut self,
        select: &[String],
        extend: &[String],
        ignore: &[String],
    ) -> Self {
        if !select.is_empty() {
            self.select = select.to_vec();
        }
        self.select.extend(extend.iter().cloned());
        self.ignore.extend(ignore.iter().cloned());
        self
    }

    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, s)| *s)
    }

    /// The effective configuration as TOML, for `planlint config`.
    pub fn to_toml(&self) -> String {
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|s| toml::Value::String(s.clone()).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let dirs: Vec<String> = self
            .rule_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let mut out = match &self.path {
            Some(p) => format!("# from {}\n", p.display()),
            None => format!("# no {FILE_NAME} found: defaults\n"),
        };
        out.push_str(&format!(
            "[rules]\ndirs = {}\nselect = {}\nignore = {}\n",
            list(&dirs),
            list(&self.select),
            list(&self.ignore)
        ));
        out.push_str("\n[rules.severity]\n");
        for (code, sev) in &self.severity {
            out.push_str(&format!(
                "{} = \"{}\"\n",
                toml::Value::String(code.clone()),
                sev.as_str()
            ));
        }
        out.push_str(&format!(
            "\n[packs]\nadd = {}\nexclude = {}\n",
            list(&self.add_packs),
            list(&self.exclude_packs)
        ));
        out.push_str(&format!(
            "\n[files]\ninclude = {}\nexclude = {}\n",
            list(&self.include),
            list(&self.exclude)
        ));
        out
    }
}

fn err(span: std::ops::Range<usize>, message: String, label: &str) -> Finding {
    Finding::input_error("config/invalid", message, Span::from(span), label)
}

fn check_keys(table: &DeTable<'_>, known: &[&str], path: &str) -> Result<(), Finding> {
    for (key, _) in table.iter() {
        let name: &str = key.get_ref();
        if !known.contains(&name) {
            let mut f = err(
                key.span(),
                format!("unknown key `{path}{name}` in {FILE_NAME}"),
                "not a configuration key",
            );
            f.help = Some(match did_you_mean(name, known) {
                Some(near) => format!("did you mean `{near}`?").into(),
                None => format!("keys here: {}", known.join(", ")).into(),
            });
            return Err(f);
        }
    }
    Ok(())
}

fn table<'a, 'i>(parent: &'a DeTable<'i>, key: &str) -> Result<Option<&'a DeTable<'i>>, Finding> {
    match parent.get(key) {
        None => Ok(None),
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => Ok(Some(t)),
            other => Err(err(
                v.span(),
                format!("`{key}` must be a table, found {}", other.type_str()),
                "expected a table",
            )),
        },
    }
}

fn strings(parent: Option<&DeTable<'_>>, key: &str) -> Result<Vec<String>, Finding> {
    let Some(v) = parent.and_then(|p| p.get(key)) else {
        return Ok(Vec::new());
    };
    let DeValue::Array(items) = v.get_ref() else {
        return Err(err(
            v.span(),
            format!("`{key}` must be an array of strings"),
            "expected an array",
        ));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(err(
                item.span(),
                format!("`{key}` must hold strings, found {}", other.type_str()),
                "expected a string",
            )),
        })
        .collect()
}

fn globs(
    patterns: &[String],
    parent: Option<&DeTable<'_>>,
    key: &str,
) -> Result<Option<GlobSet>, Finding> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| {
            let span = parent
                .and_then(|t| t.get(key))
                .map(|v| v.span())
                .unwrap_or(0..0);
            err(span, format!("bad glob `{p}`: {e}"), "not a glob")
        })?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| err(0..0, format!("bad globs: {e}"), "here"))
}

fn parse(source: &SourceFile, base: &Path) -> Result<Config, Finding> {
    let (root, errors) = DeTable::parse_recoverable(&source.text);
    if let Some(e) = errors.first() {
        return Err(Finding::input_error(
            "config/syntax",
            format!("invalid TOML in {FILE_NAME}: {}", e.message().trim()),
            e.span().map(Span::from).unwrap_or_default(),
            e.message().trim(),
        ));
    }
    let root = root.get_ref();
    check_keys(root, TOP_KEYS, "")?;
    let rules = table(root, "rules")?;
    let packs = table(root, "packs")?;
    let files = table(root, "files")?;
    if let Some(t) = rules {
        check_keys(t, RULES_KEYS, "rules.")?;
    }
    if let Some(t) = packs {
        check_keys(t, PACKS_KEYS, "packs.")?;
    }
    if let Some(t) = files {
        check_keys(t, FILES_KEYS, "files.")?;
    }
    let mut severity = Vec::new();
    if let Some(t) = rules.map(|r| table(r, "severity")).transpose()?.flatten() {
        for (key, value) in t.iter() {
            let level = match value.get_ref() {
                DeValue::String(s) => Severity::parse(s),
                _ => None,
            };
            let level = level.ok_or_else(|| {
                err(
                    value.span(),
                    "a severity must be \"error\", \"warning\" or \"info\"".into(),
                    "expected a severity",
                )
            })?;
            severity.push((key.get_ref().to_string(), level));
        }
    }
    let include = strings(files, "include")?;
    let exclude = strings(files, "exclude")?;
    Ok(Config {
        path: None,
        rule_dirs: strings(rules, "dirs")?
            .into_iter()
            .map(|d| base.join(d))
            .collect(),
        add_packs: strings(packs, "add")?,
        exclude_packs: strings(packs, "exclude")?,
        select: strings(rules, "select")?,
        ignore: strings(rules, "ignore")?,
        severity,
        include_set: globs(&include, files, "include")?,
        exclude_set: globs(&exclude, files, "exclude")?,
        include,
        exclude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, Finding> {
        parse(&SourceFile::new("planlint.toml", text), Path::new("/repo"))
    }

    #[test]
    fn a_full_config_reads() {
        let c = parse_str(
            "[rules]\ndirs = [\"my-rules\"]\nignore = [\"common/action-targets\"]\n[rules.severity]\n\"common/unit-names\" = \"error\"\n[packs]\nexclude = [\"national-2006\"]\n[files]\nexclude = [\"drafts/**\"]\n",
        )
        .unwrap();
        assert_eq!(c.rule_dirs, [PathBuf::from("/repo/my-rules")]);
        assert_eq!(c.severity_of("common/unit-names"), Some(Severity::Error));
        assert!(c
            .exclude_set
            .as_ref()
            .unwrap()
            .is_match("drafts/a.plan.toml"));
    }

    #[test]
    fn select_and_ignore_take_rule_and_pack_ids() {
        let c = parse_str(
            "[rules]\nselect = [\"national-2021\"]\nignore = [\"national-2021/youth-lead\"]\n",
        )
        .unwrap();
        assert!(c.keeps("national-2021/youth-action"));
        assert!(!c.keeps("national-2021/youth-lead"));
        assert!(!c.keeps("common/unit-names"));
        assert!(!c.keeps("national-2021x/youth-action"));
        let c = c.with_selection(
            &[],
            &["common/unit-names".into()],
            &["national-2021".into()],
        );
        assert!(c.keeps("common/unit-names"));
        assert!(!c.keeps("national-2021/youth-action"));
        let c = Config::default().with_selection(&["common".into()], &[], &[]);
        assert!(c.keeps("common/basis-cited") && !c.keeps("national-2021/youth-action"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let e = parse_str("[rules]\nignores = []\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `ignore`?"));
        let e = parse_str("[rules.severity]\n\"x/y\" = \"fatal\"\n").unwrap_err();
        assert!(e.message.contains("severity"));
        assert!(parse_str("[files]\ninclude = [\"[\"]\n").is_err());
    }
}
