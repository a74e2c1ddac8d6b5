package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func sweepArgs(db, out string, extra ...string) []string {
	args := []string{"--db", db, "sweep", "-m", tinyModel, "--num-gpu", "0,all", "--num-ctx", "256", "-p", "16", "-n", "4",
		"--threads", "1", "--runs", "2", "--out", out}
	return append(args, extra...)
}

func TestSweepPrintsTheRankingAndWritesItsFiles(t *testing.T) {
	db, out := filepath.Join(t.TempDir(), "chimera.db"), t.TempDir()
	got := chimera(t, nil, sweepArgs(db, out)...)
	if got.status != 0 {
		t.Fatalf("status %d: %s", got.status, got.stderr)
	}
	for _, want := range []string{"RANK", "no GPU on this machine", "cell 2 has the effective settings of cell 1", "sweep run 1: ok", "sweep.csv", "ttft_vs_num_gpu.svg"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, got.stdout)
		}
	}
	if !strings.Contains(got.stderr, "ETA") {
		t.Errorf("no progress bar on stderr: %s", got.stderr)
	}
	listed := chimera(t, nil, "--db", db, "runs", "list", "--kind", "sweep", "--json")
	var runs []struct {
		ParentID int64 `json:"parent_id"`
	}
	if err := json.Unmarshal([]byte(listed.stdout), &runs); err != nil || len(runs) != 2 || runs[0].ParentID != 1 {
		t.Errorf("runs list --kind sweep: %v, %s", err, listed.stdout)
	}
}

func TestBadSweepAndBenchInputIsOneLineAndStatus2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	cases := map[string][]string{
		"unknown workload":      sweepArgs(db, t.TempDir(), "--workload", "chat"),
		"workflow of bench":     sweepArgs(db, t.TempDir(), "--rank-by", "workflow"),
		"temperature not a num": sweepArgs(db, t.TempDir(), "--temp", "0.2,hot"),
		"test beyond num_ctx":   sweepArgs(db, t.TempDir(), "-p", "512"),
		"bad num_gpu range":     sweepArgs(db, t.TempDir(), "--num-gpu", "9-2"),
		"bench format":          {"--db", db, "bench", "-m", tinyModel, "--format", "xml"},
		"bench no flash-attn":   {"--db", db, "bench", "-m", tinyModel, "--flash-attn", ","},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			got := chimera(t, nil, args...)
			lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
			if got.status != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "chimera: ") {
				t.Errorf("status %d, stderr %q: want status 2 and one line", got.status, got.stderr)
			}
		})
	}
}

func TestSIGINTStopsABenchSweepBetweenTokens(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	// A generation test of 16384 tokens runs for many seconds; the interrupt must not wait for it.
	cmd, stderr := startChimera(t, sweepArgs(db, t.TempDir(), "--num-ctx", "16384", "-p", "1", "-n", "16384")...)
	waitFor(t, stderr, "model loaded")
	time.Sleep(300 * time.Millisecond)
	interrupted := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 130 {
		t.Fatalf("exit %v, want status 130; stderr %s", err, stderr)
	}
	if waited := time.Since(interrupted); waited > 3*time.Second {
		t.Errorf("the sweep took %s to stop", waited)
	}
	runs := recordedRuns(t, db)
	if len(runs) != 2 || runs[0].Status != "interrupted" || runs[1].Status != "interrupted" {
		t.Errorf("runs %+v, want the sweep and its first cell interrupted", runs)
	}
}

func TestSweepShardsCollectIntoOneRanking(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	shardDB := func(k int) string { return filepath.Join(dir, fmt.Sprintf("shard%d.db", k)) }
	grid := []string{"--num-gpu", "all", "--num-ctx", "256,512", "--runs", "1"}
	for k := 1; k <= 2; k++ {
		got := chimera(t, nil, sweepArgs(shardDB(k), out, append(grid, "--shard", fmt.Sprintf("%d/2", k))...)...)
		if got.status != 0 || !strings.Contains(got.stdout, fmt.Sprintf("shard %d/2 of sweep", k)) {
			t.Fatalf("shard %d/2: status %d\n%s%s", k, got.status, got.stdout, got.stderr)
		}
	}
	db := filepath.Join(dir, "chimera.db")
	got := chimera(t, nil, "--db", db, "sweep", "collect", "--out", out, shardDB(1), shardDB(2))
	host, _ := os.Hostname()
	// Each shard's sweep run and its one cell's run are imported first (runs 1 to 4), then the collected run.
	if got.status != 0 || !strings.Contains(got.stdout, "collected from its shards") || !strings.Contains(got.stdout, "HOST") ||
		strings.Count(got.stdout, " "+host+" ") != 2 || !strings.Contains(got.stdout, "sweep run 5: ok") {
		t.Errorf("collect: status %d\n%s%s", got.status, got.stdout, got.stderr)
	}
	for _, bad := range [][]string{
		sweepArgs(db, out, append(grid, "--shard", "3/2")...),
		{"--db", db, "sweep", "collect", "--out", out, shardDB(1)},
	} {
		got := chimera(t, nil, bad...)
		if got.status != 2 || strings.Count(strings.TrimSpace(got.stderr), "\n") > 0 {
			t.Errorf("%v: status %d, want 2 and one line: %s", bad, got.status, got.stderr)
		}
	}
}
