package artifacts

import (
	"slices"
	"strings"
	"testing"
)

// A raw CSV and the summary CSV made from it state the same throughput; a Markdown table rounds it and
// states it a third time. One fact remains, citing all three, from the raw CSV, which ranks first.
func TestRestatedFactsAreMerged(t *testing.T) {
	files := map[string]string{
		"a_runs.csv":    "prompt,tokens_s\np1,100.123\np2,102.456\np3,104.789\n",
		"b_summary.csv": "prompt,mean_tokens_s\np1,100.123\np2,102.456\np3,104.789\n",
		"c_report.md":   "| Prompt | Tokens/s |\n| --- | --- |\n| p1 | 100.1 |\n| p2 | 102.5 |\n| p3 | 104.8 |\n",
		"d_other.csv":   "prompt,tokens_s\np1,90\np2,95\n",
	}
	var throughput []Fact
	for _, f := range BuildFacts(ingestFiles(t, files)).Facts {
		if f.Kind == FactThroughput {
			throughput = append(throughput, f)
		}
	}
	if len(throughput) != 2 {
		t.Fatalf("%d throughput facts, want the restated one and d_other.csv's: %+v", len(throughput), throughput)
	}
	merged := throughput[0]
	if want := []string{"a_runs.csv", "b_summary.csv", "c_report.md"}; merged.Source != "a_runs.csv" ||
		!slices.Equal(merged.Sources, want) {
		t.Errorf("merged fact from %s citing %v, want a_runs.csv citing %v", merged.Source, merged.Sources, want)
	}
	if throughput[1].Source != "d_other.csv" || len(throughput[1].Sources) != 1 {
		t.Errorf("another finding merged: %+v", throughput[1])
	}
}

func TestSameFinding(t *testing.T) {
	base := Fact{Kind: FactThroughput, Field: "tokens_s", Unit: "tok/s", Numbers: []float64{283.56, 25.58, 294.96, 9.02, 5}}
	for _, c := range []struct {
		name  string
		other Fact
		same  bool
	}{
		{"markdown rounding", Fact{Kind: FactThroughput, Field: "table5.Throughput (tok/s)", Unit: "tok/s",
			Numbers: []float64{283.56, 25.6, 295, 9.03, 5}}, true},
		{"another count", Fact{Kind: FactThroughput, Field: "tokens_s", Unit: "tok/s",
			Numbers: []float64{283.56, 25.58, 294.96, 9.02, 6}}, false},
		{"another role", Fact{Kind: FactThroughput, Field: "ttft_s", Unit: "tok/s",
			Numbers: []float64{283.56, 25.58, 294.96, 9.02, 5}}, false},
		{"another value", Fact{Kind: FactThroughput, Field: "tokens_s", Unit: "tok/s",
			Numbers: []float64{290, 25.58, 294.96, 9.02, 5}}, false},
	} {
		if got := sameFinding(base, c.other); got != c.same {
			t.Errorf("%s: sameFinding %v, want %v", c.name, got, c.same)
		}
	}
}

// Two insights are one finding whichever comes first: "2.00× (2.00×–2.00× over 2 cells)" prints whole numbers
// that match 1.63 at their precision, so it restates nothing, and nothing restates it.
func TestSameFindingOfInsightsIsSymmetric(t *testing.T) {
	precise := Fact{Kind: FactRatio, Numbers: []float64{2, 1.63, 1.6, 1.67, 2}}
	whole := Fact{Kind: FactRatio, Numbers: []float64{2, 2, 2, 2, 2}}
	if sameFinding(precise, whole) || sameFinding(whole, precise) {
		t.Errorf("a ratio of whole numbers merged with one of 1.63×: %v, %v", sameFinding(precise, whole), sameFinding(whole, precise))
	}
}

// On the shared dataset no two facts left state the same finding, and the summary CSVs' throughput and
// configurations fold into the raw CSVs' facts.
func TestSharedDatasetFactsAreNotRestated(t *testing.T) {
	inv, err := Ingest([]string{sharedDataset(t)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	facts := BuildFacts(inv).Facts
	for i, a := range facts {
		for _, b := range facts[i+1:] {
			if sameFinding(a, b) {
				t.Errorf("%s restates %s", b.ID, a.ID)
			}
		}
	}
	byID := factsByID(&FactsReport{Facts: facts})
	for _, model := range []string{"gemma3", "gemma3_270m", "gemma3_1b-it-qat"} {
		f := byID["throughput:gemma3/"+model+"_param_tuning.csv:tokens_s"]
		if !slices.Contains(f.Sources, "gemma3/"+model+"_param_tuning_summary.csv") {
			t.Errorf("%s throughput cites %v, not its summary", model, f.Sources)
		}
	}
	for _, f := range facts {
		if f.Kind == FactFailures && strings.HasPrefix(f.Text, "15 of 15 rows failed") {
			t.Errorf("a file the ollama/ rollup covers has a failure fact of its own: %s", f.ID)
		}
	}
}
