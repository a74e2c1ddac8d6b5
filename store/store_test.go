package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

func openTestDB(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "not", "yet", "there", "chimera.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func mustStartRun(t *testing.T, db *DB, r Run) int64 {
	t.Helper()
	id, err := db.StartRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustAddCall(t *testing.T, db *DB, c Call) int64 {
	t.Helper()
	id, err := db.AddCall(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustGetRun(t *testing.T, db *DB, id int64) *RunDetail {
	t.Helper()
	detail, err := db.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return detail
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var value string
	if err := db.QueryRow("PRAGMA " + name).Scan(&value); err != nil {
		t.Fatal(err)
	}
	return value
}

func TestOpenCreatesCurrentSchema(t *testing.T) {
	db, _ := openTestDB(t)
	if got, want := pragma(t, db.writer, "user_version"), fmt.Sprint(len(schemaSteps)); got != want {
		t.Errorf("user_version = %s, want %s", got, want)
	}
	if got := pragma(t, db.writer, "journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %s, want wal", got)
	}
	if got := pragma(t, db.writer, "synchronous"); got != "1" {
		t.Errorf("synchronous = %s, want 1 (NORMAL)", got)
	}
	if _, err := db.AddCall(context.Background(), Call{RunID: 999, Stage: "analysis"}); err == nil {
		t.Error("a call of a missing run was accepted: foreign keys are not enforced")
	}
}

func TestOpenAnyFileName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?#%20", "run log?.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not where it was asked to be: %v", err)
	}
}

func TestOpenMigratesOlderDatabaseKeepingRows(t *testing.T) {
	ctx := context.Background()
	for version := 1; version < len(schemaSteps); version++ {
		t.Run(fmt.Sprintf("from v%d", version), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "chimera.db")
			old, err := open(path, schemaSteps[:version])
			if err != nil {
				t.Fatal(err)
			}
			runID := insertV1Run(t, old, "before the upgrade")
			if _, err := old.writer.Exec("INSERT INTO llm_calls (run_id, stage, seq, prompt) VALUES (?, 'analysis', 1, 'kept?')", runID); err != nil {
				t.Fatal(err)
			}
			old.Close()

			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got, want := pragma(t, db.writer, "user_version"), fmt.Sprint(len(schemaSteps)); got != want {
				t.Errorf("user_version = %s, want %s", got, want)
			}
			if err := db.AddBenchResults(ctx, runID, []BenchResult{{Test: "tg", NGen: 8}}); err != nil {
				t.Fatalf("the newest table is unusable after the upgrade: %v", err)
			}
			detail := mustGetRun(t, db, runID)
			if detail.Label != "before the upgrade" || len(detail.Calls) != 1 || detail.Calls[0].Prompt != "kept?" ||
				detail.Calls[0].RenderedPrompt != "" {
				t.Errorf("rows written before the upgrade changed: %+v", detail)
			}
		})
	}
}

// insertV1Run writes a finished run with only the columns of the first schema, as an old chimera did.
func insertV1Run(t *testing.T, db *DB, label string) int64 {
	t.Helper()
	result, err := db.writer.Exec("INSERT INTO runs (kind, status, started_at, label) VALUES (?, ?, ?, ?)",
		KindRun, StatusOK, "2025-03-01T12:00:00.000000000Z", label)
	if err != nil {
		t.Fatal(err)
	}
	id, err := result.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	db, path := openTestDB(t)
	newer := len(schemaSteps) + 1
	if _, err := db.writer.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	_, err := Open(path)
	want := fmt.Sprintf("DB was written by a newer chimera (schema v%d, this build knows v%d)", newer, len(schemaSteps))
	if err == nil || !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Open(newer database) error = %v, want one line ending in %q", err, want)
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Errorf("error %v is not ErrNewerSchema", err)
	}
}

func TestStartRunRecordsARunningRun(t *testing.T) {
	db, _ := openTestDB(t)
	before := time.Now()
	id := mustStartRun(t, db, Run{ID: 77, Kind: KindGenerate, Status: StatusOK, Error: "ignored"})
	got := mustGetRun(t, db, id)
	if got.ID != id || got.Status != StatusRunning || got.Error != "" || !got.EndedAt.IsZero() {
		t.Errorf("StartRun did not own ID, Status, EndedAt and Error: %+v", got.Run)
	}
	if got.StartedAt.Before(before) || got.StartedAt.After(time.Now()) {
		t.Errorf("StartedAt = %v, want now", got.StartedAt)
	}
	if _, err := db.StartRun(context.Background(), Run{Kind: "benchmark"}); err == nil {
		t.Error("StartRun accepted an unknown kind")
	}
}

func TestInterruptedRunKeepsItsCalls(t *testing.T) {
	db, _ := openTestDB(t)
	id := mustStartRun(t, db, Run{Kind: KindRun})
	for seq := range 2 {
		mustAddCall(t, db, Call{RunID: id, Stage: "analysis", Seq: seq, Response: "partial"})
	}
	// The run's context is what the interrupt cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.FinishRun(ctx, id, StatusInterrupted, "interrupted by signal"); err != nil {
		t.Fatal(err)
	}

	got := mustGetRun(t, db, id)
	if got.Status != StatusInterrupted || got.Error != "interrupted by signal" || got.EndedAt.IsZero() {
		t.Errorf("interrupted run = %+v", got.Run)
	}
	if len(got.Calls) != 2 {
		t.Errorf("interrupted run has %d calls, want 2", len(got.Calls))
	}
}

func TestFinishRunRefusals(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	id := mustStartRun(t, db, Run{Kind: KindRun})
	if err := db.FinishRun(ctx, id, StatusRunning, ""); err == nil {
		t.Error("FinishRun accepted a status that is not final")
	}
	if err := db.FinishRun(ctx, id, StatusOK, ""); err != nil {
		t.Fatal(err)
	}
	err := db.FinishRun(ctx, id, StatusInterrupted, "late signal")
	if err == nil || !strings.Contains(err.Error(), "already finished (ok)") {
		t.Errorf("finishing a finished run: error = %v", err)
	}
	if got := mustGetRun(t, db, id); got.Status != StatusOK {
		t.Errorf("a second FinishRun overwrote the status with %s", got.Status)
	}
	if err := db.FinishRun(ctx, 42, StatusOK, ""); err == nil || err.Error() != "run 42 not found" {
		t.Errorf("finishing a missing run: error = %v", err)
	}
}

func TestWriteRetriesWhileBusy(t *testing.T) {
	db, _ := openTestDB(t)
	attempts := 0
	err := db.write(context.Background(), func(_ context.Context, tx *sql.Tx) error {
		attempts++
		if attempts < 3 {
			return fmt.Errorf("insert: %w", sqlite3.Error{Code: sqlite3.ErrBusy})
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Errorf("write = %v after %d attempts, want success on the third", err, attempts)
	}

	attempts = 0
	constraint := sqlite3.Error{Code: sqlite3.ErrConstraint}
	err = db.write(context.Background(), func(_ context.Context, tx *sql.Tx) error {
		attempts++
		return constraint
	})
	if !errors.Is(err, constraint) || attempts != 1 {
		t.Errorf("write = %v after %d attempts, want the constraint error at once", err, attempts)
	}
}

func TestGetRunMissing(t *testing.T) {
	db, _ := openTestDB(t)
	_, err := db.GetRun(context.Background(), 42)
	if err == nil || err.Error() != "run 42 not found" || !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRun(42) error = %v, want run 42 not found", err)
	}
}

func TestGetRunReturnsEverythingRecorded(t *testing.T) {
	db, _ := openTestDB(t)
	want := recordSampleRun(t, db, "sample")
	if got := mustGetRun(t, db, want.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("GetRun =\n%+v\nwant\n%+v", got, want)
	}
}

func TestUpdateAgentRunMissing(t *testing.T) {
	db, _ := openTestDB(t)
	err := db.UpdateAgentRun(context.Background(), AgentRun{ID: 7, Status: StatusOK})
	if err == nil || err.Error() != "agent run 7 not found" {
		t.Errorf("UpdateAgentRun(7) error = %v", err)
	}
}

func TestListRuns(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	sweep := mustStartRun(t, db, Run{Kind: KindSweep, ModelPath: "/models/tiny.gguf"})
	cell := mustStartRun(t, db, Run{Kind: KindRun, ParentID: sweep, ModelRef: "tiny", Label: "cell 1"})
	mustAddCall(t, db, Call{RunID: cell, Stage: "analysis"})
	mustAddCall(t, db, Call{RunID: cell, Stage: "report"})
	if err := db.FinishRun(ctx, cell, StatusOK, ""); err != nil {
		t.Fatal(err)
	}
	bench := mustStartRun(t, db, Run{Kind: KindBench})

	all, err := db.ListRuns(ctx, ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if ids := summaryIDs(all); !reflect.DeepEqual(ids, []int64{bench, cell, sweep}) {
		t.Errorf("ListRuns ids = %v, want newest first", ids)
	}
	got := all[1]
	if got.Kind != KindRun || got.Status != StatusOK || got.Calls != 2 || got.Model != "tiny" ||
		got.Label != "cell 1" || got.ParentID != sweep || got.Duration <= 0 {
		t.Errorf("summary of the finished cell = %+v", got)
	}
	if all[2].Model != "/models/tiny.gguf" || all[2].Duration != 0 {
		t.Errorf("summary of the running sweep = %+v, want the model path and no duration", all[2])
	}

	runs, err := db.ListRuns(ctx, ListFilter{Kind: KindRun})
	if err != nil || !reflect.DeepEqual(summaryIDs(runs), []int64{cell}) {
		t.Errorf("ListRuns(kind run) = %v, %v", summaryIDs(runs), err)
	}
	latest, err := db.ListRuns(ctx, ListFilter{Limit: 1})
	if err != nil || !reflect.DeepEqual(summaryIDs(latest), []int64{bench}) {
		t.Errorf("ListRuns(limit 1) = %v, %v", summaryIDs(latest), err)
	}
	if children := mustGetRun(t, db, sweep).Children; !reflect.DeepEqual(children, all[1:2]) {
		t.Errorf("sweep children = %+v, want the cell", children)
	}
}

func TestGetRunTreeReadsEveryChildInFull(t *testing.T) {
	db, _ := openTestDB(t)
	sweep := mustStartRun(t, db, Run{Kind: KindSweep})
	var cells []int64
	for _, threads := range []int{1, 2} {
		cell := mustStartRun(t, db, Run{Kind: KindSweep, ParentID: sweep, Label: fmt.Sprintf("cell %d", threads)})
		result := BenchResult{Test: "tg", NGen: 4, NThreads: threads, SamplesTS: []float64{10, 11}}
		if err := db.AddBenchResults(context.Background(), cell, []BenchResult{result}); err != nil {
			t.Fatal(err)
		}
		cells = append(cells, cell)
	}
	tree, err := db.GetRunTree(context.Background(), sweep)
	if err != nil {
		t.Fatal(err)
	}
	if tree.ID != sweep || len(tree.ChildDetails) != len(cells) {
		t.Fatalf("GetRunTree(%d) = run %d with %d children, want the sweep with %d", sweep, tree.ID, len(tree.ChildDetails), len(cells))
	}
	for i, child := range tree.ChildDetails {
		if want := mustGetRun(t, db, cells[i]); !reflect.DeepEqual(child, want) {
			t.Errorf("child %d =\n%+v\nwant\n%+v", i, child, want)
		}
	}
	if _, err := db.GetRunTree(context.Background(), 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRunTree(42) error = %v, want ErrNotFound", err)
	}
}

func summaryIDs(summaries []RunSummary) []int64 {
	ids := make([]int64, len(summaries))
	for i, s := range summaries {
		ids[i] = s.ID
	}
	return ids
}

// recordSampleRun records a finished run with something in every table and
// returns what GetRun should return for it.
func recordSampleRun(t *testing.T, db *DB, label string) *RunDetail {
	t.Helper()
	ctx := context.Background()
	started := time.Date(2025, 3, 1, 12, 0, 0, 120_000_000, time.UTC)
	run := Run{
		Kind: KindRun, StartedAt: started, CommandLine: "chimera run --model tiny",
		ConfigJSON: `{"ctx":2048}`, ModelRef: "tiny", ModelPath: "/models/tiny.gguf",
		ModelSHA256: "ab12", ModelFileType: "Q4_K_M", ModelSynthetic: true,
		Host: "bench-1", BuildInfo: "chimera dev", Label: label, GPUs: "CUDA0 NVIDIA H100 80GB HBM3 (79.1 GiB)",
	}
	run.ID = mustStartRun(t, db, run)
	run.PID, run.BootID = os.Getpid(), bootID() // the store's own fields

	agent := AgentRun{RunID: run.ID, Agent: "insight", Label: "rep 1", ConfigJSON: `{}`, Repetition: 1}
	agentID, err := db.AddAgentRun(ctx, agent)
	if err != nil {
		t.Fatal(err)
	}
	outcome := AgentRun{ID: agentID, IngestMS: 1.5, AnalysisMS: 200.25, ReportMS: 80, TotalMS: 281.75,
		ReportPath: "out/insight.md", Status: StatusOK}
	if err := db.UpdateAgentRun(ctx, outcome); err != nil {
		t.Fatal(err)
	}
	agent.ID, agent.Status, agent.ReportPath = agentID, outcome.Status, outcome.ReportPath
	agent.IngestMS, agent.AnalysisMS, agent.ReportMS, agent.TotalMS = 1.5, 200.25, 80, 281.75

	calls := []Call{
		{RunID: run.ID, Stage: "warmup", Seq: 0, Prompt: "hi", Response: "hello", GenTokens: 1, LoadMS: 900},
		{
			RunID: run.ID, AgentRunID: agentID, Stage: "analysis", Seq: 1,
			Prompt: "Summarize, \"quoted\"\nand multi-line", Response: "A summary.", StopReason: "num_predict",
			RenderedPrompt: "<start_of_turn>user\nSummarize, \"quoted\"\nand multi-line<end_of_turn>\n<start_of_turn>model\n",
			PromptTokens:   512, PromptTrimmed: true, GenTokens: 64, TTFTMS: 35.5,
			PromptEvalMS: 30.25, EvalMS: 640, TotalMS: 675.25, PromptTPS: 16925.6, DecodeTPS: 100,
			TimingsJSON: `{"n_p_eval":512}`, StartedAt: started.Add(time.Second),
		},
	}
	for i := range calls {
		calls[i].ID = mustAddCall(t, db, calls[i])
	}

	files := []FileRecord{
		{Path: "logs/a.csv", Kind: "csv", Bytes: 2048, SHA256: "cd34", Rows: 40},
		{Path: "logs/b.bin", Kind: "binary", SkippedReason: "not text"},
	}
	if err := db.AddFiles(ctx, run.ID, files); err != nil {
		t.Fatal(err)
	}
	facts := []FactRecord{{FactID: "F1", Kind: "metric", Text: "p99 is 12 ms", Source: "logs/a.csv", Field: "p99", Value: "12", Unit: "ms"}}
	if err := db.AddFacts(ctx, run.ID, facts); err != nil {
		t.Fatal(err)
	}
	report := Report{RunID: run.ID, AgentRunID: agentID, Name: "insight", Path: "out/insight.md", Markdown: "# Insight\n"}
	if report.ID, err = db.AddReport(ctx, report); err != nil {
		t.Fatal(err)
	}
	bench := []BenchResult{{
		Test: "pp", NPrompt: 512, NDepth: 1024, NGPULayers: 99, NCtx: 4096, NBatch: 2048, NUBatch: 512,
		NThreads: 8, FlashAttn: true, TypeK: "f16", TypeV: "q8_0", AvgNS: 1_000_000, StddevNS: 2_000,
		AvgTS: 512000.5, StddevTS: 1.25, SamplesNS: []int64{999_000, 1_001_000}, SamplesTS: []float64{512.5, 511.5},
		ExtraJSON: `{"backend":"cpu"}`,
	}}
	if err := db.AddBenchResults(ctx, run.ID, bench); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, run.ID, StatusOK, ""); err != nil {
		t.Fatal(err)
	}

	finished := mustGetRun(t, db, run.ID)
	run.Status, run.EndedAt, run.UUID = StatusOK, finished.EndedAt, finished.UUID
	return &RunDetail{
		Run:          run,
		AgentRuns:    []AgentRun{agent},
		Calls:        calls,
		Files:        withIDs(files, run.ID, finished.Files, func(f *FileRecord) (*int64, *int64) { return &f.ID, &f.RunID }),
		Facts:        withIDs(facts, run.ID, finished.Facts, func(f *FactRecord) (*int64, *int64) { return &f.ID, &f.RunID }),
		Reports:      []Report{report},
		BenchResults: withIDs(bench, run.ID, finished.BenchResults, func(b *BenchResult) (*int64, *int64) { return &b.ID, &b.RunID }),
		Children:     []RunSummary{},
	}
}

// withIDs returns the records a batch write was given with the ids the store
// assigned them, taken from stored, the records as read back.
func withIDs[T any](given []T, runID int64, stored []T, ids func(*T) (id, run *int64)) []T {
	if len(stored) != len(given) {
		return given
	}
	want := make([]T, len(given))
	for i := range given {
		want[i] = given[i]
		id, run := ids(&want[i])
		storedID, _ := ids(&stored[i])
		*id, *run = *storedID, runID
	}
	return want
}
