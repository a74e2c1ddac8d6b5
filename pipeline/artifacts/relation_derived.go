package artifacts

import (
	"math"
	"strings"
)

// Derived measures are quantities an engineer computes from two columns before comparing anything: the rate a
// configuration gets per watt it draws. They are measures of the relation like any other, so every insight
// type applies to them.

// addEfficiency adds, for each rate and each power draw in the relation, the rate per watt.
func (rel *relation) addEfficiency() {
	var rates, powers []*measure
	for _, m := range rel.measures {
		switch {
		case isPower(m):
			powers = append(powers, m)
		case m.direction > 0 && isRate(m):
			rates = append(rates, m)
		}
	}
	for _, rate := range rates {
		for _, power := range powers {
			rel.measures = append(rel.measures, perWatt(rate, power))
		}
	}
}

func isPower(m *measure) bool {
	return m.unit == "W" || strings.Contains(normalizeColumn(m.name), "power")
}

func isRate(m *measure) bool {
	return canonicalUnit(m.unit) == "tok/s" || m.unit == "t/s" || containsWord(strings.ToLower(m.name), "rate")
}

// perWatt divides a rate by a power draw, row by row; a row without both, or with no power, has no value.
func perWatt(rate, power *measure) *measure {
	m := &measure{name: rate.name + " per W", unit: unitPerWatt(rate.unit), direction: 1, cells: make([]cell, len(rate.cells))}
	for i := range m.cells {
		r, w := rate.cells[i], power.cells[i]
		m.cells[i] = cell{value: math.NaN(), sd: math.NaN(), decimals: 2, missing: missingNotAvailable}
		if r.isNumber() && w.isNumber() && w.value > 0 {
			m.cells[i] = cell{value: r.value / w.value, sd: math.NaN(), decimals: 2}
		}
	}
	return m
}

func unitPerWatt(rateUnit string) string {
	if rateUnit == "" {
		return "per W"
	}
	return rateUnit + " per W"
}
