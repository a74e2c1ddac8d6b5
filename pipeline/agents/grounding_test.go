package agents

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

func TestCheckGrounding(t *testing.T) {
	known := []float64{103.15646723891811, 0.128, 36, 0.9023}
	text := "## 1. Summary\n1. Best config reached 103.16 tok/s over 36 configs.\n" +
		"2. TTFT was 128 ms, CV 90.23%, but we also saw 250.5 tok/s.\n" +
		"Model llama3.1:8b-instruct-q4_0 on 2025-10-08 in gemma3_270m. [Insert chart] TBD"
	g := CheckGrounding(text, known)
	// 128 ms restates 0.128 s and 90.23% restates 0.9023: matches only once scaled, so loose.
	want := TextGrounding{Numbers: 5, Grounded: 2, Loose: []string{"128", "90.23"}, Ungrounded: []string{"250.5"},
		Placeholders: []string{"[Insert chart]", "TBD"}}
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

func TestCheckGroundingReadsListsAndThousandsSeparators(t *testing.T) {
	g := CheckGrounding("ranks 0,1,13 of 1,234 rows", []float64{0, 1, 13, 1234})
	want := TextGrounding{Numbers: 4, Grounded: 2, Loose: []string{"0", "1"}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v\nwant %+v: 0,1,13 is three numbers, 1,234 one", g, want)
	}
}

func TestScaledAndSmallIntegerMatchesAreLoose(t *testing.T) {
	ratio := 0.125
	for _, tc := range []struct {
		text      string
		known     float64
		grounded  int
		wantLoose []string
	}{
		{"12.5 % of the time", ratio, 0, []string{"12.5"}},
		{"a share of 0.125", ratio, 1, nil},
		{"5 runs", 5, 0, []string{"5"}},
		{"5.0 s", 5, 1, nil}, // written with a decimal, so not a bare small integer
		{"11 runs", 11, 1, nil},
	} {
		g := CheckGrounding(tc.text, []float64{tc.known})
		if g.Grounded != tc.grounded || !slices.Equal(g.Loose, tc.wantLoose) {
			t.Errorf("%q against %v: grounded %d, loose %q; want %d, %q", tc.text, tc.known, g.Grounded, g.Loose, tc.grounded, tc.wantLoose)
		}
	}
}

func TestCheckAgentTextsChecksEachTextAndTotalsThem(t *testing.T) {
	known := []float64{103.16, 0.128}
	analysis, report := CheckGrounding("103.16 tok/s", known), CheckGrounding("128 ms, then 250.5 tok/s", known)
	g := checkAgentTexts("103.16 tok/s", "128 ms, then 250.5 tok/s", known)
	total := TextGrounding{Numbers: analysis.Numbers + report.Numbers, Grounded: analysis.Grounded + report.Grounded,
		Loose: []string{"128"}, Ungrounded: []string{"250.5"}}
	if !reflect.DeepEqual(g, Grounding{TextGrounding: total, Analysis: analysis, Report: report}) {
		t.Errorf("got %+v", g)
	}
	if g.Numbers != 3 || g.Grounded != 1 {
		t.Errorf("totals %d numbers, %d grounded; want 3 and 1", g.Numbers, g.Grounded)
	}
}

func TestGroundingJSONKeepsItsFieldNames(t *testing.T) {
	data, err := json.Marshal(Grounding{})
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"numbers", "grounded", "ungrounded", "placeholders", "loose", "analysis", "report"} {
		if _, ok := fields[name]; !ok {
			t.Errorf("metrics.json's grounding lacks %q: %s", name, data)
		}
	}
}
