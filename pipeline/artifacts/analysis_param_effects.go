package artifacts

import (
	"cmp"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// addParamEffects gives, for sweeps over several parameters, the mean throughput at each level of each one.
func (v *tableView) addParamEffects(l *factList) {
	grid := v.varyingGrid()
	tp, ok := v.column(roleThroughput)
	if len(grid) < 2 || !ok {
		return
	}
	for _, col := range grid {
		levels := v.groupBy([]int{col}, tp)
		if len(levels) < 2 {
			continue
		}
		slices.SortStableFunc(levels, func(a, b *group) int { return compareCells(a.cells[0], b.cells[0]) })
		var p phrase
		p.printf("mean %s by %s: ", v.t.field(tp), v.t.columns[col])
		listGroups(&p, levels, v.unit(tp), true)
		l.add(v.fact(FactParamEffect, tp, v.t.columns[col], priorityParamEffect, &p, stats.Mean(levels[0].xs), v.unit(tp)))
	}
}

// compareCells orders cells numerically when both are numbers, as text otherwise.
func compareCells(a, b string) int {
	x, okA := ParseNumber(a)
	y, okB := ParseNumber(b)
	if okA && okB {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}
