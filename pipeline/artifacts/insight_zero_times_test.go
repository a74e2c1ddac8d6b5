package artifacts

import "testing"

// A decoder that emits tokens in bursts reports a median time between tokens of 0 at every batch size; the zeros
// leave its statistics and are stated once, at the level that holds them all.
func TestZeroTokenTimesAreNoMeasurement(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"decoder", "batch", "median_tpot_ms", "tok/s"},
		[]string{"plain", "1", "12", "80.0"}, []string{"plain", "8", "19", "300.0"},
		[]string{"draft", "1", "0", "95.0"}, []string{"draft", "8", "0", "310.0"}))[0]
	tpot := rel.measureNamed("median_tpot_ms")
	if tpot.cells[2].isNumber() || tpot.cells[2].missing != missingZeroTime {
		t.Fatalf("a zero time kept as %+v", tpot.cells[2])
	}
	in := findZeroTimes(rel)
	if in == nil {
		t.Fatal("no zero-times insight")
	}
	assertInOrder(t, in.text.String(), []string{"median_tpot_ms reads 0 in 2 of 4 rows, every row at decoder=draft and none elsewhere",
		"left out of every statistic"})
	if rate := rel.measureNamed("tok/s"); !rate.cells[2].isNumber() {
		t.Error("a rate of the same rows left out: only the zero times are no measurement")
	}
}
