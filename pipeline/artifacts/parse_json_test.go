package artifacts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func TestParseJSONLeafPaths(t *testing.T) {
	f, err := parseJSON(`{"model": "m", "runs": 2, "results": [
		{"tokens_s": 10, "options": {"temperature": 0.2}},
		{"tokens_s": 20, "options": {"temperature": 0.8}, "tags": [1, 2]},
		{"tokens_s": 999, "error": "out of memory"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	assertSummary(t, f.Fields["results[].tokens_s"], stats.Summarize([]float64{10, 20}))
	assertSummary(t, f.Fields["results[].options.temperature"], stats.Summarize([]float64{0.2, 0.8}))
	assertSummary(t, f.Fields["results[].tags[]"], stats.Summarize([]float64{1, 2}))
	assertSummary(t, f.Fields["runs"], stats.Summarize([]float64{2}))
	if f.Rows != 3 || f.Failures != 1 {
		t.Errorf("rows %d failures %d, want 3 and 1", f.Rows, f.Failures)
	}
	// Columns in order of first appearance; arrays inside records are fields of their own, not columns.
	results := f.tables[0]
	if results.name != "results[]" || !slices.Equal(results.columns, []string{"options.temperature", "tokens_s", "error"}) {
		t.Errorf("table %q columns %q", results.name, results.columns)
	}
}

func TestParseJSONKeyedCollection(t *testing.T) {
	f, err := parseJSON(`{"backends": {
		"eager": {"benchmark": {"mean_time_ms": 2}},
		"jit": {"benchmark": {"mean_time_ms": 1}},
		"broken": {"benchmark": {"mean_time_ms": 0}, "compilation": {"success": false}}},
		"model": {"name": "mlp", "layers": 2}}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.tables) != 1 {
		t.Fatalf("%d tables, want 1 (model is not a collection)", len(f.tables))
	}
	backends := f.tables[0]
	if backends.name != "backends.*" || backends.columns[0] != "backends" || len(backends.records) != 3 {
		t.Errorf("table %q columns %q with %d records", backends.name, backends.columns, len(backends.records))
	}
	if _, ok := f.Fields["backends.broken.benchmark.mean_time_ms"]; ok {
		t.Error("a failed member's timing entered the fields")
	}
	if f.Fields["backends.jit.benchmark.mean_time_ms"].Mean != 1 {
		t.Errorf("fields %v", f.Fields)
	}
}

func TestParseJSONInvalid(t *testing.T) {
	if _, err := parseJSON(`{"a": 1} trailing`); err == nil {
		t.Error("no error for trailing data")
	}
}

func TestParseJSONL(t *testing.T) {
	f, err := parseJSONL("{\"tokens_s\": 1}\n\n{\"tokens_s\": 3, \"status\": \"ok\"}\n")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 2 || !slices.Equal(f.Columns, []string{"tokens_s", "status"}) {
		t.Errorf("rows %d columns %q", f.Rows, f.Columns)
	}
	assertSummary(t, f.Fields["tokens_s"], stats.Summarize([]float64{1, 3}))
	if _, err := parseJSONL("{\"a\": 1}\n{broken\n"); err == nil || !strings.HasPrefix(err.Error(), "line 2:") {
		t.Errorf("error %v, want one naming line 2", err)
	}
}

// A record without leaves is a row like any other: {} first, or after records of another shape.
func TestParseJSONLRecordsOfNoLeaves(t *testing.T) {
	for _, text := range []string{"{}\n{\"status\": \"failed\"}\n", "{\"status\": \"failed\"}\n{}\n{\"x\": []}\n"} {
		f, err := parseJSONL(text)
		if err != nil {
			t.Fatal(err)
		}
		if rows := strings.Count(text, "\n"); f.Rows != rows || f.Failures != 1 {
			t.Errorf("%q: %d rows, %d failed; want %d and 1", text, f.Rows, f.Failures, rows)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		if facts, err := parseJSON(text); err == nil {
			checkParsed(t, facts)
		}
		if facts, err := parseJSONL(text); err == nil {
			checkParsed(t, facts)
		}
	})
}

func TestParseJSONRefusesDeepNesting(t *testing.T) {
	f, err := parseJSON(nestedJSON(maxJSONDepth))
	if leaf := strings.Repeat("k.", maxJSONDepth-1) + "k"; err != nil || f.Fields[leaf].N != 1 {
		t.Errorf("%d levels: fields %v, error %v", maxJSONDepth, f.Fields, err)
	}
	if _, err := parseJSON(nestedJSON(maxJSONDepth + 1)); !errors.Is(err, errNestedTooDeep) {
		t.Errorf("%d levels: error %v", maxJSONDepth+1, err)
	}
	if _, err := parseJSON("[" + nestedJSON(maxJSONDepth) + "]"); !errors.Is(err, errNestedTooDeep) {
		t.Errorf("arrays count as levels: error %v", err)
	}
}

func BenchmarkParseJSONDeeplyNested(b *testing.B) {
	text := nestedJSON(9998)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJSON(text); !errors.Is(err, errNestedTooDeep) {
			b.Fatal(err)
		}
	}
}

// llama-bench -o json writes each test's repetitions as samples_ts beside avg_ts: they are the runs behind
// avg_ts, so its comparisons have their n and sd (Welch). Another array (tags) stays out of the records.
func TestParseJSONSamplesAreTheRepetitionsOfTheirMeasure(t *testing.T) {
	samples := map[int][]float64{0: {8.0, 7.97, 7.95, 8.01, 8.02}, 33: {109.91, 109.57, 109.77, 109.93, 110.55}}
	var records []string
	for _, ngl := range []int{0, 33} {
		xs := samples[ngl]
		records = append(records, fmt.Sprintf(`{"n_gpu_layers": %d, "avg_ts": %v, "stddev_ts": 0.3, "samples_ts": %s, "tags": [1, 2]}`,
			ngl, stats.Mean(xs), strings.Join(strings.Fields(fmt.Sprint(xs)), ", ")))
	}
	document := "[" + strings.Join(records, ", ") + "]"
	if effect := factsFor(t, map[string]string{"lb.json": document})["effect:lb.json:[]:avg_ts_by_n_gpu_layers"]; !strings.Contains(effect.Text, "Welch p") {
		t.Errorf("effect %q, want Welch over the samples", effect.Text)
	}
	f, err := parseJSON(document)
	if err != nil {
		t.Fatal(err)
	}
	rel := newRelation("lb.json", nil, KindJSON, f.tables[0])[0]
	avg := rel.measureNamed("avg_ts")
	if avg == nil || len(rel.measures) != 1 {
		t.Fatalf("measures %v, want avg_ts alone", measureNames(rel))
	}
	for row, ngl := range []int{0, 33} {
		if !slices.Equal(avg.cells[row].runs, samples[ngl]) {
			t.Errorf("n_gpu_layers %d: runs %v, want the samples %v", ngl, avg.cells[row].runs, samples[ngl])
		}
	}
}
