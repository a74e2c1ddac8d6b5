package workflows

import (
	"context"
	"time"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// opening is what every agent workflow starts with: the artifacts' facts, the model identified, and its run
// recorded as running with the inventory.
type opening struct {
	facts    *artifacts.FactsReport
	ingestMS float64
	model    *engine.ModelFile
	checkMS  float64 // finding and validating the model file
	rec      *record.Recorder
	runID    int64
}

// begin ingests the artifacts, resolves the model, creates the output directory and records the start of a run of
// the given kind, with its settings (config, as JSON) and the artifacts' inventory. Nothing is created or recorded
// when the artifacts, the model or the output directory are unusable.
func begin(ctx context.Context, db *store.DB, kind store.RunKind, target Target, data Data, outDir string, config any) (*opening, error) {
	start := time.Now()
	inv, err := artifacts.Ingest(data.DataDirs, data.Limits)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	o := &opening{facts: artifacts.BuildFacts(inv), ingestMS: engine.MillisSince(start), rec: record.New(ctx, db)}
	engine.Logf(target.Log, "ingest: %d artifacts, %d skipped, %d facts in %.0f ms", len(o.facts.Files), len(o.facts.Skipped),
		len(o.facts.Facts), o.ingestMS)
	checkStart := time.Now()
	if o.model, err = engine.ResolveModel(target.ModelRef, target.Source); err != nil {
		return nil, err
	}
	o.checkMS = engine.MillisSince(checkStart)
	if err := checkWritableDir(outDir); err != nil {
		return nil, err
	}
	if o.runID, err = o.rec.StartRun(record.RunRow(o.model, kind, target.CommandLine, config)); err != nil {
		return nil, err
	}
	if err := o.rec.AddInventory(o.runID, o.facts); err != nil {
		_, err = o.rec.Finish(o.runID, err)
		return nil, err
	}
	return o, nil
}
