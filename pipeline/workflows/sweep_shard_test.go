package workflows

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// shardableSweep varies axes whose effective values are the same on every machine: num_gpu 99 and all both
// offload every layer of the tiny model with a GPU and none without, so they are duplicates on any machine.
func shardableSweep() SweepOptions {
	opts := tinySweep()
	opts.Runs = 1
	opts.Axes = with(with(with(with(opts.Axes, "num_gpu", "99", "all"), "num_ctx", "256", "512"), "batch", "64", "128"), "temp", "0.2", "0.8")
	return opts
}

// runShard measures shard k/n of opts into its own database, as a box of a fleet would, and returns its path
// and result.
func runShard(t *testing.T, opts SweepOptions, k, n int) (string, *SweepResult) {
	t.Helper()
	opts.Shard = Shard{K: k, N: n}
	var result *SweepResult
	path := inOwnDB(t, opts.Shard, func(db *store.DB) (err error) {
		result, err = Sweep(context.Background(), db, opts)
		return err
	})
	return path, result
}

// inOwnDB runs shard's measure on a database of its own and returns its path.
func inOwnDB(t *testing.T, shard Shard, measure func(*store.DB) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chimera.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := measure(db); err != nil {
		t.Fatalf("shard %s: %v", shard, err)
	}
	return path
}

func measuredIndexes(cells []SweepCell) []int {
	var measured []int
	for i, c := range cells {
		if len(c.DecodeTPS) > 0 {
			measured = append(measured, i)
		}
	}
	return measured
}

func TestShardedSweepCollectsToTheSweepMeasuredInOnePlace(t *testing.T) {
	opts := shardableSweep()
	whole, err := Sweep(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	file1, shard1 := runShard(t, opts, 1, 2)
	file2, shard2 := runShard(t, opts, 2, 2)
	if shard1.SweepID == "" || shard1.SweepID != shard2.SweepID {
		t.Fatalf("the shards name sweeps %q and %q", shard1.SweepID, shard2.SweepID)
	}
	in1, in2 := measuredIndexes(shard1.Cells), measuredIndexes(shard2.Cells)
	if len(in1) == 0 || len(in1)-len(in2) > 1 || len(in2)-len(in1) > 1 {
		t.Errorf("unbalanced shards: cells %v and %v", in1, in2)
	}
	union := slices.Sorted(slices.Values(append(slices.Clone(in1), in2...)))
	if want := measuredIndexes(whole.Cells); !slices.Equal(union, want) || len(union) != len(in1)+len(in2) {
		t.Errorf("the shards measured cells %v and %v, the one-process sweep %v", in1, in2, want)
	}

	db := openTestDB(t)
	collected, err := CollectSweep(context.Background(), db, CollectOptions{Files: []string{file2, file1}, Limits: store.DefaultImportLimits})
	if err != nil {
		t.Fatal(err)
	}
	checkSameCells(t, collected.Cells, whole.Cells, opts.Runs)
	if got, want := rankedCells(collected), rankedCells(whole); !slices.Equal(got, want) {
		t.Errorf("collected ranking has cells %v, the one-process one %v", got, want)
	}
	run, err := db.GetRun(context.Background(), collected.RunID)
	if err != nil || run.Status != store.StatusOK || !strings.Contains(run.Label, "collected from 2 shards of sweep "+shard1.SweepID) {
		t.Errorf("the collected run: %+v, %v", run, err)
	}
}

// checkSameCells compares a collected sweep's cells with the one-process sweep's: the same effective settings,
// each distinct cell measured once, under its own run, on a named host.
func checkSameCells(t *testing.T, got, want []SweepCell, runs int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d cells collected, %d in the one-process sweep", len(got), len(want))
	}
	runIDs := map[int64]bool{}
	for i := range want {
		g, w := got[i], want[i]
		if record.JSON(g.Config) != record.JSON(w.Config) || g.GPULayers != w.GPULayers || g.DuplicateOf != w.DuplicateOf {
			t.Errorf("cell %d: collected %+v, want the settings of %+v", i+1, g, w)
		}
		if w.DuplicateOf > 0 {
			continue
		}
		if len(g.DecodeTPS) != runs || len(g.TTFTMS) != runs || g.Host == "" || g.RunID == 0 || runIDs[g.RunID] {
			t.Errorf("cell %d: %d decode and %d TTFT samples, host %q, run %d: want %d each, a host and a run of its own",
				i+1, len(g.DecodeTPS), len(g.TTFTMS), g.Host, g.RunID, runs)
		}
		runIDs[g.RunID] = true
	}
}

func rankedCells(r *SweepResult) []int {
	var cells []int
	for _, k := range r.Ranking {
		cells = append(cells, k.Cell)
	}
	slices.Sort(cells)
	return cells
}

func TestParseShardRefusesWhatIsNotKOfN(t *testing.T) {
	if s, err := ParseShard("2/3"); err != nil || s != (Shard{K: 2, N: 3}) {
		t.Errorf("2/3: %+v, %v", s, err)
	}
	for _, bad := range []string{"", "1", "0/2", "3/2", "-1/2", "1/0", "a/2", "1/2/3", " 1/2"} {
		if _, err := ParseShard(bad); !engine.IsInputError(err) {
			t.Errorf("%q: %v, want an input error", bad, err)
		}
	}
}

func TestCollectRefusesShardsThatDoNotMakeOneSweep(t *testing.T) {
	opts := shardableSweep()
	opts.Axes = with(with(with(opts.Axes, "batch", "64"), "temp", "0.8"), "num_gpu", "0")
	file1, result := runShard(t, opts, 1, 2)
	file2, _ := runShard(t, opts, 2, 2)
	otherGrid := opts
	otherGrid.Axes = with(opts.Axes, "num_ctx", "256", "1024")
	otherGridFile, _ := runShard(t, otherGrid, 2, 2)
	otherRuns := opts
	otherRuns.Runs = 2
	otherRunsFile, _ := runShard(t, otherRuns, 2, 2)
	wholeFile := filepath.Join(t.TempDir(), "chimera.db")
	db, err := store.Open(wholeFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sweep(context.Background(), db, opts); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, c := range []struct {
		files []string
		want  string
	}{
		{[]string{file1}, "sweep " + result.SweepID + ": 1 of 2 cells missing: 2 of shard 2/2 (no run)"},
		{[]string{file1, otherGridFile}, "shards disagree on the grid"},
		{[]string{file1, otherRunsFile}, "shards of different sweeps"},
		{[]string{file1, file2, wholeFile}, wholeFile + " holds no shard of a sweep"},
	} {
		db := openTestDB(t)
		_, err := CollectSweep(context.Background(), db, CollectOptions{Files: c.files, Limits: store.DefaultImportLimits})
		if !engine.IsInputError(err) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("collect %v: %v, want one line with %q", c.files, err, c.want)
		}
		if runs, _ := db.ListRuns(context.Background(), store.ListFilter{}); len(runs) != 0 {
			t.Errorf("collect %v recorded %d runs", c.files, len(runs))
		}
	}
}

// Collect writes the whole sweep in one transaction: a shard whose runs the import refuses, read after a shard
// whose runs it accepted, leaves the database as it was.
func TestCollectWritesNothingWhenAShardFailsValidation(t *testing.T) {
	opts := shardableSweep()
	file1, _ := runShard(t, opts, 1, 2)
	file2, _ := runShard(t, opts, 2, 2)
	conn, err := sql.Open("sqlite3", file2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec("UPDATE runs SET config_json = '{' WHERE id = (SELECT max(id) FROM runs)")
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := openTestDB(t)
	_, err = CollectSweep(context.Background(), db, CollectOptions{Files: []string{file1, file2}, Limits: store.DefaultImportLimits})
	if !engine.IsInputError(err) || !strings.Contains(err.Error(), file2) || !strings.Contains(err.Error(), "config_json is not JSON") {
		t.Errorf("collect with a shard whose last cell's config is not JSON: %v; want an input error naming %s", err, file2)
	}
	if runs, _ := db.ListRuns(context.Background(), store.ListFilter{}); len(runs) != 0 {
		t.Errorf("the failed collect left %d runs", len(runs))
	}
}

// --rerun-missing with files that hold no run of the shard measures every cell of it: all are missing.
func TestRerunMissingWithoutAnEarlierRunMeasuresTheWholeShard(t *testing.T) {
	opts := shardableSweep()
	file1, _ := runShard(t, opts, 1, 2)
	_, plain := runShard(t, opts, 2, 2)
	opts.RerunMissing, opts.ImportLimits = []string{file1}, store.DefaultImportLimits
	_, rerun := runShard(t, opts, 2, 2)
	if got, want := measuredIndexes(rerun.Cells), measuredIndexes(plain.Cells); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("shard 2/2 with --rerun-missing of shard 1's file measured cells %v, without it %v", got, want)
	}
}

// A shard's own duplicates, cells that the partition tells apart but that this machine runs alike (num_gpu 0 and
// 1 without a GPU), are collected as the one-process sweep has them.
func TestCollectKeepsAShardsOwnDuplicates(t *testing.T) {
	opts := shardableSweep()
	opts.Axes = with(opts.Axes, "num_gpu", "0", "1")
	whole, err := Sweep(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := runShard(t, opts, 1, 1)
	collected, err := CollectSweep(context.Background(), openTestDB(t), CollectOptions{Files: []string{file}, Limits: store.DefaultImportLimits})
	if err != nil {
		t.Fatal(err)
	}
	checkSameCells(t, collected.Cells, whole.Cells, opts.Runs)
}
