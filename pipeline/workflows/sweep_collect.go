package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
	// AllowMissing records the sweep without the cells that no shard's run finished, each named as missing,
	// instead of refusing to collect it.
	AllowMissing bool
}

// shardRun is a run of one shard of a sweep as a file holds it: finished, or ended half-way (killed, failed,
// interrupted) with some of its cells finished.
type shardRun struct {
	file   string
	run    *store.RunDetail
	tree   []*store.RunDetail // the run and every run under it: what collect imports
	plan   shardPlan
	result SweepResult
}

// shardPlan is what collect reads of a shard's plan.
type shardPlan struct {
	Runs    int    `json:"runs"`
	SweepID string `json:"sweep_id"`
	Shard   *Shard `json:"shard"`
}

// CollectSweep reads the runs of one sweep's shards from files (each shard's own database, or exports), checks
// that they are of one sweep, takes each cell from the latest run of its shard that finished it, and records one
// sweep run with every cell, each measured on its host, ranked as if measured in one place, together with every
// run it read (imported as `runs import` does, the files being untrusted): all in one transaction, so that a
// failure anywhere leaves the database as it was. Cells that no run finished are an input error naming them,
// unless AllowMissing.
func CollectSweep(ctx context.Context, db *store.DB, opts CollectOptions) (*SweepResult, error) {
	began := time.Now()
	found, err := readAll(ctx, opts, "sweep", readShards)
	if err != nil {
		return nil, err
	}
	if err := oneSweep(found); err != nil {
		return nil, err
	}
	picked := pickRuns(found)
	if err := missingCells(found, picked); err != nil && !opts.AllowMissing {
		return nil, err
	}
	result := collectedResult(found, picked)
	run, err := collectedRun(result, found, opts.CommandLine, began)
	if err != nil {
		return nil, err
	}
	files := make([]store.FileRuns, len(found))
	for i, s := range found {
		files[i] = toImport(s.file, s.tree)
	}
	if result.RunID, err = db.ImportWithRun(ctx, files, run); err != nil {
		return nil, err
	}
	result.Status = string(run.Status)
	return result, localRunIDs(ctx, db, result.Cells, picked)
}

// readAll reads with read the runs of shards of a sweep or bench (kind) of every file of opts, each of which must
// hold some.
func readAll[T any](ctx context.Context, opts CollectOptions, kind string, read func(context.Context, string, store.ImportLimits) ([]T, error)) ([]T, error) {
	var found []T
	for _, file := range opts.Files {
		shards, err := read(ctx, file, opts.Limits)
		if err != nil {
			return nil, err
		}
		if len(shards) == 0 {
			return nil, engine.Invalid(fmt.Errorf("%s holds no shard of a %s (chimera %s --shard K/N)", file, kind, kind))
		}
		found = append(found, shards...)
	}
	return found, nil
}

// readShards reads the shard runs of file, each with the runs under it and its result. A run without a result
// was killed before its first cell and is left out.
func readShards(ctx context.Context, file string, limits store.ImportLimits) ([]*shardRun, error) {
	details, err := store.ReadExport(ctx, file, limits)
	if err != nil {
		return nil, err
	}
	var shards []*shardRun
	for _, d := range details {
		var plan shardPlan
		if d.Kind != store.KindSweep || json.Unmarshal([]byte(d.ConfigJSON), &plan) != nil || plan.Shard == nil || !plan.Shard.valid() {
			continue
		}
		s := &shardRun{file: file, run: d, tree: runTree(details, d), plan: plan}
		i := slices.IndexFunc(d.Reports, func(r store.Report) bool { return r.Name == shardResultReport })
		if i < 0 {
			continue
		}
		if err := s.readResult(d.Reports[i].Markdown); err != nil {
			return nil, engine.Invalid(fmt.Errorf("%s: shard run %d: %w", file, d.ID, err))
		}
		shards = append(shards, s)
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
func (s *shardRun) readResult(report string) error {
	if err := json.Unmarshal([]byte(report), &s.result); err != nil {
		return fmt.Errorf("%s: %w", shardResultReport, err)
	}
	for n, c := range s.result.Cells {
		if c.DuplicateOf < 0 || c.DuplicateOf > n || c.Shard < 0 || c.Shard > s.plan.Shard.N || c.Shard == 0 && c.DuplicateOf == 0 {
			return fmt.Errorf("%s: cell %d links outside the grid", shardResultReport, n+1)
		}
	}
	return nil
}

// finished says, per cell of the grid, whether this run of the shard finished it: measured it, or found that it
// cannot run at its settings, and ended the cell's run (a run killed half-way finished only its first cells); a
// duplicate is finished with the cell it repeats.
func (s *shardRun) finished() []bool {
	status := map[int64]store.Status{}
	for _, d := range s.tree[1:] {
		status[d.ID] = d.Status
	}
	done := make([]bool, len(s.result.Cells))
	for i, c := range s.result.Cells {
		switch {
		case !c.toMeasure(s.plan.Shard.K):
		case c.DuplicateOf > 0:
			done[i] = done[c.DuplicateOf-1]
		case c.Error != "":
			done[i] = status[c.RunID] == store.StatusFailed
		default:
			done[i] = status[c.RunID] == store.StatusOK
		}
	}
	return done
}

// oneSweep checks that the runs are of shards of one sweep.
func oneSweep(found []*shardRun) error {
	for _, s := range found[1:] {
		if err := sameSweep(found[0], s); err != nil {
			return engine.Invalid(err)
		}
	}
	return nil
}

// pickRuns names, per cell of the grid, the latest run of its shard that finished it; nil for a duplicate that no
// shard runs and for a cell that no run finished.
func pickRuns(found []*shardRun) []*shardRun {
	latestFirst := slices.SortedStableFunc(slices.Values(found), func(a, b *shardRun) int { return b.run.StartedAt.Compare(a.run.StartedAt) })
	picked := make([]*shardRun, len(found[0].result.Cells))
	for _, s := range latestFirst {
		for i, done := range s.finished() {
			if done && picked[i] == nil {
				picked[i] = s
			}
		}
	}
	return picked
}

// missingCells names, on one line, the cells that no run of their shard finished, with how each shard's runs
// ended, or is nil when there are none.
func missingCells(found []*shardRun, picked []*shardRun) error {
	grid := found[0].result.Cells
	byShard := map[int][]string{}
	for i, c := range grid {
		if c.Shard > 0 && picked[i] == nil {
			byShard[c.Shard] = append(byShard[c.Shard], strconv.Itoa(i+1))
		}
	}
	if len(byShard) == 0 {
		return nil
	}
	n, total := 0, 0
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(byShard)) {
		var runs []*store.RunDetail
		for _, s := range found {
			if s.plan.Shard.K == k {
				runs = append(runs, s.run)
			}
		}
		n += len(byShard[k])
		parts = append(parts, fmt.Sprintf("%s of shard %s (%s)", strings.Join(byShard[k], ", "), Shard{k, found[0].plan.Shard.N}, howEnded(runs)))
	}
	for _, c := range grid {
		if c.Shard > 0 {
			total++
		}
	}
	return engine.Invalid(fmt.Errorf("sweep %s: %d of %d cells missing: %s; measure them with sweep … --shard K/N --rerun-missing FILE…, "+
		"or collect with --allow-missing", found[0].plan.SweepID, n, total, strings.Join(parts, "; ")))
}

// howEnded says how the runs of a shard ended: "no run" where the files hold none.
func howEnded(runs []*store.RunDetail) string {
	statuses := make([]string, len(runs))
	for i, r := range runs {
		statuses[i] = endedAs(r.Status)
	}
	switch len(statuses) {
	case 0:
		return "no run"
	case 1:
		return "its run " + statuses[0]
	}
	return "its runs " + strings.Join(statuses, ", ")
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

// endedAs says how a run ended, a run still marked running being one whose process was killed or has not ended.
func endedAs(status store.Status) string {
	if status == store.StatusRunning {
		return "still running: killed, or not ended"
	}
	return string(status)
}

// toImport is runs of a shard, read from file, as collect imports them. A run the file still marks running is
// imported as abandoned: collect is the end of the sweep or bench, and the run's process is on another machine,
// or gone.
func toImport(file string, runs []*store.RunDetail) store.FileRuns {
	for _, d := range runs {
		if d.Status == store.StatusRunning {
			d.Status, d.Error = store.StatusAbandoned, "abandoned: still running in "+file+" when collect read it (killed, or not ended)"
		}
	}
	return store.FileRuns{Path: file, Runs: runs}
}

// collectedResult is the sweep the shards' runs make up, ranked: each cell from the run picked for it, its run id
// still the file's.
func collectedResult(found, picked []*shardRun) *SweepResult {
	first := found[0]
	result := &SweepResult{Workload: first.result.Workload, RankBy: first.result.RankBy, SweepID: first.plan.SweepID,
		Cells: collectCells(first.result.Cells, picked)}
	used := map[*shardRun]bool{}
	for _, s := range picked {
		if s != nil && !used[s] {
			used[s] = true
			result.HasGPU = result.HasGPU || s.result.HasGPU
			result.Loads = append(result.Loads, s.result.Loads...)
		}
	}
	result.Ranking = Rank(result.Cells, result.RankBy)
	return result
}

// collectedRun is the run that records the collected sweep, begun at began: the shards' model and plan, without
// the shard, and the ranking as its report.
func collectedRun(result *SweepResult, found []*shardRun, commandLine string, began time.Time) (*store.RunDetail, error) {
	first := found[0]
	runs := make([]*store.RunDetail, len(found))
	for i, s := range found {
		runs[i] = s.run
	}
	plan, err := collectedPlan(runs)
	if err != nil {
		return nil, err
	}
	ranking, err := rankingReport(result)
	if err != nil {
		return nil, err
	}
	row := first.run.Run
	row.ID, row.ParentID, row.Host, row.GPUs, row.Error = 0, 0, "", "", ""
	row.Status, row.StartedAt, row.EndedAt = store.StatusOK, began, time.Now()
	row.CommandLine, row.ConfigJSON, row.BuildInfo = commandLine, plan, engine.CurrentBuild().String()
	row.Label = fmt.Sprintf("%s, collected from %d shards of sweep %s",
		SweepOptions{Workload: result.Workload, Runs: first.plan.Runs}.gridLabel(result.Cells), shardsMeasured(result.Cells), result.SweepID)
	if missing := countMissing(result.Cells); missing > 0 {
		row.Label += fmt.Sprintf(", %d cells missing", missing)
	}
	return &store.RunDetail{Run: row, Reports: []store.Report{{Name: rankingReportName, Markdown: ranking}}}, nil
}

// shardsMeasured counts the shards that measured a cell.
func shardsMeasured(cells []SweepCell) int {
	shards := map[int]bool{}
	for _, c := range cells {
		if c.Shard > 0 && c.Error != missingCell {
			shards[c.Shard] = true
		}
	}
	return len(shards)
}

// localRunIDs points each collected cell at its run in db, which the import numbered anew.
func localRunIDs(ctx context.Context, db *store.DB, cells []SweepCell, picked []*shardRun) error {
	for i, s := range picked {
		if s == nil || cells[i].DuplicateOf > 0 {
			continue // a duplicate has no run of its own
		}
		// The run is in the tree: finished checked it.
		run := s.tree[slices.IndexFunc(s.tree, func(d *store.RunDetail) bool { return d.ID == cells[i].RunID })]
		id, err := db.RunIDByUUID(ctx, run.UUID)
		if err != nil {
			return err
		}
		cells[i].RunID = id
	}
	return nil
}

// missingCell is the error of a collected cell that no run of its shard finished.
const missingCell = "missing: no collected run of its shard finished it"

func countMissing(cells []SweepCell) int {
	n := 0
	for _, c := range cells {
		if c.Error == missingCell {
			n++
		}
	}
	return n
}

// collectCells takes each cell of the grid from the run picked for it, with its host; a duplicate links to the
// cell measured in its stead, and a cell that no run finished says so.
func collectCells(grid []SweepCell, picked []*shardRun) []SweepCell {
	cells := make([]SweepCell, len(grid))
	for i, c := range grid {
		switch s := picked[i]; {
		case s != nil:
			cells[i] = s.result.Cells[i]
			cells[i].Host = s.run.Host
		case c.Shard > 0:
			cells[i] = SweepCell{Config: c.Config, GPULayers: c.GPULayers, Shard: c.Shard,
				Error: missingCell}
		default:
			cells[i] = SweepCell{Config: c.Config, DuplicateOf: c.DuplicateOf}
		}
	}
	for i, c := range cells {
		if c.DuplicateOf > 0 {
			// The cell it repeats may be a duplicate itself, on the machine that ran its shard: the link goes on to
			// the cell measured, as in a sweep measured in one place.
			measured := c.DuplicateOf
			for cells[measured-1].DuplicateOf > 0 {
				measured = cells[measured-1].DuplicateOf
			}
			cells[i].DuplicateOf, cells[i].GPULayers = measured, cells[measured-1].GPULayers
		}
	}
	return cells
}

// collectedPlan is the plan of the shards' runs, the first's, without its shard and naming the runs.
func collectedPlan(runs []*store.RunDetail) (string, error) {
	var plan map[string]json.RawMessage
	if err := json.Unmarshal([]byte(runs[0].ConfigJSON), &plan); err != nil {
		return "", err
	}
	delete(plan, "shard")
	var uuids []string
	for _, r := range runs {
		if !slices.Contains(uuids, r.UUID) {
			uuids = append(uuids, r.UUID)
		}
	}
	plan["shard_runs"] = json.RawMessage(record.JSON(uuids))
	return record.JSON(plan), nil
}
