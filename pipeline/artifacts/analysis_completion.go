package artifacts

import "math"

// addCompletion compares completed counts with attempted counts, as prompt-suite summaries report them.
func (v *tableView) addCompletion(l *factList) {
	done, okDone := v.column(roleCompleted)
	tried, okTried := v.column(roleAttempted)
	if !okDone || !okTried {
		return
	}
	var completed, attempted float64
	records := 0
	for _, r := range v.ok {
		if !math.IsNaN(r.values[done]) && !math.IsNaN(r.values[tried]) {
			completed += r.values[done]
			attempted += r.values[tried]
			records++
		}
	}
	if records == 0 {
		return
	}
	var p phrase
	p.printf("%s of %s completed (%s against %s, %s)", p.num(completed), p.num(attempted),
		v.t.field(done), v.t.field(tried), p.countOf(records, "record"))
	l.add(v.fact(FactCompletion, done, "", priorityCompletion, &p, completed, ""))
}
