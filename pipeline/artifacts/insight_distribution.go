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
	p50, p90, p99 := stats.Quantile(values, 0.5), stats.Quantile(values, 0.9), stats.Quantile(values, 0.99)
	worst := p99
	if m.direction > 0 {
		worst = stats.Quantile(values, 0.01)
	}
	in := &insight{subject: m.name + " distribution", text: &phrase{}, value: p50, unit: m.unit, coverage: 1,
		significance: 1, effect: math.Min(1, math.Abs(worst/p50-1))}
	p := in.text
	p.printf("%s over %s rows: p50 %s, p90 %s, p99 %s, max %s", measureLabel(m), p.count(len(values)),
		p.fixed(p50, decimals+1), p.fixed(p90, decimals+1), p.fixed(p99, decimals+1), p.fixed(slices.Max(values), decimals))
	if p50 != 0 {
		p.printf(" (p99 is %s the median)", p.times(p99/p50))
	}
	return in
}
