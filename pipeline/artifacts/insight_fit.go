package artifacts

import (
	"slices"
	"strings"
)

// FactFit: where configurations do not fit, out of memory or killed as the kernel kills a process that
// exhausts it, and the nearest one that does: the largest context, the most layers offloaded or the biggest
// model that still fits. Other failures (timeouts, errors) are counted by the failures fact.
const FactFit = "fit"

func findFit(rel *relation) *insight {
	dims := rel.varyingDims()
	configs := rel.configurations()
	var failing []configuration
	for _, c := range configs {
		if slices.ContainsFunc(c.rows, func(row int) bool { return rel.rowFailure(row) != notMissing }) {
			failing = append(failing, c)
		}
	}
	if len(failing) == 0 || len(failing) == len(configs) {
		return nil
	}
	in := &insight{subject: "fit", text: &phrase{}, coverage: 1, significance: 1,
		effect: float64(len(failing)) / float64(len(configs)), value: float64(len(failing)), unit: "configurations"}
	p := in.text
	p.printf("%s of %s ran out of memory or were killed", p.count(len(failing)), p.countOf(len(configs), "configuration"))
	for i, c := range failing[:min(len(failing), maxListed)] {
		failed := slices.DeleteFunc(slices.Clone(c.rows), func(row int) bool { return rel.rowFailure(row) == notMissing })
		p.printf("%s%s: %s", listItem(i, "; "), c.name, describeFailure(rel.rowFailure(failed[0])))
		if len(failed) < len(c.rows) {
			p.printf(" in %s of %s runs", p.count(len(failed)), p.count(len(c.rows)))
		}
		rel.writeNearestCompleted(p, dims, failed[0])
	}
	return in
}

// rowFailure is why a row did not fit: its record or one of its cells says out of memory or killed; "" for
// any other row.
func (rel *relation) rowFailure(row int) missingReason {
	for _, m := range rel.measures {
		if r := m.cells[row].missing; r == missingOutOfMemory || r == missingKilled {
			return r
		}
	}
	return notMissing
}

func describeFailure(kind missingReason) string {
	if kind == missingKilled {
		return "killed (exit 137 or SIGKILL, as the kernel's out-of-memory killer ends a process)"
	}
	return "out of memory"
}

// configurationOf names a row by its levels of the dimensions that vary.
func configurationOf(dims []*dimension, row int) string {
	var parts []string
	for _, d := range dims {
		if d.levels[row] != "" {
			parts = append(parts, d.name+"="+d.levels[row])
		}
	}
	return strings.Join(parts, ", ")
}

// writeNearestCompleted names the completed rows that differ from a failed one in one dimension alone, with
// the first measure's values: what still fits next to what does not.
func (rel *relation) writeNearestCompleted(p *phrase, dims []*dimension, failed int) {
	if len(rel.measures) == 0 {
		return
	}
	m := rel.measures[0]
	type neighbour struct {
		setting string // the one setting that differs, "ctx=4096"
		row     int
	}
	var neighbours []neighbour
	for row := 0; row < rel.rows; row++ {
		if rel.rowFailure(row) != notMissing || !m.cells[row].isNumber() {
			continue
		}
		if d := differingDims(dims, failed, row); len(d) == 1 {
			neighbours = append(neighbours, neighbour{d[0].name + "=" + d[0].levels[row], row})
		}
	}
	if len(neighbours) == 0 {
		return
	}
	slices.SortStableFunc(neighbours, func(a, b neighbour) int { return strings.Compare(a.setting, b.setting) })
	p.printf(", while one setting away %s was measured at ", measureLabel(m))
	for i, n := range neighbours[:min(len(neighbours), maxListed)] {
		c := m.cells[n.row]
		p.printf("%s%s %s", listSeparator(i, ", "), n.setting, p.fixed(c.value, int(c.decimals)))
	}
	p.more(len(neighbours))
}

// differingDims are the dimensions whose known levels differ between two rows.
func differingDims(dims []*dimension, a, b int) []*dimension {
	var out []*dimension
	for _, d := range dims {
		if d.levels[a] != "" && d.levels[b] != "" && d.levels[a] != d.levels[b] {
			out = append(out, d)
		}
	}
	return out
}
