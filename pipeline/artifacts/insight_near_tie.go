package artifacts

import (
	"cmp"
	"math"
	"slices"

	"chimera/pipeline/stats"
)

// FactNearTie: two levels of a dimension that stay within a few per cent of each other across the other
// settings, while its other levels lie farther from both: two quantisations of one model, two builds, between
// which the choice barely matters, however surely a test separates them.
const FactNearTie = "near_tie"

// nearTieMargin is the gap under which two levels are nearly equal: a few per cent, which no one would choose a
// configuration by, while the steps between quantisations, models or backends are tens of per cent.
const nearTieMargin = 0.05

// minNearTieCells is the fewest matched cells a near tie is stated over: one or two could be a coincidence.
const minNearTieCells = 3

// pairOfLevels is two levels compared over their matched cells, the one ahead in most cells as b.
type pairOfLevels struct {
	a, b  string
	cells []matchedCell
}

// near are the cells where the two are within nearTieMargin, closest first; apart the others, farthest first.
func (pr pairOfLevels) split() (near, apart []matchedCell) {
	for _, c := range pr.cells {
		if isNear(c.c.change) {
			near = append(near, c)
		} else {
			apart = append(apart, c)
		}
	}
	byGap := func(x, y matchedCell) int { return cmp.Compare(math.Abs(x.c.change), math.Abs(y.c.change)) }
	slices.SortStableFunc(near, byGap)
	slices.SortStableFunc(apart, func(x, y matchedCell) int { return byGap(y, x) })
	return near, apart
}

func isNear(change float64) bool { return math.Abs(change) <= nearTieMargin }

// mostlyNear reports whether the two are within the margin in more than half their cells, and in at least
// minNearTieCells.
func (pr pairOfLevels) mostlyNear() bool {
	near, _ := pr.split()
	return len(near) >= minNearTieCells && 2*len(near) > len(pr.cells)
}

// mostlyApart reports whether the two are beyond the margin in more than half their cells.
func (pr pairOfLevels) mostlyApart() bool {
	_, apart := pr.split()
	return len(pr.cells) > 0 && 2*len(apart) > len(pr.cells)
}

// closeness orders candidate pairs: the larger share of near cells, then the smaller median gap among them.
func (pr pairOfLevels) closeness() (share, gap float64) {
	near, _ := pr.split()
	gaps := make([]float64, len(near))
	for i, c := range near {
		gaps[i] = math.Abs(c.c.change)
	}
	return float64(len(near)) / float64(len(pr.cells)), stats.Median(gaps)
}

// newPair matches two levels over the series, the one that is better in most cells second.
func newPair(ss []*series, a, b string, direction int) pairOfLevels {
	cells := matchCells(ss, a, b)
	_, bAhead := directionCount(changesOf(cells), direction)
	if 2*bAhead < len(cells) {
		a, b, cells = b, a, matchCells(ss, b, a)
	}
	return pairOfLevels{a: a, b: b, cells: cells}
}

func changesOf(cells []matchedCell) []float64 {
	out := make([]float64, len(cells))
	for i, c := range cells {
		out[i] = c.c.change
	}
	return out
}

func findNearTie(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	levels := by.distinct()
	if len(levels) < 3 {
		return nil // of two levels, the effect insight says whether they differ
	}
	var tie *pairOfLevels
	for i, first := range levels {
		for _, second := range levels[i+1:] {
			pr := newPair(b.series, first, second, m.direction)
			if pr.mostlyNear() && (tie == nil || closerThan(pr, *tie)) {
				tie = &pr
			}
		}
	}
	if tie == nil {
		return nil
	}
	contrast, ok := standsApart(*tie, b.series, levels, m.direction)
	if !ok {
		return nil
	}
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, unit: "%", coverage: pairCoverage(rel, by, *tie),
		effect: contrast, significance: tie.evidence()}
	tie.write(in.text, m, by)
	in.value = 100 * stats.Median(changesOf(tie.cells))
	return in
}

// evidence stands for significance: the share of cells where the two are near, discounted as a comparison of
// single values is (see comparison.significance) where no cell states its noise, since two single runs within
// a few per cent may be further apart than they show.
func (pr pairOfLevels) evidence() float64 {
	share, _ := pr.closeness()
	if !slices.ContainsFunc(pr.cells, func(c matchedCell) bool { return c.c.testable }) {
		return share * comparison{p: math.NaN(), noiseMargin: math.NaN()}.significance()
	}
	return share
}

func closerThan(x, y pairOfLevels) bool {
	xShare, xGap := x.closeness()
	yShare, yGap := y.closeness()
	return xShare > yShare || xShare == yShare && xGap < yGap
}

// standsApart reports whether every other level that shares cells with the pair is mostly farther than the
// margin from both, so that the pair is the exception in a dimension that matters; with the median gap from
// the pair to its nearest other level, which measures how much it matters.
func standsApart(tie pairOfLevels, ss []*series, levels []string, direction int) (float64, bool) {
	nearest := math.Inf(1)
	for _, c := range levels {
		if c == tie.a || c == tie.b {
			continue
		}
		for _, level := range []string{tie.a, tie.b} {
			pr := newPair(ss, level, c, direction)
			if len(pr.cells) == 0 {
				continue
			}
			if !pr.mostlyApart() {
				return 0, false
			}
			gaps := changesOf(pr.cells)
			for i := range gaps {
				gaps[i] = math.Abs(gaps[i])
			}
			nearest = math.Min(nearest, stats.Median(gaps))
		}
	}
	return math.Min(1, nearest), !math.IsInf(nearest, 1)
}

// pairCoverage is the share of the relation's rows at either level of the pair.
func pairCoverage(rel *relation, by *dimension, pr pairOfLevels) float64 {
	rows := 0
	for _, l := range by.levels {
		if l == pr.a || l == pr.b {
			rows++
		}
	}
	return float64(rows) / float64(rel.rows)
}

// write states the tie: over how many cells, the closest and the widest of them, how many a test separates,
// and the cells where the two are farther apart.
func (pr pairOfLevels) write(p *phrase, m *measure, by *dimension) {
	near, apart := pr.split()
	p.printf("%s by %s: %s and %s nearly equal, within %s %% in %s of %s matched cells (%s ahead in %s)", measureLabel(m),
		by.name, pr.b, pr.a, p.num(100*nearTieMargin), p.count(len(near)), p.count(len(pr.cells)), pr.b,
		p.count(aheadCount(pr.cells, m.direction)))
	closest, widest := near[0], near[len(near)-1]
	p.printf(": from %s at %s (%s vs %s) to %s at %s (%s vs %s)", p.percent(closest.c.change), closest.subspace,
		p.fixed(closest.b.mean, closest.b.decimals), p.fixed(closest.a.mean, closest.a.decimals), p.percent(widest.c.change),
		widest.subspace, p.fixed(widest.b.mean, widest.b.decimals), p.fixed(widest.a.mean, widest.a.decimals))
	separated := 0
	for _, c := range near {
		if c.c.beyondNoise() {
			separated++
		}
	}
	if separated > 0 {
		p.printf("; beyond noise in %s of those %s: real, but small", p.count(separated), p.count(len(near)))
	}
	if len(apart) > 0 {
		p.printf("; farther apart in %s", p.count(len(apart)))
		for i, c := range apart[:min(len(apart), maxListed)] {
			p.printf("%s%s %s vs %s (%s)", listItem(i, ", "), c.subspace, p.fixed(c.b.mean, c.b.decimals),
				p.fixed(c.a.mean, c.a.decimals), p.percent(c.c.change))
		}
	}
}

// aheadCount is in how many cells b is the better of the two.
func aheadCount(cells []matchedCell, direction int) int {
	_, n := directionCount(changesOf(cells), direction)
	return n
}
