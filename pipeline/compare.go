package pipeline

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"chimera/store"
)

// CompareOptions configure `chimera compare`: the agent workflow under two configurations.
type CompareOptions struct {
	ModelRef    string
	Source      ModelSource
	Baseline    Config
	Chimera     Config
	Runs        int
	DataDirs    []string
	Limits      Limits
	OutDir      string
	CommandLine string
	Log         io.Writer
}

// The two sides of a comparison.
const (
	SideBaseline = "baseline"
	SideChimera  = "chimera"
)

// WorkflowSample is what one pass of both agents measured.
type WorkflowSample struct {
	Side       string             `json:"side"`
	Run        int                `json:"run"`
	DecodeTPS  float64            `json:"decode_tps"` // Σ(gen_tokens−1) / Σ eval_ms over the pass's calls
	PromptTPS  float64            `json:"prompt_tps"` // Σ evaluated prompt tokens / Σ prompt_eval_ms
	TTFTMS     float64            `json:"ttft_ms"`    // mean over the pass's calls
	WorkflowMS float64            `json:"workflow_ms"`
	Stages     map[string]Metrics `json:"stages"` // per stage, pooled over both agents
}

// Metrics are the pooled figures of a group of calls.
type Metrics struct {
	DecodeTPS float64 `json:"decode_tps"`
	PromptTPS float64 `json:"prompt_tps"`
	TTFTMS    float64 `json:"ttft_ms"`
}

// poolCalls applies the one definition of each pooled figure to a group of calls.
func poolCalls(calls []CallRecord) Metrics {
	var steps, evaluated int
	var evalMS, promptMS, ttft float64
	for _, c := range calls {
		t := c.Timings
		steps += max(t.GenTokens-1, 0)
		evaluated += t.PromptTokens - t.PromptCachedTokens
		evalMS += t.EvalMS
		promptMS += t.PromptEvalMS
		ttft += t.TTFTMS / float64(len(calls))
	}
	return Metrics{DecodeTPS: rate(steps, evalMS), PromptTPS: rate(evaluated, promptMS), TTFTMS: ttft}
}

// rate is tokens per second; zero when there is nothing to divide.
func rate(tokens int, ms float64) float64 {
	if tokens <= 0 || ms <= 0 {
		return 0
	}
	return float64(tokens) / ms * 1000
}

// CompareResult is a finished comparison.
type CompareResult struct {
	RunID    int64              `json:"run_id"`
	Baseline Config             `json:"baseline"`
	Chimera  Config             `json:"chimera"`
	LoadMS   map[string]float64 `json:"load_ms"` // per side: the load its model needed (shared loads count once)
	Samples  []WorkflowSample   `json:"samples"`
	Rows     []ComparisonRow    `json:"comparison"`
	Reports  []string           `json:"reports"`
}

// ComparisonRow compares one metric: Delta is chimera − baseline, DeltaPct that delta as a share of baseline.
type ComparisonRow struct {
	Metric       string    `json:"metric"`
	Baseline     Summary   `json:"baseline"`
	Chimera      Summary   `json:"chimera"`
	BaselineCI   []float64 `json:"baseline_ci95,omitempty"` // empty with fewer than 2 runs on a side
	ChimeraCI    []float64 `json:"chimera_ci95,omitempty"`
	Delta        float64   `json:"delta"`
	DeltaPct     float64   `json:"delta_pct"`
	P            *float64  `json:"p_welch"` // nil with fewer than 2 runs on a side
	HigherBetter bool      `json:"higher_is_better"`
}

// Compare runs both configurations Runs times, interleaved (A B A B …) after one excluded warm-up each.
func Compare(ctx context.Context, db *store.DB, opts CompareOptions) (*CompareResult, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	o, err := begin(ctx, db, store.KindCompare, RunOptions{ModelRef: opts.ModelRef, Source: opts.Source,
		DataDirs: opts.DataDirs, Limits: opts.Limits, CommandLine: opts.CommandLine, Config: opts.Chimera, Log: opts.Log})
	if err != nil {
		return nil, err
	}
	facts, rec, runID := o.facts, o.rec, o.runID
	result := &CompareResult{RunID: runID, Baseline: opts.Baseline, Chimera: opts.Chimera, LoadMS: map[string]float64{}}
	err = runComparison(ctx, opts, facts, rec, result)
	result.Rows = compareRows(result.Samples)
	if werr := writeComparison(opts.OutDir, result, rec); werr != nil && err == nil {
		err = werr
	}
	rec.finish(runID, err)
	return result, err
}

func (o CompareOptions) validate() error {
	if o.Runs < 1 {
		return Invalid(fmt.Errorf("runs must be at least 1, got %d", o.Runs))
	}
	for _, cfg := range []Config{o.Baseline, o.Chimera} {
		if err := cfg.Validate(); err != nil {
			return Invalid(err)
		}
	}
	return checkWritableDir(o.OutDir)
}

// InterleavedOrder is the order of the measured passes: baseline and chimera alternate, warm-ups come first.
func InterleavedOrder(runs int) []string {
	order := []string{"warmup:" + SideBaseline, "warmup:" + SideChimera}
	for range runs {
		order = append(order, SideBaseline, SideChimera)
	}
	return order
}

func runComparison(ctx context.Context, opts CompareOptions, facts *FactsReport, rec *recorder, result *CompareResult) error {
	models := newModelPool(opts.ModelRef, opts.Source)
	defer models.close()
	sessions := map[string]*Session{}
	for side, cfg := range map[string]Config{SideBaseline: opts.Baseline, SideChimera: opts.Chimera} {
		m, loadMS, err := models.get(cfg)
		if err != nil {
			return err
		}
		result.LoadMS[side] = loadMS
		s, err := NewSession(m, cfg, facts, opts.Log)
		if err != nil {
			return err
		}
		defer s.Close()
		sessions[side] = s
	}
	run := map[string]int{}
	for _, step := range InterleavedOrder(opts.Runs) {
		side, warmup := strings.CutPrefix(step, "warmup:")
		sample, err := workflowPass(ctx, sessions[side], rec, result.RunID, side, run[side]+1)
		if err != nil {
			return err
		}
		if !warmup {
			run[side]++
			sample.Run = run[side]
			result.Samples = append(result.Samples, sample)
		}
	}
	return nil
}

// workflowPass runs both agents on a session, records their calls, and pools what they measured.
func workflowPass(ctx context.Context, s *Session, rec *recorder, runID int64, side string, rep int) (WorkflowSample, error) {
	start := time.Now()
	var calls []CallRecord
	var handoffs []Handoff
	for _, agent := range Agents {
		agentRunID, err := rec.startAgent(runID, Agent{ID: agent.ID, Label: side + " " + agent.Label}, rep, s.Config)
		if err != nil {
			return WorkflowSample{}, err
		}
		s.OnCall = func(_ *AgentResult, c CallRecord) error { return rec.addCall(runID, agentRunID, c) }
		res, err := s.RunAgent(ctx, agent, rep, handoffs)
		if err != nil {
			return WorkflowSample{}, rec.failAgent(agentRunID, res, err)
		}
		if err := rec.finishAgent(agentRunID, res); err != nil {
			return WorkflowSample{}, err
		}
		calls = append(calls, res.Calls...)
		handoffs = []Handoff{{Title: "Inventory from " + Collector.Name, Text: res.Report()}}
	}
	pooled := poolCalls(calls)
	sample := WorkflowSample{Side: side, DecodeTPS: pooled.DecodeTPS, PromptTPS: pooled.PromptTPS, TTFTMS: pooled.TTFTMS,
		WorkflowMS: msSince(start), Stages: map[string]Metrics{}}
	for _, stage := range []string{StageAnalysis, StageReport} {
		sample.Stages[stage] = poolCalls(filterCalls(calls, stage))
	}
	return sample, nil
}

func filterCalls(calls []CallRecord, stage string) []CallRecord {
	var kept []CallRecord
	for _, c := range calls {
		if c.Stage == stage {
			kept = append(kept, c)
		}
	}
	return kept
}

// modelPool loads one model per distinct (num_gpu, mmap) and shares it between configurations.
type modelPool struct {
	ref    string
	src    ModelSource
	loaded map[string]*Model
}

func newModelPool(ref string, src ModelSource) *modelPool {
	return &modelPool{ref: ref, src: src, loaded: map[string]*Model{}}
}

// get returns the model for cfg and the load time it cost (0 when an earlier configuration loaded it).
func (p *modelPool) get(cfg Config) (*Model, float64, error) {
	key := fmt.Sprintf("%d/%t/%t", cfg.NumGPU, cfg.UseMmap, cfg.Fit)
	if m, ok := p.loaded[key]; ok {
		return m, 0, nil
	}
	m, err := LoadModelFor(p.ref, p.src, cfg)
	if err != nil {
		return nil, 0, err
	}
	p.loaded[key] = m
	return m, m.Load.LoadMS, nil
}

func (p *modelPool) close() {
	for _, m := range p.loaded {
		m.Close()
	}
}

type metricDef struct {
	name   string
	higher bool
	value  func(WorkflowSample) float64
}

func comparedMetrics() []metricDef {
	defs := []metricDef{
		{"decode tok/s", true, func(s WorkflowSample) float64 { return s.DecodeTPS }},
		{"prompt tok/s", true, func(s WorkflowSample) float64 { return s.PromptTPS }},
		{"TTFT ms", false, func(s WorkflowSample) float64 { return s.TTFTMS }},
		{"workflow ms", false, func(s WorkflowSample) float64 { return s.WorkflowMS }},
	}
	for _, stage := range []string{StageAnalysis, StageReport} {
		defs = append(defs,
			metricDef{stage + " decode tok/s", true, func(s WorkflowSample) float64 { return s.Stages[stage].DecodeTPS }},
			metricDef{stage + " TTFT ms", false, func(s WorkflowSample) float64 { return s.Stages[stage].TTFTMS }})
	}
	return defs
}

func compareRows(samples []WorkflowSample) []ComparisonRow {
	var rows []ComparisonRow
	for _, def := range comparedMetrics() {
		var base, chim []float64
		for _, s := range samples {
			if s.Side == SideBaseline {
				base = append(base, def.value(s))
			} else {
				chim = append(chim, def.value(s))
			}
		}
		rows = append(rows, compareRow(def, base, chim))
	}
	return rows
}

func compareRow(def metricDef, base, chim []float64) ComparisonRow {
	b, c := Summarize(base), Summarize(chim)
	row := ComparisonRow{Metric: def.name, Baseline: b, Chimera: c, Delta: c.Mean - b.Mean, HigherBetter: def.higher}
	if b.Mean != 0 {
		row.DeltaPct = row.Delta / b.Mean * 100
	}
	if len(base) >= 2 && len(chim) >= 2 {
		p := Welch(base, chim).P
		row.P, row.BaselineCI, row.ChimeraCI = &p, ci95(base), ci95(chim)
	}
	return row
}

// Conclusion words a comparison row as its numbers allow: a difference is claimed only when Welch's test
// finds it at p < 0.05.
func (r ComparisonRow) Conclusion() string {
	switch {
	case r.P == nil:
		return "no p-value: each side needs at least 2 runs"
	case *r.P >= 0.05:
		return fmt.Sprintf("no significant difference (p = %.3g)", *r.P)
	case (r.Delta > 0) == r.HigherBetter:
		return fmt.Sprintf("chimera is better by %.1f%% (p = %.3g)", math.Abs(r.DeltaPct), *r.P)
	default:
		return fmt.Sprintf("chimera is worse by %.1f%% (p = %.3g)", math.Abs(r.DeltaPct), *r.P)
	}
}

func ci95(xs []float64) []float64 {
	lo, hi := MeanCI95(xs)
	return []float64{lo, hi}
}

func writeComparison(dir string, r *CompareResult, rec *recorder) error {
	md := RenderComparison(r)
	mdPath, jsonPath := filepath.Join(dir, "comparison.md"), filepath.Join(dir, "comparison.json")
	if err := writeFileAtomic(mdPath, []byte(md)); err != nil {
		return err
	}
	if err := writeFileAtomic(jsonPath, []byte(mustJSON(r))); err != nil {
		return err
	}
	r.Reports = []string{mdPath, jsonPath}
	return rec.addReport(r.RunID, 0, "comparison.md", mdPath, md)
}

// RenderComparison is the Markdown report of a comparison.
func RenderComparison(r *CompareResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Baseline vs chimera (run %d)\n\n", r.RunID)
	fmt.Fprintf(&b, "- **Baseline:** %s\n- **Chimera:** %s\n", r.Baseline.Describe(), r.Chimera.Describe())
	fmt.Fprintf(&b, "- **Order:** one warm-up pass per configuration (excluded), then baseline and chimera alternate; each pass is both agents' full workflow.\n")
	fmt.Fprintf(&b, "- **Model loads (not part of any pass):** baseline %.0f ms, chimera %.0f ms (0 when the load was shared).\n",
		r.LoadMS[SideBaseline], r.LoadMS[SideChimera])
	fmt.Fprintf(&b, "- **Sign convention:** Δ = chimera − baseline; Δ%% is Δ as a percentage of the baseline mean. p is Welch's two-sided t-test.\n\n")
	fmt.Fprintf(&b, "| Metric | Baseline mean ± sd [95%% CI] | Chimera mean ± sd [95%% CI] | Δ | Δ%% | p | Conclusion |\n|---|---|---|---|---|---|---|\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %+.2f | %+.1f%% | %s | %s |\n", row.Metric, summaryCell(row.Baseline, row.BaselineCI),
			summaryCell(row.Chimera, row.ChimeraCI), row.Delta, row.DeltaPct, pCell(row.P), row.Conclusion())
	}
	fmt.Fprintf(&b, "\nDefinitions: decode tok/s = Σ(tokens−1)/Σ eval time over a pass's calls; prompt tok/s = evaluated "+
		"prompt tokens / prefill time; TTFT = mean over the calls of call start → first token; workflow = wall time of the pass.\n")
	return b.String()
}

func summaryCell(s Summary, ci []float64) string {
	if len(ci) == 0 {
		return fmt.Sprintf("%.2f ± %.2f (n=%d)", s.Mean, s.SD, s.N)
	}
	return fmt.Sprintf("%.2f ± %.2f [%.2f, %.2f] (n=%d)", s.Mean, s.SD, ci[0], ci[1], s.N)
}

func pCell(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.3g", *p)
}
