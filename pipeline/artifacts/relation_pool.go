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
// grouped by every dimension but dims[i] (see subspacesOf): the groups in which dims[i] alone differs.
func (rel *relation) pooledDims(m *measure, dims []*dimension, within []subspaces) map[*dimension]*dimension {
	pooled := map[*dimension]*dimension{}
	for i, d := range dims {
		if rel.isLabel(d) {
			continue
		}
		if p := poolIfInert(m, d, within[i]); p != nil {
			pooled[d] = p
		}
	}
	return pooled
}

// poolIfInert is d with the levels of each testable group of rows that differ in d alone joined, "128 or 256";
// nil when d moves m beyond noise in one such group, or when none can be tested. With many groups one would
// show a difference by chance alone, so their tests are held to the significance level divided by their number
// (Bonferroni).
func poolIfInert(m *measure, d *dimension, groups subspaces) *dimension {
	var tested []inertGroup
	tests := 0
	for _, key := range groups.keys {
		g := inertGroup{rows: groups.rows[key]}
		if g.levels, g.comparisons = levelComparisons(m, d, g.rows); g.levels != nil {
			tested, tests = append(tested, g), tests+len(g.comparisons)
		}
	}
	if len(tested) == 0 {
		return nil
	}
	copied := &dimension{name: d.name, levels: slices.Clone(d.levels), values: slices.Clone(d.values)}
	for _, g := range tested {
		if slices.ContainsFunc(g.comparisons, func(c comparison) bool { return c.beyondNoiseAmong(tests) }) {
			return nil
		}
		joined := strings.Join(g.levels, " or ")
		for _, row := range g.rows {
			copied.levels[row] = joined
		}
	}
	return copied
}

// inertGroup is a group of rows that differ in one dimension alone, its levels there and their comparisons.
type inertGroup struct {
	rows        []int
	levels      []string
	comparisons []comparison
}

// levelComparisons compares every two levels d takes in the rows, each repeated; nil levels when d takes fewer
// than two there or one is a single run, which says nothing of the noise a difference would have to exceed. The
// levels come in d's order of appearance.
func levelComparisons(m *measure, d *dimension, rows []int) (levels []string, comparisons []comparison) {
	rowsAt := map[string][]int{}
	for _, row := range rows {
		rowsAt[d.levels[row]] = append(rowsAt[d.levels[row]], row)
	}
	for _, l := range d.distinct() {
		if rowsAt[l] != nil {
			levels = append(levels, l)
		}
	}
	if len(levels) < 2 {
		return nil, nil
	}
	points := make([]point, len(levels))
	for i, l := range levels {
		points[i].summarize(m, rowsAt[l])
		if len(points[i].samples) < 2 {
			return nil, nil
		}
	}
	for i, a := range points {
		for _, b := range points[i+1:] {
			comparisons = append(comparisons, compare(a, b))
		}
	}
	return levels, comparisons
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
