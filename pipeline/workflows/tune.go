package workflows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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

// TuneAxes are the values tune may choose from, one list per setting.
type TuneAxes struct {
	NumGPU       []int    `json:"num_gpu"` // none: every offload from 0 layers to all
	Threads      []int    `json:"threads"`
	ThreadsBatch []int    `json:"threads_batch"`
	Batch        []int    `json:"batch"`
	UBatch       []int    `json:"ubatch"`
	FlashAttn    []string `json:"flash_attn"`
	CacheTypeK   []string `json:"cache_type_k"`
	CacheTypeV   []string `json:"cache_type_v"`
}

// TuneOptions configure `chimera tune`.
type TuneOptions struct {
	Target
	Data         // the artifacts of the workflow objective
	Axes         TuneAxes
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
	Configs   []BenchConfig      `json:"configs"` // per trial
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
	file, err := engine.ResolveModel(opts.ModelRef, opts.Source)
	if err != nil {
		return nil, err
	}
	if err := checkWritableDir(opts.OutDir); err != nil {
		return nil, err
	}
	rec := record.New(ctx, db)
	parent := record.RunRow(file, store.KindTune, opts.CommandLine, opts.plan())
	parent.Label = fmt.Sprintf("tune for %s", opts.Objective)
	runID, err := rec.StartRun(parent)
	if err != nil {
		return nil, err
	}
	t := newTuner(opts, file, rec, parent, runID)
	t.facts = facts
	defer t.loads.Close()
	result := t.result
	result.Search, err = tune.Search(ctx, t, t.search)
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
		Objective    string   `json:"objective"`
		Axes         TuneAxes `json:"axes"`
		NumCtx       int      `json:"num_ctx"`
		NPrompt      int      `json:"n_prompt"`
		NGen         int      `json:"n_gen"`
		MemoryBudget int64    `json:"memory_budget_bytes"`
		MaxTrials    int      `json:"max_trials"`
		Seed         uint64   `json:"seed"`
		UseMmap      bool     `json:"use_mmap"`
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
	if err := checkGridSize(o.Axes.lengths()); err != nil {
		return err
	}
	if err := anyValidContext(o.Axes.contexts(o.NumCtx)); err != nil {
		return err
	}
	return checkTestsFit(o.nPrompt(), o.nGen(), 0, []int{o.NumCtx})
}

// anyValidContext accepts axes of which some combinations are invalid (a quantized V cache with flash attention
// off): the search rejects those as trials. All of them invalid is an input error.
func anyValidContext(contexts []llama.ContextParams) error {
	var first error
	for _, p := range contexts {
		err := p.Validate()
		if err == nil {
			return nil
		}
		first = cmp.Or(first, err)
	}
	if first == nil {
		return engine.Invalid(errors.New("every tune axis needs at least one value"))
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

func (a TuneAxes) lengths() []axisLength {
	return []axisLength{{"num_gpu", len(a.NumGPU)}, {"threads", len(a.Threads)}, {"threads_batch", len(a.ThreadsBatch)},
		{"batch", len(a.Batch)}, {"ubatch", len(a.UBatch)}, {"flash_attn", len(a.FlashAttn)},
		{"cache_type_k", len(a.CacheTypeK)}, {"cache_type_v", len(a.CacheTypeV)}}
}

// contexts are every context the axes can make, for validation.
func (a TuneAxes) contexts(numCtx int) []llama.ContextParams {
	bench := BenchAxes{NumCtx: []int{numCtx}, Batch: a.Batch, UBatch: a.UBatch, Threads: a.Threads, FlashAttn: a.FlashAttn,
		CacheTypeK: a.CacheTypeK, CacheTypeV: a.CacheTypeV}
	var all []llama.ContextParams
	for _, p := range bench.contexts(llama.ContextParams{}) {
		for _, tb := range a.ThreadsBatch {
			p.ThreadsBatch = tb
			all = append(all, p)
		}
	}
	return all
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
}

func newTuner(opts TuneOptions, file *engine.ModelFile, rec *record.Recorder, parent store.Run, runID int64) *tuner {
	t := &tuner{opts: opts, file: file, rec: rec, trialRow: parent, runID: runID, hasGPU: llama.HasGPU(), rows: map[int][]BenchRow{}}
	t.trialRow.ParentID, t.trialRow.Kind = runID, store.KindBench
	if opts.Objective == ObjectiveWorkflow {
		t.trialRow.Kind = store.KindRun
	}
	t.loads = engine.NewModelCache(file, opts.Log)
	t.bench = newBencher(BenchOptions{Target: opts.Target, NPrompt: opts.nPrompt(), NGen: opts.nGen(), UseMmap: opts.UseMmap},
		t.loads, int(file.Info.BlockCount))
	t.search = t.searchOptions()
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
	a := t.opts.Axes
	numGPU := a.NumGPU
	switch {
	case !t.hasGPU:
		numGPU = []int{0}
	case len(numGPU) == 0:
		for layers := range int(t.file.Info.BlockCount) + 2 {
			numGPU = append(numGPU, layers)
		}
	}
	d := llama.DefaultContextParams()
	axes := []tune.Axis{
		intAxis("num_gpu", numGPU, numGPU[len(numGPU)-1], engine.NumGPULabel),
		intAxis("threads", a.Threads, slices.Max(a.Threads), strconv.Itoa),
		intAxis("threads_batch", a.ThreadsBatch, 0, strconv.Itoa),
		intAxis("batch", a.Batch, d.Batch, strconv.Itoa),
		intAxis("ubatch", a.UBatch, d.UBatch, strconv.Itoa),
		stringAxis("flash_attn", a.FlashAttn, d.FlashAttn),
		stringAxis("cache_type_k", byCacheBits(a.CacheTypeK), d.CacheTypeK),
		stringAxis("cache_type_v", byCacheBits(a.CacheTypeV), d.CacheTypeV),
	}
	opts := tune.Options{Axes: axes, Offload: 0, HigherIsBetter: higherIsBetter(t.opts.Objective),
		MemoryBudget: t.opts.MemoryBudget, RepsPerRound: 3, MaxRounds: 4, Precision: 0.01, MaxTrials: t.opts.MaxTrials,
		Passes: 2, Seed: t.opts.Seed, Log: func(format string, args ...any) { engine.Logf(t.opts.Log, "tune: "+format, args...) }}
	if !t.hasGPU {
		opts.Offload = -1
	}
	return opts
}

// intAxis lists the values in increasing order (fewer threads and smaller batches are cheaper); the default is
// the value given, else the largest.
func intAxis(name string, values []int, preferred int, label func(int) string) tune.Axis {
	sorted := slices.Sorted(slices.Values(values))
	axis := tune.Axis{Name: name, Default: len(sorted) - 1}
	for i, v := range sorted {
		axis.Values = append(axis.Values, label(v))
		if v == preferred {
			axis.Default = i
		}
	}
	return axis
}

func stringAxis(name string, values []string, preferred string) tune.Axis {
	return tune.Axis{Name: name, Values: values, Default: max(0, slices.Index(values, preferred))}
}

// byCacheBits orders cache types by the bits they store per value, the cheapest first.
func byCacheBits(types []string) []string {
	bits := map[string]float64{"q4_0": 4.5, "iq4_nl": 4.5, "q4_1": 5, "q5_0": 5.5, "q5_1": 6, "q8_0": 8.5, "bf16": 16, "f16": 16, "f32": 32}
	return slices.SortedStableFunc(slices.Values(types), func(a, b string) int { return cmp.Compare(bits[a], bits[b]) })
}

// config is the bench configuration a search configuration stands for.
func (t *tuner) config(cfg tune.Config) BenchConfig {
	value := func(axis int) string { return t.search.Axes[axis].Values[cfg[axis]] }
	number := func(axis int) int {
		if value(axis) == engine.NumGPULabel(engine.AllLayers) {
			return engine.AllLayers
		}
		n, _ := strconv.Atoi(value(axis)) // the axes were built from ints
		return n
	}
	p := llama.ContextParams{NumCtx: t.opts.NumCtx, Threads: number(1), ThreadsBatch: number(2), Batch: number(3),
		UBatch: min(number(4), number(3)), FlashAttn: value(5), CacheTypeK: value(6), CacheTypeV: value(7), ReusePrefix: true}
	return BenchConfig{NumGPU: number(0), Context: p}
}

// Measure runs one round of a trial: reps repetitions of the objective, after a warm-up, recorded under the
// trial's own run.
func (t *tuner) Measure(ctx context.Context, cfg tune.Config, reps int) (tune.Measurement, error) {
	bc := t.config(cfg)
	trial, err := t.trial(bc)
	if err != nil {
		return tune.Measurement{}, err
	}
	if err := bc.Context.Validate(); err != nil {
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
func (t *tuner) measureBench(ctx context.Context, trial int, bc BenchConfig, reps int) (tune.Measurement, error) {
	t.bench.opts.Reps = reps
	rows, err := t.bench.runConfig(ctx, bc, t.effective(bc))
	if err != nil {
		return tune.Measurement{}, err
	}
	t.rows[trial] = append(t.rows[trial], rows...)
	return tune.Measurement{Samples: objectiveSamples(t.opts.Objective, rows), MemoryBytes: t.memory(rows[0])}, nil
}

// measureWorkflow runs passes of both agents on a context of its own, each recorded as a chimera run's are.
func (t *tuner) measureWorkflow(ctx context.Context, trial int, bc BenchConfig, reps int) (tune.Measurement, error) {
	cfg := engine.Config{NumGPU: t.effective(bc), UseMmap: t.opts.UseMmap, Context: bc.Context, Sampling: llama.DefaultSampling(),
		NumPredict: t.opts.NGen}
	m, err := t.loads.Get(bc.label(), cfg)
	if err != nil {
		return tune.Measurement{}, err
	}
	before := t.loads.Meter()
	session, err := agents.NewSession(m, cfg, t.facts, nil)
	if err != nil {
		return tune.Measurement{}, err
	}
	defer session.Close()
	held := BenchRow{VRAMUsedBytes: t.loads.LoadOf(m).DeviceBytes + t.loads.Meter() - before,
		BufferBytes: bufferBytes(m.Load.Buffers) + bufferBytes(session.Ctx.Buffers)}
	passes, err := workflowPasses(ctx, t.rec, session, t.result.RunIDs[trial], reps, func() {})
	samples := make([]float64, len(passes))
	for i, p := range passes {
		samples[i] = p.WallMS
	}
	return tune.Measurement{Samples: samples, MemoryBytes: t.memory(held)}, err
}

func (t *tuner) effective(bc BenchConfig) int {
	return engine.EffectiveNumGPU(bc.NumGPU, t.bench.blocks, t.hasGPU)
}

// trial is the index of bc's trial, recorded as a child run of the tune the first time it is measured: the
// search's trials and the result's configurations are in that same order.
func (t *tuner) trial(bc BenchConfig) (int, error) {
	if i := slices.Index(t.result.Configs, bc); i >= 0 {
		return i, nil
	}
	row := t.trialRow
	row.Label = fmt.Sprintf("trial %d %s", len(t.result.Configs)+1, bc.label())
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

// finishTrials records the end of every trial's run: a bench objective's results, all rounds pooled per test, and
// a rejected trial as failed with the reason. It returns the failures to record, not the rejections, which are
// the search's findings.
func (t *tuner) finishTrials() error {
	var errs []error
	for i, id := range t.result.RunIDs {
		var outcome error
		if rejected := t.result.Search.Trials[i].Rejected; rejected != "" {
			outcome = errors.New("rejected: " + rejected)
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
