package artifacts

import (
	"slices"
	"testing"
)

const phasedLog = `# Serving log

## Phase 4 — Static Batching

### baseline — Sequential

| Metric             | Llama | Qwen3 |
|--------------------|------:|------:|
| Throughput (tok/s) |  88.5 |  67.4 |
| TTFT P50 (ms)      |    86 |    93 |

### burst — All at once

| Metric             | Llama | Qwen3 |
|--------------------|------:|------:|
| Throughput (tok/s) | 254.0 | 192.4 |
| TTFT P50 (ms)      |  4037 |  6123 |

## Phase 5 — Continuous Batching

### baseline — Sequential

| Metric             | Llama | Qwen3 |
|--------------------|------:|------:|
| Throughput (tok/s) |  87.1 |  65.8 |
| TTFT P50 (ms)      |    35 |    43 |

### burst — All at once

| Metric             | Llama | Qwen3 |
|--------------------|------:|------:|
| Throughput (tok/s) | 316.9 | 241.9 |
| TTFT P50 (ms)      |  1825 |  3378 |

## Summary

| Metric             | Llama | Qwen3 |
|--------------------|------:|------:|
| Throughput (tok/s) | 316.9 | 241.9 |
| TTFT P50 (ms)      |  1825 |  3378 |
`

func TestInsightTablesTransposeMetricRowsAndStackUnderHeadings(t *testing.T) {
	f, err := parseMarkdown(phasedLog)
	if err != nil {
		t.Fatal(err)
	}
	tables := insightTables(f.tables)
	if len(tables) != 1 {
		t.Fatalf("%d tables, want the four phase tables stacked and the summary dropped as a restatement", len(tables))
	}
	st := tables[0]
	if want := []string{"phase", "subsection", "column", "Throughput (tok/s)", "TTFT P50 (ms)"}; !slices.Equal(st.columns, want) {
		t.Fatalf("columns %v, want %v", st.columns, want)
	}
	// Four tables of two models: eight rows, the third being phase 4's burst for Llama.
	if len(st.records) != 8 || !slices.Equal(st.records[2].cells, []string{"4", "burst", "Llama", "254.0", "4037"}) {
		t.Fatalf("%d rows, the third %v", len(st.records), st.records[2].cells)
	}
	rel := newRelation("log.md", nil, KindMarkdown, st)[0]
	if phase := rel.dimNamed("phase"); phase == nil || !phase.ordered {
		t.Fatalf("phase is not an ordered dimension: %v", dimNames(rel.dims))
	}
	m := rel.measureNamed("Throughput (tok/s)")
	in := findIn(t, rel, findEffect, m.name, "phase")
	// Llama's burst 254.0 → 316.9 is +24.8 % (316.9/254.0 = 1.2476).
	assertInOrder(t, in.text.String(), []string{"phase 5 vs 4", "254.0 → 316.9 (+24.8 %)"})
}

func TestHeadingDimension(t *testing.T) {
	name, values := headingDimension([]string{"Phase 4 — Static", "Phase 11 — Spec"}, 0)
	if name != "phase" || !slices.Equal(values, []string{"4", "11"}) {
		t.Errorf("numbered headings: %q %v", name, values)
	}
	name, values = headingDimension([]string{"baseline — Sequential", "prefix_caching: shared"}, 1)
	if name != "subsection" || !slices.Equal(values, []string{"baseline", "prefix_caching"}) {
		t.Errorf("named headings: %q %v", name, values)
	}
	_, values = headingDimension([]string{"gemma3:4b", "gemma3:12b: quantised"}, 1)
	if !slices.Equal(values, []string{"gemma3:4b", "gemma3:12b"}) {
		t.Errorf("a colon inside a name is no separator: %v", values)
	}
}

// A table restates another when it holds the same numbers in the same order, whatever its text; one that holds
// the first of them only, or the same in another order, does not.
func TestTableRestatesOnlyTheSameNumbersInOrder(t *testing.T) {
	tableOf := func(rows ...[]string) *table {
		tb := &table{columns: []string{"model", "tok/s"}}
		for _, r := range rows {
			tb.addRow(r)
		}
		return tb
	}
	full := tableOf([]string{"Llama", "88.5"}, []string{"Qwen", "67.4"})
	for _, tt := range []struct {
		name string
		t    *table
		want bool
	}{
		{"the same numbers, other names", tableOf([]string{"a", "88.50"}, []string{"b", "67.4"}), true},
		{"the first of them", tableOf([]string{"Llama", "88.5"}), false},
		{"one more", tableOf([]string{"Llama", "88.5"}, []string{"Qwen", "67.4"}, []string{"Phi", "1"}), false},
		{"another order", tableOf([]string{"Qwen", "67.4"}, []string{"Llama", "88.5"}), false},
	} {
		if got := tt.t.restates(full); got != tt.want {
			t.Errorf("%s: restates = %v, want %v", tt.name, got, tt.want)
		}
	}
}
