package artifacts

import (
	"math"
	"regexp"
	"slices"

	"chimera/pipeline/stats"
)

// FactAgainstBaseline: levels measured once or a few times, set against the range a repeated baseline spans in
// the same cell ("Chrome in the foreground: 331.0 ms, outside the baseline's 175.1–268.1 over 6 runs"). Where
// only the baseline is repeated, its range is the noise a single run must leave to count.
const FactAgainstBaseline = "against_baseline"

// minBaselineRuns is the fewest baseline repetitions whose range says anything. Only single runs are set
// against it: a repeated level has a spread of its own, and the effect insight tests it.
const minBaselineRuns = 3

func findAgainstBaseline(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	ref, ok := baselineLevel(by)
	if !ok || len(by.distinct()) < 3 {
		return nil // two levels are the effect insight's
	}
	in := &insight{subject: m.name + " against " + by.name + " " + ref, text: &phrase{}, unit: m.unit,
		coverage: coverage(rel, b.series)}
	p := in.text
	listed, outside := 0, 0
	chance := 0.0 // the largest chance a run of the baseline's own falls outside its range
	for _, s := range b.series {
		base, found := s.pointAt(ref)
		if !found || len(base.samples) < minBaselineRuns {
			continue
		}
		lo, hi := slices.Min(base.samples), slices.Max(base.samples)
		for _, pt := range s.valuedPoints() {
			if pt.level == ref || pt.n != 1 {
				continue
			}
			chance = math.Max(chance, 2/float64(len(base.samples)+1))
			out := pt.mean < lo || pt.mean > hi
			if out {
				outside++
				in.effect = math.Max(in.effect, math.Abs(pt.mean/base.mean-1))
			}
			if listed++; listed > maxListed {
				continue
			}
			if listed == 1 {
				p.printf("%s of single runs against the range of the repeated baseline, %s %s", measureLabel(m), by.name, ref)
			}
			p.printf("%s%s%s %s, %s the baseline's %s–%s over %s runs", listItem(listed-1, "; "), pt.level,
				within(s.subspace), p.fixed(pt.mean, pt.decimals), rangeWord(out), p.fixed(lo, base.decimals),
				p.fixed(hi, base.decimals), p.count(len(base.samples)))
		}
	}
	if outside == 0 {
		return nil
	}
	p.more(listed)
	// A new run of the baseline itself lands outside the range of n runs with chance 2/(n+1).
	tail := stats.BinomialTail(outside, listed, chance)
	p.printf("; %s of %s outside, where the baseline's own runs would be with %s", p.count(outside), p.count(listed),
		p.pValue(tail))
	in.value, in.significance = float64(outside), 1-tail
	return in
}

func rangeWord(outside bool) string {
	if outside {
		return "outside"
	}
	return "inside"
}

// baselineLevel is the level of a dimension that stands for "nothing changed": baseline, off, none, "-".
func baselineLevel(by *dimension) (string, bool) {
	for _, l := range by.distinct() {
		if baselineWord.MatchString(l) {
			return l, true
		}
	}
	return "", false
}

var baselineWord = regexp.MustCompile(`(?i)^(baseline|before|off|disabled|none|default|stock|idle|-|—|–)$`)
