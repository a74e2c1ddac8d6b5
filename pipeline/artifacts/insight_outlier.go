package artifacts

import (
	"math"

	"chimera/pipeline/stats"
)

// FactOutlier: repetitions far from the others of their configuration, by robust z (distance from the median
// in scaled MADs), which one wild value cannot inflate as it inflates an sd. One fact a relation: a run that is
// wild in one measure is often wild in the others it was measured with (its time per token and its rate).
const FactOutlier = "outlier"

// Outliers need at least minOutlierSamples repetitions and a robust z of at least outlierZ (Iglewicz and
// Hoaglin's cut-off).
const (
	minOutlierSamples = 4
	outlierZ          = 3.5
)

func findOutliers(rel *relation) *insight {
	in := &insight{subject: "outliers", text: &phrase{}, coverage: 1}
	p := in.text
	found := 0
	for _, m := range rel.measures {
		if m.along != nil {
			continue // a derived rate's runs are its source's
		}
		for _, c := range rel.configurations() {
			var pt point
			pt.summarize(m, c.rows)
			if len(pt.samples) < minOutlierSamples {
				continue
			}
			for i, z := range stats.RobustZ(pt.samples) {
				if math.Abs(z) < outlierZ || math.IsInf(z, 0) {
					continue
				}
				if found++; found > maxListed {
					continue
				}
				if found == 1 {
					p.printf("outlying repetitions by robust z (|z| ≥ %s)", p.fixed(outlierZ, 1))
				}
				med := stats.Median(pt.samples)
				p.printf("; %s%s: %s against a median of %s (z = %s, cv %s %%)", measureLabel(m), within(c.name),
					p.fixed(pt.samples[i], pt.decimals), p.fixed(med, pt.decimals), p.fixed(z, 1), p.fixed(100*stats.CV(pt.samples), 1))
				in.effect = math.Max(in.effect, math.Abs(pt.samples[i]/med-1))
			}
		}
	}
	if found == 0 {
		return nil
	}
	p.more(found)
	in.value, in.significance = float64(found), 0.9
	return in
}

// configuration is the rows that share every varying dimension's level: one configuration's repetitions.
type configuration struct {
	name string // "model=llava:7b, ctx=512"; "" when nothing varies
	rows []int
}

// configurations groups the relation's rows by configuration, in the order they first appear.
// It is computed on first use, once newRelation has finished shaping the rows, and kept: the outlier type asks
// for every measure.
func (rel *relation) configurations() []configuration {
	if rel.configs != nil {
		return rel.configs
	}
	dims := rel.varyingDims()
	index := map[string]int{}
	rel.configs = []configuration{}
	for row := 0; row < rel.rows; row++ {
		name := subspaceKey(dims, row)
		i, seen := index[name]
		if !seen {
			i = len(rel.configs)
			index[name] = i
			rel.configs = append(rel.configs, configuration{name: name})
		}
		rel.configs[i].rows = append(rel.configs[i].rows, row)
	}
	return rel.configs
}
