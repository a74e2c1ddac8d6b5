package pipeline

import (
	"context"
	"time"
)

// runAgent makes an agent's two calls, analysis then report, writes its report and records everything.
func (w *workflow) runAgent(ctx context.Context, agent Agent, rep int, inbound []Handoff) (*AgentResult, error) {
	res := &AgentResult{Agent: agent, Repetition: rep, Stages: StageTimes{IngestMS: w.ingestMS}}
	agentRunID, err := w.rec.startAgent(w.result.RunID, agent, rep, w.opts.Config)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	analysis, err := w.call(ctx, agentRunID, res, StageAnalysis, inbound)
	res.Stages.AnalysisMS = msSince(start)
	if err != nil {
		return res, w.rec.failAgent(agentRunID, res, err)
	}
	reportStart := time.Now()
	handoffs := append(append([]Handoff(nil), inbound...), Handoff{Title: "Your analysis", Text: analysis.Response})
	_, err = w.call(ctx, agentRunID, res, StageReport, handoffs)
	res.Stages.ReportMS = msSince(reportStart)
	res.Stages.TotalMS = w.ingestMS + msSince(start)
	if err != nil {
		return res, w.rec.failAgent(agentRunID, res, err)
	}
	res.Grounding = CheckGrounding(res.Analysis()+"\n"+res.Report(), w.knownNumbers(res))
	if err := w.writeAgentReport(agentRunID, res); err != nil {
		return res, err
	}
	return res, w.rec.finishAgent(agentRunID, res)
}

// call fits the stage's prompt, generates, and records the call, also when it was interrupted.
func (w *workflow) call(ctx context.Context, agentRunID int64, res *AgentResult, stage string, handoffs []Handoff) (CallRecord, error) {
	plan, err := FitPrompt(w.model, res.Agent, stage, w.facts.Facts, handoffs, w.opts.Config)
	if err != nil {
		return CallRecord{}, err
	}
	if plan.Trimmed {
		logf(w.opts.Log, "[%s] %s: %d of %d facts fit num_ctx %d", res.Agent.ID, stage, plan.FactsShown, plan.FactsTotal, w.opts.Config.Context.NumCtx)
	}
	result, err := w.llctx.Generate(ctx, plan.Request, nil)
	if result == nil {
		return CallRecord{}, err
	}
	rec := CallRecord{Agent: res.Agent.ID, Stage: stage, Repetition: res.Repetition, System: res.Agent.Persona,
		Prompt: *plan, Response: result.Text, StopReason: result.StopReason, Timings: result.Timings}
	res.Calls = append(res.Calls, rec)
	if recErr := w.rec.addCall(w.result.RunID, agentRunID, rec); recErr != nil {
		return rec, recErr
	}
	t := result.Timings
	logf(w.opts.Log, "[%s] %s: %d prompt tokens (%.0f tok/s), ttft %.0f ms, %d generated (%.1f tok/s), stop: %s",
		res.Agent.ID, stage, t.PromptTokens, t.PromptTPS, t.TTFTMS, t.GenTokens, t.DecodeTPS, result.StopReason)
	return rec, err
}

// knownNumbers are the numbers a report may quote: every fact's figures, the settings and the run's metrics.
func (w *workflow) knownNumbers(current *AgentResult) []float64 {
	var known []float64
	for _, f := range w.facts.Facts {
		known = append(known, f.Value)
		known = append(known, f.Numbers...)
	}
	cfg := w.opts.Config
	known = append(known, float64(cfg.NumGPU), float64(cfg.Context.NumCtx), float64(cfg.Sampling.Temperature),
		float64(cfg.Sampling.TopP), float64(cfg.Sampling.TopK), float64(cfg.Sampling.RepeatPenalty),
		float64(len(w.facts.Files)), w.ingestMS)
	for _, agent := range append(w.result.Agents, current) {
		for _, c := range agent.Calls {
			t := c.Timings
			known = append(known, t.TTFTMS, t.DecodeTPS, t.PromptTPS, float64(t.GenTokens), float64(t.PromptTokens), t.TotalMS)
		}
	}
	return known
}
