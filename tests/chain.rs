//! The chain as it stands in December 2026: a 2026—2030 plan is checked against what binds it
//! now (the outline's 2035 goal and 五、组织实施, its 十四五 lists as expectations at warning), its
//! 2030 target against the path the pack states (the outline's goals, the level reached in
//! 2025), its basis for provincial plans whose period has ended; and a provincial plan for its
//! years, when one is published, is taken as a data file (`--rules`).

mod common;

use common::{liyang_plan, planlint_in, root};

/// The 溧阳 plan rewritten as a 2026—2030 plan with a 2030 goal.
fn plan_2026(goal: &str) -> String {
    liyang_plan(["heading", "inline", "lines", "bare", "prose"], "—")
        .replace("2021—2025", "2026—2030")
        .replace("2022年3月1日", "2026年3月1日")
        .replace("到2025年，全县公民具备科学素质的比例超过13%。", goal)
}

/// The findings of `planlint check --format json` on a document or plan file: (code,
/// severity, label).
fn findings(name: &str, text: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(name);
    let out = planlint_in(&args, dir.path());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut found = Vec::new();
    for file in report["files"].as_array().into_iter().flatten() {
        for f in file["findings"].as_array().into_iter().flatten() {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            found.push((s("code"), s("severity"), s("label")));
        }
    }
    found
}

fn of<'a>(found: &'a [(String, String, String)], code: &str) -> Vec<&'a (String, String, String)> {
    found.iter().filter(|(c, _, _)| c == code).collect()
}

#[test]
fn a_complete_2026_plan_gets_no_error_and_one_note_about_its_provinces_plan() {
    let found = findings(
        "plan.txt",
        &plan_2026("到2030年，全县公民具备科学素质的比例达到21%。"),
        &[],
    );
    let errors: Vec<_> = found.iter().filter(|(_, s, _)| s == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let notes = of(&found, "national-2021/province-rules-known");
    assert_eq!(notes.len(), 1, "{found:#?}");
    assert_eq!(notes[0].1, "info");
    assert!(notes[0].2.contains("江苏省2026—2030年"), "{}", notes[0].2);
    assert!(of(&found, "national-2021/literacy-period-end").is_empty());
    assert!(of(&found, "national-2021/literacy-path").is_empty());
}

/// The one finding of rule `code` on the 2026 plan with `goal`: (severity, label).
fn only_finding(goal: &str, code: &str) -> (String, String) {
    let found = findings("plan.txt", &plan_2026(goal), &[]);
    let mine = of(&found, code);
    assert_eq!(mine.len(), 1, "{code} on “{goal}”: {found:#?}");
    (mine[0].1.clone(), mine[0].2.clone())
}

#[test]
fn a_2026_plan_is_asked_for_its_2030_target_and_told_when_it_is_off_the_path() {
    let (severity, _) = only_finding(
        "到2030年，全县科普工作水平明显提升。",
        "national-2021/literacy-period-end",
    );
    assert_eq!(severity, "warning");
    // Below the level reached: a warning with both figures and the source of the one reached.
    let (severity, label) = only_finding(
        "到2030年，全县公民具备科学素质的比例达到14%。",
        "national-2021/literacy-path",
    );
    assert_eq!(severity, "warning");
    assert!(label.contains("14%") && label.contains("16.74%"), "{label}");
    assert!(label.contains("统计公报"), "{label}");
    // Below the line between the outline's goals only: a note, since the figure is reckoned.
    let (severity, label) = only_finding(
        "到2030年，全县公民具备科学素质的比例达到18%。",
        "national-2021/literacy-path",
    );
    assert_eq!(severity, "info");
    assert!(label.contains("20%") && label.contains("推算"), "{label}");
}

#[test]
fn the_outlines_fourteenth_plan_lists_are_expectations_for_a_2026_plan() {
    let text = plan_2026("到2030年，全县公民具备科学素质的比例达到21%。").replace(
        "4.老年人科学素质提升行动。实施智慧助老行动，开展老年人健康科普和银龄科普。（县教育局、县科协）\n",
        "",
    );
    assert!(!text.contains("老年人科学素质提升行动"));
    let found = findings("plan.txt", &text, &[]);
    let missing = of(&found, "national-2021/elderly-action");
    assert_eq!(missing.len(), 1, "{found:#?}");
    assert_eq!(missing[0].1, "warning");
    // The same gap in a 2021—2025 plan is an error.
    let plan_2021 = liyang_plan(["heading", "inline", "lines", "bare", "prose"], "—").replace(
        "4.老年人科学素质提升行动。实施智慧助老行动，开展老年人健康科普和银龄科普。（县教育局、县科协）\n",
        "",
    );
    let found = findings("plan.txt", &plan_2021, &[]);
    assert_eq!(of(&found, "national-2021/elderly-action")[0].1, "error");
}

#[test]
fn a_2026_plan_citing_its_provinces_ended_plan_is_told_it_has_expired() {
    let plan =
        std::fs::read_to_string(root().join("rules/national/tests/expired-basis-2030.plan.toml"))
            .unwrap();
    let found = findings("plan.plan.toml", &plan, &[]);
    let expired = of(&found, "common/basis-expired");
    assert_eq!(expired.len(), 1, "{found:#?}");
    assert_eq!(expired[0].1, "warning");
    assert!(expired[0].2.contains("湘政办发〔2021〕74号") && expired[0].2.contains("2021—2025年"));
    // Not also called foreign to the chain.
    assert!(of(&found, "common/basis-known").is_empty(), "{found:#?}");
}

#[test]
fn a_2026_document_citing_its_provinces_ended_plan_is_told_it_has_expired() {
    // The plan as a Hunan county-level city's (浏阳市), citing the outline and the province's
    // 2021—2025 plan.
    let text = plan_2026("到2030年，全市公民具备科学素质的比例达到21%。")
        .replace("溧阳市", "浏阳市")
        .replace(
            "（国发〔2021〕9号）精神",
            "（国发〔2021〕9号）和《湖南省全民科学素质行动规划纲要实施方案（2021—2025年）》（湘政办发〔2021〕74号）精神",
        );
    let found = findings("plan.txt", &text, &[]);
    let expired = of(&found, "common/basis-expired");
    assert_eq!(expired.len(), 1, "{found:#?}");
    assert_eq!(expired[0].1, "warning");
    assert!(
        expired[0].2.contains("湘政办发〔2021〕74号"),
        "{}",
        expired[0].2
    );
    assert!(of(&found, "common/basis-known").is_empty(), "{found:#?}");
    let unknown = of(&found, "national-2021/province-rules-known");
    assert_eq!(unknown.len(), 1, "{found:#?}");
    assert!(
        unknown[0].2.contains("湖南省2026—2030年"),
        "{}",
        unknown[0].2
    );
}

#[test]
fn a_provinces_2026_plan_published_as_a_pack_is_applied_to_its_cities() {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("jiangsu-2026.rules"),
        "# A test pack, not a real document: the form a published 2026—2030 provincial plan takes.\n\
         pack jiangsu-2026 {\n  title    \"江苏省全民科学素质行动实施方案（2026—2030年）（测试用）\"\n  \
         document \"苏政办发〔2026〕1号\"\n  period   2026 to 2030\n  levels   city, district\n  \
         region   \"江苏省\"\n  extends  national-2021\n}\n",
    )
    .unwrap();
    let dir = rules.path().to_str().unwrap();
    let found = findings(
        "plan.txt",
        &plan_2026("到2030年，全县公民具备科学素质的比例达到21%。"),
        &["--rules", dir],
    );
    // The province's plan is known now: no note that it is not, and citing only the outline
    // skips its level.
    assert!(
        of(&found, "national-2021/province-rules-known").is_empty(),
        "{found:#?}"
    );
    let skipped = of(&found, "national-2021/basis-skipped-level");
    assert_eq!(skipped.len(), 1, "{found:#?}");
    assert!(skipped[0].2.contains("江苏省"), "{}", skipped[0].2);
}

#[test]
fn provinces_are_checked_as_they_wrote_their_plans() {
    let case = |name: &str| {
        let path = root().join("rules/provinces/tests").join(name);
        findings(name, &std::fs::read_to_string(path).unwrap(), &[])
    };
    // 福建's six projects and 山东's four: no error.
    for name in ["fujian-six.plan.toml", "shandong-four.plan.toml"] {
        let found = case(name);
        assert!(
            found.iter().all(|(_, s, _)| s != "error"),
            "{name}: {found:#?}"
        );
    }
    // Below 浙江's 超过18%: warned, naming 18; 四川's 13.5 % is above its 超过13%.
    let below = case("zhejiang-below.plan.toml");
    let warned = of(&below, "national-2021/literacy-2025-level");
    assert_eq!(warned.len(), 1, "{below:#?}");
    assert!(warned[0].2.contains("18"), "{}", warned[0].2);
    assert!(of(
        &case("sichuan-target.plan.toml"),
        "national-2021/literacy-2025-level"
    )
    .is_empty());
}
