package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deadPID is the pid of a process that has run and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// A run left running by a process that died, or by a boot that ended, is found when the database is next opened
// and shown as abandoned with the reason; a run whose process lives is left running.
func TestRunsOfDeadProcessesAreMarkedAbandoned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimera.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	killed, rebooted, live := mustStartRun(t, db, Run{Kind: KindRun}), mustStartRun(t, db, Run{Kind: KindBench}), mustStartRun(t, db, Run{Kind: KindSweep})
	agent, err := db.AddAgentRun(context.Background(), AgentRun{RunID: killed, Agent: "collector", Repetition: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.Exec("UPDATE runs SET pid = ? WHERE id = ?", deadPID(t), killed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.Exec("UPDATE runs SET boot_id = 'an earlier boot' WHERE id = ?", rebooted); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[int64]struct {
		status Status
		reason string
	}{killed: {StatusAbandoned, "ended without finishing"}, rebooted: {StatusAbandoned, "machine restarted"}, live: {StatusRunning, ""}} {
		run := mustGetRun(t, db, id)
		if run.Status != want.status || !strings.Contains(run.Error, want.reason) {
			t.Errorf("run %d: %s (%q), want %s (%q)", id, run.Status, run.Error, want.status, want.reason)
		}
	}
	if a := mustGetRun(t, db, killed).AgentRuns; len(a) != 1 || a[0].ID != agent || a[0].Status != StatusAbandoned {
		t.Errorf("agent runs of the abandoned run: %+v", a)
	}
	if err := db.FinishRun(context.Background(), killed, StatusOK, ""); err == nil {
		t.Error("an abandoned run was finished again")
	}
}

func TestProcessAlive(t *testing.T) {
	if !processAlive(os.Getpid()) {
		t.Error("this process is not alive")
	}
	if processAlive(deadPID(t)) {
		t.Error("a reaped process is alive")
	}
}
