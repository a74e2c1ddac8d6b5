package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	writers       = 4
	runsPerWriter = 50
	callsPerRun   = 3
)

// writeRuns records runsPerWriter finished runs with their calls, as one
// chimera process does.
func writeRuns(db *DB, writer int) error {
	ctx := context.Background()
	for i := range runsPerWriter {
		id, err := db.StartRun(ctx, Run{Kind: KindRun, Label: fmt.Sprintf("writer %d run %d", writer, i)})
		if err != nil {
			return err
		}
		for seq := range callsPerRun {
			if _, err := db.AddCall(ctx, Call{RunID: id, Stage: "analysis", Seq: seq, Prompt: "p", Response: "r"}); err != nil {
				return err
			}
		}
		if err := db.FinishRun(ctx, id, StatusOK, ""); err != nil {
			return err
		}
	}
	return nil
}

// openAndWriteRuns opens path, which may not exist yet, and writes its runs.
func openAndWriteRuns(path string, writer int) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	return writeRuns(db, writer)
}

func checkEveryRunWritten(t *testing.T, path string) {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.ListRuns(context.Background(), ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != writers*runsPerWriter {
		t.Errorf("%d runs recorded, want %d", len(runs), writers*runsPerWriter)
	}
	labels := make(map[string]bool)
	for _, r := range runs {
		if labels[r.Label] || r.Status != StatusOK || r.Calls != callsPerRun {
			t.Errorf("run %d (%s): status %s, %d calls; want one ok run with %d calls",
				r.ID, r.Label, r.Status, r.Calls, callsPerRun)
		}
		labels[r.Label] = true
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimera.db")
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			if err := openAndWriteRuns(path, w); err != nil {
				t.Errorf("writer %d: %v", w, err)
			}
		})
	}
	wg.Wait()
	checkEveryRunWritten(t, path)
}

// writerProcessEnv makes the test binary, re-executed by
// TestConcurrentProcesses, one writer process: its value is "writer:path".
const writerProcessEnv = "CHIMERA_STORE_TEST_WRITER"

func TestConcurrentProcesses(t *testing.T) {
	if spec := os.Getenv(writerProcessEnv); spec != "" {
		runWriterProcess(t, spec)
		return
	}
	path := filepath.Join(t.TempDir(), "chimera.db")
	outputs := make([]bytes.Buffer, writers)
	processes := make([]*exec.Cmd, writers)
	for w := range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", writerProcessEnv, w, path))
		cmd.Stdout, cmd.Stderr = &outputs[w], &outputs[w]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		processes[w] = cmd
	}
	for w, cmd := range processes {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v\n%s", w, err, &outputs[w])
		}
	}
	checkEveryRunWritten(t, path)
}

func runWriterProcess(t *testing.T, spec string) {
	writer, path, ok := strings.Cut(spec, ":")
	n, err := strconv.Atoi(writer)
	if !ok || err != nil {
		t.Fatalf("%s=%q, want writer:path", writerProcessEnv, spec)
	}
	if err := openAndWriteRuns(path, n); err != nil {
		t.Fatal(err)
	}
}
