package artifacts

import (
	"fmt"
	"slices"
	"testing"
)

func TestIndependentDimsDropsADimensionOthersDetermine(t *testing.T) {
	// n_gen is 128 exactly when the series is tg: series determines it, and a breakdown by n_gen would
	// restate the one by series. threads varies within every (model, series), so it stays.
	tb := tableOf([]string{"model", "series", "n_gen", "threads", "avg_ts"},
		[]string{"llama", "pp", "0", "4", "100"},
		[]string{"llama", "pp", "0", "8", "150"},
		[]string{"llama", "tg", "128", "4", "10"},
		[]string{"llama", "tg", "128", "8", "12"},
		[]string{"qwen", "pp", "0", "4", "200"},
		[]string{"qwen", "tg", "128", "4", "20"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	if d := rel.dimNamed("n_gen"); d == nil {
		t.Fatalf("dimensions = %v, want n_gen read as a dimension", dimNames(rel.dims))
	}
	got := dimNames(rel.independentDims())
	slices.Sort(got)
	if want := []string{"model", "series", "threads"}; !slices.Equal(got, want) {
		t.Errorf("independent dimensions = %v, want %v", got, want)
	}
}

func TestDetermines(t *testing.T) {
	series := &dimension{name: "series", levels: []string{"pp", "tg", "pp", "tg"}}
	model := &dimension{name: "model", levels: []string{"a", "a", "b", "b"}}
	depth := &dimension{name: "depth", levels: []string{"512", "0", "512", "0"}}
	mixed := &dimension{name: "mixed", levels: []string{"x", "y", "y", "y"}}
	tests := []struct {
		keys []*dimension
		d    *dimension
		want bool
	}{
		{[]*dimension{series}, depth, true},
		{[]*dimension{series}, model, false},
		{[]*dimension{series}, mixed, false},
		{[]*dimension{series, model}, mixed, true}, // every row its own key
	}
	for _, tt := range tests {
		if got := determines(tt.keys, tt.d, 4); got != tt.want {
			t.Errorf("determines(%v, %s) = %v, want %v", dimNames(tt.keys), tt.d.name, got, tt.want)
		}
	}
}

func TestALabelHidesNoFactor(t *testing.T) {
	var rows [][]string
	for i := range 12 {
		model, rate := "a", 10.0+float64(i%3)*0.1
		if i%2 == 1 {
			model, rate = "b", 20.0+float64(i%3)*0.1
		}
		rows = append(rows, []string{fmt.Sprintf("req-%02d", i), model, fmt.Sprintf("%.1f", rate)})
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"request", "model", "tok_s"}, rows...))[0]
	if !slices.Contains(dimNames(rel.independentDims()), "model") {
		t.Fatalf("independent dimensions %v: the request ids hid the model", dimNames(rel.independentDims()))
	}
	in := findIn(t, rel, findEffect, "tok_s", "model")
	if in == nil {
		t.Fatal("model not compared")
	}
}
