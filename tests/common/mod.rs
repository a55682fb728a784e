//! Helpers shared by the integration tests: running the real binary and finding the fixtures.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root, where the fixtures and packs are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, run in `dir`, without colour and outside any GitHub step.
pub fn command_in(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planlint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Run the binary in `dir`.
pub fn planlint_in(args: &[&str], dir: &Path) -> Output {
    command_in(args, dir).output().expect("the binary runs")
}

/// Run the binary in the crate's root.
pub fn planlint(args: &[&str]) -> Output {
    planlint_in(args, root())
}

/// Every `*.plan.toml` in these folders of the crate, sorted.
pub fn plan_files(dirs: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(root().join(dir)).expect("the folder exists") {
            let path = entry.expect("the folder is readable").path();
            if path.to_string_lossy().ends_with(".plan.toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The plans with known verdicts: the seed fixtures and every pack test plan.
pub const VERDICT_PLAN_DIRS: &[&str] = &[
    "tests/fixtures/plans",
    "rules/national/tests",
    "rules/provinces/tests",
];

/// A minimal .docx: word/document.xml with one paragraph per line; lines that start "N." are
/// written as automatically numbered paragraphs (their number not in the text), as Word does.
pub fn write_docx(path: &Path, text: &str) {
    use std::io::Write;
    let mut body = String::new();
    for line in text.lines() {
        let numbered = line.split_once('.').filter(|(n, _)| {
            !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit())
        });
        let (props, content) = match numbered {
            Some((n, rest)) => (
                format!("<w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{}\"/></w:numPr></w:pPr>", 100 + n.len()),
                rest,
            ),
            None => (String::new(), line),
        };
        let escaped = content
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        body.push_str(&format!(
            "<w:p>{props}<w:r><w:t xml:space=\"preserve\">{escaped}</w:t></w:r></w:p>"
        ));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// A whole county-level plan (after the 溧阳市 plan) whose actions name their units in `forms`
/// ("heading", "inline", "lines", "bare", "prose"; one per action, in order),
/// its actions grouped under （一）实施五大提升行动 and its projects written as numbered tasks.
pub fn liyang_plan(forms: [&str; 5], dash: &str) -> String {
    let actions = [
        (
            "青少年科学素质提升行动",
            "激发青少年好奇心和想象力，增强科学兴趣、创新意识和创新能力。",
        ),
        (
            "农民科学素质提升行动",
            "围绕乡村振兴，开展农业技术培训和农村科普活动。",
        ),
        (
            "产业工人科学素质提升行动",
            "开展职业技能培训和技术比武，提升产业工人科学素质。",
        ),
        (
            "老年人科学素质提升行动",
            "实施智慧助老行动，开展老年人健康科普和银龄科普。",
        ),
        (
            "领导干部和公务员科学素质提升行动",
            "将科学素质纳入干部教育培训内容，推动落实录用考察要求。",
        ),
    ];
    let mut text = format!(
        "溧阳市人民政府办公室关于印发溧阳市全民科学素质行动规划纲要实施方案的通知\n\
         各乡镇人民政府，县政府各部门：\n\
         现将《溧阳市全民科学素质行动规划纲要实施方案（2021{dash}2025年）》印发给你们，请认真贯彻执行。\n\
         溧阳市人民政府办公室\n2022年3月1日\n\
         溧阳市全民科学素质行动规划纲要实施方案（2021{dash}2025年）\n\
         为贯彻落实《国务院关于印发全民科学素质行动规划纲要（2021—2035年）的通知》（国发〔2021〕9号）精神，制定本方案。\n\
         一、主要目标\n\
         到2025年，全县公民具备科学素质的比例超过13%。\n\
         二、重点任务\n\
         （一）实施五大提升行动\n"
    );
    for (i, ((name, body), form)) in actions.iter().zip(forms).enumerate() {
        let n = i + 1;
        match form {
            "heading" => text.push_str(&format!(
                "{n}.{name}（牵头单位：县教育局、县科协；配合单位：团县委）。{body}\n"
            )),
            "inline" => text.push_str(&format!(
                "{n}.{name}。{body}牵头单位：县教育局、县科协；责任单位：团县委。\n"
            )),
            "lines" => text.push_str(&format!(
                "{n}.{name}。{body}\n牵头单位：县教育局、县科协\n责任单位：团县委\n"
            )),
            "bare" => text.push_str(&format!("{n}.{name}。{body}（县教育局、县科协）\n")),
            "prose" => text.push_str(&format!(
                "{n}.{name}。{body}\n分工：由县教育局、县科协牵头，团县委等单位参加。\n"
            )),
            other => panic!("unknown form {other}"),
        }
    }
    text.push_str(
        "（二）实施五项重点工程\n\
         6.推动科技资源科普化。推动科技设施开放，开展科技工作者科普活动。（县科技局、县科协负责）\n\
         7.实施科普信息化提升工程。推动科普内容创作，建设县级科普融媒体平台。（县融媒体中心、县科协负责）\n\
         8.实施科普基础设施工程。建设县科技馆，完善基层科普场所。（县发展改革委、县科协负责）\n\
         9.实施基层科普能力提升工程。建设科技志愿服务队伍，开展科普进社区活动。（县科协、县民政局负责）\n\
         10.实施科学素质国际交流合作工程。开展科普交流活动，拓展合作渠道。（县科协负责）\n\
         三、组织实施\n\
         （一）加强组织领导。县人民政府负责领导本方案实施工作，将其纳入国民经济和社会发展规划，列入年度工作计划，纳入目标考核。县科协牵头组织实施。\n\
         （二）完善工作机制。健全监测评估机制，定期开展督促检查。\n\
         （三）强化条件保障。落实科普经费，加强科普人才队伍建设。\n",
    );
    text
}
