package artifacts

import (
	"math"
	"strings"
)

// A call that loads the model first is cold: its load time, and with it its time to first token, says what a
// load costs, not what a configuration serves at. Averaging cold calls with warm ones was one of the original
// system's errors. A relation keeps the load as it is but takes cold rows out of every time measure, and a load
// time is not itself compared across configurations, since whether a call reloads depends on the call before.

// excludeColdRows marks the time measures of cold rows as missing and removes load times from the measures.
func (rel *relation) excludeColdRows() {
	var loads, times []*measure
	for _, m := range rel.measures {
		switch {
		case isLoadTime(m):
			loads = append(loads, m)
		case m.direction < 0 && isCallTime(m):
			times = append(times, m)
		}
	}
	if len(loads) == 0 {
		return
	}
	fastest := make([]float64, len(loads))
	for i, m := range loads {
		fastest[i] = fastestLoad(m)
	}
	rel.cold = coldLoads{loads: loads, fastest: fastest}
	for row := 0; row < rel.rows; row++ {
		if !coldRow(loads, fastest, row) {
			continue
		}
		rel.cold.rows = append(rel.cold.rows, row)
		for _, m := range times {
			m.cells[row] = cell{text: m.cells[row].text, value: math.NaN(), sd: math.NaN(), missing: missingCold}
		}
	}
	rel.removeMeasures(indicesOf(rel.measures, loads))
}

func isLoadTime(m *measure) bool {
	name := normalizeColumn(m.name)
	return m.direction < 0 && (strings.Contains(name, "load") || strings.Contains(name, "cold"))
}

func isCallTime(m *measure) bool {
	name := "_" + normalizeColumn(m.name) + "_"
	for _, w := range []string{"ttft", "first", "prompt_eval", "latency", "duration", "time", "total"} {
		if strings.Contains(name, "_"+w) {
			return true
		}
	}
	return false
}

// fastestLoad is a load column's smallest positive time.
func fastestLoad(m *measure) float64 {
	fastest := math.Inf(1)
	for _, c := range m.cells {
		if c.isNumber() && c.value > 0 {
			fastest = math.Min(fastest, c.value)
		}
	}
	return fastest
}

// coldRow reports whether a row's load takes coldFactor times the fastest load of its column or more.
func coldRow(loads []*measure, fastest []float64, row int) bool {
	for i, m := range loads {
		if c := m.cells[row]; c.isNumber() && c.value >= coldFactor*fastest[i] {
			return true
		}
	}
	return false
}

func indicesOf(measures, subset []*measure) []int {
	var out []int
	for i, m := range measures {
		for _, s := range subset {
			if m == s {
				out = append(out, i)
			}
		}
	}
	return out
}
