package artifacts

import (
	"cmp"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// addParamEffects gives, for sweeps over several parameters, the mean of the sweep's metric (see
// primaryMetric) at each level of each one, and how the best level compares with the others: over all runs
// (Welch) and paired with the runs that match it in the other parameters. A sweep over one parameter gets
// this only when it repeated a level with nothing else varying; otherwise its levels are its configurations,
// which addBestConfig ranks.
func (v *tableView) addParamEffects(l *factList) {
	grid := v.varyingGrid()
	metric, ok := v.primaryMetric()
	_, grouped := v.groupColumn()
	if len(grid) == 0 || !ok || len(grid) == 1 && grouped {
		return
	}
	for _, col := range grid {
		if v.poolsRepeatedConfigs([]int{col}) {
			continue // a level's mean over the other settings' configurations mixes their effects into its own
		}
		levels := v.groupBy([]int{col}, metric)
		if len(levels) < 2 || len(grid) == 1 && !slices.ContainsFunc(levels, func(g *group) bool { return len(g.xs) > 1 }) {
			continue
		}
		slices.SortStableFunc(levels, func(a, b *group) int { return compareCells(a.cells[0], b.cells[0]) })
		var p phrase
		p.printf("mean %s by %s: ", v.t.field(metric), v.t.columns[col])
		listGroups(&p, levels, v.unit(metric), true)
		writeReplication(&p, levels, v.t.columns[col])
		ranked := slices.Clone(levels)
		byMean(ranked, true)
		v.writeComparisons(&p, ranked, col, metric, true)
		l.add(v.fact(FactParamEffect, metric, v.t.columns[col], priorityParamEffect, &p, stats.Mean(levels[0].xs), v.unit(metric)))
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
