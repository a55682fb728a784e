//! The registry of provincial plans (`rules/provinces/registry.toml`): for each provincial-level
//! region whose implementation plan no pack encodes, what is known of that plan and where it was
//! seen. A province with a pack is described by the pack itself (its header and comments); the
//! registry holds the rest, so that a plan of any province is told what planlint knows of its
//! province's rules.

use serde::Deserialize;

/// The registry as built in.
const DATA: &str = include_str!("../../rules/provinces/registry.toml");

/// What is known of one province's plan when no pack encodes it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProvinceEntry {
    /// The region as the gazetteer names it (江苏省, 内蒙古自治区).
    pub region: String,
    /// The plan's title, where it was seen (then it is cited, but its content is not known).
    #[serde(default)]
    pub title: Option<String>,
    /// What was found, in a sentence for the reader (Chinese).
    pub known: String,
    /// Where it was found.
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    /// The period of the plans the entries describe (the provinces' 2021—2025 plans).
    period: (i64, i64),
    province: Vec<ProvinceEntry>,
}

/// The built-in registry, read once. It is part of the build: a malformed file fails the
/// tests, never a user's run.
pub fn builtin() -> &'static [ProvinceEntry] {
    &file().province
}

/// The period of the plans the registry's entries describe: a plan of a later period is told
/// that its province's plan for its years is not known, whatever the entry says of the earlier.
pub fn period() -> (i64, i64) {
    file().period
}

fn file() -> &'static RegistryFile {
    static FILE: std::sync::OnceLock<RegistryFile> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        toml::from_str::<RegistryFile>(DATA).unwrap_or(RegistryFile {
            period: (0, 0),
            province: Vec::new(),
        })
    })
}

/// The entry for a region, if the registry has one.
pub fn entry(region: &str) -> Option<&'static ProvinceEntry> {
    builtin().iter().find(|e| e.region == region)
}

/// What planlint knows of one region's plan: its packs (most recent first), or its entry.
#[derive(Debug)]
pub struct ProvinceStatus {
    pub region: &'static str,
    pub packs: Vec<std::sync::Arc<crate::rules::ResolvedPack>>,
    pub entry: Option<&'static ProvinceEntry>,
}

/// Every region of [`REGIONS`], in that order, with its packs or its registry entry.
pub fn statuses(registry: &crate::rules::Registry) -> Vec<ProvinceStatus> {
    REGIONS
        .iter()
        .map(|region| {
            let mut packs: Vec<_> = registry
                .packs()
                .filter(|p| !p.is_abstract && p.region.as_deref() == Some(*region))
                .cloned()
                .collect();
            packs.sort_by(|a, b| b.period.cmp(&a.period).then(a.id.cmp(&b.id)));
            ProvinceStatus {
                region,
                packs,
                entry: entry(region),
            }
        })
        .collect()
}

/// Every provincial-level region with what planlint knows of its plan for the registry's period
/// (2021—2025) and for the next (2026—2030): the pack that applies, or what the registry says, or
/// that it is not known. For `planlint rules`.
pub fn table(registry: &crate::rules::Registry) -> String {
    let (first, last) = period();
    let next = (last + 1, last + (last - first + 1));
    let mut out = format!(
        "provincial plans ({} regions) for {first}—{last} and {}—{}: the pack that applies, or what rules/provinces/registry.toml knows:\n",
        REGIONS.len(),
        next.0,
        next.1
    );
    let indent = " ".repeat(19);
    for status in statuses(registry) {
        let region = status.region;
        // Chinese region names are two columns wide each: pad by display width.
        let pad = " ".repeat(16usize.saturating_sub(2 * region.chars().count()));
        let covering = |(a, b): (i64, i64)| -> Vec<&std::sync::Arc<crate::rules::ResolvedPack>> {
            status
                .packs
                .iter()
                .filter(|p| p.period.0 <= b && p.period.1 >= a)
                .collect()
        };
        let describe = |p: &crate::rules::ResolvedPack| {
            let mut s = format!("{} {}", p.id, p.reference());
            if !p.unknown.is_empty() {
                s.push_str(&format!("；未知：{}", p.unknown.join("、")));
            }
            s
        };
        let current = match (&covering((first, last))[..], status.entry) {
            ([], Some(entry)) => format!("no pack: {}", entry.known),
            ([], None) => "no pack".to_owned(),
            (packs, _) => packs
                .iter()
                .map(|p| describe(p))
                .collect::<Vec<_>>()
                .join("；"),
        };
        let later = match &covering(next)[..] {
            [] => "未收录（no pack）".to_owned(),
            packs => packs
                .iter()
                .map(|p| {
                    if p.period.0 <= last {
                        format!("{}（规划期{}—{}年，仍适用）", p.id, p.period.0, p.period.1)
                    } else {
                        describe(p)
                    }
                })
                .collect::<Vec<_>>()
                .join("；"),
        };
        out.push_str(&format!(
            "  {region}{pad} {first}—{last}: {current}\n{indent}{}—{}: {later}\n",
            next.0, next.1
        ));
    }
    out
}

/// The provincial-level regions the registry must cover: the 31 of the mainland and the
/// 新疆生产建设兵团, which issues plans of its own.
pub const REGIONS: &[&str] = &[
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "新疆生产建设兵团",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Registry;

    #[test]
    fn the_registry_parses() {
        toml::from_str::<RegistryFile>(DATA).expect("rules/provinces/registry.toml parses");
        assert!(!builtin().is_empty());
    }

    /// Every region has a pack or a registry entry, never both (the pack says it all), and
    /// every entry names a region of the list.
    #[test]
    fn every_province_has_a_pack_or_an_entry() {
        let registry = Registry::builtin().as_ref().expect("built-in packs load");
        let statuses = statuses(registry);
        assert_eq!(statuses.len(), 32);
        for s in &statuses {
            assert!(
                s.packs.is_empty() != s.entry.is_none(),
                "{}: packs {:?}, registry entry {:?} — exactly one of them",
                s.region,
                s.packs.iter().map(|p| &p.id).collect::<Vec<_>>(),
                s.entry
            );
        }
        for e in builtin() {
            assert!(
                REGIONS.contains(&e.region.as_str()),
                "unknown region {}",
                e.region
            );
            assert!(
                builtin().iter().filter(|o| o.region == e.region).count() == 1,
                "{} twice",
                e.region
            );
            assert!(
                !e.sources.is_empty() || e.known.contains("未找到"),
                "{}: no source",
                e.region
            );
            if e.region != "新疆生产建设兵团" {
                assert!(crate::gazetteer::is_province(&e.region), "{}", e.region);
            }
        }
    }
}
