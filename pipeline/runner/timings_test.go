package runner

import (
	"math"
	"testing"
	"time"

	"chimera/pipeline/generation"
)

func TestClockTimingsFollowTheirDefinitions(t *testing.T) {
	base := time.Unix(0, 0)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	k := clock{
		start: at(0), prefillFrom: at(10), prefillTo: at(110),
		tokenTimes: []time.Time{at(120), at(140), at(160), at(200)},
		sampling:   4 * time.Millisecond, end: at(205),
	}
	got := k.timings(50, 0, 300)
	want := generation.Timings{
		PromptTokens: 50, PromptEvalMS: 100, TTFTMS: 120, GenTokens: 4, EvalMS: 80, SampleMS: 4, TotalMS: 205,
		PromptTPS: 500, DecodeTPS: 3 / 0.080,
		TokenLatency:    generation.Latency{P50: 20, P95: 38, P99: 39.6, Max: 40},
		PromptEvalCount: 50, PromptEvalDuration: 100e6, EvalCount: 4, EvalDuration: 80e6,
		LoadDuration: 300e6, TotalDuration: 505e6,
	}
	if math.Abs(got.DecodeTPS-want.DecodeTPS) > 1e-9 {
		t.Errorf("decode_tps %v, want %v", got.DecodeTPS, want.DecodeTPS)
	}
	got.DecodeTPS = want.DecodeTPS
	if got != want {
		t.Errorf("timings\n got %+v\nwant %+v", got, want)
	}
}

func TestClockWithOneTokenHasNoDecodeRate(t *testing.T) {
	k := clock{start: time.Unix(0, 0), tokenTimes: []time.Time{time.Unix(1, 0)}, end: time.Unix(1, 0)}
	got := k.timings(3, 0, 0)
	if got.DecodeTPS != 0 || got.EvalMS != 0 || got.TokenLatency != (generation.Latency{}) {
		t.Errorf("one token: decode_tps %v eval_ms %v latency %+v, want zeros", got.DecodeTPS, got.EvalMS, got.TokenLatency)
	}
}

// The token latencies' quantiles interpolate between order statistics, as pipeline/stats computes every quantile.
func TestTokenLatencyQuantilesInterpolate(t *testing.T) {
	times := []time.Time{time.Unix(0, 0)}
	for gap := 1; gap <= 10; gap++ {
		times = append(times, times[len(times)-1].Add(time.Duration(gap)*time.Millisecond))
	}
	got := latencies(times)
	want := generation.Latency{P50: 5.5, P95: 9.55, P99: 9.91, Max: 10}
	for _, q := range []struct {
		name      string
		got, want float64
	}{
		{"p50", got.P50, want.P50}, {"p95", got.P95, want.P95}, {"p99", got.P99, want.P99}, {"max", got.Max, want.Max},
	} {
		if math.Abs(q.got-q.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", q.name, q.got, q.want)
		}
	}
}

func TestCachedPromptTokensAreNotCountedAsEvaluated(t *testing.T) {
	k := clock{start: time.Unix(0, 0), prefillFrom: time.Unix(0, 0), prefillTo: time.Unix(0, 0).Add(100 * time.Millisecond)}
	got := k.timings(500, 450, 0)
	if got.PromptCachedTokens != 450 || got.PromptEvalCount != 50 || got.PromptTPS != 500 {
		t.Errorf("cached %d, prompt_eval_count %d, prompt_tps %v; want 450, 50, 500", got.PromptCachedTokens, got.PromptEvalCount, got.PromptTPS)
	}
}
