package workflows

import (
	"context"
	"errors"
	"fmt"
	"os"

	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// RunOptions configure `chimera run`: which model and settings, which artifacts, which agents, how often.
type RunOptions struct {
	Target
	Data
	Config engine.Config
	Agents []agents.Agent
	Runs   int
	Warmup bool
	OutDir string
}

// RunResult is everything `chimera run` measured and wrote. Besides the model load and the agents' stages, a run
// spends time on the ingest, on finding and validating the model file (ModelCheckMS, before llama.cpp sees it) and
// on creating the context (ContextMS).
type RunResult struct {
	agents.RunInfo
	IngestMS     float64               `json:"ingest_ms"`
	ModelCheckMS float64               `json:"model_check_ms"`
	ContextMS    float64               `json:"context_ms"`
	Agents       []*agents.AgentResult `json:"agents"`
	Reports      []string              `json:"reports"`
	Status       string                `json:"status"`
}

// Run executes the agent workflow: ingest and facts once, one model load, then for each repetition every agent's
// analysis and report calls, with reports, metrics.json and SQLite rows. A cancelled ctx stops between tokens and
// the run is recorded as interrupted with the calls completed so far.
func Run(ctx context.Context, db *store.DB, opts RunOptions) (*RunResult, error) {
	if err := checkRunOptions(opts); err != nil {
		return nil, err
	}
	o, err := begin(ctx, db, store.KindRun, opts.Target, opts.Data, opts.OutDir, opts.Config)
	if err != nil {
		return nil, err
	}
	w := &agentsRun{opts: opts, rec: o.rec, facts: o.facts, ingestMS: o.ingestMS, model: o.model,
		result: &RunResult{RunInfo: agents.RunInfo{RunID: o.runID, Config: opts.Config, Facts: o.facts}, IngestMS: o.ingestMS,
			ModelCheckMS: o.checkMS}}
	err = w.execute(ctx)
	w.result.Status, err = o.rec.Finish(o.runID, err)
	return w.result, err
}

func checkRunOptions(opts RunOptions) error {
	if err := opts.Config.Check(); err != nil {
		return err
	}
	if opts.Runs < 1 {
		return engine.Invalid(fmt.Errorf("runs must be at least 1, got %d", opts.Runs))
	}
	if len(opts.Agents) == 0 {
		return engine.Invalid(errors.New("no agent selected"))
	}
	return nil
}

// checkWritableDir creates dir and makes sure reports can be written there, before any model load; it is the
// last check before a workflow's first side effect.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return engine.Invalid(fmt.Errorf("output directory: %w", err))
	}
	probe, err := os.CreateTemp(dir, ".chimera-probe-*")
	if err != nil {
		return engine.Invalid(fmt.Errorf("output directory %s is not writable: %w", dir, err))
	}
	if err := probe.Close(); err != nil {
		return engine.Invalid(fmt.Errorf("output directory %s is not writable: %w", dir, err))
	}
	return os.Remove(probe.Name())
}

// agentsRun is one `chimera run` in progress: its options, recorder, facts, model and session, and what it measured.
type agentsRun struct {
	opts     RunOptions
	rec      *record.Recorder
	facts    *artifacts.FactsReport
	ingestMS float64
	model    *engine.ModelFile
	result   *RunResult
	session  *agents.Session
}

func (w *agentsRun) execute(ctx context.Context) error {
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

func (w *agentsRun) load() error {
	cfg := w.opts.Config
	model, err := w.model.LoadFor(cfg)
	if err != nil {
		return err
	}
	session, err := agents.NewSession(model, cfg, w.facts, w.opts.Log)
	if err != nil {
		model.Close()
		return err
	}
	session.IngestMS = w.ingestMS
	w.session = session
	w.result.ContextMS = session.ContextMS
	w.result.Model = model.Summary()
	engine.Logf(w.opts.Log, "model: %s (%s) loaded in %.0f ms, %d/%d layers offloaded", model.Ref.Ref, model.Description(),
		model.Load.LoadMS, model.Load.OffloadedLayers, model.Load.OffloadableLayers)
	return nil
}

// warmup runs one pass of the agents before the measured ones: recorded as repetition 0, no report written, left
// out of every statistic.
func (w *agentsRun) warmup(ctx context.Context) error {
	_, _, err := runPass(ctx, w.rec, w.session, w.result.RunID, agentPass{agents: w.opts.Agents, rep: 0,
		label: func(a agents.Agent) string { return "warm-up " + a.Name }})
	return err
}

// repetition runs one pass of the agents, recording each call as it completes and writing each agent's report.
func (w *agentsRun) repetition(ctx context.Context, rep int) error {
	results, _, err := runPass(ctx, w.rec, w.session, w.result.RunID, agentPass{agents: w.opts.Agents, rep: rep, complete: w.writeAgentReport})
	w.result.Agents = append(w.result.Agents, results...)
	return err
}
