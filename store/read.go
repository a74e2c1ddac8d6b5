package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ListRuns lists runs, newest first.
func (db *DB) ListRuns(ctx context.Context, filter ListFilter) ([]RunSummary, error) {
	if filter.Kind != "" && !filter.Kind.valid() {
		return nil, fmt.Errorf("%w: %q (the kinds are %s)", ErrUnknownKind, filter.Kind, kindNames())
	}
	condition, args := "TRUE", []any{}
	if filter.Kind != "" {
		condition, args = condition+" AND kind = ?", append(args, filter.Kind)
	}
	if filter.Host != "" {
		condition, args = condition+" AND host = ?", append(args, filter.Host)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	var summaries []RunSummary
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		summaries, err = selectSummaries(ctx, tx, condition+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
		return err
	})
	return summaries, err
}

// GetRun returns run id with everything recorded under it.
func (db *DB) GetRun(ctx context.Context, id int64) (*RunDetail, error) {
	var detail *RunDetail
	err := db.read(ctx, func(tx *sql.Tx) (err error) {
		detail, err = loadRunDetail(ctx, tx, id)
		return err
	})
	return detail, err
}

// GetRunTree returns run id and each of its child runs (a sweep's cells), all
// with everything recorded under them, from one snapshot.
func (db *DB) GetRunTree(ctx context.Context, id int64) (*RunTree, error) {
	var tree *RunTree
	err := db.read(ctx, func(tx *sql.Tx) error {
		root, err := loadRunDetail(ctx, tx, id)
		if err != nil {
			return err
		}
		tree = &RunTree{RunDetail: root}
		for _, child := range root.Children {
			detail, err := loadRunDetail(ctx, tx, child.ID)
			if err != nil {
				return err
			}
			tree.ChildDetails = append(tree.ChildDetails, detail)
		}
		return nil
	})
	return tree, err
}

func loadRunDetail(ctx context.Context, tx *sql.Tx, id int64) (*RunDetail, error) {
	runs, err := runsTable.selectWhere(ctx, tx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, runNotFound(id)
	}
	d := &RunDetail{Run: runs[0]}
	if d.AgentRuns, err = agentRunsTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.Calls, err = callsTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.Files, err = filesTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.Facts, err = factsTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.Reports, err = reportsTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.BenchResults, err = benchResultsTable.ofRun(ctx, tx, id); err != nil {
		return nil, err
	}
	if d.Children, err = selectSummaries(ctx, tx, "parent_id = ? ORDER BY id", id); err != nil {
		return nil, err
	}
	return d, nil
}

const summarySQL = `SELECT id, kind, status, started_at, ended_at,
	coalesce(nullif(model_ref, ''), model_path), label, parent_id,
	(SELECT count(*) FROM llm_calls WHERE llm_calls.run_id = runs.id)
	FROM runs WHERE `

// selectSummaries summarizes the runs matching the SQL clause, which starts
// with a condition.
func selectSummaries(ctx context.Context, tx *sql.Tx, clause string, args ...any) ([]RunSummary, error) {
	summaries, err := queryAll(ctx, tx, summarySQL+clause, args, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return summaries, nil
}

func scanSummary(rows *sql.Rows, s *RunSummary) error {
	var endedAt time.Time
	err := rows.Scan(&s.ID, &s.Kind, &s.Status, timeText{&s.StartedAt}, timeText{&endedAt},
		&s.Model, &s.Label, nullID{&s.ParentID}, &s.Calls)
	if err == nil && !endedAt.IsZero() {
		s.Duration = endedAt.Sub(s.StartedAt)
	}
	return err
}

// RunIDByUUID returns the local id of the run named uuid, or 0 when the database has no such run.
func (db *DB) RunIDByUUID(ctx context.Context, uuid string) (id int64, err error) {
	err = db.read(ctx, func(tx *sql.Tx) error {
		id, err = runByUUID(ctx, tx, uuid)
		return err
	})
	return id, err
}
