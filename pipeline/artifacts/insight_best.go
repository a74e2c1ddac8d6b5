package artifacts

import (
	"cmp"
	"math"
	"slices"
)

// FactBestLevel: the best and worst level of a dimension, and whether the best one's lead over the runner-up
// is beyond the noise the source states.
const FactBestLevel = "best_level"

func findBestLevel(rel *relation, m *measure, by *dimension, b breakdown) *insight {
	ranked := rankSeries(b.series, m.direction)
	if len(ranked) == 0 || len(by.distinct()) == 2 {
		return nil // two levels are the effect insight's comparison
	}
	detail := bestOfAll(ranked, m.direction)
	best, runner, worst := detail.points[0], detail.points[1], detail.points[len(detail.points)-1]
	c := compare(runner, best)
	in := &insight{subject: m.name + " by " + by.name, text: &phrase{}, value: best.mean, unit: m.unit,
		coverage: coverage(rel, b.series), effect: math.Abs(c.change), significance: c.significance()}
	p := in.text
	p.printf("%s by %s%s: ", measureLabel(m), by.name, within(detail.s.subspace))
	if c.change == 0 || c.testable && !c.beyondNoise() { // a tie is no win
		p.printf("no measurable difference between the top two, %s %s and %s %s (%s, ", best.level,
			writeValue(p, best, m.unit), runner.level, writeValue(p, runner, m.unit), p.percent(c.change))
		c.writeTest(p)
		p.printf(")")
	} else {
		p.printf("%s %s %s, %s over %s %s (", extremeWord(m.direction, true), best.level, writeValue(p, best, m.unit), p.percent(c.change),
			runner.level, writeValue(p, runner, m.unit))
		c.writeTest(p)
		p.printf(")")
	}
	if len(detail.points) > 2 {
		p.printf("; %s %s %s (%s apart)", extremeWord(m.direction, false), worst.level, writeValue(p, worst, m.unit),
			p.times(ratioOf(best, worst, m.direction)))
	}
	writeWins(p, ranked, len(b.series))
	return in
}

// rankedSeries holds a series' valued points ordered best first.
type rankedSeries struct {
	s      *series
	points []point
}

// rankSeries orders each series' valued points best first, keeping the series with two or more.
func rankSeries(ss []*series, direction int) []rankedSeries {
	var out []rankedSeries
	for _, s := range ss {
		pts := s.valuedPoints()
		if len(pts) < 2 {
			continue
		}
		slices.SortStableFunc(pts, func(a, b point) int {
			if direction < 0 {
				return cmp.Compare(a.mean, b.mean)
			}
			return cmp.Compare(b.mean, a.mean)
		})
		out = append(out, rankedSeries{s, pts})
	}
	return out
}

// ratioOf is how many times better a is than b: a/b for rates, b/a for times.
func ratioOf(a, b point, direction int) float64 {
	if direction < 0 {
		return b.mean / a.mean
	}
	return a.mean / b.mean
}

// bestOfAll is the series that holds the best value of all: where the best configuration is.
func bestOfAll(ranked []rankedSeries, direction int) rankedSeries {
	best := ranked[0]
	for _, r := range ranked[1:] {
		if beats(r.points[0].mean, best.points[0].mean, direction) {
			best = r
		}
	}
	return best
}

// beats reports whether a is better than b in the measure's direction (higher when it has none).
func beats(a, b float64, direction int) bool {
	if direction < 0 {
		return a < b
	}
	return a > b
}

// writeWins says, over several subspaces, how often the same level leads, and while they are few, who leads
// each one and by how much: a ranking that changes across the other settings is itself a finding.
func writeWins(p *phrase, ranked []rankedSeries, total int) {
	if len(ranked) < 2 {
		return
	}
	top, wins := mostFrequentBest(ranked)
	p.printf("; %s is first in %s of %s subspaces", top, p.count(wins), p.count(total))
	if len(ranked) > maxListed {
		writeLeadRange(p, ranked, top)
		return
	}
	for _, r := range ranked {
		first, second := r.points[0], r.points[1]
		if first.mean == second.mean {
			p.printf("; at %s %s and %s tie at %s", r.s.subspace, first.level, second.level, p.fixed(first.mean, first.decimals))
			continue
		}
		p.printf("; at %s %s leads %s, %s vs %s (%s)", r.s.subspace, first.level, second.level,
			p.fixed(first.mean, first.decimals), p.fixed(second.mean, second.decimals), p.percent(first.mean/second.mean-1))
	}
}

// writeLeadRange gives, over many subspaces, the smallest and the largest lead of the level that is most often
// first: how much the answer depends on the other settings.
func writeLeadRange(p *phrase, ranked []rankedSeries, top string) {
	var leads []rankedSeries
	for _, r := range ranked {
		if r.points[0].level == top {
			leads = append(leads, r)
		}
	}
	if len(leads) < 2 {
		return
	}
	lead := func(r rankedSeries) float64 { return r.points[0].mean/r.points[1].mean - 1 }
	smallest := slices.MinFunc(leads, func(a, b rankedSeries) int { return cmp.Compare(math.Abs(lead(a)), math.Abs(lead(b))) })
	largest := slices.MaxFunc(leads, func(a, b rankedSeries) int { return cmp.Compare(math.Abs(lead(a)), math.Abs(lead(b))) })
	p.printf("; its lead over the runner-up ranges from %s at %s (%s vs %s %s) to %s at %s (%s vs %s %s)",
		p.percent(lead(smallest)), smallest.s.subspace, p.fixed(smallest.points[0].mean, smallest.points[0].decimals),
		smallest.points[1].level, p.fixed(smallest.points[1].mean, smallest.points[1].decimals),
		p.percent(lead(largest)), largest.s.subspace, p.fixed(largest.points[0].mean, largest.points[0].decimals),
		largest.points[1].level, p.fixed(largest.points[1].mean, largest.points[1].decimals))
}

// extremeWord names the first or last of a ranking: best and worst where the measure has a better direction,
// highest and lowest where it has none.
func extremeWord(direction int, first bool) string {
	switch {
	case direction != 0 && first:
		return "best"
	case direction != 0:
		return "worst"
	case first:
		return "highest"
	}
	return "lowest"
}
