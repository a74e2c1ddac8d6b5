package workflows

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/llama"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/pipeline/stats"
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

// SweepAxes are the settings a sweep varies, the bench axes and the sampling settings; every combination is a
// cell.
type SweepAxes struct {
	BenchAxes
	Temperature   []float64 `json:"temperature"`
	TopP          []float64 `json:"top_p"`
	TopK          []int     `json:"top_k"`
	RepeatPenalty []float64 `json:"repeat_penalty"`
}

// SweepOptions configure `chimera sweep`.
type SweepOptions struct {
	Target
	Data                   // for the agent workload
	Base     engine.Config // the settings no axis varies
	Axes     SweepAxes
	Workload string
	Runs     int
	RankBy   string
	NPrompt  int // bench workload: TTFT is the pp test's time, the decode rate the tg test's
	NGen     int
	OutDir   string // where the caller writes the sweep's files (WriteSweepFiles), checked before anything runs; "" for none
}

// SweepCell is one combination of the axes and what its runs measured, one sample per run. For the agent
// workload decode tok/s is pooled over a pass's calls, TTFT is their mean and workflow the pass's wall time; for
// the bench workload decode tok/s is the tg test's rate and TTFT the pp test's time.
type SweepCell struct {
	Config engine.Config `json:"config"`
	// GPULayers is the offload num_gpu really gets on this machine.
	GPULayers int `json:"num_gpu_effective"`
	// DuplicateOf is the 1-based index of the earlier cell with the same effective settings; such a cell is not run.
	DuplicateOf int   `json:"duplicate_of,omitempty"`
	RunID       int64 `json:"run_id,omitempty"` // the cell's run in the store, a child of the sweep's
	// Error says why the cell could not be measured at its settings (its prompts do not fit its num_ctx, the
	// model does not load with its offload); the sweep goes on with the other cells.
	Error      string    `json:"error,omitempty"`
	DecodeTPS  []float64 `json:"decode_tps"`
	TTFTMS     []float64 `json:"ttft_ms"`
	WorkflowMS []float64 `json:"workflow_ms,omitempty"`
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
	RunID    int64              `json:"run_id"`
	Status   string             `json:"status"`
	Workload string             `json:"workload"`
	RankBy   string             `json:"rank_by"`
	HasGPU   bool               `json:"has_gpu"`
	Loads    []engine.ModelLoad `json:"model_loads"`
	Cells    []SweepCell        `json:"cells"`
	Ranking  []Ranked           `json:"ranking"`
}

// Ranked is a measured cell in ranking order.
type Ranked struct {
	Cell int     `json:"cell"` // 1-based
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	N    int     `json:"n"`
	// PNext is Welch's two-sided p-value against the next cell: absent for the last cell and where the test is
	// undefined (a cell with fewer than two runs, or no spread in either).
	PNext *float64 `json:"p_vs_next,omitempty"`
	// Significant says whether the lead over the next cell holds at p < 0.05.
	Significant bool `json:"significant_lead"`
}

// axisColumn is one setting a sweep can vary, named as in its output.
type axisColumn struct {
	name     string
	sampling bool // the bench workload samples no tokens, so these change nothing there
	value    func(engine.Config) string
}

var axisColumns = []axisColumn{
	{name: "num_gpu", value: func(c engine.Config) string { return engine.NumGPULabel(c.NumGPU) }},
	{name: "num_ctx", value: func(c engine.Config) string { return strconv.Itoa(c.Context.NumCtx) }},
	{name: "batch", value: func(c engine.Config) string { return strconv.Itoa(c.Context.Batch) }},
	{name: "ubatch", value: func(c engine.Config) string { return strconv.Itoa(c.Context.UBatch) }},
	{name: "threads", value: func(c engine.Config) string { return strconv.Itoa(c.Context.Threads) }},
	{name: "flash_attn", value: func(c engine.Config) string { return c.Context.FlashAttn }},
	{name: "cache_type_k", value: func(c engine.Config) string { return c.Context.CacheTypeK }},
	{name: "cache_type_v", value: func(c engine.Config) string { return c.Context.CacheTypeV }},
	{name: "temperature", sampling: true, value: func(c engine.Config) string { return engine.Decimal(c.Sampling.Temperature) }},
	{name: "top_p", sampling: true, value: func(c engine.Config) string { return engine.Decimal(c.Sampling.TopP) }},
	{name: "top_k", sampling: true, value: func(c engine.Config) string { return strconv.Itoa(c.Sampling.TopK) }},
	{name: "repeat_penalty", sampling: true, value: func(c engine.Config) string { return engine.Decimal(c.Sampling.RepeatPenalty) }},
}

// relevantAxes are, in a new slice, the axes that can change a workload's measurements: the sampling axes change
// nothing in the bench workload.
func relevantAxes(workload string) []axisColumn {
	return slices.DeleteFunc(slices.Clone(axisColumns), func(a axisColumn) bool { return a.sampling && workload == WorkloadBench })
}

// variedAxes are the relevant axes with more than one value among the cells.
func variedAxes(cells []SweepCell, workload string) []axisColumn {
	return slices.DeleteFunc(relevantAxes(workload), func(a axisColumn) bool { return !axisVaries(a, cells) })
}

func axisVaries(a axisColumn, cells []SweepCell) bool {
	for _, c := range cells {
		if a.value(c.Config) != a.value(cells[0].Config) {
			return true
		}
	}
	return false
}

// describe names the given settings of cfg: num_gpu=0 num_ctx=2048.
func describe(cfg engine.Config, axes []axisColumn) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = a.name + "=" + a.value(cfg)
	}
	return strings.Join(parts, " ")
}

// Cells expands the axes over the base configuration in llama-bench's order, the first axis (num_gpu) varying
// slowest and the sampling axes fastest.
func (o SweepOptions) Cells() []SweepCell {
	var cells []SweepCell
	for _, point := range o.Axes.Grid(o.Base.Context) {
		for _, sampling := range o.Axes.samplings(o.Base.Sampling) {
			cfg := o.Base
			cfg.NumGPU, cfg.Context, cfg.Sampling = point.NumGPU, point.Context, sampling
			cells = append(cells, SweepCell{Config: cfg})
		}
	}
	return cells
}

// samplings expands the sampling axes over base, the first axis varying slowest.
func (a SweepAxes) samplings(base llama.Sampling) []llama.Sampling {
	var all []llama.Sampling
	for _, temp := range a.Temperature {
		for _, topP := range a.TopP {
			for _, topK := range a.TopK {
				for _, penalty := range a.RepeatPenalty {
					s := base
					s.Temperature, s.TopP, s.TopK, s.RepeatPenalty = float32(temp), float32(topP), topK, float32(penalty)
					all = append(all, s)
				}
			}
		}
	}
	return all
}

// markDuplicates sets each cell's effective offload and links it to the first cell with the same effective
// settings. Sampling settings do not count for the bench workload, which samples nothing.
func markDuplicates(cells []SweepCell, workload string, blocks int, hasGPU bool) {
	first := map[string]int{}
	for i := range cells {
		c := &cells[i]
		c.GPULayers, c.DuplicateOf = engine.EffectiveNumGPU(c.Config.NumGPU, blocks, hasGPU), 0
		key := settingsKey(c.GPULayers, c.Config.Context)
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

// Rank orders the measured cells by the chosen metric, best first: the highest decode rate, or the lowest TTFT
// or workflow time.
func Rank(cells []SweepCell, rankBy string) []Ranked {
	var ranked []Ranked
	for i, c := range cells {
		if xs := c.Metric(rankBy); c.DuplicateOf == 0 && len(xs) > 0 {
			s := stats.Summarize(xs)
			ranked = append(ranked, Ranked{Cell: i + 1, Mean: s.Mean, SD: s.SD, N: s.N})
		}
	}
	slices.SortStableFunc(ranked, func(a, b Ranked) int {
		if beats(rankBy == RankDecode, a.Mean, b.Mean) {
			return -1
		}
		if beats(rankBy == RankDecode, b.Mean, a.Mean) {
			return 1
		}
		return 0
	})
	for i := 0; i+1 < len(ranked); i++ {
		p := stats.Welch(cells[ranked[i].Cell-1].Metric(rankBy), cells[ranked[i+1].Cell-1].Metric(rankBy)).P
		if !math.IsNaN(p) {
			ranked[i].PNext, ranked[i].Significant = &p, p < 0.05
		}
	}
	return ranked
}

// beats reports whether mean a is better than mean b: higher, or lower when higher is not better.
func beats(higher bool, a, b float64) bool {
	if higher {
		return a > b
	}
	return a < b
}

func (o SweepOptions) validate(cells []SweepCell) error {
	switch {
	case o.Workload != WorkloadBench && o.Workload != WorkloadAgent:
		return engine.Invalid(fmt.Errorf("workload must be bench or agent, got %q", o.Workload))
	case o.RankBy != RankDecode && o.RankBy != RankTTFT && o.RankBy != RankWorkflow:
		return engine.Invalid(fmt.Errorf("rank-by must be decode, ttft or workflow, got %q", o.RankBy))
	case o.RankBy == RankWorkflow && o.Workload != WorkloadAgent:
		return engine.Invalid(errors.New("workflow time exists only for the agent workload"))
	case o.Runs < 1:
		return engine.Invalid(fmt.Errorf("runs must be at least 1, got %d", o.Runs))
	case o.Workload == WorkloadBench && (o.NPrompt < 1 || o.NGen < 1):
		return engine.Invalid(errors.New("the bench workload needs a prompt size (-p) and a generation size (-n) above 0"))
	case len(cells) == 0:
		return engine.Invalid(errors.New("every sweep axis needs at least one value"))
	}
	for _, c := range cells {
		if err := c.Config.Validate(); err != nil {
			return engine.Invalid(err)
		}
	}
	if o.Workload == WorkloadBench {
		return checkTestsFit(o.NPrompt, o.NGen, 0, o.Axes.NumCtx)
	}
	return nil
}

// sweepPlan is the configuration a sweep's run records.
type sweepPlan struct {
	Workload string        `json:"workload"`
	Runs     int           `json:"runs"`
	RankBy   string        `json:"rank_by"`
	NPrompt  int           `json:"n_prompt,omitempty"`
	NGen     int           `json:"n_gen,omitempty"`
	DataDirs []string      `json:"data_dirs,omitempty"`
	Base     engine.Config `json:"base"`
	Axes     SweepAxes     `json:"axes"`
}

func (o SweepOptions) plan() sweepPlan {
	p := sweepPlan{Workload: o.Workload, Runs: o.Runs, RankBy: o.RankBy, Base: o.Base, Axes: o.Axes}
	if o.Workload == WorkloadBench {
		p.NPrompt, p.NGen = o.NPrompt, o.NGen
	} else {
		p.DataDirs = o.DataDirs
	}
	return p
}

// label summarises the sweep for run listings: bench sweep of 6 cells over num_gpu × num_ctx, 2 runs each.
func (o SweepOptions) label(cells []SweepCell) string {
	var names []string
	for _, a := range variedAxes(cells, o.Workload) {
		names = append(names, a.name)
	}
	over := ""
	if len(names) > 0 {
		over = " over " + strings.Join(names, " × ")
	}
	return fmt.Sprintf("%s sweep of %d cells%s, %d runs each", o.Workload, len(cells), over, o.Runs)
}

// facts ingests the artifacts the agent workload analyses; the bench workload needs none.
func (o SweepOptions) facts() (*artifacts.FactsReport, error) {
	if o.Workload != WorkloadAgent {
		return nil, nil
	}
	inv, err := artifacts.Ingest(o.DataDirs, o.Limits)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	return artifacts.BuildFacts(inv), nil
}

// Sweep checks the options, the artifacts, the model and OutDir before anything is recorded, then measures every
// distinct cell Runs times after one excluded warm-up, with one model load per distinct effective offload, reused
// by every cell that needs it. The store gets a sweep run, with the plan as its
// configuration and the ranking as its report, and a child run per measured cell with its effective settings
// and measurements. A cancelled ctx stops between tokens; the sweep and the cell it was in are recorded as
// interrupted, and the result holds what was measured until then.
func Sweep(ctx context.Context, db *store.DB, opts SweepOptions) (*SweepResult, error) {
	if err := checkGridSize(opts.Axes.lengths()); err != nil {
		return nil, err
	}
	cells := opts.Cells()
	if err := opts.validate(cells); err != nil {
		return nil, err
	}
	facts, err := opts.facts()
	if err != nil {
		return nil, err
	}
	file, err := engine.ResolveModel(opts.ModelRef, opts.Source)
	if err != nil {
		return nil, err
	}
	if opts.OutDir != "" {
		if err := checkWritableDir(opts.OutDir); err != nil {
			return nil, err
		}
	}
	rec := record.New(ctx, db)
	parent := record.RunRow(file, store.KindSweep, opts.CommandLine, opts.plan())
	parent.Label = opts.label(cells)
	runID, err := rec.StartRun(parent)
	if err != nil {
		return nil, err
	}
	result := &SweepResult{RunID: runID, Workload: opts.Workload, RankBy: opts.RankBy, HasGPU: llama.HasGPU(), Cells: cells}
	blocks := int(file.Info.BlockCount)
	markDuplicates(result.Cells, opts.Workload, blocks, result.HasGPU)
	s := &sweeper{opts: opts, rec: rec, cellRow: parent, facts: facts, model: file}
	s.cellRow.ParentID = runID
	err = s.run(ctx, result.Cells, blocks)
	result.Loads = s.loads.Loads()
	result.Ranking = Rank(result.Cells, opts.RankBy)
	if recErr := s.addRanking(result); err == nil {
		err = recErr
	}
	result.Status, err = rec.Finish(runID, err)
	return result, err
}
