package main

import (
	"fmt"
	"math"
	"strings"
)

// model is one model of the sweep, with the figures its results are drawn from.
type model struct {
	name      string  // as Ollama names it
	dir       string  // its folder in the tree
	benchType string  // llama-bench's model column
	file      string  // the GGUF file llama-bench was given
	sizeGiB   float64 // weights
	paramsB   float64 // billions of parameters
	layers    int
	kvGiBPerK float64 // f16 KV cache per 1,024 tokens of context
	tgFull    float64 // generation, tok/s, every layer on the GPU
	ppFull    float64 // prompt processing, tok/s, every layer on the GPU
}

var models = []model{
	{"gemma3:1b", "gemma3-1b-q4_k_m", "gemma3 1B Q4_K - Medium", "/models/gemma-3-1b-it-Q4_K_M.gguf", 0.75, 1.00, 26, 0.025, 212, 9800},
	{"llama3.2:3b", "llama3.2-3b-q4_k_m", "llama 3B Q4_K - Medium", "/models/Llama-3.2-3B-Instruct-Q4_K_M.gguf", 1.87, 3.21, 28, 0.109, 131, 4300},
	{"llama3.1:8b-instruct-q8_0", "llama3.1-8b-q8_0", "llama 8B Q8_0", "/models/Meta-Llama-3.1-8B-Instruct-Q8_0.gguf", 7.95, 8.03, 32, 0.125, 58, 2400},
	{"qwen2.5:14b", "qwen2.5-14b-q4_k_m", "qwen2 14B Q4_K - Medium", "/models/Qwen2.5-14B-Instruct-Q4_K_M.gguf", 8.37, 14.77, 48, 0.1875, 44, 1250},
}

// The sweep's settings, the GPU it ran on and the tools' versions.
var (
	gpuLayers    = []int{20, 40, 60, 80, 120}
	contexts     = []int{512, 1024, 2048, 4096, 8192}
	temperatures = []float64{0.2, 0.6, 1.0}
)

const (
	gpuName      = "NVIDIA GeForce RTX 3080"
	vramMiB      = 10240
	llamaBuild   = "1a68ec937"
	llamaBuildNo = 9193
	cpuInfo      = "AMD Ryzen 9 5900X 12-Core Processor"
)

// cell is one configuration of the sweep, a folder of the tree.
type cell struct {
	m    *model
	gpu  int
	ctx  int
	temp float64
	runs int // how many times it ran
}

func (c *cell) name() string {
	return fmt.Sprintf("gpu%d_ctx%d_temp%s", c.gpu, c.ctx, strings.Replace(fmt.Sprintf("%.1f", c.temp), ".", "p", 1))
}

// offload is the share of the model's layers on the GPU.
func (c *cell) offload() float64 { return math.Min(1, float64(c.gpu)/float64(c.m.layers)) }

// vramGiB is what the cell needs on the GPU: the offloaded weights, the KV cache and the compute buffers.
func (c *cell) vramGiB() float64 {
	k := float64(c.ctx) / 1024
	return c.m.sizeGiB*c.offload() + c.m.kvGiBPerK*k + 0.35 + 0.1*k
}

// oom: the cell does not fit the GPU, and every run of it stops at llama.cpp's first allocation.
func (c *cell) oom() bool { return c.vramGiB() > vramMiB/1024.0 }

// kvMiB is the KV cache llama.cpp allocates, and fails to where the cell does not fit.
func (c *cell) kvMiB() float64 { return c.m.kvGiBPerK * float64(c.ctx) }

// tokensPerSecond is the cell's generation rate: the layers left on the CPU run 8× slower, a longer context costs
// attention, and temperature changes nothing but noise.
func (c *cell) tokensPerSecond() float64 {
	f := c.offload()
	return c.m.tgFull / (f + 8*(1-f)) * (1 - 0.035*math.Log2(float64(c.ctx)/512))
}

func (c *cell) promptPerSecond() float64 {
	f := c.offload()
	return c.m.ppFull / (f + 12*(1-f))
}

// plan lays out the sweep so that it has exactly files files: every cell runs once; then in cells that fit, two
// replicate runs more (spread over the sweep), and in some out-of-memory cells a retry, until the count is met.
func plan(files int) ([]*cell, error) {
	var cells, fit, oom []*cell
	for i := range models {
		for _, gpu := range gpuLayers {
			for _, ctx := range contexts {
				for _, temp := range temperatures {
					c := &cell{m: &models[i], gpu: gpu, ctx: ctx, temp: temp, runs: 1}
					cells = append(cells, c)
					if c.oom() {
						oom = append(oom, c)
					} else {
						fit = append(fit, c)
					}
				}
			}
		}
	}
	// A cell holds summary.json and summary.md, and per run fitFiles or oomFiles; README.md and each model's two
	// tables come on top.
	have := 1 + 2*len(models) + len(fit)*(2+fitFiles) + len(oom)*(2+oomFiles)
	gap := files - have
	retries := 0
	for retries <= len(oom) && retries*oomFiles <= gap && (gap-retries*oomFiles)%fitFiles != 0 {
		retries++
	}
	extra := (gap - retries*oomFiles) / fitFiles
	replicated := (extra + 1) / 2
	if gap < 0 || retries > len(oom) || (gap-retries*oomFiles)%fitFiles != 0 || replicated > len(fit) {
		return nil, fmt.Errorf("a sweep of %d cells cannot make a tree of exactly %d files", len(cells), files)
	}
	for i := range retries {
		oom[i*len(oom)/retries].runs++
	}
	for i := range replicated {
		c := fit[i*len(fit)/replicated]
		c.runs += min(2, extra-2*i)
	}
	return cells, nil
}

// The files of one run: metrics.csv, requests.jsonl, ollama-verbose.log, llama-bench.log and run.json where the
// cell fits; llama-bench.log and run.json where it ran out of memory.
const (
	fitFiles = 5
	oomFiles = 2
)

var prompts = []struct{ text, answer string }{
	{"Summarise the benchmark results in three sentences.", "Throughput held steady across the runs while time to first token rose with the context."},
	{"List three ways to cut time to first token.", "Keep the model loaded, shorten the prompt and offload more layers to the GPU."},
	{"Explain what num_ctx changes.", "num_ctx sets the context window, which sizes the KV cache and bounds the prompt."},
	{"Compare two quantisations briefly.", "Q8_0 keeps more precision than Q4_K_M at twice the memory and a lower decode rate."},
	{"Write a haiku about GPUs.", "Silicon rivers / carry the weight of each word / warm fans hum along."},
	{"What is a KV cache?", "It stores the attention keys and values of past tokens so they are not recomputed."},
	{"Give one risk of raising the temperature.", "Sampling drifts further from the most likely tokens and answers vary more."},
	{"Translate 'good morning' into French and German.", "Bonjour; Guten Morgen."},
	{"Why does prompt evaluation run faster than generation?", "The prompt is processed in one batch while generation produces one token at a time."},
	{"Name two signs of memory pressure on a GPU.", "Allocation failures and layers falling back to the CPU."},
	{"Explain flash attention in one paragraph.", "It computes attention in tiles that stay in on-chip memory, avoiding the full score matrix."},
	{"Suggest a benchmark plan for a new model.", "Sweep offload and context, repeat each cell, and record load, prompt and decode times apart."},
}

var failures = []string{"timeout after 120s", "connection reset by peer", "model runner has unexpectedly stopped", "context deadline exceeded"}
