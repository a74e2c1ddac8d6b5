package runner

import (
	"slices"
	"time"

	"chimera/pipeline/generation"
	"chimera/pipeline/stats"
)

// clock collects the instants of one call; timings() turns them into the record.
type clock struct {
	start       time.Time
	prefillFrom time.Time
	prefillTo   time.Time
	tokenTimes  []time.Time
	sampling    time.Duration
	end         time.Time
}

func (k *clock) timings(promptTokens, cachedTokens int, loadMS float64) generation.Timings {
	t := generation.Timings{
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
	t.PromptTPS = generation.Rate(t.PromptTokens-t.PromptCachedTokens, t.PromptEvalMS)
	t.DecodeTPS = generation.Rate(t.GenTokens-1, t.EvalMS)

	t.PromptEvalCount = t.PromptTokens - t.PromptCachedTokens
	t.PromptEvalDuration = nanos(t.PromptEvalMS)
	t.EvalCount = t.GenTokens
	t.EvalDuration = nanos(t.EvalMS)
	t.LoadDuration = nanos(loadMS)
	t.TotalDuration = nanos(t.TotalMS + loadMS)
	return t
}

// latencies are the quantiles of the intervals between consecutive tokens, as pipeline/stats computes them.
func latencies(times []time.Time) generation.Latency {
	if len(times) < 2 {
		return generation.Latency{}
	}
	gaps := make([]float64, len(times)-1)
	for i := range gaps {
		gaps[i] = ms(times[i+1].Sub(times[i]))
	}
	return generation.Latency{P50: stats.Quantile(gaps, 0.50), P95: stats.Quantile(gaps, 0.95), P99: stats.Quantile(gaps, 0.99),
		Max: slices.Max(gaps)}
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func nanos(ms float64) int64 { return int64(ms * 1e6) }
