package artifacts

// addFailures counts the rows that failed and why. A family's table leaves them to its members' own facts,
// which would otherwise be counted twice.
func (v *tableView) addFailures(l *factList) {
	failed := v.t.failures()
	if failed == 0 || v.sources != nil {
		return
	}
	var p phrase
	p.printf("%s of %s", p.count(failed), p.countOf(len(v.t.records), "row"))
	if v.t.name != "" {
		p.printf(" of %s", v.t.name)
	}
	p.printf(" failed (left out of the statistics): %s", describeFailures(&p, failureMessages([]*table{v.t})))
	priority := priorityPartialFailures
	if failed == len(v.t.records) {
		priority = priorityAllFailed
	}
	l.add(v.fact(FactFailures, -1, v.t.name, priority, &p, float64(failed), "rows"))
}
