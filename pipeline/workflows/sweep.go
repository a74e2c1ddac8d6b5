package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"chimera/llama"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
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

// SweepOptions configure `chimera sweep`.
type SweepOptions struct {
	Target
	Data                   // for the agent workload
	Base     engine.Config // the settings no axis varies
	Axes     []engine.Axis // every combination of the axes' values is a cell
	Workload string
	Runs     int
	RankBy   string
	NPrompt  int // bench workload: TTFT is the pp test's time, the decode rate the tg test's
	NGen     int
	OutDir   string // where the caller writes the sweep's files (WriteSweepFiles), checked before anything runs; "" for none
	Shard    Shard  // the part of the grid to measure; the zero Shard measures all of it
	// RerunMissing are files (databases or exports) holding earlier runs of the shard: only the shard's cells that
	// none of them finished are measured. ImportLimits bound what they may hold.
	RerunMissing []string
	ImportLimits store.ImportLimits
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
	// Shard is the shard that measures the cell in a sharded sweep, 0 for a duplicate; Host is the machine
	// that measured it, named in a collected sweep.
	Shard int    `json:"shard,omitempty"`
	Host  string `json:"host,omitempty"`
	// MeasuredEarlier is the UUID of the earlier run of the shard that finished the cell, which a re-run of the
	// shard's missing cells (--rerun-missing) does not measure again.
	MeasuredEarlier string `json:"measured_earlier,omitempty"`
}

// toMeasure reports whether the cell is the shard's to measure (shard 0: an unsharded sweep's): its shard's, and
// not finished by an earlier run of the shard.
func (c SweepCell) toMeasure(shard int) bool {
	return c.Shard == shard && c.MeasuredEarlier == ""
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
	SweepID  string             `json:"sweep_id,omitempty"` // of a shard, or of a sweep collected from shards
	Shard    *Shard             `json:"shard,omitempty"`
	HasGPU   bool               `json:"has_gpu"`
	Loads    []engine.ModelLoad `json:"model_loads"`
	Cells    []SweepCell        `json:"cells"`
	Ranking  []Ranked           `json:"ranking"`
}

// rankUnits are the units of each ranking metric.
var rankUnits = map[string]string{RankDecode: "tok/s", RankTTFT: "ms", RankWorkflow: "ms"}

// MarshalJSON adds the unit of the ranking's means and sds, which rank_by decides.
func (r SweepResult) MarshalJSON() ([]byte, error) {
	type fields SweepResult // without this method
	return json.Marshal(struct {
		fields
		Unit string `json:"unit"`
	}{fields(r), rankUnits[r.RankBy]})
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

// relevantAxes are the settings a sweep can vary that can change a workload's measurements: the sampling
// settings change nothing in the bench workload, which samples no tokens.
func relevantAxes(workload string) []*engine.Setting {
	var relevant []*engine.Setting
	for _, s := range axisSettings() {
		if s.Scope != engine.ScopeSampling || workload == WorkloadAgent {
			relevant = append(relevant, s)
		}
	}
	return relevant
}

// axisSettings are the settings any grid can vary, shorthands left out: their settings are listed.
func axisSettings() []*engine.Setting {
	var axes []*engine.Setting
	for _, s := range engine.Settings {
		if s.Axis && s.Sets == nil {
			axes = append(axes, s)
		}
	}
	return axes
}

// variedAxes are the relevant axes with more than one value among the cells.
func variedAxes(cells []SweepCell, workload string) []*engine.Setting {
	return slices.DeleteFunc(relevantAxes(workload), func(s *engine.Setting) bool { return !axisVaries(s, cells) })
}

func axisVaries(s *engine.Setting, cells []SweepCell) bool {
	for _, c := range cells {
		if s.Get(c.Config) != s.Get(cells[0].Config) {
			return true
		}
	}
	return false
}

// Cells expands the axes over the base configuration in llama-bench's order, the first axis (num_gpu) varying
// slowest and the sampling axes fastest.
func (o SweepOptions) Cells() ([]SweepCell, error) {
	grid, err := engine.Grid(o.Base, o.Axes)
	cells := make([]SweepCell, len(grid))
	for i, cfg := range grid {
		cells[i] = SweepCell{Config: cfg}
	}
	return cells, err
}

// markDuplicates sets the effective offload of each cell of the shard (0: of an unsharded sweep) and links it to
// the shard's first cell with the same effective settings. Sampling settings do not count for the bench
// workload, which samples nothing.
func markDuplicates(cells []SweepCell, workload string, blocks int, hasGPU bool, shard int) {
	first := map[string]int{}
	for i := range cells {
		c := &cells[i]
		if !c.toMeasure(shard) {
			continue
		}
		c.GPULayers, c.DuplicateOf = engine.EffectiveNumGPU(c.Config.NumGPU, blocks, hasGPU), 0
		key := settingsKey(c.GPULayers, c.Config, workload == WorkloadAgent)
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
		next := stats.Judge(cells[ranked[i+1].Cell-1].Metric(rankBy), cells[ranked[i].Cell-1].Metric(rankBy), rankBy == RankDecode)
		if !math.IsNaN(next.P) {
			ranked[i].PNext, ranked[i].Significant = &next.P, next.Differs()
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
	case len(o.RerunMissing) > 0 && o.Shard == (Shard{}):
		return engine.Invalid(errors.New("--rerun-missing measures the cells a shard left: give the shard, --shard K/N"))
	}
	if err := o.Shard.validate(); err != nil {
		return err
	}
	grid := make([]engine.Config, len(cells))
	for i, c := range cells {
		grid[i] = c.Config
	}
	if o.Workload == WorkloadBench {
		return checkGrid(grid, o.NPrompt, o.NGen, 0)
	}
	return checkGrid(grid, 0, 0, 0)
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
	Axes     []engine.Axis `json:"axes"`
	SweepID  string        `json:"sweep_id,omitempty"`
	Shard    *Shard        `json:"shard,omitempty"`
}

func (o SweepOptions) plan() sweepPlan {
	p := sweepPlan{Workload: o.Workload, Runs: o.Runs, RankBy: o.RankBy, Base: o.Base, Axes: o.Axes}
	if o.Workload == WorkloadBench {
		p.NPrompt, p.NGen = o.NPrompt, o.NGen
	} else {
		p.DataDirs = o.DataDirs
	}
	if o.Shard != (Shard{}) {
		p.SweepID, p.Shard = sweepID(p), &o.Shard
	}
	return p
}

// label summarises the sweep for run listings: bench sweep of 6 cells over num_gpu × num_ctx, 2 runs each, and
// for a shard, shard 1/2 of sweep 3f9c….
func (o SweepOptions) label(cells []SweepCell) string {
	if o.Shard != (Shard{}) {
		return fmt.Sprintf("%s, shard %s of sweep %s", o.gridLabel(cells), o.Shard, o.plan().SweepID)
	}
	return o.gridLabel(cells)
}

func (o SweepOptions) gridLabel(cells []SweepCell) string {
	var names []string
	for _, a := range variedAxes(cells, o.Workload) {
		names = append(names, a.Name)
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
	cells, err := opts.Cells()
	if err != nil {
		return nil, err
	}
	if err := opts.validate(cells); err != nil {
		return nil, err
	}
	facts, err := opts.facts()
	if err != nil {
		return nil, err
	}
	earlier, err := opts.earlierRuns(ctx)
	if err != nil {
		return nil, err
	}
	run, err := startRun(ctx, db, opts.Target, store.KindSweep, opts.OutDir, opts.plan(), opts.label(cells))
	if err != nil {
		return nil, err
	}
	rec, runID, file, parent := run.rec, run.runID, run.model, run.row
	result := &SweepResult{RunID: runID, Workload: opts.Workload, RankBy: opts.RankBy, HasGPU: llama.HasGPU(), Cells: cells}
	blocks := int(file.Info.BlockCount)
	if opts.Shard != (Shard{}) {
		result.SweepID, result.Shard = opts.plan().SweepID, &opts.Shard
		partition(result.Cells, opts.Workload, blocks, opts.Shard.N)
	}
	if err := markMeasuredEarlier(result.Cells, parent.ModelSHA256, earlier); err != nil {
		_, err = rec.Finish(runID, err)
		return nil, err
	}
	markDuplicates(result.Cells, opts.Workload, blocks, result.HasGPU, opts.Shard.K)
	s := &sweeper{opts: opts, rec: rec, cellRow: parent, facts: facts, model: file, result: result}
	s.cellRow.ParentID = runID
	err = s.run(ctx, blocks)
	result.Loads = s.loads.Loads()
	result.Ranking = Rank(result.Cells, opts.RankBy)
	err = errors.Join(err, s.addRanking(result))
	result.Status, err = rec.Finish(runID, err)
	return result, err
}
