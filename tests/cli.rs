//! Integration tests: the real binary on the real fixtures.

mod common;

use std::path::Path;
use std::process::Output;

use common::planlint;

const FIXTURES: &[&str] = &[
    "mengjin-district-2021-2025",
    "changzhi-city-2021-2025",
    "tangshan-city-2023",
    "pingdingshan-city-2017",
];

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/plans/{name}.plan.toml")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn codes(value: &serde_json::Value) -> Vec<String> {
    value["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn human_output_of_each_fixture() {
    for name in FIXTURES {
        let out = planlint(&["check", &fixture(name)]);
        insta::assert_snapshot!(format!("human-{name}"), stdout(&out));
    }
}

#[test]
fn json_output_of_each_fixture() {
    for name in FIXTURES {
        let out = planlint(&["check", "--format", "json", &fixture(name)]);
        let value = json(&out);
        assert_eq!(value["version"], 2);
        insta::assert_snapshot!(format!("json-{name}"), stdout(&out));
    }
}

#[test]
fn json_version_2_gives_each_rule_once_and_version_1_stays() {
    let path = fixture("tangshan-city-2023");
    let v2 = json(&planlint(&["check", "--format", "json", &path]));
    let v1 = json(&planlint(&[
        "check",
        "--format",
        "json",
        "--json-version",
        "1",
        &path,
    ]));
    assert_eq!(v1["version"], 1);
    let (f1, f2) = (
        v1["files"][0]["findings"].as_array().unwrap(),
        v2["files"][0]["findings"].as_array().unwrap(),
    );
    assert_eq!(f1.len(), f2.len());
    let rules = v2["rules"].as_object().unwrap();
    for (one, two) in f1.iter().zip(f2) {
        assert_eq!(one["code"], two["code"]);
        assert_eq!(one["message"], two["message"]);
        let code = two["code"].as_str().unwrap();
        // Version 1's help is the rule's help and citation; version 2 has them in the table.
        let rule = &rules[code];
        let help = rule["help"].as_str().unwrap_or("");
        assert!(one["help"].as_str().unwrap().starts_with(help), "{code}");
        assert!(
            two.get("help").is_none() && two.get("cite").is_none(),
            "{code}"
        );
        assert_eq!(one["cite"], rule["cite"], "{code}");
    }
    assert!(v1.get("rules").is_none());
    let bytes = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap().len();
    assert!(
        bytes(&v2) * 4 < bytes(&v1) * 3,
        "version 2 is a quarter smaller at least"
    );
    let bad = planlint(&["check", "--format", "json", "--json-version", "3", &path]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn mengjin_is_checked_against_henan_which_replaces_the_international_project() {
    let out = planlint(&[
        "check",
        "--format",
        "json",
        &fixture("mengjin-district-2021-2025"),
    ]);
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let value = json(&out);
    let pack = &value["files"][0]["packs"][0];
    assert_eq!(pack["id"], "henan-2021");
    assert_eq!(
        pack["extends"],
        serde_json::json!(["national-2021", "common"])
    );
    assert_eq!(
        pack["dropped"][0]["rule"],
        "national-2021/international-cooperation"
    );
    let codes = codes(&value);
    // Henan asks for 科普人才建设工程 instead, which Mengjin has.
    assert!(!codes
        .iter()
        .any(|c| c.contains("cooperation") || c.ends_with("-project")));
    assert!(!codes
        .iter()
        .any(|c| c.ends_with("-action") || c.starts_with("national-2021/literacy")));
    // 区教育局 and 区教体局 name one body.
    let findings = value["files"][0]["findings"].as_array().unwrap();
    let units = findings
        .iter()
        .find(|f| f["code"] == "common/unit-names")
        .expect("found");
    assert_eq!(units["label"], "“区教育局”与“区教体局”应为同一单位");
    assert_eq!(units["start"]["line"], 127);
    assert_eq!(units["related"][0]["start"]["line"], 27);
}

#[test]
fn against_the_national_pack_alone_mengjin_lacks_the_international_project() {
    let out = planlint(&[
        "check",
        "--format",
        "json",
        "--pack",
        "national-2021",
        &fixture("mengjin-district-2021-2025"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let value = json(&out);
    let findings = value["files"][0]["findings"].as_array().unwrap();
    let missing = findings
        .iter()
        .find(|f| f["code"] == "national-2021/international-cooperation")
        .expect("the missing project is found");
    // The label sits on the first [[projects]] header, where the project belongs.
    assert_eq!(missing["start"]["line"], 125);
    assert_eq!(missing["start"]["column"], 1);
    assert_eq!(missing["length"], "[[projects]]".len());
    let rule = &value["rules"]["national-2021/international-cooperation"];
    assert_eq!(rule["cite"]["document"], "国发〔2021〕9号");
    assert!(rule["help"].as_str().unwrap().contains("国际交流合作工程"));
}

#[test]
fn tangshan_names_no_lead_units_and_no_literacy_target() {
    let out = planlint(&["check", "--format", "json", &fixture("tangshan-city-2023")]);
    assert_eq!(out.status.code(), Some(1));
    let value = json(&out);
    assert_eq!(value["files"][0]["packs"][0]["id"], "hebei-2022");
    let codes = codes(&value);
    // Every one of the 22 items lacks a responsible unit.
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "common/work-points-lead")
            .count(),
        22
    );
    assert!(codes.contains(&"national-2021/literacy-work-points".to_owned()));
    assert!(codes.contains(&"common/work-points-target".to_owned()));
    assert!(codes.contains(&"common/basis-cited".to_owned()));
    // A year's work points is not faulted for five-year requirements.
    assert!(!codes
        .iter()
        .any(|c| c.ends_with("-project") || c == "national-2021/literacy-2025"));
}

#[test]
fn changzhi_carries_all_actions_projects_and_its_target() {
    let out = planlint(&[
        "check",
        "--format",
        "json",
        &fixture("changzhi-city-2021-2025"),
    ]);
    let value = json(&out);
    let codes = codes(&value);
    assert!(!codes
        .iter()
        .any(|c| c.ends_with("-action") || c.ends_with("-project") || c.ends_with("cooperation")));
    assert!(!codes.contains(&"national-2021/literacy-2025".to_owned()));
    assert!(
        !codes.contains(&"national-2021/section-lead".to_owned()),
        "leads are given per measure"
    );
    // 14.5% is below the national 15%: a warning that shows both figures.
    let level = value["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "national-2021/literacy-2025-level")
        .unwrap();
    assert_eq!(level["label"], "此处为达到14.5%，上级要求超过15%");
    assert_eq!(out.status.code(), Some(0), "warnings alone exit 0");
    let denied = planlint(&[
        "check",
        "--deny",
        "warnings",
        &fixture("changzhi-city-2021-2025"),
    ]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn pingdingshan_is_checked_against_the_2006_outline() {
    let out = planlint(&[
        "check",
        "--format",
        "json",
        &fixture("pingdingshan-city-2017"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let value = json(&out);
    assert_eq!(value["files"][0]["packs"][0]["id"], "national-2006");
    // Its four key groups, responsible units and targets are all there; the city plan it cites
    // (平政办〔2016〕96号) is not one of the chain's documents.
    assert_eq!(codes(&value), ["common/basis-known"]);
}

#[test]
fn a_plan_no_pack_covers_gets_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.plan.toml");
    let text = "[plan]\ntitle = \"某市2003年科普工作要点\"\nkind = \"work-points\"\nlevel = \"city\"\nperiod = [2003, 2003]\n";
    std::fs::write(&path, text).unwrap();
    let out = planlint(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let value = json(&out);
    let finding = &value["files"][0]["findings"][0];
    assert_eq!(finding["code"], "planlint/no-pack");
    assert_eq!(
        finding["message"],
        "no rule pack applies to this plan (period 2003–2003, level city)"
    );
    let help = finding["help"].as_str().unwrap();
    assert!(
        help.contains("national-2006 (2006–2020, 国发〔2006〕7号)"),
        "{help}"
    );
    assert!(
        !help.contains("common"),
        "abstract packs are not offered: {help}"
    );
    assert!(help.contains("--pack ID"));
    // Forcing a pack checks it anyway.
    let forced = planlint(&["check", "--pack", "national-2006", path.to_str().unwrap()]);
    assert_eq!(forced.status.code(), Some(1));
    assert!(stdout(&forced).contains("packs applied: national-2006"));
}

#[test]
fn a_folder_is_checked_in_a_stable_order() {
    let first = stdout(&planlint(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/plans",
    ]));
    let second = stdout(&planlint(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/plans",
    ]));
    assert_eq!(first, second);
    let value: serde_json::Value = serde_json::from_str(&first).unwrap();
    let paths: Vec<&str> = value["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 4);
    assert_eq!(value["summary"]["files"], 4);
}

#[test]
fn bad_input_exits_2_with_a_located_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let broken = write(
        "broken.plan.toml",
        "[plan]\ntitle = \"某区方案\nkind = \"implementation\"\n".as_bytes(),
    );
    let out = planlint(&["check", &broken]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("plan/syntax"));

    let wrong = write(
        "wrong.plan.toml",
        "[plan]\ntitle = \"某区方案\"\nkind = \"implementation\"\nlevel = \"district\"\nperiod = \"2021-2025\"\n".as_bytes(),
    );
    let out = planlint(&["check", "--format", "json", &wrong]);
    assert_eq!(out.status.code(), Some(2));
    let value = json(&out);
    let f = &value["files"][0]["findings"][0];
    assert_eq!(f["code"], "plan/wrong-type");
    assert_eq!(f["start"]["line"], 5);
    assert_eq!(f["start"]["column"], 10);

    let binary = write("binary.plan.toml", b"[plan]\ntitle = \"\xff\xfe\"\n");
    let out = planlint(&["check", &binary]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("not UTF-8"));

    // Nesting 100,000 deep is an error, and the huge line is not echoed back.
    let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deep = write("deep.plan.toml", deep.as_bytes());
    let out = planlint(&["check", &deep]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.len() < 2_000,
        "{} bytes of output",
        out.stdout.len()
    );
    assert!(stdout(&out).contains("too long to show"));

    // A missing file among good ones: the good one is still checked, and the run exits 2.
    let good = fixture("changzhi-city-2021-2025");
    let out = planlint(&["check", "--format", "json", &good, "no/such/file.plan.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let value = json(&out);
    assert_eq!(value["files"].as_array().unwrap().len(), 2);
    assert!(value["files"][0]["findings"].as_array().unwrap().len() > 1);
    assert_eq!(value["files"][1]["findings"][0]["code"], "io/read");
}

#[test]
fn bom_and_crlf_plans_load() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture("changzhi-city-2021-2025")),
    )
    .unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(text.replace('\n', "\r\n").into_bytes());
    let path = dir.path().join("crlf.plan.toml");
    std::fs::write(&path, bytes).unwrap();
    let out = planlint(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    // Positions are the same as in the LF file: lines count alike and columns in characters.
    let crlf = json(&out);
    let lf = json(&planlint(&[
        "check",
        "--format",
        "json",
        &fixture("changzhi-city-2021-2025"),
    ]));
    assert_eq!(
        crlf["files"][0]["findings"][0]["start"],
        lf["files"][0]["findings"][0]["start"]
    );
}

#[test]
fn a_broken_rule_pack_exits_2_with_a_label_in_the_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let check_with_pack = |text: &str| {
        std::fs::write(dir.path().join("bad.rules"), text).unwrap();
        planlint(&[
            "check",
            "--rules",
            dir.path().to_str().unwrap(),
            &fixture("changzhi-city-2021-2025"),
        ])
    };
    let out = check_with_pack(
        "pack bad-pack {\n  title \"坏\"\n  document \"某〔2021〕1号\"\n  period 2021 to 2025\n}\nrule x {\n  severity fatal\n  message \"m\"\n  expect action youth\n}\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("unknown severity"), "{text}");
    assert!(text.contains("bad.rules:7:12"), "{text}");

    let out = check_with_pack(
        "pack a { title \"a\" document \"a\" period 2021 to 2025 extends b }\npack-b",
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("rule pack syntax error"), "{text}");
    assert!(text.contains("bad.rules:2:1"), "{text}");
}

#[test]
fn extends_cycles_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    for (name, parent) in [("a", "b"), ("b", "a")] {
        std::fs::write(
            dir.path().join(format!("{name}.rules")),
            format!("pack {name} {{ title \"{name}\" document \"{name}\" period 2021 to 2025 extends {parent} }}\n"),
        )
        .unwrap();
    }
    let out = planlint(&[
        "check",
        "--rules",
        dir.path().to_str().unwrap(),
        &fixture("changzhi-city-2021-2025"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("cycle"));
}

#[test]
fn rules_and_explain() {
    let out = planlint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text
        .contains("national-2021  《全民科学素质行动规划纲要（2021—2035年）》（国发〔2021〕9号）"));
    assert!(text.contains("national-2021/international-cooperation"));

    let out = planlint(&["explain", "national-2021/international-cooperation"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("依据：《全民科学素质行动规划纲要（2021—2035年）》（国发〔2021〕9号）四、（五）科学素质国际交流合作工程"));
    assert!(text.contains("defined at: rules/national/2021-2035.rules:"));
    // The pack that defines the rule, not one that inherits it; and who changes it.
    assert!(
        text.contains("pack: national-2021 (国发〔2021〕9号)"),
        "{text}"
    );
    assert!(text.contains("henan-2021: drops it: "), "{text}");
    let out = planlint(&["explain", "national-2021/literacy-2025-level"]);
    let text = stdout(&out);
    assert!(text.contains("pack: national-2021 "), "{text}");
    assert!(text.contains("hebei-2022: overrides it"), "{text}");

    let out = planlint(&["explain", "national-2021/international-cooperaton"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("Did you mean `national-2021/international-cooperation`?"));

    let out = planlint(&["rules", "--for", &fixture("mengjin-district-2021-2025")]);
    let text = stdout(&out);
    assert!(text.contains("henan-2021  《河南省全民科学素质行动规划纲要实施方案（2021—2025年）》（豫政办〔2021〕73号）"), "{text}");
    assert!(
        text.contains("dropped  national-2021/international-cooperation"),
        "{text}"
    );
}

#[test]
fn rules_for_a_file_applies_the_configuration_that_governs_it() {
    // A planlint.toml whose rule folder adds a pack for the plan's province: `rules --for`
    // lists it, as `check` applies it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("my-rules")).unwrap();
    std::fs::write(
        dir.path().join("my-rules/jiangsu.rules"),
        "pack jiangsu-test {\n  title    \"江苏省全民科学素质行动规划纲要实施方案（测试用）\"\n  period   2021 to 2025\n  levels   city, district\n  region   \"江苏省\"\n  extends  national-2021\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("planlint.toml"),
        "[rules]\ndirs = [\"my-rules\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.plan.toml"),
        "[plan]\ntitle = \"溧阳市全民科学素质行动规划纲要实施方案（2021—2025年）\"\nkind = \"implementation\"\nlevel = \"district\"\nregion = [\"江苏省\", \"常州市\", \"溧阳市\"]\nperiod = [2021, 2025]\n",
    )
    .unwrap();
    let out = common::planlint_in(&["rules", "--for", "a.plan.toml"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("jiangsu-test"), "{}", stdout(&out));
    // A broken planlint.toml is said, not passed over.
    std::fs::write(dir.path().join("planlint.toml"), "[rules\n").unwrap();
    let out = common::planlint_in(&["rules", "--for", "a.plan.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_pack_and_bad_arguments_exit_2() {
    assert_eq!(
        planlint(&["check", "--pack", "nope", &fixture("tangshan-city-2023")])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        planlint(&["check", "--format", "xml", &fixture("tangshan-city-2023")])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(planlint(&["check"]).status.code(), Some(2));
}

#[test]
fn the_pack_tests_pass_and_a_wrong_claim_fails() {
    let out = planlint(&["test", "rules"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains(" passed, 0 failed"), "{text}");
    let covered = text
        .lines()
        .find_map(|l| l.strip_prefix("rules covered (raised by one case, passed by another): "))
        .expect("a coverage line");
    let (done, all) = covered.split_once(" of ").unwrap();
    assert_eq!(done, all, "{text}");

    // A pack with no cases beside it: its rules are uncovered and the run fails.
    let lone = tempfile::tempdir().unwrap();
    std::fs::copy(
        "rules/provinces/henan.rules",
        lone.path().join("henan.rules"),
    )
    .unwrap();
    let out = planlint(&["test", lone.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("rules covered (raised by one case, passed by another): 0 of 2"),
        "{text}"
    );
    assert!(
        text.contains("coverage: no case raises henan-2021/"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("claim.plan.toml"),
        "# planlint-test: raises national-2021/youth-action\n[plan]\ntitle = \"t\"\nkind = \"work-points\"\nlevel = \"city\"\nperiod = [2023, 2023]\n[[actions]]\nname = \"青少年科学素质提升行动\"\n",
    )
    .unwrap();
    let out = planlint(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("expected `national-2021/youth-action` to be raised"));
}

#[test]
fn the_readme_example_runs() {
    let out = planlint(&["check", "examples/mengjin-district-2021-2025.plan.toml"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains(
        "packs applied: henan-2021 (豫政办〔2021〕73号, extends national-2021 → common)"
    ));
    assert!(text.contains("checked 1 file: 0 errors, 4 warnings"));
}

#[test]
fn a_findings_own_place_comes_before_its_related_place() {
    let out = planlint(&["check", "examples/mengjin-district-2021-2025.plan.toml"]);
    let text = stdout(&out);
    let finding = text.find("common/unit-names").expect("the finding");
    let own = text[finding..].find(":127:9]").expect("its own place");
    let related = text[finding..].find(":27:9]").expect("the related place");
    assert!(own < related, "{text}");
}

#[test]
fn concise_quiet_and_statistics_output() {
    let fixtures = "tests/fixtures/plans";
    let out = planlint(&["check", "--output-format", "concise", fixtures]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("concise-fixtures", stdout(&out));
    // `--format concise` is the same flag; `full` names the default.
    let same = planlint(&["check", "--format", "concise", fixtures]);
    assert_eq!(stdout(&same), stdout(&out));
    let full = planlint(&[
        "check",
        "--output-format",
        "full",
        &fixture("changzhi-city-2021-2025"),
    ]);
    let human = planlint(&["check", &fixture("changzhi-city-2021-2025")]);
    assert_eq!(stdout(&full), stdout(&human));

    let quiet = planlint(&["check", "-q", "--output-format", "concise", fixtures]);
    let text = stdout(&quiet);
    assert!(!text.contains("checked "), "{text}");
    assert_eq!(
        text.lines().count() + 1,
        stdout(&out).lines().count(),
        "only the summary goes"
    );
    let quiet_full = planlint(&["check", "--quiet", &fixture("changzhi-city-2021-2025")]);
    let text = stdout(&quiet_full);
    assert!(
        !text.contains("packs applied") && !text.contains("checked "),
        "{text}"
    );
    assert!(text.contains("national-2021/literacy-2025-level"), "{text}");

    let stats = planlint(&["check", "--statistics", "-q", fixtures]);
    insta::assert_snapshot!(
        "statistics-fixtures",
        String::from_utf8_lossy(&stats.stderr)
    );

    // --exit-zero: findings do not fail the run; unreadable input still does.
    let zero = planlint(&["check", "--exit-zero", "-q", fixtures]);
    assert_eq!(zero.status.code(), Some(0));
    let missing = planlint(&["check", "--exit-zero", "no-such.plan.toml"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_folder_with_no_plans_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().display().to_string();
    let out = planlint(&["check", &empty]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("no plans found under {empty}")),
        "{stderr}"
    );
    assert!(!stdout(&out).contains("checked 0 files") && !stdout(&out).contains("checked 1 file"));
    let out = planlint(&["check", "--allow-empty", &empty]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn shell_completions_and_the_manual_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = planlint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(
            text.contains("planlint") && text.contains("output-format"),
            "{shell}: {text}"
        );
    }
    let out = planlint(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = planlint(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains(".TH planlint 1"), "{text}");
    assert!(text.contains("completions"), "{text}");
}

#[test]
fn select_extend_select_and_ignore_on_the_command_line() {
    let plan = fixture("tangshan-city-2023");
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        all.push(&plan);
        let out = planlint(&all);
        let value = json(&out);
        let mut codes: Vec<String> = value["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let all = codes(&[]);
    assert!(all.iter().any(|c| c.starts_with("common/")));
    let national = codes(&["--select", "national-2021"]);
    assert!(!national.is_empty() && national.iter().all(|c| c.starts_with("national-2021/")));
    let more = codes(&[
        "--select",
        "national-2021",
        "--extend-select",
        "common/work-points-lead",
    ]);
    assert_eq!(more.len(), national.len() + 1, "{more:?}");
    let fewer = codes(&["--ignore", "common,national-2021/youth-lead"]);
    assert!(fewer
        .iter()
        .all(|c| !c.starts_with("common/") && c != "national-2021/youth-lead"));
    assert!(fewer.len() < all.len());
    // An unknown id is an error, not a silent no-op; `planlint config` shows the merged result.
    let out = planlint(&["check", "--select", "nosuch", &plan]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule or pack `nosuch`"));
    let out = planlint(&[
        "config",
        "--select",
        "common",
        "--ignore",
        "common/unit-names",
    ]);
    let text = stdout(&out);
    assert!(text.contains(r#"select = ["common"]"#), "{text}");
    assert!(text.contains(r#"ignore = ["common/unit-names"]"#), "{text}");
}

/// `check --watch` with `args` in `dir`: waits for its first run, calls `edit`, and waits for a
/// second. Returns whether the second came, and what it printed.
fn watch_runs(dir: &std::path::Path, args: &[&str], edit: impl FnOnce()) -> (bool, String) {
    use std::io::Read;
    let mut child = common::command_in(args, dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let mut wait_for_runs = |runs: usize| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while seen.matches("checked 1 file").count() < runs {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => return false,
            }
        }
        true
    };
    assert!(wait_for_runs(1), "the first run");
    edit();
    let again = wait_for_runs(2);
    let _ = child.kill();
    let _ = child.wait();
    (again, seen)
}

#[test]
fn watch_checks_again_when_a_plan_changes() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("a.plan.toml");
    std::fs::copy(fixture("changzhi-city-2021-2025"), &plan).unwrap();
    let (again, seen) = watch_runs(dir.path(), &["check", "--watch", "."], || {
        // Edit the plan: a warning less (the 14.5 % goal raised to 16 %).
        let text = std::fs::read_to_string(&plan).unwrap();
        std::fs::write(&plan, text.replace("value = 14.5", "value = 16")).unwrap();
    });
    assert!(again, "no second run after the edit: {seen}");
    assert!(seen.contains("0 errors, 5 warnings"), "{seen}");
}

#[test]
fn watch_checks_again_when_a_web_page_changes() {
    // Every kind of document `--documents` reads is watched, not only .txt and .docx.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::copy(
        common::root().join("tests/fixtures/html/changzhi-city-2021-2025.html"),
        &page,
    )
    .unwrap();
    let args = ["check", "--watch", "--documents", "."];
    let (again, seen) = watch_runs(dir.path(), &args, || {
        let mut bytes = std::fs::read(&page).unwrap();
        bytes.extend_from_slice(b"\n<!-- edited -->\n");
        std::fs::write(&page, bytes).unwrap();
    });
    assert!(again, "no second run after the page changed: {seen}");
}

#[test]
fn long_paragraphs_are_clipped_around_the_finding() {
    // Changzhi's goal is one 150-character paragraph; piped output is 100 columns wide.
    let columns = |l: &str| -> usize {
        l.chars()
            .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
            .sum()
    };
    // Also a plan file whose finding sits between two long lines (shown alone, then).
    let example = planlint(&["check", "examples/mengjin-district-2021-2025.plan.toml"]);
    let out = planlint(&["check", "tests/fixtures/texts/changzhi-city-2021-2025.txt"]);
    let text = stdout(&out);
    for line in (text.clone() + &stdout(&example))
        .lines()
        .filter(|l| l.contains(" │ "))
    {
        assert!(columns(line) <= 100, "too wide ({}): {line}", columns(line));
    }
    // The finding's own text is kept, with an ellipsis where the line was cut, and the header
    // still gives the real line and column.
    assert!(
        text.contains("…市公民具备科学素质的比例达到14.5%"),
        "{text}"
    );
    assert!(
        text.contains("changzhi-city-2021-2025.txt:40:23]"),
        "{text}"
    );
}

#[test]
fn only_check_prints_the_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "会议记录。\n").unwrap();
    std::fs::write(dir.path().join("bad.rules"), "pack broken {").unwrap();
    for args in [
        vec!["import", "notes.txt"],
        vec!["import", "missing.txt"],
        vec!["rules", "--rules", "."],
        vec!["explain", "common/unit-names", "--rules", "."],
    ] {
        let out = common::planlint_in(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let all = stdout(&out) + &String::from_utf8_lossy(&out.stderr);
        assert!(!all.contains("checked "), "{args:?}: {all}");
    }
}

/// `-` reads standard input: a plan by default, a document when --stdin-filename says so.
#[test]
fn standard_input_is_checked_and_imported() {
    use std::io::Write;
    let run = |args: &[&str], input: &[u8]| {
        let mut child = common::command_in(args, common::root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let plan = std::fs::read(common::root().join("examples/mengjin-district-2021-2025.plan.toml"))
        .unwrap();
    let from_file = common::planlint(&[
        "check",
        "examples/mengjin-district-2021-2025.plan.toml",
        "--format",
        "concise",
    ]);
    let out = run(
        &[
            "check",
            "-",
            "--stdin-filename",
            "examples/mengjin-district-2021-2025.plan.toml",
            "--format",
            "concise",
        ],
        &plan,
    );
    assert_eq!(out.status.code(), from_file.status.code());
    assert_eq!(
        out.stdout, from_file.stdout,
        "the same findings, under the given name"
    );

    let out = run(&["check", "-", "--format", "concise", "-q"], &plan);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<stdin>:"));

    let document =
        std::fs::read(common::root().join("tests/fixtures/documents/kaifeng-city-2021-2025.txt"))
            .unwrap();
    let out = run(
        &[
            "check",
            "-",
            "--stdin-filename",
            "kaifeng.txt",
            "-q",
            "--format",
            "concise",
        ],
        &document,
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("kaifeng.txt:"));

    let out = run(&["import", "-"], &document);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("[plan]"));

    let out = run(&["check", "-", "-"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn folders_give_their_documents_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        common::root().join("tests/fixtures/texts/mengjin-district-2021-2025.txt"),
    )
    .unwrap();
    std::fs::write(dir.path().join("孟津.txt"), &text).unwrap();
    common::write_docx(&dir.path().join("孟津.docx"), &text);
    std::fs::copy(
        common::root().join("tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
        dir.path().join("孟津.plan.toml"),
    )
    .unwrap();
    let last = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_owned()
    };
    let plain = common::planlint_in(&["check", "--format", "concise", "."], dir.path());
    assert!(
        last(&plain).starts_with("checked 1 file: "),
        "{}",
        last(&plain)
    );
    let all = common::planlint_in(
        &["check", "--documents", "--format", "concise", "."],
        dir.path(),
    );
    assert!(
        last(&all).starts_with("checked 3 files (1 plan file, 1 .txt, 1 .docx): "),
        "{}",
        last(&all)
    );
    // planlint.toml's include naming documents reads them too.
    std::fs::write(
        dir.path().join("planlint.toml"),
        "[files]\ninclude = [\"**/*.docx\"]\n",
    )
    .unwrap();
    let included = common::planlint_in(&["check", "--format", "concise", "."], dir.path());
    assert!(
        last(&included).starts_with("checked 1 file (1 .docx): "),
        "{}",
        last(&included)
    );
}
