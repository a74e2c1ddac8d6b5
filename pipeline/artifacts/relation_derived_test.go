package artifacts

import (
	"fmt"
	"math"
	"testing"
)

func TestEfficiencyIsTheRatePerWatt(t *testing.T) {
	rels := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"System", "Eval Rate", "Power (Peak)"},
		[]string{"mini", "41.31 Tokens/s", "30.1W"},
		[]string{"tower", "334.67 Tokens/s", "261.5W"},
		[]string{"board", "1.20 Tokens/s", "N/A"}))
	m := rels[0].measureNamed("Eval Rate per W")
	if m == nil {
		t.Fatalf("no efficiency measure among %v", measureNames(rels[0]))
	}
	// 41.31 / 30.1 = 1.3724…, 334.67 / 261.5 = 1.2798…; the board states no power.
	want := []float64{41.31 / 30.1, 334.67 / 261.5}
	for i, w := range want {
		if math.Abs(m.cells[i].value-w) > 1e-12 {
			t.Errorf("row %d: %g tok/s per W, want %g", i, m.cells[i].value, w)
		}
	}
	if m.cells[2].isNumber() || m.direction != 1 || m.unit != "tokens/s per W" {
		t.Errorf("board %+v, direction %d, unit %q", m.cells[2], m.direction, m.unit)
	}
	in := findIn(t, rels[0], findBestLevel, m.name, "System")
	assertInOrder(t, in.text.String(), []string{"best mini 1.37", "over tower 1.28"})
}

// A prompt's tokens over its time to the first token: the rate at which it was read, a relation of its own.
// Two runs of a 2048-token prompt in 4.0 s and 6.0 s read 2048 tokens in 5.0 s on average: 409.6 tok/s, where
// the mean of the two runs' rates, 512 and 341.3, would say 426.7.
func TestPrefillRatesAreTokensOverTheMeanTimeToTheFirstToken(t *testing.T) {
	rels := newRelation("r.csv", nil, KindCSV, tableOf([]string{"input_len", "ttft_s", "decode_tok_s"},
		[]string{"512", "0.5", "50.0"}, []string{"512", "0.7", "51.0"},
		[]string{"1024", "1.5", "48.0"}, []string{"1024", "1.7", "47.0"},
		[]string{"2048", "4.0", "45.0"}, []string{"2048", "6.0", "44.0"}))
	if len(rels) != 2 {
		t.Fatalf("%d relations, want the table and its rates", len(rels))
	}
	rates := rels[1]
	m, by := rates.measureNamed("input_len rate"), rates.dimNamed("input_len")
	if m == nil || len(rates.measures) != 1 {
		t.Fatalf("rate relation measures %v", measureNames(rates))
	}
	ss := rates.seriesOf(m, by, rates.independentDims())
	points := map[string]float64{}
	for _, pt := range ss[0].points {
		points[pt.level] = pt.mean
	}
	if want := 2048 / ((4.0 + 6.0) / 2); points["2048"] != want {
		t.Errorf("2048 tokens read at %v tok/s, want %v", points["2048"], want)
	}
	in := findIn(t, rates, findTrend, "input_len rate", "input_len")
	assertInOrder(t, in.text.String(), []string{"input_len rate (tok/s) falls with input_len",
		fmt.Sprintf("512 %.1f → 1024 %.1f → 2048 %.1f", 512/((0.5+0.7)/2), 1024/((1.5+1.7)/2), 2048/((4.0+6.0)/2))})
	if ttft := rels[0].measureNamed("ttft_s"); ttft.restatedAlong != rels[0].dimNamed("input_len") {
		t.Error("ttft_s is still broken down along input_len, which its rate states")
	}
}
