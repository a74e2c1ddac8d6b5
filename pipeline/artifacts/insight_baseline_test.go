package artifacts

import "testing"

func TestFindAgainstBaselineSetsSingleRunsAgainstTheBaselinesRange(t *testing.T) {
	rel := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"FG App", "TTFT (ms)"},
		[]string{"-", "180.1"}, []string{"-", "192.0"}, []string{"-", "268.1"}, []string{"-", "175.1"},
		[]string{"Chrome", "331.0"}, []string{"Editor", "200.5"}))[0]
	in := findIn(t, rel, findAgainstBaseline, "TTFT (ms)", "FG App")
	if in == nil {
		t.Fatal("no insight")
	}
	// The baseline's four runs span 175.1 to 268.1: 331.0 lies above, 200.5 within.
	assertInOrder(t, in.text.String(), []string{"against the range of the repeated baseline, FG App -",
		"Chrome 331.0, outside the baseline's 175.1–268.1 over 4 runs", "Editor 200.5, inside"})
}

func TestFindAgainstBaselineNeedsARepeatedBaselineAndSomethingOutside(t *testing.T) {
	for name, rows := range map[string][][]string{
		"two baseline runs": {{"off", "1"}, {"off", "2"}, {"on", "9"}},
		"all inside":        {{"off", "1"}, {"off", "2"}, {"off", "3"}, {"on", "2"}},
	} {
		rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"mode", "ttft_ms"}, rows...))[0]
		if in := findIn(t, rel, findAgainstBaseline, "ttft_ms", "mode"); in != nil {
			t.Errorf("%s: %q", name, in.text.String())
		}
	}
}
