package artifacts

import (
	"slices"
	"testing"
)

// An analysis that panics on a table loses its own facts about that table, half-made ones included, to a note
// that says so; the other analyses and tables still give theirs.
func TestPanickingAnalysisBecomesNote(t *testing.T) {
	saved := tableAnalyses
	t.Cleanup(func() { tableAnalyses = saved })
	exploding := tableAnalysis{name: "exploding", analyse: func(v *tableView, l *factList) {
		var p phrase
		p.printf("half-made")
		l.add(v.fact(FactNote, -1, "half-made", priorityNote, &p, 0, ""))
		if v.file.Path == "bad.csv" {
			panic("index 42 out of range")
		}
	}}
	tableAnalyses = append([]tableAnalysis{exploding}, saved...)

	facts := factsFor(t, map[string]string{
		"bad.csv":  "model,tokens_s\na,50.1\nb,51.3\n",
		"good.csv": "model,tokens_s\nc,40\nd,41\n",
	})
	note, ok := facts["note:bad.csv:failed:exploding"]
	want := "the exploding analysis failed on the table and gave no facts: index 42 out of range"
	if !ok || note.Text != want || !slices.Equal(note.Numbers, []float64{42}) {
		t.Errorf("note %+v,\nwant text %q", note, want)
	}
	if _, ok := facts["note:bad.csv:half-made"]; ok {
		t.Error("the facts of the analysis that panicked were kept")
	}
	for _, id := range []string{"note:good.csv:half-made", "throughput:bad.csv:tokens_s", "throughput:good.csv:tokens_s"} {
		if _, ok := facts[id]; !ok {
			t.Errorf("fact %s missing", id)
		}
	}
}
