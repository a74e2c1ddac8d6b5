package artifacts

import "chimera/pipeline/stats"

func (v *tableView) addMetricSummaries(l *factList) {
	for _, m := range []struct {
		role     role
		kind     string
		priority int
	}{{roleThroughput, FactThroughput, priorityThroughput}, {roleTTFT, FactTTFT, priorityTTFT}} {
		for _, col := range v.roles[m.role] {
			xs := v.t.numbers(col)
			if len(xs) == 0 {
				continue
			}
			s, unit := stats.Summarize(xs), v.unit(col)
			var p phrase
			if s.N == 1 {
				p.printf("%s %s (single value)", v.t.field(col), p.withUnit(s.Mean, unit))
			} else {
				p.printf("%s mean %s ± %s, median %s, p95 %s", v.t.field(col), p.num(s.Mean), p.withUnit(s.SD, unit),
					p.num(s.Median), p.num(s.P95))
				if cv := stats.CV(xs); isFinite(cv) {
					p.printf(", CV %s%%", p.num(100*cv))
				}
				p.printf(", n=%s", p.count(s.N))
			}
			l.add(v.fact(m.kind, col, "", m.priority, &p, s.Mean, unit))
		}
	}
}
