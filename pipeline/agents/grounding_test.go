package agents

import (
	"reflect"
	"testing"
)

func TestCheckGrounding(t *testing.T) {
	known := []float64{103.15646723891811, 0.128, 36, 0.9023}
	text := "## 1. Summary\n1. Best config reached 103.16 tok/s over 36 configs.\n" +
		"2. TTFT was 128 ms, CV 90.23%, but we also saw 250.5 tok/s.\n" +
		"Model llama3.1:8b-instruct-q4_0 on 2025-10-08 in gemma3_270m. [Insert chart] TBD"
	g := CheckGrounding(text, known)
	want := Grounding{Numbers: 5, Grounded: 4, Ungrounded: []string{"250.5"}, Placeholders: []string{"[Insert chart]", "TBD"}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v\nwant %+v", g, want)
	}
}

func TestCheckGroundingRoundsToTheWrittenPrecision(t *testing.T) {
	for _, tc := range []struct {
		literal  string
		grounded bool
	}{{"103.2", true}, {"103", true}, {"103.1", false}, {"1,031.56", false}} {
		g := CheckGrounding("value "+tc.literal, []float64{103.15646723891811})
		if (g.Grounded == 1) != tc.grounded {
			t.Errorf("%s: grounded %d, want %v", tc.literal, g.Grounded, tc.grounded)
		}
	}
}
