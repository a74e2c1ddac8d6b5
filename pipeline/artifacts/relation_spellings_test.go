package artifacts

import (
	"slices"
	"testing"
)

func TestAbbreviates(t *testing.T) {
	for _, c := range []struct {
		short, long string
		want        bool
	}{
		{"Nvidia 4090", "Nvidia RTX 4090", true},
		{"AMD AI Pro R9700", "AMD Radeon AI Pro R9700", true},
		{"Nvidia 4070 Ti", "Nvidia 4070 Ti Super", false}, // another last word: another card
		{"Intel Arc B580", "Intel Arc 2 B580", false},     // a word with a digit left out
		{"H100", "Nvidia H100", false},                    // one word is no name to abbreviate
		{"Nvidia RTX 4090", "Nvidia RTX 4090", false},
	} {
		if got := abbreviates(c.short, c.long); got != c.want {
			t.Errorf("abbreviates(%q, %q) = %v, want %v", c.short, c.long, got, c.want)
		}
	}
}

// The same card spelled two ways in two tables of one document becomes one level; two models a table measures
// side by side under one GPU stay two.
func TestUnifySpellingsMergesOnlyWhatNeverMeets(t *testing.T) {
	tb := tableOf([]string{"host", "gpu", "tok_s"},
		[]string{"tower", "AMD Radeon Pro W7900", "50"}, []string{"tower", "Nvidia RTX 4090", "90"},
		[]string{"mini", "AMD Pro W7900", "30"}, []string{"mini", "Nvidia RTX 4090", "60"})
	rel := newRelation("r", nil, KindMarkdown, tb)[0]
	gpu := rel.dimNamed("gpu")
	rel.unifySpellings(gpu)
	if want := []string{"AMD Radeon Pro W7900", "Nvidia RTX 4090", "AMD Radeon Pro W7900", "Nvidia RTX 4090"}; !slices.Equal(gpu.levels, want) {
		t.Errorf("levels %q, want %q", gpu.levels, want)
	}

	tb = tableOf([]string{"gpu", "model", "tok_s"},
		[]string{"A", "Qwen 7B", "50"}, []string{"A", "Qwen Coder 7B", "48"}, []string{"B", "Qwen 7B", "70"})
	rel = newRelation("r", nil, KindMarkdown, tb)[0]
	model := rel.dimNamed("model")
	rel.unifySpellings(model)
	if want := []string{"Qwen 7B", "Qwen Coder 7B", "Qwen 7B"}; !slices.Equal(model.levels, want) {
		t.Errorf("levels %q, want %q: the two models meet on GPU A", model.levels, want)
	}
}
