package artifacts

import "testing"

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"77.5", 77.5, true},
		{" -3.25 ", -3.25, true},
		{"+4", 4, true},
		{"1.5e-3", 0.0015, true},
		{"1,234.5", 1234.5, true},
		{"1,234,567", 1234567, true},
		{"22,80,000", 2280000, true}, // Indian grouping, as in the Nsight Compute export
		{"66,89,95,806", 668995806, true},
		{"1500.50 ± 3.00", 1500.5, true}, // llama-bench markdown: mean ± sd
		{"12.5 ± 0.3 ms", 12.5, true},
		{"12.5 ± n/a", 0, false},
		{"85%", 85, true},
		{"12 ms", 12, true},
		{"0.5s", 0.5, true},
		{"77.5 tok/s", 77.5, true},
		{"5.5x", 5.5, true},
		{"**102.3**", 102.3, true},
		{"`0.344`", 0.344, true},
		{"", 0, false},
		{"NaN", 0, false},
		{"nan", 0, false},
		{"null", 0, false},
		{"None", 0, false},
		{"-", 0, false},
		{"inf", 0, false},
		{"1e400", 0, false},
		{"1e101", 0, false}, // beyond maxMeasurement
		{"1,5", 0, false},   // a decimal comma is ambiguous
		{"1,23,4", 0, false},
		{",123", 0, false},
		{"1.2.3", 0, false},
		{"2025-10-02T19:12:04", 0, false},
		{"(128, 1, 1)", 0, false},
		{"12 apples", 0, false},
		{"q4_0", 0, false},
		{"0x10", 0, false},
	} {
		got, ok := ParseNumber(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseNumber(%q) = %g, %t; want %g, %t", c.in, got, ok, c.want, c.ok)
		}
	}
}
