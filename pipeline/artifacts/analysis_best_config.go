package artifacts

import (
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// leadFactor is how many standard deviations the best configuration must lead the runner-up by, with one
// run each, to count as best. Without repetitions the run-to-run noise is unknown; the spread of all the
// configurations bounds it from above (it holds the noise and whatever the settings did). Among
// configurations that differ by normal noise alone the top two lie 2 sd apart in fewer than 1 sweep in 100
// (0.6 % of sweeps of 6 or 9, 0.3 % of 36); a sweep of 4 or fewer cannot show a best this way at all and
// needs repetitions.
const leadFactor = 2

// addBestConfig ranks the configurations of a parameter sweep by its metric (see primaryMetric). When the
// table also varies a model, quantisation or scenario, or any other setting, that is part of the configuration. The best is named
// only when its lead over the runner-up is measurable (see leadEvidence); otherwise the fact says that the
// settings made no measurable difference at the top.
func (v *tableView) addBestConfig(l *factList) {
	keys := v.varyingGrid()
	metric, ok := v.primaryMetric()
	if len(keys) == 0 || !ok {
		return
	}
	if by, grouped := v.groupColumn(); grouped {
		keys = append([]int{by}, keys...)
	}
	keys = append(keys, v.settingsVaryingWithin(keys)...)
	configs := v.groupBy(keys, metric)
	if len(configs) < 2 {
		return
	}
	byMean(configs, true)
	names := make([]string, len(keys))
	for i, col := range keys {
		names[i] = v.t.columns[col]
	}
	evidence := v.leadEvidence(configs[0], configs[1], metric, configs)
	var p phrase
	kind := FactBestConfig
	if evidence.measurable() {
		v.writeBest(&p, names, configs, metric)
	} else {
		kind = FactNoDifference
		v.writeNoDifference(&p, names, configs, metric)
	}
	evidence.write(&p)
	l.add(v.fact(kind, metric, strings.Join(names, "/"), priorityBestConfig, &p, stats.Mean(configs[0].xs), v.unit(metric)))
}

func (v *tableView) writeBest(p *phrase, names []string, configs []*group, metric int) {
	best, second, worst := configs[0], configs[1], configs[len(configs)-1]
	lead := stats.Mean(best.xs) - stats.Mean(second.xs)
	p.printf("best %s by %s: %s at %s (runner-up %s at %s; worst %s; %s, %s); lead %s: ", strings.Join(names, "/"),
		v.t.field(metric), describeConfig(p, names, best), p.withUnit(stats.Mean(best.xs), v.unit(metric)),
		describeConfig(p, names, second), p.num(stats.Mean(second.xs)), p.num(stats.Mean(worst.xs)),
		p.countOf(len(configs), "config"), runsPerConfig(p, configs), p.num(lead))
}

func (v *tableView) writeNoDifference(p *phrase, names []string, configs []*group, metric int) {
	best, second := configs[0], configs[1]
	spread := stats.Summarize(configMeans(configs))
	p.printf("no measurable difference between the %s settings at the top by %s: %s within %s to %s, sd %s, %s; "+
		"the best, %s at %s, leads the runner-up, %s at %s, by %s: ", strings.Join(names, "/"), v.t.field(metric),
		p.countOf(len(configs), "config"), p.num(spread.Min), p.withUnit(spread.Max, v.unit(metric)), p.num(spread.SD),
		runsPerConfig(p, configs), describeConfig(p, names, best), p.num(stats.Mean(best.xs)),
		describeConfig(p, names, second), p.num(stats.Mean(second.xs)), p.num(stats.Mean(best.xs)-stats.Mean(second.xs)))
}

func configMeans(configs []*group) []float64 {
	means := make([]float64, len(configs))
	for i, c := range configs {
		means[i] = stats.Mean(c.xs)
	}
	return means
}

// leadEvidence is what says whether the best configuration's lead over the runner-up is measurable.
type leadEvidence struct {
	lead  float64
	welch float64 // Welch's p when both configurations were run more than once, else NaN
	noise float64 // without repetitions: the standard deviation the lead is held against
	runs  bool    // noise comes from the runs' own standard deviations, not from the spread of the configs
}

// leadEvidence tests the lead by Welch when both configurations were run more than once; else it holds it
// against leadFactor times the noise: the runs' own standard deviations where the table gives them
// (llama-bench's stddev_ts), otherwise the standard deviation of all the configurations' means.
func (v *tableView) leadEvidence(best, second *group, metric int, configs []*group) leadEvidence {
	e := leadEvidence{lead: stats.Mean(best.xs) - stats.Mean(second.xs), welch: stats.Welch(best.xs, second.xs).P}
	if isFinite(e.welch) {
		return e
	}
	if noise, ok := v.runNoise(best, second, metric); ok {
		e.noise, e.runs = noise, true
		return e
	}
	e.noise = stats.Summarize(configMeans(configs)).SD
	return e
}

func (e leadEvidence) measurable() bool {
	if isFinite(e.welch) {
		return stats.Significant(e.welch)
	}
	return e.lead > leadFactor*e.noise
}

func (e leadEvidence) write(p *phrase) {
	switch {
	case isFinite(e.welch):
		p.printf("Welch p = %s, %s", p.num(e.welch), verdict(p, e.measurable()))
	case e.runs:
		p.printf("%s %s× the runs' combined sd of %s", comparedWord(e.measurable()), p.count(leadFactor), p.num(e.noise))
	default:
		p.printf("%s %s× the configs' sd of %s (no repetitions to test)", comparedWord(e.measurable()), p.count(leadFactor),
			p.num(e.noise))
	}
}

func comparedWord(above bool) string {
	if above {
		return "above"
	}
	return "under"
}

// runNoise is the standard deviation of the difference between two single-run configurations, from the
// per-run standard deviations a column beside the metric gives (stddev_ts beside avg_ts).
func (v *tableView) runNoise(best, second *group, metric int) (float64, bool) {
	col, ok := v.spreadColumn(metric)
	if !ok || len(best.rows) != 1 || len(second.rows) != 1 {
		return 0, false
	}
	a, b := v.ok[best.rows[0]].values[col], v.ok[second.rows[0]].values[col]
	noise := math.Hypot(a, b)
	return noise, noise > 0
}

// spreadColumn finds the standard deviation column of a metric: the metric's name with a spread word in it.
func (v *tableView) spreadColumn(metric int) (int, bool) {
	base := strings.Split(withoutMeanWords(normalizeColumn(lastKey(v.t.columns[metric]))), "_")
	for col, name := range v.t.columns {
		words := strings.Split(normalizeColumn(lastKey(name)), "_")
		rest := slices.DeleteFunc(slices.Clone(words), func(w string) bool { return spreadWords[w] })
		if len(rest) < len(words) && slices.Equal(rest, base) {
			return col, true
		}
	}
	return -1, false
}

var spreadWords = setOf("std", "stddev", "stdev", "sd")

// describeConfig prints "num_gpu=60, num_ctx=2048, temperature=0.8".
func describeConfig(p *phrase, names []string, g *group) string {
	parts := make([]string, len(names))
	for i, name := range names {
		value := g.cells[i]
		if x, ok := ParseNumber(value); ok {
			value = p.num(x)
		}
		parts[i] = name + "=" + value
	}
	return strings.Join(parts, ", ")
}

func runsPerConfig(p *phrase, configs []*group) string {
	lo, hi := len(configs[0].xs), len(configs[0].xs)
	for _, c := range configs {
		lo, hi = min(lo, len(c.xs)), max(hi, len(c.xs))
	}
	if lo == hi {
		return p.countOf(lo, "run") + " each"
	}
	return "unequal replication: " + p.count(lo) + " to " + p.count(hi) + " runs per config"
}
