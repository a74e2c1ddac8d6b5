package artifacts

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// FactPair: the two levels of a many-level dimension measured side by side most often, in a pairwise design: a
// ranking of systems where each GPU sits in two hosts, most subspaces holding two of the many hosts. Neither the
// best level of a subspace nor a ratio against the level most often best says much there; the pair's matched
// cells do ("same GPU, weaker host"): the ratio in each, their median and a sign count, the cells far from the
// others, whether the ratio follows the reference's value (a fixed cost weighs more on a faster reference), and
// what else tells the two apart in every cell.
const FactPair = "pair"

// maxPairSeriesLevels is the most levels of a series whose pairs are counted.
const maxPairSeriesLevels = 32

// pairCell is one subspace where both levels of a pair hold a value: b's value over a's.
type pairCell struct {
	s     *series
	a, b  point
	ratio float64
}

func findPair(rel *relation, m *measure, by *dimension, bd breakdown) *insight {
	ss := bd.series
	if by.ordered || len(by.distinct()) < 3 || !isPairwise(ss) {
		return nil // an order is the trend insight's, two levels the effect's, fuller series the best level's
	}
	a, b, cells := mostMatchedPair(by, ss)
	ratios := make([]float64, len(cells))
	for i, c := range cells {
		ratios[i] = c.ratio
	}
	lower := len(slices.DeleteFunc(slices.Clone(ratios), func(r float64) bool { return r >= 1 }))
	higher := len(slices.DeleteFunc(slices.Clone(ratios), func(r float64) bool { return r <= 1 }))
	way, moved := "lower", lower
	if higher > lower {
		way, moved = "higher", higher
	}
	sign := stats.SignTest(moved, lower+higher)
	if math.IsNaN(sign) || !stats.Significant(sign) {
		return nil // cells that do not agree beyond chance are no finding about the pair
	}
	median := stats.Median(ratios)
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, value: median, unit: "×",
		coverage: matchedCoverage(ss, cells), effect: logDistance(ratios), significance: 1 - sign}
	p := in.text
	p.printf("%s %s against %s, measured side by side in %s cells: %s %s in the median (%s–%s), %s in %s of %s "+
		"(sign test %s, beyond noise)", by.name, b, a, p.count(len(cells)), measureLabel(m), ratioText(p, median),
		ratioText(p, slices.Min(ratios)), ratioText(p, slices.Max(ratios)), way, p.count(moved), p.count(len(cells)),
		p.pValue(sign))
	outlying := outlyingCells(ratios)
	dims := rel.subspaceDims(by, rel.independentDims())
	writePairCells(p, dims, cells)
	writeOutlyingCells(p, dims, cells, outlying)
	writeRatioTrend(p, a, cells, outlying)
	writeConfounds(p, rel, by, dims, a, b, cells)
	return in
}

// writeConfounds names the other dimensions whose level is one for a and another for b in every cell (a
// footnote that marks one side's rows): what the ratio measures is theirs as much as the pair's.
func writeConfounds(p *phrase, rel *relation, by *dimension, fixed []*dimension, a, b string, cells []pairCell) {
	for _, d := range rel.dims {
		if d == by || d == by.whole || d.whole != nil && d.whole == by.whole || slices.Contains(fixed, d) {
			continue
		}
		la, lb := d.levels[cells[0].a.row], d.levels[cells[0].b.row]
		if la == lb || la == "" || lb == "" || slices.ContainsFunc(cells, func(c pairCell) bool {
			return d.levels[c.a.row] != la || d.levels[c.b.row] != lb
		}) {
			continue
		}
		p.printf("; confounded: in every cell %s is %q for %s and %q for %s", d.name, lb, b, la, a)
	}
}

// isPairwise reports whether most series compare two levels only: the design measured levels side by side in
// pairs rather than in full breakdowns.
func isPairwise(ss []*series) bool {
	pairs := 0
	for _, s := range ss {
		if len(s.valuedPoints()) == 2 {
			pairs++
		}
	}
	return 2*pairs > len(ss)
}

// mostMatchedPair finds the two levels that hold a value together in the most series, and their cells. The
// reference a is a baseline's name where one has it, else the level that comes first: every measure compares
// the pair the same way round.
func mostMatchedPair(by *dimension, ss []*series) (a, b string, cells []pairCell) {
	seen := map[string]int{} // level → its place in the order of appearance
	for i, l := range by.distinct() {
		seen[l] = i
	}
	counts := map[[2]string]int{}
	var best [2]string
	for _, s := range ss {
		pts := s.valuedPoints()
		if len(pts) > maxPairSeriesLevels {
			continue // a breakdown of many levels, no pair: and counting its pairs would take their square
		}
		for i, x := range pts {
			for _, y := range pts[i+1:] {
				key := [2]string{x.level, y.level}
				if seen[y.level] < seen[x.level] {
					key = [2]string{y.level, x.level}
				}
				counts[key]++
				if counts[key] > counts[best] {
					best = key
				}
			}
		}
	}
	a, b = referenceFirst(by, best[0], best[1])
	for _, s := range ss {
		pa, okA := s.pointAt(a)
		pb, okB := s.pointAt(b)
		if okA && okB && pa.ok() && pb.ok() && pa.mean > 0 {
			cells = append(cells, pairCell{s: s, a: pa, b: pb, ratio: pb.mean / pa.mean})
		}
	}
	return a, b, cells
}

// matchedCoverage is the share of the rows a breakdown compares (those of its series) that the two levels hold in
// their matched cells: in a ranking of single systems most rows compare with nothing.
func matchedCoverage(ss []*series, cells []pairCell) float64 {
	compared := 0
	for _, s := range ss {
		compared += s.rows
	}
	rows := 0
	for _, c := range cells {
		rows += c.a.rows + c.b.rows
	}
	return math.Min(1, float64(rows)/float64(max(compared, 1)))
}

// logDistance is how far ratios lie from parity on average, as a share: 1 − exp(−mean |ln r|), 0 for equal
// levels, 0.5 for halving or doubling.
func logDistance(ratios []float64) float64 {
	sum := 0.0
	for _, r := range ratios {
		sum += math.Abs(math.Log(r))
	}
	return 1 - math.Exp(-sum/float64(len(ratios)))
}

// ratioText prints a ratio to three significant digits: "0.704×", "1.42×".
func ratioText(p *phrase, ratio float64) string { return p.significant(ratio, 3) + "×" }

// writePairCells lists the cells' ratios as a small table: a row per level of the subspace dimension with the
// most levels (the GPU, when hosts are compared), a column per level of the others.
func writePairCells(p *phrase, dims []*dimension, cells []pairCell) {
	if len(dims) == 0 {
		return
	}
	rowDim := slices.MaxFunc(dims, func(x, y *dimension) int { return cellLevels(x, cells) - cellLevels(y, cells) })
	columnDims := slices.DeleteFunc(slices.Clone(dims), func(d *dimension) bool { return d == rowDim })
	var rows, columns []string
	ratioAt := map[[2]string]float64{}
	for _, c := range cells {
		row, column := rowDim.levels[c.s.firstRow], levelsAt(columnDims, c.s.firstRow)
		if !slices.Contains(rows, row) {
			rows = append(rows, row)
		}
		if !slices.Contains(columns, column) {
			columns = append(columns, column)
		}
		ratioAt[[2]string{row, column}] = c.ratio
	}
	if len(columnDims) == 1 && columnDims[0].ordered {
		slices.SortFunc(columns, func(a, b string) int { return cmp.Compare(parseCell(a).value, parseCell(b).value) })
	}
	p.printf("; by %s", rowDim.name)
	if len(columnDims) > 0 {
		p.printf(", at %s %s", dimNamesText(columnDims), strings.Join(columns, " / "))
	}
	for i, row := range rows[:min(len(rows), maxListed)] {
		p.printf("%s%s", listItem(i, "; "), row)
		for j, column := range columns {
			sep := " / "
			if j == 0 {
				sep = " "
			}
			if r, ok := ratioAt[[2]string{row, column}]; ok {
				p.printf("%s%s", sep, ratioText(p, r))
			} else {
				p.printf("%s–", sep)
			}
		}
	}
	p.more(len(rows))
}

// cellLevels counts the levels d takes over the cells.
func cellLevels(d *dimension, cells []pairCell) int {
	seen := map[string]bool{}
	for _, c := range cells {
		seen[d.levels[c.s.firstRow]] = true
	}
	return len(seen)
}

// levelsAt is the dimensions' levels in a row, "DeepSeek R1, 14".
func levelsAt(dims []*dimension, row int) string {
	levels := make([]string, len(dims))
	for i, d := range dims {
		levels[i] = d.levels[row]
	}
	return strings.Join(levels, ", ")
}

func dimNamesText(dims []*dimension) string {
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

// outlyingCells marks the cells whose ratio lies outlierZ or more robust z from the others, on a log scale,
// where halving and doubling are as far.
func outlyingCells(ratios []float64) []bool {
	logs := make([]float64, len(ratios))
	for i, r := range ratios {
		logs[i] = math.Log(r)
	}
	out := make([]bool, len(ratios))
	for i, z := range stats.RobustZ(logs) {
		out[i] = math.Abs(z) >= outlierZ && !math.IsInf(z, 0)
	}
	return out
}

// writeOutlyingCells names the outlying cells: two or more by the level of a subspace dimension they all hold,
// with how many of that level's cells lie out; else one by one.
func writeOutlyingCells(p *phrase, dims []*dimension, cells []pairCell, outlying []bool) {
	far := 0
	for _, out := range outlying {
		if out {
			far++
		}
	}
	if far == 0 {
		return
	}
	p.printf("; far from the others (robust z of the log ratio ≥ %s): ", p.fixed(outlierZ, 1))
	if d, level, ok := sharedLevel(dims, cells, outlying); ok && far >= 2 {
		of := 0
		for _, c := range cells {
			if d.levels[c.s.firstRow] == level {
				of++
			}
		}
		p.printf("%s=%s in %s of %s cells", d.name, level, p.count(far), p.count(of))
		return
	}
	sep := ""
	for i, c := range cells {
		if outlying[i] {
			p.printf("%s%s %s", sep, c.s.subspace, ratioText(p, c.ratio))
			sep = "; "
		}
	}
}

// sharedLevel finds a subspace dimension whose level is the same in every outlying cell.
func sharedLevel(dims []*dimension, cells []pairCell, outlying []bool) (*dimension, string, bool) {
	for _, d := range dims {
		level, shared := "", true
		for i, c := range cells {
			if !outlying[i] {
				continue
			}
			if level == "" {
				level = d.levels[c.s.firstRow]
			}
			shared = shared && d.levels[c.s.firstRow] == level
		}
		if shared {
			return d, level, true
		}
	}
	return nil, "", false
}

// minTrendCells is the fewest cells over which the ratio is tested against the reference's value.
const minTrendCells = 5

// writeRatioTrend says whether the ratio rises or falls with the reference's value over the cells that are not
// outlying, when Kendall's τ finds it beyond noise.
func writeRatioTrend(p *phrase, a string, cells []pairCell, outlying []bool) {
	var x, y []float64
	for i, c := range cells {
		if !outlying[i] {
			x, y = append(x, c.a.mean), append(y, c.ratio)
		}
	}
	if len(x) < minTrendCells {
		return
	}
	k := stats.Kendall(x, y)
	if math.IsNaN(k.P) || !stats.Significant(k.P) {
		return
	}
	way := "rises"
	if k.Tau < 0 {
		way = "falls"
	}
	p.printf("; the ratio %s as %s's value rises (Kendall τ = %s, %s)", way, a, p.fixed(k.Tau, 2), p.pValue(k.P))
}
