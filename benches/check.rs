//! Benchmarks, each against a baseline measured in the same run (see docs/BENCHMARKS.md).
//!
//! cargo bench --bench check

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use planlint::rules::Registry;
use planlint::source::SourceFile;
use planlint::Checker;

const ACTIONS: [&str; 5] = [
    "青少年科学素质提升行动",
    "农民科学素质提升行动",
    "产业工人科学素质提升行动",
    "老年人科学素质提升行动",
    "领导干部和公务员科学素质提升行动",
];
const PROJECTS: [&str; 4] = [
    "科技资源科普化工程",
    "科普信息化提升工程",
    "科普基础设施工程",
    "基层科普能力提升工程",
];

/// A plan with `measures` measures under each action and project (3 is about a real plan).
fn plan_text(measures: usize) -> String {
    let mut s = String::from("[plan]\ntitle = \"某区全民科学素质行动规划纲要实施方案\"\nkind = \"implementation\"\nlevel = \"district\"\nregion = [\"某省\", \"某市\", \"某区\"]\nperiod = [2021, 2025]\nbasis = [\"国发〔2021〕9号\"]\n\n[[targets]]\nindicator = \"公民具备科学素质的比例\"\nrelation = \"above\"\nvalue = 16\nunit = \"%\"\nyear = 2025\n");
    for (key, names) in [("actions", &ACTIONS[..]), ("projects", &PROJECTS[..])] {
        for name in names {
            s.push_str(&format!("\n[[{key}]]\nname = \"{name}\"\nlead = [\"区教体局\", \"区科协\"]\npartners = [\"区科工局\", \"人社局\", \"区妇联\", \"区气象局\"]\n"));
            for m in 0..measures {
                s.push_str(&format!(
                    "\n  [[{key}.measures]]\n  title = \"第{m}项措施：加强科普基础设施建设，提升基层科普服务能力\"\n  text = \"推进科普资源共建共享，鼓励乡镇（街道）和村（社区）建设具有科普教育功能的综合服务设施。\"\n  partners = [\"区财政局\", \"农业农村局\"]\n\n    [[{key}.measures.targets]]\n    indicator = \"科普培训\"\n    value = {m}\n    unit = \"人次\"\n    year = 2025\n"
                ));
            }
        }
    }
    s.push_str("\n[[safeguards]]\nname = \"加强组织领导\"\n\n[[safeguards]]\nname = \"健全长效机制\"\n\n[[safeguards]]\nname = \"完善保障条件\"\n");
    s
}

fn builtin() -> &'static Registry {
    Registry::builtin().as_ref().expect("built-in packs load")
}

/// Editor path: re-check one ~100 KB plan after an edit, packs already loaded; the baseline is
/// parsing the same text with the `toml` crate.
fn editor(c: &mut Criterion) {
    let text = plan_text(26);
    assert!(
        (90_000..130_000).contains(&text.len()),
        "{} bytes",
        text.len()
    );
    let checker = Checker::new(builtin());
    let mut g = c.benchmark_group("editor-100kb");
    g.bench_function("baseline: toml parse", |b| {
        b.iter(|| toml::de::DeTable::parse(black_box(&text)).map(|t| t.get_ref().len()))
    });
    g.bench_function("planlint: load + check", |b| {
        b.iter(|| check_text(&checker, black_box(&text)))
    });
    g.finish();
}

/// Load and check one plan's text, as the editor does on each change.
fn check_text(checker: &Checker, text: &str) -> usize {
    planlint::check_source(SourceFile::new("p.plan.toml", text.to_owned()), checker)
        .findings
        .len()
}

/// Start-up: parsing and resolving the built-in packs, against checking one plan-sized file.
fn startup(c: &mut Criterion) {
    let text = plan_text(3);
    let checker = Checker::new(builtin());
    let mut g = c.benchmark_group("startup");
    g.bench_function("load the built-in packs", |b| {
        b.iter(|| Registry::with_builtin(Vec::new()).map(|r| r.packs().count()))
    });
    g.bench_function("check one plan (packs loaded)", |b| {
        b.iter(|| check_text(&checker, black_box(&text)))
    });
    g.finish();
}

/// Scaling with plan size (measures per section) and with rule count.
fn scaling(c: &mut Criterion) {
    let checker = Checker::new(builtin());
    let mut g = c.benchmark_group("scaling-plan-size");
    for factor in [1usize, 10, 100] {
        let text = plan_text(3 * factor);
        g.bench_with_input(BenchmarkId::new("toml parse", factor), &text, |b, t| {
            b.iter(|| toml::de::DeTable::parse(t).map(|t| t.get_ref().len()))
        });
        g.bench_with_input(BenchmarkId::new("planlint", factor), &text, |b, t| {
            b.iter(|| {
                planlint::check_source(SourceFile::new("p.plan.toml", t.clone()), &checker)
                    .findings
                    .len()
            })
        });
    }
    g.finish();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let peer = std::fs::read_to_string(root.join("benches/peer.rules")).unwrap();
    let (head, rules) = peer.split_at(peer.find("rule youth-action").unwrap());
    let text = plan_text(3);
    let mut g = c.benchmark_group("scaling-rule-count");
    for factor in [1usize, 10] {
        let mut pack = head.to_owned();
        for copy in 0..factor {
            pack.push_str(&rules.replace("rule ", &format!("rule c{copy}-")));
        }
        let registry = Registry::from_sources(vec![SourceFile::new("peer.rules", pack)]).unwrap();
        let forced = vec![Arc::clone(registry.get("peer").unwrap())];
        let checker = Checker {
            registry: &registry,
            forced,
            config: Default::default(),
            coverage: false,
        };
        g.bench_with_input(BenchmarkId::new("planlint", factor * 13), &text, |b, t| {
            b.iter(|| {
                planlint::check_source(SourceFile::new("p.plan.toml", t.clone()), &checker)
                    .findings
                    .len()
            })
        });
    }
    g.finish();
}

/// The same requirements in Rego (regorus) and in planlint, over the four fixture plans. Rego
/// gets its input as JSON already converted (the conversion is not timed); planlint starts from
/// the TOML text.
fn peer(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let names = [
        "mengjin-district-2021-2025",
        "changzhi-city-2021-2025",
        "tangshan-city-2023",
        "pingdingshan-city-2017",
    ];
    let texts: Vec<String> = names
        .iter()
        .map(|n| {
            std::fs::read_to_string(root.join(format!("tests/fixtures/plans/{n}.plan.toml")))
                .unwrap()
        })
        .collect();
    let jsons: Vec<String> = texts
        .iter()
        .map(|t| planlint::plan::toml_to_json(toml::from_str(t).unwrap()).to_string())
        .collect();
    let pack = SourceFile::new(
        "peer.rules",
        std::fs::read_to_string(root.join("benches/peer.rules")).unwrap(),
    );
    let registry = Registry::from_sources(vec![pack]).unwrap();
    let forced = vec![Arc::clone(registry.get("peer").unwrap())];
    let checker = Checker {
        registry: &registry,
        forced,
        config: Default::default(),
        coverage: false,
    };
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "peer.rego".into(),
            std::fs::read_to_string(root.join("benches/peer.rego")).unwrap(),
        )
        .unwrap();
    let mut g = c.benchmark_group("peer-4-fixtures");
    g.bench_function("regorus: eval", |b| {
        b.iter(|| {
            let mut n = 0;
            for j in &jsons {
                engine.set_input_json(j).unwrap();
                n += engine
                    .eval_rule("data.planlint.violations".into())
                    .unwrap()
                    .as_set()
                    .map(|s| s.len())
                    .unwrap_or(0);
            }
            n
        })
    });
    g.bench_function("planlint: load + check", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    planlint::check_source(SourceFile::new("p.plan.toml", t.clone()), &checker)
                        .findings
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

/// Document import against its floor, on the same bytes: the floor decodes (encoding_rs, as the
/// reader does; for a .docx, after unzipping word/document.xml) and splits lines; import reads
/// the document (decoding, or unzipping and XML for .docx, or the compound file for .doc, or
/// parsing a web page) and builds the plan. Throughput in bytes of the file.
fn import(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vocabulary = planlint::import::Vocabulary::from_registry(builtin());
    let files = [
        ("txt", "tests/fixtures/texts/changzhi-city-2021-2025.txt"),
        ("docx", "tests/fixtures/doc/changzhi-city-2021-2025.docx"),
        ("doc", "tests/fixtures/doc/changzhi-city-2021-2025.doc"),
        ("html", "tests/fixtures/html/changzhi-city-2021-2025.html"),
    ];
    let mut g = c.benchmark_group("import-changzhi");
    for (kind, path) in files {
        let Ok(bytes) = std::fs::read(root.join(path)) else {
            continue;
        };
        let name = path.rsplit('/').next().unwrap_or(path).to_owned();
        g.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("floor: decode + lines", kind),
            &bytes,
            |b, bytes| b.iter(|| decoded(kind, black_box(bytes), |text| text.lines().count())),
        );
        // What any reader of the text's characters pays at least, each decoded and tested
        // once: how much of the import target (3x the floor above) such reading leaves.
        g.bench_with_input(
            BenchmarkId::new("scan: decode + every character", kind),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    decoded(kind, black_box(bytes), |text| {
                        text.chars().filter(char::is_ascii_digit).count()
                    })
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("planlint: read + import", kind),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    let document =
                        planlint::import::read_document(&name, black_box(bytes)).unwrap();
                    let (text, structure) = planlint::import::Structure::of(document);
                    let source = SourceFile::new(&name, text);
                    planlint::import::import_document(&source, &structure, &vocabulary)
                        .map(|i| i.plan.actions.items.len())
                        .unwrap_or(0)
                })
            },
        );
    }
    g.finish();
}

/// `f` of the text a floor decodes: the file's bytes, or for a .docx its document.xml.
fn decoded(kind: &str, bytes: &[u8], f: impl Fn(&str) -> usize) -> usize {
    if kind == "docx" {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = Vec::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_end(&mut xml)
            .unwrap();
        let (text, _, _) = encoding_rs::UTF_8.decode(&xml);
        return f(&text);
    }
    let (text, _, _) = encoding_rs::UTF_8.decode(bytes);
    f(&text)
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = editor, startup, scaling, peer, import
}
criterion_main!(benches);
