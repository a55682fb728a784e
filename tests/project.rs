//! Project configuration, inline suppressions and baselines, driven through the binary.

mod common;

use common::planlint_in;

use std::path::Path;
use std::process::Output;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/plans")
            .join(format!("{name}.plan.toml")),
    )
    .unwrap()
}

fn codes(out: &Output) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stdout)));
    value["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_config_found_above_the_file_ignores_and_reweights_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plans/drafts")).unwrap();
    std::fs::write(
        dir.path().join("plans/mengjin.plan.toml"),
        fixture("mengjin-district-2021-2025"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plans/drafts/tangshan.plan.toml"),
        fixture("tangshan-city-2023"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("planlint.toml"),
        "[rules]\nignore = [\"common/action-targets\"]\n\n[rules.severity]\n\"common/unit-names\" = \"error\"\n\n[files]\nexclude = [\"plans/drafts/**\"]\n",
    )
    .unwrap();
    let out = planlint_in(&["check", "--format", "json", "plans"], dir.path());
    assert_eq!(
        codes(&out),
        ["common/unit-names"],
        "drafts excluded, action-targets ignored"
    );
    assert_eq!(out.status.code(), Some(1), "unit-names is now an error");

    let shown = planlint_in(&["config", "plans"], dir.path());
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("ignore = [\"common/action-targets\"]"),
        "{text}"
    );
    assert!(text.contains("\"common/unit-names\" = \"error\""), "{text}");

    std::fs::write(dir.path().join("planlint.toml"), "[rules]\nignores = []\n").unwrap();
    let bad = planlint_in(&["check", "plans"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("unknown key `rules.ignores`") && text.contains("did you mean `ignore`?"),
        "{text}"
    );

    std::fs::write(
        dir.path().join("planlint.toml"),
        "[rules]\nignore = [\"common/unit-name\"]\n",
    )
    .unwrap();
    let bad = planlint_in(&["check", "plans"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Did you mean `common/unit-names`?"));

    std::fs::write(
        dir.path().join("planlint.toml"),
        "[packs]\nexclude = [\"henan-2021\"]\n",
    )
    .unwrap();
    let out = planlint_in(
        &["check", "--format", "json", "plans/mengjin.plan.toml"],
        dir.path(),
    );
    assert!(
        codes(&out).contains(&"national-2021/international-cooperation".to_owned()),
        "Henan's pack excluded: the national rule applies"
    );
}

#[test]
fn suppressions_silence_findings_and_report_their_own_misuse() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("mengjin-district-2021-2025")
        .replacen("[[actions]]\nname = \"农民科学素质提升行动\"", "# planlint: allow(common/action-targets) 本行动目标见年度工作要点\n[[actions]]\nname = \"农民科学素质提升行动\"", 1)
        .replacen("[[projects]]\nname = \"科技资源科普化工程\"\nlead = [\"区教育局\", \"区科协\", \"科工局\", \"人社局\"]", "[[projects]]\nname = \"科技资源科普化工程\"\nlead = [\"区教育局\", \"区科协\", \"科工局\", \"人社局\"] # planlint: allow(common/unit-names)", 1)
        .replacen("[plan]\n", "# planlint: allow(national-2021/youth-action, nosuch/rule) 整个文件\n[plan]\n", 1);
    std::fs::write(dir.path().join("m.plan.toml"), plan).unwrap();
    let out = planlint_in(&["check", "--format", "json", "m.plan.toml"], dir.path());
    let codes = codes(&out);
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "common/action-targets")
            .count(),
        2,
        "one of three silenced"
    );
    assert!(
        !codes.contains(&"common/unit-names".to_owned()),
        "silenced on its line"
    );
    assert!(codes.contains(&"planlint/suppression-without-reason".to_owned()));
    assert!(codes.contains(&"planlint/unknown-rule".to_owned()));
    assert!(
        codes.contains(&"planlint/unused-suppression".to_owned()),
        "youth-action suppresses nothing"
    );
    assert_eq!(out.status.code(), Some(0), "these are warnings");
}

#[test]
fn a_baseline_hides_known_findings_and_shows_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.plan.toml"),
        fixture("changzhi-city-2021-2025"),
    )
    .unwrap();
    let out = planlint_in(
        &["check", "--write-baseline", "baseline.json", "c.plan.toml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let check_against_baseline = || {
        planlint_in(
            &[
                "check",
                "--format",
                "json",
                "--baseline",
                "baseline.json",
                "c.plan.toml",
            ],
            dir.path(),
        )
    };
    let again = check_against_baseline();
    assert!(codes(&again).is_empty());
    // Lines move and a new problem appears: only the new one is reported.
    let changed = format!("# 修订稿\n\n{}", fixture("changzhi-city-2021-2025"))
        .replace("value = 14.5", "value = 14.5\nunit_typo = 1");
    std::fs::write(dir.path().join("c.plan.toml"), changed).unwrap();
    let after = check_against_baseline();
    assert_eq!(codes(&after), ["plan/unknown-key"]);
    let bad = planlint_in(
        &["check", "--baseline", "missing.json", "c.plan.toml"],
        dir.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
}
