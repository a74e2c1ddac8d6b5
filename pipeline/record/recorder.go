// Package record writes what the workflows measure to the store as it happens: runs, their inventory and facts,
// agent passes and every call, so that a failed or interrupted run keeps everything it completed.
package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/store"
)

// Recorder writes a workflow's rows. Its context is detached from cancellation so that an interrupted run is
// still recorded as such, with everything done before the interruption.
type Recorder struct {
	db  *store.DB
	ctx context.Context
	mu  sync.Mutex // concurrent agents record calls through one recorder
	seq int
}

// New records into db; ctx's values are kept, its cancellation is not.
func New(ctx context.Context, db *store.DB) *Recorder {
	return &Recorder{db: db, ctx: context.WithoutCancel(ctx)}
}

// RunRow is the start of a run of the given kind on a model file, as the store keeps it: config is the run's
// settings, recorded as JSON.
func RunRow(file *engine.ModelFile, kind store.RunKind, commandLine string, config any) store.Run {
	return store.Run{Kind: kind, CommandLine: commandLine, ConfigJSON: JSON(config), ModelRef: file.Ref.Ref,
		ModelPath: file.Ref.Path, ModelSHA256: file.Info.HeaderSHA256, ModelFileType: file.Info.FileType,
		ModelSynthetic: file.Synthetic(), BuildInfo: engine.CurrentBuild().String(), GPUs: engine.GPUs()} // the store sets the host
}

// StartRun records a run as running and returns its ID.
func (r *Recorder) StartRun(run store.Run) (int64, error) { return r.db.StartRun(r.ctx, run) }

// AddBenchResults records a run's bench rows.
func (r *Recorder) AddBenchResults(runID int64, rows []store.BenchResult) error {
	return r.db.AddBenchResults(r.ctx, runID, rows)
}

// Finish records the run's outcome, decided by err, and returns its status with err joined to any failure to
// record it: the run's own error is never hidden by the store's.
func (r *Recorder) Finish(runID int64, err error) (string, error) {
	status := StatusOf(err)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if recErr := r.db.FinishRun(r.ctx, runID, status, msg); recErr != nil {
		return string(status), errors.Join(err, fmt.Errorf("record the end of run %d: %w", runID, recErr))
	}
	return string(status), err
}

// StatusOf is the status a run or pass ends with after err: ok, interrupted (cancelled) or failed.
func StatusOf(err error) store.Status {
	switch {
	case err == nil:
		return store.StatusOK
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return store.StatusInterrupted
	default:
		return store.StatusFailed
	}
}

func (r *Recorder) AddInventory(runID int64, facts *artifacts.FactsReport) error {
	files := make([]store.FileRecord, 0, len(facts.Files)+len(facts.Skipped))
	for _, f := range facts.Files {
		files = append(files, store.FileRecord{Path: f.Path, Kind: f.Kind, Bytes: f.Bytes, SHA256: f.SHA256, Rows: f.Rows})
	}
	for _, s := range facts.Skipped {
		files = append(files, store.FileRecord{Path: s.Path, SkippedReason: s.Reason})
	}
	if err := r.db.AddFiles(r.ctx, runID, files); err != nil {
		return err
	}
	records := make([]store.FactRecord, 0, len(facts.Facts))
	for _, f := range facts.Facts {
		records = append(records, store.FactRecord{FactID: f.ID, Kind: f.Kind, Text: f.Text, Source: f.Source,
			Field: f.Field, Value: strconv.FormatFloat(f.Value, 'g', -1, 64), Unit: f.Unit})
	}
	return r.db.AddFacts(r.ctx, runID, records)
}

// StartAgent records an agent run of run runID as running, under label, and returns its ID.
func (r *Recorder) StartAgent(runID int64, agent agents.Agent, label string, rep int, cfg engine.Config) (int64, error) {
	return r.db.AddAgentRun(r.ctx, store.AgentRun{RunID: runID, Agent: agent.ID, Label: label,
		ConfigJSON: JSON(cfg), Repetition: rep, Status: store.StatusRunning})
}

// EndAgent records how agent run id ended: its work, complete or partial, and the status err gives it. It passes
// err on, joined to any failure to record.
func (r *Recorder) EndAgent(id int64, res *agents.AgentResult, err error) error {
	return errors.Join(err, r.updateAgent(id, res, StatusOf(err)))
}

func (r *Recorder) updateAgent(id int64, res *agents.AgentResult, status store.Status) error {
	s := res.Stages
	return r.db.UpdateAgentRun(r.ctx, store.AgentRun{ID: id, Agent: res.Agent.ID, Label: res.Agent.Label,
		Repetition: res.Repetition, IngestMS: s.IngestMS, AnalysisMS: s.AnalysisMS, ReportMS: s.ReportMS,
		TotalMS: s.TotalMS, ReportPath: res.ReportPath, Status: status})
}

func (r *Recorder) AddCall(runID, agentRunID int64, c agents.CallRecord) error {
	r.mu.Lock()
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	t := c.Timings
	_, err := r.db.AddCall(r.ctx, store.Call{
		RunID: runID, AgentRunID: agentRunID, Stage: c.Stage, Seq: seq, Prompt: c.Prompt.User,
		RenderedPrompt: c.Prompt.Rendered, Response: c.Response, StopReason: c.StopReason,
		PromptTokens: t.PromptTokens, PromptTrimmed: c.Prompt.Trimmed, GenTokens: t.GenTokens, TTFTMS: t.TTFTMS,
		PromptEvalMS: t.PromptEvalMS, EvalMS: t.EvalMS, TotalMS: t.TotalMS, PromptTPS: t.PromptTPS, DecodeTPS: t.DecodeTPS,
		LoadMS: float64(t.LoadDuration) / 1e6, TimingsJSON: JSON(t), StartedAt: time.Now().UTC(),
	})
	return err
}

func (r *Recorder) AddReport(runID, agentRunID int64, name, path, markdown string) error {
	_, err := r.db.AddReport(r.ctx, store.Report{RunID: runID, AgentRunID: agentRunID, Name: name, Path: path, Markdown: markdown})
	return err
}

// SetReport records the report of run runID named name, in place of any it had by that name.
func (r *Recorder) SetReport(runID int64, name, markdown string) error {
	return r.db.SetReport(r.ctx, store.Report{RunID: runID, Name: name, Markdown: markdown})
}

// JSON is v marshalled; only chimera's own plain structs are given to it.
func JSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // only chimera's own plain structs are marshalled here
	}
	return string(data)
}

// Calls records each call of agent run agentRunID of run runID as soon as the session reports it.
func (r *Recorder) Calls(runID, agentRunID int64) agents.CallObserver {
	return func(c agents.CallRecord) error { return r.AddCall(runID, agentRunID, c) }
}
