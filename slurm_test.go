package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSlurmArraySweepEqualsOneProcess runs a sweep as a job array of two shards and a dependent collect job on a
// real single-node Slurm started under a temporary directory (scripts/slurm), on the CPU. Shard 2's first try is
// killed half-way: the collect job names its missing cell and fails, and the shard submitted again measures only
// that cell before a second collect job joins the sweep.
func TestSlurmArraySweepEqualsOneProcess(t *testing.T) {
	for _, name := range []string{"slurmctld", "slurmd", "munged", "sbatch", "squeue", "sinfo"} {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("slurm: %s not installed (Debian: slurmctld slurmd slurm-client munge)", name)
		}
	}
	dir, err := os.MkdirTemp("", "chimera-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// munged refuses a socket below a directory that not everyone may search, such as t.TempDir()'s parent.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cluster := filepath.Join(dir, "cluster")
	script, _ := filepath.Abs("scripts/slurm/local-cluster.sh")
	env := append(os.Environ(), "SLURMCTLD_PORT="+freePort(t), "SLURMD_PORT="+freePort(t))
	t.Cleanup(func() {
		stop := exec.Command(script, "stop", cluster)
		stop.Env = env
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("local-cluster.sh stop: %v\n%s", err, out)
		}
	})
	start := exec.Command(script, "start", cluster)
	start.Env = env
	if out, err := start.CombinedOutput(); err != nil {
		t.Skipf("slurm: the local cluster cannot start here: %s", lastLine(out))
	}
	env = append(env, "SLURM_CONF="+filepath.Join(cluster, "slurm.conf"), "CHIMERA="+killingShard2(t, dir), "CHIMERA_REAL="+binary,
		"CHIMERA_CACHE_DIR="+t.TempDir(), "GPUS_PER_TASK=0")

	// 4 cells of about 0.7 s each on one core: shard 1 has cells 1 and 3, shard 2 cells 2 and 4, dealt in turn.
	grid := []string{"sweep", "-m", tinyModel, "-p", "8", "-n", "1024", "--runs", "2", "--threads", "1",
		"--num-ctx", "1100,1200", "--batch", "32,64"}
	began := time.Now()
	sweepDir := filepath.Join(dir, "sweep")
	array, collect := submitSweep(t, env, sweepDir, grid)
	states := waitForJobs(t, env, array+","+collect)
	t.Logf("slurm: array job %s (2 shards, shard 2 killed after its first cell) and collect job %s: %v, %s from submission",
		array, collect, states, time.Since(began).Round(time.Millisecond))
	checkStates(t, sweepDir, states, map[string]string{array + "_1": "COMPLETED", array + "_2": "FAILED", collect: "FAILED"})
	refused, _ := os.ReadFile(filepath.Join(sweepDir, "log", "collect.out"))
	t.Logf("slurm: collect.out: %s", strings.TrimSpace(string(refused)))
	if !strings.Contains(string(refused), "1 of 4 cells missing: 4 of shard 2/2") {
		t.Errorf("the collect job after the killed shard says %q, want cell 4 of shard 2/2 named as missing", refused)
	}

	began = time.Now()
	array, collect = submitSweep(t, append(env, "SHARDS=2"), sweepDir, grid)
	states = waitForJobs(t, env, array+","+collect)
	t.Logf("slurm: shard 2 submitted again as job %s, collect job %s: %v, %s from submission", array, collect, states,
		time.Since(began).Round(time.Millisecond))
	checkStates(t, sweepDir, states, map[string]string{array + "_2": "COMPLETED", collect: "COMPLETED"})
	rerun, _ := os.ReadFile(filepath.Join(sweepDir, "log", "shard-2.out"))
	if got := measuredCells(string(rerun)); !slices.Equal(got, []string{"4"}) {
		t.Errorf("shard 2 submitted again measured cells %v, want only the missing cell 4", got)
	}
	if statuses := shardStatuses(t, filepath.Join(sweepDir, "sweep.db"), "2/2"); !slices.Equal(statuses, []string{"abandoned", "ok"}) {
		t.Errorf("shard 2's runs are %v in the collected database, want the killed one abandoned and the second ok", statuses)
	}

	oneOut := t.TempDir()
	one := chimera(t, nil, append([]string{"--db", filepath.Join(dir, "one.db")}, append(grid, "--out", oneOut)...)...)
	if one.status != 0 {
		t.Fatalf("one-process sweep: status %d\n%s", one.status, one.stderr)
	}
	collected, whole := readSweepJSON(t, filepath.Join(sweepDir, "out")), readSweepJSON(t, oneOut)
	t.Logf("slurm: collected ranking (cell:mean tok/s) %s, one-process ranking %s", collected.ranks(), whole.ranks())
	if len(collected.Cells) != 4 || len(collected.Cells) != len(whole.Cells) {
		t.Fatalf("collected %d cells, one process %d: want 4 each", len(collected.Cells), len(whole.Cells))
	}
	perShard := map[int]int{}
	for i, c := range collected.Cells {
		w := whole.Cells[i]
		if compact(c.Config) != compact(w.Config) || c.NumGPUEffective != w.NumGPUEffective {
			t.Errorf("cell %d: collected %s (num_gpu %d), one process %s (num_gpu %d)", i+1, compact(c.Config),
				c.NumGPUEffective, compact(w.Config), w.NumGPUEffective)
		}
		if len(c.DecodeTPS) != 2 || len(c.TTFTms) != 2 {
			t.Errorf("cell %d: %d decode and %d ttft measurements, want 2 each (--runs 2)", i+1, len(c.DecodeTPS), len(c.TTFTms))
		}
		perShard[c.Shard]++
	}
	if perShard[1] != 2 || perShard[2] != 2 {
		t.Errorf("cells per shard %v, want 2 from each of shards 1 and 2", perShard)
	}
	if !t.Failed() {
		t.Logf("slurm: 4 cells, same settings as one process, 2 runs each, cells per shard %v", perShard)
	}
}

// killingShard2 writes a chimera (CHIMERA_REAL) that kills shard 2/2's first try with SIGKILL once it has finished
// its first cell, as a node lost half-way would leave it, and returns its path.
func killingShard2(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "chimera-killing-shard-2")
	script := `#!/usr/bin/env bash
if [[ " $* " == *" --shard 2/2 "* && ! -e $0.killed ]]; then
  touch "$0.killed"
  "$CHIMERA_REAL" "$@" 2>"$0.log" &
  until grep -q ': decode' "$0.log" || ! kill -0 $! 2>/dev/null; do sleep 0.02; done
  kill -9 $!
  cat "$0.log" >&2
  exit 137
fi
exec "$CHIMERA_REAL" "$@"
`
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// submitSweep submits the sweep with scripts/slurm/submit.sh, 2 shards into dir, and returns the array and collect
// jobs.
func submitSweep(t *testing.T, env []string, dir string, sweep []string) (array, collect string) {
	t.Helper()
	submit := exec.Command("scripts/slurm/submit.sh", append([]string{dir, "2"}, sweep[1:]...)...)
	submit.Env = env
	out, err := submit.CombinedOutput()
	if _, scanErr := fmt.Sscanf(string(out), "array %s collect %s", &array, &collect); err != nil || scanErr != nil {
		t.Fatalf("submit.sh: %v\n%s", err, out)
	}
	return array, collect
}

// checkStates stops the test, with the tails of the jobs' logs under dir, where a job did not end as want says.
func checkStates(t *testing.T, dir string, states, want map[string]string) {
	t.Helper()
	for job, state := range want {
		if states[job] != state {
			logs, _ := exec.Command("sh", "-c", "tail -n 5 "+dir+"/log/*").CombinedOutput()
			t.Fatalf("job %s is %q, want %s\n%s", job, states[job], state, logs)
		}
	}
}

func compact(m json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, m); err != nil {
		return err.Error()
	}
	return b.String()
}

type sweepJSON struct {
	Cells []struct {
		Config          json.RawMessage `json:"config"`
		NumGPUEffective int             `json:"num_gpu_effective"`
		DecodeTPS       []float64       `json:"decode_tps"`
		TTFTms          []float64       `json:"ttft_ms"`
		Shard           int             `json:"shard"`
		Error           string          `json:"error"`
	} `json:"cells"`
	Ranking []struct {
		Cell int     `json:"cell"`
		Mean float64 `json:"mean"`
	} `json:"ranking"`
}

func (s sweepJSON) ranks() string {
	var parts []string
	for _, r := range s.Ranking {
		parts = append(parts, fmt.Sprintf("%d:%.0f", r.Cell, r.Mean))
	}
	return strings.Join(parts, " ")
}

// readSweepJSON reads the sweep.json of the one sweep folder directly under dir.
func readSweepJSON(t *testing.T, dir string) sweepJSON {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "sweep-*", "sweep.json"))
	if len(paths) != 1 {
		t.Fatalf("%s: %d sweep folders, want 1", dir, len(paths))
	}
	data, err := os.ReadFile(paths[0])
	var s sweepJSON
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitForJobs polls squeue until none of the jobs (and array tasks) is pending or running, and returns their states.
func waitForJobs(t *testing.T, env []string, jobs string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		cmd := exec.Command("squeue", "-h", "-t", "all", "-j", jobs, "-o", "%i %T")
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("squeue: %v", err)
		}
		states, busy := map[string]string{}, false
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if id, state, ok := strings.Cut(line, " "); ok {
				states[id] = state
				busy = busy || state == "PENDING" || state == "CONFIGURING" || state == "RUNNING" || state == "COMPLETING"
			}
		}
		if !busy && len(states) > 0 {
			return states
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs %s still %v after 3 minutes", jobs, states)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
