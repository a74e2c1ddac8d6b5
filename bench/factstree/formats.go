package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// The files of the tree, each written as the tool named in its comment writes it.

// metricsCSV is the sweep script's row per prompt (Python's csv module and float repr); a failed request keeps
// only its prompt and the error.
func metricsCSV(c *cell, reqs []request) string {
	lines := []string{"timestamp,model,num_gpu,num_ctx,temperature,prompt_index,ttft_s,tokens_s,load_s,prompt_eval_s,eval_s,prompt_eval_count,eval_count,error"}
	for _, r := range reqs {
		head := fmt.Sprintf("%s,%s,%d,%d,%s,%d,", r.at, c.m.name, c.gpu, c.ctx, num(c.temp), r.index)
		if r.failure != "" {
			lines = append(lines, head+fmt.Sprintf(",,,,,%d,,%s", r.promptTokens, r.failure))
			continue
		}
		lines = append(lines, head+strings.Join([]string{num(r.ttft), num(r.tokens), num(r.load), num(r.promptEval),
			num(r.eval), fmt.Sprint(r.promptTokens), fmt.Sprint(r.evalCount), ""}, ","))
	}
	return joinLines(lines)
}

// requestRecord is a line of requests.jsonl, the load generator's log.
type requestRecord struct {
	TS               string   `json:"ts"`
	RequestID        string   `json:"request_id"`
	PromptIndex      int      `json:"prompt_index"`
	PromptTokens     int      `json:"prompt_tokens"`
	CompletionTokens *int     `json:"completion_tokens"`
	TTFTMS           *float64 `json:"ttft_ms"`
	LatencyMS        *float64 `json:"latency_ms"`
	TokensPerS       *float64 `json:"tokens_per_s"`
	Status           string   `json:"status"`
}

func requestsJSONL(c *cell, run int, reqs []request) string {
	var b strings.Builder
	ms := func(s float64) *float64 { v := math.Round(s*1e6) / 1e3; return &v }
	for _, r := range reqs {
		rec := requestRecord{TS: r.at, RequestID: fmt.Sprintf("%s-r%d-%04d", c.name(), run, r.index), PromptIndex: r.index,
			PromptTokens: r.promptTokens, Status: "ok"}
		if r.failure != "" {
			rec.Status = "failed: " + r.failure
		} else {
			tps := math.Round(r.tokens*1000) / 1000
			rec.CompletionTokens, rec.TTFTMS, rec.LatencyMS, rec.TokensPerS = &r.evalCount, ms(r.ttft), ms(r.ttft+r.eval), &tps
		}
		line, _ := json.Marshal(rec) // plain fields: cannot fail
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// verboseLog is the console of `ollama run --verbose`: each prompt, the answer and its timing block.
func verboseLog(reqs []request) string {
	d := func(s float64) string { return time.Duration(s * float64(time.Second)).String() }
	var lines []string
	for _, r := range reqs {
		p := prompts[(r.index-1)%len(prompts)]
		lines = append(lines, ">>> "+p.text)
		if r.failure != "" {
			lines = append(lines, "Error: "+r.failure, "")
			continue
		}
		lines = append(lines, p.answer, "",
			"total duration:       "+d(r.ttft+r.eval),
			"load duration:        "+d(r.load),
			fmt.Sprintf("prompt eval count:    %d token(s)", r.promptTokens),
			"prompt eval duration: "+d(r.promptEval),
			fmt.Sprintf("prompt eval rate:     %.2f tokens/s", float64(r.promptTokens)/r.promptEval),
			fmt.Sprintf("eval count:           %d token(s)", r.evalCount),
			"eval duration:        "+d(r.eval),
			fmt.Sprintf("eval rate:            %.2f tokens/s", r.tokens), "")
	}
	return joinLines(lines)
}

// llamaBenchHead is the sweep script's trace of the command and what ggml prints first.
func llamaBenchHead(c *cell, run int) []string {
	return []string{
		fmt.Sprintf("+ llama-bench -m %s -ngl %d -p 512 -n 128 -d 0,%d -r 5   # %s, run %d", c.m.file, c.gpu, c.ctx/2, c.name(), run),
		"ggml_cuda_init: found 1 CUDA devices:",
		"  Device 0: " + gpuName + ", compute capability 8.6, VMM: yes",
	}
}

// llamaBenchLog is llama-bench's Markdown table, as it prints it.
func llamaBenchLog(c *cell, run int, tests []benchTest) string {
	lines := append(llamaBenchHead(c, run),
		fmt.Sprintf("| %-30s | %10s | %10s | %-10s | %3s | %15s | %20s |", "model", "size", "params", "backend", "ngl", "test", "t/s"),
		"| ------------------------------ | ---------: | ---------: | ---------- | --: | --------------: | -------------------: |")
	for _, t := range tests {
		lines = append(lines, fmt.Sprintf("| %-30s | %10s | %10s | %-10s | %3d | %15s | %20s |", c.m.benchType,
			fmt.Sprintf("%.2f GiB", c.m.sizeGiB), fmt.Sprintf("%.2f B", c.m.paramsB), "CUDA", c.gpu, t.name(),
			fmt.Sprintf("%.2f ± %.2f", t.ts, t.sd)))
	}
	lines = append(lines, "", fmt.Sprintf("build: %s (%d)", llamaBuild, llamaBuildNo))
	return joinLines(lines)
}

// llamaBenchOOMLog is llama-bench failing at its first allocation, and the sweep script saying so.
func llamaBenchOOMLog(c *cell, run, jitter int) string {
	return joinLines(append(llamaBenchHead(c, run),
		fmt.Sprintf("llama_model_load_from_file_impl: using device CUDA0 (%s) - %d MiB free", gpuName, vramMiB-369-jitter),
		fmt.Sprintf("load_tensors: offloaded %d/%d layers to GPU", min(c.gpu, c.m.layers)+1, c.m.layers+1),
		fmt.Sprintf("ggml_backend_cuda_buffer_type_alloc_buffer: allocating %.2f MiB on device 0: cudaMalloc failed: out of memory", c.kvMiB()),
		"llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache",
		fmt.Sprintf("main: error: failed to create context with model '%s'", c.m.file),
		fmt.Sprintf("✖ %s run %d failed (exit 1)", c.name(), run)))
}

// summary is a cell's summary.json.
type summary struct {
	Cell           string     `json:"cell"`
	Model          string     `json:"model"`
	Settings       settings   `json:"settings"`
	Status         string     `json:"status"`
	Error          string     `json:"error,omitempty"`
	Runs           []runBrief `json:"runs"`
	Requests       int        `json:"requests"`
	FailedRequests int        `json:"failed_requests"`
	MeanTokensS    *float64   `json:"mean_tokens_s"`
}

type runBrief struct {
	Run         int      `json:"run"`
	Status      string   `json:"status"`
	Requests    int      `json:"requests"`
	Failed      int      `json:"failed"`
	MeanTokensS *float64 `json:"mean_tokens_s"`
	P50TTFTMS   *float64 `json:"p50_ttft_ms"`
	P95TTFTMS   *float64 `json:"p95_ttft_ms"`
	WallS       float64  `json:"wall_s"`
}

func cellSummary(res *cellResult) summary {
	first := res.runs[0]
	s := summary{Cell: first.Cell, Model: first.Model, Settings: first.Settings, Status: "ok"}
	for _, r := range res.runs {
		s.Runs = append(s.Runs, runBrief{r.Run, r.Status, r.Requests, r.Failed, r.MeanTokensS, r.P50TTFTMS, r.P95TTFTMS, r.WallS})
		s.Requests += r.Requests
		s.FailedRequests += r.Failed
		if r.Status != "ok" {
			s.Status, s.Error = r.Status, r.Error
		}
	}
	if mean, ok := res.meanTokensS(); ok {
		s.MeanTokensS = &mean
	}
	return s
}

// cellMarkdown is a cell's summary.md.
func cellMarkdown(res *cellResult) string {
	c := res.c
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — %s\n\nnum_gpu %d, num_ctx %d, temperature %s; %d run(s) on %s (%d GiB).\n\n", c.m.name, c.name(),
		c.gpu, c.ctx, num(c.temp), len(res.runs), gpuName, vramMiB/1024)
	b.WriteString("| Run | Requests | Failed | Tokens/s | TTFT p50 (ms) | TTFT p95 (ms) | Peak VRAM (MiB) |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range res.runs {
		if r.MeanTokensS == nil {
			fmt.Fprintf(&b, "| %d | %d | – | OOM | – | – | %d |\n", r.Run, r.Requests, r.GPU.VRAMPeakMiB)
			continue
		}
		fmt.Fprintf(&b, "| %d | %d | %d | %.2f | %.1f | %.1f | %d |\n", r.Run, r.Requests, r.Failed, *r.MeanTokensS,
			*r.P50TTFTMS, *r.P95TTFTMS, r.GPU.VRAMPeakMiB)
	}
	if mean, ok := res.meanTokensS(); ok {
		fmt.Fprintf(&b, "\nMean over the runs: **%.2f tok/s**.\n", mean)
	} else {
		fmt.Fprintf(&b, "\n**Out of memory**: %s.\n", res.runs[0].Error)
	}
	return b.String()
}

// sweepSummary is a model's sweep_summary.csv: a row per run.
func (w *writer) sweepSummary(m *model, cells []*cellResult) error {
	lines := []string{"model,cell,num_gpu,num_ctx,temperature,run,started_at,requests,failed,mean_tokens_s,p50_ttft_ms,p95_ttft_ms,vram_peak_mib,status"}
	for _, res := range cells {
		for _, r := range res.runs {
			tps, p50, p95 := "OOM", "", ""
			if r.MeanTokensS != nil {
				tps, p50, p95 = num(*r.MeanTokensS), num(*r.P50TTFTMS), num(*r.P95TTFTMS)
			}
			lines = append(lines, fmt.Sprintf("%s,%s,%d,%d,%s,%d,%s,%d,%d,%s,%s,%s,%d,%s", m.name, r.Cell, res.c.gpu, res.c.ctx,
				num(res.c.temp), r.Run, r.StartedAt, r.Requests, r.Failed, tps, p50, p95, r.GPU.VRAMPeakMiB, r.Status))
		}
	}
	return w.file(m.dir+"/sweep_summary.csv", []byte(joinLines(lines)))
}

// llamaBenchCSV is a model's llama_bench.csv: every llama-bench test of its sweep, as `llama-bench -o csv` writes.
func (w *writer) llamaBenchCSV(m *model, cells []*cellResult) error {
	lines := []string{"build_commit,build_number,cpu_info,gpu_info,backends,model_filename,model_type,model_size,model_n_params," +
		"n_batch,n_ubatch,n_threads,type_k,type_v,n_gpu_layers,flash_attn,use_mmap,n_prompt,n_gen,n_depth,test_time," +
		"avg_ns,stddev_ns,avg_ts,stddev_ts"}
	for _, res := range cells {
		for _, r := range res.runs {
			for _, t := range r.bench {
				tokens := float64(t.nPrompt + t.nGen)
				lines = append(lines, fmt.Sprintf("%q,%d,%q,%q,%q,%q,%q,%d,%d,2048,512,12,%q,%q,%d,0,1,%d,%d,%d,%q,%d,%d,%f,%f",
					llamaBuild, llamaBuildNo, cpuInfo, gpuName, "CUDA", m.file, m.benchType, int64(m.sizeGiB*(1<<30)),
					int64(m.paramsB*1e9), "f16", "f16", res.c.gpu, t.nPrompt, t.nGen, t.depth, t.at,
					int64(tokens/t.ts*1e9), int64(tokens/t.ts*t.sd/t.ts*1e9), t.ts, t.sd))
			}
		}
	}
	return w.file(m.dir+"/llama_bench.csv", []byte(joinLines(lines)))
}

// readme is the sweep's README.md: the best cell of each model and, at temperature 0.6, tokens/s over num_ctx
// and num_gpu.
func (w *writer) readme(byModel map[*model][]*cellResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Serving sweep: num_gpu × num_ctx × temperature\n\n%d models served by Ollama 0.17.4 on one %s "+
		"(%d GiB), every cell of %s run one to three times with 24–160 prompts a run, and llama-bench (build %s (%d)) "+
		"on the same offload. Finished %s.\n\n", len(models), gpuName, vramMiB/1024, w.m.Grid, llamaBuild, llamaBuildNo, w.stamp())
	b.WriteString("## Best cell per model\n\n| Model | Best cell | Tokens/s | Cells out of memory |\n| --- | --- | ---: | ---: |\n")
	for i := range models {
		m := &models[i]
		best, bestTPS, ooms := "", 0.0, 0
		for _, res := range byModel[m] {
			if tps, ok := res.meanTokensS(); !ok {
				ooms++
			} else if tps > bestTPS {
				best, bestTPS = res.c.name(), tps
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %d |\n", m.name, best, bestTPS, ooms)
	}
	b.WriteString("\n## Tokens/s at temperature 0.6\n")
	for i := range models {
		m := &models[i]
		fmt.Fprintf(&b, "\n### %s\n\n| num_ctx |", m.name)
		for _, g := range gpuLayers {
			fmt.Fprintf(&b, " gpu%d |", g)
		}
		b.WriteString("\n| ---: |" + strings.Repeat(" ---: |", len(gpuLayers)) + "\n")
		for _, ctx := range contexts {
			fmt.Fprintf(&b, "| %d |", ctx)
			for _, g := range gpuLayers {
				for _, res := range byModel[m] {
					if res.c.gpu == g && res.c.ctx == ctx && res.c.temp == 0.6 {
						if tps, ok := res.meanTokensS(); ok {
							fmt.Fprintf(&b, " %.1f |", tps)
						} else {
							b.WriteString(" OOM |")
						}
					}
				}
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n## Notes\n\n- Failed requests (timeouts, dropped connections) are left out of the means; each run's count is in its run.json.\n" +
		"- A cell out of memory stopped at llama.cpp's first allocation: its runs hold llama-bench's log and run.json only.\n" +
		"- The first request of every run loads the model: its TTFT includes the load.\n")
	return w.file("README.md", []byte(b.String()))
}
