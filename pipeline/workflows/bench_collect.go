package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"chimera/pipeline/engine"
	"chimera/store"
)

// benchShard is a run of one shard of a bench as a file holds it, with its rows.
type benchShard struct {
	file string
	run  *store.RunDetail
	plan benchPlan
	rows []BenchRow
}

// CollectBench reads the runs of one bench's shards from files (each shard's own database, or exports), checks
// that they are of one bench, and records one bench run with the rows of each shard's latest finished run, shard
// by shard, together with every shard run it read (imported as `runs import` does, the files being untrusted):
// all in one transaction, so that a failure anywhere leaves the database as it was. A shard without a finished
// run is an input error naming it, unless AllowMissing. It returns the rows.
func CollectBench(ctx context.Context, db *store.DB, opts CollectOptions) ([]BenchRow, error) {
	began := time.Now()
	found, err := readAll(ctx, opts, "bench", readBenchShards)
	if err != nil {
		return nil, err
	}
	if err := oneBench(found); err != nil {
		return nil, err
	}
	latest, err := latestFinished(found)
	if err != nil && !opts.AllowMissing {
		return nil, err
	}
	run, err := collectedBenchRun(found, latest, opts.CommandLine, began)
	if err != nil {
		return nil, err
	}
	files := make([]store.FileRuns, len(found))
	for i, s := range found {
		files[i] = toImport(s.file, []*store.RunDetail{s.run})
	}
	if _, err := db.ImportWithRun(ctx, files, run); err != nil {
		return nil, err
	}
	return collectedRows(latest), nil
}

// readBenchShards reads the bench shard runs of file, each with its rows.
func readBenchShards(ctx context.Context, file string, limits store.ImportLimits) ([]*benchShard, error) {
	details, err := store.ReadExport(ctx, file, limits)
	if err != nil {
		return nil, err
	}
	var shards []*benchShard
	for _, d := range details {
		s := &benchShard{file: file, run: d}
		if d.Kind != store.KindBench || json.Unmarshal([]byte(d.ConfigJSON), &s.plan) != nil || s.plan.Shard == nil || !s.plan.Shard.valid() {
			continue
		}
		for _, r := range d.BenchResults {
			var row BenchRow
			if err := json.Unmarshal([]byte(r.ExtraJSON), &row); err != nil {
				return nil, engine.Invalid(fmt.Errorf("%s: shard run %d: bench result %d is not a bench row: %w", file, d.ID, r.ID, err))
			}
			s.rows = append(s.rows, row)
		}
		shards = append(shards, s)
	}
	return shards, nil
}

// oneBench checks that the runs are of shards of one bench, on one model.
func oneBench(found []*benchShard) error {
	first := found[0]
	name := func(s *benchShard) string {
		return fmt.Sprintf("%s (shard %s of bench %s)", s.file, s.plan.Shard, s.plan.BenchID)
	}
	for _, s := range found[1:] {
		switch {
		case s.plan.BenchID != first.plan.BenchID || s.plan.Shard.N != first.plan.Shard.N:
			return engine.Invalid(fmt.Errorf("shards of different benches: %s and %s", name(first), name(s)))
		case s.run.ModelSHA256 != first.run.ModelSHA256:
			return engine.Invalid(fmt.Errorf("shards measured different models: %s and %s", name(first), name(s)))
		}
	}
	return nil
}

// latestFinished is, per shard (index K-1), its latest run that finished ok, or nil, with an input error naming
// the shards that have none.
func latestFinished(found []*benchShard) ([]*benchShard, error) {
	latest := make([]*benchShard, found[0].plan.Shard.N)
	runs := make([][]*store.RunDetail, len(latest))
	for _, s := range found {
		k := s.plan.Shard.K - 1
		runs[k] = append(runs[k], s.run)
		if s.run.Status == store.StatusOK && (latest[k] == nil || s.run.StartedAt.After(latest[k].run.StartedAt)) {
			latest[k] = s
		}
	}
	var missing []string
	for k, s := range latest {
		if s == nil {
			missing = append(missing, fmt.Sprintf("%s (%s)", Shard{k + 1, len(latest)}, howEnded(runs[k])))
		}
	}
	if len(missing) > 0 {
		return latest, engine.Invalid(fmt.Errorf("bench %s: no finished run of shard %s; measure it again with bench … --shard K/N, "+
			"or collect with --allow-missing", found[0].plan.BenchID, strings.Join(missing, ", shard ")))
	}
	return latest, nil
}

// collectedRows are the rows of the shards' runs, shard by shard.
func collectedRows(latest []*benchShard) []BenchRow {
	var rows []BenchRow
	for _, s := range latest {
		if s != nil {
			rows = append(rows, s.rows...)
		}
	}
	return rows
}

// collectedBenchRun is the bench run that the shards' latest runs make up, begun at began: their rows, and the
// shards' model and plan, without the shard.
func collectedBenchRun(found, latest []*benchShard, commandLine string, began time.Time) (*store.RunDetail, error) {
	runs := make([]*store.RunDetail, len(found))
	for i, s := range found {
		runs[i] = s.run
	}
	plan, err := collectedPlan(runs)
	if err != nil {
		return nil, err
	}
	collected := 0
	for _, s := range latest {
		if s != nil {
			collected++
		}
	}
	first := found[0]
	row := first.run.Run
	row.ID, row.ParentID, row.Host, row.GPUs, row.Error = 0, 0, "", "", ""
	row.Status, row.StartedAt, row.EndedAt = store.StatusOK, began, time.Now()
	row.CommandLine, row.ConfigJSON, row.BuildInfo = commandLine, plan, engine.CurrentBuild().String()
	row.Label = fmt.Sprintf("collected from %d of the %d shards of bench %s", collected, len(latest), first.plan.BenchID)
	return &store.RunDetail{Run: row, BenchResults: storeBenchRows(collectedRows(latest))}, nil
}
