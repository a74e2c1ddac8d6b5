package artifacts

import (
	"math"

	"chimera/pipeline/stats"
)

// comparison is a test of two points against the noise the source states.
type comparison struct {
	change float64 // b/a − 1
	p      float64 // NaN when no test applies
	// noiseMargin is |b − a| over the combined sd, where the source gives sds without their sample sizes.
	noiseMargin float64
	testable    bool // some noise is known: a p-value or a margin
	exact       bool // both sides repeated identically: no noise to test against
	newValue    bool // one side a single run, tested against the other's repetitions (stats.NewValueTest)
	// rankP is the Mann–Whitney p of few samples, NaN otherwise: with three runs a side a rank test cannot go
	// below 0.1, so a Welch p that can is resting on the runs' normality.
	rankP float64
}

// maxRankCaveatSamples is the most runs, both sides together, for which a rank test may be unable to reach
// significance at all (4 + 4 can: 2/70 = 0.029), and so the most for which rankP is computed.
const maxRankCaveatSamples = 8

// compare tests point b against point a: Welch on samples, Welch from summaries where both sizes are known,
// otherwise the gap in units of the stated sds.
func compare(a, b point) comparison {
	c := comparison{change: b.mean/a.mean - 1, p: math.NaN(), noiseMargin: math.NaN(), rankP: math.NaN()}
	switch {
	case len(a.samples) >= 2 && len(b.samples) >= 2 && a.sd == 0 && b.sd == 0:
		c.exact = true // identical repetitions on each side: whatever differs, differs every time
	case len(a.samples) >= 2 && len(b.samples) >= 2:
		c.p = stats.Welch(b.samples, a.samples).P
		if len(a.samples)+len(b.samples) <= maxRankCaveatSamples {
			c.rankP = stats.MannWhitney(b.samples, a.samples)
		}
	case len(a.samples) >= 2 && b.n == 1:
		c.p, c.newValue = stats.NewValueTest(a.samples, b.mean), true
	case len(b.samples) >= 2 && a.n == 1:
		c.p, c.newValue = stats.NewValueTest(b.samples, a.mean), true
	case a.n >= 2 && b.n >= 2 && !math.IsNaN(a.sd) && !math.IsNaN(b.sd):
		c.p = stats.WelchFromSummaries(b.mean, b.sd, b.n, a.mean, a.sd, a.n).P
	case !math.IsNaN(a.sd) && !math.IsNaN(b.sd):
		if combined := math.Hypot(a.sd, b.sd); combined > 0 {
			c.noiseMargin = math.Abs(b.mean-a.mean) / combined
		}
	}
	c.testable = c.exact || !math.IsNaN(c.p) || !math.IsNaN(c.noiseMargin)
	return c
}

// beyondNoise reports whether the difference is real by the test that applied: p below the significance level,
// or a gap of more than three combined sds.
func (c comparison) beyondNoise() bool {
	switch {
	case c.change == 0:
		return false
	case c.exact:
		return true
	}
	if !math.IsNaN(c.p) {
		return stats.Significant(c.p)
	}
	return c.noiseMargin > 3
}

// beyondNoiseAmong is beyondNoise for one of tests comparisons made together: its p-value held to the
// significance level divided by their number (Bonferroni).
func (c comparison) beyondNoiseAmong(tests int) bool {
	if math.IsNaN(c.p) || c.exact || c.change == 0 {
		return c.beyondNoise()
	}
	return c.p < stats.SignificanceLevel/float64(max(tests, 1))
}

// significance stands for 1 − p in an insight's score: a margin counts as strong evidence without a p-value;
// single values with no spread count as weak.
func (c comparison) significance() float64 {
	switch {
	case c.exact:
		return 1
	case !math.IsNaN(c.p):
		return 1 - c.p
	case !math.IsNaN(c.noiseMargin):
		return math.Min(0.9, c.noiseMargin/4)
	}
	return 0.3
}

// writeTest says how the difference was judged: "Welch p = 0.0013", "gap 4.1 sd, n not stated, no p-value", or
// "single values with no spread: not testable".
func (c comparison) writeTest(p *phrase) {
	switch {
	case c.exact:
		p.printf("identical repetitions on each side, so the difference is exact")
	case c.newValue:
		p.printf("a single run against the other's repetitions: t-test %s, %s", p.pValue(c.p), verdictWord(c.beyondNoise()))
	case !math.IsNaN(c.p):
		p.printf("Welch %s, %s", p.pValue(c.p), verdictWord(c.beyondNoise()))
		if c.beyondNoise() && c.rankP >= stats.SignificanceLevel {
			p.printf("; a rank test cannot confirm it with so few runs: Mann–Whitney %s", p.pValue(c.rankP))
		}
	case !math.IsNaN(c.noiseMargin):
		p.printf("gap %s sd; n not stated, so no p-value", p.fixed(c.noiseMargin, 1))
	default:
		p.printf("single values with no spread: cannot be called beyond noise")
	}
}

func verdictWord(significant bool) string {
	if significant {
		return "beyond noise"
	}
	return "not significant"
}

// writeValue prints a point's value at its source's precision, with its spread: "255.14 ± 0.18".
func writeValue(p *phrase, pt point, unit string) string {
	text := p.fixed(pt.mean, pt.decimals)
	if !math.IsNaN(pt.sd) && pt.n != 1 {
		text += " ± " + p.fixed(pt.sd, pt.sdDecimals())
	}
	if unit != "" {
		text += " " + unit
	}
	return text
}

// measureLabel names a measure with its unit: "avg_ts (t/s)".
func measureLabel(m *measure) string {
	if m.unit == "" || normalizeColumn(m.name) == normalizeColumn(m.unit) || unitInText(m.name) == m.unit {
		return m.name
	}
	return m.name + " (" + m.unit + ")"
}

// within prefixes a subspace: " at model=8B".
func within(subspace string) string {
	if subspace == "" {
		return ""
	}
	return " at " + subspace
}

// coverage is the share of the relation's rows the series speak for.
func coverage(rel *relation, ss []*series) float64 {
	rows := 0
	for _, s := range ss {
		rows += s.rows
	}
	if rel.rows == 0 {
		return 0
	}
	return math.Min(1, float64(rows)/float64(rel.rows))
}

// sdDecimals is the precision a point's sd is printed at: as its source writes it, else as the mean is printed.
func (pt point) sdDecimals() int {
	if pt.sdPlaces >= 0 {
		return pt.sdPlaces
	}
	return max(1, min(pt.decimals, readableDecimals(pt.mean)))
}
