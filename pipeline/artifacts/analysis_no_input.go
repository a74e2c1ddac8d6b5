package artifacts

// addNoInput flags the runs that were given nothing to analyse: no prompt tokens evaluated, no files read.
// Their timings and answers measure an empty request, not the workload.
func (v *tableView) addNoInput(l *factList) {
	for _, col := range v.roles[roleInput] {
		empty, known := 0, 0
		for i, r := range v.ok {
			if v.usable(i, col) {
				known++
				if r.values[col] == 0 {
					empty++
				}
			}
		}
		if empty == 0 {
			continue
		}
		var p phrase
		p.printf("%s of %s analysed no input (%s = 0)", p.count(empty), p.countOf(known, "run"), v.t.field(col))
		l.add(v.fact(FactNoInput, col, "", priorityNoInput, &p, float64(empty), "runs"))
	}
}
