package agents

import "chimera/pipeline/generation"

// CallRecord is one LLM call of a workflow: what was sent, what came back, and its timings.
type CallRecord struct {
	Agent      string             `json:"agent"`
	Stage      string             `json:"stage"`
	Repetition int                `json:"repetition"`
	Prompt     PromptPlan         `json:"prompt"`
	Response   string             `json:"response"`
	StopReason string             `json:"stop_reason"`
	Timings    generation.Timings `json:"timings"`
}

// StageTimes is the wall time of each stage of one agent's workflow.
type StageTimes struct {
	IngestMS   float64 `json:"ingest_ms"`
	AnalysisMS float64 `json:"analysis_ms"`
	ReportMS   float64 `json:"report_ms"`
	TotalMS    float64 `json:"total_ms"`
}

// AgentResult is one agent's pass through the workflow.
type AgentResult struct {
	Agent      Agent        `json:"agent"`
	Repetition int          `json:"repetition"`
	Calls      []CallRecord `json:"calls"`
	Stages     StageTimes   `json:"stages"`
	Grounding  Grounding    `json:"grounding"`
	ReportPath string       `json:"report_path"`
}

// Analysis and Report are the texts of the two calls.
func (r *AgentResult) Analysis() string { return r.Calls[0].Response }
func (r *AgentResult) Report() string   { return r.Calls[len(r.Calls)-1].Response }

// Metrics are the pooled figures of a group of calls.
type Metrics struct {
	DecodeTPS float64 `json:"decode_tps"` // Σ(gen_tokens−1) / Σ eval_ms
	PromptTPS float64 `json:"prompt_tps"` // Σ evaluated (not cached) prompt tokens / Σ prompt_eval_ms
	TTFTMS    float64 `json:"ttft_ms"`    // mean of the calls' ttft_ms
}

// PoolCalls applies the one definition of each pooled figure to a group of calls.
func PoolCalls(calls []CallRecord) Metrics {
	var steps, evaluated int
	var evalMS, promptMS, ttft float64
	for _, c := range calls {
		t := c.Timings
		steps += max(t.GenTokens-1, 0)
		evaluated += t.PromptTokens - t.PromptCachedTokens
		evalMS += t.EvalMS
		promptMS += t.PromptEvalMS
		ttft += t.TTFTMS / float64(len(calls))
	}
	return Metrics{DecodeTPS: generation.Rate(steps, evalMS), PromptTPS: generation.Rate(evaluated, promptMS), TTFTMS: ttft}
}

// AgentTotals pools an agent's calls: one definition of each figure the Metrics section shows.
type AgentTotals struct {
	DecodeTPS          float64 // Σ(gen_tokens−1) / Σ eval_ms
	MeanTTFTMS         float64 // mean of the calls' ttft_ms
	TotalMS            float64 // Σ total_ms
	GenTokens          int     // Σ gen_tokens
	PromptTokens       int     // Σ prompt_tokens
	PromptCachedTokens int     // Σ prompt_cached_tokens
	PromptEvalMS       float64 // Σ prompt_eval_ms
	EvalMS             float64 // Σ eval_ms
}

// Totals pools the agent's calls.
func (r *AgentResult) Totals() AgentTotals {
	pooled := PoolCalls(r.Calls)
	t := AgentTotals{DecodeTPS: pooled.DecodeTPS, MeanTTFTMS: pooled.TTFTMS}
	for _, c := range r.Calls {
		t.TotalMS += c.Timings.TotalMS
		t.GenTokens += c.Timings.GenTokens
		t.PromptTokens += c.Timings.PromptTokens
		t.PromptCachedTokens += c.Timings.PromptCachedTokens
		t.PromptEvalMS += c.Timings.PromptEvalMS
		t.EvalMS += c.Timings.EvalMS
	}
	return t
}
