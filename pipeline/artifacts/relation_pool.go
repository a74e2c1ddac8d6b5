package artifacts

import (
	"slices"
	"strings"
)

// A setting that does not move a measure is pooled over: the time to the first token is the same whether 128
// or 256 tokens follow it, and its runs at both are one sample twice the size. A dimension is pooled for a
// measure when, wherever it can be tested (rows that differ in it alone, every level repeated), no two of its
// levels differ beyond their noise; there the other dimensions are compared over the runs of all its levels
// together, as "Tokens=128 or 256". Where a level is a single run, nothing says it does not matter: those rows
// keep their levels.

// pooledDims returns, for one measure, a pooled copy of each dimension that does not move it (see
// poolIfInert). Dimensions that do, or that cannot be tested, are not in the map. within[i] are the rows
// grouped by every dimension but dims[i] (see subspacesOf): the groups in which dims[i] alone differs; cells[i]
// is the measure broken down by dims[i] in each of them.
func (rel *relation) pooledDims(dims []*dimension, within []subspaces, cells [][]*series) map[*dimension]*dimension {
	pooled := map[*dimension]*dimension{}
	for i, d := range dims {
		if rel.isLabel(d) {
			continue
		}
		if p := poolIfInert(d, within[i], cells[i]); p != nil {
			pooled[d] = p
		}
	}
	return pooled
}

// poolIfInert is d with the levels of each testable group of rows that differ in d alone joined, "128 or 256";
// nil when d moves the measure beyond noise in one such group, or when none can be tested. A group is testable
// when every level of d in it is repeated: a single run says nothing of the noise a difference would have to
// exceed. With many groups one would show a difference by chance alone, so their tests are held to the
// significance level divided by their number (Bonferroni).
func poolIfInert(d *dimension, groups subspaces, cells []*series) *dimension {
	var tested []*series
	tests := 0
	for _, s := range cells {
		if !slices.ContainsFunc(s.points, func(p point) bool { return len(p.samples) < 2 }) {
			tested, tests = append(tested, s), tests+len(s.points)*(len(s.points)-1)/2
		}
	}
	if len(tested) == 0 {
		return nil
	}
	if slices.ContainsFunc(tested, func(s *series) bool { return differsBeyondNoise(s.points, tests) }) {
		return nil
	}
	order := map[string]int{} // the levels' order of appearance, in which the joined level names them
	for i, l := range d.distinct() {
		order[l] = i
	}
	copied := &dimension{name: d.name, levels: slices.Clone(d.levels), values: slices.Clone(d.values)}
	for _, s := range tested {
		levels := make([]string, len(s.points))
		for i, p := range s.points {
			levels[i] = p.level
		}
		slices.SortFunc(levels, func(a, b string) int { return order[a] - order[b] })
		joined := strings.Join(levels, " or ")
		for _, row := range groups.rows[s.subspace] {
			copied.levels[row] = joined
		}
	}
	return copied
}

// differsBeyondNoise reports whether two of the points differ beyond noise, among tests comparisons in all.
func differsBeyondNoise(points []point, tests int) bool {
	for i, a := range points {
		for _, b := range points[i+1:] {
			if compare(a, b).beyondNoiseAmong(tests) {
				return true
			}
		}
	}
	return false
}

// withPooled is dims with each dimension but by replaced by its pooled copy, where it has one.
func withPooled(dims []*dimension, pooled map[*dimension]*dimension, by *dimension) []*dimension {
	out := slices.Clone(dims)
	for i, d := range out {
		if p, ok := pooled[d]; ok && d != by {
			out[i] = p
		}
	}
	return out
}
