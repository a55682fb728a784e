//! Layout invariance, as a property: one compliant plan written in any combination of the
//! notations real documents use — each lead-unit form, the numbering of its headings and items
//! (一、/第一部分, （一）/(一), 1./1、/１．), full- or half-width punctuation, the dash of its years,
//! CRLF line ends, lines wrapped at a PDF page's width, GBK or .docx — imports to the same plan
//! (leads as sets, targets, names) and gets the same findings.

mod common;

use std::collections::BTreeSet;

use common::{liyang_plan, planlint_in, write_docx};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// How a variant is written.
#[derive(Clone, Debug)]
struct Layout {
    units: [&'static str; 5],
    dash: &'static str,
    /// 0: 一、 （一） 1.   1: 一、 (一) 1、   2: 第一部分 （一） １．   3: actions and projects
    /// as （一）… headings of two parts of their own (二、实施五大提升行动 / 三、实施五项重点工程)
    numbering: u8,
    crlf: bool,
    /// Wrap lines at this many characters, as PDF extraction breaks them.
    wrap: Option<usize>,
    /// 0: UTF-8 .txt   1: GBK .txt   2: .docx
    container: u8,
}

const UNIT_FORMS: [&str; 5] = ["heading", "inline", "lines", "bare", "prose"];
const DASHES: [&str; 5] = ["—", "-", "－", "―", "～"];

fn layouts() -> impl Strategy<Value = Layout> {
    (
        proptest::array::uniform5(0usize..5),
        0usize..DASHES.len(),
        0u8..4,
        any::<bool>(),
        prop_oneof![Just(None), (24usize..40).prop_map(Some)],
        0u8..3,
    )
        .prop_map(|(units, dash, numbering, crlf, wrap, container)| Layout {
            units: units.map(|i| UNIT_FORMS[i]),
            dash: DASHES[dash],
            numbering,
            crlf,
            wrap,
            container,
        })
}

const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// The plan's text in a layout.
fn written(layout: &Layout) -> String {
    let mut text = liyang_plan(layout.units, layout.dash);
    match layout.numbering {
        1 => {
            for n in CN {
                text = text.replace(&format!("（{n}）"), &format!("({n})"));
            }
            for n in (1..=10).rev() {
                text = text.replace(&format!("\n{n}."), &format!("\n{n}、"));
            }
        }
        2 => {
            for n in CN.iter().take(3) {
                text = text.replace(&format!("\n{n}、"), &format!("\n第{n}部分　"));
            }
            for n in (1..=10).rev() {
                let wide: String = n
                    .to_string()
                    .chars()
                    .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
                    .collect();
                text = text.replace(&format!("\n{n}."), &format!("\n{wide}．"));
            }
        }
        3 => {
            text = text
                .replace(
                    "二、重点任务\n（一）实施五大提升行动\n",
                    "二、实施五大提升行动\n",
                )
                .replace("（二）实施五项重点工程\n", "三、实施五项重点工程\n")
                .replace("三、组织实施\n", "四、组织实施\n");
            for (n, cn) in CN.iter().enumerate().take(5) {
                text = text.replace(&format!("\n{}.", n + 1), &format!("\n（{cn}）"));
                text = text.replace(&format!("\n{}.", n + 6), &format!("\n（{cn}）"));
            }
        }
        _ => {}
    }
    if let Some(width) = layout.wrap {
        text = text
            .lines()
            .map(|line| {
                let chars: Vec<char> = line.chars().collect();
                chars
                    .chunks(width)
                    .map(|c| c.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    if layout.crlf {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// What a reader compares: each action's and project's lead set, the targets, the sections'
/// names; and the findings as (code, severity).
type Reading = (
    BTreeSet<(String, BTreeSet<String>)>,
    BTreeSet<String>,
    BTreeSet<(String, String)>,
);

fn read(layout: &Layout) -> Reading {
    let dir = tempfile::tempdir().unwrap();
    let text = written(layout);
    let name = match layout.container {
        1 => {
            let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
            assert!(!unmappable);
            std::fs::write(dir.path().join("plan.txt"), gbk).unwrap();
            "plan.txt"
        }
        2 => {
            write_docx(&dir.path().join("plan.docx"), &text.replace("\r\n", "\n"));
            "plan.docx"
        }
        _ => {
            std::fs::write(dir.path().join("plan.txt"), &text).unwrap();
            "plan.txt"
        }
    };
    let imported = planlint_in(&["import", "--stdout", name], dir.path());
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{layout:?}: {}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let plan: toml::Table = toml::from_str(&String::from_utf8_lossy(&imported.stdout)).unwrap();
    let strings = |v: Option<&toml::Value>| -> BTreeSet<String> {
        v.and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let mut sections = BTreeSet::new();
    for kind in ["actions", "projects"] {
        for s in plan
            .get(kind)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let name = s
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned();
            let mut lead = strings(s.get("lead"));
            for m in s
                .get("measures")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                lead.extend(strings(m.get("lead")));
            }
            sections.insert((name, lead));
        }
    }
    let targets: BTreeSet<String> = plan
        .get("targets")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{}{}{}",
                t["indicator"],
                t["value"],
                t.get("year").map_or(String::new(), |y| y.to_string())
            )
        })
        .collect();
    let check = planlint_in(&["check", "--format", "json", name], dir.path());
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let mut findings = BTreeSet::new();
    for file in report["files"].as_array().into_iter().flatten() {
        for f in file["findings"].as_array().into_iter().flatten() {
            findings.insert((
                f["code"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    (sections, targets, findings)
}

fn baseline() -> &'static Reading {
    static BASE: std::sync::OnceLock<Reading> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        read(&Layout {
            units: ["heading"; 5],
            dash: "—",
            numbering: 0,
            crlf: false,
            wrap: None,
            container: 0,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 40,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(env!("CARGO_TARGET_TMPDIR"), "/layout.proptest-regressions")))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_compliant_plan_reads_the_same_in_every_layout(layout in layouts()) {
        let (sections, targets, findings) = read(&layout);
        let (base_sections, base_targets, base_findings) = baseline();
        prop_assert_eq!(&sections, base_sections, "sections and leads in {:?}", layout);
        prop_assert_eq!(&targets, base_targets, "targets in {:?}", layout);
        prop_assert_eq!(&findings, base_findings, "findings in {:?}", layout);
        prop_assert!(!findings.iter().any(|(_, s)| s == "error"), "errors in {:?}", layout);
    }
}
