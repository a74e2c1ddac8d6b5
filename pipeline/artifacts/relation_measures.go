package artifacts

import (
	"cmp"
	"slices"
	"strings"
)

// Measures that would only restate others: the same quantity in another unit, the extremes beside a mean,
// constants.

// dropRestatedMeasures removes a measure that another one restates: the same quantity in another unit (avg_ns
// beside avg_ts, ttft_ms beside ttft_s), which ranks every row of a workload the same way or exactly the
// reverse. Its insights would restate the other's. A rate is kept over a time, as llama-bench's readers read
// t/s; otherwise the first.
func (rel *relation) dropRestatedMeasures() {
	ratesFirst := slices.Clone(rel.measures)
	slices.SortStableFunc(ratesFirst, func(a, b *measure) int { return cmp.Compare(b.direction, a.direction) })
	workloads := rel.workloadRows()
	var kept []*measure
	for _, m := range ratesFirst {
		if !slices.ContainsFunc(kept, func(k *measure) bool { return restates(k, m, workloads) }) {
			kept = append(kept, m)
		}
	}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool { return !slices.Contains(kept, m) })
}

// restates reports whether b is a in another unit: within each workload (a time of pp512 and of tg128 covers
// different token counts, so only a test's rows convert by one factor), ordering the rows by a orders them
// strictly by b, the same way in every workload.
func restates(a, b *measure, workloads [][]int) bool {
	if withoutUnitWord(a.name) != withoutUnitWord(b.name) {
		return false
	}
	direction, compared := 0, 0
	for _, rows := range workloads {
		var pairs [][2]float64
		for _, i := range rows {
			if a.cells[i].isNumber() && b.cells[i].isNumber() {
				pairs = append(pairs, [2]float64{a.cells[i].value, b.cells[i].value})
			}
		}
		if len(pairs) < 2 {
			continue
		}
		d := monotoneDirection(pairs)
		if d == 0 || direction != 0 && d != direction {
			return false
		}
		direction, compared = d, compared+len(pairs)
	}
	return compared >= minTrendPoints
}

// monotoneDirection is +1 when ordering the pairs by their first value orders their second strictly rising, −1
// when strictly falling, 0 otherwise, as Kendall's τ of ±1 would say, in n log n rather than n² (a sweep stacks
// tens of thousands of rows).
func monotoneDirection(pairs [][2]float64) int {
	slices.SortFunc(pairs, func(p, q [2]float64) int { return cmp.Compare(p[0], q[0]) })
	rising, falling := true, true
	for i := 1; i < len(pairs); i++ {
		dx, dy := pairs[i][0]-pairs[i-1][0], pairs[i][1]-pairs[i-1][1]
		rising = rising && dx > 0 && dy > 0
		falling = falling && dx > 0 && dy < 0
	}
	switch {
	case rising:
		return 1
	case falling:
		return -1
	}
	return 0
}

// withoutUnitWord is a column's name without its last word when that word is a unit: avg_ts and avg_ns are
// both "avg".
func withoutUnitWord(name string) string {
	norm := normalizeColumn(name)
	if i := strings.LastIndexByte(norm, '_'); i > 0 && unitSuffixes[norm[i+1:]] {
		return norm[:i]
	}
	return norm
}

var unitSuffixes = setOf("ts", "ns", "us", "ms", "s", "sec", "tps", "tok_s", "t_s")

// Statistic words name a summary of a quantity rather than the quantity: the central ones stand for it, the
// others (extremes, tail percentiles) describe its spread.
var (
	centralWords = setOf("mean", "avg", "average", "median", "p50")
	spreadStats  = setOf("min", "max", "minimum", "maximum", "p25", "p75", "p90", "p95", "p99", "p999", "stddev", "std")
)

// keepCentralStatistics drops the extremes and percentiles of a quantity whose mean or median the table also
// has (min_time_ms and max_time_ms beside mean_time_ms), and all but the first of its central values: each
// would restate the central one's ranking.
func (rel *relation) keepCentralStatistics() {
	rel.tails = findTails(rel.measures)
	central := map[string]bool{}
	for _, m := range rel.measures {
		if stem, word := statisticOf(m.name); centralWords[word] {
			central[stem] = true
		}
	}
	seen := map[string]bool{}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool {
		stem, word := statisticOf(m.name)
		switch {
		case !central[stem]:
			return false
		case spreadStats[word]:
			return true
		case centralWords[word] && seen[stem]:
			return true
		}
		seen[stem] = seen[stem] || centralWords[word]
		return false
	})
}

// statisticOf splits a column's name into the quantity and the statistic word it names: benchmark.min_time_ms
// is benchmark_time_ms and min; a name without one has the word "".
func statisticOf(name string) (stem, word string) {
	parts := strings.Split(normalizeColumn(name), "_")
	for i, p := range parts {
		if centralWords[p] || spreadStats[p] {
			return strings.Join(slices.Delete(slices.Clone(parts), i, i+1), "_"), p
		}
	}
	return strings.Join(parts, "_"), ""
}

// dropConstantMeasures removes measures with one value throughout: a setting every row shares (temperature 0.3,
// an opset) compares nothing.
func (rel *relation) dropConstantMeasures() {
	if rel.rows < 2 {
		return // one row's values are all there is, not a setting it shares with others
	}
	rel.measures = slices.DeleteFunc(rel.measures, func(m *measure) bool {
		first := slices.IndexFunc(m.cells, cell.isNumber)
		return first < 0 || !slices.ContainsFunc(m.cells[first+1:], func(c cell) bool {
			return c.isNumber() && c.value != m.cells[first].value
		})
	})
}
