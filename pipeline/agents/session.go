package agents

import (
	"context"
	"io"
	"time"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/runner"
)

// Session is a loaded model with one context and the facts its agents work from. Workflows (run, compare,
// sweep, multi) run agent passes on sessions; a session is used by one goroutine at a time.
type Session struct {
	Model  *engine.Model
	Ctx    *runner.Context
	Config engine.Config
	Facts  *artifacts.FactsReport
	Log    io.Writer
	// ContextMS is the time creating the context took (KV cache and compute buffers).
	ContextMS float64
	// IngestMS is the time the facts took to ingest, counted into every agent pass's stage times (the run
	// workflow's reports show it; the measuring workflows leave it 0).
	IngestMS float64
}

// CallObserver is told of every call of an agent run as soon as it completes (also an interrupted one), so that
// the caller can record it before anything else can go wrong; its error ends the agent run.
type CallObserver func(call CallRecord) error

// NewSession creates a context for cfg on a loaded model.
func NewSession(model *engine.Model, cfg engine.Config, facts *artifacts.FactsReport, log io.Writer) (*Session, error) {
	start := time.Now()
	llctx, err := model.NewContext(cfg.Context)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	return &Session{Model: model, Ctx: llctx, Config: cfg, Facts: facts, Log: log, ContextMS: engine.MillisSince(start)}, nil
}

// StartPass empties the context's KV cache, so that every pass of the agents starts alike: its first call evaluates
// its whole prompt, and the later calls reuse only what the same pass evaluated.
func (s *Session) StartPass() { s.Ctx.ClearCache() }

// Close frees the session's context (not the model, which other sessions may share).
func (s *Session) Close() { s.Ctx.Close() }

// RunAgent makes an agent's two calls, analysis then report, the report continuing the analysis conversation, and
// checks the texts' numbers; observe, when not nil, is told of each call. Stage times cover prompt fitting and
// generation, plus the session's IngestMS.
func (s *Session) RunAgent(ctx context.Context, agent Agent, rep int, inbound []Handoff, observe CallObserver) (*AgentResult, error) {
	res := &AgentResult{Agent: agent, Repetition: rep, Stages: StageTimes{IngestMS: s.IngestMS}}
	start := time.Now()
	defer func() { res.Stages.TotalMS = s.IngestMS + engine.MillisSince(start) }()
	plan, err := FitPrompt(s.Model, agent, s.Facts.Facts, inbound, s.Config)
	var analysis *runner.Result
	if err == nil {
		analysis, err = s.call(ctx, res, StageAnalysis, plan, observe)
	}
	res.Stages.AnalysisMS = engine.MillisSince(start)
	if err != nil {
		return res, err
	}
	reportStart := time.Now()
	if plan, err = ReportPrompt(s.Model, agent, plan, analysis, s.Config); err == nil {
		_, err = s.call(ctx, res, StageReport, plan, observe)
	}
	res.Stages.ReportMS = engine.MillisSince(reportStart)
	if err != nil {
		return res, err
	}
	res.Grounding = checkAgentTexts(res.Analysis(), res.Report(), s.knownNumbers(res))
	return res, nil
}

// call generates the planned prompt and reports the call, also when it was interrupted.
func (s *Session) call(ctx context.Context, res *AgentResult, stage string, plan *PromptPlan, observe CallObserver) (*runner.Result, error) {
	if plan.Trimmed && stage == StageAnalysis {
		engine.Logf(s.Log, "[%s] %d of %d facts fit num_ctx %d", res.Agent.ID, plan.FactsShown, plan.FactsTotal, s.Config.Context.NumCtx)
	}
	result, err := s.Ctx.Generate(ctx, plan.Request, nil)
	if result == nil {
		return nil, err
	}
	plan.Rendered = result.Prompt
	rec := CallRecord{Agent: res.Agent.ID, Stage: stage, Repetition: res.Repetition, Prompt: *plan, Response: result.Text, StopReason: result.StopReason, Timings: result.Timings}
	res.Calls = append(res.Calls, rec)
	if observe != nil {
		if recErr := observe(rec); recErr != nil {
			return result, recErr
		}
	}
	t := result.Timings
	engine.Logf(s.Log, "[%s] %s: %d prompt tokens (%d cached, %.0f tok/s), ttft %.0f ms, %d generated (%.1f tok/s), stop: %s",
		res.Agent.ID, stage, t.PromptTokens, t.PromptCachedTokens, t.PromptTPS, t.TTFTMS, t.GenTokens, t.DecodeTPS, result.StopReason)
	return result, err
}

// knownNumbers are the numbers a text may quote: every fact's figures, the settings and the agent's metrics.
func (s *Session) knownNumbers(res *AgentResult) []float64 {
	var known []float64
	for _, f := range s.Facts.Facts {
		known = append(known, f.Value)
		known = append(known, f.Numbers...)
	}
	cfg := s.Config
	known = append(known, float64(cfg.NumGPU), float64(cfg.Context.NumCtx), float64(cfg.Sampling.Temperature),
		float64(cfg.Sampling.TopP), float64(cfg.Sampling.TopK), float64(cfg.Sampling.RepeatPenalty), float64(len(s.Facts.Files)))
	for _, c := range res.Calls {
		t := c.Timings
		known = append(known, t.TTFTMS, t.DecodeTPS, t.PromptTPS, float64(t.GenTokens), float64(t.PromptTokens), t.TotalMS)
	}
	return known
}

// HandoffsFrom is what an agent's pass hands to the agents after it: the collector's inventory.
func HandoffsFrom(res *AgentResult) []Handoff {
	if res.Agent.ID != Collector.ID {
		return nil
	}
	return []Handoff{{Title: "Inventory from " + Collector.Name, Text: res.Report()}}
}
