package artifacts

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
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

func TestFindOutliersAmongThreeRepetitions(t *testing.T) {
	// a: 10.0, 10.1, 14.0 has median 10.1; deviations 0.1, 0, 3.9 have median 0.1, so 14.0 scores
	// 3.9 / 0.14826 = 26.3, lies 3.9 / 10.1 = 39 % above the median, and Dixon's Q is 3.9 / 4.0 = 0.975, above
	// 0.970. b's 19.8 scores −1.35.
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"config", "avg_ts"},
		[]string{"a", "10.0 / 10.1 / 14.0"}, []string{"b", "20.0 / 20.2 / 19.8"}))[0]
	in := findOutliers(rel)
	if in == nil {
		t.Fatal("no outlier among three repetitions")
	}
	assertInOrder(t, in.text.String(), []string{"config=a: 14.0 against a median of 10.1 (z = 26.3"})
	if in.value != 1 {
		t.Errorf("value = %v, want 1 outlier (b has none)", in.value)
	}
}

func TestNoOutlierOnNoise(t *testing.T) {
	for name, latencies := range map[string][]string{
		// 16.45 against a median of 16.21: deviations 0.24, 0.10, 0.02, 0.04, 0 have median 0.04, so z =
		// 0.24 / (1.4826 · 0.04) = 4.0; but its gap to 16.31 is half the range 0.28, under Dixon's 0.710.
		"within the spread": {"16.45", "16.31", "16.19", "16.17", "16.21"},
		// 16.45 stands apart (gap 0.23 of range 0.25, Q = 0.92), but only 0.24 / 16.21 = 1.5 % off the median.
		"a small step": {"16.45", "16.21", "16.20", "16.22", "16.21"},
	} {
		var rows [][]string
		for _, x := range latencies {
			rows = append(rows, []string{"cuda", x})
		}
		rel := newRelation("r", nil, KindCSV, tableOf([]string{"backend", "latency_ms"}, rows...))[0]
		if in := findOutliers(rel); in != nil {
			t.Errorf("%s: outlier on noise: %q", name, in.text.String())
		}
	}
}

func TestAnOutlierLeavesEveryComparisonThatSaysSo(t *testing.T) {
	cuda := []float64{455.2, 456.0, 454.2, 450.8, 453.5}
	vulkan := []float64{419.3, 421.1, 4224.3, 414.3, 420.7} // 4224.3: a slipped decimal point
	var rows [][]string
	csv := "backend,tokens_per_second\n"
	for i := range cuda {
		rows = append(rows, []string{"cuda", fmt.Sprint(cuda[i])}, []string{"vulkan", fmt.Sprint(vulkan[i])})
		csv += fmt.Sprintf("cuda,%v\nvulkan,%v\n", cuda[i], vulkan[i])
	}
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"backend", "tokens_per_second"}, rows...))[0]
	in := findIn(t, rel, findEffect, "tokens_per_second", "backend")
	if in == nil {
		t.Fatal("no effect")
	}
	// without the slip, vulkan's mean is (419.3 + 421.1 + 414.3 + 420.7) / 4 = 418.85 and cuda's 2269.7 / 5 =
	// 453.94: vulkan is 418.85 / 453.94 − 1 = −7.73 % from cuda.
	want := fmt.Sprintf("%.2f %%", 100*(stats.Mean(slices.Delete(vulkan, 2, 3))/stats.Mean(cuda)-1))
	writeLeftOutliers(in.text, rel.measureNamed("tokens_per_second").outliers)
	assertInOrder(t, in.text.String(), []string{"453.9 ± 2.0 → 418.9 ± 3.1", want, "(Welch p < 0.001",
		"(1 outlier left out: backend=vulkan: 4224.3)"})

	facts := factsFor(t, map[string]string{"runs.csv": csv})
	for id, f := range facts {
		if strings.Contains(f.Text, "tokens_per_second") && !strings.Contains(f.Text, "4224.3") {
			t.Errorf("fact %s uses the measure but does not name the outlier it left out: %q", id, f.Text)
		}
		if strings.Contains(f.Text, "1179.9") {
			t.Errorf("fact %s averages the outlier in: %q", id, f.Text)
		}
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

func TestNoOutlierInADistributionOfRequests(t *testing.T) {
	// 24 requests of one configuration: a slow one is the tail a user meets, which the distribution states.
	var rows [][]string
	for i := range minDistributionRows + 4 {
		rows = append(rows, []string{fmt.Sprint(0.380 + 0.001*float64(i%5))})
	}
	rows[7][0] = "0.687"
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"ttft_s"}, rows...))[0]
	if in := findOutliers(rel); in != nil {
		t.Errorf("outlier in a distribution: %q", in.text.String())
	}
}
