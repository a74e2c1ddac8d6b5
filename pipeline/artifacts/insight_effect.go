package artifacts

import (
	"cmp"
	"math"
	"regexp"
	"slices"

	"chimera/pipeline/stats"
)

// FactEffect: a two-level factor's effect, paired over the cells where the other dimensions match: one
// comparison with its test, or, over several cells, a sign count with its binomial p.
const FactEffect = "effect"

// referenceLevel matches the level a comparison is made against: the baseline, the setting turned off.
var referenceLevel = regexp.MustCompile(`(?i)^(baseline|before|off|disabled|no|false|cpu|old|default|stock|base)\b`)

type matchedCell struct {
	subspace string
	a, b     point
	c        comparison
}

// findEffect pairs the table's own cells. Where the level does not win across them, the cells are read one by
// one, and then over the cells pooled across the settings that do not move the measure, if there are such: they
// hold more runs each, so each cell's own test is stronger.
func findEffect(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	in, consistent := effectOver(rel, m, by, b.cells)
	if consistent || !b.pooled() {
		return in
	}
	if pooled, _ := effectOver(rel, m, by, b.series); pooled != nil {
		return pooled
	}
	return in
}

// effectOver compares the two levels over the cells the series match, and reports whether the effect holds
// across them: one cell, or a sign test beyond noise.
func effectOver(rel *relation, m *measure, by *dimension, ss []*series) (*insight, bool) {
	a, b, ok := twoLevels(by)
	if !ok {
		return nil, false
	}
	cells := matchCells(ss, a, b)
	if len(cells) == 0 || len(cells) > 1 && isMultiplicative(cells) {
		return nil, false
	}
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, unit: "%", coverage: coverage(rel, ss)}
	p := in.text
	p.printf("%s %s vs %s: %s ", by.name, b, a, measureLabel(m))
	if len(cells) == 1 {
		writeOneCell(p, cells[0], m)
		in.value, in.effect, in.significance = 100*cells[0].c.change, math.Abs(cells[0].c.change), cells[0].c.significance()
		return in, true
	}
	changes := make([]float64, len(cells))
	for i, cell := range cells {
		changes[i] = cell.c.change
	}
	mean := stats.Mean(changes)
	way, moved := directionCount(changes, m.direction)
	tied := len(slices.DeleteFunc(slices.Clone(changes), func(x float64) bool { return x != 0 }))
	sign := stats.SignTest(moved, len(cells)-tied) // a cell that did not change speaks for neither direction
	p.printf("%s on average (%s to %s), %s in %s of %s matched cells", p.percent(mean),
		p.percent(slices.Min(changes)), p.percent(slices.Max(changes)), way, p.count(moved), p.count(len(cells)))
	if tied > 0 {
		p.printf(", unchanged in %s", p.count(tied))
	}
	p.printf(" (sign test %s, %s)", p.pValue(sign), verdictWord(stats.Significant(sign)))
	in.value, in.effect, in.significance = 100*mean, math.Abs(mean), 1-sign
	if own, ok := ownTests(cells); ok && !stats.Significant(sign) {
		// The level does not win across the cells, yet it differs in some of them: an effect of part of the grid
		// (OpenCL halves the time of long prompts, not of short ones).
		p.printf(", yet beyond noise in %s by their own tests (Bonferroni over %s cells: %s)", p.countOf(own.cells, "cell"),
			p.count(len(cells)), p.pValue(own.p))
		in.effect, in.significance = own.change, 1-own.p
	}
	writeCells(p, cells, m)
	return in, stats.Significant(sign)
}

// cellTests is what the matched cells' own tests say together: the smallest p times the number of cells
// (Bonferroni, a test of "no cell differs"), how many cells pass it, and their mean absolute change.
type cellTests struct {
	p      float64
	cells  int
	change float64
}

// ownTests is the cells' own tests together; false when no cell differs beyond noise after the correction.
func ownTests(cells []matchedCell) (cellTests, bool) {
	var t cellTests
	t.p = 1
	var changes []float64
	for _, c := range cells {
		if math.IsNaN(c.c.p) {
			continue
		}
		corrected := math.Min(1, c.c.p*float64(len(cells)))
		t.p = math.Min(t.p, corrected)
		if stats.Significant(corrected) {
			changes = append(changes, math.Abs(c.c.change))
		}
	}
	if len(changes) == 0 {
		return t, false
	}
	t.cells, t.change = len(changes), stats.Mean(changes)
	return t, true
}

// isMultiplicative reports whether the two levels lie multiplicativeRatio or more apart over the matched cells,
// so that the ratio insight states them.
func isMultiplicative(cells []matchedCell) bool {
	ratios := make([]float64, len(cells))
	for i, c := range cells {
		ratios[i] = c.b.mean / c.a.mean
		if ratios[i] <= 0 {
			return false
		}
	}
	g := geometricMean(ratios)
	return math.Max(g, 1/g) >= multiplicativeRatio
}

// directionCount counts the cells that moved the way that is better for the measure: lower for times, higher
// for rates and for measures of no known direction.
func directionCount(changes []float64, direction int) (way string, n int) {
	way = "higher"
	if direction < 0 {
		way = "lower"
	}
	for _, x := range changes {
		if direction < 0 && x < 0 || direction >= 0 && x > 0 {
			n++
		}
	}
	return way, n
}

// twoLevels returns a dimension's two levels, reference first; false when it has another number of levels.
func twoLevels(by *dimension) (a, b string, ok bool) {
	levels := by.distinct()
	if len(levels) != 2 {
		return "", "", false
	}
	a, b = referenceFirst(by, levels[0], levels[1])
	return a, b, true
}

// referenceFirst orders two levels of by, a seen before b, so that the reference comes first: a baseline's
// name, else the lower setting, else the level seen first.
func referenceFirst(by *dimension, a, b string) (string, string) {
	switch {
	case referenceLevel.MatchString(b) && !referenceLevel.MatchString(a):
		return b, a
	case by.ordered && parseCell(b).value < parseCell(a).value:
		return b, a
	}
	return a, b
}

// matchCells pairs the two levels within each subspace where both hold a value.
func matchCells(ss []*series, a, b string) []matchedCell {
	var out []matchedCell
	for _, s := range ss {
		pa, okA := s.pointAt(a)
		pb, okB := s.pointAt(b)
		if okA && okB && pa.ok() && pb.ok() && pa.mean != 0 {
			out = append(out, matchedCell{s.subspace, pa, pb, compare(pa, pb)})
		}
	}
	return out
}

func (s *series) pointAt(level string) (point, bool) {
	for _, p := range s.points {
		if p.level == level {
			return p, true
		}
	}
	return point{}, false
}

func writeOneCell(p *phrase, cell matchedCell, m *measure) {
	p.printf("%s → %s, %s (", writeValue(p, cell.a, m.unit), writeValue(p, cell.b, m.unit), p.percent(cell.c.change))
	cell.c.writeTest(p)
	p.printf(")%s", within(cell.subspace))
}

// writeCells lists the matched cells one by one: all of them while they are few, else those whose own test
// puts them beyond noise, largest change first.
func writeCells(p *phrase, cells []matchedCell, m *measure) {
	listed := cells
	if len(cells) > maxListed {
		listed = slices.DeleteFunc(slices.Clone(cells), func(c matchedCell) bool { return !c.c.beyondNoise() })
		slices.SortStableFunc(listed, func(a, b matchedCell) int {
			return cmp.Compare(math.Abs(b.c.change), math.Abs(a.c.change))
		})
		listed = listed[:min(len(listed), maxListed)]
		if len(listed) > 0 {
			p.printf("; beyond noise in their own cell")
		}
	}
	for i, cell := range listed {
		p.printf("%s%s %s → %s (%s", listItem(i, ", "), cell.subspace, p.fixed(cell.a.mean, cell.a.decimals),
			p.fixed(cell.b.mean, cell.b.decimals), p.percent(cell.c.change))
		if cell.c.testable {
			p.printf(", ")
			cell.c.writeTest(p)
		}
		p.printf(")")
	}
}
