package artifacts

import (
	"math"
	"slices"
	"strconv"
)

// A benchmark's test (llama-bench's pp512, tg128, pp512+tg128) is a kind of workload, not a setting: prompt
// processing and generation run at rates two orders of magnitude apart and measure different things, so a
// trend, ratio or ranking across tests says nothing about a setting. A workload dimension fixes every subspace,
// so settings are compared within each test, and is never itself broken down by.

// markWorkloads marks the dimensions whose levels are test names, after naming the tests of a table that
// states them as token counts (llama-bench's CSV and JSON: n_prompt and n_gen).
func (rel *relation) markWorkloads() {
	rel.nameTestsFromTokenCounts()
	for _, d := range rel.dims {
		d.workload = allLevelsMatch(d.levels, testLevel)
	}
}

// workloadRows are the relation's rows grouped by the levels of its workload dimensions, in order of
// appearance: one group of every row where it has none.
func (rel *relation) workloadRows() [][]int {
	workloads := rel.workloadDims()
	var keys []string
	rows := map[string][]int{}
	for row := range rel.rows {
		key := subspaceKey(workloads, row)
		if rows[key] == nil {
			keys = append(keys, key)
		}
		rows[key] = append(rows[key], row)
	}
	out := make([][]int, len(keys))
	for i, key := range keys {
		out[i] = rows[key]
	}
	return out
}

// workloadDims are the relation's varying workload dimensions: their levels at a row, "test=pp512", name its
// workload.
func (rel *relation) workloadDims() []*dimension {
	return slices.DeleteFunc(rel.varyingDims(), func(d *dimension) bool { return !d.workload })
}

// nameTestsFromTokenCounts replaces the n_prompt and n_gen dimensions with the test they name together, as
// llama-bench does: pp512 (a prompt, nothing generated), tg128 (generation alone), pp512+tg128 (both).
func (rel *relation) nameTestsFromTokenCounts() {
	prompt, gen := rel.settingDim("n_prompt"), rel.settingDim("n_gen")
	if prompt == nil || gen == nil {
		return
	}
	test := &dimension{name: "test", levels: make([]string, rel.rows), values: make([]float64, rel.rows)}
	for row := range rel.rows {
		test.levels[row] = testName(prompt.values[row], gen.values[row])
		test.values[row] = math.NaN()
	}
	rel.dims = slices.DeleteFunc(rel.dims, func(d *dimension) bool { return d == prompt || d == gen })
	rel.dims = append(rel.dims, test)
}

// settingDim is the dimension whose normalized name is norm, nil when there is none.
func (rel *relation) settingDim(norm string) *dimension {
	if i := slices.IndexFunc(rel.dims, func(d *dimension) bool { return normalizeColumn(d.name) == norm }); i >= 0 {
		return rel.dims[i]
	}
	return nil
}

// testName names a llama-bench test by its token counts; "" when neither is a positive count.
func testName(prompt, gen float64) string {
	count := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case prompt > 0 && gen > 0:
		return "pp" + count(prompt) + "+tg" + count(gen)
	case prompt > 0:
		return "pp" + count(prompt)
	case gen > 0:
		return "tg" + count(gen)
	}
	return ""
}
