package workflows

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/store"
)

// An end-to-end tune on the tiny model: it measures fewer configurations than the grid holds, records every
// trial as a child run with its bench results, and writes its report, data and chart.
func TestTuneOnTheTinyModel(t *testing.T) {
	db, out := openTestDB(t), t.TempDir()
	result, err := Tune(context.Background(), db, TuneOptions{Target: Target{ModelRef: tinyModel}, Objective: ObjectiveTG,
		NumCtx: 256, NGen: 8, Seed: 1, UseMmap: true, OutDir: out, Axes: tuneAxes("32,64", "32", "on,off", "f16,q8_0", "f16")})
	if err != nil {
		t.Fatal(err)
	}
	s := result.Search
	if result.Status != "ok" || s.Best < 0 || len(s.Trials) == 0 || len(s.Trials) > s.GridSize {
		t.Fatalf("status %s, best %d, %d trials of %d", result.Status, s.Best, len(s.Trials), s.GridSize)
	}
	tree, err := db.GetRunTree(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Kind != store.KindTune || len(tree.ChildDetails) != len(s.Trials) {
		t.Fatalf("tune run %s with %d children, want %d trials recorded", tree.Kind, len(tree.ChildDetails), len(s.Trials))
	}
	for i, child := range tree.ChildDetails {
		if n := len(child.BenchResults); n != 1 || len(child.BenchResults[0].SamplesTS) != len(s.Trials[i].Samples) {
			t.Errorf("trial %d recorded with %d results, want one tg row with every sample", i+1, n)
		}
	}
	for _, name := range []string{"tune.md", "tune.json", "pareto.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Combinations llama.cpp refuses (a quantized V cache without flash attention) are rejected trials, not a failed
// tune; axes with no valid combination are bad input.
func TestTuneRejectsInvalidCombinations(t *testing.T) {
	axes := tuneAxes("32", "32", "off", "f16", "q8_0")
	opts := TuneOptions{Target: Target{ModelRef: tinyModel}, Objective: ObjectiveTG, NumCtx: 256, NGen: 8, Axes: axes, OutDir: t.TempDir()}
	if _, err := Tune(context.Background(), openTestDB(t), opts); err == nil {
		t.Error("axes with no valid combination accepted")
	}
	opts.Axes = with(opts.Axes, "flash_attn", "on", "off")
	result, err := Tune(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, tr := range result.Search.Trials {
		if tr.Rejected != "" {
			rejected++
		}
	}
	if best := result.Search.Trials[result.Search.Best]; result.Configs[result.Search.Best].Context.FlashAttn != "on" || best.Rejected != "" || rejected == 0 {
		t.Errorf("best %+v, %d rejected; want flash attention on and the off combination rejected", result.Configs[result.Search.Best], rejected)
	}
}

// The workflow objective times passes of both agents over the artifacts; their calls are recorded under the trial.
func TestTuneTheAgentWorkflow(t *testing.T) {
	db := openTestDB(t)
	result, err := Tune(context.Background(), db, TuneOptions{Target: Target{ModelRef: tinyModel}, Data: testData(),
		Objective: ObjectiveWorkflow, NumCtx: 2048, NGen: 4, UseMmap: true, OutDir: t.TempDir(), MaxTrials: 2,
		Axes: tuneAxes("512", "512", "on,off", "f16", "f16")})
	if err != nil {
		t.Fatal(err)
	}
	best := result.Search.Trials[result.Search.Best]
	if result.Unit != "ms" || result.Higher || len(best.Samples) < 3 || best.Samples[0] <= 0 {
		t.Fatalf("unit %s, higher %v, best samples %v", result.Unit, result.Higher, best.Samples)
	}
	run, err := db.GetRun(context.Background(), result.RunIDs[result.Search.Best])
	if err != nil {
		t.Fatal(err)
	}
	// Two agents, two calls each, per pass: the measured passes and each round's recorded warm-up.
	if want := 4 * (len(best.Samples) + best.Rounds); len(run.Calls) != want {
		t.Errorf("%d calls recorded under the best trial, want %d", len(run.Calls), want)
	}
}

// tuneAxes are one thread and the batch, micro-batch, flash attention and cache type lists given.
func tuneAxes(batch, ubatch, flashAttn, cacheK, cacheV string) []engine.Axis {
	axes := with(with(nil, "threads", "1"), "threads_batch", "0")
	for name, list := range map[string]string{"batch": batch, "ubatch": ubatch, "flash_attn": flashAttn, "cache_type_k": cacheK, "cache_type_v": cacheV} {
		axes = with(axes, name, strings.Split(list, ",")...)
	}
	return axes
}
