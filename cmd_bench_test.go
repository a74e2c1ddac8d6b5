package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// llama-bench's command lines work: its flag names set the same settings as chimera's, K and V cache types apart.
func TestBenchTakesLlamaBenchFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	got := chimera(t, nil, "bench", "-m", tinyModel, "-ngl", "-1", "-t", "1", "-r", "2", "-p", "8", "-n", "4", "--num-ctx", "256",
		"-b", "64", "-ub", "32", "-fa", "on", "-ctk", "f16", "-ctv", "q8_0", "-o", "json", "--db", db)
	if got.status != 0 {
		t.Fatalf("status %d: %s", got.status, got.stderr)
	}
	var rows []struct {
		NGPULayers int       `json:"n_gpu_layers"`
		NThreads   int       `json:"n_threads"`
		NBatch     int       `json:"n_batch"`
		NUBatch    int       `json:"n_ubatch"`
		FlashAttn  string    `json:"flash_attn"`
		TypeK      string    `json:"type_k"`
		TypeV      string    `json:"type_v"`
		SamplesTS  []float64 `json:"samples_ts"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v in %q", len(rows), err, got.stdout)
	}
	for _, r := range rows {
		if r.NGPULayers != -1 || r.NThreads != 1 || r.NBatch != 64 || r.NUBatch != 32 || r.FlashAttn != "on" || r.TypeK != "f16" ||
			r.TypeV != "q8_0" || len(r.SamplesTS) != 2 {
			t.Errorf("row %+v, want ngl -1, 1 thread, batch 64/32, fa on, K f16, V q8_0, 2 samples", r)
		}
	}
}

// chimera tune end to end through the CLI: the report names the best configuration and how to reproduce it, and
// its run is recorded as a tune with its trials.
func TestTuneReportsTheBestAndRecordsItsTrials(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	got := chimera(t, nil, "tune", "-m", tinyModel, "--db", db, "--num-ctx", "256", "-n", "8", "-t", "1", "-b", "32,64", "-ub", "32",
		"-fa", "on", "-ctk", "f16", "-ctv", "f16", "--out", t.TempDir())
	if got.status != 0 || !strings.Contains(got.stdout, "## Best") || !strings.Contains(got.stdout, "Reproduce: `--num-gpu 0 ") {
		t.Fatalf("status %d, stdout %q, stderr %s", got.status, got.stdout, got.stderr)
	}
	// The flags reproduce the trial's whole configuration, the context size it ran at included.
	reproduce := strings.SplitN(strings.SplitN(got.stdout, "Reproduce: `", 2)[1], "`", 2)[0]
	for _, flag := range []string{"--num-ctx 256", "--threads 1", "--ubatch 32", "--flash-attn on"} {
		if !strings.Contains(reproduce, flag) {
			t.Errorf("Reproduce %q lacks %s", reproduce, flag)
		}
	}
	runs := recordedRuns(t, db)
	if len(runs) < 2 || runs[len(runs)-1].Kind != "tune" {
		t.Errorf("runs %+v, want the tune run and its trials", runs)
	}
}

// Multi-GPU settings the devices here cannot honour are one line and exit 2, from every command that loads a
// model, before anything is recorded.
func TestPlacementTheDevicesCannotHonourIsBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	for _, args := range [][]string{
		{"bench", "-p", "8", "-n", "0", "-r", "1", "--num-ctx", "64", "-ts", "3/1"},
		{"bench", "-p", "8", "-n", "0", "-r", "1", "--num-ctx", "64", "-dev", "NoSuchGPU7"},
		{"generate", "--prompt", "hi", "--num-predict", "1", "--main-gpu", "3"},
		{"generate", "--prompt", "hi", "--num-predict", "1", "--split-mode", "rows"},
		{"sweep", "-p", "8", "-n", "1", "--runs", "1", "--num-ctx", "64", "--out", t.TempDir(), "-ts", "1/0/1"},
	} {
		got := chimera(t, nil, append(args, "-m", tinyModel, "--db", db)...)
		if got.status != 2 || strings.Count(strings.TrimSpace(got.stderr), "\n") != 0 || !strings.Contains(got.stderr, "GPU") &&
			!strings.Contains(got.stderr, "split-mode") && !strings.Contains(got.stderr, "device") {
			t.Errorf("%v: status %d, stderr %q; want one line and status 2", args, got.status, got.stderr)
		}
	}
	if runs := recordedRuns(t, db); len(runs) != 0 {
		t.Errorf("recorded %d runs, want none", len(runs))
	}
}
