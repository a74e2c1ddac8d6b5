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

// pairOfLevels is two levels compared over the subspaces that hold both, the one ahead in most as b: by their
// relative gaps alone, which is cheap enough to try every pair of levels.
type pairOfLevels struct {
	a, b    string
	changes []float64 // per subspace holding both, b / a − 1
}

func isNear(change float64) bool { return math.Abs(change) <= nearTieMargin }

// near counts the subspaces where the two are within nearTieMargin.
func (pr pairOfLevels) near() int {
	n := 0
	for _, x := range pr.changes {
		if isNear(x) {
			n++
		}
	}
	return n
}

// mostlyNear reports whether the two are within the margin in more than half their cells, and in at least
// minNearTieCells.
func (pr pairOfLevels) mostlyNear() bool {
	return pr.near() >= minNearTieCells && 2*pr.near() > len(pr.changes)
}

// mostlyApart reports whether the two are beyond the margin in more than half their cells.
func (pr pairOfLevels) mostlyApart() bool {
	return len(pr.changes) > 0 && 2*(len(pr.changes)-pr.near()) > len(pr.changes)
}

// closeness orders candidate pairs: the larger share of near cells, then the smaller median gap among them.
func (pr pairOfLevels) closeness() (share, gap float64) {
	var gaps []float64
	for _, x := range pr.changes {
		if isNear(x) {
			gaps = append(gaps, math.Abs(x))
		}
	}
	return float64(len(gaps)) / float64(len(pr.changes)), stats.Median(gaps)
}

// levelMeans is, per series, each level's mean, indexed as levels are; NaN where the series has none.
func levelMeans(ss []*series, levels []string) [][]float64 {
	index := make(map[string]int, len(levels))
	for i, l := range levels {
		index[l] = i
	}
	out := make([][]float64, len(ss))
	for i, s := range ss {
		out[i] = make([]float64, len(levels))
		for j := range out[i] {
			out[i][j] = math.NaN()
		}
		for _, pt := range s.points {
			out[i][index[pt.level]] = pt.mean
		}
	}
	return out
}

// newPair compares levels a and b (indices into the levels) over the series that hold both, the one that is
// better in most as b.
func newPair(means [][]float64, levels []string, a, b int, direction int) pairOfLevels {
	var changes []float64
	for _, m := range means {
		if !math.IsNaN(m[a]) && !math.IsNaN(m[b]) && m[a] != 0 {
			changes = append(changes, m[b]/m[a]-1)
		}
	}
	pr := pairOfLevels{a: levels[a], b: levels[b], changes: changes}
	if _, bAhead := directionCount(changes, direction); 2*bAhead < len(changes) {
		pr.a, pr.b = pr.b, pr.a
		for i, x := range changes {
			pr.changes[i] = 1/(1+x) - 1
		}
	}
	return pr
}

func findNearTie(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	levels := by.distinct()
	if len(levels) < 3 || rel.isLabel(by) {
		return nil // of two levels, the effect insight says whether they differ; a label's levels share no cells
	}
	means := levelMeans(b.series, levels)
	var tie *pairOfLevels
	for i := range levels {
		for j := i + 1; j < len(levels); j++ {
			pr := newPair(means, levels, i, j, m.direction)
			if pr.mostlyNear() && (tie == nil || closerThan(pr, *tie)) {
				tie = &pr
			}
		}
	}
	if tie == nil {
		return nil
	}
	contrast, ok := standsApart(*tie, means, levels, m.direction)
	if !ok {
		return nil
	}
	cells := matchCells(b.series, tie.a, tie.b)
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, unit: "%", coverage: pairCoverage(rel, by, *tie),
		effect: contrast, significance: tie.evidence(cells)}
	writeNearTie(in.text, m, by, *tie, cells)
	in.value = 100 * stats.Median(tie.changes)
	return in
}

// evidence stands for significance: the share of cells where the two are near, discounted as a comparison of
// single values is (see comparison.significance) where no cell states its noise, since two single runs within
// a few per cent may be further apart than they show.
func (pr pairOfLevels) evidence(cells []matchedCell) float64 {
	share, _ := pr.closeness()
	if !slices.ContainsFunc(cells, func(c matchedCell) bool { return c.c.testable }) {
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
func standsApart(tie pairOfLevels, means [][]float64, levels []string, direction int) (float64, bool) {
	nearest := math.Inf(1)
	pair := []int{slices.Index(levels, tie.a), slices.Index(levels, tie.b)}
	for c, other := range levels {
		if other == tie.a || other == tie.b {
			continue
		}
		for _, level := range pair {
			pr := newPair(means, levels, level, c, direction)
			if len(pr.changes) == 0 {
				continue
			}
			if !pr.mostlyApart() {
				return 0, false
			}
			gaps := make([]float64, len(pr.changes))
			for i, x := range pr.changes {
				gaps[i] = math.Abs(x)
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

// writeNearTie states the tie: over how many cells, the closest and the widest of them, how many a test
// separates, and the cells where the two are farther apart.
func writeNearTie(p *phrase, m *measure, by *dimension, pr pairOfLevels, cells []matchedCell) {
	var near, apart []matchedCell
	for _, c := range cells {
		if isNear(c.c.change) {
			near = append(near, c)
		} else {
			apart = append(apart, c)
		}
	}
	byGap := func(x, y matchedCell) int { return cmp.Compare(math.Abs(x.c.change), math.Abs(y.c.change)) }
	slices.SortStableFunc(near, byGap)
	slices.SortStableFunc(apart, func(x, y matchedCell) int { return byGap(y, x) })
	p.printf("%s by %s: %s and %s nearly equal, within %s %% in %s of %s matched cells (%s ahead in %s)", measureLabel(m),
		by.name, pr.b, pr.a, p.num(100*nearTieMargin), p.count(len(near)), p.count(len(cells)), pr.b,
		p.count(aheadCount(cells, m.direction)))
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
	changes := make([]float64, len(cells))
	for i, c := range cells {
		changes[i] = c.c.change
	}
	_, n := directionCount(changes, direction)
	return n
}
