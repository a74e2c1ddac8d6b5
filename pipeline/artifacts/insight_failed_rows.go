package artifacts

import (
	"cmp"
	"math"
	"regexp"
	"slices"

	"chimera/pipeline/stats"
)

// FactFailedRows: what failed records would do to the statistics they are left out of. A client that rejects
// short answers still writes their timings, and a request rejected after a few tokens reports its whole time as
// one inter-token gap: counted in, it turns a mean of milliseconds into one of seconds.
const FactFailedRows = "failed_rows"

// minFailedSample is the fewest values on each side for the failed rows' values to be compared with the others.
const minFailedSample = 3

type failedComparison struct {
	m            *measure
	ok           []float64
	rankP        float64
	meanOK, mean float64 // without and with the failed rows
}

func findFailedRows(rel *relation) *insight {
	failed := 0
	for _, f := range rel.failures {
		if f != "" {
			failed++
		}
	}
	if failed == 0 || failed == rel.rows {
		return nil
	}
	comparisons := compareFailedValues(rel)
	if len(comparisons) == 0 {
		return nil
	}
	share := float64(failed) / float64(rel.rows)
	in := &insight{subject: "failed rows", text: &phrase{}, coverage: 1, significance: 1 - comparisons[0].rankP,
		effect: share, value: float64(failed), unit: "rows"}
	p := in.text
	p.printf("%s of %s failed (%s %%, %s) and are left out of every statistic; their values against the others'",
		p.count(failed), p.countOf(rel.rows, "row"), p.decimals(100*share, 1), commonFailure(p, rel.failures))
	for i, c := range comparisons[:min(len(comparisons), maxListed)] {
		p.printf("%s%s median %s against %s (Mann–Whitney %s, %s)", listItem(i, "; "), c.m.name,
			p.significant(stats.Median(c.m.failed), 4), p.significant(stats.Median(c.ok), 4), p.pValue(c.rankP),
			verdictWord(stats.Significant(c.rankP)))
		if stats.Significant(c.rankP) {
			p.printf(": counted in, the mean would be %s instead of %s", p.significant(c.mean, 4), p.significant(c.meanOK, 4))
		}
	}
	return in
}

// compareFailedValues compares, per measure, the failed rows' values with the others', most different first.
func compareFailedValues(rel *relation) []failedComparison {
	var out []failedComparison
	for _, m := range rel.measures {
		var ok []float64
		for _, c := range m.cells {
			if c.isNumber() {
				ok = append(ok, c.value)
			}
		}
		if len(m.failed) < minFailedSample || len(ok) < minFailedSample {
			continue
		}
		rankP := stats.MannWhitney(m.failed, ok)
		if math.IsNaN(rankP) {
			continue // one value on both sides: nothing to compare
		}
		out = append(out, failedComparison{m: m, ok: ok, rankP: rankP, meanOK: stats.Mean(ok),
			mean: stats.Mean(slices.Concat(ok, m.failed))})
	}
	slices.SortStableFunc(out, func(a, b failedComparison) int { return cmp.Compare(a.rankP, b.rankP) })
	return out
}

// digitsInText stands for the numbers inside failure messages, so that "Output too few tokens 13" and "… 119"
// count as one message.
var digitsInText = regexp.MustCompile(`\d+`)

// commonFailure names the most frequent cause of failure (see failureCause), the numbers of its message as N,
// with how many rows share it.
func commonFailure(p *phrase, failures []string) string {
	counts := map[string]int{}
	best := ""
	for _, f := range failures {
		if f == "" {
			continue
		}
		cause := failureCause(digitsInText.ReplaceAllString(f, "N"))
		counts[cause]++
		if counts[cause] > counts[best] || best == "" {
			best = cause
		}
	}
	return best + " ×" + p.count(counts[best])
}
