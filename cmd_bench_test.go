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
	if got.status != 0 || !strings.Contains(got.stdout, "## Best") || !strings.Contains(got.stdout, "Reproduce: `--num-gpu 0 --threads 1") {
		t.Fatalf("status %d, stdout %q, stderr %s", got.status, got.stdout, got.stderr)
	}
	runs := recordedRuns(t, db)
	if len(runs) < 2 || runs[len(runs)-1].Kind != "tune" {
		t.Errorf("runs %+v, want the tune run and its trials", runs)
	}
}
