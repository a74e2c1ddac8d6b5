package artifacts

import (
	"slices"
	"strings"
	"testing"
)

// A leaderboard marks the quantised runs; the note under it says what the mark means.
func TestFootnoteMarksAreADimensionOfTheirText(t *testing.T) {
	f, err := parseMarkdown(strings.Join([]string{
		"| Model | Score |",
		"| --- | --- |",
		"| llama-7b<sup>a</sup> | 61.2 |",
		"| llama-13b | 64.0 |",
		"| mistral-7b[^a] | 62.5 |",
		"| phi-3 | 58.1 |",
		"",
		"<sup>a</sup> Run in 4-bit.",
	}, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	rel := newRelation("r", nil, KindMarkdown, f.tables[0])[0]
	note := rel.dimNamed("Model note")
	if note == nil {
		t.Fatalf("dimensions %v, want a Model note", dimNames(rel.dims))
	}
	if want := []string{"Run in 4-bit.", "none", "Run in 4-bit.", "none"}; !slices.Equal(note.levels, want) {
		t.Errorf("note levels %q, want %q", note.levels, want)
	}
}

func TestFootnotesOnEveryRowOrNoneAreNoDimension(t *testing.T) {
	tb := tableOf([]string{"Model", "Score"}, []string{"a<sup>1</sup>", "1"}, []string{"b<sup>2</sup>", "2"})
	if got := dimNames(newRelation("r", nil, KindMarkdown, tb)[0].dims); !slices.Equal(got, []string{"Model"}) {
		t.Errorf("dimensions %v, want Model alone", got)
	}
}

// startsFootnote lets every footnote definition through to the regexp, and most other lines not.
func TestStartsFootnoteKeepsEveryDefinition(t *testing.T) {
	definitions := []string{"<sup>1</sup> Tested with Vulkan.", "<sup> a </sup>Driver 550.", "[^1]: Power capped.",
		"[^note]: median of 5", "¹ on battery", "²³ with flash attention"}
	others := []string{"", "| GPU | t/s |", "Results (1)", "1. first", "[link](x)", "<b>1</b> bold", "^1 caret"}
	for _, line := range definitions {
		if !footnoteDefinition.MatchString(line) || !startsFootnote(line) {
			t.Errorf("%q: definition %v, starts one %v; want both", line, footnoteDefinition.MatchString(line), startsFootnote(line))
		}
	}
	for _, line := range others {
		if footnoteDefinition.MatchString(line) || startsFootnote(line) {
			t.Errorf("%q taken for a footnote's definition", line)
		}
	}
}
