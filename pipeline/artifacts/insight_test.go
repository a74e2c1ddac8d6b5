package artifacts

import (
	"slices"
	"strings"
	"testing"
)

func TestAPanickingInsightCostsOnlyItsTablesInsights(t *testing.T) {
	saved := tableInsightTypes
	defer func() { tableInsightTypes = saved }()
	tableInsightTypes = append(tableInsightTypes, struct {
		kind string
		find func(rel *relation) *insight
	}{"boom", func(rel *relation) *insight {
		if rel.source == "bad.csv" {
			panic("index out of range")
		}
		return nil
	}})
	tb := tableOf([]string{"ngl", "tok/s"}, []string{"0", "10"}, []string{"99", "80"})
	var l factList
	l.addTableInsights("bad.csv", nil, KindCSV, tb)
	l.addTableInsights("good.csv", nil, KindCSV, tb)
	var notes, good int
	for _, f := range l {
		switch {
		case f.Kind == FactNote && strings.Contains(f.Text, "insight analysis failed on t of bad.csv") &&
			strings.Contains(f.Text, "index out of range"):
			notes++
		case f.Source == "bad.csv":
			t.Errorf("half-made fact kept: %s", f.Text)
		case f.Source == "good.csv":
			good++
		}
	}
	if notes != 1 || good == 0 {
		t.Errorf("%d notes and %d facts of the good table, want 1 and some", notes, good)
	}
}

func TestAMeasureWithZerosOrNegativesIsNotComparedByRatios(t *testing.T) {
	tb := tableOf([]string{"queue", "wait_ms"}, []string{"a", "0"}, []string{"b", "2"}, []string{"c", "3"})
	var l factList
	l.addInsights(newRelation("r.csv", nil, KindCSV, tb)[0], 8)
	for _, f := range l {
		if strings.Contains(f.Text, "Inf") || strings.Contains(f.Text, "-100.0 %") {
			t.Errorf("a change relative to zero: %s", f.Text)
		}
	}
}

func TestEachFurtherInsightOfAKindCountsForLess(t *testing.T) {
	kinds := []string{"outlier", "outlier", "outlier", "trend", "effect"}
	scores := []float64{0.9, 0.8, 0.7, 0.5, 0.1} // sorted best first
	order := []int{0, 1, 2, 3, 4}
	rankWithinKinds(order, kinds, func(i int) float64 { return scores[i] })
	// Effective scores 0.9, 0.8 / 2 = 0.4, 0.7 / 3 = 0.233, 0.5, 0.1.
	if want := []int{0, 3, 1, 2, 4}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

// Along ngl every context rises about 6× (a trend whose series print 6.00× and 6.40×) and 33 is about 6.2× 0
// across the contexts (a ratio, √(6.0 · 6.4) = 6.20×): one finding, stated once.
func TestATrendAndARatioOfOneBreakdownAreOneFact(t *testing.T) {
	tb := tableOf([]string{"ctx", "ngl", "tok_s"},
		[]string{"2048", "0", "10"}, []string{"2048", "16", "20"}, []string{"2048", "33", "60"},
		[]string{"4096", "0", "9"}, []string{"4096", "16", "18.5"}, []string{"4096", "33", "57.6"})
	var l factList
	l.addInsights(newRelation("r.csv", nil, KindCSV, tb)[0], 8)
	var along []string
	for _, f := range l {
		if (f.Kind == FactTrend || f.Kind == FactRatio) && strings.Contains(f.ID, "tok_s") && strings.Contains(f.ID, "ngl") {
			along = append(along, f.Text)
		}
	}
	if len(along) != 1 {
		t.Errorf("%d trend and ratio facts of tok_s by ngl, want 1: %q", len(along), along)
	}
}
