package artifacts

import (
	"fmt"
	"math"
	"testing"
)

func TestFindEffectPairsMatchedCellsWithASignTest(t *testing.T) {
	// off is 100 in every model; on is 10, 20, 30, 40, 50 % higher in five and 10 % lower in one.
	// Mean change (10 + 20 + 30 + 40 + 50 − 10) / 6 = 140 / 6 = +23.3 %.
	// Sign test, 5 higher of 6: p = 2 · (C(6,0) + C(6,1)) / 2⁶ = 2 · 7 / 64 = 0.21875, printed 0.219.
	tb := tableOf([]string{"model", "fa", "avg_ts"},
		[]string{"m1", "on", "110"}, []string{"m1", "off", "100"},
		[]string{"m2", "on", "120"}, []string{"m2", "off", "100"},
		[]string{"m3", "on", "130"}, []string{"m3", "off", "100"},
		[]string{"m4", "on", "140"}, []string{"m4", "off", "100"},
		[]string{"m5", "on", "150"}, []string{"m5", "off", "100"},
		[]string{"m6", "on", "90"}, []string{"m6", "off", "100"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findEffect, "avg_ts", "fa")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"fa on vs off", "+23.3 % on average (-10.0 % to +50.0 %)",
		"higher in 5 of 6 matched cells (sign test p = 0.219, not significant)", "model=m1 100 → 110 (+10.0 %)",
		"model=m6 100 → 90 (-10.0 %)"})
	if want := 100 * 140.0 / 6 / 100; math.Abs(in.value-want) > 1e-9 {
		t.Errorf("value = %v, want %v per cent", in.value, want)
	}
	if want := 1 - 2*7.0/64; math.Abs(in.significance-want) > 1e-9 {
		t.Errorf("significance = %v, want 1 − p = %v", in.significance, want)
	}
}

func TestFindEffectSignTestOfAUnanimousSmallGrid(t *testing.T) {
	// 4 higher of 4: p = 2 · (1/2)⁴ = 0.125, not below 0.05.
	tb := tableOf([]string{"model", "fa", "avg_ts"},
		[]string{"m1", "off", "10"}, []string{"m1", "on", "11"},
		[]string{"m2", "off", "10"}, []string{"m2", "on", "12"},
		[]string{"m3", "off", "10"}, []string{"m3", "on", "13"},
		[]string{"m4", "off", "10"}, []string{"m4", "on", "14"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findEffect, "avg_ts", "fa")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"higher in 4 of 4 matched cells (sign test p = 0.125, not significant)"})
}

func TestFindEffectOfOneCell(t *testing.T) {
	// 120.0 / 100.0 − 1 = +20.0 %, single values: no test applies.
	tb := tableOf([]string{"fa", "avg_ts"}, []string{"on", "120.0"}, []string{"off", "100.0"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findIn(t, rel, findEffect, "avg_ts", "fa")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"fa on vs off: avg_ts 100.0 → 120.0, +20.0 %",
		"single values with no spread: cannot be called beyond noise"})
}

func TestTwoLevelsPutsTheReferenceFirst(t *testing.T) {
	tests := []struct {
		levels  []string
		ordered bool
		a, b    string
	}{
		{[]string{"on", "off"}, false, "off", "on"},
		{[]string{"candidate", "baseline"}, false, "baseline", "candidate"},
		{[]string{"1024", "512"}, true, "512", "1024"},
		{[]string{"rocm", "vulkan"}, false, "rocm", "vulkan"},
	}
	for _, tt := range tests {
		a, b, ok := twoLevels(&dimension{name: "d", levels: tt.levels, ordered: tt.ordered})
		if !ok || a != tt.a || b != tt.b {
			t.Errorf("twoLevels(%q) = %q, %q, %v; want %q, %q", tt.levels, a, b, ok, tt.a, tt.b)
		}
	}
	if _, _, ok := twoLevels(&dimension{name: "d", levels: []string{"a", "b", "c"}}); ok {
		t.Error("twoLevels of three levels reports ok")
	}
}

func TestAWelchLeadOnThreeRunsASideSaysNoRankTestCanConfirmIt(t *testing.T) {
	rel := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"card", "tok/s"},
		[]string{"a", "59.80 / 59.43 / 59.30"}, []string{"b", "63.53 / 63.48 / 63.50"}))[0]
	in := findIn(t, rel, findEffect, "tok/s", "card")
	// Every b run beats every a run: the exact Mann–Whitney p of 3 + 3 fully separated runs is 2/20 = 0.1.
	assertInOrder(t, in.text.String(), []string{"beyond noise", "a rank test cannot confirm it with so few runs: Mann–Whitney p = 0.1"})
}

func TestUnchangedCellsLeaveTheSignTest(t *testing.T) {
	var rows [][]string
	for i := range 16 {
		after := "10"
		if i < 8 {
			after = "11"
		}
		rows = append(rows, []string{fmt.Sprint("c", i), "off", "10"}, []string{fmt.Sprint("c", i), "on", after})
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"cell", "fa", "tok_s"}, rows...))[0]
	in := findIn(t, rel, findEffect, "tok_s", "fa")
	// 8 of 16 cells rose and 8 did not move: the sign test is over the 8 that moved, p = 2 · 2⁻⁸ = 0.0078.
	assertInOrder(t, in.text.String(), []string{"higher in 8 of 16 matched cells, unchanged in 8 (sign test p = 0.00781, beyond noise)"})
}
