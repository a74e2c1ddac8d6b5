package artifacts

import (
	"math"
	"slices"
	"testing"
)

func TestParseCellReadsValueUnitPrecisionAndReason(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		raw      string
		value    float64
		decimals int32
		unit     string
		sd       float64
		runs     []float64
		missing  missingReason
	}{
		{"92.49 Tokens/s", 92.49, 2, "tokens/s", nan, nil, notMissing},
		{"464.2W", 464.2, 1, "W", nan, nil, notMissing},
		{"24 gb", 24, 0, "GB", nan, nil, notMissing}, // a unit keeps the case it means, however written
		{"**254.0**", 254.0, 1, "", nan, nil, notMissing},
		{"71.3[^2]", 71.3, 1, "", nan, nil, notMissing}, // a footnote's mark is no part of the value
		{"71.3<sup>2</sup>", 71.3, 1, "", nan, nil, notMissing},
		{"1,234", 1234, 0, "", nan, nil, notMissing},
		{"12.3 ± 0.4", 12.3, 1, "", 0.4, nil, notMissing},
		{"12.3 ± 0.4 ms", 12.3, 1, "ms", 0.4, nil, notMissing}, // the unit written after the spread is the mean's
		// (65.5 + 65.4 + 65.6) / 3 = 196.5 / 3 = 65.5, written with one decimal
		{"65.5 / 65.4 / 65.6", 65.5, 1, "", nan, []float64{65.5, 65.4, 65.6}, notMissing},
		{"[1,2,3]", 2, 0, "", nan, []float64{1, 2, 3}, notMissing}, // (1 + 2 + 3) / 3 = 2
		{"OOM", nan, 0, "", nan, nil, missingOutOfMemory},
		{"CUDA OOM", nan, 0, "", nan, nil, missingOutOfMemory},
		{"exit 137", nan, 0, "", nan, nil, missingKilled},
		{"timeout", nan, 0, "", nan, nil, missingFailed},
		{"n/a", nan, 0, "", nan, nil, missingNotAvailable},
		{"", nan, 0, "", nan, nil, missingEmpty},
		{"Llama 3 8B", nan, 0, "", nan, nil, missingText},
	}
	for _, tt := range tests {
		c := parseCell(tt.raw)
		if !sameFloat(c.value, tt.value) || c.decimals != tt.decimals || c.unit != tt.unit || !sameFloat(c.sd, tt.sd) ||
			!slices.Equal(c.runs, tt.runs) || c.missing != tt.missing {
			t.Errorf("parseCell(%q) = value %v, decimals %d, unit %q, sd %v, runs %v, missing %q; want %v, %d, %q, %v, %v, %q",
				tt.raw, c.value, c.decimals, c.unit, c.sd, c.runs, c.missing, tt.value, tt.decimals, tt.unit, tt.sd, tt.runs, tt.missing)
		}
	}
}

func TestParseCellReadsAComparisonOfTwoValuesAsNoMeasurement(t *testing.T) {
	for _, raw := range []string{"86.4 → 53.8 (-38%)", "29.2 -> 38.1"} {
		if c := parseCell(raw); c.isNumber() || c.missing == notMissing || c.missing == missingEmpty {
			t.Errorf("parseCell(%q) = value %v, missing %q; want no value and a reason other than empty", raw, c.value, c.missing)
		}
	}
}

func TestFormatAtKeepsTheSourcePrecision(t *testing.T) {
	tests := []struct {
		x        float64
		decimals int
		want     string
	}{
		{254.0, 1, "254.0"},
		{255.14, 2, "255.14"},
		{3, 0, "3"},
	}
	for _, tt := range tests {
		if got := formatAt(tt.x, tt.decimals); got != tt.want {
			t.Errorf("formatAt(%v, %d) = %q, want %q", tt.x, tt.decimals, got, tt.want)
		}
	}
}

// sameFloat compares floats to a relative 1e-9, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func TestParseCellRefusesWhatIsNoMeasurement(t *testing.T) {
	for raw, want := range map[string]missingReason{
		"256 / 1024": missingText, // two settings, not repetitions
		"1.5 B":      missingText, // a size in parameters
		"12 ± -3":    missingText, // a negative spread
	} {
		if c := parseCell(raw); c.isNumber() || c.missing != want {
			t.Errorf("parseCell(%q) = value %v, missing %q; want none, %q", raw, c.value, c.missing, want)
		}
	}
	if c := parseCell("255.14 ± 0.18"); c.sdPlaces != 2 {
		t.Errorf("sd written with 2 decimals kept %d", c.sdPlaces)
	}
}

// A plain decimal, read without the general path, reads as the general path reads it, and so does a cell that
// nearly is one.
func TestParseCellReadsPlainDecimalsAsWrittenCells(t *testing.T) {
	plain := []string{"0", "216.7523063357106", "-12.50", "-0", "7.", ".5", "000120"}
	nearlyPlain := []string{"1e5", "-", ".", "1.2.3", "12-3"}
	for _, raw := range slices.Concat(plain, nearlyPlain) {
		got, want := parseCell(raw), parseWrittenCell(raw)
		if got.text != want.text || !sameFloat(got.value, want.value) || got.decimals != want.decimals ||
			got.unit != want.unit || !sameFloat(got.sd, want.sd) || got.missing != want.missing ||
			got.link != want.link {
			t.Errorf("parseCell(%q) = %+v, want %+v", raw, got, want)
		}
	}
}

// The tables of the shared datasets hold, as each cell's value, the number parseCell reads in it.
func TestTableValuesAreTheirCellsNumbers(t *testing.T) {
	for _, name := range []string{"chimera-reports", "chimera-multiagent", "third-party"} {
		inv, err := Ingest([]string{sharedDatasetNamed(t, name)}, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		checkTableValues(t, inv)
	}
}

// A log's time in its column's unit can lie beyond what parseCell reads as a number (1e99 s is 1e102 ms):
// readCell then reads the cell as parseCell does, not the table's value.
func TestReadCellKeepsTheBoundOfANumber(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"run.log": "model: a\nlatency: 5 ms\nlatency: 6 ms\nlatency: 1e99 s\n" +
		"latency: 7 ms\nmodel: b\nlatency: 50 ms\nlatency: 60 ms\nlatency: 55 ms\n"})
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	checkTableValues(t, inv)
}

// checkTableValues checks that the value a table holds for each cell is the number parseCell reads in the cell,
// on which readCell relies.
func checkTableValues(t *testing.T, inv *Inventory) {
	t.Helper()
	for _, f := range inv.Files {
		for _, tb := range f.tables {
			for _, r := range tb.records {
				for col, raw := range r.cells {
					if read, parsed := readCell(raw, r.values[col]), parseCell(raw); !sameReading(read, parsed) {
						t.Errorf("%s: cell %q holds %v: read as %+v, parsed as %+v", f.Path, raw, r.values[col], read, parsed)
					}
				}
			}
		}
	}
}

func sameReading(a, b cell) bool {
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.text == b.text && a.unit == b.unit && slices.Equal(a.runs, b.runs) && same(a.value, b.value) &&
		same(a.sd, b.sd) && a.decimals == b.decimals && a.sdPlaces == b.sdPlaces && a.sdOver == b.sdOver &&
		a.missing == b.missing && a.link == b.link
}
