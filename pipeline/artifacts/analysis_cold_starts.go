package artifacts

import "chimera/pipeline/stats"

// addColdStarts finds a first TTFT far above the rest (per group when the table has groups): a model load
// that the mean would hide. Sweeps are left out, their rows are not repetitions of one request.
func (v *tableView) addColdStarts(l *factList) {
	ttft, ok := v.column(roleTTFT)
	if !ok || len(v.varyingGrid()) > 0 {
		return
	}
	by, grouped := v.groupColumn()
	if !grouped {
		v.addColdStart(l, ttft, "", "", v.t.numbers(ttft))
		return
	}
	for _, g := range v.groupBy([]int{by}, ttft) {
		v.addColdStart(l, ttft, v.t.columns[by], g.cells[0], g.xs)
	}
}

func (v *tableView) addColdStart(l *factList, col int, groupColumn, groupName string, xs []float64) {
	if len(xs) < 3 {
		return
	}
	first, rest := xs[0], xs[1:]
	warm := stats.Summarize(rest)
	if first <= warm.Max || first < 3*warm.Median || warm.Median <= 0 {
		return
	}
	unit := v.unit(col)
	var p phrase
	p.printf("cold start")
	if groupName != "" {
		p.printf(" for %s %s", groupColumn, groupName)
	}
	p.printf(": first %s %s vs median %s of the other %s (%s× slower)", v.t.field(col),
		p.withUnit(first, unit), p.withUnit(warm.Median, unit), p.countOf(warm.N, "row"), p.num(first/warm.Median))
	l.add(v.fact(FactColdStart, col, groupName, priorityColdStart, &p, first, unit))
}
