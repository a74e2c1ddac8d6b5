package artifacts

import (
	"math"
	"slices"

	"chimera/pipeline/stats"
)

// FactDistribution: the tail of a measure over many rows of one configuration (per-request latencies, per-call
// rates): its median, p90, p99 and maximum, and how far the tail lies from the median.
const FactDistribution = "distribution"

// minDistributionRows is the fewest values a tail is described over: below it, p99 is the maximum.
const minDistributionRows = 20

func findDistribution(rel *relation, m *measure) *insight {
	if len(rel.varyingDims()) > 0 {
		return nil // rows of several configurations: their mixture has no tail of its own
	}
	var values []float64
	decimals := 0
	for _, c := range m.cells {
		if c.isNumber() {
			values = append(values, c.value)
			decimals = max(decimals, int(c.decimals))
		}
	}
	if len(values) < minDistributionRows || slices.Min(values) == slices.Max(values) {
		return nil
	}
	// The tail that hurts: the slow end of a time, the low end of a rate.
	side := tailSideOf(m.direction)
	p50 := stats.Quantile(values, 0.5)
	p90, p99 := stats.Quantile(values, side.q90), stats.Quantile(values, side.q99)
	extreme := slices.Max(values)
	if m.direction > 0 {
		extreme = slices.Min(values)
	}
	in := &insight{subject: m.name + " distribution", text: &phrase{}, value: p50, unit: m.unit, coverage: 1,
		significance: 1, effect: math.Min(1, math.Abs(p99/p50-1))}
	p := in.text
	p.printf("%s over %s rows: p50 %s, %s %s, %s %s, %s %s", measureLabel(m), p.count(len(values)),
		p.fixed(p50, decimals+1), side.names[0], p.fixed(p90, decimals+1), side.names[1], p.fixed(p99, decimals+1),
		side.names[2], p.fixed(extreme, decimals))
	if p50 > 0 && p99 > 0 {
		p.printf(" (%s is %s the median)", side.names[1], p.times(p99/p50))
	}
	return in
}

// tailSide names the quantiles of the tail a user meets: the high one of what is better low, the low one of what
// is better high.
type tailSide struct {
	q90, q99 float64
	names    [3]string
}

func tailSideOf(direction int) tailSide {
	if direction > 0 {
		return tailSide{0.1, 0.01, [3]string{"p10", "p1", "min"}}
	}
	return tailSide{0.9, 0.99, [3]string{"p90", "p99", "max"}}
}
