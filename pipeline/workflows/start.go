package workflows

import (
	"context"
	"time"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// startedRun is a run recorded as running: what records it, the model it measures and its row, which the runs of
// its cells and trials copy.
type startedRun struct {
	rec     *record.Recorder
	model   *engine.ModelFile
	row     store.Run
	runID   int64
	checkMS float64 // finding and validating the model file
}

// startRun is every workflow's start-up: it resolves and validates the model, makes sure outDir (when one is
// given) takes the reports, and records the run as running, with its plan (its settings, as JSON) and label.
// Nothing is created or recorded when the model or the directory is unusable.
func startRun(ctx context.Context, db *store.DB, target Target, kind store.RunKind, outDir string, plan any, label string) (*startedRun, error) {
	checkStart := time.Now()
	model, err := engine.ResolveModel(target.ModelRef, target.Source)
	if err != nil {
		return nil, err
	}
	s := &startedRun{rec: record.New(ctx, db), model: model, checkMS: engine.MillisSince(checkStart)}
	if outDir != "" {
		if err := checkWritableDir(outDir); err != nil {
			return nil, err
		}
	}
	s.row = record.RunRow(model, kind, target.CommandLine, plan)
	s.row.Label = label
	if s.runID, err = s.rec.StartRun(s.row); err != nil {
		return nil, err
	}
	return s, nil
}
