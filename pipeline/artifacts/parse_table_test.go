package artifacts

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func TestFailureOf(t *testing.T) {
	for _, c := range []struct {
		columns, cells []string
		want           string
	}{
		{[]string{"tokens_s", "error"}, []string{"77", ""}, ""},
		{[]string{"tokens_s", "error"}, []string{"77", "None"}, ""},
		{[]string{"tokens_s", "error"}, []string{"0", "timed out"}, "timed out"},
		{[]string{"status"}, []string{"completed"}, ""},
		{[]string{"status"}, []string{"FAILED"}, "FAILED"},
		{[]string{"Success"}, []string{"no"}, "Success=no"},
		{[]string{"compilation.success"}, []string{"true"}, ""},
		// Error text wins over a bare flag.
		{[]string{"compilation.success", "compilation.error"}, []string{"false", "no triton"}, "no triton"},
		{[]string{"prompt"}, []string{"error handling prompt"}, ""},
	} {
		if got := findFailureColumns(c.columns).failureOf(c.columns, c.cells); got != c.want {
			t.Errorf("failureOf(%q, %q) = %q, want %q", c.columns, c.cells, got, c.want)
		}
	}
}

// checkParsed asserts what must hold for any parser output, then builds facts from it and checks those.
func checkParsed(t *testing.T, f FileFacts) {
	t.Helper()
	rows, failures := countRecords(f.tables)
	if f.Rows != rows || f.Failures != failures || f.Failures > f.Rows {
		t.Fatalf("rows %d failures %d, tables hold %d and %d", f.Rows, f.Failures, rows, failures)
	}
	for name, s := range f.Fields {
		if !summaryConsistent(s) {
			t.Fatalf("field %q has an inconsistent summary %+v", name, s)
		}
	}
	f.Path, f.Kind = "fuzz", KindCSV
	checkFacts(t, BuildFacts(&Inventory{Roots: []string{"."}, Files: []FileFacts{f}}))
}

func summaryConsistent(s stats.Summary) bool {
	slack := 1e-9 * math.Max(math.Abs(s.Min), math.Abs(s.Max))
	within := func(x float64) bool { return x >= s.Min-slack && x <= s.Max+slack }
	return s.N > 0 && within(s.Mean) && within(s.Median) && within(s.P95) && s.SD >= 0 && !math.IsInf(s.SD, 0)
}

// checkFacts asserts that a report encodes as JSON, that fact IDs are unique, and that every recorded number
// appears in its fact's text as printed.
func checkFacts(t *testing.T, r *FactsReport) {
	t.Helper()
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("report does not encode: %v", err)
	}
	ids := map[string]bool{}
	for _, f := range r.Facts {
		if ids[f.ID] {
			t.Errorf("duplicate fact ID %q", f.ID)
		}
		ids[f.ID] = true
		for _, n := range f.Numbers {
			if !strings.Contains(f.Text, strconv.FormatFloat(n, 'f', -1, 64)) {
				t.Errorf("fact %q: number %g not in text %q", f.ID, n, f.Text)
			}
		}
	}
}

// assertSummary compares a parsed field with the summary of the values it should hold, computed in the test.
func assertSummary(t *testing.T, got, want stats.Summary) {
	t.Helper()
	if got != want {
		t.Errorf("summary = %+v, want %+v", got, want)
	}
}
