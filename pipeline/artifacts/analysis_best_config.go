package artifacts

import (
	"strings"

	"chimera/pipeline/stats"
)

// addBestConfig ranks the configurations of a parameter sweep by mean throughput. When the table also varies
// a model or quantisation, that is part of the configuration.
func (v *tableView) addBestConfig(l *factList) {
	keys := v.varyingGrid()
	tp, ok := v.column(roleThroughput)
	if len(keys) == 0 || !ok {
		return
	}
	if by, grouped := v.groupColumn(); grouped {
		keys = append([]int{by}, keys...)
	}
	configs := v.groupBy(keys, tp)
	if len(configs) < 2 {
		return
	}
	byMean(configs, true)
	best, second, worst := configs[0], configs[1], configs[len(configs)-1]
	names := make([]string, len(keys))
	for i, col := range keys {
		names[i] = v.t.columns[col]
	}
	unit := v.unit(tp)
	var p phrase
	p.printf("best %s by %s: %s at %s (runner-up %s at %s; worst %s; %s, %s)",
		strings.Join(names, "/"), v.t.field(tp), describeConfig(&p, names, best), p.withUnit(stats.Mean(best.xs), unit),
		describeConfig(&p, names, second), p.num(stats.Mean(second.xs)), p.num(stats.Mean(worst.xs)),
		p.countOf(len(configs), "config"), runsPerConfig(&p, configs))
	l.add(v.fact(FactBestConfig, tp, strings.Join(names, "/"), priorityBestConfig, &p, stats.Mean(best.xs), unit))
}

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
	return "between " + p.count(lo) + " and " + p.count(hi) + " runs each"
}
