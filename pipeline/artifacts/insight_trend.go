package artifacts

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// FactTrend: a measure rising or falling along an ordered dimension (layers offloaded, context depth, batch,
// threads, concurrency), by Kendall's τ per series, with where the curve stops: a peak inside the range, or a
// step against the trend that is beyond the noise.
const FactTrend = "trend"

// minTrendPoints is the fewest levels a trend is computed over.
const minTrendPoints = 3

type trendSeries struct {
	s      *series
	points []point
	k      stats.KendallResult // over the levels' means
	runs   runsTest            // over every run at its level, where every level is repeated; NaN p otherwise
}

// runsTest is a series' trend tested over the runs at its levels: Welch's t between two levels, Kendall's τ
// along more (with two levels Kendall's ties leave it little power: 3 runs a side never reach p < 0.1).
type runsTest struct {
	name      string  // "Welch" or "Kendall"
	statistic float64 // t or τ, positive where the measure rises along the dimension
	p         float64
}

func findTrend(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	if !by.ordered {
		return nil
	}
	trends := trendSeriesOf(b.series, minTrendPoints)
	if len(trends) == 0 {
		// Where every subspace measured two levels (a small and a large model of each family), the trend is
		// the direction the pairs share; it takes two pairs at least.
		if trends = trendSeriesOf(b.series, 2); len(trends) < 2 {
			return nil
		}
	}
	flat := len(trends)
	trends = slices.DeleteFunc(trends, func(t trendSeries) bool { return t.k.Tau == 0 })
	flat -= len(trends)
	if len(trends) == 0 {
		return nil
	}
	falling := fallingSeries(trends)
	in := &insight{subject: m.name + " along " + by.name, text: &phrase{}, unit: m.unit, coverage: coverage(rel, b.series)}
	p := in.text
	in.significance = writeTrendHeader(p, m, by, trends, falling, flat)
	scaling := 0 // the better direction of a measure along a setting that divides the work, else 0
	if dividesWork(by) {
		scaling = m.direction
	}
	in.effect = writeTrendSeries(p, trends, scaling)
	in.value = in.effect * 100
	writeBreaks(p, trends, by, falling)
	if falling && m.direction < 0 || !falling && m.direction > 0 {
		writeKnees(p, trends, by)
	}
	return in
}

// fallingSeries reports whether more series fall than rise.
func fallingSeries(trends []trendSeries) bool { return 2*countFalling(trends) > len(trends) }

// countFalling counts the series that fall.
func countFalling(trends []trendSeries) int {
	n := 0
	for _, t := range trends {
		if t.k.Tau < 0 {
			n++
		}
	}
	return n
}

// writeTrendHeader states the direction, its test, and how the series move; it returns the significance.
func writeTrendHeader(p *phrase, m *measure, by *dimension, trends []trendSeries, falling bool, flat int) float64 {
	direction, count := "rises", len(trends)-countFalling(trends)
	if falling {
		direction, count = "falls", countFalling(trends)
	}
	p.printf("%s %s with %s", measureLabel(m), direction, by.name)
	var significance float64
	runsP, byRuns := runsAgree(trends, falling)
	switch {
	case len(trends) == 1 && byRuns:
		r := trends[0].runs
		if r.name == "Kendall" {
			p.printf(" (Kendall τ = %s over the runs, %s, %s)", p.fixed(r.statistic, 2), p.pValue(r.p), verdictWord(stats.Significant(r.p)))
		} else {
			p.printf(" (%s over the runs, %s, %s)", r.name, p.pValue(r.p), verdictWord(stats.Significant(r.p)))
		}
		significance = 1 - r.p
	case len(trends) == 1:
		k := trends[0].k
		p.printf(" (Kendall τ = %s, %s, %s)", p.fixed(k.Tau, 2), p.pValue(k.P), verdictWord(stats.Significant(k.P)))
		significance = 1 - k.P
	case byRuns && runsP < stats.SignTest(count, len(trends)):
		p.printf(" in %s of %s series (each over its runs, %s %s, %s)", p.count(count), p.count(len(trends)),
			runsTestNames(trends), pAtMost(p, runsP), verdictWord(stats.Significant(runsP)))
		significance = 1 - runsP
	default:
		sign := stats.SignTest(count, len(trends))
		p.printf(" in %s of %s series (sign test %s, %s)", p.count(count), p.count(len(trends)), p.pValue(sign),
			verdictWord(stats.Significant(sign)))
		significance = 1 - sign
	}
	if flat > 0 {
		p.printf(", flat in %s more", p.count(flat))
	}
	switch monotone := countMonotone(trends, falling); {
	case monotone > 0 && len(trends) == 1:
		p.printf(", monotonically")
	case monotone > 0:
		p.printf(", monotonically in %s", p.count(monotone))
	}
	if allSingleValues(trends) {
		p.printf(", single values with no spread")
	}
	return significance
}

// runsAgree reports whether every series has a test over its runs and moves the trend's way, with the largest
// of their p-values: the p of "every series moves so" (an intersection–union test needs no correction).
func runsAgree(trends []trendSeries, falling bool) (float64, bool) {
	largest := 0.0
	for _, t := range trends {
		if math.IsNaN(t.runs.p) || (t.runs.statistic < 0) != falling || t.runs.statistic == 0 {
			return 0, false
		}
		largest = math.Max(largest, t.runs.p)
	}
	return largest, true
}

// runsTestNames names the tests over the runs the series took: "Welch", "Kendall" or "Welch or Kendall".
func runsTestNames(trends []trendSeries) string {
	var names []string
	for _, t := range trends {
		if !slices.Contains(names, t.runs.name) {
			names = append(names, t.runs.name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, " or ")
}

// pAtMost prints the largest of several p-values as a bound: "p ≤ 0.012", "p < 0.001".
func pAtMost(p *phrase, x float64) string {
	if x < 0.001 {
		return p.pValue(x)
	}
	return "p ≤ " + p.num(x)
}

// kneeShare is the gain per step below which a curve has stopped paying: more layers offloaded, a larger batch
// or more threads that buy under 5 % each.
const kneeShare = 0.05

// writeKnees names, in each series that improves along the dimension, the level beyond which every further
// step gains less than kneeShare.
func writeKnees(p *phrase, trends []trendSeries, by *dimension) {
	knees := 0
	for _, t := range trends {
		knee := kneeOf(t.points)
		if knee <= 0 || knee >= len(t.points)-1 {
			continue
		}
		if knees++; knees > maxListed {
			continue
		}
		pt := t.points[knee]
		p.printf("; it stops paying%s at %s %s (%s): each step beyond gains under %s %%", within(t.s.subspace), by.name,
			pt.level, p.fixed(pt.mean, pt.decimals), p.count(int(100*kneeShare)))
	}
	p.more(knees)
}

// kneeOf is the index from which every step changes the measure by less than kneeShare, -1 when the last
// step still does.
func kneeOf(points []point) int {
	knee := -1
	for i := len(points) - 1; i > 0; i-- {
		if math.Abs(points[i].mean/points[i-1].mean-1) >= kneeShare {
			break
		}
		knee = i - 1
	}
	return knee
}

// countMonotone counts the series in which every step goes the trend's way.
func countMonotone(trends []trendSeries, falling bool) int {
	n := 0
	for _, t := range trends {
		monotone := true
		for i := 1; i < len(t.points); i++ {
			step := t.points[i].mean - t.points[i-1].mean
			monotone = monotone && (falling && step < 0 || !falling && step > 0)
		}
		if monotone {
			n++
		}
	}
	return n
}

// allSingleValues reports whether no level states a spread or repetitions: the trend's steps cannot be told
// from noise one by one.
func allSingleValues(trends []trendSeries) bool {
	for _, t := range trends {
		for _, pt := range t.points {
			if pt.n != 1 {
				return false
			}
		}
	}
	return true
}

// trendSeriesOf gives each series of at least minPoints levels its Kendall τ; two levels have the τ of their
// one pair, ±1, and no p-value of their own.
func trendSeriesOf(ss []*series, minPoints int) []trendSeries {
	var trends []trendSeries
	for _, s := range ss {
		pts := s.valuedPoints()
		if len(pts) < minPoints {
			continue
		}
		k := stats.KendallResult{Tau: float64(cmp.Compare(pts[len(pts)-1].mean, pts[0].mean)), P: math.NaN()}
		if len(pts) >= minTrendPoints {
			xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
			for i, pt := range pts {
				xs[i], ys[i] = pt.x, pt.mean
			}
			k = stats.Kendall(xs, ys)
		}
		if !math.IsNaN(k.Tau) {
			trends = append(trends, trendSeries{s, pts, k, testOverRuns(pts)})
		}
	}
	return trends
}

// maxRunsKendall bounds the runs a trend is tested over one by one: Kendall's τ compares every pair.
const maxRunsKendall = 400

// testOverRuns tests a series' trend over every run, each at its level's value, where every level is
// repeated: against the runs' own noise, which a few means cannot give (three of them never reach p < 0.33).
func testOverRuns(pts []point) runsTest {
	var xs, ys []float64
	for _, pt := range pts {
		if len(pt.samples) < 2 || len(xs)+len(pt.samples) > maxRunsKendall {
			return runsTest{p: math.NaN()}
		}
		for _, v := range pt.samples {
			xs, ys = append(xs, pt.x), append(ys, v)
		}
	}
	if len(pts) == 2 {
		w := stats.Welch(pts[1].samples, pts[0].samples)
		return runsTest{name: "Welch", statistic: w.T, p: w.P}
	}
	k := stats.Kendall(xs, ys)
	return runsTest{name: "Kendall", statistic: k.Tau, p: k.P}
}

// maxPathPoints is the most levels a series may have for a trend to print every one of them; a longer one
// prints its first and last.
const maxPathPoints = 8

// writeTrendSeries lists each series: every level while they are few, else the first and last, with the change
// from first to last, and, where the dimension divides the work (scaling, the measure's better direction), how
// much of the linear gain an improvement is; it returns the largest relative change.
func writeTrendSeries(p *phrase, trends []trendSeries, scaling int) float64 {
	largest := 0.0
	for i, t := range trends {
		first, last := t.points[0], t.points[len(t.points)-1]
		change := last.mean/first.mean - 1
		largest = math.Max(largest, math.Abs(change))
		if i >= maxListed {
			continue
		}
		label := t.s.subspace
		if label != "" {
			label += ": "
		}
		path := []point{first, last}
		if len(t.points) <= maxPathPoints {
			path = t.points
		}
		p.printf("%s%s", listItem(i, "; "), label)
		for j, pt := range path {
			if j > 0 {
				p.printf(" → ")
			}
			p.printf("%s %s", pt.level, p.fixed(pt.mean, pt.decimals))
		}
		if ratio := math.Max(last.mean/first.mean, first.mean/last.mean); ratio >= multiplicativeRatio {
			p.printf(" (%s, %s", p.percent(change), p.times(ratio))
			improves := scaling != 0 && (last.mean > first.mean) == (scaling > 0)
			if linear := last.x / first.x; improves && first.x > 0 && linear > 1 {
				p.printf(", %s %% of the %s linear scaling would give", p.fixed(100*ratio/linear, 1), p.times(linear))
			}
			p.printf(")")
		} else {
			p.printf(" (%s)", p.percent(change))
		}
	}
	p.more(len(trends))
	return largest
}

// writeBreaks names, in each series, a peak inside the range and the steps that go against the overall trend
// beyond the noise (or by more than breakShare where no noise is stated).
func writeBreaks(p *phrase, trends []trendSeries, by *dimension, falling bool) {
	breaks := 0
	for _, t := range trends {
		for i := 1; i < len(t.points); i++ {
			prev, cur := t.points[i-1], t.points[i]
			c := compare(prev, cur)
			against := falling && c.change > 0 || !falling && c.change < 0
			if !against || !breakIsReal(c) {
				continue
			}
			if breaks++; breaks > maxListed {
				continue
			}
			p.printf("; against the trend it %s%s: %s %s %s → %s %s (%s", stepWord(c.change), within(t.s.subspace), by.name,
				prev.level, p.fixed(prev.mean, prev.decimals), cur.level, p.fixed(cur.mean, cur.decimals), p.percent(c.change))
			if c.testable {
				p.printf(", ")
				c.writeTest(p)
			}
			p.printf(")")
		}
	}
	p.more(breaks)
}

// breakShare is the smallest step against a trend that counts where the source states no noise.
const breakShare = 0.05

func breakIsReal(c comparison) bool {
	if c.testable {
		return c.beyondNoise()
	}
	return math.Abs(c.change) > breakShare
}

func stepWord(change float64) string {
	if change > 0 {
		return "rises"
	}
	return "falls"
}

// dividesWork recognises a setting that spreads the work over more of something running at once (requests,
// threads, GPUs, agents): a throughput along it would at best grow in proportion, a time shrink so.
func dividesWork(d *dimension) bool {
	norm := normalizeColumn(d.name)
	return parallelismNames[norm] || parallelismNames[strings.TrimPrefix(norm, "n_")] || parallelismNames[strings.TrimPrefix(norm, "num_")]
}

var parallelismNames = setOf("concurrency", "max_concurrency", "concurrent_requests", "parallel", "c", "clients",
	"users", "workers", "agents", "gpus", "gpu_count", "threads", "tp", "tensor_parallel")
