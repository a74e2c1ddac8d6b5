package artifacts

import (
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

// Failures come from status, error and success fields only. A report's prose saying "Status: Failed" and a
// table's "Recommendation Status" column are not failed benchmarks; a CSV's status column is.
func TestFailuresOnlyFromStructuredFields(t *testing.T) {
	files := map[string]string{
		"report.md": "# Analysis\n\nStatus: Failed\n\n**Benchmark status:** FAILED to converge\n\n" +
			"| Recommendation | Recommendation Status | Tokens/s |\n| --- | --- | --- |\n" +
			"| raise num_gpu | Failed | 77 |\n| lower num_ctx | Error | 78 |\n| keep temperature | ok | 79 |\n",
		"runs.csv": "prompt,tokens_s,status\np1,50,ok\np2,51,failed: timeout\np3,52,ok\n",
	}
	inv := ingestFiles(t, files)
	for _, f := range inv.Files {
		if want := map[string]int{"report.md": 0, "runs.csv": 1}[f.Path]; f.Failures != want {
			t.Errorf("%s: %d failures, want %d", f.Path, f.Failures, want)
		}
	}
	var failures []string
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactFailures {
			failures = append(failures, f.Source+": "+f.Text)
		}
	}
	if len(failures) != 1 || failures[0] != "runs.csv: 1 of 3 rows failed (left out of the statistics): timeout ×1" {
		t.Errorf("failure facts %q", failures)
	}
}

func TestFailureColumnsNameTheRun(t *testing.T) {
	for column, want := range map[string]bool{
		"status": true, "run_status": true, "compilation.error": true, "benchmark.metadata.error": true,
		"error_message": true, "Recommendation Status": false, "review_state": false, "mitigation_result": false,
	} {
		if got := findFailureColumns([]string{column}).failureOf([]string{column}, []string{"failed"}) != ""; got != want {
			t.Errorf("%q is a failure column: %v, want %v", column, got, want)
		}
	}
}

// A call that generated no tokens reports 0 tok/s: it stays out of the throughput mean, with a note, and so
// does one of 2 tokens. 100, 104 and 108 remain.
func TestRatesOfEmptyCallsAreLeftOut(t *testing.T) {
	files := map[string]string{
		"runs.csv": "prompt,tokens_s,eval_count\np1,100,250\np2,0,0\np3,104,240\np4,400,2\np5,108,260\n",
	}
	f := factsFor(t, files)["throughput:runs.csv:tokens_s"]
	s := stats.Summarize([]float64{100, 104, 108})
	if f.Value != s.Mean || !strings.HasSuffix(f.Text, "n=3; left out: 2 calls that generated fewer than 5 tokens or ran at 0 tok/s") {
		t.Errorf("throughput %v %q, want mean %v of 3", f.Value, f.Text, s.Mean)
	}
}

// The first call loads the model and a later one reloads it (load_s 2.4 and 3.1 against 0.1 to 0.12): their
// TTFT stays beside the warm calls' mean, (0.11 + 0.12 + 0.13 + 0.12) / 4 = 0.12.
func TestColdCallsAreKeptApart(t *testing.T) {
	files := map[string]string{
		"runs.csv": "prompt,ttft_s,load_s,tokens_s\np1,2.5,2.4,80\np2,0.11,0.1,81\np3,0.12,0.11,82\np4,3.2,3.1,80\n" +
			"p5,0.13,0.12,81\np6,0.12,0.1,82\n",
	}
	f := factsFor(t, files)["ttft:runs.csv:ttft_s"]
	if !strings.HasSuffix(f.Text, "; warm mean 0.12 s over 4 calls, beside 2 cold calls (load_s ≥ 10× its fastest) at mean 2.85 s") {
		t.Errorf("ttft %q", f.Text)
	}
}

// A run given nothing to analyse is flagged.
func TestRunsWithNoInputAreFlagged(t *testing.T) {
	files := map[string]string{
		"runs.csv": "prompt,tokens_s,prompt_eval_count,eval_count\np1,80,120,300\np2,81,0,310\np3,82,130,290\n",
	}
	if f := factsFor(t, files)["no_input:runs.csv:prompt_eval_count"]; f.Text != "1 of 3 runs analysed no input (prompt_eval_count = 0)" {
		t.Errorf("no input %q", f.Text)
	}
}
