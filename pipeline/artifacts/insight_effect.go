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

func findEffect(rel *relation, m *measure, by *dimension, ss []*series) *insight {
	a, b, ok := twoLevels(by)
	if !ok {
		return nil
	}
	cells := matchCells(ss, a, b)
	if len(cells) == 0 || len(cells) > 1 && isMultiplicative(cells) {
		return nil
	}
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, unit: "%", coverage: coverage(rel, ss)}
	p := in.text
	p.printf("%s %s vs %s: %s ", by.name, b, a, measureLabel(m))
	if len(cells) == 1 {
		writeOneCell(p, cells[0], m)
		in.value, in.effect, in.significance = 100*cells[0].c.change, math.Abs(cells[0].c.change), cells[0].c.significance()
		return in
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
	writeCells(p, cells, m)
	in.value, in.effect, in.significance = 100*mean, math.Abs(mean), 1-sign
	return in
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
