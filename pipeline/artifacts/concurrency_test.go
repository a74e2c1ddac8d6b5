package artifacts

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

// multiAgentRun is what each run of a multi-agent summary.json reports, read here without the package.
type multiAgentRun struct {
	Scenario   string  `json:"scenario"`
	Speedup    float64 `json:"concurrency_speedup"`
	Efficiency float64 `json:"efficiency_percent"`
	Contention bool    `json:"resource_contention_detected"`
}

func readMultiAgentRuns(t *testing.T, dir string) map[string][]multiAgentRun {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "summary.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no summary.json under %s: %v", dir, err)
	}
	byScenario := map[string][]multiAgentRun{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var summary struct{ Runs []multiAgentRun }
		if err := json.Unmarshal(data, &summary); err != nil {
			t.Fatal(err)
		}
		for _, r := range summary.Runs {
			byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
		}
	}
	return byScenario
}

func multiAgentFacts(t *testing.T) (*FactsReport, map[string][]multiAgentRun) {
	t.Helper()
	dir := sharedDatasetNamed(t, "chimera-multiagent")
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r := BuildFacts(inv)
	checkFacts(t, r)
	return r, readMultiAgentRuns(t, dir)
}

// The speedup and efficiency of each scenario, worked out here from the summary.json files, are what the
// concurrency facts of the folders' family state; every folder's summary is cited.
func TestMultiAgentConcurrencyPerScenario(t *testing.T) {
	r, byScenario := multiAgentFacts(t)
	byID := factsByID(r)
	for scenario, runs := range byScenario {
		var speedups, efficiencies []float64
		contended := 0
		for _, run := range runs {
			speedups, efficiencies = append(speedups, run.Speedup), append(efficiencies, run.Efficiency)
			if run.Contention {
				contended++
			}
		}
		f, ok := byID["concurrency:*/summary.json:runs[].concurrency_speedup:"+scenario]
		if !ok {
			t.Errorf("no concurrency fact for %s", scenario)
			continue
		}
		if mean := stats.Mean(speedups); math.Abs(f.Value-mean) > 1e-12 {
			t.Errorf("%s: speedup %v, want the mean %v of %d runs", scenario, f.Value, mean, len(runs))
		}
		lo, hi := stats.MeanCI95(speedups)
		effLo, effHi := stats.MeanCI95(efficiencies)
		for _, want := range []float64{stats.Mean(speedups), lo, hi, stats.Mean(efficiencies), effLo, effHi,
			float64(len(runs)), float64(contended)} {
			if !slices.Contains(f.Numbers, roundForText(want)) {
				t.Errorf("%s: %q lacks %v", scenario, f.Text, roundForText(want))
			}
		}
		if len(f.Sources) != 20 { // the pattern, then the 19 folders' summaries
			t.Errorf("%s: %d sources, want 20: %v", scenario, len(f.Sources), f.Sources)
		}
	}
}

// Scenarios are compared by Welch's test over their runs, worked out here.
func TestMultiAgentScenarioComparison(t *testing.T) {
	r, byScenario := multiAgentFacts(t)
	f, ok := factsByID(r)["group_means:*/summary.json:runs[].concurrency_speedup:scenario"]
	if !ok {
		t.Fatal("no speedup comparison by scenario")
	}
	speedups := func(scenario string) []float64 {
		var xs []float64
		for _, run := range byScenario[scenario] {
			xs = append(xs, run.Speedup)
		}
		return xs
	}
	homo, bvc := speedups("chimera_homo"), speedups("baseline_vs_chimera")
	change := 100 * (stats.Mean(homo) - stats.Mean(bvc)) / stats.Mean(bvc)
	w := stats.Welch(homo, bvc)
	want := "chimera_homo vs baseline_vs_chimera: +" + fmtNum(change) + " % (Welch p = " + fmtNum(w.P) + ", not significant"
	if w.P < stats.SignificanceLevel || !strings.Contains(f.Text, want) {
		t.Errorf("comparison %q lacks %q (p %v)", f.Text, want, w.P)
	}
}

func TestMultiAgentContentionRate(t *testing.T) {
	r, byScenario := multiAgentFacts(t)
	contended, runs := 0, 0
	for _, scenarioRuns := range byScenario {
		for _, run := range scenarioRuns {
			runs++
			if run.Contention {
				contended++
			}
		}
	}
	f := factsByID(r)["concurrency:*/summary.json:runs[].resource_contention_detected:contention"]
	want := "resource contention (runs[].resource_contention_detected) in " + fmtNum(float64(contended)) + " of " +
		fmtNum(float64(runs)) + " runs (" + fmtNum(100*float64(contended)/float64(runs)) + "%)"
	if f.Text != want {
		t.Errorf("contention %q, want %q", f.Text, want)
	}
}

// A single run's table of one folder is a row of the family: no fact of its own repeats it.
func TestMultiAgentFoldersGiveNoSingleValueFacts(t *testing.T) {
	r, _ := multiAgentFacts(t)
	for _, f := range r.Facts {
		if strings.Contains(f.Text, "(single value)") {
			t.Errorf("single-value fact %s: %s", f.ID, f.Text)
		}
	}
}

func fmtNum(x float64) string {
	var p phrase
	return p.num(x)
}

// A group whose agents gained nothing from running at once ran serialised: speedup 1.02 and 1.04, efficiency
// 51 and 52 %.
func TestSerialisedScenario(t *testing.T) {
	files := map[string]string{
		"runs.csv": "scenario,concurrency_speedup,efficiency_percent,resource_contention_detected\n" +
			"serial,1.02,51,true\nserial,1.04,52,true\nparallel,1.9,95,false\nparallel,1.8,90,false\n",
	}
	byID := factsFor(t, files)
	serial, parallel := byID["concurrency:runs.csv:concurrency_speedup:serial"], byID["concurrency:runs.csv:concurrency_speedup:parallel"]
	if !strings.Contains(serial.Text, "ran serialised") || strings.Contains(parallel.Text, "serialised") {
		t.Errorf("serial %q\nparallel %q", serial.Text, parallel.Text)
	}
	// (1.02 + 1.04) / 2 = 1.03; 2 of 2 contended.
	if !strings.HasPrefix(serial.Text, "concurrency for scenario serial: speedup mean 1.03× (95 % CI ") ||
		!strings.Contains(serial.Text, "efficiency mean 51.5 %") || !strings.Contains(serial.Text, "resource contention in 2 of 2 runs") {
		t.Errorf("serial %q", serial.Text)
	}
}

// ingestFiles writes files into a directory of their own and ingests it.
func ingestFiles(t *testing.T, files map[string]string) *Inventory {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// factsFor builds the facts of files, checked, by ID.
func factsFor(t *testing.T, files map[string]string) map[string]Fact {
	t.Helper()
	r := BuildFacts(ingestFiles(t, files))
	checkFacts(t, r)
	return factsByID(r)
}

// Measured columns are recognised by the words of their names, not by a list of spellings.
func TestMeasuredRolesByRule(t *testing.T) {
	for column, want := range map[string]role{
		"collector_throughput":                        roleThroughput,
		"throughput_tokens_per_sec":                   roleThroughput,
		"aggregate_metrics.average_tokens_per_second": roleThroughput,
		"decode_tps":                                  roleThroughput,
		"prompt_tokens_per_sec":                       roleNone, // prefill, not generation
		"stddev_throughput":                           roleNone,
		"throughput_delta":                            roleNone,
		"insight_ttft_ms":                             roleTTFT,
		"summary.collector_ttft_ms":                   roleTTFT,
		"ttft_delta_ms":                               roleNone,
		"concurrency_speedup":                         roleSpeedup,
		"efficiency_percent":                          roleEfficiency,
		"Efficiency (tok/s per GB)":                   roleNone,
		"resource_contention_detected":                roleContention,
		"tokens_generated":                            roleGenerated,
		"eval_count":                                  roleGenerated,
		"prompt_eval_count":                           roleInput,
		"files_analyzed":                              roleInput,
		"load_duration_ms":                            roleLoad,
		"prompt_eval_duration_ms":                     rolePromptEval,
		"eval_duration_ms":                            roleEval,
		"created_ts":                                  roleNone, // a timestamp, not llama-bench's ts
	} {
		if got := roleOf(column); got != want {
			t.Errorf("roleOf(%q) = %d, want %d", column, got, want)
		}
	}
}
