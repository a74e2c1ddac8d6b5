package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Export writes the runs ids, or every run when ids is empty, to w as format:
//
//   - "json": an array of run details (see RunDetail), everything recorded
//   - "csv": the measurements, one row per LLM call and one per bench result,
//     each with its run's columns; prompts, responses and reports are left out
//   - "jsonl": one run detail per line with the schema version (see
//     ExportedRun), the runs given and all their descendants, parents first;
//     Import reads it back losslessly
//
// Every id is checked before anything is written. The export reads one
// consistent snapshot of the database.
func (db *DB) Export(ctx context.Context, w io.Writer, ids []int64, format string) error {
	newWriter, ok := exportFormats[format]
	if !ok {
		return fmt.Errorf("export: unknown format %q (want json, csv or jsonl)", format)
	}
	return db.read(ctx, func(tx *sql.Tx) error {
		ids, err := exportIDs(ctx, tx, ids, format == "jsonl")
		if err != nil {
			return err
		}
		out := newWriter(w)
		if err := out.begin(); err != nil {
			return err
		}
		for _, id := range ids {
			detail, err := loadRunDetail(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := out.write(detail); err != nil {
				return fmt.Errorf("export run %d: %w", id, err)
			}
		}
		return out.end()
	})
}

// exportIDs returns ids after checking that each exists, or every run's id in
// order when ids is empty. With descendants, it adds the runs under them
// (a sweep's cells, a tune's trials) and orders them all by id.
func exportIDs(ctx context.Context, tx *sql.Tx, ids []int64, descendants bool) ([]int64, error) {
	if len(ids) == 0 {
		return queryIDs(ctx, tx, "SELECT id FROM runs ORDER BY id")
	}
	for _, id := range ids {
		if _, err := runStatus(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	if !descendants {
		return ids, nil
	}
	given, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return queryIDs(ctx, tx, `WITH RECURSIVE tree(id) AS (
		SELECT value FROM json_each(?) UNION SELECT runs.id FROM runs JOIN tree ON runs.parent_id = tree.id)
		SELECT id FROM tree ORDER BY id`, string(given))
}

func queryIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	return queryAll(ctx, tx, query, args, func(rows *sql.Rows, id *int64) error { return rows.Scan(id) })
}

// exportWriter writes run details in one format.
type exportWriter interface {
	begin() error
	write(*RunDetail) error
	end() error
}

var exportFormats = map[string]func(io.Writer) exportWriter{
	"json":  func(w io.Writer) exportWriter { return &jsonExport{w: w} },
	"csv":   func(w io.Writer) exportWriter { return &csvExport{w: csv.NewWriter(w)} },
	"jsonl": func(w io.Writer) exportWriter { return &jsonlExport{w: w} },
}

// ExportedRun is one line of a JSONL export: a run detail and the schema
// version of the database it came from, which Import checks.
type ExportedRun struct {
	Schema int `json:"schema"`
	*RunDetail
}

// jsonlExport writes one ExportedRun per line.
type jsonlExport struct {
	w io.Writer
}

func (e *jsonlExport) begin() error { return nil }

func (e *jsonlExport) write(d *RunDetail) error {
	line, err := json.Marshal(ExportedRun{Schema: len(schemaSteps), RunDetail: d})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.w, "%s\n", line)
	return err
}

func (e *jsonlExport) end() error { return nil }

// jsonExport streams the details as one indented JSON array.
type jsonExport struct {
	w       io.Writer
	written int
}

func (e *jsonExport) begin() error {
	_, err := io.WriteString(e.w, "[")
	return err
}

func (e *jsonExport) write(d *RunDetail) error {
	element, err := json.MarshalIndent(d, "  ", "  ")
	if err != nil {
		return err
	}
	separator := ",\n  "
	if e.written == 0 {
		separator = "\n  "
	}
	e.written++
	_, err = fmt.Fprintf(e.w, "%s%s", separator, element)
	return err
}

func (e *jsonExport) end() error {
	end := "\n]\n"
	if e.written == 0 {
		end = "]\n"
	}
	_, err := io.WriteString(e.w, end)
	return err
}

// csvExport writes a header, then a row per call and per bench result. The
// record column says which; the other kind's columns are left empty.
type csvExport struct {
	w *csv.Writer
}

func (e *csvExport) begin() error {
	header := []string{"record"}
	header = append(header, columnNames(runCSVColumns)...)
	header = append(header, columnNames(callCSVColumns)...)
	header = append(header, columnNames(benchCSVColumns)...)
	return e.w.Write(header)
}

func (e *csvExport) write(d *RunDetail) error {
	run := columnValues(runCSVColumns, &d.Run)
	agents := make(map[int64]string, len(d.AgentRuns))
	for _, a := range d.AgentRuns {
		agents[a.ID] = a.Agent
	}
	noCall := make([]string, len(callCSVColumns))
	noBench := make([]string, len(benchCSVColumns))
	for _, c := range d.Calls {
		call := columnValues(callCSVColumns, &agentCall{Call: c, agent: agents[c.AgentRunID]})
		if err := e.writeRow("call", run, call, noBench); err != nil {
			return err
		}
	}
	for _, b := range d.BenchResults {
		if err := e.writeRow("bench", run, noCall, columnValues(benchCSVColumns, &b)); err != nil {
			return err
		}
	}
	return nil
}

func (e *csvExport) writeRow(record string, parts ...[]string) error {
	row := []string{record}
	for _, part := range parts {
		row = append(row, part...)
	}
	return e.w.Write(row)
}

func (e *csvExport) end() error {
	e.w.Flush()
	return e.w.Error()
}

// agentCall is a call with the name of its agent, for the CSV export.
type agentCall struct {
	Call
	agent string
}

// A csvColumn is one CSV column of the export and how to format it from a T.
type csvColumn[T any] struct {
	name  string
	value func(*T) string
}

func columnNames[T any](columns []csvColumn[T]) []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.name
	}
	return names
}

func columnValues[T any](columns []csvColumn[T], rec *T) []string {
	values := make([]string, len(columns))
	for i, c := range columns {
		values[i] = c.value(rec)
	}
	return values
}

var runCSVColumns = []csvColumn[Run]{
	{"run_id", func(r *Run) string { return formatInt(r.ID) }},
	{"kind", func(r *Run) string { return string(r.Kind) }},
	{"status", func(r *Run) string { return string(r.Status) }},
	{"started_at", func(r *Run) string { return formatTime(r.StartedAt) }},
	{"ended_at", func(r *Run) string { return formatTime(r.EndedAt) }},
	{"label", func(r *Run) string { return r.Label }},
	{"parent_id", func(r *Run) string { return formatRef(r.ParentID) }},
	{"model_ref", func(r *Run) string { return r.ModelRef }},
	{"model_sha256", func(r *Run) string { return r.ModelSHA256 }},
	{"model_file_type", func(r *Run) string { return r.ModelFileType }},
	{"model_synthetic", func(r *Run) string { return strconv.FormatBool(r.ModelSynthetic) }},
	{"host", func(r *Run) string { return r.Host }},
	{"build_info", func(r *Run) string { return r.BuildInfo }},
}

var callCSVColumns = []csvColumn[agentCall]{
	{"call_id", func(c *agentCall) string { return formatInt(c.ID) }},
	{"agent_run_id", func(c *agentCall) string { return formatRef(c.AgentRunID) }},
	{"agent", func(c *agentCall) string { return c.agent }},
	{"stage", func(c *agentCall) string { return c.Stage }},
	{"seq", func(c *agentCall) string { return strconv.Itoa(c.Seq) }},
	{"call_started_at", func(c *agentCall) string { return formatTime(c.StartedAt) }},
	{"prompt_tokens", func(c *agentCall) string { return strconv.Itoa(c.PromptTokens) }},
	{"prompt_trimmed", func(c *agentCall) string { return strconv.FormatBool(c.PromptTrimmed) }},
	{"gen_tokens", func(c *agentCall) string { return strconv.Itoa(c.GenTokens) }},
	{"ttft_ms", func(c *agentCall) string { return formatFloat(c.TTFTMS) }},
	{"prompt_eval_ms", func(c *agentCall) string { return formatFloat(c.PromptEvalMS) }},
	{"eval_ms", func(c *agentCall) string { return formatFloat(c.EvalMS) }},
	{"total_ms", func(c *agentCall) string { return formatFloat(c.TotalMS) }},
	{"prompt_tps", func(c *agentCall) string { return formatFloat(c.PromptTPS) }},
	{"decode_tps", func(c *agentCall) string { return formatFloat(c.DecodeTPS) }},
	{"load_ms", func(c *agentCall) string { return formatFloat(c.LoadMS) }},
}

var benchCSVColumns = []csvColumn[BenchResult]{
	{"test", func(b *BenchResult) string { return b.Test }},
	{"n_prompt", func(b *BenchResult) string { return strconv.Itoa(b.NPrompt) }},
	{"n_gen", func(b *BenchResult) string { return strconv.Itoa(b.NGen) }},
	{"n_depth", func(b *BenchResult) string { return strconv.Itoa(b.NDepth) }},
	{"n_gpu_layers", func(b *BenchResult) string { return strconv.Itoa(b.NGPULayers) }},
	{"n_ctx", func(b *BenchResult) string { return strconv.Itoa(b.NCtx) }},
	{"n_batch", func(b *BenchResult) string { return strconv.Itoa(b.NBatch) }},
	{"n_ubatch", func(b *BenchResult) string { return strconv.Itoa(b.NUBatch) }},
	{"n_threads", func(b *BenchResult) string { return strconv.Itoa(b.NThreads) }},
	{"flash_attn", func(b *BenchResult) string { return strconv.FormatBool(b.FlashAttn) }},
	{"flash_attn_mode", func(b *BenchResult) string { return b.FlashMode }},
	{"type_k", func(b *BenchResult) string { return b.TypeK }},
	{"type_v", func(b *BenchResult) string { return b.TypeV }},
	{"avg_ns", func(b *BenchResult) string { return formatInt(b.AvgNS) }},
	{"stddev_ns", func(b *BenchResult) string { return formatInt(b.StddevNS) }},
	{"avg_ts", func(b *BenchResult) string { return formatFloat(b.AvgTS) }},
	{"stddev_ts", func(b *BenchResult) string { return formatFloat(b.StddevTS) }},
	{"settings", func(b *BenchResult) string { return b.Settings.String() }},
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// formatRef formats an optional reference to another row, 0 meaning none.
func formatRef(id int64) string {
	if id == 0 {
		return ""
	}
	return formatInt(id)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
