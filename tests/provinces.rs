//! The whole chain, as a reviewer meets it: every province's plan known or said to be unknown,
//! the province's own target where it is confirmed, the duties of 五、组织实施 read from real
//! wording, and a plan citing a superseded version told what changed.

mod common;

use common::{planlint, planlint_in};

/// (rule id, severity, label, help) of every finding, from the JSON output.
fn findings(args: &[&str]) -> Vec<(String, String, String, String)> {
    let out = planlint(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_findings(&out.stdout)
}

fn json_findings(stdout: &[u8]) -> Vec<(String, String, String, String)> {
    let value: serde_json::Value = serde_json::from_slice(stdout).expect("JSON output");
    let mut found = Vec::new();
    for file in value["files"].as_array().into_iter().flatten() {
        for f in file["findings"].as_array().into_iter().flatten() {
            let text = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            found.push((text("code"), text("severity"), text("label"), text("help")));
        }
    }
    found
}

fn of<'f>(
    found: &'f [(String, String, String, String)],
    code: &str,
) -> Vec<&'f (String, String, String, String)> {
    found.iter().filter(|f| f.0 == code).collect()
}

#[test]
fn every_province_is_listed_with_its_pack_or_what_is_known() {
    let out = planlint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let table = text
        .split("provincial plans (32 regions")
        .nth(1)
        .expect("the provinces table");
    let rows: Vec<&str> = table
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .collect();
    for region in [
        "北京市",
        "河南省",
        "江苏省",
        "宁夏回族自治区",
        "新疆生产建设兵团",
    ] {
        assert!(
            rows.iter().any(|r| r.trim_start().starts_with(region)),
            "{region}"
        );
    }
    assert!(table.contains("2021—2025: henan-2021 《河南省全民科学素质行动规划纲要实施方案（2021—2025年）》（豫政办〔2021〕73号）"));
    assert!(table.contains("江苏省           2021—2025: no pack: 未找到江苏省实施方案"));
    // The next period's status: a 纲要 to 2035 still applies; a 2021—2025 plan's successor is
    // not known.
    assert!(table.contains("2026—2030: beijing-2022（规划期2021—2035年，仍适用）"));
    let henan = &table[table.find("  河南省").unwrap()..];
    assert!(
        henan.lines().nth(1).unwrap().contains("2026—2030: 未收录"),
        "{henan}"
    );
    assert!(text.contains("not known (the national requirement stands in): 2025年目标、重点工程"));
}

#[test]
fn a_plan_of_a_province_without_a_pack_is_told_and_checked_nationally() {
    let found = findings(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/documents/liyang-county-city-2021-2025.txt",
    ]);
    let known = of(&found, "national-2021/province-rules-known");
    assert_eq!(known.len(), 1, "{found:?}");
    assert!(
        known[0]
            .2
            .contains("未收录江苏省的实施方案：未找到江苏省实施方案"),
        "{known:?}"
    );
    // Its 组织实施 words the duties its own way (编入…规划, 年度重点工作, 目标责任考核,
    // 科协牵头组织实施): all are found.
    assert!(found.iter().all(|f| !f.0.ends_with("-duty")), "{found:?}");
    // It cites the national outline only: the province's level is skipped, though no pack
    // encodes the province's plan; everything else is a note.
    let skipped = of(&found, "national-2021/basis-skipped-level");
    assert_eq!(skipped.len(), 1, "{found:?}");
    assert!(
        skipped[0].2.contains("未引用江苏省的实施方案"),
        "{skipped:?}"
    );
    assert!(
        found
            .iter()
            .all(|f| f.1 == "info" || f.0 == "national-2021/basis-skipped-level"),
        "{found:?}"
    );
}

#[test]
fn a_confirmed_provincial_target_replaces_the_national_one() {
    // 黔南州 aims at 11%: below Guizhou's 超过12%, and told so in Guizhou's terms.
    let found = findings(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/documents/qiannan-prefecture-2021-2025.txt",
    ]);
    let level = of(&found, "national-2021/literacy-2025-level");
    assert_eq!(level.len(), 1, "{found:?}");
    assert!(level[0].2.contains("上级要求超过12%"), "{level:?}");
    let known = of(&found, "national-2021/province-rules-known");
    assert!(
        known[0].2.contains("黔府办发〔2022〕16号）的重点工程未知"),
        "{known:?}"
    );
}

#[test]
fn real_plans_carry_the_duties_of_local_government() {
    // The two seeds that are implementation plans word 五、（一） as their own governments do.
    for seed in ["changzhi-city-2021-2025", "mengjin-district-2021-2025"] {
        let found = findings(&[
            "check",
            "--format",
            "json",
            &format!("tests/fixtures/texts/{seed}.txt"),
        ]);
        let duties: Vec<_> = found.iter().filter(|f| f.0.ends_with("-duty")).collect();
        assert!(duties.is_empty(), "{seed}: {duties:?}");
    }
}

#[test]
fn a_plan_citing_another_province_known_by_title_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let plan = r#"[plan]
title = "溧阳市全民科学素质行动规划纲要实施方案（2021—2025年）"
kind = "implementation"
level = "district"
region = ["江苏省", "常州市", "溧阳市"]
period = [2021, 2025]
basis = ["国发〔2021〕9号", "《江西省全民科学素质行动规划纲要实施方案（2021—2025年）》（赣府厅字〔2021〕99号）"]
"#;
    std::fs::write(dir.path().join("p.plan.toml"), plan).unwrap();
    let out = planlint_in(&["check", "--format", "json", "p.plan.toml"], dir.path());
    let found = json_findings(&out.stdout);
    let foreign = of(&found, "national-2021/basis-other-province");
    assert_eq!(foreign.len(), 1, "{found:?}");
    assert!(
        foreign[0]
            .2
            .contains("本规划属江苏省，所引为江西省的《江西省"),
        "{foreign:?}"
    );
}

#[test]
fn a_province_plan_known_by_title_does_not_make_a_skipped_level_of_an_unknown_number() {
    // A Jiangxi city citing the national outline and a number no pack knows: that number may be
    // the province's plan, whose number was never found, so no skipped level is claimed.
    let dir = tempfile::tempdir().unwrap();
    let plan = |basis: &str| {
        format!(
            "[plan]\ntitle = \"九江市全民科学素质行动规划纲要实施方案（2021—2025年）\"\nkind = \"implementation\"\nlevel = \"city\"\nregion = [\"江西省\", \"九江市\"]\nperiod = [2021, 2025]\nbasis = [{basis}]\n"
        )
    };
    std::fs::write(
        dir.path().join("a.plan.toml"),
        plan("\"国发〔2021〕9号\", \"赣府厅字〔2021〕99号\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("b.plan.toml"), plan("\"国发〔2021〕9号\"")).unwrap();
    let out = planlint_in(&["check", "--format", "json", "a.plan.toml"], dir.path());
    let found = json_findings(&out.stdout);
    assert!(
        of(&found, "national-2021/basis-skipped-level").is_empty(),
        "{found:?}"
    );
    // Citing the outline alone still skips the level, and names the province's plan by title.
    let out = planlint_in(&["check", "--format", "json", "b.plan.toml"], dir.path());
    let found = json_findings(&out.stdout);
    let skipped = of(&found, "national-2021/basis-skipped-level");
    assert_eq!(skipped.len(), 1, "{found:?}");
    assert!(
        skipped[0]
            .2
            .contains("未引用江西省的《江西省全民科学素质行动规划纲要实施方案（2021—2025年）》"),
        "{skipped:?}"
    );
}

#[test]
fn a_plan_citing_a_superseded_version_is_told_what_changed() {
    let found = findings(&[
        "check",
        "--format",
        "json",
        "--rules",
        "rules/provinces/tests",
        "rules/provinces/tests/reissue-old-basis.plan.toml",
    ]);
    let outdated = of(&found, "common/basis-outdated");
    assert_eq!(outdated.len(), 1, "{found:?}");
    let (_, severity, label, help) = outdated[0];
    assert_eq!(severity, "warning");
    assert!(
        label.contains("所引为旧版（豫政办〔2021〕73号，2021-12-04）"),
        "{label}"
    );
    assert!(
        label.contains("（豫政办〔2026〕999号，2026-01-15）"),
        "{label}"
    );
    for change in [
        "新增（虚构）主要目标：到2030年",
        "新增四、（五）科学素质国际交流合作工程",
        "2035年“公民具备科学素质的比例”目标由达到25%改为达到30%",
        "删去“重点工程”：科普人才建设工程",
    ] {
        assert!(help.contains(change), "{change} not in {help}");
    }
    // Citing the old version is neither an unknown document nor a skipped level.
    assert!(of(&found, "common/basis-known").is_empty(), "{found:?}");
    assert!(
        of(&found, "national-2021/basis-skipped-level").is_empty(),
        "{found:?}"
    );
    // Without the newer pack nothing supersedes the 2021 plan: nothing to tell.
    let found = findings(&[
        "check",
        "--format",
        "json",
        "rules/provinces/tests/reissue-old-basis.plan.toml",
    ]);
    assert!(of(&found, "common/basis-outdated").is_empty(), "{found:?}");
}
