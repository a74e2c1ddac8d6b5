package workflows

import (
	"context"
	"fmt"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/store"
)

// CompareOptions configure `chimera compare`: the agent workflow under a baseline and a chimera configuration.
type CompareOptions struct {
	Target
	Data
	Baseline engine.Config
	Chimera  engine.Config
	Runs     int // measured passes per configuration
	OutDir   string
}

// The two sides of a comparison.
const (
	SideBaseline = "baseline"
	SideChimera  = "chimera"
)

// CompareResult is a finished or interrupted comparison: its statistics cover the measured passes completed.
type CompareResult struct {
	RunID      int64               `json:"run_id"`
	Status     string              `json:"status"`
	Model      engine.ModelSummary `json:"model"`
	Baseline   engine.Config       `json:"baseline"`
	Chimera    engine.Config       `json:"chimera"`
	Runs       int                 `json:"runs"` // measured passes asked for per side
	Loads      []engine.ModelLoad  `json:"model_loads"`
	Samples    []PassSample        `json:"samples"` // measured passes in the order run; warm-ups are not samples
	Rows       []ComparisonRow     `json:"comparison"`
	Conclusion string              `json:"conclusion"`
	Reports    []string            `json:"reports"`
}

// PassSample is what one measured pass measured: both agents' workflow, the collector's report handed on.
type PassSample struct {
	Side         string      `json:"side"`
	Run          int         `json:"run"`
	PromptTokens int         `json:"prompt_tokens"` // over the pass's calls, cached tokens included
	GenTokens    int         `json:"gen_tokens"`
	Workflow     ScopeSample `json:"workflow"`
	Analysis     ScopeSample `json:"analysis"`
	Report       ScopeSample `json:"report"`
}

// ScopeSample is a pass's figures over the whole workflow or one stage: the calls pooled (see poolCalls) and the
// time spent, which is the pass's wall time for the workflow and the sum of both agents' times for a stage.
type ScopeSample struct {
	agents.Metrics
	TimeMS float64 `json:"time_ms"`
}

// comparePass is one pass of a comparison's schedule; run 0 is its side's warm-up.
type comparePass struct {
	side string
	run  int
}

func (p comparePass) warmup() bool { return p.run == 0 }

// label names the pass's agent runs in the store.
func (p comparePass) label(agent agents.Agent) string {
	if p.warmup() {
		return p.side + " warm-up " + agent.Name
	}
	return p.side + " " + agent.Name
}

// compareSchedule is the order of the passes: one warm-up per side, then the sides alternate so that drift over
// time (heat, other load on the machine) affects both alike.
func compareSchedule(runs int) []comparePass {
	passes := []comparePass{{SideBaseline, 0}, {SideChimera, 0}}
	for run := 1; run <= runs; run++ {
		passes = append(passes, comparePass{SideBaseline, run}, comparePass{SideChimera, run})
	}
	return passes
}

// Compare runs the agent workflow under both configurations, Runs measured passes each, interleaved after one
// excluded warm-up each, and reports per metric the two sides, their difference and Welch's test. Model loads are
// timed apart from the passes. A cancelled ctx stops between tokens; the run is then recorded as interrupted and
// the report covers the passes completed.
func Compare(ctx context.Context, db *store.DB, opts CompareOptions) (*CompareResult, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	o, err := begin(ctx, db, store.KindCompare, opts.Target, opts.Data, opts.OutDir, opts.sides())
	if err != nil {
		return nil, err
	}
	result := &CompareResult{RunID: o.runID, Baseline: opts.Baseline, Chimera: opts.Chimera, Runs: opts.Runs}
	err = runComparison(ctx, opts, o, result)
	result.Status = string(record.StatusOf(err))
	result.Rows = compareRows(result.Samples)
	result.Conclusion = concludeComparison(result.Rows)
	if len(result.Samples) > 0 {
		err = writeComparison(opts.OutDir, result, o.rec, err)
	}
	result.Status, err = o.rec.Finish(o.runID, err)
	return result, err
}

// sides are the settings a comparison's run records: both configurations.
func (o CompareOptions) sides() map[string]engine.Config {
	return map[string]engine.Config{SideBaseline: o.Baseline, SideChimera: o.Chimera}
}

func (o CompareOptions) validate() error {
	if o.Runs < 1 {
		return engine.Invalid(fmt.Errorf("runs must be at least 1, got %d", o.Runs))
	}
	for _, cfg := range []engine.Config{o.Baseline, o.Chimera} {
		if err := cfg.Check(); err != nil {
			return err
		}
	}
	return nil
}

func runComparison(ctx context.Context, opts CompareOptions, o *opening, result *CompareResult) error {
	pool := newSessionPool(o.model, o.facts, opts.Log)
	defer pool.close()
	sessions := map[string]*agents.Session{}
	for _, side := range []struct {
		name string
		cfg  engine.Config
	}{{SideBaseline, opts.Baseline}, {SideChimera, opts.Chimera}} {
		s, err := pool.open(side.name, side.cfg)
		if err != nil {
			return err
		}
		sessions[side.name] = s
	}
	result.Model, result.Loads = sessions[SideBaseline].Model.Summary(), pool.models.Loads()
	for _, pass := range compareSchedule(opts.Runs) {
		sample, err := measurePass(ctx, sessions[pass.side], o.rec, o.runID, pass)
		if err != nil {
			return err
		}
		if !pass.warmup() {
			result.Samples = append(result.Samples, sample)
		}
	}
	return nil
}

// measurePass runs both agents on the side's session, as `chimera run` does, records them and pools what they
// measured. A warm-up pass is recorded like the others (repetition 0) and left out of the statistics by the caller.
func measurePass(ctx context.Context, s *agents.Session, rec *record.Recorder, runID int64, pass comparePass) (PassSample, error) {
	results, wallMS, err := runPass(ctx, rec, s, runID, agentPass{agents: agents.Agents, rep: pass.run, label: pass.label})
	if err != nil {
		return PassSample{}, err
	}
	return newPassSample(pass, results, wallMS), nil
}

func newPassSample(pass comparePass, results []*agents.AgentResult, wallMS float64) PassSample {
	sample := PassSample{Side: pass.side, Run: pass.run}
	var calls []agents.CallRecord
	for _, r := range results {
		calls = append(calls, r.Calls...)
		totals := r.Totals()
		sample.PromptTokens += totals.PromptTokens
		sample.GenTokens += totals.GenTokens
		sample.Analysis.TimeMS += r.Stages.AnalysisMS
		sample.Report.TimeMS += r.Stages.ReportMS
	}
	sample.Workflow = ScopeSample{agents.PoolCalls(calls), wallMS}
	sample.Analysis.Metrics = agents.PoolCalls(callsOfStage(calls, agents.StageAnalysis))
	sample.Report.Metrics = agents.PoolCalls(callsOfStage(calls, agents.StageReport))
	return sample
}

func callsOfStage(calls []agents.CallRecord, stage string) []agents.CallRecord {
	var kept []agents.CallRecord
	for _, c := range calls {
		if c.Stage == stage {
			kept = append(kept, c)
		}
	}
	return kept
}
