package artifacts

import (
	"math"
	"slices"
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

// promptLengths name the settings (see settingName) that count a prompt's tokens.
var promptLengths = setOf("prefill", "prompt", "n_prompt", "prompt_len", "prompt_length", "input_len", "input_length")

// prefillRates is the relation of the rates the table's prompts were read at, for each setting that counts a
// prompt's tokens and each time to the first token: the tokens over that time (512 tokens in 9.88 s: 51.8
// tok/s), where a table states only the time. Nil where there is none. A relation of its own, as an unpivoted
// view is: beside the table's own measures it would take one of their places among the relation's best.
func (rel *relation) prefillRates() *relation {
	var rates []*measure
	for _, d := range rel.dims {
		if !d.ordered || !promptLengths[normalizeColumn(d.name)] {
			continue
		}
		for _, m := range rel.measures {
			stem, _ := statisticOf(m.name)
			msPer, isTime := millisecondsPer(m, stem)
			if isTime && slices.Contains(firstTokenTimes, quantityName(stem)) {
				rates = append(rates, prefillRate(d, m, msPer))
				m.restatedAlong = d
			}
		}
	}
	if len(rates) == 0 {
		return nil
	}
	derived := *rel
	derived.measures, derived.tails, derived.configs = rates, nil, nil
	return &derived
}

// prefillRate divides a row's prompt tokens by its time to the first token. Its runs average as the tokens over
// their mean time, as the total tokens over the total time would (see measure.harmonic).
func prefillRate(tokens *dimension, firstToken *measure, msPer float64) *measure {
	m := &measure{name: tokens.name + " rate", unit: "tok/s", direction: 1, harmonic: true, along: tokens,
		cells: make([]cell, len(firstToken.cells))}
	for i, c := range firstToken.cells {
		m.cells[i] = cell{value: math.NaN(), sd: math.NaN(), decimals: 1, missing: missingNotAvailable}
		if n := tokens.values[i]; c.isNumber() && c.value > 0 && n > 0 {
			m.cells[i] = cell{value: n / (c.value * msPer / 1000), sd: math.NaN(), decimals: 1}
		}
	}
	return m
}

// harmonicMean is n over the sum of reciprocals, of values above zero.
func harmonicMean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += 1 / x
	}
	return float64(len(xs)) / sum
}
