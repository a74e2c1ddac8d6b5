package workflows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"chimera/llama"
	"chimera/pipeline/engine"
	"chimera/pipeline/generation"
	"chimera/pipeline/record"
	"chimera/pipeline/runner"
	"chimera/pipeline/stats"
	"chimera/store"
)

// BenchOptions configure `chimera bench`.
type BenchOptions struct {
	Target
	Axes    []engine.Axis // load and context settings; every combination runs (llama-bench's comma lists)
	NPrompt int           // pp test size; 0 skips it
	NGen    int           // tg test size; 0 skips it
	NDepth  []int         // tokens already in the KV cache when each test starts (llama-bench's -d); none means 0
	Reps    int
	UseMmap bool
	Shard   Shard // the part of the grid to measure, dealt out as a sweep's cells are; the zero Shard measures all of it
}

// benchPlan is the configuration a bench's run records.
type benchPlan struct {
	Axes    []engine.Axis `json:"axes"`
	NPrompt int           `json:"n_prompt"`
	NGen    int           `json:"n_gen"`
	NDepth  []int         `json:"n_depth,omitempty"`
	Reps    int           `json:"reps"`
	UseMmap bool          `json:"use_mmap"`
	BenchID string        `json:"bench_id,omitempty"` // of a shard: a hash of the plan without its shard
	Shard   *Shard        `json:"shard,omitempty"`
}

func (o BenchOptions) plan() benchPlan {
	p := benchPlan{Axes: o.Axes, NPrompt: o.NPrompt, NGen: o.NGen, NDepth: o.NDepth, Reps: o.Reps, UseMmap: o.UseMmap}
	if o.Shard != (Shard{}) {
		p.BenchID, p.Shard = planID(p), &o.Shard
	}
	return p
}

// label names a shard's run: shard 1/2 of bench 3f9c….
func (o BenchOptions) label() string {
	if o.Shard == (Shard{}) {
		return ""
	}
	return fmt.Sprintf("shard %s of bench %s", o.Shard, o.plan().BenchID)
}

// shardOf is the part of the grid that the shard measures: all of it where the bench is not sharded.
func (o BenchOptions) shardOf(grid []engine.Config, blocks int) []engine.Config {
	if o.Shard == (Shard{}) {
		return grid
	}
	owner := owners(grid, blocks, o.Shard.N)
	var part []engine.Config
	for i, cfg := range grid {
		if owner[i] == o.Shard.K {
			part = append(part, cfg)
		}
	}
	return part
}

// BenchRow is one test at one configuration, with llama-bench's field names so its tooling reads chimera's output.
type BenchRow struct {
	ModelFilename   string    `json:"model_filename"`
	ModelType       string    `json:"model_type"`
	ModelSize       uint64    `json:"model_size"`
	ModelNParams    uint64    `json:"model_n_params"`
	Backends        string    `json:"backends"`
	GPUInfo         string    `json:"gpu_info"`
	NBatch          int       `json:"n_batch"`
	NUBatch         int       `json:"n_ubatch"`
	NThreads        int       `json:"n_threads"`
	NThreadsBatch   int       `json:"n_threads_batch"` // prompt-processing threads, resolved as n_threads is
	TypeK           string    `json:"type_k"`
	TypeV           string    `json:"type_v"`
	NGPULayers      int       `json:"n_gpu_layers"`
	SplitMode       string    `json:"split_mode"`
	MainGPU         int       `json:"main_gpu"`
	TensorSplit     string    `json:"tensor_split"`
	Devices         string    `json:"devices"`
	FlashAttn       string    `json:"flash_attn"`      // asked for: auto, on or off
	FlashAttnUsed   bool      `json:"flash_attn_used"` // what llama.cpp made of it
	NoOpOffload     bool      `json:"no_op_offload"`
	UseMmap         bool      `json:"use_mmap"`
	NPrompt         int       `json:"n_prompt"`
	NGen            int       `json:"n_gen"`
	NDepth          int       `json:"n_depth"`
	NCtx            int       `json:"n_ctx"`
	TestTime        string    `json:"test_time"`
	AvgNS           int64     `json:"avg_ns"`
	StddevNS        int64     `json:"stddev_ns"`
	AvgTS           float64   `json:"avg_ts"`
	StddevTS        float64   `json:"stddev_ts"`
	SamplesNS       []int64   `json:"samples_ns"`
	SamplesTS       []float64 `json:"samples_ts"`
	GPULayersActual int       `json:"n_gpu_layers_effective"`
	LoadMS          float64   `json:"load_ms"`
	// VRAMUsedBytes is the device memory the configuration holds, the same in every row: its model load
	// (VRAMModelBytes, shared with the configurations that reuse it) plus its own context's KV cache and compute
	// buffers (VRAMContextBytes).
	VRAMUsedBytes    int64 `json:"vram_used_bytes"`
	VRAMModelBytes   int64 `json:"vram_model_bytes"`
	VRAMContextBytes int64 `json:"vram_context_bytes"`
	// BufferBytes is what llama.cpp reports allocating for the model and this context on every device (weights,
	// KV cache, compute and output buffers): the memory a CPU configuration holds.
	BufferBytes  int64          `json:"buffer_bytes"`
	TokenLatency *stats.Summary `json:"token_latency_ms,omitempty"`
	DuplicateOf  string         `json:"duplicate_of,omitempty"`
	// Settings are the configuration by the names of chimera's settings table, as llama.cpp applied it: the
	// threads 0 stands for and the context it made.
	Settings store.Settings `json:"settings"`
}

// Test names the row the llama-bench way: pp512, tg128, tg128 @ d4096.
func (r BenchRow) Test() string {
	test := fmt.Sprintf("pp%d", r.NPrompt)
	if r.NGen > 0 {
		test = fmt.Sprintf("tg%d", r.NGen)
	}
	if r.NDepth > 0 {
		test += fmt.Sprintf(" @ d%d", r.NDepth)
	}
	return test
}

// depths are the depths each test runs at.
func (o BenchOptions) depths() []int {
	if len(o.NDepth) == 0 {
		return []int{0}
	}
	return o.NDepth
}

// base is the configuration the axes vary: chimera's defaults, mapped or read as asked.
func (o BenchOptions) base() engine.Config {
	c := engine.DefaultConfig()
	c.UseMmap = o.UseMmap
	return c
}

// Bench runs the pp and tg tests over the grid, one model load per distinct effective offload, a warm-up per
// configuration excluded from the samples, and records the rows in the store. A cancelled ctx stops the test
// between tokens and the run is recorded as interrupted with the rows measured so far.
func Bench(ctx context.Context, db *store.DB, opts BenchOptions) ([]BenchRow, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	grid, err := engine.Grid(opts.base(), opts.Axes)
	if err != nil {
		return nil, err
	}
	if err := checkGrid(grid, opts.NPrompt, opts.NGen, slices.Max(opts.depths())); err != nil {
		return nil, err
	}
	run, err := startRun(ctx, db, opts.Target, store.KindBench, "", opts.plan(), opts.label())
	if err != nil {
		return nil, err
	}
	rec, runID, file := run.rec, run.runID, run.model
	loads := engine.NewModelCache(file, opts.Log)
	defer loads.Close()
	blocks := int(file.Info.BlockCount)
	b := newBencher(opts, loads, blocks)
	b.labelled = labelSettings(opts.Axes)
	rows, err := b.run(ctx, opts.shardOf(grid, blocks))
	err = errors.Join(err, rec.AddBenchResults(runID, storeBenchRows(rows)))
	_, err = rec.Finish(runID, err)
	return rows, err
}

func (o BenchOptions) validate() error {
	switch {
	case o.Reps < 1:
		return engine.Invalid(fmt.Errorf("reps must be at least 1, got %d", o.Reps))
	case o.NPrompt < 0 || o.NGen < 0 || o.NPrompt+o.NGen == 0:
		return engine.Invalid(fmt.Errorf("give a prompt size (-p) or a generation size (-n) above 0"))
	}
	if err := o.Shard.validate(); err != nil {
		return err
	}
	for _, d := range o.depths() {
		if d < 0 {
			return engine.Invalid(fmt.Errorf("n_depth must be 0 or more, got %d", d))
		}
	}
	return nil
}

// checkGrid refuses a grid with a configuration that is invalid, that the devices found cannot place, or whose
// context the tests (after depth cached tokens) would not fit; nPrompt and nGen 0 skip the last check.
func checkGrid(grid []engine.Config, nPrompt, nGen, depth int) error {
	devices := llama.Devices()
	for _, cfg := range grid {
		if err := checkConfig(cfg, devices, nPrompt, nGen, depth); err != nil {
			return err
		}
	}
	return nil
}

// checkConfig is checkGrid for one configuration, against devices read once for the grid.
func checkConfig(cfg engine.Config, devices []llama.Device, nPrompt, nGen, depth int) error {
	if err := cfg.CheckOn(devices); err != nil {
		return err
	}
	if n := cfg.Context.NumCtx; nPrompt+nGen > 0 && depth+max(nPrompt, nGen) > n {
		return engine.Invalid(fmt.Errorf("num_ctx %d is smaller than the test (depth %d + pp %d or tg %d)", n, depth, nPrompt, nGen))
	}
	return nil
}

type bencher struct {
	opts   BenchOptions
	loads  *engine.ModelCache
	blocks int
	rng    *rand.Rand
	// labelled are the settings a configuration's label names.
	labelled []*engine.Setting
	// tick is called after every repetition, warm-ups included (the sweep's progress bar).
	tick func()
}

func newBencher(opts BenchOptions, loads *engine.ModelCache, blocks int) *bencher {
	// A fixed seed: every run measures the same inputs.
	return &bencher{opts: opts, loads: loads, blocks: blocks, rng: rand.New(rand.NewPCG(1, 2)), tick: func() {}}
}

func (b *bencher) run(ctx context.Context, grid []engine.Config) ([]BenchRow, error) {
	measured := map[string][]BenchRow{} // by effective settings
	labels := map[string]string{}
	var rows []BenchRow
	var firstFailure error
	for i, cfg := range grid {
		effective := engine.EffectiveNumGPU(cfg.NumGPU, b.blocks, llama.HasGPU())
		key := settingsKey(effective, cfg, false)
		label := b.label(cfg)
		engine.Logf(b.opts.Log, "bench %d/%d: %s", i+1, len(grid), label)
		if prior, dup := measured[key]; dup {
			engine.Logf(b.opts.Log, "  same effective settings as %s (%d layers offloaded): not run again", labels[key], effective)
			rows = append(rows, duplicates(prior, cfg, labels[key])...)
			continue
		}
		cfgRows, err := b.runConfig(ctx, cfg, effective, b.opts.Reps)
		rows = append(rows, cfgRows...)
		switch {
		case err == nil:
			measured[key], labels[key] = cfgRows, label
		case ctx.Err() == nil && cannotRunAt(err):
			// Like a sweep's cell, a configuration the machine cannot run (the model or its context does not fit)
			// is a finding; the other configurations are still measured.
			engine.Logf(b.opts.Log, "  not measured: %v", err)
			firstFailure = cmp.Or(firstFailure, err)
		default:
			return rows, err
		}
	}
	if len(rows) == 0 && firstFailure != nil {
		return nil, engine.Invalid(fmt.Errorf("no configuration could be measured: %w", firstFailure))
	}
	return rows, nil
}

// settingsKey identifies what a configuration really runs: the layers it offloads on this machine, with 0 threads
// resolved to the core count, and its other settings as they are compared (engine.Config.Comparable), the
// sampling ones only where tokens are sampled and the GPU placement ones only where there is a GPU.
func settingsKey(effectiveNumGPU int, c engine.Config, sampled bool) string {
	c = c.Comparable()
	c.NumGPU = effectiveNumGPU
	c.Context.Threads, c.Context.ThreadsBatch = c.Context.EffectiveThreads()
	if !sampled {
		c.Sampling, c.NumPredict = generation.Sampling{}, 0
	}
	if !llama.HasGPU() {
		c.SplitMode, c.MainGPU, c.TensorSplit, c.Devices, c.Context.NoOpOffload = "", 0, "", "", false
	}
	return fmt.Sprintf("%+v", c)
}

// labelSettings are the settings that tell a grid's configurations apart, and those set away from chimera's
// defaults: num_gpu always leads.
func labelSettings(axes []engine.Axis) []*engine.Setting {
	var named []*engine.Setting
	for _, a := range axes {
		if a.Setting.Name == "num_gpu" || len(a.Values) > 1 || a.Values[0] != a.Setting.Default() {
			named = append(named, a.Setting)
		}
	}
	return named
}

// label names a configuration by its labelled settings, or "the defaults" when no setting tells it apart.
func (b *bencher) label(c engine.Config) string {
	return cmp.Or(engine.Describe(c, b.labelled), "the defaults")
}

// duplicates reports a configuration whose effective settings were already measured, pointing at that run.
func duplicates(prior []BenchRow, cfg engine.Config, of string) []BenchRow {
	rows := make([]BenchRow, len(prior))
	for i, r := range prior {
		r.NGPULayers, r.DuplicateOf = cfg.NumGPU, of
		r.SplitMode, r.MainGPU, r.TensorSplit, r.Devices, r.NoOpOffload = cfg.SplitMode, cfg.MainGPU, cfg.TensorSplit, cfg.Devices,
			cfg.Context.NoOpOffload // the settings asked for, which this machine runs as the prior row's
		r.Settings = appliedSettings(cfg, r.NThreads, r.NThreadsBatch, r.NCtx)
		rows[i] = r
	}
	return rows
}

// appliedSettings are cfg's bench settings with what llama.cpp made of them: the threads and the context size.
func appliedSettings(cfg engine.Config, threads, threadsBatch, numCtx int) store.Settings {
	cfg.Context.Threads, cfg.Context.ThreadsBatch, cfg.Context.NumCtx = threads, threadsBatch, numCtx
	return engine.BenchSettings(cfg)
}

// runConfig runs the pp and tg tests at one configuration, on the model loaded with its effective offload.
func (b *bencher) runConfig(ctx context.Context, cfg engine.Config, effective, reps int) ([]BenchRow, error) {
	load := cfg
	load.NumGPU, load.Fit = effective, false
	m, err := b.loads.Get(b.label(cfg), load)
	if err != nil {
		return nil, err
	}
	llctx, err := m.NewContext(cfg.Context)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	defer llctx.Close()
	base := b.baseRow(m, llctx, cfg, effective)
	base.VRAMModelBytes, base.VRAMContextBytes = b.loads.LoadOf(m).DeviceBytes, engine.DeviceBytes(llctx.Buffers)
	base.VRAMUsedBytes = base.VRAMModelBytes + base.VRAMContextBytes
	base.BufferBytes = bufferBytes(m.Load.Buffers) + bufferBytes(llctx.Buffers)
	var rows []BenchRow
	for _, depth := range b.opts.depths() {
		base.NDepth = depth
		if b.opts.NPrompt > 0 {
			row, err := b.measure(base, b.opts.NPrompt, 0, reps, func() (time.Duration, []time.Duration, error) {
				d, err := llctx.BenchPrompt(ctx, b.opts.NPrompt, depth, b.rng)
				return d, nil, err
			})
			if err != nil {
				return rows, err
			}
			rows = append(rows, row)
		}
		if b.opts.NGen > 0 {
			row, err := b.measure(base, 0, b.opts.NGen, reps, func() (time.Duration, []time.Duration, error) {
				return llctx.BenchGenerate(ctx, b.opts.NGen, depth, b.rng)
			})
			if err != nil {
				return rows, err
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func (b *bencher) baseRow(m *engine.Model, llctx *runner.Context, cfg engine.Config, effective int) BenchRow {
	gen, batch := cfg.Context.EffectiveThreads()
	return BenchRow{
		ModelFilename: m.Ref.Path, ModelType: m.Description(), ModelSize: m.SizeBytes(), ModelNParams: m.Params(),
		Backends: backendNames(), GPUInfo: gpuNames(), NBatch: cfg.Context.Batch, NUBatch: cfg.Context.UBatch,
		NThreads: gen, NThreadsBatch: batch, TypeK: cfg.Context.CacheTypeK, TypeV: cfg.Context.CacheTypeV, NGPULayers: cfg.NumGPU,
		SplitMode: cfg.SplitMode, MainGPU: cfg.MainGPU, TensorSplit: cfg.TensorSplit, Devices: cfg.Devices, NoOpOffload: cfg.Context.NoOpOffload,
		FlashAttn: cfg.Context.FlashAttn, FlashAttnUsed: llctx.FlashAttention, UseMmap: cfg.UseMmap, NCtx: llctx.NumCtx(), GPULayersActual: effective,
		LoadMS: m.Load.LoadMS, Settings: appliedSettings(cfg, gen, batch, llctx.NumCtx()),
	}
}

// measure runs one test: a warm-up, excluded, then the repetitions.
func (b *bencher) measure(base BenchRow, nPrompt, nGen, reps int, test func() (time.Duration, []time.Duration, error)) (BenchRow, error) {
	row := base
	row.NPrompt, row.NGen = nPrompt, nGen
	row.TestTime = time.Now().UTC().Format(time.RFC3339)
	var steps []float64
	for rep := 0; rep <= reps; rep++ {
		elapsed, stepTimes, err := test()
		if err != nil {
			return row, err
		}
		b.tick()
		if rep == 0 {
			continue // the warm-up
		}
		row.SamplesNS = append(row.SamplesNS, elapsed.Nanoseconds())
		row.SamplesTS = append(row.SamplesTS, generation.Rate(nPrompt+nGen, float64(elapsed.Nanoseconds())/1e6))
		for _, s := range stepTimes {
			steps = append(steps, float64(s.Nanoseconds())/1e6)
		}
	}
	summarizeSamples(&row)
	if len(steps) > 0 {
		latency := stats.Summarize(steps)
		row.TokenLatency = &latency
	}
	engine.Logf(b.opts.Log, "  %s: %.2f ± %.2f tok/s", row.Test(), row.AvgTS, row.StddevTS)
	return row, nil
}

func bufferBytes(buffers []llama.BufferSize) int64 {
	var total int64
	for _, b := range buffers {
		total += int64(b.Bytes)
	}
	return total
}

// summarizeSamples sets the row's averages and spreads from its samples, as llama-bench reports them.
func summarizeSamples(row *BenchRow) {
	ns := make([]float64, len(row.SamplesNS))
	for i, v := range row.SamplesNS {
		ns[i] = float64(v)
	}
	nsSummary, tsSummary := stats.Summarize(ns), stats.Summarize(row.SamplesTS)
	row.AvgNS, row.StddevNS = int64(nsSummary.Mean), int64(nsSummary.SD)
	row.AvgTS, row.StddevTS = tsSummary.Mean, tsSummary.SD
}

func backendNames() string {
	return joinUnique(llama.Devices(), func(d llama.Device) string { return d.Backend })
}

func gpuNames() string {
	return joinUnique(llama.Devices(), func(d llama.Device) string {
		if d.Type == "cpu" {
			return ""
		}
		return d.Description
	})
}

func joinUnique(devices []llama.Device, name func(llama.Device) string) string {
	var names []string
	seen := map[string]bool{}
	for _, d := range devices {
		if n := name(d); n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

func storeBenchRows(rows []BenchRow) []store.BenchResult {
	out := make([]store.BenchResult, 0, len(rows))
	for _, r := range rows {
		out = append(out, store.BenchResult{Test: r.Test()[:2], NPrompt: r.NPrompt, NGen: r.NGen, NDepth: r.NDepth, NGPULayers: r.NGPULayers,
			NCtx: r.NCtx, NBatch: r.NBatch, NUBatch: r.NUBatch, NThreads: r.NThreads, FlashAttn: r.FlashAttnUsed, FlashMode: r.FlashAttn,
			TypeK: r.TypeK, TypeV: r.TypeV, AvgNS: r.AvgNS, StddevNS: r.StddevNS, AvgTS: r.AvgTS, StddevTS: r.StddevTS,
			SamplesNS: r.SamplesNS, SamplesTS: r.SamplesTS, ExtraJSON: record.JSON(r), Settings: r.Settings})
	}
	return out
}

// offloadsBatchWork reports whether a configuration that offloads no layer still ran batch work on a GPU: llama.cpp
// does so unless op offload is off. A comparison of num_gpu 0 with offloaded layers needs to know it.
func offloadsBatchWork(layersOffloaded int, hasGPU, noOpOffload bool) bool {
	return layersOffloaded == 0 && hasGPU && !noOpOffload
}

// opOffloadNote says what offloadsBatchWork found.
const opOffloadNote = "0 layers offloaded, but op offload on: batches of 32 tokens or more ran their matrix work on the GPU " +
	"(--op-offload off measures the CPU alone)"
