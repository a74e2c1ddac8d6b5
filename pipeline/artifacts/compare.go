package artifacts

import (
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// maxCompared bounds the groups a fact compares with its best.
const maxCompared = 3

// minPairs is the fewest matched pairs a paired comparison is made from.
const minPairs = 3

// writeComparisons compares the best group (first) with the next ones: the change in percent, Welch's test and
// its verdict at stats.SignificanceLevel, and where other factors of the table match, the paired differences.
// by is the column that tells the groups apart; numericLabels says whether its cells are quantities.
func (v *tableView) writeComparisons(p *phrase, groups []*group, by, col int, numericLabels bool) {
	groups = warm(groups)
	if len(groups) < 2 {
		return
	}
	for _, other := range groups[1:min(len(groups), maxCompared+1)] {
		p.printf("; %s vs %s: ", labelText(p, groups[0], numericLabels), labelText(p, other, numericLabels))
		writeChange(p, stats.Mean(groups[0].xs), stats.Mean(other.xs))
		writeWelch(p, groups[0].xs, other.xs)
		v.writePaired(p, by, col, groups[0], other)
	}
}

// writeChange prints a's change from b in percent, signed: "+17.51 %".
func writeChange(p *phrase, a, b float64) {
	if b == 0 {
		p.printf("Δ n/a")
		return
	}
	p.printf("%s %%", signed(p, 100*(a-b)/b))
}

// signed prints a quantity with its sign, + included.
func signed(p *phrase, x float64) string {
	if roundForText(x) > 0 {
		return "+" + p.num(x)
	}
	return p.num(x)
}

// writeWelch prints Welch's test of a against b and its verdict; with fewer than two values on a side, or no
// variance at all, there is no test to report.
func writeWelch(p *phrase, a, b []float64) {
	w := stats.Welch(a, b)
	switch {
	case len(a) < 2 || len(b) < 2:
		p.printf(" (untested: %s and %s)", p.countOf(len(a), "value"), p.countOf(len(b), "value"))
		return
	case !isFinite(w.P):
		p.printf(" (untested: no variance)")
		return
	}
	if w.P < 0.001 {
		p.printf(" (Welch p < %s", p.num(0.001))
	} else {
		p.printf(" (Welch p = %s", p.num(w.P))
	}
	p.printf(", %s)", verdict(p, stats.Significant(w.P)))
}

// verdict says whether a difference is significant at stats.SignificanceLevel.
func verdict(p *phrase, significant bool) string {
	if significant {
		return "significant at p < " + p.num(stats.SignificanceLevel)
	}
	return "not significant at p < " + p.num(stats.SignificanceLevel)
}

// ciLabel prints the "95 % CI" of a confidence interval.
func ciLabel(p *phrase) string { return p.count(95) + " % CI" }

// writePaired compares groups a and b where the table's other factors match, as a paired design does: for
// every combination of the other factors' cells that both groups hold, the difference of their means; then
// the mean difference with its 95 % confidence interval, significant when the interval leaves out zero. With
// fewer than minPairs pairs, or differences that do not vary, there is no interval to speak of.
func (v *tableView) writePaired(p *phrase, by, col int, a, b *group) {
	others := v.otherFactors(by)
	if len(others) == 0 {
		return
	}
	inA, inB := v.meansByCells(a, col, others), v.meansByCells(b, col, others)
	var diffs []float64
	for key, x := range inA {
		if y, ok := inB[key]; ok {
			diffs = append(diffs, x-y)
		}
	}
	slices.Sort(diffs) // the sums, and so the last digits, do not depend on map order
	lo, hi := stats.MeanCI95(diffs)
	if len(diffs) < minPairs || math.IsNaN(lo) || !(hi > lo) {
		return
	}
	names := make([]string, len(others))
	for i, col := range others {
		names[i] = v.t.columns[col]
	}
	p.printf("; paired over %s of matching %s: Δ %s (%s %s to %s, %s)", p.count(len(diffs)), strings.Join(names, "/"),
		signed(p, stats.Mean(diffs)), ciLabel(p), p.num(lo), p.num(hi), verdict(p, lo > 0 || hi < 0))
}

// otherFactors are the factor columns other than by that vary: grid parameters and grouping columns.
func (v *tableView) otherFactors(by int) []int {
	var cols []int
	for _, col := range append(v.varyingGrid(), v.roles[roleGroup]...) {
		if col != by && v.distinct(col) >= 2 {
			cols = append(cols, col)
		}
	}
	return cols
}

// meansByCells averages a group's values of column col per combination of cells in the columns others;
// records with an empty cell there are left out.
func (v *tableView) meansByCells(g *group, col int, others []int) map[string]float64 {
	byKey := map[string][]float64{}
	for _, i := range g.rows {
		cells := make([]string, len(others))
		for j, o := range others {
			cells[j] = v.ok[i].cells[o]
		}
		if !slices.Contains(cells, "") {
			key := strings.Join(cells, "\x00")
			byKey[key] = append(byKey[key], v.ok[i].values[col])
		}
	}
	means := make(map[string]float64, len(byKey))
	for key, xs := range byKey {
		means[key] = stats.Mean(xs)
	}
	return means
}
