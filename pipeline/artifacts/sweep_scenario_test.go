package artifacts

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// sweepFolders writes the tree the issue describes: 18 folders named by their settings, each with a JSON of
// three records whose baseline_results and chimera_results sides hold the same metrics, LLM-written fields
// that differ from folder to folder, and an LLM-written report with a hypothetical table. Throughput rises with
// gpu up to 80 and the chimera side is 5 % faster; temperature and context change nothing.
func sweepFolders(t *testing.T) string {
	root := t.TempDir()
	files := map[string]string{}
	for _, gpu := range []int{60, 80, 120} {
		for _, ctx := range []int{512, 1024, 2048} {
			for _, temp := range []string{"0p6", "0p8"} {
				dir := fmt.Sprintf("run_gpu%d_ctx%d_temp%s", gpu, ctx, temp)
				files[dir+"/results.json"] = sweepRecords(t, gpu, ctx, temp)
				files[dir+"/report.md"] = "# Analysis\n\n## Executive Summary\n\nAll good.\n\n## Recommendations\n\n" +
					"| Option | Potential Range | Status |\n| --- | --- | --- |\n| batch | 10-20 % | Failed |\n| ctx | 5 % | ok |\n"
			}
		}
	}
	writeFiles(t, root, files)
	return root
}

func sweepRecords(t *testing.T, gpu, ctx int, temp string) string {
	base := 60.0 + 20*math.Min(float64(gpu), 80)/80
	var records []map[string]any
	for run := 1; run <= 3; run++ {
		jitter := 1 + 0.004*float64(run-2) + 0.001*float64(ctx%7)
		side := func(speedup float64) map[string]any {
			return map[string]any{"average_tokens_per_second": base * speedup * jitter,
				"average_ttft_ms": 200 / speedup * jitter, "files_analyzed": 0}
		}
		record := map[string]any{"run": run, "baseline_results": side(1), "chimera_results": side(1.05),
			"analysis": strings.Repeat("The model performs well at temperature "+temp+". ", run+gpu%5)}
		if gpu == 120 {
			record["llm_notes"] = map[string]any{"confidence": "high"} // a field only some folders' LLM wrote
		}
		records = append(records, record)
	}
	data, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestASweepOfSettingsFoldersReadsAsTheEngineerWouldReadIt(t *testing.T) {
	inv, err := Ingest([]string{sweepFolders(t)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	facts := BuildFacts(inv).Facts
	var sides, gpu, noInput int
	for _, f := range facts {
		switch {
		case strings.Contains(f.Text, "(single value)"):
			t.Errorf("a single value restated: %s", f.Text)
		case f.Kind == FactFailures && strings.HasSuffix(f.Source, "report.md"):
			t.Errorf("a written report's hypothetical table read as failures: %s", f.Text)
		case f.Kind == FactEffect && strings.HasPrefix(f.Text, "side chimera_results vs baseline_results: average_tokens_per_second"):
			sides++
			// Every one of the 9 gpu × ctx cells (temperature changes nothing) is 5 % faster on the chimera side.
			assertInOrder(t, f.Text, []string{"+5.00 % on average", "higher in 18 of 18 matched cells"})
		case strings.Contains(f.Text, "with gpu") || strings.Contains(f.Text, " by gpu"):
			gpu++
		case f.Kind == FactNoInput:
			noInput++
			// 18 folders of 3 runs, every one with files_analyzed = 0, counted once for the sweep.
			assertInOrder(t, f.Text, []string{"54 of 54 runs analysed no input"})
		}
	}
	if sides != 1 || gpu == 0 || noInput > 1 || testing.Verbose() {
		t.Errorf("%d paired side comparisons (want 1), %d facts about gpu (want some), %d no-input facts (want at most 1)",
			sides, gpu, noInput)
		for _, f := range facts {
			t.Log(f.Kind, f.Source, f.Text)
		}
	}
}

func TestASweepsSingleValuesAreComparedNotRestated(t *testing.T) {
	root := t.TempDir()
	table := "| model | test | t/s |\n| --- | --- | --: |\n| m | tg128 | %s |\n"
	writeFiles(t, root, map[string]string{
		"ngl-0/bench.log":  fmt.Sprintf(table, "10.25 ± 0.10"),
		"ngl-99/bench.log": fmt.Sprintf(table, "80.50 ± 0.20"),
	})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	compared := false
	for _, f := range BuildFacts(inv).Facts {
		if strings.Contains(f.Text, "(single value)") {
			t.Errorf("restated: %s", f.Text)
		}
		compared = compared || f.Kind == FactEffect && strings.Contains(f.Text, "ngl 99 vs 0: t/s 10.25 ± 0.10 t/s → 80.50 ± 0.20 t/s")
	}
	if !compared {
		t.Error("the two settings were not compared")
	}
}
