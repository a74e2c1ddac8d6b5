package pipeline

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"chimera/llama"
	"chimera/store"
)

// Sweep workloads and ranking metrics.
const (
	WorkloadBench = "bench"
	WorkloadAgent = "agent"

	RankDecode   = "decode"
	RankTTFT     = "ttft"
	RankWorkflow = "workflow"
)

// SweepAxes are the settings a sweep varies; every combination is a cell.
type SweepAxes struct {
	NumGPU        []int     `json:"num_gpu"`
	NumCtx        []int     `json:"num_ctx"`
	Temperature   []float64 `json:"temperature"`
	TopP          []float64 `json:"top_p"`
	TopK          []int     `json:"top_k"`
	RepeatPenalty []float64 `json:"repeat_penalty"`
}

// SweepOptions configure `chimera sweep`.
type SweepOptions struct {
	ModelRef    string
	Source      ModelSource
	Base        Config // the settings no axis varies
	Axes        SweepAxes
	Workload    string
	Runs        int
	RankBy      string
	NPrompt     int // bench workload: the TTFT proxy is the pp test, the decode rate the tg test
	NGen        int
	DataDirs    []string // agent workload
	Limits      Limits
	CommandLine string
	Log         io.Writer // progress lines
	Progress    io.Writer // the progress bar
}

// SweepCell is one combination of the axes and what its runs measured. Each sample is one run: for the agent
// workload decode tok/s is pooled over the calls, TTFT their mean and workflow the wall time of both agents; for
// the bench workload decode is the tg test, TTFT the time of the pp test.
type SweepCell struct {
	Config      Config    `json:"config"`
	GPULayers   int       `json:"gpu_layers_offloaded"`
	DuplicateOf int       `json:"duplicate_of"` // 1-based index of the cell with the same effective settings, 0 if none
	DecodeTPS   []float64 `json:"decode_tps"`
	TTFTMS      []float64 `json:"ttft_ms"`
	WorkflowMS  []float64 `json:"workflow_ms,omitempty"`
	LoadMS      float64   `json:"load_ms"`
}

// Metric returns the samples a ranking uses.
func (c SweepCell) Metric(rankBy string) []float64 {
	switch rankBy {
	case RankTTFT:
		return c.TTFTMS
	case RankWorkflow:
		return c.WorkflowMS
	}
	return c.DecodeTPS
}

// SweepResult is a finished (or interrupted) sweep.
type SweepResult struct {
	RunID    int64       `json:"run_id"`
	Workload string      `json:"workload"`
	RankBy   string      `json:"rank_by"`
	HasGPU   bool        `json:"has_gpu"`
	Cells    []SweepCell `json:"cells"`
	Ranking  []Ranked    `json:"ranking"`
}

// Ranked is a measured cell in ranking order; Significant says whether its lead over the next cell holds by
// Welch's t-test at p < 0.05.
type Ranked struct {
	Cell        int     `json:"cell"` // 1-based
	Mean        float64 `json:"mean"`
	SD          float64 `json:"sd"`
	N           int     `json:"n"`
	PNext       float64 `json:"p_vs_next"`
	Significant bool    `json:"significant_lead"`
}

// Cells expands the axes over the base configuration, the first axis varying slowest.
func (o SweepOptions) Cells() []SweepCell {
	var cells []SweepCell
	a := o.Axes
	for _, gpu := range a.NumGPU {
		for _, ctx := range a.NumCtx {
			for _, temp := range a.Temperature {
				for _, topP := range a.TopP {
					for _, topK := range a.TopK {
						for _, rp := range a.RepeatPenalty {
							cfg := o.Base
							cfg.NumGPU, cfg.Context.NumCtx = gpu, ctx
							cfg.Sampling.Temperature, cfg.Sampling.TopP = float32(temp), float32(topP)
							cfg.Sampling.TopK, cfg.Sampling.RepeatPenalty = topK, float32(rp)
							cells = append(cells, SweepCell{Config: cfg})
						}
					}
				}
			}
		}
	}
	return cells
}

// markDuplicates links each cell to the first with the same effective settings. Sampling settings do not affect
// the bench workload, which samples nothing.
func markDuplicates(cells []SweepCell, workload string, blocks int, hasGPU bool) {
	first := map[string]int{}
	for i := range cells {
		c := &cells[i]
		c.GPULayers, c.DuplicateOf = EffectiveNumGPU(c.Config.NumGPU, blocks, hasGPU), 0
		key := fmt.Sprintf("%d/%+v", c.GPULayers, c.Config.Context)
		if workload == WorkloadAgent {
			key += fmt.Sprintf("/%+v", c.Config.Sampling)
		}
		if j, ok := first[key]; ok {
			c.DuplicateOf = j + 1
			continue
		}
		first[key] = i
	}
}

// Rank orders the measured cells by the chosen metric (higher decode rate, lower TTFT or workflow time first).
func Rank(cells []SweepCell, rankBy string) []Ranked {
	var ranked []Ranked
	for i, c := range cells {
		if xs := c.Metric(rankBy); c.DuplicateOf == 0 && len(xs) > 0 {
			s := Summarize(xs)
			ranked = append(ranked, Ranked{Cell: i + 1, Mean: s.Mean, SD: s.SD, N: s.N})
		}
	}
	higherIsBetter := rankBy == RankDecode
	sort.SliceStable(ranked, func(i, j int) bool {
		if higherIsBetter {
			return ranked[i].Mean > ranked[j].Mean
		}
		return ranked[i].Mean < ranked[j].Mean
	})
	for i := 0; i+1 < len(ranked); i++ {
		p := Welch(cells[ranked[i].Cell-1].Metric(rankBy), cells[ranked[i+1].Cell-1].Metric(rankBy)).P
		ranked[i].PNext, ranked[i].Significant = p, p < 0.05
	}
	return ranked
}

func (o SweepOptions) validate() error {
	if o.Workload != WorkloadBench && o.Workload != WorkloadAgent {
		return Invalid(fmt.Errorf("workload must be bench or agent, got %q", o.Workload))
	}
	if o.RankBy != RankDecode && o.RankBy != RankTTFT && o.RankBy != RankWorkflow {
		return Invalid(fmt.Errorf("rank-by must be decode, ttft or workflow, got %q", o.RankBy))
	}
	if o.RankBy == RankWorkflow && o.Workload != WorkloadAgent {
		return Invalid(fmt.Errorf("workflow time exists only for the agent workload"))
	}
	if o.Runs < 1 {
		return Invalid(fmt.Errorf("runs must be at least 1, got %d", o.Runs))
	}
	if o.Workload == WorkloadBench && (o.NPrompt < 1 || o.NGen < 1) {
		return Invalid(fmt.Errorf("the bench workload needs a prompt size and a generation size above 0"))
	}
	for _, c := range o.Cells() {
		if err := c.Config.Validate(); err != nil {
			return Invalid(err)
		}
		if o.Workload == WorkloadBench && o.NPrompt+o.NGen > c.Config.Context.NumCtx {
			return Invalid(fmt.Errorf("num_ctx %d is smaller than the bench workload (pp %d + tg %d)", c.Config.Context.NumCtx, o.NPrompt, o.NGen))
		}
	}
	return nil
}

// Sweep measures every distinct cell Runs times, with one model load per distinct effective offload and one
// excluded warm-up per cell, and records the sweep and its cells in the store.
func Sweep(ctx context.Context, db *store.DB, opts SweepOptions) (*SweepResult, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	resolved, info, err := ResolveModel(opts.ModelRef, opts.Source)
	if err != nil {
		return nil, err
	}
	var facts *FactsReport
	if opts.Workload == WorkloadAgent {
		inv, err := Ingest(opts.DataDirs, opts.Limits)
		if err != nil {
			return nil, Invalid(err)
		}
		facts = BuildFacts(inv)
	}
	rec := &recorder{db: db, ctx: context.WithoutCancel(ctx)}
	runID, err := rec.startRun(store.KindSweep, RunOptions{CommandLine: opts.CommandLine, Config: opts.Base}, resolved, info)
	if err != nil {
		return nil, err
	}
	result := &SweepResult{RunID: runID, Workload: opts.Workload, RankBy: opts.RankBy, HasGPU: llama.HasGPU(), Cells: opts.Cells()}
	markDuplicates(result.Cells, opts.Workload, int(info.BlockCount), result.HasGPU)
	s := &sweeper{rng: newBenchRNG(), opts: opts, facts: facts, loads: map[int]*Model{}, bar: newProgressBar(opts.Progress, result.Cells, opts.Runs)}
	defer s.close()
	err = s.run(ctx, result.Cells)
	result.Ranking = Rank(result.Cells, opts.RankBy)
	rec.db.AddReport(rec.ctx, store.Report{RunID: runID, Name: "sweep.json", Markdown: mustJSON(result)})
	rec.finish(runID, err)
	return result, err
}

type sweeper struct {
	rng   *rand.Rand
	opts  SweepOptions
	facts *FactsReport
	loads map[int]*Model
	bar   *progressBar
}

func (s *sweeper) close() {
	for _, m := range s.loads {
		m.Close()
	}
}

func (s *sweeper) model(layers int) (*Model, error) {
	if m, ok := s.loads[layers]; ok {
		return m, nil
	}
	m, err := LoadModel(s.opts.ModelRef, s.opts.Source, layers, s.opts.Base.UseMmap)
	if err == nil {
		s.loads[layers] = m
	}
	return m, err
}

func (s *sweeper) run(ctx context.Context, cells []SweepCell) error {
	for i := range cells {
		c := &cells[i]
		if c.DuplicateOf > 0 {
			s.bar.breakLine()
			logf(s.opts.Log, "cell %d: same effective settings as cell %d (%d layers offloaded): not run again", i+1, c.DuplicateOf, c.GPULayers)
			continue
		}
		m, err := s.model(c.GPULayers)
		if err != nil {
			return err
		}
		c.LoadMS = m.Load.LoadMS
		if err := s.measure(ctx, m, c); err != nil {
			return err
		}
		s.bar.breakLine()
		logf(s.opts.Log, "cell %d (%s): decode %.2f tok/s, ttft %.1f ms", i+1, c.Config.Describe(), Summarize(c.DecodeTPS).Mean, Summarize(c.TTFTMS).Mean)
	}
	s.bar.finish()
	return nil
}

// measure runs a warm-up and then the cell's runs.
func (s *sweeper) measure(ctx context.Context, m *Model, c *SweepCell) error {
	session, err := NewSession(m, c.Config, s.facts, nil)
	if err != nil {
		return err
	}
	defer session.Close()
	for run := 0; run <= s.opts.Runs; run++ {
		sample, err := s.sample(ctx, session)
		if err != nil {
			return err
		}
		if run == 0 {
			continue // the warm-up
		}
		c.DecodeTPS = append(c.DecodeTPS, sample.decodeTPS)
		c.TTFTMS = append(c.TTFTMS, sample.ttftMS)
		if s.opts.Workload == WorkloadAgent {
			c.WorkflowMS = append(c.WorkflowMS, sample.workflowMS)
		}
		s.bar.step()
	}
	return nil
}

type sweepSample struct{ decodeTPS, ttftMS, workflowMS float64 }

func (s *sweeper) sample(ctx context.Context, session *Session) (sweepSample, error) {
	if s.opts.Workload == WorkloadBench {
		return s.benchSample(session.Ctx)
	}
	start := time.Now()
	var handoffs []Handoff
	var calls []CallRecord
	for _, agent := range Agents {
		res, err := session.RunAgent(ctx, agent, 1, handoffs)
		if err != nil {
			return sweepSample{}, err
		}
		calls = append(calls, res.Calls...)
		handoffs = []Handoff{{Title: "Inventory from " + Collector.Name, Text: res.Report()}}
	}
	pooled := poolCalls(calls)
	return sweepSample{decodeTPS: pooled.DecodeTPS, ttftMS: pooled.TTFTMS, workflowMS: msSince(start)}, nil
}

func (s *sweeper) benchSample(llctx *llama.Context) (sweepSample, error) {
	pp, err := llctx.BenchPrompt(s.opts.NPrompt, s.rng)
	if err != nil {
		return sweepSample{}, err
	}
	tg, _, err := llctx.BenchGenerate(s.opts.NGen, s.rng)
	if err != nil {
		return sweepSample{}, err
	}
	return sweepSample{decodeTPS: float64(s.opts.NGen) / tg.Seconds(), ttftMS: float64(pp.Nanoseconds()) / 1e6}, nil
}

// progressBar draws one line on w with the runs done and the time left, estimated from the pace so far.
type progressBar struct {
	w     io.Writer
	total int
	done  int
	start time.Time
	drawn bool // the bar is on the current line
}

func newProgressBar(w io.Writer, cells []SweepCell, runs int) *progressBar {
	distinct := 0
	for _, c := range cells {
		if c.DuplicateOf == 0 {
			distinct++
		}
	}
	return &progressBar{w: w, total: distinct * runs, start: time.Now()}
}

func (p *progressBar) step() {
	p.done++
	if p.w == nil {
		return
	}
	const width = 30
	filled := width * p.done / max(p.total, 1)
	left := time.Duration(float64(time.Since(p.start)) / float64(p.done) * float64(p.total-p.done))
	fmt.Fprintf(p.w, "\r[%-*s] %d/%d runs, ETA %s   ", width, bar(filled), p.done, p.total, left.Round(time.Second))
	p.drawn = true
}

// breakLine ends the bar's line so that a log line does not overwrite it.
func (p *progressBar) breakLine() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func (p *progressBar) finish() { p.breakLine() }

func bar(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '='
	}
	return string(b)
}
