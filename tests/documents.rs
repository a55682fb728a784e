//! Documents written the way real local plans are (wordings varied from the seeds and from
//! published plans), checked as a reviewer would: `planlint check X.txt`. Compliant plans must
//! raise no error; each finding they do raise is pinned by a snapshot; a planted defect must
//! still be found; a text that is not a plan is refused and told what it looks like.

mod common;

use common::{planlint, planlint_in, root, write_docx};

const COMPLIANT: &[&str] = &[
    "xiping-county-2021-2025",
    "kaifeng-city-2021-2025",
    "gulou-district-2024-work-points",
    "qiannan-prefecture-2021-2025",
    "liuyang-county-city-2021-2025",
    "liyang-county-city-2021-2025",
];

fn document(name: &str) -> String {
    format!("tests/fixtures/documents/{name}.txt")
}

/// The plan file `planlint import` makes of a bundled document.
fn imported(name: &str) -> String {
    let out = planlint(&["import", "--stdout", &document(name)]);
    assert_eq!(out.status.code(), Some(0), "{name} imports");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The plan file `planlint import` makes of a text, and `planlint check`'s JSON of it.
fn import_and_check(text: &str) -> (String, Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.txt"), text).unwrap();
    let toml = planlint_in(&["import", "--stdout", "plan.txt"], dir.path());
    let check = planlint_in(&["check", "--format", "json", "plan.txt"], dir.path());
    (
        String::from_utf8_lossy(&toml.stdout).into_owned(),
        check.status.code(),
        String::from_utf8_lossy(&check.stdout).into_owned(),
    )
}

/// (rule id, label) of every finding of one document, from the JSON output.
fn findings(args: &[&str]) -> (Option<i32>, Vec<(String, String, String)>) {
    let out = planlint(args);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let mut found = Vec::new();
    for file in value["files"].as_array().into_iter().flatten() {
        for f in file["findings"].as_array().into_iter().flatten() {
            found.push((
                f["code"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["label"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    (out.status.code(), found)
}

#[test]
fn compliant_documents_raise_no_error() {
    for name in COMPLIANT {
        let path = document(name);
        let (code, found) = findings(&["check", "--format", "json", &path]);
        let errors: Vec<_> = found.iter().filter(|f| f.1 == "error").collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        assert_eq!(code, Some(0), "{name}");
        let listing: Vec<String> = found
            .iter()
            .map(|(c, s, l)| format!("{s:7} {c}: {l}"))
            .collect();
        insta::assert_snapshot!(format!("document-{name}"), listing.join("\n"));
    }
}

#[test]
fn a_county_that_names_no_province_is_placed_by_the_gazetteer() {
    let toml = imported("xiping-county-2021-2025");
    assert!(
        toml.contains(r#"region = ["河南省", "驻马店市", "西平县"]"#),
        "{toml}"
    );
    assert!(toml.contains(r#"level = "district""#), "{toml}");
    // The goal “力争…达到１２％左右” keeps its bound and its hedge as written.
    assert!(toml.contains(r#"bound = "达到…左右""#), "{toml}");
    assert!(toml.contains(r#"hedge = "力争""#), "{toml}");
}

#[test]
fn the_science_literacy_plan_is_taken_from_a_notice_that_issues_two() {
    let toml = imported("kaifeng-city-2021-2025");
    assert!(
        toml.contains("title = \"开封市全民科学素质行动规划纲要实施方案\""),
        "{toml}"
    );
    assert!(toml.contains("period = [2021, 2025]"), "{toml}");
}

#[test]
fn an_autonomous_prefecture_written_short_and_pdf_brackets_are_read() {
    let toml = imported("qiannan-prefecture-2021-2025");
    // 黔南州 is 黔南布依族苗族自治州; the title and its period run over two lines; 国发„2021‟9号
    // is the outline's number in a PDF's brackets; headings run on into their paragraphs.
    assert!(
        toml.contains(r#"region = ["贵州省", "黔南布依族苗族自治州"]"#),
        "{toml}"
    );
    assert!(toml.contains(r#"basis = ["国发„2021‟9号""#), "{toml}");
    assert!(
        toml.contains(r#"name = "青少年科学素质提升行动""#),
        "{toml}"
    );
}

#[test]
fn actions_numbered_as_items_are_actions_with_their_leads() {
    let toml = imported("liuyang-county-city-2021-2025");
    assert!(
        toml.contains(r#"region = ["湖南省", "长沙市", "浏阳市"]"#),
        "{toml}"
    );
    assert!(toml.contains(r#"level = "district""#), "{toml}");
    let youth = toml
        .find(r#"name = "青少年科学素质提升行动""#)
        .expect("an action");
    assert!(
        toml[youth..].contains(r#"lead = ["市教育局", "市科协"]"#),
        "{toml}"
    );
    // “达到16%，力争与长沙市同步”: the 力争 qualifies another aim, not the 16 %.
    let goal = toml.find("value = 16").expect("the goal");
    assert!(!toml[goal..youth].contains("hedge"), "{toml}");
}

/// A bundled document's text.
fn text_of(name: &str) -> String {
    std::fs::read_to_string(root().join(document(name))).unwrap()
}

/// The text less the part from `from` up to `to`.
fn without(text: &str, from: &str, to: &str) -> String {
    let start = text.find(from).expect("the part to cut");
    let end = text.find(to).expect("where the cut ends");
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn items_numbered_below_an_action_item_are_its_measures() {
    let text = text_of("liuyang-county-city-2021-2025");
    let item = "1.青少年科学素质提升行动。完善学校科学教育，每年举办青少年科技创新大赛。（市教育局、市科协牵头）";
    let nested = "1.青少年科学素质提升行动\n(1)完善学校科学教育。（市教育局、市科协牵头）\n(2)到2025年建成科技创新示范校20所。（市教育局牵头）";
    assert!(text.contains(item));
    let (toml, _, _) = import_and_check(&text.replace(item, nested));
    let youth = toml
        .find(r#"name = "青少年科学素质提升行动""#)
        .expect("the action");
    let next = youth
        + toml[youth..]
            .find(r#"name = "农民科学素质提升行动""#)
            .expect("the next");
    let action = &toml[youth..next];
    assert_eq!(
        action.matches("[[actions.measures]]").count(),
        2,
        "{action}"
    );
    assert!(
        action.contains(r#"indicator = "科技创新示范校""#),
        "{action}"
    );
}

#[test]
fn a_place_name_several_places_share_is_decided_by_the_cited_plan_or_left_open() {
    // 鼓楼区 is in Nanjing, Xuzhou, Fuzhou and Kaifeng; this plan cites Henan's plan.
    let gulou = text_of("kaifeng-city-2021-2025")
        .replace("开封市", "鼓楼区")
        .replace("汴政办", "鼓政办");
    let (toml, _, _) = import_and_check(&gulou);
    assert!(
        toml.contains(r#"region = ["河南省", "开封市", "鼓楼区"]"#),
        "{toml}"
    );
    // Without the citation nothing decides: no region, and the import says why.
    let (toml, _, _) = import_and_check(&without(&gulou, "和《河南省", "精神，结合我市实际"));
    assert!(!toml.contains("region = ["), "{toml}");
    assert!(toml.contains("“鼓楼区” names places in"), "{toml}");
}

#[test]
fn a_planted_defect_is_still_found() {
    let text = text_of("xiping-county-2021-2025");
    let (_, code, json) = import_and_check(&without(
        &text,
        "（四）老年人科学素质提升行动",
        "（五）领导干部",
    ));
    assert_eq!(code, Some(1));
    assert!(json.contains("national-2021/elderly-action"), "{json}");
    // A document is told what to write in it, not a TOML table to add.
    assert!(
        json.contains("在“提升行动”部分增加“老年人科学素质提升行动”"),
        "{json}"
    );
    assert!(!json.contains("[[actions]]"), "{json}");
}

#[test]
fn a_work_points_plan_with_no_item_for_a_group_misses_that_action() {
    // Item 4 is the only one that serves the elderly (智慧助老, 老年人健康科普).
    let text = text_of("gulou-district-2024-work-points");
    let (_, code, json) = import_and_check(&without(&text, "4.开展智慧助老", "5.将科学素质教育"));
    assert_eq!(code, Some(1));
    assert!(json.contains("national-2021/elderly-action"), "{json}");
    assert!(!json.contains("national-2021/youth-action"), "{json}");
}

#[test]
fn plans_titled_by_other_names_are_read() {
    // 实施意见 for an implementation plan; 工作计划 for a year's work points.
    let yijian = text_of("xiping-county-2021-2025").replace(
        "全民科学素质行动规划纲要实施方案",
        "贯彻落实全民科学素质行动规划纲要的实施意见",
    );
    let (toml, code, _) = import_and_check(&yijian);
    assert_eq!(code, Some(0), "{toml}");
    assert!(toml.contains(r#"kind = "implementation""#), "{toml}");
    let jihua = text_of("gulou-district-2024-work-points").replace("工作要点", "工作计划");
    let (toml, code, _) = import_and_check(&jihua);
    assert_eq!(code, Some(0), "{toml}");
    assert!(toml.contains(r#"kind = "work-points""#), "{toml}");
}

#[test]
fn a_news_report_is_refused_as_one() {
    let out = planlint(&["check", &document("news-article")]);
    assert_eq!(out.status.code(), Some(2));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("此文本看来是新闻报道"), "{text}");
}

/// The ways one text is written differently without changing what it says: indentation with
/// full-width spaces, full-width digits, ASCII brackets, CRLF, blank lines, 实施/深入 before
/// headings, GBK instead of UTF-8 (and, in the test, a .docx).
fn variants(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let lines = |f: &dyn Fn(&str) -> String| text.lines().map(f).collect::<Vec<_>>().join("\n");
    let full_width_digits = |l: &str| {
        l.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                c => c,
            })
            .collect()
    };
    let heading_prefix = |l: &str| {
        let numerals = ["（一）", "（二）", "（三）", "（四）", "（五）"];
        match numerals.iter().find(|n| l.starts_with(*n)) {
            Some(n) if l.contains("行动") || l.contains("工程") => {
                format!("{n}深入实施{}", l[n.len()..].trim_start_matches("实施"))
            }
            _ => l.to_owned(),
        }
    };
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    vec![
        ("indented", lines(&|l| format!("　　{l}")).into_bytes()),
        ("full-width digits", lines(&full_width_digits).into_bytes()),
        (
            "ASCII brackets",
            text.replace('（', "(").replace('）', ")").into_bytes(),
        ),
        ("CRLF", text.replace('\n', "\r\n").into_bytes()),
        ("blank lines", text.replace('\n', "\n\n").into_bytes()),
        ("实施 before headings", lines(&heading_prefix).into_bytes()),
        ("GBK", gbk.into_owned()),
    ]
}

#[test]
fn compliant_documents_stay_free_of_errors_however_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    // The two seeds that raise no error are compliant documents too.
    let seeds = [
        "tests/fixtures/texts/changzhi-city-2021-2025.txt".to_owned(),
        "tests/fixtures/texts/mengjin-district-2021-2025.txt".to_owned(),
    ];
    let paths = COMPLIANT.iter().map(|n| document(n)).chain(seeds);
    for name in paths {
        let text = std::fs::read_to_string(root().join(&name)).unwrap();
        for (how, bytes) in variants(&text) {
            let file = dir.path().join("plan.txt");
            std::fs::write(&file, &bytes).unwrap();
            let out = planlint_in(&["check", "--format", "json", "plan.txt"], dir.path());
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{name}, {how}: {stdout}");
        }
        // And as a Word file, its items numbered by Word rather than in the text.
        write_docx(&dir.path().join("plan.docx"), &text);
        let out = planlint_in(&["check", "--format", "json", "plan.docx"], dir.path());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}, .docx: {stdout}");
    }
}
