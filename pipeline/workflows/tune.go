package workflows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/llama"
	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/pipeline/tune"
	"chimera/store"
)

// The objectives tune can optimise, measured with bench's tests.
const (
	ObjectiveTG    = "tg"    // tg test tok/s, higher is better
	ObjectivePP    = "pp"    // pp test tok/s, higher is better
	ObjectiveTTFT  = "ttft"  // pp test time in ms, the time to a first token; lower is better
	ObjectiveMixed = "mixed" // pp time + tg time in ms, one request of NPrompt and NGen tokens; lower is better
	// ObjectiveWorkflow is the wall time in ms of one pass of both agents over the artifacts, NGen tokens at most
	// per call; lower is better.
	ObjectiveWorkflow = "workflow"
)

// Objectives lists them.
var Objectives = []string{ObjectiveTG, ObjectivePP, ObjectiveTTFT, ObjectiveMixed, ObjectiveWorkflow}

// TuneOptions configure `chimera tune`.
type TuneOptions struct {
	Target
	Data // the artifacts of the workflow objective
	// Axes are the load and context settings tune chooses from; without a num_gpu axis it tries every offload
	// from 0 layers to all.
	Axes         []engine.Axis
	Objective    string
	NumCtx       int
	NPrompt      int
	NGen         int
	MemoryBudget int64 // bytes: device memory on a GPU, llama.cpp's buffers on the CPU; 0 for none
	MaxTrials    int
	Seed         uint64
	UseMmap      bool
	OutDir       string
}

// TuneResult is a finished or interrupted tune: the search's trials and the configuration each stands for.
type TuneResult struct {
	RunID     int64              `json:"run_id"`
	Status    string             `json:"status"`
	Objective string             `json:"objective"`
	Unit      string             `json:"unit"`
	Higher    bool               `json:"higher_is_better"`
	HasGPU    bool               `json:"has_gpu"`
	Model     string             `json:"model"`
	Axes      []tune.Axis        `json:"axes"`
	Configs   []engine.Config    `json:"configs"` // per trial
	RunIDs    []int64            `json:"trial_run_ids"`
	Search    *tune.Result       `json:"search"`
	Loads     []engine.ModelLoad `json:"model_loads"`
	Reports   []string           `json:"reports"`
}

// Tune searches the axes for the configuration that does best on the objective within the memory budget,
// measuring each candidate only as often as it takes to decide (see package tune). Every trial is a child run
// of the tune run, with its bench results. A cancelled ctx stops between rounds; the result holds what was
// measured and the best so far.
func Tune(ctx context.Context, db *store.DB, opts TuneOptions) (*TuneResult, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	facts, err := opts.facts()
	if err != nil {
		return nil, err
	}
	run, err := startRun(ctx, db, opts.Target, store.KindTune, opts.OutDir, opts.plan(), "tune for "+opts.Objective)
	if err != nil {
		return nil, err
	}
	rec, runID := run.rec, run.runID
	t := newTuner(opts, run.model, rec, run.row, runID)
	t.facts = facts
	defer t.loads.Close()
	result := t.result
	result.Search, err = tune.Search(ctx, t, t.search)
	t.alignTrials()
	err = errors.Join(err, t.finishTrials())
	result.Loads = t.loads.Loads()
	if result.Search != nil && len(result.Search.Trials) > 0 {
		err = errors.Join(err, writeTuneFiles(opts.OutDir, result))
	}
	result.Status, err = rec.Finish(runID, err)
	return result, err
}

// plan is what a tune's run records as its settings.
func (o TuneOptions) plan() any {
	return struct {
		Objective    string        `json:"objective"`
		Axes         []engine.Axis `json:"axes"`
		NumCtx       int           `json:"num_ctx"`
		NPrompt      int           `json:"n_prompt"`
		NGen         int           `json:"n_gen"`
		MemoryBudget int64         `json:"memory_budget_bytes"`
		MaxTrials    int           `json:"max_trials"`
		Seed         uint64        `json:"search_seed"`
		UseMmap      bool          `json:"use_mmap"`
	}{o.Objective, o.Axes, o.NumCtx, o.NPrompt, o.NGen, o.MemoryBudget, o.MaxTrials, o.Seed, o.UseMmap}
}

func (o TuneOptions) validate() error {
	switch {
	case !slices.Contains(Objectives, o.Objective):
		return engine.Invalid(fmt.Errorf("objective must be one of %s; got %q", strings.Join(Objectives, ", "), o.Objective))
	case o.NPrompt < 1 && o.nPrompt() > 0, o.NGen < 1 && o.Objective != ObjectivePP && o.Objective != ObjectiveTTFT:
		return engine.Invalid(fmt.Errorf("the %s objective needs its test sizes above 0 (-p %d, -n %d)", o.Objective, o.NPrompt, o.NGen))
	case o.MemoryBudget < 0 || o.MaxTrials < 0:
		return engine.Invalid(errors.New("the memory budget and the trial limit must not be negative"))
	}
	grid, err := engine.Grid(o.base(), o.Axes)
	if err != nil {
		return err
	}
	return anyValidConfig(grid, o.nPrompt(), o.nGen())
}

// base is the configuration the axes vary: chimera's defaults at the tune's context size.
func (o TuneOptions) base() engine.Config {
	c := engine.DefaultConfig()
	c.Context.NumCtx, c.UseMmap = o.NumCtx, o.UseMmap
	return c
}

// anyValidConfig accepts axes of which some combinations are invalid (a quantized V cache with flash attention
// off): the search rejects those as trials. All of them invalid is an input error.
func anyValidConfig(grid []engine.Config, nPrompt, nGen int) error {
	var first error
	devices := llama.Devices()
	for _, c := range grid {
		err := checkConfig(c, devices, nPrompt, nGen, 0)
		if err == nil {
			return nil
		}
		first = cmp.Or(first, err)
	}
	return engine.Invalid(fmt.Errorf("no combination of the axes is valid: %w", first))
}

// nPrompt and nGen are the sizes of the bench tests the objective measures.
func (o TuneOptions) nPrompt() int {
	if o.Objective == ObjectiveTG || o.Objective == ObjectiveWorkflow {
		return 0
	}
	return o.NPrompt
}

func (o TuneOptions) nGen() int {
	if o.Objective == ObjectivePP || o.Objective == ObjectiveTTFT || o.Objective == ObjectiveWorkflow {
		return 0
	}
	return o.NGen
}

// facts ingests the artifacts the workflow objective analyses; the others need none.
func (o TuneOptions) facts() (*artifacts.FactsReport, error) {
	if o.Objective != ObjectiveWorkflow {
		return nil, nil
	}
	inv, err := artifacts.Ingest(o.DataDirs, o.Limits)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	return artifacts.BuildFacts(inv), nil
}

// tuner measures tune's trials with bench's tests and records each as a child run of the tune run.
type tuner struct {
	opts     TuneOptions
	file     *engine.ModelFile
	rec      *record.Recorder
	trialRow store.Run
	runID    int64
	loads    *engine.ModelCache
	bench    *bencher
	hasGPU   bool
	result   *TuneResult
	rows     map[int][]BenchRow // per trial index, every round's rows
	search   tune.Options
	facts    *artifacts.FactsReport // the workflow objective's
	// trials are the trial indices by search configuration (tune.Config's key)
	trials map[string]int
}

func newTuner(opts TuneOptions, file *engine.ModelFile, rec *record.Recorder, parent store.Run, runID int64) *tuner {
	t := &tuner{opts: opts, file: file, rec: rec, trialRow: parent, runID: runID, hasGPU: llama.HasGPU(), rows: map[int][]BenchRow{},
		trials: map[string]int{}}
	t.trialRow.ParentID, t.trialRow.Kind = runID, store.KindBench
	if opts.Objective == ObjectiveWorkflow {
		t.trialRow.Kind = store.KindRun
	}
	t.loads = engine.NewModelCache(file, opts.Log)
	t.bench = newBencher(BenchOptions{Target: opts.Target, NPrompt: opts.nPrompt(), NGen: opts.nGen(), UseMmap: opts.UseMmap},
		t.loads, int(file.Info.BlockCount))
	t.search = t.searchOptions()
	t.bench.labelled = t.searchedSettings()
	t.result = &TuneResult{RunID: runID, Objective: opts.Objective, Unit: objectiveUnit(opts.Objective),
		Higher: higherIsBetter(opts.Objective), HasGPU: t.hasGPU, Model: file.Ref.Ref, Axes: t.search.Axes}
	return t
}

func objectiveUnit(objective string) string {
	if higherIsBetter(objective) {
		return "tok/s"
	}
	return "ms"
}

func higherIsBetter(objective string) bool {
	return objective == ObjectiveTG || objective == ObjectivePP
}

// searchOptions are the axes as the search sees them, cheapest value first, with chimera's defaults marked.
// Without a GPU every num_gpu offloads nothing, so that axis is cut to one value.
func (t *tuner) searchOptions() tune.Options {
	axes := []tune.Axis{t.offloadAxis()}
	for _, a := range t.opts.Axes {
		if a.Setting.Name != "num_gpu" {
			axes = append(axes, searchAxis(a))
		}
	}
	opts := tune.Options{Axes: axes, Offload: 0, HigherIsBetter: higherIsBetter(t.opts.Objective),
		MemoryBudget: t.opts.MemoryBudget, RepsPerRound: 3, MaxRounds: 4, Precision: 0.01, MaxTrials: t.opts.MaxTrials,
		Passes: 2, Seed: t.opts.Seed, Log: func(format string, args ...any) { engine.Logf(t.opts.Log, "tune: "+format, args...) }}
	if !t.hasGPU {
		opts.Offload = -1
	}
	return opts
}

// offloadAxis is num_gpu's values by increasing offload, every one from 0 layers to all unless the axes name
// them; its default is the most.
func (t *tuner) offloadAxis() tune.Axis {
	numGPU := engine.Axis{Setting: engine.SettingNamed("num_gpu")}
	for _, a := range t.opts.Axes {
		if a.Setting == numGPU.Setting {
			numGPU = a
		}
	}
	switch {
	case !t.hasGPU:
		numGPU.Values = []string{"0"}
	case len(numGPU.Values) == 0:
		for layers := range int(t.file.Info.BlockCount) + 2 {
			numGPU.Values = append(numGPU.Values, strconv.Itoa(layers))
		}
	}
	axis := searchAxis(numGPU)
	axis.Default = len(axis.Values) - 1
	return axis
}

// searchAxis lists an axis's values cheapest first: fewer layers, threads and smaller batches, fewer bits per
// cached value. Its default is chimera's, except for threads, where it is the most.
func searchAxis(a engine.Axis) tune.Axis {
	values := slices.SortedStableFunc(slices.Values(a.Values), func(x, y string) int { return cmp.Compare(cost(x), cost(y)) })
	preferred := a.Setting.Default()
	if a.Setting.Name == "threads" {
		preferred = values[len(values)-1]
	}
	i := slices.Index(values, preferred)
	if i < 0 && (a.Setting.Kind == engine.KindCount || a.Setting.Kind == engine.KindLayers) {
		i = len(values) - 1
	}
	return tune.Axis{Name: a.Setting.Name, Values: values, Default: max(i, 0)}
}

// cost orders the values of one axis: counts by size (all layers the most), cache types by the bits they store
// per value; other values keep their order.
func cost(value string) float64 {
	bits := map[string]float64{"q4_0": 4.5, "iq4_nl": 4.5, "q4_1": 5, "q5_0": 5.5, "q5_1": 6, "q8_0": 8.5, "bf16": 16, "f16": 16, "f32": 32}
	if b, ok := bits[value]; ok {
		return b
	}
	if value == engine.NumGPULabel(engine.AllLayers) {
		return math.Inf(1)
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return 0
	}
	return float64(n)
}

// searchedSettings are the settings the search varies, which name its trials.
func (t *tuner) searchedSettings() []*engine.Setting {
	var named []*engine.Setting
	for _, a := range t.search.Axes {
		if len(a.Values) > 1 {
			named = append(named, engine.SettingNamed(a.Name))
		}
	}
	return named
}

// config is the configuration a search configuration stands for: each axis's value set by the axis's name.
func (t *tuner) config(cfg tune.Config) engine.Config {
	c := t.opts.base()
	for i, a := range t.search.Axes {
		if err := engine.SettingNamed(a.Name).Set(&c, a.Values[cfg[i]]); err != nil {
			panic(err) // the values were read by the same setting
		}
	}
	c.CutMicroBatch()
	return c
}

// Measure runs one round of a trial: reps repetitions of the objective, after a warm-up, recorded under the
// trial's own run.
func (t *tuner) Measure(ctx context.Context, cfg tune.Config, reps int) (tune.Measurement, error) {
	bc := t.config(cfg)
	trial, err := t.trial(cfg, bc)
	if err != nil {
		return tune.Measurement{}, err
	}
	if err := bc.Validate(); err != nil {
		return tune.Measurement{}, fmt.Errorf("%v: %w", err, tune.ErrCannotRun)
	}
	measure := t.measureBench
	if t.opts.Objective == ObjectiveWorkflow {
		measure = t.measureWorkflow
	}
	m, err := measure(ctx, trial, bc, reps)
	if err != nil && ctx.Err() == nil && cannotRunAt(err) {
		return m, fmt.Errorf("%v: %w", err, tune.ErrCannotRun)
	}
	return m, err
}

// measureBench runs the objective's bench tests; their rows are kept for the trial's record.
func (t *tuner) measureBench(ctx context.Context, trial int, bc engine.Config, reps int) (tune.Measurement, error) {
	rows, err := t.bench.runConfig(ctx, bc, t.effective(bc), reps)
	if err != nil {
		return tune.Measurement{}, err
	}
	t.rows[trial] = append(t.rows[trial], rows...)
	return tune.Measurement{Samples: objectiveSamples(t.opts.Objective, rows), MemoryBytes: t.memory(rows[0])}, nil
}

// measureWorkflow runs passes of both agents on a context of its own, each recorded as a chimera run's are.
func (t *tuner) measureWorkflow(ctx context.Context, trial int, bc engine.Config, reps int) (tune.Measurement, error) {
	cfg := bc
	cfg.NumGPU, cfg.NumPredict = t.effective(bc), t.opts.NGen
	m, err := t.loads.Get(t.bench.label(bc), cfg)
	if err != nil {
		return tune.Measurement{}, err
	}
	session, err := agents.NewSession(m, cfg, t.facts, nil)
	if err != nil {
		return tune.Measurement{}, err
	}
	defer session.Close()
	held := BenchRow{VRAMUsedBytes: t.loads.LoadOf(m).DeviceBytes + engine.DeviceBytes(session.Ctx.Buffers),
		BufferBytes: bufferBytes(m.Load.Buffers) + bufferBytes(session.Ctx.Buffers)}
	passes, err := workflowPasses(ctx, t.rec, session, t.result.RunIDs[trial], reps, func() {})
	samples := make([]float64, len(passes))
	for i, p := range passes {
		samples[i] = p.WallMS
	}
	return tune.Measurement{Samples: samples, MemoryBytes: t.memory(held)}, err
}

func (t *tuner) effective(bc engine.Config) int {
	return engine.EffectiveNumGPU(bc.NumGPU, t.bench.blocks, t.hasGPU)
}

// trial is the index of the search configuration's trial, recorded as a child run of the tune the first time it
// is measured: the search's trials and the result's configurations are in that same order. Two search
// configurations can stand for one configuration (a micro-batch above the batch is cut to it); they are two trials.
func (t *tuner) trial(cfg tune.Config, bc engine.Config) (int, error) {
	key := fmt.Sprint([]int(cfg))
	if i, ok := t.trials[key]; ok {
		return i, nil
	}
	t.trials[key] = len(t.result.Configs)
	row := t.trialRow
	row.Label = fmt.Sprintf("trial %d %s", len(t.result.Configs)+1, t.bench.label(bc))
	id, err := t.rec.StartRun(row)
	if err != nil {
		return 0, err
	}
	t.result.Configs, t.result.RunIDs = append(t.result.Configs, bc), append(t.result.RunIDs, id)
	return len(t.result.Configs) - 1, nil
}

// memory is what the configuration holds: the device memory it took with a GPU, else the buffers llama.cpp
// allocated for it (the resident memory of the process would count whatever earlier trials left in its heaps).
func (t *tuner) memory(r BenchRow) int64 {
	if t.hasGPU {
		return r.VRAMUsedBytes
	}
	return r.BufferBytes
}

// objectiveSamples are one value per repetition: a test's rate or time, or for mixed pp time + tg time.
func objectiveSamples(objective string, rows []BenchRow) []float64 {
	var pp, tg BenchRow
	for _, r := range rows {
		if r.NGen > 0 {
			tg = r
		} else {
			pp = r
		}
	}
	switch objective {
	case ObjectiveTG:
		return tg.SamplesTS
	case ObjectivePP:
		return pp.SamplesTS
	}
	samples := make([]float64, len(pp.SamplesNS))
	for i, ns := range pp.SamplesNS {
		samples[i] = float64(ns) / 1e6
		if objective == ObjectiveMixed {
			samples[i] += float64(tg.SamplesNS[i]) / 1e6
		}
	}
	return samples
}

// alignTrials puts the configurations, run IDs and rows in the order of the search's trials. They differ where the
// search made a trial it never measured, when the tune was interrupted first: such a trial has no run.
func (t *tuner) alignTrials() {
	if t.result.Search == nil {
		return
	}
	trials := t.result.Search.Trials
	configs, ids, rows := make([]engine.Config, len(trials)), make([]int64, len(trials)), map[int][]BenchRow{}
	for i, trial := range trials {
		configs[i] = t.config(trial.Config)
		if j, ok := t.trials[fmt.Sprint([]int(trial.Config))]; ok {
			ids[i], rows[i] = t.result.RunIDs[j], t.rows[j]
		}
	}
	t.result.Configs, t.result.RunIDs, t.rows = configs, ids, rows
}

// finishTrials records the end of every trial's run: a bench objective's results, all rounds pooled per test, and
// a rejected trial as failed with the reason. It returns the failures to record, not the rejections, which are
// the search's findings.
func (t *tuner) finishTrials() error {
	var errs []error
	for i, id := range t.result.RunIDs {
		if id == 0 {
			continue // never measured
		}
		var outcome error
		switch trial := t.result.Search.Trials[i]; {
		case trial.Rejected != "":
			outcome = errors.New("rejected: " + trial.Rejected)
		case trial.Rounds == 0:
			outcome = fmt.Errorf("not measured: %w", context.Canceled) // the tune was interrupted during its first round
		}
		if rows := t.rows[i]; len(rows) > 0 {
			if err := t.rec.AddBenchResults(id, storeBenchRows(pooledRows(rows))); err != nil {
				errs, outcome = append(errs, err), err
			}
		}
		if _, err := t.rec.Finish(id, outcome); err != outcome { // Finish gives outcome back unless recording failed
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pooledRows joins the rounds of a trial into one row per test, with every round's samples.
func pooledRows(rounds []BenchRow) []BenchRow {
	var pooled []BenchRow
	for _, r := range rounds {
		i := slices.IndexFunc(pooled, func(p BenchRow) bool { return p.Test() == r.Test() })
		if i < 0 {
			pooled = append(pooled, r)
			continue
		}
		pooled[i].SamplesNS = append(pooled[i].SamplesNS, r.SamplesNS...)
		pooled[i].SamplesTS = append(pooled[i].SamplesTS, r.SamplesTS...)
	}
	for i := range pooled {
		summarizeSamples(&pooled[i])
	}
	return pooled
}
