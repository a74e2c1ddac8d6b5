package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// invalidRun is a run of a file to import whose fields the store refuses.
type invalidRun struct {
	id  int64
	err error
}

func (e *invalidRun) Error() string { return fmt.Sprintf("run %d: %v", e.id, e.err) }
func (e *invalidRun) Unwrap() error { return e.err }

// importRuns writes the runs of a file, numbered by the file's ids, in tx: parents first, each checked as it
// comes, so that a bad run fails the transaction after the ones before it were written.
func importRuns(ctx context.Context, tx *sql.Tx, details []*RunDetail) (ImportResult, error) {
	ordered, err := parentsFirst(details)
	if err != nil {
		return ImportResult{}, err
	}
	var result ImportResult
	localIDs := make(map[int64]int64, len(details)) // the file's run ids to this database's
	for _, d := range ordered {
		if err := validateRun(d); err != nil {
			return ImportResult{}, &invalidRun{d.ID, err}
		}
		id, err := runByUUID(ctx, tx, d.UUID)
		if err != nil {
			return ImportResult{}, err
		}
		if id != 0 {
			localIDs[d.ID] = id
			result.Present++
			continue
		}
		if localIDs[d.ID], err = insertRun(ctx, tx, d, localIDs[d.ParentID]); err != nil {
			return ImportResult{}, fmt.Errorf("import run %d: %w", d.ID, err)
		}
		result.Added++
	}
	return result, nil
}

// parentsFirst orders details so that each run's parent, where the file has it, comes before the run. A run
// whose parent the file lacks is a top-level run once imported.
func parentsFirst(details []*RunDetail) ([]*RunDetail, error) {
	byID := make(map[int64]*RunDetail, len(details))
	for _, d := range details {
		if byID[d.ID] != nil {
			return nil, &invalidRun{d.ID, errors.New("appears twice")}
		}
		byID[d.ID] = d
	}
	ordered := make([]*RunDetail, 0, len(details))
	placed := make(map[int64]bool, len(details))
	for _, d := range details {
		var chain []*RunDetail // d and its ancestors not placed yet, d first
		for r := d; r != nil && !placed[r.ID]; r = byID[r.ParentID] {
			if len(chain) > len(details) {
				return nil, &invalidRun{d.ID, errors.New("its parents form a cycle")}
			}
			chain = append(chain, r)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			placed[chain[i].ID] = true
			ordered = append(ordered, chain[i])
		}
	}
	return ordered, nil
}

// validateRun checks the fields of an imported run that the store gives a meaning to. Paths and texts are
// data: they are copied, never opened or run.
func validateRun(d *RunDetail) error {
	if parsed, err := uuid.Parse(d.UUID); err != nil || parsed.String() != d.UUID {
		return fmt.Errorf("uuid %q is not a UUID in its canonical form", d.UUID)
	}
	if !d.Kind.valid() {
		return fmt.Errorf("unknown kind %q", d.Kind)
	}
	if !d.Status.valid() {
		return fmt.Errorf("unknown status %q", d.Status)
	}
	if d.StartedAt.IsZero() {
		return errors.New("no start time")
	}
	agents := map[int64]bool{}
	for _, a := range d.AgentRuns {
		if !a.Status.valid() {
			return fmt.Errorf("agent run %d: unknown status %q", a.ID, a.Status)
		}
		agents[a.ID] = true
	}
	for _, c := range d.Calls {
		if c.AgentRunID != 0 && !agents[c.AgentRunID] {
			return fmt.Errorf("call %d: agent run %d is not the run's", c.ID, c.AgentRunID)
		}
	}
	for _, r := range d.Reports {
		if r.AgentRunID != 0 && !agents[r.AgentRunID] {
			return fmt.Errorf("report %d: agent run %d is not the run's", r.ID, r.AgentRunID)
		}
	}
	return validateJSONTexts(d)
}

// validateJSONTexts checks that the fields holding JSON text hold JSON, or nothing.
func validateJSONTexts(d *RunDetail) error {
	texts := map[string]string{"config_json": d.ConfigJSON}
	for _, a := range d.AgentRuns {
		texts[fmt.Sprintf("agent run %d config_json", a.ID)] = a.ConfigJSON
	}
	for _, c := range d.Calls {
		texts[fmt.Sprintf("call %d timings_json", c.ID)] = c.TimingsJSON
	}
	for _, b := range d.BenchResults {
		texts[fmt.Sprintf("bench result %d extra_json", b.ID)] = b.ExtraJSON
	}
	for name, text := range texts {
		if text != "" && !json.Valid([]byte(text)) {
			return fmt.Errorf("%s is not JSON", name)
		}
	}
	return nil
}

// runByUUID returns the id of the run named id, or 0 when there is none.
func runByUUID(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	var local int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM runs WHERE uuid = ?", id).Scan(&local)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return local, err
}

// insertRun writes d and everything under it with new ids, under the local run parentID (0 for none), and
// returns the run's new id.
func insertRun(ctx context.Context, tx *sql.Tx, d *RunDetail, parentID int64) (int64, error) {
	run := d.Run
	run.ParentID = parentID
	runID, err := runsTable.insert(ctx, tx, &run)
	if err != nil {
		return 0, err
	}
	agentIDs := map[int64]int64{0: 0}
	for _, a := range d.AgentRuns {
		fileID := a.ID
		a.RunID = runID
		if agentIDs[fileID], err = agentRunsTable.insert(ctx, tx, &a); err != nil {
			return 0, err
		}
	}
	for _, insert := range []func() error{
		func() error {
			return insertRows(ctx, tx, callsTable, d.Calls, func(c *Call) { c.RunID, c.AgentRunID = runID, agentIDs[c.AgentRunID] })
		},
		func() error { return insertRows(ctx, tx, filesTable, d.Files, func(f *FileRecord) { f.RunID = runID }) },
		func() error { return insertRows(ctx, tx, factsTable, d.Facts, func(f *FactRecord) { f.RunID = runID }) },
		func() error {
			return insertRows(ctx, tx, reportsTable, d.Reports, func(r *Report) { r.RunID, r.AgentRunID = runID, agentIDs[r.AgentRunID] })
		},
		func() error {
			return insertRows(ctx, tx, benchResultsTable, d.BenchResults, func(b *BenchResult) { b.RunID = runID })
		},
	} {
		if err := insert(); err != nil {
			return 0, err
		}
	}
	return runID, nil
}

// insertRows inserts copies of records in tx, each passed through prepare first.
func insertRows[T any](ctx context.Context, tx *sql.Tx, t table[T], records []T, prepare func(*T)) error {
	for _, rec := range records {
		prepare(&rec)
		if _, err := t.insert(ctx, tx, &rec); err != nil {
			return err
		}
	}
	return nil
}
