package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixtureCall is one call of a round as both sides saw it.
type fixtureCall struct {
	stage                      string
	chimeraPrompt, ollamaCount int
	chimeraGen, ollamaGen      int
	chimeraStop, ollamaDone    string
}

var equalCalls = []fixtureCall{
	{"analysis", 880, 883, 512, 512, "num_predict", "length"},
	{"report", 1400, 1402, 512, 512, "num_predict", "length"},
}

// writeRound writes round n as bench/peer/run.sh does: chimera's workflow takes wallS seconds, 1.5 s of them
// loading; Ollama's replay takes ollamaS seconds.
func writeRound(t *testing.T, dir string, n int, wallS, ollamaS float64, calls []fixtureCall) {
	t.Helper()
	base := filepath.Join(dir, "rounds", fmt.Sprintf("r%02d", n))
	order := "chimera ollama"
	if n%2 == 0 {
		order = "ollama chimera"
	}
	writeFile(t, base+".order", order+"\n")
	var cc []map[string]any
	var oc []ollamaCall
	for _, c := range calls {
		prompt := "<start_of_turn>user\n" + c.stage
		cc = append(cc, map[string]any{"agent": "collector", "stage": c.stage, "stop_reason": c.chimeraStop,
			"prompt":  map[string]any{"rendered": prompt},
			"timings": map[string]any{"prompt_tokens": c.chimeraPrompt, "gen_tokens": c.chimeraGen, "ttft_ms": 100, "decode_tps": 50, "prompt_tps": 400, "total_ms": 10000}})
		oc = append(oc, ollamaCall{Agent: "collector", Stage: c.stage, PromptSHA256: promptSHA256(prompt),
			TTFTMS: 120, WallMS: 11000, PromptEvalCount: c.ollamaCount, PromptEvalDuration: 2e9, EvalCount: c.ollamaGen,
			EvalDuration: 10e9, DoneReason: c.ollamaDone})
	}
	writeFile(t, base+"-chimera.json", mustJSON(t, map[string]any{"run_id": n, "model_check_ms": 150, "context_ms": 250,
		"model": map[string]any{"load": map[string]any{"load_ms": 1100}}, "agents": []any{map[string]any{"calls": cc}}}))
	writeFile(t, base+"-chimera.time", fmt.Sprintf("\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:%05.2f\n"+
		"\tMaximum resident set size (kbytes): 501760\n", wallS))
	writeFile(t, base+"-ollama.json", mustJSON(t, replayResult{RunID: int64(n), WorkflowMS: ollamaS * 1000, Calls: oc}))
	writeFile(t, base+"-ollama.rss", "server_kib=102400\nrunner_kib=409600\n")
	var log strings.Builder
	for i := range calls {
		fmt.Fprintf(&log, `time=2026-12-02T13:00:00Z level=DEBUG source=cache.go:151 msg="loading cache slot" id=0 cache=0 prompt=%d used=%d remaining=1`+"\n",
			calls[i].ollamaCount, 10*i)
	}
	writeFile(t, base+"-server.log", log.String())
}

func writeResults(t *testing.T, rounds [][2]float64, calls []fixtureCall) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "meta.env"), "date=2026-12-02 13:00 UTC\ncores=2\ncmd_chimera=bin/chimera run --json\n")
	writeFile(t, filepath.Join(dir, "FETCHED"), "- libstb-dev 0.0~git20250907 (Debian sid)\n")
	for i, r := range rounds {
		writeRound(t, dir, i+1, r[0], r[1], calls)
	}
	return dir
}

// R is the median of the per-round ratios, chimera's wall time less its 1.5 s of loading over Ollama's time.
func TestReportWritesTheMedianRatioIntoTheDocKeepingTheAnalysis(t *testing.T) {
	// Ratios (wall − 1.5) / Ollama: 1.00, 1.20, 0.90, 1.10 → median 1.05.
	dir := writeResults(t, [][2]float64{{21.5, 20}, {25.5, 20}, {19.5, 20}, {23.5, 20}}, equalCalls)
	doc := filepath.Join(t.TempDir(), "peer-ollama.md")
	writeFile(t, doc, "# Peer\n\n"+page.Begin+"\nold\n"+page.End+"\n\n## What the numbers say\n\nkept\n")
	var out bytes.Buffer
	if err := run(t.Context(), []string{"report", dir, doc}, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Count(text, "workflow wall time, chimera ÷ Ollama: 1.05\n") != 1 {
		t.Errorf("the doc does not say R = 1.05 exactly once:\n%s", text)
	}
	if strings.Contains(text, "old") || !strings.HasSuffix(text, "## What the numbers say\n\nkept\n") ||
		!strings.HasPrefix(text, "# Peer\n\n"+page.Begin) {
		t.Errorf("the generated block was not replaced in place:\n%s", text)
	}
	for _, want := range []string{"| 2 | Ollama |", "| collector analysis | 880 | 883 | 3 | 0 | 0 | 512 | 512 |",
		"| collector report | 1400 | 1402 | 2 | 0 | 10 |", "| **median** | 490 | 100 | 400 | 500 |", "libstb-dev"} {
		if !strings.Contains(text, want) {
			t.Errorf("the doc lacks %q:\n%s", want, text)
		}
	}
}

func TestUnequalWorkFailsAndLeavesTheDocAlone(t *testing.T) {
	for name, calls := range map[string][]fixtureCall{
		"prompts 3 % apart":    {{"analysis", 1000, 1030, 512, 512, "num_predict", "length"}},
		"generation cut short": {{"analysis", 1000, 1000, 512, 300, "num_predict", "length"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeResults(t, [][2]float64{{21.5, 20}}, calls)
			doc := filepath.Join(t.TempDir(), "peer-ollama.md")
			err := run(t.Context(), []string{"report", dir, doc}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "did not do equal work") {
				t.Errorf("err = %v, want the equal-work check to fail", err)
			}
			if _, statErr := os.Stat(doc); statErr == nil {
				t.Error("the doc was written")
			}
		})
	}
}

func TestCallsMustMatchOneForOne(t *testing.T) {
	two := []chimeraCall{{Agent: "collector", Stage: "analysis"}, {Agent: "collector", Stage: "report"}}
	for name, ollama := range map[string][]ollamaCall{
		"one call missing": {{Agent: "collector", Stage: "analysis"}},
		"another order":    {{Agent: "collector", Stage: "report"}, {Agent: "collector", Stage: "analysis"}},
	} {
		r := &round{n: 1, chimeraCalls: two, ollama: replayResult{Calls: ollama}}
		if w := checkWork([]*round{r}); len(w.problems) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A side that reached the end of generation early is said, not failed: the prompts were the same.
func TestAnEarlyEndOfGenerationIsFlagged(t *testing.T) {
	r := &round{n: 1, chimeraCalls: []chimeraCall{{Agent: "insight", Stage: "report", StopReason: "num_predict"}},
		ollama: replayResult{Calls: []ollamaCall{{Agent: "insight", Stage: "report", EvalCount: 200, DoneReason: "stop",
			PromptSHA256: promptSHA256("")}}}}
	r.chimeraCalls[0].Timings.GenTokens = 512
	w := checkWork([]*round{r})
	if len(w.problems) != 0 || len(w.notes) != 1 || !strings.Contains(w.notes[0], "end of generation") {
		t.Errorf("problems %q, notes %q", w.problems, w.notes)
	}
}

func TestPromptToleranceIsTwoPercent(t *testing.T) {
	for _, c := range []struct {
		chimera, ollama int
		ok              bool
	}{{880, 883, true}, {880, 897, true}, {880, 898, false}, {880, 863, true}, {880, 862, false}, {50, 51, true}, {50, 52, false}} {
		r := &round{n: 1, chimeraCalls: []chimeraCall{{}}, ollama: replayResult{Calls: []ollamaCall{{PromptEvalCount: c.ollama}}}}
		r.chimeraCalls[0].Timings.PromptTokens = c.chimera
		if ok := len(checkWork([]*round{r}).problems) == 0; ok != c.ok {
			t.Errorf("chimera %d, Ollama %d: accepted %v, want %v", c.chimera, c.ollama, ok, c.ok)
		}
	}
}

func TestRatesUseChimerasDefinitions(t *testing.T) {
	r := &round{ollama: replayResult{Calls: []ollamaCall{{PromptEvalCount: 1400, PromptEvalDuration: 2e9, EvalCount: 513,
		EvalDuration: 8e9}}}, ollamaCached: []int{1000}}
	if got := r.ollamaPromptTPS(0); got != 200 { // (1400 − 1000) / 2 s
		t.Errorf("prompt tok/s %v, want 200", got)
	}
	if got := ollamaDecodeTPS(r.ollama.Calls[0]); got != 64 { // 512 steps / 8 s
		t.Errorf("decode tok/s %v, want 64", got)
	}
	r.ollamaCached = nil // unknown: the whole prompt
	if got := r.ollamaPromptTPS(0); got != 700 {
		t.Errorf("prompt tok/s without cache counts %v, want 700", got)
	}
}

func TestCachedTokensNeedOneLinePerCall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	writeFile(t, path, "level=INFO msg=\"starting runner\"\n"+
		`level=DEBUG source=cache.go:151 msg="loading cache slot" id=0 cache=883 prompt=1402 used=842 remaining=560`+"\n")
	if cached, ok := cachedTokens(path, 1); !ok || len(cached) != 1 || cached[0] != 842 {
		t.Errorf("cachedTokens = %v, %v; want [842]", cached, ok)
	}
	if _, ok := cachedTokens(path, 2); ok {
		t.Error("one line for two calls was taken as the cache counts")
	}
}

func TestAPromptIsIdentifiedAsJSONCarriesIt(t *testing.T) {
	if promptSHA256("a\x80b") != promptSHA256("a\uFFFDb") || promptSHA256("ab") == promptSHA256("a\uFFFDb") {
		t.Error("a byte that is not UTF-8 must hash as U+FFFD, which JSON makes of it, and only so")
	}
}
