//! Machine outputs for CI: SARIF validated against the official schema, GitHub workflow
//! commands, several outputs from one run, and JSON that escapes control characters exactly.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn planlint(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut cmd = common::command_in(args, common::root());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
            .expect("the vendored schema is JSON");
    // The vendored copy is the official schema with one fix: its two `language` patterns had a
    // stray `]` that is not a valid ECMA-262 regex, which the validator refuses to compile. No
    // output of planlint sets `language`.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the schema compiles")
}

#[test]
fn sarif_validates_and_carries_real_regions() {
    let out = planlint(&["check", "--format", "sarif", "tests/fixtures/plans"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "planlint");
    let rules = driver["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            r["partialFingerprints"]["planlintAnchor/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
    }
    // A missing item points at the table where it belongs, never at a placeholder line 1.
    let tangshan: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "national-2021/literacy-work-points")
        .collect();
    assert_eq!(tangshan.len(), 1);
    assert_eq!(
        tangshan[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 8,
        "the [plan] header"
    );
    // The clause of the higher document is a related location in the pack file.
    let level = results
        .iter()
        .find(|r| r["ruleId"] == "national-2021/literacy-2025-level")
        .unwrap();
    let related = &level["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "rules/national/2021-2035.rules"
    );
    assert!(related["message"]["text"]
        .as_str()
        .unwrap()
        .contains("到2025年"));
    let rule = &rules[level["ruleIndex"].as_u64().unwrap() as usize];
    assert!(rule["help"]["text"].as_str().unwrap().contains("依据："));
    assert_eq!(rule["defaultConfiguration"]["level"], "warning");
}

#[test]
fn sarif_fingerprints_survive_lines_moving_and_chinese_names_are_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/plans/changzhi-city-2021-2025.plan.toml"),
    )
    .unwrap();
    let name = dir.path().join("长治 方案.plan.toml");
    let fingerprints = |text: &str| {
        std::fs::write(&name, text).unwrap();
        let out = planlint(&["check", "--format", "sarif", name.to_str().unwrap()], &[]);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap().clone();
        let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned();
        let prints: Vec<String> = results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["planlintAnchor/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let lines: Vec<u64> = results
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        (uri, prints, lines)
    };
    let (uri, before, lines_before) = fingerprints(&original);
    assert!(
        uri.contains("%E9%95%BF%E6%B2%BB%20%E6%96%B9%E6%A1%88.plan.toml"),
        "{uri}"
    );
    let moved = format!("# 新增的说明\n# 再一行\n\n{original}");
    let (_, after, lines_after) = fingerprints(&moved);
    assert_eq!(before, after);
    assert_ne!(lines_before, lines_after);
}

#[test]
fn github_annotations_are_escaped_capped_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = planlint(
        &[
            "check",
            "--format",
            "github",
            "tests/fixtures/plans/tangshan-city-2023.plan.toml",
        ],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let errors = lines.iter().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(errors, 10, "at most ten of a kind");
    assert!(
        lines[0]
            .starts_with("::error file=tests/fixtures/plans/tangshan-city-2023.plan.toml,line="),
        "errors first"
    );
    assert!(lines
        .iter()
        .all(|l| !l.starts_with("::") || !l.contains('\n')));
    assert!(
        text.contains("%0A依据："),
        "newlines in messages are escaped"
    );
    assert!(text.contains("title=common/work-points-lead::"));
    assert!(text.contains("more finding(s) are not shown as annotations"));
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(markdown.starts_with("## planlint"));
    assert_eq!(
        markdown
            .lines()
            .filter(|l| l.starts_with("| tests/"))
            .count(),
        30,
        "every finding is in the summary"
    );
}

#[test]
fn one_run_writes_the_log_and_the_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("findings.sarif");
    let json = dir.path().join("findings.json");
    let out = planlint(
        &[
            "check",
            "--format",
            "human",
            "--output-file",
            &format!("sarif={}", sarif.display()),
            "--output-file",
            &format!("json={}", json.display()),
            "tests/fixtures/plans/changzhi-city-2021-2025.plan.toml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("checked 1 file"));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert!(sarif_validator().is_valid(&log));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(value["version"], 2);
    let bad = planlint(
        &[
            "check",
            "--output-file",
            "xml=out.xml",
            "tests/fixtures/plans",
        ],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
}

/// `--output-file sarif=/dev/stdout` and the like must write through the device or pipe. Renaming
/// a temporary file over it instead (right for regular files) turned the path into a regular file;
/// as root, on `/dev/null`, that breaks every later program that reads it. A named pipe stands in
/// for the device here, since a regression must not damage the machine running the test.
#[cfg(unix)]
#[test]
fn an_artifact_written_to_a_pipe_goes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("findings.sarif");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = planlint(
        &[
            "check",
            "--output-file",
            &format!("sarif={}", fifo.display()),
            "tests/fixtures/plans/changzhi-city-2021-2025.plan.toml",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert!(sarif_validator().is_valid(&log));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn json_escapes_every_control_character() {
    let dir = tempfile::tempdir().unwrap();
    let controls: String = (1u8..=0x1F)
        .map(char::from)
        .filter(|c| *c != '\n' && *c != '\r')
        .collect();
    // A TOML basic string may hold the control characters only escaped; the loaded value holds
    // them raw, and the unit-name finding's label quotes it.
    let escaped: String = controls
        .chars()
        .map(|c| format!("\\u{:04X}", c as u32))
        .collect();
    let plan = format!(
        "[plan]\ntitle = \"t\"\nkind = \"implementation\"\nlevel = \"district\"\nperiod = [2021, 2025]\n\n[[actions]]\nname = \"青少年科学素质提升行动\"\nlead = [\"区教体局\"]\n\n[[projects]]\nname = \"科普基础设施工程\"\nlead = [\"区教育局{escaped}\"]\n"
    );
    let path = dir.path().join("controls.plan.toml");
    std::fs::write(&path, plan).unwrap();
    let out = planlint(&["check", "--format", "json", path.to_str().unwrap()], &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.chars().any(|c| (c as u32) < 0x20 && c != '\n'),
        "no raw control character in the JSON"
    );
    let value: serde_json::Value = serde_json::from_str(&text).expect("parses");
    let labels: Vec<&str> = value["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(labels.iter().any(|l| l.contains(&controls)), "{labels:?}");
}

#[test]
fn every_fixture_validates_against_the_printed_schema() {
    let out = planlint(&["schema"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut dirs = common::VERDICT_PLAN_DIRS.to_vec();
    dirs.push("examples");
    let files = common::plan_files(&dirs);
    assert!(files.len() > 20);
    for path in files {
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let json = planlint::plan::toml_to_json(value);
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    // And the schema rejects what the loader rejects.
    let bad = serde_json::json!({ "plan": { "title": "t", "kind": "plan", "level": "city", "period": [2021, 2025] } });
    assert!(!validator.is_valid(&bad));
}
