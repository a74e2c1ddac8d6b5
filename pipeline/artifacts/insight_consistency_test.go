package artifacts

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestFindConsistencyNamesTheCountAndDurationARateComesFrom(t *testing.T) {
	root := t.TempDir()
	// 2048 / 32.237 = 63.53; 16 / 32.237 = 0.4963.
	writeFiles(t, root, map[string]string{"run.json": `{"duration": 32.237, "completed": 16, "total_output_tokens": 2048,
		"output_throughput": 63.5295, "request_throughput": 0.49632, "median_ttft_ms": 81.3}`})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactConsistency {
			assertInOrder(t, f.Text, []string{"internally consistent", "output_throughput 63.53 = total_output_tokens 2048 / duration 32.24 s",
				"request_throughput 0.4963 = completed 16 / duration 32.24 s"})
			return
		}
	}
	t.Fatal("no consistency fact")
}

// measureOf is a measure with the given values, one a row.
func measureOf(name, unit string, values ...float64) *measure {
	m := &measure{name: name, unit: unit}
	for _, v := range values {
		m.cells = append(m.cells, cell{value: v, sd: math.NaN()})
	}
	return m
}

// A rate is reproduced only when every row with a count, a duration and the rate agrees; durations in ms count
// as thousandths of a second.
func TestQuotientMatchesEveryRow(t *testing.T) {
	tokens, duration := measureOf("tokens", "", 100, 300, 200), measureOf("duration", "s", 10, 20, 40)
	if first, rows := quotientMatches(measureOf("throughput", "tok/s", 10, 15, 5), tokens, duration); first != 0 || rows != 3 {
		t.Errorf("agreeing rows: first %d, %d rows; want 0 and 3", first, rows)
	}
	if _, rows := quotientMatches(measureOf("throughput", "tok/s", 10, 15, 6), tokens, duration); rows != 0 {
		t.Errorf("row 3 gives 5, not 6: %d rows matched", rows)
	}
	if _, rows := quotientMatches(measureOf("throughput", "tok/s", 10000, 15000, 5000), tokens, measureOf("time", "ms", 10, 20, 40)); rows != 3 {
		t.Errorf("durations in ms: %d rows matched", rows)
	}
}

func TestFindConsistencyClaimsNothingForARateOffByAPercent(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"run.json": `{"duration": 32.237, "total_output_tokens": 2048, "output_throughput": 64.2,
		"median_ttft_ms": 81.3}`})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactConsistency {
			t.Errorf("claimed %q although 2048 / 32.237 = 63.53", f.Text)
		}
	}
}

// factOfKind builds the facts of one file and returns the text of the first fact of a kind; "" when none.
func factOfKind(t *testing.T, name, content, kind string) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{name: content})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == kind {
			return f.Text
		}
	}
	return ""
}

// With one request in flight, duration / completed is one request's time, which the mean time to the first
// token and the mean time per later token must add up to.
func TestFindConsistencyAddsUpARequestsTimeFromItsTokenTimes(t *testing.T) {
	const duration, completed, outputTokens, ttftMs, itlMs = 10.0, 4.0, 400.0, 50.0, 24.75
	measured := duration / completed
	summed := (ttftMs + (outputTokens/completed-1)*itlMs) / 1000
	summary := func(concurrency int, itl float64) string {
		return fmt.Sprintf(`{"duration": %g, "completed": %g, "total_output_tokens": %g, "mean_ttft_ms": %g,
			"mean_itl_ms": %g, "max_concurrency": %d}`, duration, completed, outputTokens, ttftMs, itl, concurrency)
	}
	text := factOfKind(t, "sequential.json", summary(1, itlMs), FactConsistency)
	assertInOrder(t, text, []string{"internally consistent", fmt.Sprintf("a request's %.4f s (duration / 4 completed) is mean_ttft_ms 50 ms", measured),
		fmt.Sprintf("+ 99 × mean_itl_ms 24.75 ms = %.4f s", summed)})

	slow := (ttftMs + (outputTokens/completed-1)*20) / 1000
	text = factOfKind(t, "gaps.json", summary(1, 20), FactConsistency)
	if strings.Contains(text, "internally consistent") {
		t.Errorf("%.4f s against %.4f s called consistent: %q", slow, measured, text)
	}
	assertInOrder(t, text, []string{"is not mean_ttft_ms", fmt.Sprintf("= %.4f s", slow)})

	if text := factOfKind(t, "concurrent.json", summary(4, itlMs), FactConsistency); text != "" {
		t.Errorf("four requests in flight share the duration, yet: %q", text)
	}
}
