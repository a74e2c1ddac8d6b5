package artifacts

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func fixtureFacts(t *testing.T) *FactsReport {
	t.Helper()
	inv, err := Ingest([]string{"testdata/artifacts"}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return BuildFacts(inv)
}

func factsByID(r *FactsReport) map[string]Fact {
	byID := map[string]Fact{}
	for _, f := range r.Facts {
		byID[f.ID] = f
	}
	return byID
}

// The fixtures are small enough to check by hand; each expected text is worked out in the comment above it.
func TestBuildFactsFixtures(t *testing.T) {
	r := fixtureFacts(t)
	checkFacts(t, r)
	byID := factsByID(r)
	for _, want := range []struct {
		id, text string
		numbers  []float64
	}{
		{"inventory:.", "6 artifacts parsed: 2 csv, 1 json, 1 jsonl, 1 markdown, 1 text; 0 skipped",
			[]float64{6, 2, 1, 1, 1, 1, 0}},
		// The row with 1000.5 tok/s failed (connection refused), and 999/2048/0.8 timed out. The other six,
		// 70.5, 71.25, 70.75, 72.5, 71.5 and 72.25, have a mean of 71.458 and a sample sd of √(3.1771/5) = 0.797;
		// the lead of 72.5 over 72.25 is far under 2 × 0.797.
		{"no_difference:param_tuning.csv:tokens_s:num_gpu/num_ctx/temperature",
			"no measurable difference between the num_gpu/num_ctx/temperature settings at the top by tokens_s: " +
				"6 configs within 70.5 to 72.5 tok/s, sd 0.797, 1 run each; the best, num_gpu=40, num_ctx=1024, " +
				"temperature=0.8 at 72.5, leads the runner-up, num_gpu=40, num_ctx=2048, temperature=0.8 at 72.25, by 0.25: " +
				"under 2× the configs' sd of 0.797 (no repetitions to test)",
			[]float64{6, 70.5, 72.5, 0.797, 1, 40, 1024, 0.8, 72.5, 40, 2048, 0.8, 72.25, 0.25, 2, 0.797}},
		{"failures:param_tuning.csv", "2 of 8 rows failed (left out of the statistics): timeout ×1, connection error ×1",
			[]float64{2, 8, 1, 1}},
		// (72.5 + 71.5 + 72.25) / 3 = 72.083 and (70.5 + 71.25 + 70.75) / 3 = 70.833, 1.25 / 70.833 = +1.76 %;
		// Welch's p is worked out in TestParamEffectWelch. Two pairs match in num_ctx and temperature, too few
		// for a paired interval.
		{"param_effect:param_tuning.csv:tokens_s:num_gpu", "mean tokens_s by num_gpu: 40 → 72.08, 999 → 70.83 tok/s " +
			"(n=3 each); 40 vs 999: +1.76 % (Welch p = 0.0324, significant at p < 0.05)",
			[]float64{40, 72.08, 999, 70.83, 3, 40, 999, 1.76, 0.0324, 0.05}},
		// The model varies too, so it is part of the configuration. llama-bench gives each configuration's sd:
		// √(0.8² + 0.5²) = 0.943, and the lead of 80 over 50 is far above twice that.
		{"best_config:llama_bench.csv:avg_ts:model_type/n_gpu_layers",
			"best model_type/n_gpu_layers by avg_ts: model_type=llama 8B Q4_0, n_gpu_layers=99 at 80 tok/s " +
				"(runner-up model_type=llama 8B Q8_0, n_gpu_layers=99 at 50; worst 6; 4 configs, 1 run each); " +
				"lead 30: above 2× the runs' combined sd of 0.943",
			[]float64{99, 80, 99, 50, 6, 4, 1, 30, 2, 0.943}},
		// 100, 105, 110, 115 (the failed 999 left out): sd √(125/3), p95 110 + 0.85·5, CV 6.455/107.5.
		{"throughput:bench_summary.json:results[].tokens_s",
			"results[].tokens_s mean 107.5 ± 6.45 tok/s, median 107.5, p95 114.25, CV 6%, n=4",
			[]float64{107.5, 6.45, 107.5, 114.25, 6, 4}},
		{"cold_start:bench_summary.json:results[].ttft_s",
			"cold start: first results[].ttft_s 3 s vs median 0.11 s of the other 3 rows (27.27× slower)",
			[]float64{3, 0.11, 3, 27.27}},
		// Load 2.68 s, prompt eval 0.65 s, eval 17 s.
		{"time_shares:bench_summary.json:results[].eval_s",
			"time split over 4 rows: load (results[].load_s) 13.18%, prompt eval (results[].prompt_eval_s) 3.2%, " +
				"eval (results[].eval_s) 83.62% of 20.33 s in total",
			[]float64{4, 13.18, 3.2, 83.62, 20.33}},
		{"speedup:bench_summary.json:backends.*.mean_time_ms:backends",
			"speedup vs eager (backends.*.mean_time_ms 2 ms): compiled 4× (compile 12.5 s), onnx 0.5× (compile 0.25 s); " +
				"failed: triton (missing dependency)",
			[]float64{2, 4, 12.5, 0.5, 0.25}},
		// a: 50.5, 51.5; b: 41, 42 (40 failed). Welch with df 2: p = 1 − t/√(2 + t²) for t = 9.5/√0.5;
		// 9.5 / 41.5 = +22.89 %.
		{"group_means:runs.jsonl:tokens_s:model",
			"mean tokens_s by model: a → 51, b → 41.5 tok/s (n=2 each); a vs b: +22.89 % (Welch p = 0.00549, " +
				"significant at p < 0.05)",
			[]float64{51, 41.5, 2, 22.89, 0.00549, 0.05}},
		{"failures:runs.jsonl", "1 of 5 rows failed (left out of the statistics): out of memory ×1", []float64{1, 5, 1}},
		{"group_means:report.md:table1.Tokens/s:Quant",
			"mean table1.Tokens/s by Quant: q4_0 → 77, q8_0 → 47 tok/s (n=2 each); q4_0 vs q8_0: +63.83 % " +
				"(Welch p < 0.001, significant at p < 0.05)",
			[]float64{77, 47, 2, 63.83, 0.001, 0.05}},
		{"speedup:report.md:table2.Mean (ms):Backend",
			`speedup vs eager (table2.Mean (ms) 2 ms): jit 2×; failed: tensorrt ("Success=no")`, []float64{2, 2}},
		// report.md's "2025-10-04 12:00:00" has no zone; read at UTC−12 or UTC+14 it is still after
		// bench_summary.json's 2025-10-03T09:15:00+02:00, 07:15 UTC.
		{"timestamp:report.md", "latest timestamp written in any file: 2025-10-04 12:00:00, as written (no time zone " +
			"given); later, whatever its zone, than the latest with one, 2025-10-03T07:15:00Z (UTC) in bench_summary.json",
			[]float64{}},
	} {
		got, ok := byID[want.id]
		if !ok {
			t.Errorf("no fact %q", want.id)
			continue
		}
		if got.Text != want.text || !slices.Equal(got.Numbers, want.numbers) {
			t.Errorf("fact %q:\n got %q %v\nwant %q %v", want.id, got.Text, got.Numbers, want.text, want.numbers)
		}
	}
}

func TestBuildFactsRanksMarkdownBelowData(t *testing.T) {
	byID := factsByID(fixtureFacts(t))
	markdown, data := byID["group_means:report.md:table1.Tokens/s:Quant"], byID["group_means:runs.jsonl:tokens_s:model"]
	if markdown.Priority >= data.Priority {
		t.Errorf("markdown priority %d, data priority %d", markdown.Priority, data.Priority)
	}
}

func TestBuildFactsOrder(t *testing.T) {
	r := fixtureFacts(t)
	if !slices.IsSortedFunc(r.Facts, func(a, b Fact) int { return b.Priority - a.Priority }) {
		t.Error("facts are not ordered by priority")
	}
	again := fixtureFacts(t)
	if !slices.EqualFunc(r.Facts, again.Facts, func(a, b Fact) bool { return a.ID == b.ID && a.Text == b.Text }) {
		t.Error("two runs give different facts")
	}
}

func TestFactsReportJSON(t *testing.T) {
	data, err := json.Marshal(fixtureFacts(t))
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Roots   []string
		Skipped []SkippedFile
		Files   []map[string]json.RawMessage
		Facts   []map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	file := report.Files[0] // bench_summary.json
	for _, key := range []string{"path", "kind", "bytes", "sha256", "rows", "fields"} {
		if _, ok := file[key]; !ok {
			t.Errorf("file entry lacks %q: %s", key, data[:200])
		}
	}
	var fields map[string]map[string]float64
	if err := json.Unmarshal(file["fields"], &fields); err != nil {
		t.Fatal(err)
	}
	stats := fields["results[].tokens_s"]
	for _, key := range []string{"n", "mean", "median", "p95", "min", "max", "sd"} {
		if _, ok := stats[key]; !ok {
			t.Errorf("field summary lacks %q", key)
		}
	}
	if report.Skipped == nil || len(report.Facts) == 0 {
		t.Errorf("skipped %v, %d facts", report.Skipped, len(report.Facts))
	}
}

func TestWriteFactsText(t *testing.T) {
	var out bytes.Buffer
	if err := WriteFactsText(&out, fixtureFacts(t)); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"roots: testdata/artifacts\n",
		"KIND      BYTES  ROWS  FAILED  FIELDS  PATH\n",
		"csv       477    8     2       9       param_tuning.csv\n",
		"facts (46, highest priority first):\n",
		"  95  inventory      .                   6 artifacts parsed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestRoundForText(t *testing.T) {
	for in, want := range map[float64]float64{
		103.15646723891811: 103.16, 7.796: 7.8, 0.094134: 0.0941, 0.0009408: 0.000941, -0.0001: -0.0001,
		-0.00000001: -0.00000001, 2280000: 2280000, 0: 0, 0.9996: 1,
	} {
		if got := roundForText(in); got != want {
			t.Errorf("roundForText(%g) = %g, want %g", in, got, want)
		}
	}
}

func TestBuildFactsSharedDataset(t *testing.T) {
	inv, err := Ingest([]string{sharedDataset(t)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := BuildFacts(inv)
	t.Logf("BuildFacts: %d facts from %d files in %v", len(r.Facts), len(r.Files), time.Since(start))
	checkFacts(t, r)
	byID := factsByID(r)
	for id, prefix := range map[string]string{
		// Read off gemma3_param_tuning.csv: 103.15646723891811 tok/s for g60_c2048_t0.8, then 103.04588876905974
		// for g60_c4096_t0.4; the lowest is 100.75506258712365 (g999_c4096_t0.2). A lead of 0.11 among 36
		// configurations that spread over 2.4 tok/s is no measurable difference (see TestFlatGridIsATie).
		"no_difference:gemma3/gemma3_param_tuning.csv:tokens_s:num_gpu/num_ctx/temperature": "no measurable difference " +
			"between the num_gpu/num_ctx/temperature settings at the top by tokens_s: 36 configs within 100.76 to 103.16 tok/s",
		// Two 270m configurations timed out; the best of the other 34 is g999_c4096_t0.8.
		"no_difference:gemma3/gemma3_270m_param_tuning.csv:tokens_s:num_gpu/num_ctx/temperature": "no measurable " +
			"difference between the num_gpu/num_ctx/temperature settings at the top by tokens_s: 34 configs within 212.72 to 303.9 tok/s",
		"failures:gemma3/gemma3_270m_param_tuning.csv": "2 of 36 rows failed (left out of the statistics): timeout ×2",
		// The means the original report quotes for the quantisation sweep.
		"group_means:llama3/ollama_quant_bench.csv:tokens_s:tag": "mean tokens_s by tag: q4_0 → 76.59, q5_K_M → 65.18, q8_0 → 46.57 tok/s (n=5 each)",
		"failures:ollama:rollup": "7 of 10 result files in the run folders under ollama/ failed on every row " +
			"(75 of 100 rows; connection error ×75); usable: 20251002-151824/prompt_suite_runs.csv, " +
			"20251008-122911/gemma3_benchmark_fixed_runs.csv, 20251008-122955/llama3_q4_benchmark_fixed_runs.csv",
		"cold_start:ollama/20251008-122911/gemma3_benchmark_fixed_runs.csv:ttft_s": "cold start: first ttft_s 29.99 s",
		"kernel:profiling/ncu_ollama_raw.csv:gpu__time_duration.sum:1":             "kernel quantize_mmq_q8_1<1> took 9.41 us",
		"timestamp:ollama/20251008-122955/llama3_q4_benchmark_fixed_summary.json":  "latest timestamp written in any file: 2025-10-08T16:29:55Z (UTC)",
		"inventory:.": "85 artifacts parsed: 24 csv, 30 json, 28 markdown, 3 text; 4 skipped, 1 duplicate",
	} {
		if got := byID[id].Text; !strings.HasPrefix(got, prefix) {
			t.Errorf("fact %q:\n got %q\nwant prefix %q", id, got, prefix)
		}
	}
	if best := byID["no_difference:gemma3/gemma3_param_tuning.csv:tokens_s:num_gpu/num_ctx/temperature"]; best.Value != 103.15646723891811 {
		t.Errorf("best gemma3 throughput %v, want the file's 103.15646723891811", best.Value)
	}
}

// llama-bench tables mix tests; their facts are per test. Means worked out by hand: pp512 (500 + 520) / 2,
// tg128 (60 + 64) / 2, tg128 at depth 4096 (50 + 52) / 2.
func TestFactsSplitLlamaBenchTablesByTest(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bench.csv": "n_ctx,n_prompt,n_gen,n_depth,avg_ts\n" +
			"2048,512,0,0,500\n4096,512,0,0,520\n2048,0,128,0,60\n4096,0,128,0,64\n8192,0,128,4096,50\n8192,0,128,4096,52\n",
		"bench.md": "| model | test | t/s |\n| --- | --: | --: |\n" +
			"| gemma3 1B Q4_0 | pp512 | 1500.50 ± 3.00 |\n| gemma3 1B Q4_0 | tg128 | 90.25 ± 0.50 |\n",
		"suites.csv": "test,tokens_s\nsummarise,40\ntranslate,44\n",
	})
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	byID := factsByID(BuildFacts(inv))
	for id, text := range map[string]string{
		"throughput:bench.csv:avg_ts:pp512":         "pp512: avg_ts mean 510 ± 14.14 tok/s",
		"throughput:bench.csv:avg_ts:tg128":         "tg128: avg_ts mean 62 ± 2.83 tok/s",
		"throughput:bench.csv:avg_ts:tg128 @ d4096": "tg128 @ d4096: avg_ts mean 51 ± 1.41 tok/s",
		// 64 leads 60 by 4, under twice their sd of 2.83.
		"no_difference:bench.csv:avg_ts:tg128/n_ctx": "tg128: no measurable difference between the n_ctx settings at " +
			"the top by avg_ts: 2 configs within 60 to 64 tok/s, sd 2.83",
		"throughput:bench.md:table1.t/s:tg128": "tg128: table1.t/s 90.25 tok/s (single value)",
		"throughput:suites.csv:tokens_s":       "tokens_s mean 42 ± 2.83 tok/s",
	} {
		if f, ok := byID[id]; !ok || !strings.HasPrefix(f.Text, text) {
			t.Errorf("%s: %q, want it to start with %q", id, f.Text, text)
		}
	}
	for id := range byID {
		if strings.HasPrefix(id, "throughput:bench.csv:avg_ts") && !strings.Contains(id, ":avg_ts:") {
			t.Errorf("a throughput fact over every test of bench.csv: %s", id)
		}
	}
}
