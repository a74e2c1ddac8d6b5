package artifacts

import (
	"strings"
	"testing"
)

// findIn runs one insight type over a relation's measure broken down by one dimension; nil when it finds none.
func findIn(t *testing.T, rel *relation, find func(*relation, *measure, *dimension, breakdown) *insight,
	measureName, dimName string) *insight {
	t.Helper()
	m, by := rel.measureNamed(measureName), rel.dimNamed(dimName)
	if m == nil || by == nil {
		t.Fatalf("relation has measures %v and dimensions %v, want %s and %s", measureNames(rel), dimNames(rel.dims),
			measureName, dimName)
	}
	ss := rel.seriesOf(m, by, rel.independentDims())
	return find(rel, m, by, breakdown{series: ss, cells: ss})
}

func TestFindBestLevel(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		rows    [][]string
		measure string
		want    []string // parts of the text, in order
	}{
		{
			// 254.0 / 200.0 − 1 = +27.0 %; 254.0 / 100.0 = 2.54×; no spread is stated.
			name:    "single values: the lead is printed at the source's precision and cannot be tested",
			columns: []string{"toolbox", "avg_ts"},
			rows:    [][]string{{"rocm", "200.0"}, {"vulkan", "254.0"}, {"cpu", "100.0"}},
			measure: "avg_ts",
			want: []string{"best vulkan 254.0", "+27.0 % over rocm 200.0",
				"single values with no spread: cannot be called beyond noise", "worst cpu 100.0", "2.54× apart"},
		},
		{
			// a lower time is better: 40 / 50 − 1 = −20.0 %, and 60 / 40 = 1.50×.
			name:    "a time: the lowest is best",
			columns: []string{"toolbox", "ttft_ms"},
			rows:    [][]string{{"rocm", "50"}, {"vulkan", "40"}, {"cpu", "60"}},
			measure: "ttft_ms",
			want:    []string{"best vulkan 40", "-20.0 % over rocm 50", "worst cpu 60", "1.50× apart"},
		},
		{
			// |101.0 − 100.0| / √(5² + 5²) = 1 / 7.07 = 0.14 sd: far inside the noise.
			name:    "a lead inside the stated noise",
			columns: []string{"toolbox", "avg_ts", "stddev_ts"},
			rows:    [][]string{{"rocm", "100.0", "5.0"}, {"vulkan", "101.0", "5.0"}, {"cpu", "50.0", "5.0"}},
			measure: "avg_ts",
			want:    []string{"no measurable difference between the top two, vulkan 101.0 ± 5.0", "rocm 100.0 ± 5.0", "+1.00 %", "gap 0.1 sd"},
		},
		{
			// |130.0 − 100.0| / √(2² + 2²) = 30 / 2.83 = 10.6 sd: a lead beyond the noise.
			name:    "a lead beyond the stated noise",
			columns: []string{"toolbox", "avg_ts", "stddev_ts"},
			rows:    [][]string{{"rocm", "100.0", "2.0"}, {"vulkan", "130.0", "2.0"}, {"cpu", "50.0", "2.0"}},
			measure: "avg_ts",
			want:    []string{"best vulkan 130.0 ± 2.0", "+30.0 % over rocm 100.0 ± 2.0", "gap 10.6 sd"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := newRelation("r", nil, KindCSV, tableOf(tt.columns, tt.rows...))[0]
			in := findIn(t, rel, findBestLevel, tt.measure, "toolbox")
			if in == nil {
				t.Fatal("no insight")
			}
			assertInOrder(t, in.text.String(), tt.want)
		})
	}
}

func TestFindBestLevelCountsWinsAcrossSubspaces(t *testing.T) {
	tb := tableOf([]string{"model", "toolbox", "avg_ts"},
		[]string{"llama", "rocm", "10"}, []string{"llama", "vulkan", "12"}, []string{"llama", "cpu", "2"},
		[]string{"qwen", "rocm", "20"}, []string{"qwen", "vulkan", "25"}, []string{"qwen", "cpu", "4"},
		[]string{"gemma", "rocm", "31"}, []string{"gemma", "vulkan", "30"}, []string{"gemma", "cpu", "6"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findBestLevel, "avg_ts", "toolbox")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"vulkan is first in 2 of 3 subspaces"})
}

// assertInOrder fails unless text holds every part, each after the one before.
func assertInOrder(t *testing.T, text string, parts []string) {
	t.Helper()
	rest := text
	for _, part := range parts {
		i := strings.Index(rest, part)
		if i < 0 {
			t.Errorf("text %q lacks %q (after the parts before it)", text, part)
			return
		}
		rest = rest[i+len(part):]
	}
}

// seriesOf breaks measure m down by dimension by within every subspace of the other dimensions of dims.
func (rel *relation) seriesOf(m *measure, by *dimension, dims []*dimension) []*series {
	return rel.subspacesOf(by, dims).series(m, by)
}
