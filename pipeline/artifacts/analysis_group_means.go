package artifacts

import "chimera/pipeline/stats"

// groupMetric is a measured role compared between groups, with the priority of its facts.
type groupMetric struct {
	role     role
	priority int
}

var groupMetrics = []groupMetric{
	{roleThroughput, priorityGroupThroughput},
	{roleSpeedup, priorityGroupSpeedup},
	{roleEfficiency, priorityGroupSpeedup},
	{roleTTFT, priorityGroupTTFT},
}

// addGroupMeans compares the groups of the preferred grouping column (scenario, quantisation, backend, model)
// in every measured column: each group's mean, then the best against the next ones. TTFT compares warm calls;
// a group's cold calls are shown beside its warm mean.
func (v *tableView) addGroupMeans(l *factList) {
	by, ok := v.groupColumn()
	if !ok || v.poolsRepeatedConfigs([]int{by}) {
		return // a group's mean over other settings' configurations mixes their effects into its own
	}
	for _, m := range groupMetrics {
		for _, col := range v.roles[m.role] {
			v.addGroupMean(l, by, col, m.priority)
		}
	}
}

func (v *tableView) addGroupMean(l *factList, by, col, priority int) {
	groups := v.groupBy([]int{by}, col)
	if len(groups) < 2 {
		return
	}
	byMean(groups, higherIsBetter(v.role[col]))
	var p phrase
	p.printf("mean %s by %s: ", v.t.field(col), v.t.columns[by])
	listGroups(&p, groups, v.unit(col), false)
	if v.coldRows(col) != nil {
		p.printf("; cold calls (%s) kept apart", v.coldRule(&p, col))
	}
	writeReplication(&p, groups, v.t.columns[by])
	v.writeComparisons(&p, groups, by, col, false)
	v.writeOutliers(&p, col)
	l.add(v.fact(FactGroupMeans, col, v.t.columns[by], priority, &p, stats.Mean(groups[0].xs), v.unit(col)))
}
