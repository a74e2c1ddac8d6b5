package artifacts

import (
	"cmp"
	"slices"
)

// A benchmark's settings are often tied to each other: n_prompt is 2048 exactly when the series is prefill, an
// ending context is the starting depth plus the tokens of the test, a model comes with its own ubatch. A
// dimension that others determine adds no subspace of its own, and a breakdown by it would credit it with what
// its determinants do.

// independentDims are the varying dimensions that the others do not determine. Taken from the fewest levels
// up, a dimension is kept unless those kept already determine it; then a kept one that another single kept one
// determines is confounded with it and dropped. A label (see isLabel) determines every other dimension without
// telling anything about them, so it confounds none; nor does a whole confound its parts (see
// splitQualifiedLabels), which it is made of.
func (rel *relation) independentDims() []*dimension {
	varying := slices.Clone(rel.varyingDims())
	slices.SortStableFunc(varying, func(a, b *dimension) int {
		return cmp.Or(cmp.Compare(len(a.distinct()), len(b.distinct())), workloadFirst(a, b))
	})
	var kept []*dimension
	for _, d := range varying {
		if len(kept) == 0 || !determines(kept, d, rel.rows) {
			kept = append(kept, d)
		}
	}
	return slices.DeleteFunc(slices.Clone(kept), func(d *dimension) bool {
		return slices.ContainsFunc(kept, func(e *dimension) bool {
			return e != d && e != d.whole && !rel.isLabel(e) && determines([]*dimension{e}, d, rel.rows)
		})
	})
}

// workloadFirst orders a workload before another dimension: where a test and a series name the same rows, the
// test is kept, so that nothing is broken down by it.
func workloadFirst(a, b *dimension) int {
	switch {
	case a.workload == b.workload:
		return 0
	case a.workload:
		return -1
	}
	return 1
}

// determines reports whether the levels of keys fix the level of d in every row.
func determines(keys []*dimension, d *dimension, rows int) bool {
	seen := map[string]string{}
	var key []byte
	for row := 0; row < rows; row++ {
		key = appendSubspaceKey(key[:0], keys, row)
		level, ok := seen[string(key)]
		switch {
		case !ok:
			seen[string(key)] = d.levels[row]
		case level != d.levels[row]:
			return false
		}
	}
	return true
}

// minLabelRows is the fewest rows for a dimension with a level per row to count as a label rather than a
// handful of configurations.
const minLabelRows = 3

// isLabel reports whether a dimension names each row apart (a request id, a system per line of a ranking): it
// can break the measure down, but fixes no subspace for the others.
func (rel *relation) isLabel(d *dimension) bool {
	known := 0
	for _, l := range d.levels {
		if l != "" {
			known++
		}
	}
	return known >= minLabelRows && len(d.distinct()) == known
}
