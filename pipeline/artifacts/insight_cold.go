package artifacts

import (
	"slices"
)

// FactColdLoad: the calls that loaded the model first (see excludeColdRows), what their loads took against
// the fastest, and whether each was the first call of its configuration: a cold start the times leave out.
const FactColdLoad = "cold_load"

// coldLoads are a relation's load times and the rows whose load took coldFactor times the fastest or more.
type coldLoads struct {
	loads   []*measure
	fastest []float64 // per load, its fastest positive time
	rows    []int
}

func findColdLoads(rel *relation) *insight {
	if len(rel.cold.rows) == 0 || slices.ContainsFunc(rel.measures, func(m *measure) bool { return roleOf(m.name) == roleTTFT }) {
		return nil // the cold calls of a TTFT are stated with it (see addColdStarts and writeWarmMean)
	}
	in := &insight{subject: "cold loads", text: &phrase{}, value: float64(len(rel.cold.rows)), unit: "calls",
		coverage: 1, significance: 1}
	p := in.text
	for i, m := range rel.cold.loads {
		values, calls := coldValues(m, rel.cold.rows)
		if len(values) == 0 {
			continue
		}
		if p.String() != "" {
			p.printf("; ")
		}
		lo, hi := slices.Min(values), slices.Max(values)
		p.printf("%s of %s loaded the model cold: %s %s", p.count(len(values)), p.countOf(calls, "call"),
			measureLabel(m), p.withUnit(lo, m.unit))
		if hi > lo {
			p.printf(" to %s", p.withUnit(hi, m.unit))
		}
		p.printf(" against a fastest of %s (%s)", p.withUnit(rel.cold.fastest[i], m.unit),
			p.times(lo/rel.cold.fastest[i]))
		in.effect = max(in.effect, min(1, 1-rel.cold.fastest[i]/lo))
	}
	if firsts := rel.firstOfEachConfiguration(rel.cold.rows); firsts > 1 {
		p.printf(", the first call of each of %s", p.countOf(firsts, "configuration"))
	} else if firsts == 1 {
		p.printf(", the first call")
	}
	p.printf("; their times are left out of every comparison")
	return in
}

// coldValues are a load measure's values in the cold rows, and how many rows hold a value of it.
func coldValues(m *measure, rows []int) (values []float64, calls int) {
	cold := make([]bool, len(m.cells))
	for _, row := range rows {
		cold[row] = true
	}
	for row, c := range m.cells {
		if !c.isNumber() {
			continue
		}
		calls++
		if cold[row] {
			values = append(values, c.value)
		}
	}
	return values, calls
}

// firstOfEachConfiguration is the number of configurations when rows are exactly the first row of each that
// has more than one; 0 otherwise.
func (rel *relation) firstOfEachConfiguration(rows []int) int {
	var firsts []int
	for _, c := range rel.configurations() {
		if len(c.rows) > 1 {
			firsts = append(firsts, c.rows[0])
		}
	}
	if !slices.Equal(firsts, rows) {
		return 0
	}
	return len(firsts)
}
