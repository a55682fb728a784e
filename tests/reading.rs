//! The reading of documents is the same whatever notation a plan uses for what it says: lead
//! units in any of the forms published plans use, actions grouped under a heading of their own,
//! projects written as numbered tasks, year ranges with any dash. A compliant plan written each
//! way imports to the same leads and raises no error; a text that stops short is checked for
//! what it shows, with what it could not read said as a note.

mod common;

use common::{liyang_plan as plan, planlint_in};

/// `planlint import` and `planlint check --format json` of a text.
fn import_and_check(text: &str) -> (toml::Table, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.txt"), text).unwrap();
    let toml = planlint_in(&["import", "--stdout", "plan.txt"], dir.path());
    assert_eq!(
        toml.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&toml.stderr)
    );
    let check = planlint_in(&["check", "--format", "json", "plan.txt"], dir.path());
    (
        toml::from_str(&String::from_utf8_lossy(&toml.stdout)).unwrap(),
        serde_json::from_slice(&check.stdout).unwrap(),
    )
}

fn strings(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// Each action's name with its lead and partner sets.
fn leads(plan: &toml::Table) -> Vec<(String, Vec<String>, Vec<String>)> {
    plan.get("actions")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_table())
        .map(|a| {
            let mut lead = strings(a.get("lead"));
            let mut partners = strings(a.get("partners"));
            lead.sort();
            partners.sort();
            (
                a.get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_owned(),
                lead,
                partners,
            )
        })
        .collect()
}

fn codes(report: &serde_json::Value, severity: &str) -> Vec<String> {
    report["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn every_unit_notation_reads_to_the_same_leads() {
    const FORMS: [&str; 5] = ["heading", "inline", "lines", "bare", "prose"];
    // Each form in each action's place, and the year range written with each dash.
    for (shift, dash) in (0..5).zip(["—", "-", "―", "－", "～"]) {
        let mut forms = FORMS;
        forms.rotate_left(shift);
        let (plan, report) = import_and_check(&plan(forms, dash));
        assert_eq!(
            plan["plan"]["period"].as_array().map(|a| a.len()),
            Some(2),
            "the period is read with {dash}"
        );
        let got = leads(&plan);
        assert_eq!(
            got.len(),
            5,
            "five actions, not their grouping heading: {got:?}"
        );
        for ((name, lead, partners), form) in got.iter().zip(forms) {
            assert_eq!(lead, &["县教育局", "县科协"], "{name} written {form}");
            if form != "bare" {
                assert_eq!(partners, &["团县委"], "{name} written {form}");
            }
        }
        let projects = plan["projects"].as_array().map(|p| p.len());
        assert_eq!(
            projects,
            Some(5),
            "projects written as numbered tasks: {}",
            toml::to_string(&plan["projects"]).unwrap_or_default()
        );
        assert!(
            codes(&report, "error").is_empty(),
            "a compliant plan has no error: {:?}",
            codes(&report, "error")
        );
    }
}

#[test]
fn a_text_that_stops_short_is_checked_for_what_it_shows() {
    let whole = plan(["heading", "inline", "lines", "bare", "prose"], "—");
    // Cut inside the second action's sentence, as a page extract or a broken PDF stops.
    let at = whole.find("开展农业技术").unwrap();
    let (plan, report) = import_and_check(&whole[..at]);
    assert_eq!(leads(&plan).len(), 2);
    assert!(
        codes(&report, "error").is_empty(),
        "{:?}",
        codes(&report, "error")
    );
    assert!(codes(&report, "warning").contains(&"import/incomplete".to_owned()));
    // What it could not read is still said, as notes.
    assert!(codes(&report, "info").contains(&"national-2021/elderly-action".to_owned()));
    // A whole plan missing an action still gets its error.
    let missing = whole.replace("4.老年人科学素质提升行动", "4.社区居民科普服务行动");
    let (_, report) = import_and_check(&missing);
    assert!(codes(&report, "error").contains(&"national-2021/elderly-action".to_owned()));
}

/// A document of long unpunctuated lines (each joined to the last, as extraction's broken
/// lines are) is read in one pass: a quadratic reading of this 4 MB text takes minutes, and
/// the guard below stops a run that hangs instead of letting the suite wait for ever. Its speed
/// is measured in the benchmarks, not here.
#[test]
fn a_four_megabyte_document_of_unpunctuated_lines_is_read_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "某市全民科学素质行动实施方案（2021—2025年）\n一、重点任务\n（一）实施青少年科学素质提升行动\n",
    );
    let line = "科学素质建设".repeat(400);
    while text.len() < 4 << 20 {
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(dir.path().join("big.txt"), &text).unwrap();
    let mut child = common::command_in(&["import", "--stdout", "big.txt"], dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let guard = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > guard {
            child.kill().ok();
            panic!("importing a 4 MB document did not finish in two minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.code().is_some_and(|c| c <= 2), "{status:?}");
}
