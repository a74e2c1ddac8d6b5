package tune

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"chimera/pipeline/stats"
)

// fakeBox is a deterministic machine with a known optimum: tok/s adds up from each setting's effect, with
// Gaussian noise of a set relative spread; memory grows with every layer offloaded.
type fakeBox struct {
	axes   []Axis
	effect func(cfg Config) float64 // tok/s without noise
	memory func(cfg Config) int64
	noise  float64
	rng    *rand.Rand
	calls  int
}

func (b *fakeBox) Measure(_ context.Context, cfg Config, reps int) (Measurement, error) {
	b.calls++
	mean := b.effect(cfg)
	if mean < 0 {
		return Measurement{}, fmt.Errorf("context does not fit: %w", ErrCannotRun)
	}
	samples := make([]float64, reps)
	for i := range samples {
		samples[i] = mean * (1 + b.noise*b.rng.NormFloat64())
	}
	return Measurement{Samples: samples, MemoryBytes: b.memory(cfg)}, nil
}

const mib = 1 << 20

// box: offload 0..32 layers (33 values, 100 MiB each), threads 1..8, batch 64..1024, K cache q4_0/q8_0/f16.
// Fastest within a 2 GiB budget: 20 layers (the most that fit), 4 threads, batch 256, and q8_0 and f16 tied
// (equally fast), q8_0 being the cheaper.
func box(noise float64, seed uint64) (*fakeBox, Options) {
	layers := make([]string, 33)
	for i := range layers {
		layers[i] = strconv.Itoa(i)
	}
	axes := []Axis{
		{Name: "num_gpu", Values: layers, Default: 32},
		{Name: "threads", Values: []string{"1", "2", "4", "8"}, Default: 3},
		{Name: "batch", Values: []string{"64", "128", "256", "512", "1024"}, Default: 4},
		{Name: "cache_type_k", Values: []string{"q4_0", "q8_0", "f16"}, Default: 2},
	}
	threads := []float64{-30, -10, 0, -8}
	batch := []float64{-6, -3, 0, -2, -4}
	cache := []float64{-5, 0, 0}
	b := &fakeBox{axes: axes, noise: noise, rng: rand.New(rand.NewPCG(seed, 1)),
		effect: func(c Config) float64 { return 100 + 2*float64(c[0]) + threads[c[1]] + batch[c[2]] + cache[c[3]] },
		memory: func(c Config) int64 { return int64(c[0])*100*mib + int64(c[3]+1)*10*mib },
	}
	return b, Options{Axes: axes, Offload: 0, HigherIsBetter: true, MemoryBudget: 2048 * mib, RepsPerRound: 3,
		MaxRounds: 4, Precision: 0.01, Passes: 2, Seed: seed}
}

func TestSearchFindsTheOptimumWithinTheBudgetInFarFewerMeasurementsThanTheGrid(t *testing.T) {
	b, opts := box(0.01, 7)
	result, err := Search(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	best := result.Trials[result.Best]
	if got, want := opts.Describe(best.Config), "num_gpu=20 threads=4 batch=256 cache_type_k=q8_0"; got != want {
		t.Errorf("best %s, want %s", got, want)
	}
	if best.MemoryBytes > opts.MemoryBudget {
		t.Errorf("best holds %d MiB, over the %d MiB budget", best.MemoryBytes/mib, opts.MemoryBudget/mib)
	}
	for _, tr := range result.Trials {
		if tr.MemoryBytes > opts.MemoryBudget && tr.Rejected == "" {
			t.Errorf("%s over budget and not rejected", opts.Describe(tr.Config))
		}
	}
	gridMeasurements := result.GridSize * opts.RepsPerRound
	if result.Measurements*10 > gridMeasurements {
		t.Errorf("%d measurements, want well under a tenth of the grid's %d", result.Measurements, gridMeasurements)
	}
	if result.Defaults < 0 || opts.Describe(result.Trials[result.Defaults].Config) != "num_gpu=32 threads=8 batch=1024 cache_type_k=f16" {
		t.Errorf("the defaults were not measured: %d", result.Defaults)
	}
}

// On a flat axis every value ties: the search stays where the cheaper value is, and says which it tied with.
func TestSearchStopsOnTiesAndPrefersTheCheaperSetting(t *testing.T) {
	b, opts := box(0.01, 3)
	base := b.effect
	b.effect = func(c Config) float64 { return base(Config{c[0], 2, 2, 1}) } // only the offload matters
	result, err := Search(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	best := result.Trials[result.Best]
	if got := opts.Describe(best.Config); got != "num_gpu=20 threads=1 batch=64 cache_type_k=q4_0" {
		t.Errorf("best %s, want the cheapest of the tied settings", got)
	}
	if len(result.Tied) == 0 {
		t.Error("no tie reported on flat axes")
	}
}

func TestSearchIsReproducibleWithASeed(t *testing.T) {
	run := func(seed uint64) *Result {
		b, opts := box(0.02, seed)
		r, err := Search(context.Background(), b, opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if a, b := run(11), run(11); !reflect.DeepEqual(a, b) {
		t.Error("two searches with the same seed differ")
	}
}

// A configuration that cannot run is rejected and the search goes on; a cancelled search keeps what it measured.
func TestSearchRejectsWhatCannotRunAndStopsWhenCancelled(t *testing.T) {
	b, opts := box(0.01, 5)
	base := b.effect
	b.effect = func(c Config) float64 {
		if c[2] == 0 { // batch 64 cannot run
			return -1
		}
		return base(c)
	}
	result, err := Search(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, tr := range result.Trials {
		if tr.Config[2] == 0 && tr.Rejected != "" {
			rejected++
		}
	}
	if rejected == 0 {
		t.Error("batch 64 was not rejected")
	}
	ctx, cancel := context.WithCancel(context.Background())
	counting := &cancelAfter{Measurer: b, after: 5, cancel: cancel}
	partial, err := Search(ctx, counting, opts)
	if !errors.Is(err, context.Canceled) || len(partial.Trials) == 0 || partial.Best < 0 {
		t.Errorf("cancelled search: %v, %d trials, best %d", err, len(partial.Trials), partial.Best)
	}
}

type cancelAfter struct {
	Measurer
	after  int
	cancel context.CancelFunc
}

func (c *cancelAfter) Measure(ctx context.Context, cfg Config, reps int) (Measurement, error) {
	if c.after--; c.after == 0 {
		c.cancel()
	}
	return c.Measurer.Measure(ctx, cfg, reps)
}

// A chain of ties, each one cheaper and a little slower, must not end significantly below the fastest trial:
// the answer is the cheapest trial that is not significantly worse than the fastest.
func TestTiesDoNotDriftBelowTheFastest(t *testing.T) {
	b, opts := box(0.015, 9)
	opts.Offload = -1
	b.effect = func(c Config) float64 { return 100 + 1.5*float64(c[1]+c[2]+c[3]) } // every cheaper value 1.5 % slower
	result, err := Search(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	best := result.Trials[result.Best]
	for i, tr := range result.Trials {
		if tr.Rejected == "" && i != result.Best && stats.Mean(tr.Samples) > stats.Mean(best.Samples) && welchP(tr, best) < 0.05 {
			t.Errorf("trial %s is significantly faster than the answer %s", opts.Describe(tr.Config), opts.Describe(best.Config))
		}
	}
}

func welchP(a, b *Trial) float64 { return stats.Welch(a.Samples, b.Samples).P }

// On a device slower than the CPU every layer offloaded costs speed: the bisection starts from the largest offload
// that fits, and racing the offload levels brings the answer down to none.
func TestSearchComparesOffloadLevelsOnSpeed(t *testing.T) {
	b, opts := box(0.01, 5)
	base := b.effect
	b.effect = func(c Config) float64 { return base(c) - 5*float64(c[0]) } // net -3 tok/s per layer
	result, err := Search(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := opts.Describe(result.Trials[result.Best].Config); got != "num_gpu=0 threads=4 batch=256 cache_type_k=q8_0" {
		t.Errorf("best %s, want no layer offloaded", got)
	}
}

// interruptingBox cancels the search during its nth measurement.
type interruptingBox struct {
	*fakeBox
	n      int
	cancel context.CancelFunc
}

func (b *interruptingBox) Measure(ctx context.Context, cfg Config, reps int) (Measurement, error) {
	if b.calls+1 == b.n {
		b.cancel()
		b.calls++
		return Measurement{}, ctx.Err()
	}
	return b.fakeBox.Measure(ctx, cfg, reps)
}

// A search interrupted during a trial's first round leaves that trial unmeasured: it can be neither the answer nor
// tied with it.
func TestAnInterruptedSearchAnswersOnlyWithMeasuredTrials(t *testing.T) {
	b, opts := box(0.01, 7)
	ctx, cancel := context.WithCancel(context.Background())
	result, err := Search(ctx, &interruptingBox{fakeBox: b, n: 12, cancel: cancel}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the cancellation", err)
	}
	last := result.Trials[len(result.Trials)-1]
	if last.Usable() || result.Best < 0 || !result.Trials[result.Best].Usable() {
		t.Fatalf("best %d of %d trials, the last usable: %v", result.Best, len(result.Trials), last.Usable())
	}
	for _, i := range result.Tied {
		if !result.Trials[i].Usable() {
			t.Errorf("trial %d is tied with the best but was never measured", i)
		}
	}
}
