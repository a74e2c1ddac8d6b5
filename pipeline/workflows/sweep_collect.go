package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// shardResultReport is the report holding a shard's SweepResult, which `sweep collect` reads.
const shardResultReport = "shard.json"

// CollectOptions configure `chimera sweep collect`.
type CollectOptions struct {
	Files       []string // databases or exports holding the shards' runs
	Limits      store.ImportLimits
	CommandLine string
}

// shardRun is a shard's sweep run as a file holds it.
type shardRun struct {
	file    string
	run     *store.RunDetail
	tree    []*store.RunDetail // the run and every run under it: what collect imports
	plan    shardPlan
	result  SweepResult
	localID map[int64]int64 // the file's run ids to the user's database's, once imported
}

// shardPlan is what collect reads of a shard's plan.
type shardPlan struct {
	Runs    int    `json:"runs"`
	SweepID string `json:"sweep_id"`
	Shard   *Shard `json:"shard"`
}

// CollectSweep reads the shards of one sweep from files (each shard's own database, or exports), checks that
// they are every shard of one sweep, imports them (as `runs import` does, the files being untrusted) and records
// one sweep run with every cell, each measured by one shard on its host, ranked as if measured in one place.
func CollectSweep(ctx context.Context, db *store.DB, opts CollectOptions) (*SweepResult, error) {
	var found []*shardRun
	for _, file := range opts.Files {
		shards, err := readShards(ctx, file, opts.Limits)
		if err != nil {
			return nil, err
		}
		found = append(found, shards...)
	}
	shards, err := oneSweep(found)
	if err != nil {
		return nil, err
	}
	for _, s := range shards {
		if err := s.importTree(ctx, db); err != nil {
			return nil, err
		}
	}
	return recordCollected(ctx, db, opts.CommandLine, shards)
}

// readShards reads the shard runs of file, each with the runs under it and its result.
func readShards(ctx context.Context, file string, limits store.ImportLimits) ([]*shardRun, error) {
	details, err := store.ReadExport(ctx, file, limits)
	if err != nil {
		return nil, err
	}
	var shards []*shardRun
	for _, d := range details {
		var plan shardPlan
		if d.Kind != store.KindSweep || json.Unmarshal([]byte(d.ConfigJSON), &plan) != nil || plan.Shard == nil {
			continue
		}
		s := &shardRun{file: file, run: d, tree: runTree(details, d), plan: plan}
		if err := s.readResult(); err != nil {
			return nil, engine.Invalid(fmt.Errorf("%s: shard run %d: %w", file, d.ID, err))
		}
		shards = append(shards, s)
	}
	if len(shards) == 0 {
		return nil, engine.Invalid(fmt.Errorf("%s holds no shard of a sweep (chimera sweep --shard K/N)", file))
	}
	return shards, nil
}

// runTree lists root and every run under it.
func runTree(details []*store.RunDetail, root *store.RunDetail) []*store.RunDetail {
	children := map[int64][]*store.RunDetail{}
	for _, d := range details {
		children[d.ParentID] = append(children[d.ParentID], d)
	}
	tree, seen := []*store.RunDetail{root}, map[int64]bool{root.ID: true}
	for i := 0; i < len(tree); i++ {
		for _, c := range children[tree[i].ID] {
			if !seen[c.ID] {
				seen[c.ID] = true
				tree = append(tree, c)
			}
		}
	}
	return tree
}

// readResult decodes the shard's result and checks what collect relies on: its cells' links stay in the grid.
func (s *shardRun) readResult() error {
	if s.run.Status != store.StatusOK {
		return fmt.Errorf("shard %s of sweep %s is %s: run it again", s.plan.Shard, s.plan.SweepID, s.run.Status)
	}
	i := slices.IndexFunc(s.run.Reports, func(r store.Report) bool { return r.Name == shardResultReport })
	if i < 0 {
		return fmt.Errorf("no %s report", shardResultReport)
	}
	if err := json.Unmarshal([]byte(s.run.Reports[i].Markdown), &s.result); err != nil {
		return fmt.Errorf("%s: %w", shardResultReport, err)
	}
	for n, c := range s.result.Cells {
		if c.DuplicateOf < 0 || c.DuplicateOf > n || c.Shard < 0 || c.Shard > s.plan.Shard.N || c.Shard == 0 && c.DuplicateOf == 0 {
			return fmt.Errorf("%s: cell %d links outside the grid", shardResultReport, n+1)
		}
	}
	return nil
}

// oneSweep checks that shards are every shard of one sweep, one per K, and returns them ordered by K. A shard
// run twice (the same run in two files, or run again) counts once: its latest run.
func oneSweep(found []*shardRun) ([]*shardRun, error) {
	first := found[0]
	for _, s := range found[1:] {
		if err := sameSweep(first, s); err != nil {
			return nil, engine.Invalid(err)
		}
	}
	shards := make([]*shardRun, first.plan.Shard.N)
	for _, s := range found {
		k := s.plan.Shard.K - 1
		if shards[k] == nil || s.run.StartedAt.After(shards[k].run.StartedAt) {
			shards[k] = s
		}
	}
	var missing []string
	for k, s := range shards {
		if s == nil {
			missing = append(missing, Shard{k + 1, len(shards)}.String())
		}
	}
	if len(missing) > 0 {
		return nil, engine.Invalid(fmt.Errorf("sweep %s: shard %s missing", first.plan.SweepID, strings.Join(missing, ", ")))
	}
	return shards, nil
}

// sameSweep says how shard b is not a shard of a's sweep, if it is not.
func sameSweep(a, b *shardRun) error {
	name := func(s *shardRun) string {
		return fmt.Sprintf("%s (shard %s of sweep %s)", s.file, s.plan.Shard, s.plan.SweepID)
	}
	switch {
	case gridKey(a.result.Cells) != gridKey(b.result.Cells):
		return fmt.Errorf("shards disagree on the grid: %s and %s", name(a), name(b))
	case a.plan.SweepID != b.plan.SweepID || a.plan.Shard.N != b.plan.Shard.N:
		return fmt.Errorf("shards of different sweeps: %s and %s", name(a), name(b))
	case a.run.ModelSHA256 != b.run.ModelSHA256:
		return fmt.Errorf("shards measured different models: %s and %s", name(a), name(b))
	}
	return nil
}

// gridKey is a grid's cells with their partition: equal for every shard of one sweep.
func gridKey(cells []SweepCell) string {
	type partitioned struct {
		Config      engine.Config
		Shard       int
		DuplicateOf int // of a duplicate no shard runs
	}
	grid := make([]partitioned, len(cells))
	for i, c := range cells {
		grid[i] = partitioned{Config: c.Config, Shard: c.Shard}
		if c.Shard == 0 {
			grid[i].DuplicateOf = c.DuplicateOf
		}
	}
	return record.JSON(grid)
}

// importTree imports the shard's runs into db and maps their ids in the file to db's.
func (s *shardRun) importTree(ctx context.Context, db *store.DB) error {
	if _, err := db.ImportRuns(ctx, s.file, s.tree); err != nil {
		return err
	}
	s.localID = map[int64]int64{}
	for _, d := range s.tree {
		id, err := db.RunIDByUUID(ctx, d.UUID)
		if err != nil {
			return err
		}
		s.localID[d.ID] = id
	}
	return nil
}

// recordCollected records the sweep the shards make up as one run, with its ranking, and returns it.
func recordCollected(ctx context.Context, db *store.DB, commandLine string, shards []*shardRun) (*SweepResult, error) {
	first := shards[0]
	result := &SweepResult{Workload: first.result.Workload, RankBy: first.result.RankBy, SweepID: first.plan.SweepID,
		Cells: collectCells(shards)}
	for _, s := range shards {
		result.HasGPU = result.HasGPU || s.result.HasGPU
		result.Loads = append(result.Loads, s.result.Loads...)
	}
	plan, err := collectedPlan(shards)
	if err != nil {
		return nil, err
	}
	row := first.run.Run
	row.ID, row.ParentID, row.Host, row.GPUs, row.StartedAt = 0, 0, "", "", time.Time{}
	row.CommandLine, row.ConfigJSON, row.BuildInfo = commandLine, plan, engine.CurrentBuild().String()
	row.Label = fmt.Sprintf("%s, collected from %d shards of sweep %s",
		SweepOptions{Workload: result.Workload, Runs: first.plan.Runs}.gridLabel(result.Cells), len(shards), result.SweepID)
	rec := record.New(ctx, db)
	if result.RunID, err = rec.StartRun(row); err != nil {
		return nil, err
	}
	result.Ranking = Rank(result.Cells, result.RankBy)
	result.Status, err = rec.Finish(result.RunID, addRankingReport(rec, result))
	return result, err
}

// collectCells takes each cell from the shard that measured it, with its host and its run's id in the user's
// database; a duplicate that no shard ran gets the offload of the cell it repeats.
func collectCells(shards []*shardRun) []SweepCell {
	cells := slices.Clone(shards[0].result.Cells)
	for i, c := range cells {
		if c.Shard > 0 {
			s := shards[c.Shard-1]
			cells[i] = s.result.Cells[i]
			cells[i].Host, cells[i].RunID = s.run.Host, s.localID[cells[i].RunID]
		}
	}
	for i, c := range cells {
		if c.Shard == 0 {
			cells[i].GPULayers = cells[c.DuplicateOf-1].GPULayers
		}
	}
	return cells
}

// collectedPlan is the first shard's plan without its shard, naming the shards' runs.
func collectedPlan(shards []*shardRun) (string, error) {
	var plan map[string]json.RawMessage
	if err := json.Unmarshal([]byte(shards[0].run.ConfigJSON), &plan); err != nil {
		return "", err
	}
	delete(plan, "shard")
	uuids := make([]string, len(shards))
	for i, s := range shards {
		uuids[i] = s.run.UUID
	}
	plan["shard_runs"] = json.RawMessage(record.JSON(uuids))
	return record.JSON(plan), nil
}
