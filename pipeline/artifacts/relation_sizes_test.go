package artifacts

import (
	"slices"
	"testing"
)

func TestModelNamesWithSizesSplitIntoFamilyAndSize(t *testing.T) {
	rel := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"model", "eval rate"},
		[]string{"deepseek-r1:8b", "56.94 tokens/s"}, []string{"deepseek-r1:14b", "31.63 tokens/s"},
		[]string{"llava:7b", "70.08 tokens/s"}, []string{"llava:13b", "40.48 tokens/s"},
		[]string{"mistral:7b", "66.97 tokens/s"}))[0] // two families at 7B: the size does not name the family
	family, size := rel.dimNamed("model family"), rel.dimNamed("model size (B)")
	if family == nil || size == nil || !size.ordered {
		t.Fatalf("dimensions %v", dimNames(rel.dims))
	}
	if !slices.Equal(family.levels, []string{"deepseek-r1", "deepseek-r1", "llava", "llava", "mistral"}) ||
		!slices.Equal(size.values, []float64{8, 14, 7, 13, 7}) {
		t.Errorf("family %v, size %v", family.levels, size.values)
	}
	in := findIn(t, rel, findTrend, "eval rate", "model size (B)")
	// Two pairs that both fall: 31.63 / 56.94 − 1 = −44.45 %, 56.94 / 31.63 = 1.80; 70.08 / 40.48 = 1.73.
	assertInOrder(t, in.text.String(), []string{"falls with model size (B) in 2 of 2 series",
		"8 56.94 → 14 31.63 (-44.5 %, 1.80×)", "7 70.08 → 13 40.48 (-42.2 %, 1.73×)"})
}

func TestNamesWithoutSizesStayWhole(t *testing.T) {
	rel := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"model", "eval rate"},
		[]string{"deepseek-r1:8b", "56.94"}, []string{"mistral", "66.97"}))[0]
	if !slices.Equal(dimNames(rel.dims), []string{"model"}) {
		t.Errorf("dimensions %v", dimNames(rel.dims))
	}
}

func TestLevelsThatNameASettingWithItsValueSplitIntoAnOrderedSetting(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"workload", "tok/s"},
		[]string{"chat", "40.0"}, []string{"ctx4096", "35.0"}, []string{"ctx-8192", "30.0"}, []string{"ctx16384", "22.0"}))[0]
	family, ctx := rel.dimNamed("workload family"), rel.dimNamed("ctx")
	if family == nil || ctx == nil || !ctx.ordered {
		t.Fatalf("dimensions %v", dimNames(rel.dims))
	}
	if !slices.Equal(family.levels, []string{"chat", "ctx", "ctx", "ctx"}) || !slices.Equal(ctx.levels, []string{"", "4096", "8192", "16384"}) {
		t.Errorf("family %v, ctx %v", family.levels, ctx.levels)
	}
	in := findIn(t, rel, findTrend, "tok/s", "ctx")
	assertInOrder(t, in.text.String(), []string{"tok/s falls with ctx", "4096 35.0 → 8192 30.0 → 16384 22.0"})
}

func TestLevelsWithNumbersThatNameNoSettingStayWhole(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"host", "tok/s"},
		[]string{"node1", "40.0"}, []string{"node2", "35.0"}, []string{"node3", "30.0"}))[0]
	if !slices.Equal(dimNames(rel.dims), []string{"host"}) {
		t.Errorf("dimensions %v", dimNames(rel.dims))
	}
}
