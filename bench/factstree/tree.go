package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"chimera/bench/benchdoc"
)

// writeTree writes the sweep into dir, which must not hold anything yet, as exactly files files.
func writeTree(dir string, files int) (*benchdoc.TreeManifest, error) {
	cells, err := plan(files)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty", dir)
	}
	w := &writer{
		root:  dir,
		rng:   rand.New(rand.NewPCG(20261120, 3800)),
		clock: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		m: benchdoc.TreeManifest{ByExtension: map[string]int{}, CellsByRuns: map[int]int{}, RequestsPerRun: [2]int{math.MaxInt, 0},
			Grid: fmt.Sprintf("num_gpu (%s) × num_ctx (%s) × temperature (%s)", list(gpuLayers), list(contexts), list(temperatures))},
	}
	byModel := map[*model][]*cellResult{}
	for _, c := range cells {
		res, err := w.cell(c)
		if err != nil {
			return nil, err
		}
		byModel[c.m] = append(byModel[c.m], res)
	}
	for i := range models {
		m := &models[i]
		w.m.Models = append(w.m.Models, m.name)
		if err := w.sweepSummary(m, byModel[m]); err != nil {
			return nil, err
		}
		if err := w.llamaBenchCSV(m, byModel[m]); err != nil {
			return nil, err
		}
	}
	if err := w.readme(byModel); err != nil {
		return nil, err
	}
	if w.m.Files != files {
		return nil, fmt.Errorf("wrote %d files, planned %d", w.m.Files, files)
	}
	return &w.m, nil
}

type writer struct {
	root  string
	rng   *rand.Rand
	clock time.Time
	m     benchdoc.TreeManifest
}

// file writes one file of the tree, at a path relative to its root.
func (w *writer) file(rel string, data []byte) error {
	p := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	w.m.Files++
	w.m.Bytes += int64(len(data))
	w.m.LargestFile = max(w.m.LargestFile, int64(len(data)))
	w.m.ByExtension[path.Ext(rel)]++
	return nil
}

func (w *writer) json(rel string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return w.file(rel, append(b, '\n'))
}

// noise is a factor around 1 with the given relative spread.
func (w *writer) noise(sd float64) float64 { return math.Max(0.5, 1+sd*w.rng.NormFloat64()) }

func (w *writer) uniform(lo, hi float64) float64 { return lo + (hi-lo)*w.rng.Float64() }

func (w *writer) stamp() string { return w.clock.Format(time.RFC3339) }

func (w *writer) advance(seconds float64) {
	w.clock = w.clock.Add(time.Duration(seconds * float64(time.Second)))
}

// settings are a cell's settings as the sweep's JSON files write them.
type settings struct {
	NumGPU      int     `json:"num_gpu"`
	NumCtx      int     `json:"num_ctx"`
	Temperature float64 `json:"temperature"`
}

// runResult is one run, as run.json records it and the summaries repeat it.
type runResult struct {
	Cell        string   `json:"cell"`
	Run         int      `json:"run"`
	Model       string   `json:"model"`
	Settings    settings `json:"settings"`
	StartedAt   string   `json:"started_at"`
	FinishedAt  string   `json:"finished_at"`
	Status      string   `json:"status"`
	Error       string   `json:"error,omitempty"`
	GPU         gpuUse   `json:"gpu"`
	Requests    int      `json:"requests"`
	Failed      int      `json:"failed"`
	MeanTokensS *float64 `json:"mean_tokens_s"`
	P50TTFTMS   *float64 `json:"p50_ttft_ms"`
	P95TTFTMS   *float64 `json:"p95_ttft_ms"`
	WallS       float64  `json:"wall_s"`

	bench []benchTest // what llama-bench measured; none when the cell did not fit
}

type gpuUse struct {
	Name         string `json:"name"`
	VRAMTotalMiB int    `json:"vram_total_mib"`
	VRAMPeakMiB  int    `json:"vram_peak_mib"`
}

// benchTest is one row of llama-bench's output.
type benchTest struct {
	nPrompt, nGen, depth int
	ts, sd               float64
	at                   string
}

func (t benchTest) name() string {
	s := "pp" + strconv.Itoa(t.nPrompt)
	if t.nGen > 0 {
		s = "tg" + strconv.Itoa(t.nGen)
	}
	if t.depth > 0 {
		s += " @ d" + strconv.Itoa(t.depth)
	}
	return s
}

// cellResult is one cell with its runs.
type cellResult struct {
	c    *cell
	runs []*runResult
}

func (r *cellResult) meanTokensS() (float64, bool) {
	var sum float64
	n := 0
	for _, run := range r.runs {
		if run.MeanTokensS != nil {
			sum += *run.MeanTokensS
			n++
		}
	}
	return sum / float64(max(n, 1)), n > 0
}

func (w *writer) cell(c *cell) (*cellResult, error) {
	res := &cellResult{c: c}
	dir := c.m.dir + "/" + c.name()
	for k := 1; k <= c.runs; k++ {
		run, err := w.run(c, k, fmt.Sprintf("%s/run_%d/", dir, k))
		if err != nil {
			return nil, err
		}
		res.runs = append(res.runs, run)
	}
	w.m.Cells++
	w.m.CellsByRuns[c.runs]++
	if c.oom() {
		w.m.OOMCells++
	}
	if err := w.json(dir+"/summary.json", cellSummary(res)); err != nil {
		return nil, err
	}
	return res, w.file(dir+"/summary.md", []byte(cellMarkdown(res)))
}

// request is one prompt sent to the model during a run.
type request struct {
	at                 string
	index              int
	promptTokens       int
	evalCount          int
	load, promptEval   float64 // seconds
	eval, ttft, tokens float64 // seconds, seconds, tok/s
	failure            string
}

func (w *writer) run(c *cell, k int, dir string) (*runResult, error) {
	w.advance(w.uniform(5, 20))
	run := &runResult{Cell: c.name(), Run: k, Model: c.m.name, Settings: settings{c.gpu, c.ctx, c.temp},
		StartedAt: w.stamp(), Status: "ok", GPU: gpuUse{Name: gpuName, VRAMTotalMiB: vramMiB}}
	w.m.Runs++
	if c.oom() {
		w.m.OOMRuns++
		run.Status = "oom"
		run.Error = fmt.Sprintf("CUDA error: out of memory (cudaMalloc failed allocating %.2f MiB for the KV cache)", c.kvMiB())
		run.GPU.VRAMPeakMiB = vramMiB - w.rng.IntN(200)
		run.WallS = math.Round(w.uniform(3, 9)*100) / 100
		w.advance(run.WallS)
		run.FinishedAt = w.stamp()
		if err := w.file(dir+"llama-bench.log", []byte(llamaBenchOOMLog(c, k, w.rng.IntN(300)))); err != nil {
			return nil, err
		}
		return run, w.json(dir+"run.json", run)
	}
	reqs := w.requests(c)
	run.Requests = len(reqs)
	var tokens, ttfts []float64
	for _, r := range reqs {
		if r.failure != "" {
			run.Failed++
			continue
		}
		tokens = append(tokens, r.tokens)
		ttfts = append(ttfts, r.ttft*1000)
	}
	mean, p50, p95 := meanOf(tokens), percentile(ttfts, 0.5), percentile(ttfts, 0.95)
	run.MeanTokensS, run.P50TTFTMS, run.P95TTFTMS = &mean, &p50, &p95
	run.GPU.VRAMPeakMiB = int(c.vramGiB()*1024*w.noise(0.01)) + 180
	run.bench = w.benchTests(c)
	run.FinishedAt = w.stamp()
	start, _ := time.Parse(time.RFC3339, run.StartedAt)
	run.WallS = math.Round(w.clock.Sub(start).Seconds()*100) / 100
	for _, f := range []struct {
		name string
		data string
	}{
		{"metrics.csv", metricsCSV(c, reqs)},
		{"requests.jsonl", requestsJSONL(c, k, reqs)},
		{"ollama-verbose.log", verboseLog(reqs)},
		{"llama-bench.log", llamaBenchLog(c, k, run.bench)},
	} {
		if err := w.file(dir+f.name, []byte(f.data)); err != nil {
			return nil, err
		}
	}
	return run, w.json(dir+"run.json", run)
}

// requests draws one run's prompts: 24 to 160 of them, of which some fail, more so where a long context meets
// a model mostly on the CPU.
func (w *writer) requests(c *cell) []request {
	n := 24 + w.rng.IntN(137)
	w.m.Requests += n
	w.m.RequestsPerRun[0] = min(w.m.RequestsPerRun[0], n)
	w.m.RequestsPerRun[1] = max(w.m.RequestsPerRun[1], n)
	failRate := 0.02
	if c.ctx >= 4096 && c.offload() < 0.7 {
		failRate = 0.12
	}
	runSpeed := w.noise(0.02)
	reqs := make([]request, n)
	for i := range reqs {
		r := &reqs[i]
		r.at, r.index = w.stamp(), i+1
		r.promptTokens = 20 + w.rng.IntN(min(600, c.ctx/2))
		if w.rng.Float64() < failRate {
			w.m.FailedRequests++
			r.failure = failures[w.rng.IntN(len(failures))]
			w.advance(w.uniform(1, 120))
			continue
		}
		r.evalCount = 64 + w.rng.IntN(193)
		r.load = w.uniform(0.008, 0.03)
		if i == 0 { // the run's first call loads the model
			r.load = 0.6 + 0.45*c.m.sizeGiB*w.noise(0.1)
		}
		r.tokens = c.tokensPerSecond() * runSpeed * w.noise(0.03)
		r.promptEval = float64(r.promptTokens) / (c.promptPerSecond() * runSpeed * w.noise(0.05))
		r.eval = float64(r.evalCount) / r.tokens
		r.ttft = r.load + r.promptEval + 1/r.tokens
		w.advance(r.ttft + r.eval + w.uniform(0.02, 0.2))
	}
	return reqs
}

// benchTests are llama-bench's pp512 and tg128, empty and at half the cell's context.
func (w *writer) benchTests(c *cell) []benchTest {
	var tests []benchTest
	for _, depth := range []int{0, c.ctx / 2} {
		for _, t := range []benchTest{{nPrompt: 512}, {nGen: 128}} {
			t.depth = depth
			if t.nGen > 0 {
				t.ts = c.tokensPerSecond() * (1 - 0.00003*float64(depth)) * w.noise(0.02)
			} else {
				t.ts = c.promptPerSecond() * (1 - 0.00004*float64(depth)) * w.noise(0.02)
			}
			t.sd = t.ts * w.uniform(0.002, 0.02)
			t.at = w.clock.Format("2006-01-02T15:04:05Z")
			w.advance(w.uniform(2, 12))
			tests = append(tests, t)
		}
	}
	return tests
}

func meanOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

// percentile is the nearest-rank percentile.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	return s[max(0, int(math.Ceil(p*float64(len(s))))-1)]
}

// num writes a number as a Python script does: the shortest text that reads back as the same float.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// list prints settings as the page and README.md name them: 20, 40, 60.
func list[T any](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

// joinLines joins lines with a newline after each.
func joinLines(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
