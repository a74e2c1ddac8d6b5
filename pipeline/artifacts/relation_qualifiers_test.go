package artifacts

import (
	"slices"
	"testing"
)

// An inference engine with its precision in brackets: vLLM and TGI each at fp16 and int8 cross, so the label is
// an engine and a precision; a level without brackets is in neither.
func TestCrossedQualifiedLabelsAreTwoDimensions(t *testing.T) {
	tb := tableOf([]string{"config", "latency_ms"},
		[]string{"vLLM (fp16)", "10"}, []string{"vLLM (int8)", "8"},
		[]string{"TGI (fp16)", "12"}, []string{"TGI (int8)", "9"},
		[]string{"llama.cpp (q4)", "20"}, []string{"baseline", "30"})
	rel := newRelation("r", nil, KindMarkdown, tb)[0]
	base, qualifier := rel.dimNamed("config base"), rel.dimNamed("config (…)")
	if base == nil || qualifier == nil {
		t.Fatalf("dimensions %v, want config split into a base and a qualifier", dimNames(rel.dims))
	}
	if want := []string{"vLLM", "vLLM", "TGI", "TGI", "llama.cpp", ""}; !slices.Equal(base.levels, want) {
		t.Errorf("bases %q, want %q", base.levels, want)
	}
	if want := []string{"fp16", "int8", "fp16", "int8", "q4", ""}; !slices.Equal(qualifier.levels, want) {
		t.Errorf("qualifiers %q, want %q", qualifier.levels, want)
	}
	if whole := rel.dimNamed("config"); base.whole != whole || qualifier.whole != whole {
		t.Errorf("the parts do not name config as their whole")
	}
}

// Each host with its own GPU: nothing crosses, so the brackets hold a detail of one name, no second factor.
func TestQualifiedLabelsThatDoNotCrossStayWhole(t *testing.T) {
	tb := tableOf([]string{"machine", "tok_s"},
		[]string{"Studio (M3)", "50"}, []string{"Spark (GB10)", "40"}, []string{"Tower (RTX 4090)", "90"},
		[]string{"Studio (M4)", "60"})
	rel := newRelation("r", nil, KindMarkdown, tb)[0]
	if got := dimNames(rel.dims); !slices.Equal(got, []string{"machine"}) {
		t.Errorf("dimensions %v, want machine alone", got)
	}
}

// A part fixes the subspaces of its sibling, not of its whole, which fixes its own level; a breakdown by
// anything else is fixed by the whole, not again by its parts; the whole does not make its parts confounded.
func TestPartsFixTheSubspacesOfTheirSiblingsOnly(t *testing.T) {
	tb := tableOf([]string{"suite", "config", "latency_ms"},
		[]string{"chat", "vLLM (fp16)", "10"}, []string{"chat", "vLLM (int8)", "8"},
		[]string{"chat", "TGI (fp16)", "12"}, []string{"chat", "TGI (int8)", "9"},
		[]string{"code", "vLLM (fp16)", "11"}, []string{"code", "TGI (fp16)", "13"},
		[]string{"code", "custom", "14"}, []string{"code", "other", "15"})
	rel := newRelation("r", nil, KindMarkdown, tb)[0]
	dims := rel.independentDims()
	if got, want := dimNames(dims), []string{"suite", "config base", "config (…)", "config"}; !slices.Equal(got, want) {
		t.Fatalf("independent dimensions %v, want %v", got, want)
	}
	for by, want := range map[string][]string{
		"config base": {"suite", "config (…)"},
		"config (…)":  {"suite", "config base"},
		"config":      {"suite"},
		"suite":       {"config"},
	} {
		if got := dimNames(rel.subspaceDims(rel.dimNamed(by), dims)); !slices.Equal(got, want) {
			t.Errorf("subspaces of a breakdown by %s fixed by %v, want %v", by, got, want)
		}
	}
}
