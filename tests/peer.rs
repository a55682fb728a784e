//! The Rego peer of the benchmark (benches/peer.rego, evaluated with regorus) and the planlint
//! pack benches/peer.rules give the same verdicts on every fixture and pack test plan: the
//! benchmark compares the same work.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use planlint::rules::Registry;
use planlint::source::SourceFile;

#[test]
fn rego_and_planlint_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = SourceFile::new(
        "benches/peer.rules",
        std::fs::read_to_string(root.join("benches/peer.rules")).unwrap(),
    );
    let registry = Registry::from_sources(vec![pack]).expect("the peer pack loads");
    let peer = registry.get("peer").unwrap().clone();
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "peer.rego".into(),
            std::fs::read_to_string(root.join("benches/peer.rego")).unwrap(),
        )
        .expect("the policy parses");
    let files = common::plan_files(common::VERDICT_PLAN_DIRS);
    assert!(files.len() >= 20);
    let mut raised_any = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let checker = planlint::Checker {
            registry: &registry,
            forced: vec![peer.clone()],
            config: Default::default(),
            coverage: false,
        };
        let report = planlint::check_source(
            SourceFile::new(path.display().to_string(), text.clone()),
            &checker,
        );
        let ours: BTreeSet<String> = report
            .findings
            .iter()
            .map(|f| f.code.trim_start_matches("peer/").to_owned())
            .collect();
        let json = planlint::plan::toml_to_json(toml::from_str(&text).unwrap());
        engine.set_input_json(&json.to_string()).unwrap();
        let verdict = engine.eval_rule("data.planlint.violations".into()).unwrap();
        let theirs: BTreeSet<String> =
            serde_json::from_str::<Vec<String>>(&verdict.to_json_str().unwrap())
                .unwrap()
                .into_iter()
                .collect();
        assert_eq!(ours, theirs, "{}", path.display());
        raised_any += usize::from(!ours.is_empty());
    }
    assert!(
        raised_any >= 10,
        "the comparison covers plans that break rules"
    );
}
