package artifacts

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func mustParseText(t *testing.T, text string) FileFacts {
	t.Helper()
	f, err := parseText(text)
	if err != nil {
		t.Fatal(err)
	}
	checkParsed(t, f)
	return f
}

// columnOf returns a table's cells and values in the named column, and its unit.
func columnOf(t *testing.T, tb *table, name string) (cells []string, values []float64, unit string) {
	t.Helper()
	col := slices.Index(tb.columns, name)
	if col < 0 {
		t.Fatalf("no column %q in %q", name, tb.columns)
	}
	for _, r := range tb.records {
		cells, values = append(cells, r.cells[col]), append(values, r.values[col])
	}
	return cells, values, tb.units[col]
}

// Saved logs, console output and text of any extension but a known one are parsed as text; a file of no
// known kind is refused only when it is empty or binary, or too large to tell.
func TestIngestReadsLogsAndTextOfAnyExtension(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"bench.log":       "eval rate: 50 tokens/s\n",
		"run.out":         "eval rate: 51 tokens/s\n",
		"stdout":          "eval rate: 52 tokens/s\n",
		"server.stdout":   "eval rate: 53 tokens/s\n",
		"model.gguf":      "GGUF\x00\x03",
		"empty.py":        "",
		"huge.safetensor": strings.Repeat("x", 100),
	})
	inv, err := Ingest([]string{dir}, Limits{MaxFileBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range inv.Files {
		if f.Kind != KindText || f.Rows != 1 {
			t.Errorf("%s: kind %s, %d rows; want text with 1 record", f.Path, f.Kind, f.Rows)
		}
	}
	if got, want := filePaths(inv), []string{"bench.log", "run.out", "server.stdout", "stdout"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	want := map[string]string{
		"empty.py":        "unsupported extension .py",
		"huge.safetensor": "unsupported extension .safetensor",
		"model.gguf":      "unsupported extension .gguf",
	}
	if got := skipReasons(inv); !maps.Equal(got, want) {
		t.Errorf("skipped %q, want %q", got, want)
	}
}

// llama-bench prints a markdown table, here in colour: a .log of it has the table's records, split by test.
func TestParseTextReadsLlamaBenchTable(t *testing.T) {
	f := mustParseText(t, "ggml_vulkan: Found 1 Vulkan devices:\n"+
		"ggml_vulkan: 0 = AMD Radeon 8060S Graphics (RADV GFX1151) (radv) | uma: 1 | fp16: 1 | warp size: 64\n"+
		"\x1b[1m| model | size | backend | ngl | test | t/s |\x1b[0m\n"+
		"| ----- | ---: | ------- | --: | ---: | --: |\n"+
		"| llama 8B Q4_0 | 4.33 GiB | Vulkan | 99 | pp512 | 1500.50 ± 3.00 |\n"+
		"| llama 8B Q4_0 | 4.33 GiB | Vulkan | 99 | tg128 | \x1b[32m80.25 ± 0.10\x1b[0m |\n\n"+
		"build: 0253fb21f (9187)\n")
	if len(f.tables) != 1 || f.Rows != 2 || f.Headings != nil {
		t.Fatalf("tables %+v, headings %q", f.tables, f.Headings)
	}
	assertSummary(t, f.Fields["table1.t/s"], stats.Summarize([]float64{1500.5, 80.25}))
	if parts := splitTests(f.tables[0]); len(parts) != 2 || parts[1].test != "tg128" {
		t.Errorf("tests %+v", parts)
	}
}

// Ollama's --verbose timings: each block is a record, durations in one unit per column, counts and rates
// with their units. The rate is throughput by its unit.
func TestParseTextReadsOllamaVerboseTimings(t *testing.T) {
	block := func(total, load, evalCount, evalDuration, rate string) string {
		return "total duration:       " + total + "\nload duration:        " + load + "\n" +
			"prompt eval count:    26 token(s)\nprompt eval duration: 172.574ms\nprompt eval rate:     150.66 tokens/s\n" +
			"eval count:           " + evalCount + " token(s)\neval duration:        " + evalDuration + "\n" +
			"eval rate:            " + rate + " tokens/s\n"
	}
	f := mustParseText(t, ">>> why is the sky blue?\nRayleigh scattering.\n\n"+
		block("1.695155875s", "19.845458ms", "97", "1.49904s", "64.71")+"\n"+
		block("1m2.5s", "1.2s", "128", "980.5ms", "66.97"))
	tb := f.tables[0]
	if len(f.tables) != 1 || len(tb.records) != 2 {
		t.Fatalf("tables %+v", f.tables)
	}
	for _, c := range []struct {
		column, unit string
		cells        []string
		values       []float64
	}{
		{"total duration", "s", []string{"1.695155875", "62.5"}, []float64{1.695155875, 62.5}},
		{"load duration", "ms", []string{"19.845458", "1200"}, []float64{19.845458, 1200}},
		{"eval count", "token(s)", []string{"97", "128"}, []float64{97, 128}},
		{"eval duration", "s", []string{"1.49904", "0.9805"}, []float64{1.49904, 0.9805}},
		{"eval rate", "tokens/s", []string{"64.71", "66.97"}, []float64{64.71, 66.97}},
	} {
		cells, values, unit := columnOf(t, tb, c.column)
		if unit != c.unit || !slices.Equal(cells, c.cells) || !slices.Equal(values, c.values) {
			t.Errorf("%s: %q %v in %q, want %q %v in %q", c.column, cells, values, unit, c.cells, c.values, c.unit)
		}
	}
	facts := factsFor(t, map[string]string{"ollama.log": block("1.2s", "10ms", "97", "1.4s", "64.71") +
		block("1.3s", "11ms", "98", "1.5s", "66.97")})
	want := "table1.eval rate mean 65.84 ± 1.6 tokens/s, median 65.84, p95 66.86, CV 2.43%, n=2"
	if got := facts["throughput:ollama.log:table1.eval rate"]; got.Text != want {
		t.Errorf("throughput fact %q,\nwant %q", got.Text, want)
	}
}

// llama.cpp's performance lines give each phase's time, count, time per token and rate, named as Ollama names
// them; the sampler's rate is not generation throughput.
func TestParseTextReadsLlamaCppPerfLines(t *testing.T) {
	f := mustParseText(t, "llama_perf_sampler_print:    sampling time =       8.52 ms /   139 runs   (    0.06 ms per token, 16323.91 tokens per second)\n"+
		"llama_perf_context_print:        load time =    1234.56 ms\n"+
		"llama_perf_context_print: prompt eval time =     123.45 ms /    12 tokens (   10.29 ms per token,    97.21 tokens per second)\n"+
		"llama_perf_context_print:        eval time =    1234.56 ms /   127 runs   (    9.72 ms per token,   102.88 tokens per second)\n"+
		"llama_perf_context_print:       total time =    1400.00 ms /   139 tokens\n"+
		"llama_perf_context_print:    graphs reused =        126\n")
	tb := f.tables[0]
	wantColumns := []string{"sampling time", "sampling count", "sampling time per token", "sampling rate", "load time",
		"prompt eval time", "prompt eval count", "prompt eval time per token", "prompt eval rate", "eval time", "eval count",
		"eval time per token", "eval rate", "total time", "total count", "graphs reused"}
	wantUnits := []string{"ms", "runs", "ms", "tokens/s", "ms", "ms", "tokens", "ms", "tokens/s", "ms", "runs", "ms",
		"tokens/s", "ms", "tokens", ""}
	if len(tb.records) != 1 || !slices.Equal(tb.columns, wantColumns) || !slices.Equal(tb.units, wantUnits) {
		t.Fatalf("records %d, columns %q, units %q", len(tb.records), tb.columns, tb.units)
	}
	if got := tb.records[0].values; got[12] != 102.88 || got[10] != 127 || got[15] != 126 {
		t.Errorf("values %v", got)
	}
	v := newTableView(&FileFacts{Path: "llama.log", Kind: KindText}, tb)
	if got := v.roles[roleThroughput]; !slices.Equal(got, []int{12}) {
		t.Errorf("throughput columns %v, want only eval rate (12)", got)
	}
	if got := v.roles[roleGenerated]; !slices.Equal(got, []int{10}) {
		t.Errorf("generated-token columns %v, want eval count (10)", got)
	}
}

// A benchmark script's console output saved as markdown: "name = value" labels are columns of the records
// after them, so runs group by model; a model's list of tags, the mean of the runs a script prints and code
// in fences are no records.
func TestParseMarkdownReadsLabelledLogLines(t *testing.T) {
	text := "Total memory size : 62.70 GB\nChecking and pulling the following LLM models\nmistral:7b\nphi4:14b\n" +
		"```python\nresults = 5\nmodel_name = 'fenced'\n```\n" +
		"- Agent A: num_gpu=80, num_ctx=512\n"
	for _, model := range []struct{ name, rates string }{{"mistral:7b", "67.11 66.61"}, {"phi4:14b", "32.77 32.80"}} {
		text += "model_name =    " + model.name + "\n"
		for i, rate := range strings.Fields(model.rates) {
			text += "prompt = question " + string(rune('A'+i)) + "\neval rate:            " + rate + " tokens/s\n"
		}
		text += "--------------------\nAverage of eval rate:  66.86  tokens/s\n"
	}
	f := mustParseMarkdown(t, text)
	tb := f.tables[0]
	wantColumns := []string{"Total memory size", "model_name", "prompt", "eval rate"}
	if len(f.tables) != 1 || !slices.Equal(tb.columns, wantColumns) || len(tb.records) != 4 {
		t.Fatalf("tables %+v", f.tables)
	}
	models, _, _ := columnOf(t, tb, "model_name")
	prompts, _, _ := columnOf(t, tb, "prompt")
	_, rates, unit := columnOf(t, tb, "eval rate")
	if !slices.Equal(models, []string{"mistral:7b", "mistral:7b", "phi4:14b", "phi4:14b"}) ||
		!slices.Equal(prompts, []string{"question A", "question B", "question A", "question B"}) ||
		!slices.Equal(rates, []float64{67.11, 66.61, 32.77, 32.8}) || unit != "tokens/s" {
		t.Errorf("models %q prompts %q rates %v %s", models, prompts, rates, unit)
	}
	facts := factsFor(t, map[string]string{"results.md": text})
	if got := facts["group_means:results.md:table1.eval rate:model_name"].Text; !strings.HasPrefix(got,
		"mean table1.eval rate by model_name: mistral:7b → 66.86, phi4:14b → 32.78 tokens/s (n=2 each)") {
		t.Errorf("group means %q", got)
	}
}

// A value in another unit than its column's first is no number of the column; its cell keeps its unit.
func TestLogValuesInAnotherUnit(t *testing.T) {
	f := mustParseText(t, "memory: 12 GB\nmemory: 512 MB\nmemory: 850 ms\n")
	cells, values, unit := columnOf(t, f.tables[0], "memory")
	if unit != "GB" || !slices.Equal(cells, []string{"12", "512 MB", "850 ms"}) || values[0] != 12 ||
		!math.IsNaN(values[1]) || !math.IsNaN(values[2]) {
		t.Errorf("cells %q values %v unit %q", cells, values, unit)
	}
}

func TestStripANSI(t *testing.T) {
	in := "\x1b[1;32meval rate:\x1b[0m 5 tokens/s\x1b]0;title\x07 \x1b[?25l⠙\x1b[2K\x1b[1G done\x1b7"
	if got, want := stripANSI(in), "eval rate: 5 tokens/s ⠙ done"; got != want {
		t.Errorf("stripANSI = %q, want %q", got, want)
	}
}
