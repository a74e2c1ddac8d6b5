package artifacts

import (
	"math"
	"slices"

	"chimera/pipeline/stats"
)

// FactOutlier: repetitions far from the others of their configuration, by robust z (distance from the median
// in scaled MADs), which one wild value cannot inflate as it inflates an sd. A slip that far is no measurement
// of the configuration: excludeOutliers takes it out of every statistic, and each comparison of its measure
// says so. One fact a relation: a run that is wild in one measure is often wild in the others it was measured
// with (its time per token and its rate).
const FactOutlier = "outlier"

// A repetition is an outlier when its configuration has at least minOutlierSamples of them, its robust z is at
// least outlierZ (Iglewicz and Hoaglin's cut-off), Dixon's Q test finds it apart from the others, and it lies at
// least minOutlierDeviation from the median. A tiny MAD makes a step among tight repetitions score z = 4; the Q
// test asks that its gap to the others be large against their range, and the deviation that the step matter.
// A configuration of minDistributionRows rows or more is a distribution (a serving run's requests), whose tail
// is a finding of its own (see findDistribution), not a slip.
const (
	minOutlierSamples   = 3
	outlierZ            = 3.5
	minOutlierDeviation = 0.03
)

// outlier is a repetition taken out of its measure's statistics.
type outlier struct {
	config string // the configuration's name (see configuration)
	row    int    // the row whose cell it was, −1 when it was one of a cell's runs
	value  float64
	median float64 // of the configuration's repetitions, the outlier included
	z      float64
	cv     float64 // of the configuration's repetitions, the outlier included
	places int     // the decimals the configuration's values are written with
}

// excludeOutliers finds each measure's outlying repetitions, keeps them in the measure's outliers and takes them
// out of its cells: a repetition written as a row leaves as a missing value, one written inside a cell leaves
// the cell's runs and mean.
func (rel *relation) excludeOutliers() {
	for _, m := range rel.measures {
		if m.along != nil {
			continue // a derived rate's runs are its source's
		}
		for _, c := range rel.configurations() {
			var pt point
			pt.summarize(m, c.rows)
			for _, i := range outlyingSamples(pt.samples) {
				m.outliers = append(m.outliers, outlier{config: c.name, row: m.removeValue(c.rows, pt.samples[i]),
					value: pt.samples[i], median: stats.Median(pt.samples), z: stats.RobustZ(pt.samples)[i],
					cv: stats.CV(pt.samples), places: pt.decimals})
			}
		}
	}
}

// outlyingSamples are the indices of the outliers among one configuration's repetitions.
func outlyingSamples(samples []float64) []int {
	if len(samples) < minOutlierSamples || len(samples) >= minDistributionRows {
		return nil
	}
	var out []int
	med := stats.Median(samples)
	for i, z := range stats.RobustZ(samples) {
		if math.Abs(z) >= outlierZ && !math.IsInf(z, 0) && stats.DixonOutlier(samples, i) &&
			math.Abs(samples[i]/med-1) >= minOutlierDeviation {
			out = append(out, i)
		}
	}
	return out
}

// removeValue takes one value out of the measure's cells in rows: the first cell that holds it, whose row it
// returns, or the first run of a cell that holds it among its runs (−1).
func (m *measure) removeValue(rows []int, value float64) int {
	for _, row := range rows {
		c := &m.cells[row]
		if i := slices.Index(c.runs, value); i >= 0 {
			c.runs = slices.Delete(slices.Clone(c.runs), i, i+1)
			c.value, c.sd = stats.Mean(c.runs), math.NaN()
			return -1
		}
		if c.runs == nil && c.isNumber() && c.value == value {
			*c = cell{text: c.text, value: math.NaN(), sd: math.NaN(), missing: missingOutlier}
			return row
		}
	}
	return -1
}

// findOutliers states the outliers excludeOutliers took out of the relation's measures.
func findOutliers(rel *relation) *insight {
	in := &insight{subject: "outliers", text: &phrase{}, coverage: 1}
	p := in.text
	found := 0
	for _, m := range rel.measures {
		for _, o := range m.outliers {
			if found++; found > maxListed {
				continue
			}
			if found == 1 {
				p.printf("outlying repetitions by robust z (|z| ≥ %s) and Dixon's Q test, left out of every comparison",
					p.fixed(outlierZ, 1))
			}
			p.printf("; %s%s: %s against a median of %s (z = %s, cv %s %%)", measureLabel(m), within(o.config),
				p.fixed(o.value, o.places), p.fixed(o.median, o.places), p.fixed(o.z, 1), p.fixed(100*o.cv, 1))
			in.effect = math.Max(in.effect, math.Abs(o.value/o.median-1))
		}
	}
	if found == 0 {
		return nil
	}
	p.more(found)
	in.value, in.significance = float64(found), 0.9
	return in
}

// writeLeftOutliers says which outliers a comparison leaves out.
func writeLeftOutliers(p *phrase, outliers []outlier) {
	if len(outliers) == 0 {
		return
	}
	p.printf(" (%s left out:", p.countOf(len(outliers), "outlier"))
	for i, o := range outliers[:min(len(outliers), maxListed)] {
		if i > 0 {
			p.printf(";")
		}
		p.printf(" %s%s", blockPrefix(o.config), p.fixed(o.value, o.places))
	}
	p.more(len(outliers))
	p.printf(")")
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
	var key []byte // the row's configuration, made a string only for one not seen before
	for row := 0; row < rel.rows; row++ {
		key = appendSubspaceKey(key[:0], dims, row)
		i, seen := index[string(key)]
		if !seen {
			i = len(rel.configs)
			rel.configs = append(rel.configs, configuration{name: string(key)})
			index[rel.configs[i].name] = i
		}
		rel.configs[i].rows = append(rel.configs[i].rows, row)
	}
	return rel.configs
}
