package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSlurmArraySweepEqualsOneProcess runs a sweep as a job array of two shards and a dependent collect job on a
// real single-node Slurm started under a temporary directory (scripts/slurm), on the CPU.
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
	env = append(env, "SLURM_CONF="+filepath.Join(cluster, "slurm.conf"), "CHIMERA="+binary,
		"CHIMERA_CACHE_DIR="+t.TempDir(), "GPUS_PER_TASK=0")

	grid := []string{"sweep", "-m", tinyModel, "-p", "8", "-n", "2", "--runs", "2", "--threads", "1",
		"--num-ctx", "64,128", "--batch", "32,64"}
	began := time.Now()
	sweepDir := filepath.Join(dir, "sweep")
	submit := exec.Command("scripts/slurm/submit.sh", append([]string{sweepDir, "2"}, grid[1:]...)...)
	submit.Env = env
	out, err := submit.CombinedOutput()
	var array, collect string
	if _, scanErr := fmt.Sscanf(string(out), "array %s collect %s", &array, &collect); err != nil || scanErr != nil {
		t.Fatalf("submit.sh: %v\n%s", err, out)
	}
	states := waitForJobs(t, env, array+","+collect)
	t.Logf("slurm: array job %s (2 shards) and collect job %s: %v, %s from submission", array, collect, states,
		time.Since(began).Round(time.Millisecond))
	for _, job := range []string{array + "_1", array + "_2", collect} {
		if states[job] != "COMPLETED" {
			logs, _ := exec.Command("sh", "-c", "tail -n 5 "+sweepDir+"/log/*").CombinedOutput()
			t.Fatalf("job %s is %q, want COMPLETED\n%s", job, states[job], logs)
		}
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
