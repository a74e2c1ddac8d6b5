// Benchmarks in llama-bench's terms (pp512, tg128) plus a sampled generation, reported in tok/s with
// b.ReportMetric. Plain `go test` (and so `make test`) never runs them; run them with -bench:
//
//	eval "$(make -s env)"
//	go test -run '^$' -bench '/270m' -benchtime 3x ./pipeline/runner                 # the 270m shape
//	go test -run '^$' -bench 'TG128/270m' -benchtime 5x -cpuprofile cpu.out ./pipeline/runner && go tool pprof -top runner.test cpu.out
//
// Models: "tiny" is TestMain's 2-layer fixture (a quick check that the benchmarks work). "270m" is
// $CHIMERA_BENCH_MODEL, a GGUF path (bench/run.sh's model, for example
// ~/.cache/chimera/models/synthetic-270m-q8_0-gemma3vocab-v2.gguf), or else a synthetic gemma3 270m Q8_0 that the
// first 270m benchmark writes next to the tiny fixture (4-6 s; with the real gemma3 vocabulary when chimera's
// tokenizer cache has it), removed with it when the test binary exits. $CHIMERA_BENCH_THREADS sets the 270m
// thread count (default 0: all cores); tiny uses one thread.
package runner_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

// benchModel is a model shared by every benchmark that uses it: loaded once per test binary, never closed (the
// process ends right after the benchmarks).
type benchModel struct {
	name    string
	threads int
	once    sync.Once
	model   *runner.Model
	err     error
	path    func() (string, error)
}

var benchModels = []*benchModel{
	{name: "tiny", threads: 1, path: func() (string, error) { return tinyModel, nil }},
	{name: "270m", threads: envInt("CHIMERA_BENCH_THREADS", 0), path: bench270mPath},
}

func (m *benchModel) load(b *testing.B) *runner.Model {
	b.Helper()
	m.once.Do(func() {
		var path string
		if path, m.err = m.path(); m.err == nil {
			var loaded *llama.Model
			loaded, m.err = llama.LoadModel(path, llama.ModelParams{NumGPU: -1, UseMmap: true})
			m.model = runner.NewModel(loaded)
		}
	})
	if m.err != nil {
		b.Fatal(m.err)
	}
	return m.model
}

// bench270mPath is $CHIMERA_BENCH_MODEL or a synthetic 270m written into TestMain's temporary directory.
func bench270mPath() (string, error) {
	if path := os.Getenv("CHIMERA_BENCH_MODEL"); path != "" {
		return path, nil
	}
	spec := models.SyntheticSpec{Shape: "270m", Type: "q8_0", Seed: 1}
	if dir := models.DefaultTokenizerDir(models.DefaultCacheDir()); dir != "" {
		vocab, err := models.LoadGemma3Vocab(dir)
		if err != nil {
			return "", err
		}
		spec.Vocab = vocab
	}
	path := filepath.Join(filepath.Dir(tinyModel), "synthetic-270m-q8_0.gguf")
	return path, models.WriteSynthetic(path, spec)
}

func envInt(name string, fallback int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return fallback
}

func benchContext(b *testing.B, m *runner.Model, threads, numCtx int) *runner.Context {
	b.Helper()
	p := runner.DefaultContextParams()
	// llama-bench's settings: batch 2048, ubatch 512, flash attention auto, f16 cache; one context per benchmark.
	p.NumCtx, p.Threads, p.ReusePrefix = numCtx, threads, false
	c, err := m.NewContext(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// forEachModel runs bench as a sub-benchmark per model: BenchmarkPP512/tiny, BenchmarkPP512/270m.
func forEachModel(b *testing.B, bench func(b *testing.B, m *runner.Model, threads int)) {
	for _, bm := range benchModels {
		b.Run(bm.name, func(b *testing.B) { bench(b, bm.load(b), bm.threads) })
	}
}

// BenchmarkPP512 is llama-bench's pp512: 512 random tokens in one llama_decode batch from an empty cache.
func BenchmarkPP512(b *testing.B) {
	const n = 512
	forEachModel(b, func(b *testing.B, m *runner.Model, threads int) {
		c := benchContext(b, m, threads, n)
		rng := rand.New(rand.NewPCG(1, 2))
		if _, err := c.BenchPrompt(context.Background(), n, 0, rng); err != nil { // warm-up, as llama-bench
			b.Fatal(err)
		}
		var total time.Duration
		runs := 0
		for b.Loop() {
			d, err := c.BenchPrompt(context.Background(), n, 0, rng)
			if err != nil {
				b.Fatal(err)
			}
			total += d
			runs++
		}
		b.ReportMetric(float64(n*runs)/total.Seconds(), "tok/s")
	})
}

// BenchmarkTG128 is llama-bench's tg128: 128 tokens decoded one at a time from an empty cache, no sampling.
func BenchmarkTG128(b *testing.B) {
	const n = 128
	forEachModel(b, func(b *testing.B, m *runner.Model, threads int) {
		c := benchContext(b, m, threads, 512)
		rng := rand.New(rand.NewPCG(1, 2))
		if _, _, err := c.BenchGenerate(context.Background(), n, 0, rng); err != nil {
			b.Fatal(err)
		}
		var total time.Duration
		var steps []time.Duration
		runs := 0
		for b.Loop() {
			d, s, err := c.BenchGenerate(context.Background(), n, 0, rng)
			if err != nil {
				b.Fatal(err)
			}
			total += d
			steps = append(steps, s...)
			runs++
		}
		slices.Sort(steps)
		b.ReportMetric(float64(n*runs)/total.Seconds(), "tok/s")
		b.ReportMetric(float64(steps[len(steps)/2].Microseconds())/1000, "p50-ms/token")
	})
}

// BenchmarkGenerate is a real call: a 100-word raw prompt, then 128 tokens through chimera's sampler chain
// (Ollama's defaults: repeat penalty, top-k 40, top-p 0.9, temperature 0.8). Against TG128 it shows what
// sampling over the whole vocabulary and detokenizing add per token.
func BenchmarkGenerate(b *testing.B) {
	prompt := strings.Repeat("the quick brown fox jumps over the lazy dog and ", 10)
	forEachModel(b, func(b *testing.B, m *runner.Model, threads int) {
		c := benchContext(b, m, threads, 1024)
		req := runner.Request{Prompt: prompt, NumPredict: 128, Sampling: generation.DefaultSampling()}
		if _, err := c.Generate(context.Background(), req, nil); err != nil {
			b.Fatal(err)
		}
		var evalMS, sampleMS float64
		var decoded, sampled int
		for b.Loop() {
			r, err := c.Generate(context.Background(), req, nil)
			if err != nil {
				b.Fatal(err)
			}
			t := r.Timings
			evalMS, decoded = evalMS+t.EvalMS, decoded+t.GenTokens-1
			sampleMS, sampled = sampleMS+t.SampleMS, sampled+t.GenTokens
		}
		b.ReportMetric(float64(decoded)/evalMS*1000, "tok/s")
		b.ReportMetric(sampleMS/float64(sampled), "sample-ms/token")
	})
}
