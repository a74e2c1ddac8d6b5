package main

import (
	"maps"
	"slices"
)

// roundMeans maps round → avg_ts of one runner's test.
func (res *roundSet) roundMeans(runner, test string) map[int]float64 {
	out := map[int]float64{}
	for _, inv := range res.invs {
		if inv.runner != runner {
			continue
		}
		for _, r := range inv.rows {
			if r.test() == test {
				out[inv.round] = r.AvgTS
			}
		}
	}
	return out
}

// roundTPS is one runner's avg_ts of a test, a value per round.
func (res *roundSet) roundTPS(runner, test string) []float64 {
	return slices.Collect(maps.Values(res.roundMeans(runner, test)))
}

// ratios pairs the runners round by round: chimera and the other ran minutes apart at most, under the same load.
func (res *roundSet) ratios(test, other string) []float64 {
	mine, theirs := res.roundMeans("chimera", test), res.roundMeans(other, test)
	var xs []float64
	for round, v := range mine {
		if w, ok := theirs[round]; ok && w > 0 {
			xs = append(xs, v/w)
		}
	}
	return xs
}

// neighbourUsage is, for every run whose usage was measured, the cores other processes used and those the
// hypervisor stole.
func (res *results) neighbourUsage() (others, steal []float64) {
	for _, set := range append([]roundSet{res.roundSet}, res.more...) {
		for _, inv := range set.invs {
			if inv.hasUse {
				others, steal = append(others, inv.usage.others), append(steal, inv.usage.steal)
			}
		}
	}
	return others, steal
}
