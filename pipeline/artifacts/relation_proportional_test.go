package artifacts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A run of fixed size (32 requests of 128 output tokens) at three concurrencies, written in full: its output
// and request throughputs and its duration are one quantity, each a count over the same duration, and the
// first rate stays; the TTFT, which no count ties to the duration, stays beside it, and so does a rate
// proportional to the output throughput on two rows only.
func TestMeasuresThatAreOneQuantityKeepOneOfThem(t *testing.T) {
	const requests, outputTokens = 32, 128
	columns := []string{"concurrency", "duration_s", "output_throughput", "request_throughput", "ttft_ms", "decode_tps"}
	var rows [][]string
	for i, c := range []struct{ concurrency, duration, ttft float64 }{{1, 66.39, 27.06}, {4, 18.10, 45.97}, {16, 5.73, 106.52}} {
		decode := requests * outputTokens / c.duration
		if i == 2 {
			decode *= 1.01
		}
		rows = append(rows, []string{fmt.Sprint(c.concurrency), fmt.Sprint(c.duration), fmt.Sprint(requests * outputTokens / c.duration),
			fmt.Sprint(requests / c.duration), fmt.Sprint(c.ttft), fmt.Sprint(decode)})
	}
	rel := newRelation("bench.csv", nil, KindCSV, tableOf(columns, rows...))[0]
	if got, want := measureNames(rel), []string{"output_throughput", "ttft_ms", "decode_tps"}; !slices.Equal(got, want) {
		t.Errorf("measures = %v, want %v", got, want)
	}
}

// A log's time between tokens with two decimals and the tokens per second computed from it with one: the
// time stays, as the one with the digits, and a rate that is the reciprocal but for more than its rounding
// stays beside it.
func TestOfMeasuresThatAreOneQuantityTheOneWithMoreDigitsStays(t *testing.T) {
	columns := []string{"tokens", "tbt_ms", "tps", "rate_tps"}
	var rows [][]string
	for i, tbt := range []float64{37.52, 41.63, 58.64, 138.41} {
		rate := 1000 / tbt
		if i == 3 {
			rate *= 1.05
		}
		rows = append(rows, []string{fmt.Sprint(32 << i), fmt.Sprintf("%.2f", tbt), fmt.Sprintf("%.1f", 1000/tbt), fmt.Sprintf("%.1f", rate)})
	}
	rel := newRelation("bench.csv", nil, KindCSV, tableOf(columns, rows...))[0]
	if got, want := measureNames(rel), []string{"tbt_ms", "rate_tps"}; !slices.Equal(got, want) {
		t.Errorf("measures = %v, want %v", got, want)
	}
}

// vLLM's benchmark_serving writes one object per run: its summaries as scalars and the per-request samples
// they were computed from as arrays. The arrays are not part of the record, and do not keep the runs of three
// concurrencies from being compared.
func TestAPerRequestArrayLeavesTheRecordOfItsRun(t *testing.T) {
	files := map[string]string{}
	throughput := map[int]float64{1: 61.71, 4: 226.33, 16: 714.68}
	for c, tps := range throughput {
		files[fmt.Sprintf("c%d/result.json", c)] = fmt.Sprintf(
			`{"max_concurrency": %d, "output_throughput": %v, "median_ttft_ms": %.2f, "input_lens": [512, 512, 512], "ttfts": [0.024, 0.028, 0.026]}`,
			c, tps, 20+float64(c))
	}
	var trend *Fact
	for _, f := range factsFor(t, files) {
		if f.Kind == "trend" && strings.HasPrefix(f.Text, "output_throughput rises") {
			trend = &f
		}
	}
	if trend == nil {
		t.Fatal("no trend of output_throughput along the concurrency")
	}
	if want := fmt.Sprintf("1 %v → 4 %v → 16 %v", throughput[1], throughput[4], throughput[16]); !strings.Contains(trend.Text, want) {
		t.Errorf("trend %q does not print %q", trend.Text, want)
	}
}
