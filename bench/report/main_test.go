package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

// The ratio pairs chimera with a peer round by round; a round the peer lacks gives no ratio.
func TestRatiosArePairedByRound(t *testing.T) {
	row := func(ts float64) []benchRow { return []benchRow{{NGen: 128, AvgTS: ts}} }
	res := &roundSet{invs: []invocation{
		{round: 1, runner: "chimera", rows: row(60)}, {round: 1, runner: "upstream-v3", rows: row(30)},
		{round: 2, runner: "chimera", rows: row(20)}, {round: 2, runner: "upstream-v3", rows: row(20)},
		{round: 3, runner: "chimera", rows: row(99)},
	}}
	s := stats.Summarize(res.ratios("tg128", "upstream-v3"))
	if s.N != 2 || s.Min != 1 || s.Max != 2 {
		t.Errorf("ratios %+v, want 1 and 2", s)
	}
}

// A throughput cell is the median and range of a runner's per-round means; a ratio, those of the per-round ratios.
func TestTableSummarisesTheRounds(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "meta.env"), "date=today\nrounds=2\nreps=3\n")
	write(t, filepath.Join(dir, "model.json"), `{"model": {"path": "/models/tiny.gguf"}}`)
	if err := os.Mkdir(filepath.Join(dir, "rounds"), 0o755); err != nil {
		t.Fatal(err)
	}
	chimera, upstream := []float64{60, 70}, []float64{40, 60}
	for i := range 2 {
		for runner, ts := range map[string]float64{"chimera": chimera[i], "upstream-v3": upstream[i]} {
			path := filepath.Join(dir, "rounds", fmt.Sprintf("r%02d-%s.json", i+1, runner))
			write(t, path, fmt.Sprintf(`[{"n_gen": 128, "avg_ts": %g}]`, ts))
		}
	}
	var out strings.Builder
	if err := run([]string{"table", dir}, &out); err != nil {
		t.Fatal(err)
	}
	r1, r2 := chimera[0]/upstream[0], chimera[1]/upstream[1]
	want := "| test | chimera | upstream, haswell (AVX2) build | chimera ÷ v3 |\n|---|---:|---:|---:|\n" +
		fmt.Sprintf("| tg128 | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %.2f (%.2f–%.2f) |\n",
			(chimera[0]+chimera[1])/2, chimera[0], chimera[1], (upstream[0]+upstream[1])/2, upstream[0], upstream[1],
			(r1+r2)/2, min(r1, r2), max(r1, r2))
	if !strings.Contains(out.String(), want) {
		t.Errorf("want the throughput table\n%s\nin\n%s", want, out.String())
	}
}

func TestUsageSubtractsTheRunsOwnCPU(t *testing.T) {
	base := filepath.Join(t.TempDir(), "r01-chimera")
	// 10 s of wall time; the machine was busy 1500 ticks (15 s), the run itself used 12 s: others used 0.3 cores.
	stat := "cpu  1000 0 200 5000 0 0 0 0 0 0\ncpu  2200 0 500 5500 0 0 0 50 0 0\n"
	timeV := "\tUser time (seconds): 11.50\n\tSystem time (seconds): 0.50\n" +
		"\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:10.00\n\tMaximum resident set size (kbytes): 409600\n"
	write(t, base+".stat", stat)
	write(t, base+".time", timeV)
	u, ok := readUsage(base)
	if !ok || math.Abs(u.others-0.3) > 1e-9 || math.Abs(u.steal-0.05) > 1e-9 {
		t.Errorf("usage %+v (%v), want others 0.3, steal 0.05", u, ok)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every other model's rounds get a table of their own, computed from those rounds alone.
func TestOtherModelsGetTheirOwnTable(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "meta.env"), "date=today\nrounds=1\nreps=3\n")
	sets := map[string]struct {
		model             string
		chimera, upstream float64
	}{
		dir:                                     {"/models/big-gemma3vocab.gguf", 50, 100},
		filepath.Join(dir, moreModels, "small"): {"/models/small-synthvocab.gguf", 90, 60},
	}
	for setDir, s := range sets {
		if err := os.MkdirAll(filepath.Join(setDir, "rounds"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(setDir, "model.json"), fmt.Sprintf(`{"model": {"path": %q}, "info": {"vocab_size": 4294}}`, s.model))
		for runner, ts := range map[string]float64{"chimera": s.chimera, "upstream-v3": s.upstream} {
			write(t, filepath.Join(setDir, "rounds", "r01-"+runner+".json"), fmt.Sprintf(`[{"n_gen": 64, "avg_ts": %g}]`, ts))
		}
	}
	var out strings.Builder
	if err := run([]string{"table", dir}, &out); err != nil {
		t.Fatal(err)
	}
	small := sets[filepath.Join(dir, moreModels, "small")]
	table := fmt.Sprintf("| tg64 | %.1f | %.1f | %.2f |", small.chimera, small.upstream, small.chimera/small.upstream)
	if i := strings.Index(out.String(), "The same rounds on `small-synthvocab.gguf`"); i < 0 || !strings.Contains(out.String()[i:], table) {
		t.Errorf("want a table with %q after the small model's line in\n%s", table, out.String())
	}
}
