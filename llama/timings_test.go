package llama

import (
	"math"
	"testing"
	"time"
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
	want := Timings{
		PromptTokens: 50, PromptEvalMS: 100, TTFTMS: 120, GenTokens: 4, EvalMS: 80, SampleMS: 4, TotalMS: 205,
		PromptTPS: 500, DecodeTPS: 3 / 0.080,
		TokenLatency:    Latency{P50: 20, P95: 40, P99: 40, Max: 40},
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
	if got.DecodeTPS != 0 || got.EvalMS != 0 || got.TokenLatency != (Latency{}) {
		t.Errorf("one token: decode_tps %v eval_ms %v latency %+v, want zeros", got.DecodeTPS, got.EvalMS, got.TokenLatency)
	}
}

func TestNearestRank(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ p, want float64 }{{50, 5}, {95, 10}, {10, 1}, {11, 2}, {100, 10}} {
		if got := nearestRank(sorted, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
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
