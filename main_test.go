// These tests run the real chimera binary: exit statuses, one-line errors, signals and concurrent processes are
// properties of the process, not of any package.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chimera/models"
)

var (
	binary    string
	tinyModel string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chimera-cli-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "chimera")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	tinyModel = filepath.Join(dir, "tiny.gguf")
	if err := models.WriteSynthetic(tinyModel, models.SyntheticSpec{Shape: "tiny", Type: "f32", Seed: 1}); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type outcome struct {
	status         int
	stdout, stderr string
}

func chimera(t *testing.T, env []string, args ...string) outcome {
	t.Helper()
	return chimeraIn(t, "", env, args...)
}

// chimeraIn runs chimera in the working directory dir ("" for the test's own).
func chimeraIn(t *testing.T, dir string, env []string, args ...string) outcome {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CHIMERA_CACHE_DIR="+t.TempDir()), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if exit, ok := err.(*exec.ExitError); ok {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return outcome{status, stdout.String(), stderr.String()}
}

func writeFile(t *testing.T, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadInputIsOneLineAndStatus2(t *testing.T) {
	truncated, _ := os.ReadFile(tinyModel)
	cases := map[string][]string{
		"bad magic":             {"generate", "-m", writeFile(t, "bad.gguf", []byte("PK\x03\x04 not a model")), "--prompt", "hi"},
		"truncated model":       {"generate", "-m", writeFile(t, "cut.gguf", truncated[:len(truncated)/2]), "--prompt", "hi"},
		"missing model":         {"generate", "-m", "/nonexistent/model.gguf", "--prompt", "hi"},
		"unknown synthetic":     {"generate", "-m", "synthetic:2b-q8_0", "--prompt", "hi"},
		"no prompt":             {"generate", "-m", tinyModel},
		"unknown flag":          {"generate", "--bogus"},
		"num_ctx too small":     {"generate", "-m", tinyModel, "--prompt", "hi", "--num-ctx", "5"},
		"bad num_gpu":           {"generate", "-m", tinyModel, "--prompt", "hi", "--num-gpu", "most"},
		"bad top_p":             {"generate", "-m", tinyModel, "--prompt", "hi", "--top-p", "1.5"},
		"prompt too long":       {"generate", "-m", tinyModel, "--prompt", strings.Repeat("word ", 600), "--num-ctx", "64", "--num-predict", "4"},
		"empty data dir":        {"run", "-m", tinyModel, "--data", t.TempDir()},
		"missing data dir":      {"run", "-m", tinyModel, "--data", "/nonexistent/dir"},
		"unknown agent":         {"run", "-m", tinyModel, "--agent", "critic"},
		"missing run":           {"runs", "show", "4242"},
		"bad export format":     {"runs", "export", "--all", "--format", "xml"},
		"unknown command":       {"bogus"},
		"unknown run kind":      {"runs", "list", "--kind", "bogus"},
		"prompt file /dev/zero": {"generate", "-m", tinyModel, "--prompt-file", "/dev/zero"},
		"prompt file a FIFO":    {"generate", "-m", tinyModel, "--prompt-file", fifo(t)},
		"overflowing range":     {"bench", "-m", tinyModel, "--threads", "1-9223372036854775807+1"},
		"billion-value range":   {"sweep", "-m", tinyModel, "--num-gpu", "0-1000000000"},
		"oversized grid":        {"bench", "-m", tinyModel, "--num-gpu", "0-100", "--threads", "1-100"},
		"unknown ollama tag":    {"generate", "-m", "gemma3:1b", "--prompt", "hi"},
		"unknown vocabulary":    {"models", "synth", "--vocab", "klingon", "--out", filepath.Join(t.TempDir(), "m.gguf")},
		"gemma3 without it":     {"models", "synth", "--vocab", "gemma3", "--out", filepath.Join(t.TempDir(), "m.gguf")},
	}
	db := "CHIMERA_DB=" + filepath.Join(t.TempDir(), "chimera.db")
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			got := chimera(t, []string{db, "OLLAMA_MODELS=" + t.TempDir()}, args...)
			lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
			if got.status != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "chimera: ") {
				t.Errorf("status %d, stderr %q: want status 2 and one line", got.status, got.stderr)
			}
		})
	}
}

// fifo is a named pipe nobody writes to: opening it for reading would wait for ever.
func fifo(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenerateJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	got := chimera(t, nil, "--db", db, "generate", "-m", tinyModel, "--prompt", "Hello", "--num-predict", "8", "--threads", "1", "--json")
	if got.status != 0 {
		t.Fatalf("status %d: %s", got.status, got.stderr)
	}
	var out struct {
		RunID     int64 `json:"run_id"`
		Synthetic bool  `json:"synthetic_weights"`
		Timings   struct {
			GenTokens int     `json:"gen_tokens"`
			TTFTMS    float64 `json:"ttft_ms"`
		} `json:"timings"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &out); err != nil {
		t.Fatalf("%v in %q", err, got.stdout)
	}
	if !out.Synthetic || out.Timings.GenTokens < 1 || out.Timings.GenTokens > 8 || out.Timings.TTFTMS <= 0 {
		t.Errorf("unexpected output %+v", out)
	}
	listed := chimera(t, nil, "runs", "list", "--kind", "generate", "--json", "--db", db) // a global option after the command
	var runs []struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(listed.stdout), &runs); err != nil {
		t.Fatalf("%v in %q", err, listed.stdout)
	}
	if len(runs) != 1 || runs[0].ID != out.RunID || runs[0].Status != "ok" {
		t.Errorf("recorded generate runs %+v, want run %d ok", runs, out.RunID)
	}
}

func runArgs(db, out string, extra ...string) []string {
	args := []string{"--db", db, "run", "-m", tinyModel, "--data", "pipeline/artifacts/testdata/artifacts", "--threads", "1",
		"--num-ctx", "2048", "--out", out}
	return append(args, extra...)
}

type runRow struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Calls  int    `json:"calls"`
	Label  string `json:"label"`
}

func recordedRuns(t *testing.T, db string) []runRow {
	t.Helper()
	got := chimera(t, nil, "--db", db, "runs", "list", "--json", "--limit", "0")
	var runs []runRow
	if err := json.Unmarshal([]byte(got.stdout), &runs); err != nil {
		t.Fatalf("%v: %s %s", err, got.stdout, got.stderr)
	}
	return runs
}

func TestSignalsMarkTheRunInterrupted(t *testing.T) {
	for _, signal := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(signal.String(), func(t *testing.T) { checkSignalInterruptsTheRun(t, signal) })
	}
}

// startRun starts a long `chimera run` recording into db; its stderr is collected.
func startRun(t *testing.T, db string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	return startChimera(t, runArgs(db, t.TempDir(), "--num-predict", "0", "--num-ctx", "16384")...)
}

// startChimera starts chimera with args, its stderr collected, and returns without waiting for it.
func startChimera(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "CHIMERA_CACHE_DIR="+t.TempDir())
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stderr
}

func checkSignalInterruptsTheRun(t *testing.T, signal syscall.Signal) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	cmd, stderr := startRun(t, db)
	// Interrupt during the first call: the model is loaded once the log names it.
	waitFor(t, stderr, "model:")
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(signal)
	err := cmd.Wait()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 130 {
		t.Fatalf("exit %v, want status 130; stderr %s", err, stderr)
	}
	runs := recordedRuns(t, db)
	if len(runs) != 1 || runs[0].Status != "interrupted" || runs[0].Calls < 1 {
		t.Errorf("runs %+v, want one interrupted run with its interrupted call", runs)
	}
}

// A run whose process is killed outright is not shown as running for ever: the next open of the database finds
// its process gone and marks it abandoned, with the reason.
func TestAKilledRunIsMarkedAbandoned(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	cmd, stderr := startRun(t, db)
	waitFor(t, stderr, "model:")
	cmd.Process.Kill()
	cmd.Wait()
	runs := recordedRuns(t, db)
	if len(runs) != 1 || runs[0].Status != "abandoned" {
		t.Errorf("runs %+v, want one abandoned run", runs)
	}
}

// A second signal ends a process at once, whatever it is doing; the run it leaves is abandoned or interrupted.
func TestASecondSignalExitsAtOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	cmd, stderr := startRun(t, db)
	waitFor(t, stderr, "model:")
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 130 {
			t.Fatalf("exit %v, want status 130; stderr %s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 10 s after the second signal")
	}
	if runs := recordedRuns(t, db); len(runs) != 1 || (runs[0].Status != "abandoned" && runs[0].Status != "interrupted") {
		t.Errorf("runs %+v, want one abandoned or interrupted run", runs)
	}
}

func TestConcurrentProcessesShareOneDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	var wg sync.WaitGroup
	outcomes := make([]outcome, 4)
	for i := range outcomes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i] = chimera(t, nil, runArgs(db, t.TempDir(), "--num-predict", "4")...)
		}()
	}
	wg.Wait()
	for i, o := range outcomes {
		if o.status != 0 || strings.Contains(o.stderr, "locked") {
			t.Errorf("process %d: status %d, stderr %s", i, o.status, o.stderr)
		}
	}
	runs := recordedRuns(t, db)
	if len(runs) != 4 {
		t.Fatalf("%d runs recorded, want 4", len(runs))
	}
	for _, r := range runs {
		if r.Status != "ok" || r.Calls != 4 {
			t.Errorf("run %+v, want ok with 4 calls", r)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the child's writes and the test's reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitFor(t *testing.T, b *syncBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(b.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in %s", text, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without --data chimera analyses the example artifacts built into it, wherever it is started.
func TestFactsDefaultToTheBuiltInExamples(t *testing.T) {
	out := chimeraIn(t, t.TempDir(), nil, "facts")
	if out.status != 0 || !strings.Contains(out.stdout, "param_tuning.csv") || !strings.Contains(out.stdout, "llama_bench.csv") {
		t.Errorf("facts without --data in an empty directory: %+v", out)
	}
}

// A run refused for its input creates nothing: no output folder, no synthetic model written into the cache, no
// run recorded. Every check comes before the first side effect.
func TestRefusedRunsLeaveNothingBehind(t *testing.T) {
	cases := map[string][]string{
		"run --runs 0":            {"run", "-m", tinyModel, "--runs", "0"},
		"run without artifacts":   {"run", "-m", "synthetic:tiny-f32", "--data", "/nonexistent/artifacts"},
		"compare --runs 0":        {"compare", "-m", tinyModel, "--runs", "0"},
		"multi, bad config":       {"multi", "-m", tinyModel, "--num-ctx", "-1", "chimera-homo"},
		"sweep without artifacts": {"sweep", "-m", "synthetic:270m-q8_0", "--workload", "agent", "--data", "/nonexistent/artifacts"},
		"sweep, bad workload":     {"sweep", "-m", "synthetic:270m-q8_0", "--workload", "bogus"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			cache, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
			db := filepath.Join(t.TempDir(), "chimera.db")
			got := chimera(t, []string{"CHIMERA_CACHE_DIR=" + cache}, append([]string{"--db", db}, append(args, "--out", out)...)...)
			if got.status != 2 {
				t.Fatalf("status %d, stderr %q; want 2", got.status, got.stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a refused run (%v)", out, err)
			}
			models, _ := filepath.Glob(filepath.Join(cache, "*", "*.gguf"))
			if len(models) > 0 {
				t.Errorf("model written for a refused run: %v", models)
			}
			if listed := chimera(t, nil, "--db", db, "runs", "list", "--json"); strings.TrimSpace(listed.stdout) != "[]" {
				t.Errorf("runs recorded: %s", listed.stdout)
			}
		})
	}
}
