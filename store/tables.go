package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A table maps a record type to its SQL table. fields returns the addresses
// of a record's fields in column order; they serve both as INSERT arguments
// (database/sql dereferences them) and as Scan destinations, so writing and
// reading can never disagree on the columns.
type table[T any] struct {
	name   string
	fields func(*T) []any

	insertSQL string
	selectSQL string // up to WHERE, which selectWhere completes
	orderSQL  string
}

// newTable describes a table whose first column is its id.
func newTable[T any](name string, columns []string, orderBy string, fields func(*T) []any) table[T] {
	data := columns[1:]
	return table[T]{
		name:   name,
		fields: fields,
		insertSQL: fmt.Sprintf("INSERT INTO %s (%s) VALUES (?%s)",
			name, strings.Join(data, ", "), strings.Repeat(", ?", len(data)-1)),
		selectSQL: fmt.Sprintf("SELECT %s FROM %s WHERE ", strings.Join(columns, ", "), name),
		orderSQL:  " ORDER BY " + orderBy,
	}
}

// insert writes rec, except its id, and returns the id it was given.
func (t table[T]) insert(ctx context.Context, tx *sql.Tx, rec *T) (int64, error) {
	result, err := tx.ExecContext(ctx, t.insertSQL, t.fields(rec)[1:]...)
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", t.name, err)
	}
	return result.LastInsertId()
}

// selectWhere reads the rows matching the SQL condition where.
func (t table[T]) selectWhere(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]T, error) {
	records, err := queryAll(ctx, tx, t.selectSQL+where+t.orderSQL, args, func(rows *sql.Rows, rec *T) error {
		return rows.Scan(t.fields(rec)...)
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.name, err)
	}
	return records, nil
}

func (t table[T]) ofRun(ctx context.Context, tx *sql.Tx, runID int64) ([]T, error) {
	return t.selectWhere(ctx, tx, "run_id = ?", runID)
}

// queryAll runs query and scans each row into a T. It returns an empty slice,
// not nil, when no row matches, so that exports show [] rather than null.
func queryAll[T any](ctx context.Context, tx *sql.Tx, query string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	records := []T{}
	for rows.Next() {
		var rec T
		if err := scan(rows, &rec); err != nil {
			return nil, err
		}
		records = append(records, rec)
	}
	return records, rows.Err()
}

// tableNames are chimera's tables, in the order the schema steps made them.
var tableNames = []string{runsTable.name, agentRunsTable.name, callsTable.name, filesTable.name, factsTable.name,
	reportsTable.name, benchResultsTable.name}

var runsTable = newTable("runs",
	[]string{"id", "kind", "status", "started_at", "ended_at", "command_line", "config_json",
		"model_ref", "model_path", "model_sha256", "model_file_type", "model_synthetic",
		"host", "build_info", "error", "parent_id", "label", "pid", "boot_id", "uuid", "gpus"},
	"id",
	func(r *Run) []any {
		return []any{&r.ID, &r.Kind, &r.Status, timeText{&r.StartedAt}, timeText{&r.EndedAt},
			&r.CommandLine, &r.ConfigJSON, &r.ModelRef, &r.ModelPath, &r.ModelSHA256,
			&r.ModelFileType, &r.ModelSynthetic, &r.Host, &r.BuildInfo, &r.Error,
			nullID{&r.ParentID}, &r.Label, &r.PID, &r.BootID, &r.UUID, &r.GPUs}
	})

var agentRunsTable = newTable("agent_runs",
	[]string{"id", "run_id", "agent", "label", "config_json", "repetition",
		"ingest_ms", "analysis_ms", "report_ms", "total_ms", "report_path", "status"},
	"id",
	func(a *AgentRun) []any {
		return []any{&a.ID, &a.RunID, &a.Agent, &a.Label, &a.ConfigJSON, &a.Repetition,
			&a.IngestMS, &a.AnalysisMS, &a.ReportMS, &a.TotalMS, &a.ReportPath, &a.Status}
	})

var callsTable = newTable("llm_calls",
	[]string{"id", "run_id", "agent_run_id", "stage", "seq", "prompt", "response",
		"prompt_tokens", "prompt_trimmed", "gen_tokens", "ttft_ms", "prompt_eval_ms", "eval_ms",
		"total_ms", "prompt_tps", "decode_tps", "load_ms", "timings_json", "started_at", "rendered_prompt",
		"stop_reason"},
	"seq, id",
	func(c *Call) []any {
		return []any{&c.ID, &c.RunID, nullID{&c.AgentRunID}, &c.Stage, &c.Seq, &c.Prompt, &c.Response,
			&c.PromptTokens, &c.PromptTrimmed, &c.GenTokens, &c.TTFTMS, &c.PromptEvalMS, &c.EvalMS,
			&c.TotalMS, &c.PromptTPS, &c.DecodeTPS, &c.LoadMS, &c.TimingsJSON, timeText{&c.StartedAt},
			&c.RenderedPrompt, &c.StopReason}
	})

var filesTable = newTable("files",
	[]string{"id", "run_id", "path", "kind", "bytes", "sha256", "rows", "skipped_reason"},
	"id",
	func(f *FileRecord) []any {
		return []any{&f.ID, &f.RunID, &f.Path, &f.Kind, &f.Bytes, &f.SHA256, &f.Rows, &f.SkippedReason}
	})

var factsTable = newTable("facts",
	[]string{"id", "run_id", "fact_id", "kind", "text", "source", "field", "value", "unit"},
	"id",
	func(f *FactRecord) []any {
		return []any{&f.ID, &f.RunID, &f.FactID, &f.Kind, &f.Text, &f.Source, &f.Field, &f.Value, &f.Unit}
	})

var reportsTable = newTable("reports",
	[]string{"id", "run_id", "agent_run_id", "name", "path", "markdown"},
	"id",
	func(r *Report) []any {
		return []any{&r.ID, &r.RunID, nullID{&r.AgentRunID}, &r.Name, &r.Path, &r.Markdown}
	})

var benchResultsTable = newTable("bench_results",
	[]string{"id", "run_id", "test", "n_prompt", "n_gen", "n_gpu_layers", "n_ctx", "n_batch",
		"n_ubatch", "n_threads", "flash_attn", "type_k", "type_v", "avg_ns", "stddev_ns",
		"avg_ts", "stddev_ts", "samples_ns_json", "samples_ts_json", "extra_json", "n_depth",
		"flash_attn_mode", "settings_json"},
	"id",
	func(b *BenchResult) []any {
		return []any{&b.ID, &b.RunID, &b.Test, &b.NPrompt, &b.NGen, &b.NGPULayers, &b.NCtx, &b.NBatch,
			&b.NUBatch, &b.NThreads, &b.FlashAttn, &b.TypeK, &b.TypeV, &b.AvgNS, &b.StddevNS,
			&b.AvgTS, &b.StddevTS, jsonText[[]int64]{&b.SamplesNS}, jsonText[[]float64]{&b.SamplesTS},
			&b.ExtraJSON, &b.NDepth, &b.FlashMode, jsonText[Settings]{&b.Settings}}
	})

// timeLayout is RFC 3339 with a fixed-width fraction, so that stored times
// sort as text; time.RFC3339Nano drops trailing zeros and would not.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// timeText stores a time as UTC text in timeLayout, and the zero time as NULL.
type timeText struct{ t *time.Time }

func (v timeText) Value() (driver.Value, error) {
	if v.t.IsZero() {
		return nil, nil
	}
	return v.t.UTC().Format(timeLayout), nil
}

func (v timeText) Scan(src any) error {
	var text sql.Null[string]
	if err := text.Scan(src); err != nil {
		return err
	}
	if !text.Valid {
		*v.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, text.V)
	*v.t = t
	return err
}

// nullID stores a reference to another row, 0 meaning none, as NULL.
type nullID struct{ id *int64 }

func (v nullID) Value() (driver.Value, error) {
	if *v.id == 0 {
		return nil, nil
	}
	return *v.id, nil
}

func (v nullID) Scan(src any) error {
	var id sql.Null[int64]
	err := id.Scan(src)
	*v.id = id.V
	return err
}

// jsonText stores a value as JSON text.
type jsonText[T any] struct{ v *T }

func (j jsonText[T]) Value() (driver.Value, error) {
	text, err := json.Marshal(*j.v)
	return string(text), err
}

func (j jsonText[T]) Scan(src any) error {
	var text sql.Null[string]
	if err := text.Scan(src); err != nil {
		return err
	}
	return json.Unmarshal([]byte(text.V), j.v)
}
