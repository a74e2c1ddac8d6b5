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
	resolved, info, err := ResolveModel(opts.ModelRef, opts.Source)
	if err != nil {
		return nil, err
	}
	if o.runID, err = o.rec.startRun(kind, opts, resolved, info); err != nil {
		return nil, err
	}
	if err := o.rec.addInventory(o.runID, o.facts); err != nil {
		o.rec.finish(o.runID, err)
		return nil, err
	}
	return o, nil
}
