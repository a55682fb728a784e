//! Robustness: mutated and hostile inputs never crash or hang planlint, and every finding points
//! inside the file on character boundaries.

mod common;

use common::planlint_in;

use std::path::Path;

use planlint::rules::Registry;
use planlint::source::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const FIXTURES: [&str; 4] = [
    include_str!("fixtures/plans/mengjin-district-2021-2025.plan.toml"),
    include_str!("fixtures/plans/changzhi-city-2021-2025.plan.toml"),
    include_str!("fixtures/plans/tangshan-city-2023.plan.toml"),
    include_str!("fixtures/plans/pingdingshan-city-2017.plan.toml"),
];

/// One edit of a text: delete, duplicate or insert at a character boundary.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, String),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_owned();
    let boundary = |s: &str, at: usize| {
        let mut at = at % (s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    for e in edits {
        match e {
            Edit::Delete(a, n) => {
                let a = boundary(&s, *a);
                let b = boundary(&s, a + n % 200);
                s.replace_range(a..b.max(a), "");
            }
            Edit::Duplicate(a, n) => {
                let a = boundary(&s, *a);
                let b = boundary(&s, a + n % 200).max(a);
                let piece = s[a..b].to_owned();
                s.insert_str(b, &piece);
            }
            Edit::Insert(a, t) => {
                let a = boundary(&s, *a);
                s.insert_str(a, t);
            }
        }
    }
    s
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        Just("[[actions]]\n".to_owned()),
        Just("\"".to_owned()),
        Just("= ".to_owned()),
        Just("year = 9999999999999999999\n".to_owned()),
        Just("孟津区\u{0}\u{7}".to_owned()),
        Just("[plan]\nperiod = [2030, 2020]\n".to_owned()),
        "\\PC{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Edit::Duplicate(a, n)),
        (any::<usize>(), text).prop_map(|(a, t)| Edit::Insert(a, t)),
    ]
}

proptest! {
    // Failing cases are kept under target/, not beside the test: a failed run must not leave an
    // untracked file in the work tree.
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(env!("CARGO_TARGET_TMPDIR"), "/robustness.proptest-regressions")))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_plans_never_panic_and_spans_stay_in_the_file(which in 0..4usize, edits in prop::collection::vec(edit(), 1..6)) {
        let text = apply(FIXTURES[which], &edits);
        let registry = Registry::builtin().as_ref().unwrap();
        let checker = planlint::Checker::new(registry);
        let report = planlint::check_source(SourceFile::new("m.plan.toml", text.clone()), &checker);
        for f in &report.findings {
            prop_assert!(f.span.start <= f.span.end && f.span.end <= text.len(), "{:?} outside {}", f.span, text.len());
            prop_assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end), "{:?} splits a character", f.span);
            for r in &f.related {
                prop_assert!(r.span.end <= text.len() && text.is_char_boundary(r.span.start));
            }
        }
        let reports = [report];
        for version in [planlint::report::JsonVersion::V1, planlint::report::JsonVersion::V2] {
            let json = planlint::report::render_json(&reports, registry, version);
            prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        }
        let _ = planlint::report::render_human(&reports, Default::default());
        let _ = planlint::report::render_sarif(&reports, registry);
    }

    #[test]
    fn imported_plans_survive_the_round_trip_through_toml(which in 0..4usize, edits in prop::collection::vec(edit(), 0..3)) {
        let seeds = ["mengjin-district-2021-2025.txt", "changzhi-city-2021-2025.txt", "tangshan-city-2023-work-points.txt", "pingdingshan-city-2017-work-points.txt"];
        let original = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/texts").join(seeds[which])).unwrap();
        let text = apply(&original, &edits);
        let registry = Registry::builtin().as_ref().unwrap();
        let vocabulary = planlint::import::Vocabulary::from_registry(registry);
        let source = SourceFile::new("doc.txt", text.clone());
        if let Ok(imported) = planlint::import::import(&source, &vocabulary) {
            let toml = planlint::import::to_toml(&imported.plan, "doc.txt", &imported.notes);
            let back = SourceFile::new("back.plan.toml", toml.clone());
            let loaded = planlint::plan::load(&back);
            let plan = loaded.plan.expect("an imported plan always loads");
            prop_assert_eq!(&plan.title.value, &imported.plan.title.value);
            prop_assert_eq!(plan.period.value, imported.plan.period.value);
            let names = |p: &planlint::plan::Plan| p.actions.items.iter().chain(&p.projects.items).chain(&p.safeguards.items).map(|s| (s.name.value.to_string(), s.lead.names.iter().map(|u| u.value.clone()).collect::<Vec<_>>(), s.measures.len())).collect::<Vec<_>>();
            prop_assert_eq!(names(&plan), names(&imported.plan));
            let targets = |p: &planlint::plan::Plan| p.all_targets().map(|t| (t.indicator.value.to_string(), t.value.as_ref().map(|v| v.value.to_string()), t.year.as_ref().map(|y| y.value))).collect::<Vec<_>>();
            prop_assert_eq!(targets(&plan), targets(&imported.plan));
            for sp in imported.plan.actions.items.iter().map(|s| s.name.span) {
                prop_assert!(sp.end <= text.len() && text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end));
            }
        }
    }
}

#[test]
fn a_100_mb_plan_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("huge.plan.toml")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let start = std::time::Instant::now();
    let out = planlint_in(&["check", "huge.plan.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("planlint checks plans up to 16 MB"));
    assert!(start.elapsed().as_secs() < 10);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_and_an_unreadable_file_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir_all(plans.join("sub")).unwrap();
    std::os::unix::fs::symlink(&plans, plans.join("sub/loop")).unwrap();
    std::fs::write(plans.join("good.plan.toml"), FIXTURES[1]).unwrap();
    // A dangling link reads as an unreadable file.
    std::os::unix::fs::symlink(dir.path().join("nowhere"), plans.join("gone.plan.toml")).unwrap();
    let out = planlint_in(&["check", "--format", "json", "plans"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = value["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "the loop is not followed");
    let good = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("good.plan.toml"))
        .unwrap();
    assert!(
        !good["findings"].as_array().unwrap().is_empty(),
        "the readable plan is checked"
    );
    let gone = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("gone.plan.toml"))
        .unwrap();
    assert_eq!(gone["findings"][0]["code"], "io/read");
}

#[test]
fn hostile_rule_packs_are_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}year{}", "(".repeat(100_000), ")".repeat(100_000));
    std::fs::write(
        dir.path().join("deep.rules"),
        format!("pack deep {{ title \"d\" document \"d\" period 2021 to 2025 }}\nrule r {{ severity error message \"m\" expect each target: {deep} }}\n"),
    )
    .unwrap();
    let nots = "not ".repeat(100_000);
    std::fs::write(
        dir.path().join("nots.rules"),
        format!("pack nots {{ title \"n\" document \"n\" period 2021 to 2025 }}\nrule r {{ severity error message \"m\" expect each target: {nots} has year }}\n"),
    )
    .unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plans/changzhi-city-2021-2025.plan.toml");
    let out = planlint_in(
        &[
            "check",
            "--rules",
            dir.path().to_str().unwrap(),
            fixture.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nested more than 32 deep"));
}

/// Inputs the fuzzers once crashed on (see docs/robustness.md), kept as regression tests.
#[test]
fn former_fuzzer_crashes_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let registry = Registry::builtin().as_ref().unwrap();
    let vocabulary = planlint::import::Vocabulary::from_registry(registry);
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("importer-") {
            seen += 1;
            let Ok(document) = planlint::import::read_document(&name, &bytes) else {
                continue;
            };
            let source = SourceFile::new(name.clone(), document.text);
            if let Ok(imported) = planlint::import::import(&source, &vocabulary) {
                let toml = planlint::import::to_toml(&imported.plan, &name, &imported.notes);
                let back = SourceFile::new("back.plan.toml", toml);
                let loaded = planlint::plan::load(&back);
                assert!(
                    loaded.diagnostics.iter().all(|d| !d.fatal),
                    "{name}: {:?}",
                    loaded.diagnostics
                );
            }
        }
    }
    assert!(seen > 0);
}
