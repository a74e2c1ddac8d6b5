package artifacts

import (
	"math"
	"slices"
)

// FactRatio: how many times the best level of a dimension is each other level, when the ratio holds across
// the other dimensions ("Q4_0 about 2× F16 on every device"): the geometric mean over the matched cells and
// its range.
const FactRatio = "ratio"

// maxListedRatios bounds how many levels a ratio names; a level within minRatioDistance of the best (1.00×
// at the printed precision) is no ratio worth stating.
const (
	maxListedRatios  = 4
	minRatioDistance = 0.005
)

// multiplicativeRatio is where a difference between two levels reads better as a ratio than as a percentage:
// "Q4_0 2.21× F16" rather than "+121 %". Below it the effect insight states the difference; above it the ratio
// insight does, and the effect insight leaves it.
const multiplicativeRatio = 1.5

func findRatio(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	if by.ordered {
		return nil // along an ordered setting, the trend states the ratio of its ends
	}
	ranked := rankSeries(b.series, m.direction)
	if len(ranked) < 2 {
		return nil
	}
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, unit: "×", coverage: coverage(rel, b.series),
		significance: 1}
	p := in.text
	p.printf("%s by %s across %s subspaces:", measureLabel(m), by.name, p.count(len(ranked)))
	stated := 0
	for _, w := range rel.byWorkload(ranked) {
		if writeRatios(in, m, by, w, stated > 0) {
			stated++
		}
	}
	if stated == 0 {
		return nil
	}
	in.value = in.effect + 1
	return in
}

// writeRatios states how many times the level best in most of one workload's series is each other level,
// after a semicolon when it continues another's, reporting whether it stated any.
func writeRatios(in *insight, m *measure, by *dimension, w workloadSeries, continues bool) bool {
	ref, _ := mostFrequentBest(w.series)
	if len(w.series) < 2 || 2*seriesHolding(w.series, ref) <= len(w.series) {
		return false // a level measured in few of the series is compared across few of the other settings
	}
	type levelRatios struct {
		level  string
		ratios []float64
	}
	var listed []levelRatios
	for _, level := range levelsOf(w.series) {
		if level == ref || len(listed) == maxListedRatios {
			continue
		}
		ratios := ratiosAgainst(w.series, ref, level, m.direction)
		if len(ratios) < 2 || math.Abs(geometricMean(ratios)-1) < minRatioDistance ||
			len(by.distinct()) == 2 && geometricMean(ratios) < multiplicativeRatio {
			continue // two levels a few per cent apart are the effect insight's
		}
		listed = append(listed, levelRatios{level, ratios})
	}
	if len(listed) == 0 {
		return false
	}
	p := in.text
	if continues {
		p.printf(";")
	}
	p.printf("%s %s is", within(w.key), ref)
	for i, l := range listed {
		if i > 0 {
			p.printf(";")
		}
		mean := geometricMean(l.ratios)
		p.printf(" %s%s %s (%s–%s over %s cells)", p.times(mean), lowerThan(m.direction), l.level,
			p.times(slices.Min(l.ratios)), p.times(slices.Max(l.ratios)), p.count(len(l.ratios)))
		in.effect = math.Max(in.effect, math.Abs(mean-1))
		in.significance = math.Min(in.significance, consistency(l.ratios))
	}
	return true
}

// workloadSeries are the series of one workload: a ratio holds across settings, never across tests.
type workloadSeries struct {
	key    string // the workload's levels, "test=pp512"; "" where the relation has no workload
	series []rankedSeries
}

// byWorkload groups ranked series by the levels of the relation's workload dimensions, in order of appearance.
func (rel *relation) byWorkload(ranked []rankedSeries) []workloadSeries {
	workloads := rel.workloadDims()
	var out []workloadSeries
	for _, r := range ranked {
		key := subspaceKey(workloads, r.s.firstRow)
		i := slices.IndexFunc(out, func(w workloadSeries) bool { return w.key == key })
		if i < 0 {
			i = len(out)
			out = append(out, workloadSeries{key: key})
		}
		out[i].series = append(out[i].series, r)
	}
	return out
}

// mostFrequentBest is the level that is best in the most series, and in how many.
func mostFrequentBest(ranked []rankedSeries) (level string, series int) {
	wins := map[string]int{}
	best := ranked[0].points[0].level
	for _, r := range ranked {
		wins[r.points[0].level]++
		if wins[r.points[0].level] > wins[best] {
			best = r.points[0].level
		}
	}
	return best, wins[best]
}

// seriesHolding counts the series where level holds a value.
func seriesHolding(ranked []rankedSeries, level string) int {
	n := 0
	for _, r := range ranked {
		if slices.ContainsFunc(r.points, func(pt point) bool { return pt.level == level }) {
			n++
		}
	}
	return n
}

func levelsOf(ranked []rankedSeries) []string {
	var levels []string
	for _, r := range ranked {
		for _, pt := range r.points {
			if !slices.Contains(levels, pt.level) {
				levels = append(levels, pt.level)
			}
		}
	}
	return levels
}

// ratiosAgainst is, per series holding both, how many times better ref is than level.
func ratiosAgainst(ranked []rankedSeries, ref, level string, direction int) []float64 {
	var out []float64
	for _, r := range ranked {
		a, okA := r.s.pointAt(ref)
		b, okB := r.s.pointAt(level)
		if okA && okB && a.ok() && b.ok() && a.mean > 0 && b.mean > 0 {
			out = append(out, ratioOf(a, b, direction))
		}
	}
	return out
}

func geometricMean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += math.Log(x)
	}
	return math.Exp(sum / float64(len(xs)))
}

// consistency stands for significance: how tightly the ratios agree, 1 when they are equal, falling as the
// range widens against the mean's distance from 1.
func consistency(ratios []float64) float64 {
	spread := slices.Max(ratios) - slices.Min(ratios)
	distance := math.Abs(geometricMean(ratios) - 1)
	if distance == 0 {
		return 0
	}
	return math.Max(0, 1-spread/(2*distance))
}

// lowerThan words a ratio of what is better low: "2.45× lower than bf16", where "2.45× bf16" would read as more.
func lowerThan(direction int) string {
	if direction < 0 {
		return " lower than"
	}
	return ""
}
