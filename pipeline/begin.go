package pipeline

import (
	"context"
	"time"

	"chimera/store"
)

// opening is what every agent workflow starts with: the artifacts' facts, the model identified, and its run
// recorded as running with the inventory.
type opening struct {
	facts    *FactsReport
	ingestMS float64
	model    *ModelFile
	checkMS  float64 // finding and validating the model file
	rec      *recorder
	runID    int64
}

// begin ingests the artifacts, resolves the model and records the start of a run of the given kind with the
// artifacts' inventory; nothing is recorded when the artifacts or the model are unusable.
func begin(ctx context.Context, db *store.DB, kind store.RunKind, opts RunOptions) (*opening, error) {
	start := time.Now()
	inv, err := Ingest(opts.DataDirs, opts.Limits)
	if err != nil {
		return nil, Invalid(err)
	}
	o := &opening{facts: BuildFacts(inv), ingestMS: msSince(start), rec: &recorder{db: db, ctx: context.WithoutCancel(ctx)}}
	logf(opts.Log, "ingest: %d artifacts, %d skipped, %d facts in %.0f ms", len(o.facts.Files), len(o.facts.Skipped), len(o.facts.Facts), o.ingestMS)
	checkStart := time.Now()
	if o.model, err = ResolveModel(opts.ModelRef, opts.Source); err != nil {
		return nil, err
	}
	o.checkMS = msSince(checkStart)
	if o.runID, err = o.rec.db.StartRun(o.rec.ctx, o.model.runRecord(kind, opts.CommandLine, opts.Config)); err != nil {
		return nil, err
	}
	if err := o.rec.addInventory(o.runID, o.facts); err != nil {
		o.rec.finish(o.runID, err)
		return nil, err
	}
	return o, nil
}
