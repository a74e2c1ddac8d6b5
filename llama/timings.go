package llama

import (
	"slices"
	"time"
)

// Timings is the record of one generation call. Every field has exactly one definition, given in the package
// documentation; all durations are measured in Go with a monotonic clock after synchronising the backend.
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

// clock collects the instants of one call; timings() turns them into the record.
type clock struct {
	start       time.Time
	prefillFrom time.Time
	prefillTo   time.Time
	tokenTimes  []time.Time
	sampling    time.Duration
	end         time.Time
}

func (k *clock) timings(promptTokens, cachedTokens int, loadMS float64) Timings {
	t := Timings{
		PromptTokens:       promptTokens,
		PromptCachedTokens: cachedTokens,
		PromptEvalMS:       ms(k.prefillTo.Sub(k.prefillFrom)),
		GenTokens:          len(k.tokenTimes),
		SampleMS:           ms(k.sampling),
		TotalMS:            ms(k.end.Sub(k.start)),
	}
	if n := len(k.tokenTimes); n > 0 {
		t.TTFTMS = ms(k.tokenTimes[0].Sub(k.start))
		t.EvalMS = ms(k.tokenTimes[n-1].Sub(k.tokenTimes[0]))
		t.TokenLatency = latencies(k.tokenTimes)
	}
	t.PromptTPS = Rate(t.PromptTokens-t.PromptCachedTokens, t.PromptEvalMS)
	t.DecodeTPS = Rate(t.GenTokens-1, t.EvalMS)

	t.PromptEvalCount = t.PromptTokens - t.PromptCachedTokens
	t.PromptEvalDuration = nanos(t.PromptEvalMS)
	t.EvalCount = t.GenTokens
	t.EvalDuration = nanos(t.EvalMS)
	t.LoadDuration = nanos(loadMS)
	t.TotalDuration = nanos(t.TotalMS + loadMS)
	return t
}

// Rate is tokens per second, the one definition of every tok/s chimera reports; zero when there is nothing to
// divide.
func Rate(tokens int, elapsedMS float64) float64 {
	if tokens <= 0 || elapsedMS <= 0 {
		return 0
	}
	return float64(tokens) / elapsedMS * 1000
}

func latencies(times []time.Time) Latency {
	if len(times) < 2 {
		return Latency{}
	}
	gaps := make([]float64, len(times)-1)
	for i := range gaps {
		gaps[i] = ms(times[i+1].Sub(times[i]))
	}
	slices.Sort(gaps)
	return Latency{P50: nearestRank(gaps, 50), P95: nearestRank(gaps, 95), P99: nearestRank(gaps, 99), Max: gaps[len(gaps)-1]}
}

// nearestRank is the p-th percentile of sorted values by the nearest-rank method: the smallest value with at
// least p% of the values at or below it.
func nearestRank(sorted []float64, p float64) float64 {
	rank := int(float64(len(sorted))*p/100 + 0.9999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func nanos(ms float64) int64 { return int64(ms * 1e6) }
