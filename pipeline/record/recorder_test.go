package record

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"chimera/pipeline/agents"
	"chimera/store"
)

func TestStatusOf(t *testing.T) {
	for err, want := range map[error]store.Status{
		nil:                                      store.StatusOK,
		context.Canceled:                         store.StatusInterrupted,
		fmt.Errorf("pass: %w", context.Canceled): store.StatusInterrupted,
		context.DeadlineExceeded:                 store.StatusInterrupted,
		errors.New("llama_decode failed"):        store.StatusFailed,
	} {
		if got := StatusOf(err); got != want {
			t.Errorf("StatusOf(%v) = %s, want %s", err, got, want)
		}
	}
}

// A run whose outcome cannot be recorded says so, beside its own error, instead of dropping it.
func TestFinishReportsAFailureToRecordTheOutcome(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "chimera.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec := New(context.Background(), db)
	id, err := rec.StartRun(store.Run{Kind: store.KindBench})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	runErr := errors.New("llama_decode failed")
	status, err := rec.Finish(id, runErr)
	if status != string(store.StatusFailed) || !errors.Is(err, runErr) || !strings.Contains(err.Error(), "record the end of run") {
		t.Errorf("Finish = %s, %v; want failed, the run's error and the store's", status, err)
	}
}

// A call is stored with the exact text its tokens came from and why it stopped, which a replay on another engine
// needs.
func TestAddCallKeepsTheRenderedPromptAndStopReason(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "chimera.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := New(context.Background(), db)
	id, err := rec.StartRun(store.Run{Kind: store.KindRun})
	if err != nil {
		t.Fatal(err)
	}
	call := agents.CallRecord{Stage: agents.StageAnalysis, StopReason: "eog",
		Prompt: agents.PromptPlan{User: "Task: analyse.", Rendered: "<start_of_turn>user\nTask: analyse.<end_of_turn>\n<start_of_turn>model\n"}}
	if err := rec.AddCall(id, 0, call); err != nil {
		t.Fatal(err)
	}
	run, err := db.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	got := run.Calls[0]
	if got.Prompt != call.Prompt.User || got.RenderedPrompt != call.Prompt.Rendered || got.StopReason != "eog" {
		t.Errorf("stored prompt %q, rendered %q, stop %q; want %q, %q, eog", got.Prompt, got.RenderedPrompt, got.StopReason,
			call.Prompt.User, call.Prompt.Rendered)
	}
}
