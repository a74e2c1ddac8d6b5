package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
)

// StartRun records r as a new running run and returns its id. The store owns
// the ID, Status, EndedAt, Error, PID, BootID and UUID fields and ignores them here;
// a zero StartedAt means now and an empty Host this machine.
func (db *DB) StartRun(ctx context.Context, r Run) (int64, error) {
	if !r.Kind.valid() {
		return 0, fmt.Errorf("start run: unknown kind %q", r.Kind)
	}
	r.Status, r.EndedAt, r.Error = StatusRunning, time.Time{}, ""
	stamp(&r)
	return insertOne(ctx, db, runsTable, &r)
}

// stamp sets what the store owns of a new run: its UUID and the process and boot it starts in, and where they are
// empty its host (this machine) and start time (now).
func stamp(r *Run) {
	r.PID, r.BootID, r.UUID = os.Getpid(), bootID(), uuid.NewString()
	if r.Host == "" {
		r.Host = hostname()
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
}

// FinishRun ends a running run with a final status and, for a failure, its
// error message. A run can be finished once: finishing it again is an error,
// so that a late interrupt cannot overwrite how the run really ended.
func (db *DB) FinishRun(ctx context.Context, id int64, status Status, errMsg string) error {
	if !status.final() {
		return fmt.Errorf("finish run %d: %q is not a final status", id, status)
	}
	now := time.Now()
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		result, err := tx.ExecContext(ctx,
			"UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ? AND status = ?",
			status, timeText{&now}, errMsg, id, StatusRunning)
		if err != nil {
			return fmt.Errorf("finish run %d: %w", id, err)
		}
		if n, err := result.RowsAffected(); err != nil || n > 0 {
			return err
		}
		current, err := runStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		return fmt.Errorf("finish run %d: already finished (%s)", id, current)
	})
}

// AddAgentRun records an agent run and returns its id; a.ID is ignored. An
// empty Status means running.
func (db *DB) AddAgentRun(ctx context.Context, a AgentRun) (int64, error) {
	if a.Status == "" {
		a.Status = StatusRunning
	}
	if !a.Status.valid() {
		return 0, fmt.Errorf("add agent run: unknown status %q", a.Status)
	}
	return insertOne(ctx, db, agentRunsTable, &a)
}

// UpdateAgentRun records how agent run a.ID went: its stage timings, report
// path and status. Its other fields are set once, by AddAgentRun, and are
// ignored here.
func (db *DB) UpdateAgentRun(ctx context.Context, a AgentRun) error {
	if !a.Status.valid() {
		return fmt.Errorf("update agent run %d: unknown status %q", a.ID, a.Status)
	}
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		result, err := tx.ExecContext(ctx, `UPDATE agent_runs SET ingest_ms = ?, analysis_ms = ?,
			report_ms = ?, total_ms = ?, report_path = ?, status = ? WHERE id = ?`,
			a.IngestMS, a.AnalysisMS, a.ReportMS, a.TotalMS, a.ReportPath, a.Status, a.ID)
		if err != nil {
			return fmt.Errorf("update agent run %d: %w", a.ID, err)
		}
		if n, err := result.RowsAffected(); err != nil || n > 0 {
			return err
		}
		return fmt.Errorf("agent run %d %w", a.ID, ErrNotFound)
	})
}

// AddCall records an LLM call and returns its id; c.ID is ignored.
func (db *DB) AddCall(ctx context.Context, c Call) (int64, error) {
	return insertOne(ctx, db, callsTable, &c)
}

// AddReport records a report and returns its id; r.ID is ignored.
func (db *DB) AddReport(ctx context.Context, r Report) (int64, error) {
	return insertOne(ctx, db, reportsTable, &r)
}

// SetReport records r as the report of run r.RunID named r.Name, in place of any report of that name the run
// had: a report the run rewrites as it goes, such as a shard's result after each cell. r.ID is ignored.
func (db *DB) SetReport(ctx context.Context, r Report) error {
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM reports WHERE run_id = ? AND name = ?", r.RunID, r.Name); err != nil {
			return fmt.Errorf("set report %s of run %d: %w", r.Name, r.RunID, err)
		}
		_, err := reportsTable.insert(ctx, tx, &r)
		return err
	})
}

// AddFiles records the files run runID read, in one transaction. The
// records' ID and RunID fields are ignored.
func (db *DB) AddFiles(ctx context.Context, runID int64, files []FileRecord) error {
	return insertAll(ctx, db, filesTable, files, func(f *FileRecord) { f.RunID = runID })
}

// AddFacts records the facts run runID extracted, in one transaction. The
// records' ID and RunID fields are ignored.
func (db *DB) AddFacts(ctx context.Context, runID int64, facts []FactRecord) error {
	return insertAll(ctx, db, factsTable, facts, func(f *FactRecord) { f.RunID = runID })
}

// AddBenchResults records run runID's bench results, in one transaction. The
// records' ID and RunID fields are ignored.
func (db *DB) AddBenchResults(ctx context.Context, runID int64, results []BenchResult) error {
	return insertAll(ctx, db, benchResultsTable, results, func(r *BenchResult) { r.RunID = runID })
}

func insertOne[T any](ctx context.Context, db *DB, t table[T], rec *T) (int64, error) {
	var id int64
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		id, err = t.insert(ctx, tx, rec)
		return err
	})
	return id, err
}

// insertAll inserts copies of records, each passed through prepare first.
func insertAll[T any](ctx context.Context, db *DB, t table[T], records []T, prepare func(*T)) error {
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return insertRows(ctx, tx, t, records, prepare)
	})
}

// runStatus returns the status of run id, or an ErrNotFound error.
func runStatus(ctx context.Context, tx *sql.Tx, id int64) (Status, error) {
	var status Status
	err := tx.QueryRowContext(ctx, "SELECT status FROM runs WHERE id = ?", id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", runNotFound(id)
	}
	return status, err
}

func runNotFound(id int64) error {
	return fmt.Errorf("run %d %w", id, ErrNotFound)
}
