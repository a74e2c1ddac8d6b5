package record

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

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
