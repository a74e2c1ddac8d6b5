package llama

// #include "bridge.h"
import "C"

// PerfCounters are llama.cpp's own counters, kept for cross-checking chimera's timings.
type PerfCounters struct {
	PromptEvalMS float64 `json:"prompt_eval_ms"`
	EvalMS       float64 `json:"eval_ms"`
	PromptTokens int     `json:"prompt_tokens"`
	EvalTokens   int     `json:"eval_tokens"`
	GraphsReused int     `json:"graphs_reused"`
}

// Perf reads llama.cpp's counters since the last PerfReset (llama_perf_context).
func (c *Context) Perf() PerfCounters {
	d := C.llama_perf_context(c.c)
	return PerfCounters{
		PromptEvalMS: float64(d.t_p_eval_ms), EvalMS: float64(d.t_eval_ms),
		PromptTokens: int(d.n_p_eval), EvalTokens: int(d.n_eval), GraphsReused: int(d.n_reused),
	}
}

// PerfReset sets llama.cpp's counters to zero (llama_perf_context_reset).
func (c *Context) PerfReset() { C.llama_perf_context_reset(c.c) }
