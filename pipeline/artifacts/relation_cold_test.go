package artifacts

import "testing"

func TestColdRowsLeaveTheTimeMeasures(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"num_gpu", "load_ms", "ttft_ms", "tokens_s"},
		[]string{"40", "100", "150", "50.0"},
		[]string{"80", "105", "160", "55.0"},
		[]string{"99", "2000", "2100", "60.0"}))[0]
	if rel.measureNamed("load_ms") != nil {
		t.Errorf("load time kept as a measure: %v", measureNames(rel))
	}
	// 2000 ≥ 10 × 100: the third call loaded the model. Its TTFT goes, its rate stays.
	ttft, rate := rel.measureNamed("ttft_ms"), rel.measureNamed("tokens_s")
	if ttft.cells[2].missing != missingCold || !ttft.cells[1].isNumber() {
		t.Errorf("ttft cells %+v", ttft.cells)
	}
	if !rate.cells[2].isNumber() {
		t.Errorf("the cold call's rate was dropped: %+v", rate.cells[2])
	}
}

func TestNoLoadColumnNoColdRows(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"num_gpu", "ttft_ms"},
		[]string{"40", "150"}, []string{"80", "2100"}))[0]
	if !rel.measureNamed("ttft_ms").cells[1].isNumber() {
		t.Error("a slow TTFT without a load column was taken for a cold call")
	}
}
