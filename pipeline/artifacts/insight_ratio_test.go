package artifacts

import (
	"math"
	"strings"
	"testing"
)

func TestFindRatioGivesTheGeometricMeanOverMatchedCells(t *testing.T) {
	// Q4_0 / F16 per device: 200/100 = 2, 300/100 = 3, 90/50 = 1.8. Geometric mean ∛(2 · 3 · 1.8) = ∛10.8 = 2.21.
	tb := tableOf([]string{"device", "quant", "avg_ts"},
		[]string{"a", "F16", "100"}, []string{"a", "Q4_0", "200"},
		[]string{"b", "F16", "100"}, []string{"b", "Q4_0", "300"},
		[]string{"c", "F16", "50"}, []string{"c", "Q4_0", "90"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findRatio, "avg_ts", "quant")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"avg_ts by quant across 3 subspaces: Q4_0 is 2.21× F16 (1.80×–3.00× over 3 cells)"})
	if want := math.Cbrt(10.8); math.Abs(in.value-want) > 1e-9 {
		t.Errorf("value = %v, want ∛10.8 = %v", in.value, want)
	}
}

func TestFindRatioOfATimeIsTheSlowOverTheFast(t *testing.T) {
	// lower is better: fp8 is best; bf16 / fp8 = 30/10 = 3 and 40/20 = 2, √(3 · 2) = √6 = 2.45.
	tb := tableOf([]string{"device", "dtype", "ttft_ms"},
		[]string{"a", "bf16", "30"}, []string{"a", "fp8", "10"},
		[]string{"b", "bf16", "40"}, []string{"b", "fp8", "20"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findRatio, "ttft_ms", "dtype")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"fp8 is 2.45× lower than bf16 (2.00×–3.00× over 2 cells)"})
}

func TestFindRatioNeedsTwoMatchedCells(t *testing.T) {
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"quant", "avg_ts"},
		[]string{"F16", "100"}, []string{"Q4_0", "200"}))[0]
	if in := findIn(t, rel, findRatio, "avg_ts", "quant"); in != nil {
		t.Errorf("ratio over one cell: %q", in.text.String())
	}
	// Q8_0 is measured on device a only: one ratio, not listed beside Q4_0's two.
	rel = newRelation("r", nil, KindCSV, tableOf([]string{"device", "quant", "avg_ts"},
		[]string{"a", "F16", "100"}, []string{"a", "Q8_0", "150"}, []string{"a", "Q4_0", "200"},
		[]string{"b", "F16", "100"}, []string{"b", "Q4_0", "300"}))[0]
	in := findIn(t, rel, findRatio, "avg_ts", "quant")
	if in == nil {
		t.Fatal("no insight")
	}
	if text := in.text.String(); strings.Contains(text, "Q8_0") {
		t.Errorf("text %q lists Q8_0, matched in one cell", text)
	}
}

// X is best wherever it was measured, on two devices of four: a ratio against it would speak for two of the
// four settings only.
func TestFindRatioNeedsItsReferenceInMostSeries(t *testing.T) {
	tb := tableOf([]string{"device", "quant", "avg_ts"},
		[]string{"a", "X", "400"}, []string{"a", "Y", "200"}, []string{"a", "Z", "100"},
		[]string{"b", "X", "410"}, []string{"b", "Y", "210"}, []string{"b", "Z", "100"},
		[]string{"c", "Y", "220"}, []string{"c", "Z", "100"},
		[]string{"d", "Y", "230"}, []string{"d", "Z", "100"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	if in := findIn(t, rel, findRatio, "avg_ts", "quant"); in != nil {
		t.Errorf("a ratio against a level measured in half the series: %q", in.text.String())
	}
}

func TestFindRatioLeavesAnOrderedSettingToTheTrend(t *testing.T) {
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"device", "threads", "avg_ts"},
		[]string{"a", "1", "100"}, []string{"a", "8", "400"}, []string{"b", "1", "50"}, []string{"b", "8", "210"}))[0]
	if in := findIn(t, rel, findRatio, "avg_ts", "threads"); in != nil {
		t.Errorf("a ratio along threads, which the trend states: %q", in.text.String())
	}
}
