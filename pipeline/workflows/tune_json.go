package workflows

import (
	"encoding/json"
	"math"

	"chimera/pipeline/engine"
	"chimera/pipeline/stats"
)

// tuneDocument is a tune as `tune --json` and tune.json write it, for a reader who has not seen the code: trials
// by number with their settings written out, and the best one whole. docs/json.md describes every field.
type tuneDocument struct {
	RunID          int64               `json:"run_id"`
	Status         string              `json:"status"`
	Objective      string              `json:"objective"`
	Unit           string              `json:"unit"`
	HigherIsBetter bool                `json:"higher_is_better"`
	HasGPU         bool                `json:"has_gpu"`
	Model          string              `json:"model"`
	Axes           []tuneAxisDocument  `json:"axes"`
	Best           *tuneTrialDocument  `json:"best"` // null when no trial could be measured
	TiedWithBest   []int               `json:"tied_with_best"`
	DefaultsTrial  int                 `json:"defaults_trial,omitempty"`
	Trials         []tuneTrialDocument `json:"trials"`
	Measurements   int                 `json:"measurements"`
	GridSize       int                 `json:"grid_size"`
	Notes          []string            `json:"notes"`
	ModelLoads     []engine.ModelLoad  `json:"model_loads"`
	Reports        []string            `json:"reports"`
}

type tuneAxisDocument struct {
	Name    string   `json:"name"`
	Values  []string `json:"values"`
	Default string   `json:"default"`
}

type tuneTrialDocument struct {
	Trial       int               `json:"trial"`
	RunID       int64             `json:"run_id"`
	Settings    map[string]string `json:"settings"`
	Reproduce   string            `json:"reproduce"`
	Outcome     string            `json:"outcome"`
	N           int               `json:"n"`
	Mean        *float64          `json:"mean"`
	SD          *float64          `json:"sd"`
	CI95        []float64         `json:"ci95,omitempty"`
	Samples     []float64         `json:"samples"`
	MemoryBytes int64             `json:"memory_bytes"`
	Rounds      int               `json:"rounds"`
}

// MarshalJSON writes the tune as a tuneDocument.
func (r *TuneResult) MarshalJSON() ([]byte, error) {
	doc := tuneDocument{RunID: r.RunID, Status: r.Status, Objective: r.Objective, Unit: r.Unit, HigherIsBetter: r.Higher, HasGPU: r.HasGPU,
		Model: r.Model, ModelLoads: r.Loads, Reports: r.Reports, TiedWithBest: []int{}, Trials: []tuneTrialDocument{}}
	for _, a := range r.Axes {
		doc.Axes = append(doc.Axes, tuneAxisDocument{Name: a.Name, Values: a.Values, Default: a.Values[a.Default]})
	}
	if s := r.Search; s != nil {
		doc.Measurements, doc.GridSize, doc.Notes = s.Measurements, s.GridSize, s.Notes
		for i := range s.Trials {
			doc.Trials = append(doc.Trials, r.trialDocument(i))
		}
		if s.Best >= 0 {
			doc.Best = &doc.Trials[s.Best]
		}
		for _, i := range s.Tied {
			doc.TiedWithBest = append(doc.TiedWithBest, i+1)
		}
		doc.DefaultsTrial = s.Defaults + 1
	}
	return json.Marshal(doc)
}

func (r *TuneResult) trialDocument(i int) tuneTrialDocument {
	t, cfg := r.Search.Trials[i], r.Configs[i]
	sum := t.Summary()
	doc := tuneTrialDocument{Trial: i + 1, Settings: map[string]string{}, Reproduce: engine.Flags(cfg, searched(r)...),
		Outcome: trialOutcome(r, i), N: sum.N, Samples: t.Samples, MemoryBytes: t.MemoryBytes, Rounds: t.Rounds}
	doc.RunID = r.RunIDs[i]
	for _, s := range engine.Settings {
		if s.Sets == nil {
			doc.Settings[s.Name] = s.Get(cfg)
		}
	}
	if sum.N > 0 {
		doc.Mean, doc.SD = finite(sum.Mean), finite(sum.SD)
	}
	if lo, hi := stats.MeanCI95(t.Samples); !math.IsNaN(lo) {
		doc.CI95 = []float64{lo, hi}
	}
	return doc
}

// finite is x, or nil for a statistic its samples do not define (NaN), which JSON cannot hold.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
