package artifacts

import (
	"math"
	"strings"
)

// addSpeedups compares backends with the eager one: eager latency divided by each backend's latency.
func (v *tableView) addSpeedups(l *factList) {
	latency, ok := v.column(roleLatency)
	if !ok {
		return
	}
	for _, by := range v.roles[roleGroup] {
		if eager, ok := v.eagerRecord(by, latency); ok {
			v.addSpeedup(l, by, latency, eager)
			return
		}
	}
}

// eagerRecord finds the single successful record named eager in column by, with a positive latency.
func (v *tableView) eagerRecord(by, latency int) (record, bool) {
	var found []record
	for _, r := range v.t.records {
		if strings.EqualFold(r.cells[by], "eager") {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].failure != "" || !(found[0].values[latency] > 0) {
		return record{}, false
	}
	return found[0], true
}

func (v *tableView) addSpeedup(l *factList, by, latency int, eager record) {
	compile, hasCompile := v.column(roleCompileTime)
	unit := v.unit(latency)
	base := eager.values[latency]
	var p phrase
	p.printf("speedup vs eager (%s %s):", v.t.field(latency), p.withUnit(base, unit))
	best, listed := math.Inf(-1), 0
	var failed []string
	for _, r := range v.t.records {
		switch {
		case strings.EqualFold(r.cells[by], "eager"):
		case r.failure != "":
			failed = append(failed, r.cells[by]+" ("+failureCause(r.failure)+")")
		case r.values[latency] > 0:
			speedup := base / r.values[latency]
			p.printf("%s %s %s×", listSeparator(listed, ","), r.cells[by], p.num(speedup))
			if hasCompile && r.values[compile] > 0 {
				p.printf(" (compile %s)", p.withUnit(r.values[compile], v.unit(compile)))
			}
			best, listed = max(best, speedup), listed+1
		}
	}
	if listed == 0 {
		return
	}
	if len(failed) > 0 {
		p.printf("; failed: %s", strings.Join(failed, ", "))
	}
	l.add(v.fact(FactSpeedup, latency, v.t.columns[by], prioritySpeedup, &p, best, "×"))
}
