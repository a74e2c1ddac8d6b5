package artifacts

import (
	"math"
	"regexp"
	"slices"
)

// FactAgainstBaseline: levels measured once or a few times, set against the range a repeated baseline spans in
// the same cell ("Chrome in the foreground: 331.0 ms, outside the baseline's 175.1–268.1 over 6 runs"). Where
// only the baseline is repeated, its range is the noise a single run must leave to count.
const FactAgainstBaseline = "against_baseline"

// minBaselineRuns is the fewest baseline repetitions whose range says anything; a level with more than
// maxUnrepeatedRuns has a spread of its own, and the effect insight tests it.
const (
	minBaselineRuns   = 3
	maxUnrepeatedRuns = 2
)

func findAgainstBaseline(rel *relation, m *measure, by *dimension, ss []*series) *insight {
	ref, ok := baselineLevel(by)
	if !ok {
		return nil
	}
	in := &insight{subject: m.name + " against " + by.name + " " + ref, text: &phrase{}, unit: m.unit,
		coverage: coverage(rel, ss), significance: 0.8}
	p := in.text
	listed, outside := 0, 0
	for _, s := range ss {
		base, found := s.pointAt(ref)
		if !found || len(base.samples) < minBaselineRuns {
			continue
		}
		lo, hi := slices.Min(base.samples), slices.Max(base.samples)
		for _, pt := range s.valuedPoints() {
			if pt.level == ref || pt.n > maxUnrepeatedRuns {
				continue
			}
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
	in.value = float64(outside)
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
