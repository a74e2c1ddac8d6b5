package workflows

import (
	"fmt"
	"strings"

	"chimera/pipeline/agents"
	"chimera/pipeline/stats"
)

// Verdict is what Welch's test allows a comparison row to say.
type Verdict string

// The verdicts, worded as the report prints them.
const (
	VerdictTooFewRuns   Verdict = "no p-value (fewer than 2 runs on a side)"
	VerdictNoVariation  Verdict = "no p-value (both sides constant)"
	VerdictNoDifference Verdict = "no significant difference"
	VerdictBetter       Verdict = "chimera significantly better"
	VerdictWorse        Verdict = "chimera significantly worse"
)

// compareVerdicts words each outcome of stats.Judge for a comparison of chimera against the baseline.
var compareVerdicts = map[stats.Outcome]Verdict{stats.TooFewSamples: VerdictTooFewRuns, stats.NoSpread: VerdictNoVariation,
	stats.NoDifference: VerdictNoDifference, stats.Better: VerdictBetter, stats.Worse: VerdictWorse}

// ComparisonRow compares one metric of one scope (the workflow or a stage). Delta is chimera − baseline and
// DeltaPct that delta as a percentage of the baseline mean.
type ComparisonRow struct {
	Scope        string        `json:"scope"`
	Metric       string        `json:"metric"`
	HigherBetter bool          `json:"higher_is_better"`
	Baseline     stats.Summary `json:"baseline"`
	Chimera      stats.Summary `json:"chimera"`
	BaselineCI   []float64     `json:"baseline_ci95,omitempty"` // empty with fewer than 2 runs
	ChimeraCI    []float64     `json:"chimera_ci95,omitempty"`
	Delta        float64       `json:"delta"`
	DeltaPct     *float64      `json:"delta_pct"` // nil when the baseline mean is 0
	P            *float64      `json:"p_welch"`   // two-sided; nil when Welch's test is undefined (see Verdict)
	Verdict      Verdict       `json:"verdict"`
}

type compareScope struct {
	name string
	of   func(PassSample) ScopeSample
}

type compareMetric struct {
	name   string
	higher bool
	of     func(ScopeSample) float64
}

var (
	compareScopes = []compareScope{
		{"workflow", func(s PassSample) ScopeSample { return s.Workflow }},
		{agents.StageAnalysis, func(s PassSample) ScopeSample { return s.Analysis }},
		{agents.StageReport, func(s PassSample) ScopeSample { return s.Report }},
	}
	compareMetrics = []compareMetric{
		{"decode tok/s", true, func(s ScopeSample) float64 { return s.DecodeTPS }},
		{"prompt tok/s", true, func(s ScopeSample) float64 { return s.PromptTPS }},
		{"TTFT ms", false, func(s ScopeSample) float64 { return s.TTFTMS }},
		{"time ms", false, func(s ScopeSample) float64 { return s.TimeMS }},
	}
)

// compareRows compares every metric of every scope between the sides' samples; there is nothing to compare
// until both sides have one.
func compareRows(samples []PassSample) []ComparisonRow {
	sides := map[string]bool{}
	for _, s := range samples {
		sides[s.Side] = true
	}
	if len(sides) < 2 {
		return nil
	}
	var rows []ComparisonRow
	for _, scope := range compareScopes {
		for _, metric := range compareMetrics {
			var base, chim []float64
			for _, s := range samples {
				value := metric.of(scope.of(s))
				if s.Side == SideBaseline {
					base = append(base, value)
				} else {
					chim = append(chim, value)
				}
			}
			rows = append(rows, compareRow(scope.name, metric, base, chim))
		}
	}
	return rows
}

func compareRow(scope string, metric compareMetric, base, chim []float64) ComparisonRow {
	b, c := stats.Summarize(base), stats.Summarize(chim)
	row := ComparisonRow{Scope: scope, Metric: metric.name, HigherBetter: metric.higher, Baseline: b, Chimera: c, Delta: c.Mean - b.Mean}
	if b.Mean != 0 {
		pct := row.Delta / b.Mean * 100
		row.DeltaPct = &pct
	}
	judgement := stats.Judge(base, chim, metric.higher)
	row.Verdict = compareVerdicts[judgement.Outcome]
	if judgement.Outcome == stats.TooFewSamples {
		return row
	}
	row.BaselineCI, row.ChimeraCI = ci95(base), ci95(chim)
	if judgement.Outcome != stats.NoSpread {
		row.P = &judgement.P
	}
	return row
}

func ci95(xs []float64) []float64 {
	lo, hi := stats.MeanCI95(xs)
	return []float64{lo, hi}
}

// concludeComparison sums the rows up in words that follow the numbers: a difference is claimed only where
// Welch's test finds one.
func concludeComparison(rows []ComparisonRow) string {
	if len(rows) == 0 {
		return "Nothing to compare: no measured pass completed on one of the sides."
	}
	nb, nc := rows[0].Baseline.N, rows[0].Chimera.N
	if rows[0].Verdict == VerdictTooFewRuns {
		return fmt.Sprintf("A p-value is not available: Welch's test needs at least 2 measured runs per configuration "+
			"(baseline %d, chimera %d). The deltas are single observations, not evidence of a difference.", nb, nc)
	}
	byVerdict := map[Verdict][]string{}
	for _, r := range rows {
		byVerdict[r.Verdict] = append(byVerdict[r.Verdict], r.finding())
	}
	better, worse, constant := byVerdict[VerdictBetter], byVerdict[VerdictWorse], byVerdict[VerdictNoVariation]
	tested := len(rows) - len(constant)
	var b strings.Builder
	switch {
	case tested == 0: // every metric constant: only the note below applies
	case len(better)+len(worse) == 0:
		fmt.Fprintf(&b, "No significant difference between baseline and chimera in any of the %d metrics tested "+
			"(Welch's t-test, p ≥ %.2g; n = %d and %d runs).", tested, stats.SignificanceLevel, nb, nc)
	default:
		fmt.Fprintf(&b, "At p < %.2g (Welch's t-test; n = %d and %d runs) chimera differs from baseline in %d of %d metrics.",
			stats.SignificanceLevel, nb, nc, len(better)+len(worse), tested)
		writeFindings(&b, "Better", better)
		writeFindings(&b, "Worse", worse)
		fmt.Fprintf(&b, " No significant difference in the other %d. Each metric is tested on its own, so among %d tests "+
			"an isolated p just under %.2g is weak evidence.", len(byVerdict[VerdictNoDifference]), tested, stats.SignificanceLevel)
	}
	if len(constant) > 0 {
		fmt.Fprintf(&b, " Constant on both sides, so not tested: %s.", strings.Join(constant, "; "))
	}
	return strings.TrimSpace(b.String())
}

func writeFindings(b *strings.Builder, title string, findings []string) {
	if len(findings) > 0 {
		fmt.Fprintf(b, " %s: %s.", title, strings.Join(findings, "; "))
	}
}

// finding names the row's metric with its change and p-value, e.g. "workflow TTFT ms +21.8% (p = 0.029)".
func (r ComparisonRow) finding() string {
	s := r.Scope + " " + r.Metric + " " + formatPct(r.DeltaPct)
	if r.P != nil {
		s += fmt.Sprintf(" (p = %.2g)", *r.P)
	}
	return s
}

func formatPct(pct *float64) string {
	if pct == nil {
		return "–"
	}
	return fmt.Sprintf("%+.1f%%", *pct)
}
