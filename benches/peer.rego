# The requirements of benches/peer.rules in Rego, evaluated with regorus over the same plans as
# JSON. `violations` is the set of rule names a plan breaks.
package planlint

import rego.v1

filler := ["实施", "开展", "深入", "大力", "全面", "持续", "着力", "推进", "加强", "强化"]

# Spaces and punctuation out, then the filler words (as planlint's name normaliser does).
norm(s) := out if {
	bare := regex.replace(s, `[\s\p{P}\p{S}]`, "")
	out := strings.replace_n({w: "" | some w in filler}, bare)
}

actions := {
	"youth-action": ["青少年科学素质提升行动", "青少年科学素质行动"],
	"farmers-action": ["农民科学素质提升行动", "农民科学素质行动"],
	"workers-action": ["产业工人科学素质提升行动", "产业工人科学素质行动"],
	"elderly-action": ["老年人科学素质提升行动", "老年人科学素质行动"],
	"cadres-action": ["领导干部和公务员科学素质提升行动", "领导干部和公务员科学素质行动"],
}

projects := {
	"resources-project": ["科技资源科普化工程"],
	"informatization-project": ["科普信息化提升工程", "科普信息化工程"],
	"infrastructure-project": ["科普基础设施工程"],
	"grassroots-project": ["基层科普能力提升工程", "基层科普能力工程"],
	"international-project": ["科学素质国际交流合作工程", "科学素质国际交流与合作工程", "国际交流合作工程"],
}

literacy := ["公民具备科学素质的比例", "公民科学素质水平"]

implementation if input.plan.kind == "implementation"

present(items, keys) if {
	some item in items
	n := norm(item.name)
	some k in keys
	contains(n, norm(k))
}

violations contains id if {
	some id, keys in actions
	not present(object.get(input, "actions", []), keys)
}

violations contains id if {
	implementation
	some id, keys in projects
	not present(object.get(input, "projects", []), keys)
}

literacy_2025 if {
	some t in object.get(input, "targets", [])
	t.year == 2025
	n := norm(t.indicator)
	some k in literacy
	contains(n, norm(k))
}

violations contains "literacy-2025" if {
	implementation
	input.plan.period[0] <= 2025
	input.plan.period[1] >= 2025
	not literacy_2025
}

has_lead(section) if {
	some u in object.get(section, "lead", [])
	trim_space(u) != ""
}

has_lead(section) if {
	some m in object.get(section, "measures", [])
	some u in object.get(m, "lead", [])
	trim_space(u) != ""
}

violations contains "section-lead" if {
	implementation
	some key in ["actions", "projects"]
	some section in object.get(input, key, [])
	not has_lead(section)
}

all_targets contains t if some t in object.get(input, "targets", [])

all_targets contains t if {
	some key in ["actions", "projects"]
	some s in object.get(input, key, [])
	some t in object.get(s, "targets", [])
}

all_targets contains t if {
	some key in ["actions", "projects"]
	some s in object.get(input, key, [])
	some m in object.get(s, "measures", [])
	some t in object.get(m, "targets", [])
}

complete(t) if {
	t.value
	t.unit != ""
	t.year
}

complete(t) if {
	t.value
	t.unit != ""
	t.per
}

violations contains "target-complete" if {
	some t in all_targets
	not complete(t)
}
