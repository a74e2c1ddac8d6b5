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
