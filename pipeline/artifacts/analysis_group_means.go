package artifacts

import (
	"strings"

	"chimera/pipeline/stats"
)

func (v *tableView) addGroupMeans(l *factList) {
	by, ok := v.groupColumn()
	if !ok {
		return
	}
	for _, m := range []struct {
		role     role
		priority int
	}{{roleThroughput, priorityGroupThroughput}, {roleTTFT, priorityGroupTTFT}} {
		for _, col := range v.roles[m.role] {
			groups := v.groupBy([]int{by}, col)
			if len(groups) < 2 {
				continue
			}
			byMean(groups, m.role == roleThroughput)
			var p phrase
			p.printf("mean %s by %s: ", v.t.field(col), v.t.columns[by])
			listGroups(&p, groups, v.unit(col), false)
			writeWelch(&p, groups[0], groups[1])
			l.add(v.fact(FactGroupMeans, col, v.t.columns[by], m.priority, &p, stats.Mean(groups[0].xs), v.unit(col)))
		}
	}
}

// writeWelch adds the Welch test of the two best groups when both have at least two values.
func writeWelch(p *phrase, best, second *group) {
	w := stats.Welch(best.xs, second.xs)
	if !isFinite(w.P) {
		return
	}
	p.printf("; %s vs %s: Welch ", strings.Join(best.cells, "/"), strings.Join(second.cells, "/"))
	if w.P < 0.001 {
		p.printf("p < %s", p.num(0.001))
	} else {
		p.printf("p = %s", p.num(w.P))
	}
}
