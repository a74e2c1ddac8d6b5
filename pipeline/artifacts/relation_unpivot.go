package artifacts

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
)

// A wide table writes a dimension's levels into its header: "FlashAttn OFF | FlashAttn ON", "tg 512 | pp 1024",
// "8B Q4_K_M", or two sides of one record as baseline_results.x beside chimera_results.x. Unpivoting gives each
// level a row of its own, so that the insight types compare levels the same way whatever the table's shape.

// headerLevel is a measure column's header cut into the quantity it names (base) and the level it is for.
type headerLevel struct {
	base, level string
	switchLevel bool // on/off: base names the setting, not the quantity
}

var (
	testHeader  = regexp.MustCompile(`(?i)\b(pp|tg|pg)\s+(\d+)\b`)
	levelToken  = regexp.MustCompile(`(?i)^(?:(?:pp|tg|pg)\d+|d\d+|@|c=?\d+|i?q\d\w*|f16|fp16|bf16|f32|fp32|fp8|nvfp4|mxfp4|qat|int4|int8|awq|gptq|\d+(?:\.\d+)?[bmk]|ngl=?\d+)$`)
	testLevel   = regexp.MustCompile(`(?i)^(pp|tg|pg)\d+(\+tg\d+)?$`)
	switchToken = regexp.MustCompile(`(?i)^(?:on|off|enabled|disabled|yes|no|true|false)$`)
)

// splitHeader finds the level in a header, reporting false when it names none.
func splitHeader(header string) (headerLevel, bool) {
	words := strings.Fields(testHeader.ReplaceAllString(header, "$1$2"))
	var base, level []string
	switchLevel := false
	for _, w := range words {
		switch {
		case switchToken.MatchString(w):
			level, switchLevel = append(level, w), true
		case levelToken.MatchString(w):
			level = append(level, w)
		default:
			base = append(base, w)
		}
	}
	if len(level) == 0 {
		return headerLevel{}, false
	}
	return headerLevel{base: strings.Join(base, " "), level: strings.Join(level, " "), switchLevel: switchLevel}, true
}

// unpivot moves every group of measures whose headers differ only in a level into a relation of its own, with
// the level as a dimension, and removes them from rel.
func (rel *relation) unpivot() []*relation {
	var out []*relation
	if side := rel.unpivotSides(); side != nil {
		out = append(out, side)
	}
	if numbers := rel.unpivotNumbers(); numbers != nil {
		out = append(out, numbers)
	}
	if entities := rel.unpivotEntities(); entities != nil {
		out = append(out, entities)
	}
	groups := map[string][]int{} // by base, the measures that carry a level
	var bases []string
	splits := make([]headerLevel, len(rel.measures))
	for i, m := range rel.measures {
		h, ok := splitHeader(m.name)
		if !ok {
			continue
		}
		splits[i] = h
		key := strings.ToLower(h.base)
		if groups[key] == nil {
			bases = append(bases, key)
		}
		groups[key] = append(groups[key], i)
	}
	var moved []int
	for _, base := range bases {
		members := groups[base]
		if len(members) < 2 {
			continue
		}
		out = append(out, rel.unpivotGroup(members, splits))
		moved = append(moved, members...)
	}
	rel.removeMeasures(moved)
	return out
}

// unpivotGroup builds the long relation of one group: each row of rel once per level.
func (rel *relation) unpivotGroup(members []int, splits []headerLevel) *relation {
	first := splits[members[0]]
	dimName, measureName := levelDimensionName(splits, members), first.base
	if first.switchLevel {
		dimName, measureName = first.base, ""
	}
	if measureName == "" {
		measureName = "value"
	}
	long := rel.emptyCopy()
	level := &dimension{name: dimName, ordered: false}
	m := &measure{name: measureName}
	for _, i := range members {
		src := rel.measures[i]
		for row := 0; row < rel.rows; row++ {
			long.appendRow(rel, row)
			level.levels = append(level.levels, splits[i].level)
			level.values = append(level.values, parseCell(splits[i].level).value)
			m.cells = append(m.cells, src.cells[row])
		}
		m.unit, m.direction = src.unit, src.direction
	}
	long.dims = append(long.dims, level)
	long.measures = []*measure{m}
	long.rows = len(m.cells)
	return long
}

// levelDimensionName names the unpivoted dimension after what its levels are.
func levelDimensionName(splits []headerLevel, members []int) string {
	allTests := true
	for _, i := range members {
		allTests = allTests && testLevel.MatchString(splits[i].level)
	}
	if allTests {
		return "test"
	}
	return "column"
}

// unpivotSides finds sibling objects with the same measures, a.x and b.x for two or more x (before/after,
// baseline/candidate, cpu/gpu), and makes their prefix a "side" dimension.
func (rel *relation) unpivotSides() *relation {
	prefixes := map[string]map[string]int{} // prefix → suffix → measure
	for i, m := range rel.measures {
		prefix, suffix, ok := strings.Cut(m.name, ".")
		if !ok || strings.Contains(prefix, "[") {
			continue
		}
		if prefixes[prefix] == nil {
			prefixes[prefix] = map[string]int{}
		}
		prefixes[prefix][suffix] = i
	}
	sides, shared := sharedSuffixes(prefixes)
	if len(sides) < 2 || len(shared) < 2 {
		return nil
	}
	long := rel.emptyCopy()
	side := &dimension{name: "side"}
	measures := make([]*measure, len(shared))
	for j, suffix := range shared {
		src := rel.measures[prefixes[sides[0]][suffix]]
		measures[j] = &measure{name: suffix, unit: src.unit, direction: src.direction}
	}
	var moved []int
	for _, prefix := range sides {
		for row := 0; row < rel.rows; row++ {
			long.appendRow(rel, row)
			side.levels = append(side.levels, prefix)
			side.values = append(side.values, math.NaN())
			for j, suffix := range shared {
				measures[j].cells = append(measures[j].cells, rel.measures[prefixes[prefix][suffix]].cells[row])
			}
		}
		for _, suffix := range shared {
			moved = append(moved, prefixes[prefix][suffix])
		}
	}
	long.dims = append(long.dims, side)
	long.measures = measures
	long.rows = len(side.levels)
	rel.removeMeasures(moved)
	return long
}

// sharedSuffixes returns the prefixes that carry the suffixes most prefixes share, and those suffixes, sorted.
func sharedSuffixes(prefixes map[string]map[string]int) (sides, shared []string) {
	counts := map[string]int{}
	for _, suffixes := range prefixes {
		for s := range suffixes {
			counts[s]++
		}
	}
	for s, n := range counts {
		if n >= 2 {
			shared = append(shared, s)
		}
	}
	slices.Sort(shared)
	for p, suffixes := range prefixes {
		if len(shared) > 0 && allKeys(suffixes, shared) {
			sides = append(sides, p)
		}
	}
	slices.Sort(sides)
	return sides, shared
}

func allKeys(m map[string]int, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// emptyCopy is a relation with rel's identity and dimensions but no rows.
func (rel *relation) emptyCopy() *relation {
	c := &relation{source: rel.source, sources: rel.sources, name: rel.name, caption: rel.caption, markdown: rel.markdown}
	for _, d := range rel.dims {
		c.dims = append(c.dims, &dimension{name: d.name, ordered: d.ordered})
	}
	return c
}

// appendRow copies row of src's dimensions and failure into c, whose dimensions were made by src.emptyCopy.
func (c *relation) appendRow(src *relation, row int) {
	c.failures = append(c.failures, src.failures[row])
	for i, d := range src.dims {
		c.dims[i].levels = append(c.dims[i].levels, d.levels[row])
		c.dims[i].values = append(c.dims[i].values, d.values[row])
	}
}

func (rel *relation) removeMeasures(indices []int) {
	keep := rel.measures[:0]
	for i, m := range rel.measures {
		if !slices.Contains(indices, i) {
			keep = append(keep, m)
		}
	}
	rel.measures = keep
}

// unpivotNumbers finds measures whose headers are plain numbers (context sizes, batch sizes, thread counts:
// "| Model | Quant | 4096 | 8192 |"): two or more of them are the levels of one ordered dimension, and their
// cells one quantity, the one the caption or a heading names, else "value".
func (rel *relation) unpivotNumbers() *relation {
	var members []int
	for i, m := range rel.measures {
		if isAllDigits(strings.ReplaceAll(m.name, ".", "")) {
			members = append(members, i)
		}
	}
	if len(members) < 2 {
		return nil
	}
	level := &dimension{name: "column", ordered: true}
	return rel.stackMeasures(members, level, cmp.Or(rel.quantity(), "value"), func(name string) float64 { return parseCell(name).value })
}

// unpivotEntities finds measures named after what they measure rather than the quantity ("Max-Q | Workstation
// Edition" under a heading "Output tok/s"): two or more columns whose names carry no unit and no direction of
// their own, of one quantity the caption or a heading names. They become a "column" dimension.
func (rel *relation) unpivotEntities() *relation {
	quantity := rel.quantity()
	if quantity == "" {
		return nil
	}
	var members []int
	for i, m := range rel.measures {
		if directionOf(m.name) == 0 && unitInText(m.name) == "" {
			members = append(members, i)
		}
	}
	if len(members) < 2 {
		return nil
	}
	entity := &dimension{name: "column"}
	return rel.stackMeasures(members, entity, quantity, func(string) float64 { return math.NaN() })
}

// stackMeasures is the long relation of the member measures: each row once per member, the member's name its
// level of dim (with valueOf's value), its cells those of one measure named name. The members leave rel.
func (rel *relation) stackMeasures(members []int, dim *dimension, name string, valueOf func(string) float64) *relation {
	long := rel.emptyCopy()
	first := rel.measures[members[0]]
	m := &measure{name: name, unit: first.unit, direction: first.direction}
	for _, i := range members {
		for row := 0; row < rel.rows; row++ {
			long.appendRow(rel, row)
			dim.levels = append(dim.levels, rel.measures[i].name)
			dim.values = append(dim.values, valueOf(rel.measures[i].name))
			m.cells = append(m.cells, rel.measures[i].cells[row])
		}
	}
	long.dims = append(long.dims, dim)
	long.measures = []*measure{m}
	long.rows = len(m.cells)
	rel.removeMeasures(members)
	return long
}
