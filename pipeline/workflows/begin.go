package workflows

import (
	"context"
	"time"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/store"
)

// opening is what every agent workflow starts with: the artifacts' facts, the model identified, and its run
// recorded as running with the inventory.
type opening struct {
	*startedRun
	facts    *artifacts.FactsReport
	ingestMS float64
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
	o := &opening{facts: artifacts.BuildFacts(inv), ingestMS: engine.MillisSince(start)}
	engine.Logf(target.Log, "ingest: %d artifacts, %d skipped, %d facts in %.0f ms", len(o.facts.Files), len(o.facts.Skipped),
		len(o.facts.Facts), o.ingestMS)
	if o.startedRun, err = startRun(ctx, db, target, kind, outDir, config, ""); err != nil {
		return nil, err
	}
	if err := o.rec.AddInventory(o.runID, o.facts); err != nil {
		_, err = o.rec.Finish(o.runID, err)
		return nil, err
	}
	return o, nil
}
