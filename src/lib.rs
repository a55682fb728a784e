//! planlint: checks a local science-literacy plan against the higher plans it implements.
//!
//! The pipeline runs one way: `source` (bytes → text) → `plan` (text → model with spans) →
//! `rules` (packs → resolved rules) → `check` (plan × packs → findings) → `report` (findings →
//! human, JSON, SARIF, GitHub).

// Errors here are `Finding`s: data with spans, help and citations, returned on cold paths
// (bad input). Boxing each one would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod config;
pub mod coverage;
pub mod desk;
pub mod diagnostic;
pub mod gazetteer;
pub mod import;
pub mod lsp;
pub mod output;
pub mod packtest;
pub mod plan;
pub mod quantity;
pub mod report;
pub mod rules;
pub mod run;
pub mod serve;
pub mod source;
pub mod suppress;
pub mod walk;

use std::path::Path;
use std::sync::Arc;

use diagnostic::{Finding, Severity};
use rules::{Registry, ResolvedPack};
use source::{DecodeError, SourceFile, Span};

/// The outcome of checking one file.
#[derive(Debug)]
pub struct FileReport {
    pub source: Arc<SourceFile>,
    /// The packs applied, most specific first; each with the packs it extends.
    pub packs: Vec<AppliedPack>,
    /// Findings ordered by position in the file.
    pub findings: Vec<Finding>,
    /// How the plan meets each requirement of the packs applied, when the checker was asked
    /// for it (reports, opinions, JSON).
    pub coverage: Option<coverage::Coverage>,
    /// The plan as checked: what the report shows of it (title, issuer, basis…).
    pub facts: Option<PlanFacts>,
    /// What importing a document noted (how it was read, what it left out).
    pub notes: Vec<String>,
}

/// What a report says of the plan itself.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanFacts {
    pub title: String,
    pub kind: plan::PlanKind,
    pub level: plan::Level,
    pub region: Vec<String>,
    pub issuer: Option<String>,
    pub issued: Option<String>,
    pub period: (i64, i64),
    pub basis: Vec<String>,
    /// What the plan (or the import) did not give: 发文机关, 成文日期, 依据, 目标…
    pub not_found: Vec<String>,
}

impl PlanFacts {
    fn of(plan: &plan::Plan) -> Self {
        let mut not_found = Vec::new();
        let mut lacks = |absent: bool, what: &str| {
            if absent {
                not_found.push(what.to_owned());
            }
        };
        lacks(plan.issuer.is_none(), "发文机关");
        lacks(plan.issued.is_none(), "成文日期");
        lacks(plan.basis.is_empty(), "所依据的上级文件");
        lacks(plan.targets.items.is_empty(), "规划层面的量化目标");
        lacks(plan.actions.items.is_empty(), "提升行动");
        lacks(
            plan.projects.items.is_empty() && plan.kind.value == plan::PlanKind::Implementation,
            "重点工程",
        );
        lacks(plan.safeguards.items.is_empty(), "组织实施（保障措施）");
        PlanFacts {
            title: plan.title.value.to_string(),
            kind: plan.kind.value,
            level: plan.level.value,
            region: plan.region.iter().map(|r| r.value.to_string()).collect(),
            issuer: plan.issuer.as_ref().map(|i| i.value.to_string()),
            issued: plan.issued.as_ref().map(|i| i.value.to_string()),
            period: plan.period.value,
            basis: plan.basis.iter().map(|b| b.value.to_string()).collect(),
            not_found,
        }
    }
}

/// A pack applied to a plan, with its chain (`ancestors`) and what it changed of its parents
/// (`dropped`): the resolved pack itself, shared, since a bulk run applies the same few packs
/// to every plan.
#[derive(Clone)]
pub struct AppliedPack(Arc<ResolvedPack>);

impl std::ops::Deref for AppliedPack {
    type Target = ResolvedPack;
    fn deref(&self) -> &ResolvedPack {
        &self.0
    }
}

impl std::fmt::Debug for AppliedPack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AppliedPack").field(&self.0.id).finish()
    }
}

impl FileReport {
    /// A report of findings about a file no pack was applied to (it could not be read or
    /// loaded).
    pub fn of(source: Arc<SourceFile>, findings: Vec<Finding>) -> Self {
        FileReport {
            source,
            packs: Vec::new(),
            findings,
            coverage: None,
            facts: None,
            notes: Vec::new(),
        }
    }

    /// True when the file could not be checked (exit code 2).
    pub fn is_fatal(&self) -> bool {
        self.findings.iter().any(|f| f.fatal)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Plan files larger than this are refused unread.
pub const MAX_PLAN_BYTES: u64 = 16 * 1024 * 1024;

/// Whether a path names a structured plan (TOML) rather than a document to import.
pub fn is_plan_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// Read a document (.txt in any Chinese encoding, .docx) and import it, as a source (its
/// extracted text) and a plan whose spans point into that text.
pub fn import_path(
    path: &Path,
    display_name: &str,
    registry: &Registry,
) -> Result<(Arc<SourceFile>, import::Imported), Box<FileReport>> {
    let bytes = source::read_limited(path, import::MAX_DOCUMENT_BYTES as u64)
        .map_err(|e| document_unreadable(display_name, e))?;
    import_bytes(Some(path), display_name, &bytes, registry)
}

/// Import a document already read (from a file at `path`, or standard input).
pub fn import_bytes(
    path: Option<&Path>,
    display_name: &str,
    bytes: &[u8],
    registry: &Registry,
) -> Result<(Arc<SourceFile>, import::Imported), Box<FileReport>> {
    let document = import::read_document(display_name, bytes)
        .map_err(|e| unreadable_report(display_name, format!("{display_name}: {e}")))?;
    let read_as = document.read_as.clone();
    let (text, structure) = import::Structure::of(document);
    let source = match path {
        Some(path) => SourceFile::with_path(display_name, path, text),
        None => SourceFile::new(display_name, text),
    };
    let vocabulary = import::Vocabulary::from_registry(registry);
    match import::import_document(&source, &structure, &vocabulary) {
        Ok(mut imported) => {
            if read_as != "UTF-8" {
                imported.notes.insert(0, format!("read as {read_as}"));
            }
            Ok((source, imported))
        }
        Err(finding) => Err(Box::new(FileReport::of(source, vec![*finding]))),
    }
}

/// The report for a document that could not be read.
pub fn document_unreadable(display_name: &str, e: source::ReadError) -> Box<FileReport> {
    unreadable_report(
        display_name,
        match e {
            source::ReadError::TooLarge { limit } => format!(
                "{display_name}: the document is too large; planlint reads documents up to {}",
                source::human_size(limit)
            ),
            source::ReadError::Io(e) => format!("cannot read {display_name}: {e}"),
        },
    )
}

fn unreadable_report(display_name: &str, message: String) -> Box<FileReport> {
    Box::new(FileReport::of(
        SourceFile::new(display_name, ""),
        vec![Finding::input_error(
            "import/unreadable",
            message,
            Span::default(),
            "unreadable",
        )],
    ))
}

/// Check input already read (standard input): a plan when `as_plan`, otherwise a document
/// imported in memory.
pub fn check_bytes(
    bytes: &[u8],
    display_name: &str,
    as_plan: bool,
    checker: &Checker<'_>,
) -> FileReport {
    if as_plan {
        return check_plan_bytes(None, display_name, bytes, checker);
    }
    check_imported(
        import_bytes(None, display_name, bytes, checker.registry),
        checker,
    )
}

/// Check a document's import, or pass on the report of why it could not be imported.
fn check_imported(
    imported: Result<(Arc<SourceFile>, import::Imported), Box<FileReport>>,
    checker: &Checker<'_>,
) -> FileReport {
    match imported {
        Ok((source, imported)) => checker.check_model(
            source,
            Some(imported.plan),
            imported.findings,
            Some(&imported.reading),
            imported.notes,
        ),
        Err(report) => *report,
    }
}

/// Read and check one file: a plan (`*.toml`), or a document imported in memory first, so that
/// labels point into the document's text. Unreadable files become a report with a fatal finding.
pub fn check_path(path: &Path, display_name: &str, checker: &Checker<'_>) -> FileReport {
    if is_plan_file(path) {
        return check_plan_path(path, display_name, checker);
    }
    check_imported(import_path(path, display_name, checker.registry), checker)
}

/// Read and check one plan file.
fn check_plan_path(path: &Path, display_name: &str, checker: &Checker<'_>) -> FileReport {
    // A plan is a few hundred KB at most; reading stops at the limit, whatever the file is.
    match source::read_limited(path, MAX_PLAN_BYTES) {
        Ok(bytes) => check_plan_bytes(Some(path), display_name, &bytes, checker),
        Err(source::ReadError::TooLarge { limit }) => {
            let finding = Finding::input_error(
                "plan/too-large",
                format!(
                    "{display_name} is too large; planlint checks plans up to {}",
                    source::human_size(limit)
                ),
                Span::default(),
                "not read",
            );
            FileReport::of(
                SourceFile::with_path(display_name, path, String::new()),
                vec![finding],
            )
        }
        Err(source::ReadError::Io(e)) => {
            let source = SourceFile::with_path(display_name, path, String::new());
            let finding = Finding::input_error(
                "io/read",
                format!("cannot read {display_name}: {e}"),
                Span::default(),
                "unreadable",
            );
            FileReport::of(source, vec![finding])
        }
    }
}

/// Decode and check a plan's bytes (from the file at `path`, or standard input).
fn check_plan_bytes(
    path: Option<&Path>,
    display_name: &str,
    bytes: &[u8],
    checker: &Checker<'_>,
) -> FileReport {
    let source_of = |text: String| match path {
        Some(path) => SourceFile::with_path(display_name, path, text),
        None => SourceFile::new(display_name, text),
    };
    match SourceFile::decode(bytes) {
        Ok(text) => check_source(source_of(text), checker),
        Err(e) => {
            let (offset, message) = match e {
                DecodeError::InvalidUtf8 { offset } => (
                    offset,
                    "the file is not UTF-8 text (a GBK file must be converted or imported first)",
                ),
                DecodeError::Binary { offset } => {
                    (offset, "the file holds a NUL byte: it is not a text plan")
                }
            };
            // Show the readable part only, so the label still has text around it.
            let readable = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]).into_owned();
            let source = source_of(readable);
            let end = source.text.len();
            let finding = Finding::input_error(
                "plan/encoding",
                message,
                Span::new(end, end),
                "unreadable from here",
            );
            FileReport::of(source, vec![finding])
        }
    }
}

/// Check a plan already in memory: load it, choose its packs, run them.
pub fn check_source(source: Arc<SourceFile>, checker: &Checker<'_>) -> FileReport {
    let loaded = plan::load(&source);
    checker.check_model(
        Arc::clone(&source),
        loaded.plan,
        loaded.diagnostics,
        None,
        Vec::new(),
    )
}

/// What a run checks with: the packs, a forced choice of packs, the project configuration.
pub struct Checker<'r> {
    pub registry: &'r Registry,
    /// Packs given with `--pack`: applied instead of the chosen ones.
    pub forced: Vec<Arc<ResolvedPack>>,
    pub config: config::Config,
    /// Whether reports carry the coverage of each requirement (the report, the opinion, JSON).
    pub coverage: bool,
}

impl<'r> Checker<'r> {
    pub fn new(registry: &'r Registry) -> Self {
        Checker {
            registry,
            forced: Vec::new(),
            config: config::Config::default(),
            coverage: false,
        }
    }

    /// The packs for a plan: forced ones, or those chosen less the configuration's excluded
    /// packs, plus its added ones.
    pub fn packs_for(&self, plan: &plan::Plan) -> Vec<Arc<ResolvedPack>> {
        if !self.forced.is_empty() {
            return self.forced.clone();
        }
        let mut packs = self
            .registry
            .select_excluding(plan, &self.config.exclude_packs);
        for id in &self.config.add_packs {
            if let Some(pack) = self.registry.get(id) {
                if !packs
                    .iter()
                    .any(|p| p.id == *id || p.ancestors.contains(id))
                {
                    packs.push(Arc::clone(pack));
                }
            }
        }
        packs
    }

    /// Check a plan model whose spans point into `source`; `toml` says whether the source is a
    /// plan file (whose comments may hold suppressions).
    fn check_model(
        &self,
        source: Arc<SourceFile>,
        plan: Option<plan::Plan>,
        mut findings: Vec<Finding>,
        reading: Option<&import::Reading>,
        notes: Vec<String>,
    ) -> FileReport {
        // A plan file is read exactly; a document as well as the importer could read it.
        let toml = reading.is_none();
        let mut chosen = Vec::new();
        if let Some(plan) = &plan {
            let packs = self.packs_for(plan);
            if packs.is_empty() {
                findings.push(no_pack_finding(plan, self.registry));
            }
            // Sized for every rule at once: growing it was a rehash per plan.
            let mut handled = rustc_hash::FxHashSet::with_capacity_and_hasher(
                packs.iter().map(|p| p.rules.len() + p.dropped.len()).sum(),
                Default::default(),
            );
            for pack in &packs {
                findings.extend(check::check_plan(plan, pack, self.registry, &mut handled));
            }
            if !toml {
                // A document is not edited as TOML: say what to add to it, and where.
                for f in findings.iter_mut() {
                    f.suggestion = f.document_suggestion.take();
                }
            }
            findings.retain(|f| f.fatal || self.config.keeps(&f.code));
            for f in findings.iter_mut().filter(|f| !f.fatal) {
                if let Some(severity) = self.config.severity_of(&f.code) {
                    f.severity = severity;
                }
            }
            if let Some(reading) = reading {
                check::assurance::temper(&mut findings, reading, self.registry);
            }
            if toml {
                let registry = self.registry;
                suppress::apply(&source, &mut findings, |id| {
                    registry.rule(id).is_some() || id == "plan/unknown-key"
                });
            }
            chosen = packs;
        }
        let mut findings = diagnostic::bound_file_findings(findings);
        findings.sort_by(|a, b| {
            (
                a.span.start,
                a.span.end,
                std::cmp::Reverse(a.severity),
                &a.code,
            )
                .cmp(&(
                    b.span.start,
                    b.span.end,
                    std::cmp::Reverse(b.severity),
                    &b.code,
                ))
        });
        let coverage = match &plan {
            Some(plan) if self.coverage => Some(coverage::compute(
                plan,
                &chosen,
                &findings,
                self.registry,
                &|code| self.config.keeps(code),
            )),
            _ => None,
        };
        FileReport {
            source,
            packs: chosen.into_iter().map(AppliedPack).collect(),
            findings,
            coverage,
            facts: plan.as_ref().map(PlanFacts::of),
            notes,
        }
    }
}

fn no_pack_finding(plan: &plan::Plan, registry: &Registry) -> Finding {
    let (start, end) = plan.period.value;
    let list = registry
        .packs()
        .filter(|p| !p.is_abstract)
        .map(|p| format!("{} ({}–{}, {})", p.id, p.period.0, p.period.1, p.citation()))
        .collect::<Vec<_>>()
        .join("; ");
    Finding::input_error(
        "planlint/no-pack",
        format!(
            "no rule pack applies to this plan (period {start}–{end}, level {})",
            plan.level.value.as_str()
        ),
        plan.period.span,
        "no pack covers this period and level",
    )
    .with_help(format!(
        "packs available: {list}. Choose one with --pack ID, or add a pack with --rules DIR"
    ))
}
