package artifacts

import (
	"testing"
)

func TestFindOutliersByRobustZ(t *testing.T) {
	// a: 10.0, 10.1, 9.9, 10.0, 14.0 has median 10.0; the deviations 0, 0.1, 0.1, 0, 4.0 have median 0.1, so
	// 14.0 scores (14.0 − 10.0) / (1.4826 · 0.1) = 26.98, printed 27.0. Mean 54 / 5 = 10.8; squared deviations
	// 0.64 + 0.49 + 0.81 + 0.64 + 10.24 = 12.82, sample sd √(12.82 / 4) = 1.790, cv 16.6 %.
	// b's widest step, 0.2 from its median of 20.0, scores 0.2 / 0.14826 = 1.35: no outlier.
	rows := [][]string{
		{"a", "10.0"}, {"a", "10.1"}, {"a", "9.9"}, {"a", "10.0"}, {"a", "14.0"},
		{"b", "20.0"}, {"b", "20.2"}, {"b", "19.8"}, {"b", "20.0"}, {"b", "20.1"},
	}
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"config", "avg_ts"}, rows...))[0]
	in := findOutliers(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"avg_ts at config=a: 14.0 against a median of 10.0 (z = 27.0, cv 16.6 %)"})
	if in.value != 1 {
		t.Errorf("value = %v, want 1 outlier (b has none)", in.value)
	}
}

func TestFindOutliersInRunsWrittenInOneCell(t *testing.T) {
	// the same repetitions of a written in one cell give the same z of 27.0.
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"config", "avg_ts"},
		[]string{"a", "10.0 / 10.1 / 9.9 / 10.0 / 14.0"}, []string{"b", "20.0 / 20.2 / 19.8 / 20.0 / 20.1"}))[0]
	in := findOutliers(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"avg_ts at config=a: 14.0 against a median of 10.0 (z = 27.0"})
}

func TestFindOutliersNeedsFourRepetitions(t *testing.T) {
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"config", "avg_ts"},
		[]string{"a", "10.0 / 10.1 / 14.0"}, []string{"b", "20.0 / 20.2 / 19.8"}))[0]
	if in := findOutliers(rel); in != nil {
		t.Errorf("outlier among three repetitions: %q", in.text.String())
	}
}

func TestFindOutliersLooksInEveryConfigurationEvenOneWithoutAPeer(t *testing.T) {
	// model b is measured at size 8 only, so no series by model holds it; its repetitions are still its own cell.
	rows := [][]string{
		{"a", "7", "70.0"}, {"a", "7", "70.1"}, {"a", "7", "69.9"}, {"a", "7", "70.0"},
		{"b", "8", "57.3"}, {"b", "8", "57.4"}, {"b", "8", "57.5"}, {"b", "8", "57.4"}, {"b", "8", "55.0"},
	}
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"model", "size", "tok/s"}, rows...))[0]
	in := findOutliers(rel)
	if in == nil {
		t.Fatal("no outlier")
	}
	// median 57.4, deviations 0.1, 0, 0.1, 0, 2.4: MAD 0.1, z = (55.0 − 57.4) / 0.14826 = −16.2.
	assertInOrder(t, in.text.String(), []string{"tok/s at model=b, size=8: 55.0 against a median of 57.4 (z = -16.2"})
}

func TestFindOutliersStatesEveryMeasureOfARelationInOneFact(t *testing.T) {
	// the fifth run of a is slow in both measures: 14.0 ms a token is 71.4 tok/s against 100.
	rows := [][]string{
		{"a", "10.0", "100.0"}, {"a", "10.1", "99.0"}, {"a", "9.9", "101.0"}, {"a", "10.0", "100.0"}, {"a", "14.0", "71.4"},
	}
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"config", "ms_per_token", "tok/s"}, rows...))[0]
	in := findOutliers(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"outlying repetitions", "ms_per_token: 14.0 against a median of 10.0",
		"tok/s: 71.4 against a median of 100.0"})
	if in.value != 2 {
		t.Errorf("value = %v, want 2 outliers", in.value)
	}
}
