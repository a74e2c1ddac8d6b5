package artifacts

import (
	"math"
	"slices"
)

// addTimeShares splits the summed request time into model load, prompt evaluation and generation.
func (v *tableView) addTimeShares(l *factList) {
	cols := make([]int, 0, 3)
	for _, r := range []role{roleLoad, rolePromptEval, roleEval} {
		col, ok := v.column(r)
		if !ok {
			return
		}
		cols = append(cols, col)
	}
	unit := v.unit(cols[0])
	if v.unit(cols[1]) != unit || v.unit(cols[2]) != unit {
		return
	}
	sums := make([]float64, len(cols))
	rows := 0
	for _, r := range v.ok {
		if slices.ContainsFunc(cols, func(c int) bool { return math.IsNaN(r.values[c]) }) {
			continue
		}
		for i, c := range cols {
			sums[i] += r.values[c]
		}
		rows++
	}
	total := sums[0] + sums[1] + sums[2]
	if rows == 0 || total <= 0 {
		return
	}
	var p phrase
	p.printf("time split over %s rows: load (%s) %s%%, prompt eval (%s) %s%%, eval (%s) %s%% of %s in total",
		p.count(rows), v.t.field(cols[0]), p.num(100*sums[0]/total), v.t.field(cols[1]), p.num(100*sums[1]/total),
		v.t.field(cols[2]), p.num(100*sums[2]/total), p.withUnit(total, unit))
	l.add(v.fact(FactTimeShares, cols[2], "", priorityTimeShares, &p, 100*sums[2]/total, "%"))
}
