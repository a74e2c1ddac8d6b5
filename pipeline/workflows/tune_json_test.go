package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/render"
)

// tuneDoc is tune's JSON as docs/json.md describes it.
type tuneDoc struct {
	RunID          int64          `json:"run_id"`
	Status         string         `json:"status"`
	Objective      string         `json:"objective"`
	Unit           string         `json:"unit"`
	HigherIsBetter bool           `json:"higher_is_better"`
	HasGPU         bool           `json:"has_gpu"`
	Model          string         `json:"model"`
	Axes           []tuneAxisDoc  `json:"axes"`
	Best           *tuneTrialDoc  `json:"best"`
	TiedWithBest   []int          `json:"tied_with_best"`
	DefaultsTrial  int            `json:"defaults_trial"`
	Trials         []tuneTrialDoc `json:"trials"`
	Measurements   int            `json:"measurements"`
	GridSize       int            `json:"grid_size"`
	Notes          []string       `json:"notes"`
	ModelLoads     []struct {
		NumGPU      int      `json:"num_gpu"`
		Offloaded   int      `json:"gpu_layers_offloaded"`
		LoadMS      float64  `json:"load_ms"`
		DeviceBytes int64    `json:"device_bytes"`
		UsedBy      []string `json:"used_by"`
	} `json:"model_loads"`
	Reports []string `json:"reports"`
}

type tuneAxisDoc struct {
	Name    string   `json:"name"`
	Values  []string `json:"values"`
	Default string   `json:"default"`
}

type tuneTrialDoc struct {
	Trial       int               `json:"trial"`
	RunID       int64             `json:"run_id"`
	Settings    map[string]string `json:"settings"`
	Reproduce   string            `json:"reproduce"`
	Outcome     string            `json:"outcome"`
	N           int               `json:"n"`
	Mean        *float64          `json:"mean"`
	SD          *float64          `json:"sd"`
	CI95        []float64         `json:"ci95"`
	Samples     []float64         `json:"samples"`
	MemoryBytes int64             `json:"memory_bytes"`
	Rounds      int               `json:"rounds"`
}

// Tune's JSON names the best configuration's settings, and every trial's are those of the configuration it
// measured: with a micro-batch list above a batch, llama.cpp cuts it to the batch, and the trial says so, in its
// settings and in the flags that reproduce it (the report used to describe one configuration and reproduce another).
func TestTuneJSONWritesEachTrialsSettingsOut(t *testing.T) {
	axes := tuneAxes("32,64", "64,128", "on", "f16", "f16")
	result, err := Tune(context.Background(), openTestDB(t), TuneOptions{Target: Target{ModelRef: tinyModel}, Objective: ObjectiveTG,
		NumCtx: 256, NGen: 8, Seed: 1, UseMmap: true, OutDir: t.TempDir(), Axes: axes})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := render.WriteJSON(&out, result); err != nil {
		t.Fatal(err)
	}
	var doc tuneDoc
	decoder := json.NewDecoder(&out)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&doc); err != nil {
		t.Fatalf("tune JSON does not decode into the documented struct: %v", err)
	}
	if doc.Best == nil || len(doc.Trials) < 2 || doc.Status != "ok" || doc.Unit != "tok/s" || !doc.HigherIsBetter {
		t.Fatalf("best %v, %d trials, status %s, unit %s", doc.Best, len(doc.Trials), doc.Status, doc.Unit)
	}
	for i, trial := range doc.Trials {
		batch, ubatch := trial.Settings["batch"], trial.Settings["ubatch"]
		if trial.Trial != i+1 || trial.RunID == 0 || trial.N != len(trial.Samples) || trial.Mean == nil {
			t.Errorf("trial %d: %+v", i+1, trial)
		}
		if want := map[string]string{"32": "32", "64": "64"}[batch]; ubatch != want { // 64 and 128 are cut to the batch
			t.Errorf("trial %d: batch %s with ubatch %s, want ubatch %s", trial.Trial, batch, ubatch, want)
		}
		if flags := strings.Fields(trial.Reproduce); !slices.Contains(flags, "--ubatch") || flags[slices.Index(flags, "--ubatch")+1] != ubatch ||
			flags[slices.Index(flags, "--batch")+1] != batch {
			t.Errorf("trial %d: reproduce %q for batch %s ubatch %s", trial.Trial, trial.Reproduce, batch, ubatch)
		}
	}
	best := doc.Trials[slices.IndexFunc(doc.Trials, func(tr tuneTrialDoc) bool { return tr.Outcome == "best" })]
	if best.Trial != doc.Best.Trial || best.Settings["batch"] != doc.Best.Settings["batch"] || doc.Best.Settings["num_ctx"] != "256" {
		t.Errorf("best %+v, the trial marked best %+v", doc.Best, best)
	}
	if i := slices.IndexFunc(doc.Axes, func(a tuneAxisDoc) bool { return a.Name == "batch" }); i < 0 || !slices.Equal(doc.Axes[i].Values, []string{"32", "64"}) || doc.Axes[i].Default != "64" {
		t.Errorf("axes %+v, want batch 32 and 64, cheapest first", doc.Axes)
	}
}
