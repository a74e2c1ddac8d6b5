package artifacts

import (
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func TestParseCSVExcludesFailedRows(t *testing.T) {
	f, err := parseCSV("model,tokens_s,error\na,10,\na,12,\nb,999,connection refused\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 3 || f.Failures != 1 {
		t.Errorf("rows %d failures %d, want 3 and 1", f.Rows, f.Failures)
	}
	assertSummary(t, f.Fields["tokens_s"], stats.Summarize([]float64{10, 12}))
	if _, ok := f.Fields["model"]; ok {
		t.Error("a text column became a field")
	}
	if !slices.Equal(f.Columns, []string{"model", "tokens_s", "error"}) {
		t.Errorf("columns %q", f.Columns)
	}
}

func TestParseCSVUnitsRow(t *testing.T) {
	// Shaped like Nsight Compute's raw export: a units row, numbers with Indian digit grouping.
	f, err := parseCSV(`"Kernel Name","device__attribute_clock_rate","gpu__time_duration.sum"` + "\n" +
		`"","","us"` + "\n" + `"quantize_mmq_q8_1","22,80,000","9.408000"` + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 1 {
		t.Fatalf("rows = %d, want 1 (the units row is not data)", f.Rows)
	}
	if got := f.Fields["device__attribute_clock_rate"].Mean; got != 2280000 {
		t.Errorf("clock rate = %g, want 2280000", got)
	}
	if units := f.tables[0].units; !slices.Equal(units, []string{"", "", "us"}) {
		t.Errorf("units = %q", units)
	}
}

func TestParseCSVTextRowIsNotUnits(t *testing.T) {
	f, err := parseCSV("name,city\nAlice,Paris\nBob,Rome\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 2 || f.tables[0].units != nil {
		t.Errorf("rows %d units %q; want 2 rows and no units", f.Rows, f.tables[0].units)
	}
}

func TestParseCSVRaggedAndQuoted(t *testing.T) {
	f, err := parseCSV("a,b,c\n1,2\n4,5,6,7\n\"7\",\"x \"\"y\"\"\",9\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 3 {
		t.Fatalf("rows = %d, want 3", f.Rows)
	}
	assertSummary(t, f.Fields["a"], stats.Summarize([]float64{1, 4, 7}))
	assertSummary(t, f.Fields["c"], stats.Summarize([]float64{6, 9}))
}

func TestParseCSVEmpty(t *testing.T) {
	if _, err := parseCSV("\n\n"); err == nil {
		t.Error("no error for a file without a header row")
	}
}

// Every row used to match every column name against the failure checks: time grew with the header's size
// times the rows.
func BenchmarkParseCSVUnderALongHeader(b *testing.B) {
	text := strings.Repeat("k", 100_000) + "\n" + strings.Repeat("1\n", 2000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := parseCSV(text); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		facts, err := parseCSV(text)
		if err == nil {
			checkParsed(t, facts)
		}
	})
}
