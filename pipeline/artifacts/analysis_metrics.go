package artifacts

import "chimera/pipeline/stats"

// addMetricSummaries describes every throughput and TTFT column: mean, sd, median, p95, CV. Rates of calls
// that generated too few tokens are left out, and said to be; a TTFT column with cold calls also gets the mean
// of the warm ones, which the cold calls would otherwise hide.
func (v *tableView) addMetricSummaries(l *factList) {
	if v.poolsRepeatedConfigs(nil) {
		return // a mean and spread over configurations that were each repeated state their differences as noise
	}
	for _, m := range []struct {
		role     role
		kind     string
		priority int
	}{{roleThroughput, FactThroughput, priorityThroughput}, {roleTTFT, FactTTFT, priorityTTFT}} {
		for _, col := range v.roles[m.role] {
			xs := v.values(col)
			if len(xs) == 0 || len(xs) == 1 && v.inSweep {
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
			v.writeLeftOutRates(&p, col)
			v.writeOutliers(&p, col)
			v.writeWarmMean(&p, col, unit)
			l.add(v.fact(m.kind, col, "", m.priority, &p, s.Mean, unit))
		}
	}
}

func (v *tableView) writeLeftOutRates(p *phrase, col int) {
	if n := v.unusableRates(col); n > 0 {
		p.printf("; left out: %s that generated fewer than %s tokens or ran at 0 tok/s", p.countOf(n, "call"),
			p.count(minRateTokens))
	}
}

// writeWarmMean adds, for a TTFT column with cold calls, the warm calls' mean beside the cold ones'.
func (v *tableView) writeWarmMean(p *phrase, col int, unit string) {
	isCold := v.coldRows(col)
	if isCold == nil {
		return
	}
	var warm, cold []float64
	for i, r := range v.ok {
		switch {
		case !v.usable(i, col):
		case isCold[i]:
			cold = append(cold, r.values[col])
		default:
			warm = append(warm, r.values[col])
		}
	}
	if len(warm) == 0 || len(cold) == 0 {
		return
	}
	p.printf("; warm mean %s over %s, beside %s (%s) at mean %s", p.withUnit(stats.Mean(warm), unit),
		p.countOf(len(warm), "call"), p.countOf(len(cold), "cold call"), v.coldRule(p, col), p.withUnit(stats.Mean(cold), unit))
}
