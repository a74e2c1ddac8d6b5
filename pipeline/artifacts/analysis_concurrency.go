package artifacts

import (
	"strings"

	"chimera/pipeline/stats"
)

// serialSpeedup and serialEfficiency are the concurrency speedup and efficiency at or below which agents run at
// once gained nothing over running one after the other: within 10 % of 1×, and of 50 % for two agents.
const (
	serialSpeedup    = 1.1
	serialEfficiency = 55
)

// addConcurrency summarises multi-agent runs per group (scenario, configuration; the whole table when it has
// none): the speedup of running the agents at once over one after the other and its efficiency, each with n,
// mean and 95 % confidence interval; how often the runs saw resource contention; and whether the group ran
// serialised after all.
func (v *tableView) addConcurrency(l *factList) {
	if _, ok := v.column(roleSpeedup); !ok {
		return
	}
	by, grouped := v.groupColumn()
	if !grouped {
		v.addConcurrencyGroup(l, -1, "", allRows(len(v.ok)))
		return
	}
	levels, rows := v.rowsBy(by)
	for _, level := range levels {
		v.addConcurrencyGroup(l, by, level, rows[level])
	}
	v.addContentionRate(l)
}

func (v *tableView) addConcurrencyGroup(l *factList, by int, level string, rows []int) {
	var p phrase
	p.printf("concurrency")
	if by >= 0 {
		p.printf(" for %s %s", v.t.columns[by], level)
	}
	speedups := v.columnValues(roleSpeedup, rows)
	efficiencies := scaled(v.columnValues(roleEfficiency, rows), efficiencyScale(v.columnValues(roleEfficiency, allRows(len(v.ok)))))
	if len(speedups) == 0 {
		return
	}
	parts := []string{meanWithCI(&p, "speedup", speedups, "×")}
	if len(efficiencies) > 0 {
		parts = append(parts, meanWithCI(&p, "efficiency", efficiencies, " %"))
	}
	p.printf(": %s (%s)", strings.Join(parts, ", "), p.countOf(len(speedups), "run"))
	if contended, known := v.contention(rows); known > 0 {
		p.printf("; resource contention in %s of %s", p.count(contended), p.countOf(known, "run"))
	}
	if serialised(speedups, efficiencies) {
		p.printf("; ran serialised (speedup ≈ %s×, efficiency ≈ %s %%): running the agents at once gained nothing",
			p.count(1), p.count(50))
	}
	speedup, _ := v.column(roleSpeedup)
	l.add(v.fact(FactConcurrency, speedup, level, priorityConcurrency, &p, stats.Mean(speedups), "×"))
}

// meanWithCI prints "speedup mean 1.42× (95 % CI 1.36 to 1.48)", or the value alone when there is one.
func meanWithCI(p *phrase, name string, xs []float64, unit string) string {
	if len(xs) == 1 {
		return name + " " + p.num(xs[0]) + unit
	}
	lo, hi := stats.MeanCI95(xs)
	return name + " mean " + p.num(stats.Mean(xs)) + unit + " (" + ciLabel(p) + " " + p.num(lo) + " to " + p.num(hi) + ")"
}

func scaled(xs []float64, factor float64) []float64 {
	for i := range xs {
		xs[i] *= factor
	}
	return xs
}

// efficiencyScale is 100 for efficiencies given as fractions (none above 1), 1 for percentages.
func efficiencyScale(xs []float64) float64 {
	for _, x := range xs {
		if x > 1 {
			return 1
		}
	}
	return 100
}

// serialised reports whether the speedup, and the efficiency where there is one, say the agents ran one after
// the other.
func serialised(speedups, efficiencies []float64) bool {
	return stats.Mean(speedups) <= serialSpeedup && (len(efficiencies) == 0 || stats.Mean(efficiencies) <= serialEfficiency)
}

// addContentionRate states how many of all the runs saw resource contention.
func (v *tableView) addContentionRate(l *factList) {
	contended, known := v.contention(allRows(len(v.ok)))
	if known == 0 {
		return
	}
	col, _ := v.column(roleContention)
	var p phrase
	p.printf("resource contention (%s) in %s of %s (%s%%)", v.t.field(col), p.count(contended), p.countOf(known, "run"),
		p.num(100*float64(contended)/float64(known)))
	l.add(v.fact(FactConcurrency, col, "contention", priorityConcurrency, &p, float64(contended), "runs"))
}

// contention counts, over rows, the runs whose contention cell says yes and those whose cell says either.
func (v *tableView) contention(rows []int) (contended, known int) {
	col, ok := v.column(roleContention)
	if !ok {
		return 0, 0
	}
	for _, i := range rows {
		switch strings.ToLower(strings.TrimSpace(v.ok[i].cells[col])) {
		case "true", "yes", "y", "1", "detected":
			contended++
			known++
		case "false", "no", "n", "0", "none":
			known++
		}
	}
	return contended, known
}

// columnValues is the usable values of the first column of role r over rows.
func (v *tableView) columnValues(r role, rows []int) []float64 {
	col, ok := v.column(r)
	if !ok {
		return nil
	}
	var xs []float64
	for _, i := range rows {
		if v.usable(i, col) {
			xs = append(xs, v.ok[i].values[col])
		}
	}
	return xs
}

// rowsBy splits the successful records by their cell in column col: the cells in order of first appearance
// and the records (indexes into ok) of each; empty cells are left out.
func (v *tableView) rowsBy(col int) ([]string, map[string][]int) {
	var levels []string
	rows := map[string][]int{}
	for i, r := range v.ok {
		cell := r.cells[col]
		if cell == "" {
			continue
		}
		if rows[cell] == nil {
			levels = append(levels, cell)
		}
		rows[cell] = append(rows[cell], i)
	}
	return levels, rows
}

func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}
