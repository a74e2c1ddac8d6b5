package generation

// Timings is the record of one generation call. Every field has exactly one definition, given in the
// documentation of package pipeline/runner, which measures them.
type Timings struct {
	PromptTokens       int     `json:"prompt_tokens"`
	PromptCachedTokens int     `json:"prompt_cached_tokens"`
	PromptEvalMS       float64 `json:"prompt_eval_ms"`
	TTFTMS             float64 `json:"ttft_ms"`
	GenTokens          int     `json:"gen_tokens"`
	EvalMS             float64 `json:"eval_ms"`
	SampleMS           float64 `json:"sample_ms"`
	TokenLatency       Latency `json:"token_latency_ms"`
	TotalMS            float64 `json:"total_ms"`
	PromptTPS          float64 `json:"prompt_tps"`
	DecodeTPS          float64 `json:"decode_tps"`

	// The Ollama API's fields, in nanoseconds, so results line up with data recorded through Ollama.
	PromptEvalCount    int   `json:"prompt_eval_count"`
	PromptEvalDuration int64 `json:"prompt_eval_duration"`
	EvalCount          int   `json:"eval_count"`
	EvalDuration       int64 `json:"eval_duration"`
	LoadDuration       int64 `json:"load_duration"`
	TotalDuration      int64 `json:"total_duration"`
}

// Latency summarises the intervals between consecutive sampled tokens.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Rate is tokens per second, the one definition of every tok/s chimera reports; zero when there is nothing to
// divide.
func Rate(tokens int, elapsedMS float64) float64 {
	if tokens <= 0 || elapsedMS <= 0 {
		return 0
	}
	return float64(tokens) / elapsedMS * 1000
}
