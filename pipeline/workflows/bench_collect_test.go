package workflows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/store"
)

// shardableBench varies num_gpu between two values that are duplicates on any machine (see shardableSweep), so
// that each shard measures some configurations and repeats others.
func shardableBench() BenchOptions {
	return BenchOptions{Target: Target{ModelRef: tinyModel}, NPrompt: 16, NGen: 4, Reps: 1,
		Axes: with(with(with(tinyAxes(), "num_gpu", "99", "all"), "num_ctx", "256", "512"), "batch", "64", "128")}
}

// runBenchShard measures shard k/n of opts into its own database and returns its path and rows.
func runBenchShard(t *testing.T, opts BenchOptions, k, n int) (string, []BenchRow) {
	t.Helper()
	opts.Shard = Shard{K: k, N: n}
	var rows []BenchRow
	path := inOwnDB(t, opts.Shard, func(db *store.DB) (err error) {
		rows, err = Bench(context.Background(), db, opts)
		return err
	})
	return path, rows
}

// rowKeys name each row by its settings, its test and whether it repeats another's measurement, sorted.
func rowKeys(rows []BenchRow, measuredOnly bool) []string {
	var keys []string
	for _, r := range rows {
		if !measuredOnly || r.DuplicateOf == "" {
			keys = append(keys, fmt.Sprintf("%s %s duplicate=%t", r.Settings, r.Test(), r.DuplicateOf != ""))
		}
	}
	slices.Sort(keys)
	return keys
}

func TestShardedBenchCollectsToTheBenchMeasuredInOnePlace(t *testing.T) {
	opts := shardableBench()
	whole, err := Bench(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	file1, rows1 := runBenchShard(t, opts, 1, 2)
	file2, rows2 := runBenchShard(t, opts, 2, 2)
	measured1, measured2 := rowKeys(rows1, true), rowKeys(rows2, true)
	if len(measured1) == 0 || len(measured1) != len(measured2) {
		t.Errorf("unbalanced shards: %d and %d measured rows", len(measured1), len(measured2))
	}
	both := slices.Sorted(slices.Values(append(slices.Clone(measured1), measured2...)))
	if want := rowKeys(whole, true); !slices.Equal(both, want) || len(slices.Compact(slices.Clone(both))) != len(both) {
		t.Errorf("the shards measured\n%v\nand\n%v\nthe one-process bench\n%v", measured1, measured2, want)
	}

	db := openTestDB(t)
	collected, err := CollectBench(context.Background(), db, CollectOptions{Files: []string{file2, file1}, Limits: store.DefaultImportLimits})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowKeys(collected, false), rowKeys(whole, false); !slices.Equal(got, want) {
		t.Errorf("collected rows\n%v\nthe one-process bench's\n%v", got, want)
	}
	runs, err := db.ListRuns(context.Background(), store.ListFilter{Kind: store.KindBench})
	if err != nil || len(runs) != 3 || !strings.Contains(runs[0].Label, "collected from 2 of the 2 shards of bench") {
		t.Errorf("runs after collect: %+v, %v; want the 2 shards and the collected bench", runs, err)
	}
}

func TestBenchCollectNamesAMissingShard(t *testing.T) {
	opts := shardableBench()
	file1, rows1 := runBenchShard(t, opts, 1, 2)
	db := openTestDB(t)
	_, err := CollectBench(context.Background(), db, CollectOptions{Files: []string{file1}, Limits: store.DefaultImportLimits})
	if !engine.IsInputError(err) || !strings.Contains(err.Error(), "no finished run of shard 2/2 (no run)") {
		t.Errorf("collect without shard 2/2: %v", err)
	}
	if runs, _ := db.ListRuns(context.Background(), store.ListFilter{}); len(runs) != 0 {
		t.Errorf("the refused collect recorded %d runs", len(runs))
	}
	rows, err := CollectBench(context.Background(), db, CollectOptions{Files: []string{file1}, Limits: store.DefaultImportLimits, AllowMissing: true})
	if err != nil || !slices.Equal(rowKeys(rows, false), rowKeys(rows1, false)) {
		t.Errorf("collect --allow-missing: %d rows, %v; want shard 1's %d", len(rows), err, len(rows1))
	}
}
