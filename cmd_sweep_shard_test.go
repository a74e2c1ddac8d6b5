package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shardGrid is a sweep of 6 distinct cells, 3 to each of 2 shards, each cell taking long enough (about 0.7 s on
// one core) for a shard to be killed between two of them.
var shardGrid = []string{"sweep", "-m", "", "-p", "16", "-n", "1024", "--runs", "2", "--threads", "1", "--num-ctx", "1100",
	"--batch", "32,64,128,256,512,1024"}

func shardArgs(db string, extra ...string) []string {
	grid := slices.Clone(shardGrid)
	grid[2] = tinyModel
	return append(append([]string{"--db", db}, grid...), extra...)
}

// A shard killed outright (SIGKILL) half-way keeps the cells it finished: collect names the others and exits 2,
// --allow-missing records the sweep without them, --rerun-missing measures only them, and collect then has every
// cell, each measured once.
func TestAKilledShardKeepsTheCellsItFinished(t *testing.T) {
	dir := t.TempDir()
	shard1, shard2 := filepath.Join(dir, "shard-1-of-2.db"), filepath.Join(dir, "shard-2-of-2.db")
	killed, log := startChimera(t, shardArgs(shard1, "--shard", "1/2", "--out", t.TempDir())...)
	waitFor(t, log, ": decode")
	killed.Process.Kill()
	killed.Wait()
	if got := chimera(t, nil, shardArgs(shard2, "--shard", "2/2", "--out", t.TempDir())...); got.status != 0 {
		t.Fatalf("shard 2/2: status %d: %s", got.status, got.stderr)
	}

	// The grid's 6 distinct cells are dealt to the shards in turn: shard 1 has cells 1, 3 and 5, in that order.
	finished := endedCellRuns(t, shard1)
	if finished < 1 || finished > 2 {
		t.Fatalf("the killed shard finished %d of its 3 cells, want 1 or 2 (killed after its first)", finished)
	}
	var missing []string
	for cell := 1 + 2*finished; cell <= 5; cell += 2 {
		missing = append(missing, strconv.Itoa(cell))
	}
	t.Logf("killed shard 1/2 after %d finished cells: cells %v missing", finished, missing)

	refused := chimera(t, nil, "--db", filepath.Join(dir, "refused.db"), "sweep", "collect", "--out", t.TempDir(), shard1, shard2)
	want := fmt.Sprintf("%d of 6 cells missing: %s of shard 1/2", len(missing), strings.Join(missing, ", "))
	if refused.status != 2 || !strings.Contains(refused.stderr, want) || strings.Count(strings.TrimSpace(refused.stderr), "\n") != 0 {
		t.Errorf("collect with cells missing: status %d, stderr %q; want 2 and one line with %q", refused.status, refused.stderr, want)
	}
	if runs := recordedRuns(t, filepath.Join(dir, "refused.db")); len(runs) != 0 {
		t.Errorf("the refused collect recorded %d runs", len(runs))
	}

	partialDB, partialOut := filepath.Join(dir, "partial.db"), t.TempDir()
	if got := chimera(t, nil, "--db", partialDB, "sweep", "collect", "--allow-missing", "--out", partialOut, shard1, shard2); got.status != 0 {
		t.Fatalf("collect --allow-missing: status %d: %s", got.status, got.stderr)
	}
	checkCollected(t, readSweepJSON(t, partialOut), missing)
	if statuses := shardStatuses(t, partialDB, "1/2"); !slices.Equal(statuses, []string{"abandoned"}) {
		t.Errorf("the killed shard's run was imported %v, want abandoned", statuses)
	}

	rerun := chimera(t, nil, shardArgs(shard1, "--shard", "1/2", "--out", t.TempDir(), "--rerun-missing", shard1)...)
	if rerun.status != 0 {
		t.Fatalf("--rerun-missing: status %d: %s", rerun.status, rerun.stderr)
	}
	if got := measuredCells(rerun.stderr); !slices.Equal(got, missing) {
		t.Errorf("--rerun-missing measured cells %v, want the missing %v", got, missing)
	}

	out := t.TempDir()
	if got := chimera(t, nil, "--db", filepath.Join(dir, "whole.db"), "sweep", "collect", "--out", out, shard1, shard2); got.status != 0 {
		t.Fatalf("collect after the re-run: status %d: %s", got.status, got.stderr)
	}
	checkCollected(t, readSweepJSON(t, out), nil)
}

// endedCellRuns counts the cell runs of the shard's database that ended, read-only, without chimera.
func endedCellRuns(t *testing.T, db string) int {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT count(*) FROM runs WHERE parent_id IS NOT NULL AND status = 'ok'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// shardStatuses are the statuses of the runs of shard (K/N) in db, sorted.
func shardStatuses(t *testing.T, db, shard string) []string {
	t.Helper()
	var statuses []string
	for _, r := range recordedRuns(t, db) {
		if r.Kind == "sweep" && strings.Contains(r.Label, "shard "+shard+" ") {
			statuses = append(statuses, r.Status)
		}
	}
	slices.Sort(statuses)
	return statuses
}

var measuredCellLine = regexp.MustCompile(`cell (\d+) [^\n]*: decode`)

// measuredCells are the cells a sweep's log says it measured, in order.
func measuredCells(log string) []string {
	var cells []string
	for _, m := range measuredCellLine.FindAllStringSubmatch(log, -1) {
		cells = append(cells, m[1])
	}
	return cells
}

// checkCollected checks that a collected sweep has the 6 cells, each measured twice (--runs 2) but the missing
// ones, which have no measurement and say why.
func checkCollected(t *testing.T, s sweepJSON, missing []string) {
	t.Helper()
	if len(s.Cells) != 6 || len(s.Ranking) != 6-len(missing) {
		t.Fatalf("%d cells and %d ranked, want 6 and %d", len(s.Cells), len(s.Ranking), 6-len(missing))
	}
	for i, c := range s.Cells {
		if slices.Contains(missing, strconv.Itoa(i+1)) {
			if len(c.DecodeTPS) != 0 || !strings.Contains(c.Error, "missing") {
				t.Errorf("missing cell %d: %d measurements, error %q", i+1, len(c.DecodeTPS), c.Error)
			}
			continue
		}
		if len(c.DecodeTPS) != 2 || c.Error != "" {
			t.Errorf("cell %d: %d measurements, error %q; want 2 and none", i+1, len(c.DecodeTPS), c.Error)
		}
	}
}

// bench --shard K/N measures its part of the grid as sweep's shards do, and bench collect joins the parts: the
// rows of the one-process bench, each configuration measured by one shard.
func TestBenchShardsJoinInBenchCollect(t *testing.T) {
	dir := t.TempDir()
	bench := func(db string, extra ...string) string {
		return succeed(t, append([]string{"--db", db, "bench", "-m", tinyModel, "-p", "8", "-n", "2", "--reps", "1", "--threads", "1",
			"--num-ctx", "64", "--batch", "16,32,64", "--format", "jsonl"}, extra...)...)
	}
	whole := strings.Count(bench(filepath.Join(dir, "one.db")), "\n")
	files := []string{filepath.Join(dir, "shard-1-of-2.db"), filepath.Join(dir, "shard-2-of-2.db")}
	perShard := []int{strings.Count(bench(files[0], "--shard", "1/2"), "\n"), strings.Count(bench(files[1], "--shard", "2/2"), "\n")}
	// 3 configurations, pp and tg each: shard 1 measures the first and third, shard 2 the second.
	if whole != 6 || !slices.Equal(perShard, []int{4, 2}) {
		t.Errorf("rows: %d in one process, %v per shard; want 6, and 4 and 2", whole, perShard)
	}
	collected := succeed(t, append([]string{"--db", filepath.Join(dir, "all.db"), "bench", "collect", "--format", "jsonl"}, files...)...)
	if n := strings.Count(collected, "\n"); n != whole {
		t.Errorf("bench collect printed %d rows, want the one-process bench's %d", n, whole)
	}
	for _, args := range [][]string{{"bench", "collect"}, {"bench", "collect", files[0]}, {"sweep", "collect", files[0]}} {
		got := chimera(t, nil, append([]string{"--db", filepath.Join(dir, "refused.db")}, args...)...)
		if got.status != 2 || strings.Count(strings.TrimSpace(got.stderr), "\n") != 0 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line", args, got.status, got.stderr)
		}
		t.Logf("%v: %s", args, strings.TrimSpace(got.stderr))
	}
}
