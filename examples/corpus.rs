//! A seeded, deterministic corpus of realistic plans for benchmarks and robustness tests: the
//! four fixture plans varied — actions and projects dropped, lead units and targets removed,
//! names reworded, measures multiplied, regions and periods changed.
//!
//! cargo run --release --example corpus -- COUNT DIR [SEED] [GROWTH]
//! GROWTH multiplies each plan's measures (1 = as the fixtures; 10 and 100 for scaling runs).

use std::path::PathBuf;

use toml::{Table, Value};

const FIXTURES: [&str; 4] = [
    include_str!("../tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
    include_str!("../tests/fixtures/plans/changzhi-city-2021-2025.plan.toml"),
    include_str!("../tests/fixtures/plans/tangshan-city-2023.plan.toml"),
    include_str!("../tests/fixtures/plans/pingdingshan-city-2017.plan.toml"),
];

/// xorshift64*: small, seeded, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn vary(base: &Table, rng: &mut Rng, growth: usize) -> Table {
    let mut plan = base.clone();
    for key in ["actions", "projects"] {
        let Some(Value::Array(items)) = plan.get_mut(key) else {
            continue;
        };
        items.retain(|_| !rng.chance(8));
        for item in items.iter_mut() {
            let Value::Table(section) = item else {
                continue;
            };
            if rng.chance(10) {
                section.remove("lead");
            }
            if rng.chance(15) {
                if let Some(Value::String(name)) = section.get_mut("name") {
                    *name = format!("深入实施{name}");
                }
            }
            if let Some(Value::Array(measures)) = section.get_mut("measures") {
                let original = measures.clone();
                for round in 1..growth {
                    for m in &original {
                        let mut m = m.clone();
                        if let Value::Table(t) = &mut m {
                            if let Some(Value::String(title)) = t.get_mut("title") {
                                *title = format!("{title}（{round}）");
                            }
                        }
                        measures.push(m);
                    }
                }
                for m in measures.iter_mut() {
                    if let Value::Table(t) = m {
                        if rng.chance(10) {
                            t.remove("targets");
                        }
                    }
                }
            }
        }
    }
    if rng.chance(10) {
        plan.remove("targets");
    }
    if let Some(Value::Table(meta)) = plan.get_mut("plan") {
        if rng.chance(30) {
            let region = ["河南省", "河北省", "山西省", "某省"][rng.below(4) as usize];
            meta.insert(
                "region".into(),
                Value::Array(vec![
                    Value::String(region.into()),
                    Value::String("某市".into()),
                ]),
            );
        }
    }
    plan
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: corpus COUNT DIR [SEED] [GROWTH]";
    let count: usize = args.first().and_then(|a| a.parse().ok()).expect(usage);
    let dir = PathBuf::from(args.get(1).expect(usage));
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2021);
    let growth: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let bases: Vec<Table> = FIXTURES
        .iter()
        .map(|f| f.parse::<Table>().expect("fixtures parse"))
        .collect();
    let mut rng = Rng(seed.max(1));
    std::fs::create_dir_all(&dir).expect("create the corpus folder");
    let mut bytes = 0;
    for i in 0..count {
        let base = &bases[i % bases.len()];
        let plan = vary(base, &mut rng, growth);
        let text = toml::to_string(&plan).expect("plans serialise");
        bytes += text.len();
        let sub = dir.join(format!("{:03}", i / 100));
        std::fs::create_dir_all(&sub).expect("create a subfolder");
        std::fs::write(sub.join(format!("plan-{i:05}.plan.toml")), text).expect("write a plan");
    }
    eprintln!(
        "wrote {count} plans ({} KB) to {}",
        bytes / 1024,
        dir.display()
    );
}
