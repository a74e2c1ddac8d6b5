package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"chimera/llama"
	"chimera/store"
)

// RunOptions configure `chimera run`: which model and settings, which artifacts, which agents, how often.
type RunOptions struct {
	ModelRef    string
	Source      ModelSource
	Config      Config
	DataDirs    []string
	Limits      Limits
	Agents      []Agent
	Runs        int
	Warmup      bool
	OutDir      string
	CommandLine string
	Log         io.Writer
}

// CallRecord is one LLM call of a workflow: what was sent, what came back, and its timings.
type CallRecord struct {
	Agent      string        `json:"agent"`
	Stage      string        `json:"stage"`
	Repetition int           `json:"repetition"`
	System     string        `json:"system"`
	Prompt     PromptPlan    `json:"prompt"`
	Response   string        `json:"response"`
	StopReason string        `json:"stop_reason"`
	Timings    llama.Timings `json:"timings"`
}

// StageTimes is the wall time of each stage of one agent's workflow.
type StageTimes struct {
	IngestMS   float64 `json:"ingest_ms"`
	AnalysisMS float64 `json:"analysis_ms"`
	ReportMS   float64 `json:"report_ms"`
	TotalMS    float64 `json:"total_ms"`
}

// AgentResult is one agent's pass through the workflow.
type AgentResult struct {
	Agent      Agent        `json:"agent"`
	Repetition int          `json:"repetition"`
	Calls      []CallRecord `json:"calls"`
	Stages     StageTimes   `json:"stages"`
	Grounding  Grounding    `json:"grounding"`
	ReportPath string       `json:"report_path"`
}

// Analysis and Report are the texts of the two calls.
func (r *AgentResult) Analysis() string { return r.Calls[0].Response }
func (r *AgentResult) Report() string   { return r.Calls[len(r.Calls)-1].Response }

// RunResult is everything `chimera run` measured and wrote. Besides the model load and the agents' stages, a run
// spends time on the ingest, on finding and validating the model file (ModelCheckMS, before llama.cpp sees it) and
// on creating the context (ContextMS).
type RunResult struct {
	RunID        int64          `json:"run_id"`
	Model        ModelSummary   `json:"model"`
	Config       Config         `json:"config"`
	Facts        *FactsReport   `json:"facts"`
	IngestMS     float64        `json:"ingest_ms"`
	ModelCheckMS float64        `json:"model_check_ms"`
	ContextMS    float64        `json:"context_ms"`
	Agents       []*AgentResult `json:"agents"`
	Reports      []string       `json:"reports"`
	Status       string         `json:"status"`
}

// ModelSummary identifies the model a run used.
type ModelSummary struct {
	Ref         string           `json:"ref"`
	Path        string           `json:"path"`
	Description string           `json:"description"`
	FileType    string           `json:"file_type"`
	HeaderSHA   string           `json:"header_sha256"`
	Synthetic   bool             `json:"synthetic_weights"`
	Load        llama.LoadReport `json:"load"`
}

// Run executes the agent workflow: ingest and facts once, one model load, then for each repetition every agent's
// analysis and report calls, with reports, metrics.json and SQLite rows. A cancelled ctx stops between tokens and
// the run is recorded as interrupted with the calls completed so far.
func Run(ctx context.Context, db *store.DB, opts RunOptions) (*RunResult, error) {
	if err := checkRunOptions(opts); err != nil {
		return nil, err
	}
	o, err := begin(ctx, db, store.KindRun, opts)
	if err != nil {
		return nil, err
	}
	w := &workflow{opts: opts, rec: o.rec, facts: o.facts, ingestMS: o.ingestMS, model: o.model,
		result: &RunResult{RunID: o.runID, Config: opts.Config, Facts: o.facts, IngestMS: o.ingestMS, ModelCheckMS: o.checkMS}}
	err = w.execute(ctx)
	w.result.Status = o.rec.finish(o.runID, err)
	return w.result, err
}

func checkRunOptions(opts RunOptions) error {
	if err := opts.Config.Validate(); err != nil {
		return Invalid(err)
	}
	if opts.Runs < 1 {
		return Invalid(fmt.Errorf("runs must be at least 1, got %d", opts.Runs))
	}
	if len(opts.Agents) == 0 {
		return Invalid(errors.New("no agent selected"))
	}
	return checkWritableDir(opts.OutDir)
}

// checkWritableDir fails before any model load when reports could not be written.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Invalid(fmt.Errorf("output directory: %w", err))
	}
	probe, err := os.CreateTemp(dir, ".chimera-probe-*")
	if err != nil {
		return Invalid(fmt.Errorf("output directory %s is not writable: %w", dir, err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

type workflow struct {
	opts     RunOptions
	rec      *recorder
	facts    *FactsReport
	ingestMS float64
	model    *ModelFile
	result   *RunResult
	session  *Session
}

func (w *workflow) execute(ctx context.Context) error {
	if err := w.load(); err != nil {
		return err
	}
	defer w.session.Model.Close()
	defer w.session.Close()
	if w.opts.Warmup {
		if err := w.warmup(ctx); err != nil {
			return err
		}
	}
	for rep := 1; rep <= w.opts.Runs; rep++ {
		if err := w.repetition(ctx, rep); err != nil {
			return err
		}
	}
	return w.writeSummary()
}

func (w *workflow) load() error {
	cfg := w.opts.Config
	model, err := w.model.LoadFor(cfg)
	if err != nil {
		return err
	}
	session, err := NewSession(model, cfg, w.facts, w.opts.Log)
	if err != nil {
		model.Close()
		return err
	}
	session.IngestMS = w.ingestMS
	w.session = session
	w.result.ContextMS = session.ContextMS
	w.result.Model = summarizeModel(model)
	logf(w.opts.Log, "model: %s (%s) loaded in %.0f ms, %d/%d layers on GPU", model.Ref.Ref, model.Description(),
		model.Load.LoadMS, model.Load.OffloadedLayers, model.Load.OffloadableLayer)
	return nil
}

func summarizeModel(m *Model) ModelSummary {
	return ModelSummary{Ref: m.Ref.Ref, Path: m.Ref.Path, Description: m.Description(), FileType: m.Info.FileType,
		HeaderSHA: m.Info.HeaderSHA256, Synthetic: m.Synthetic(), Load: m.Load}
}

// warmup runs one short call that is recorded but excluded from every statistic.
func (w *workflow) warmup(ctx context.Context) error {
	req := llama.Request{Messages: []llama.Message{{Role: "user", Content: "Say hello."}}, NumPredict: 8, Sampling: w.opts.Config.Sampling}
	result, err := w.session.Ctx.Generate(ctx, req, nil)
	if result != nil {
		w.rec.addCall(w.result.RunID, 0, CallRecord{Stage: "warmup", Prompt: PromptPlan{User: req.Messages[0].Content, Tokens: result.Timings.PromptTokens},
			Response: result.Text, StopReason: result.StopReason, Timings: result.Timings})
	}
	return err
}

func (w *workflow) repetition(ctx context.Context, rep int) error {
	var handoffs []Handoff
	for _, agent := range w.opts.Agents {
		res, err := w.runAgent(ctx, agent, rep, handoffs)
		if res != nil {
			w.result.Agents = append(w.result.Agents, res)
		}
		if err != nil {
			return err
		}
		handoffs = append(handoffs, handoffsFrom(res)...)
	}
	return nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "chimera: "+format+"\n", args...)
	}
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Nanoseconds()) / 1e6 }

// runAgent runs one agent pass on the session, recording each call as it completes, and writes its report.
func (w *workflow) runAgent(ctx context.Context, agent Agent, rep int, inbound []Handoff) (*AgentResult, error) {
	res, _, err := recordAgent(ctx, w.rec, w.session, w.result.RunID, agent, agent.Label, rep, inbound, w.writeAgentReport)
	return res, err
}
