package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/store"
)

func TestCompareScheduleInterleavesAfterTheWarmups(t *testing.T) {
	want := []comparePass{{SideBaseline, 0}, {SideChimera, 0}, {SideBaseline, 1}, {SideChimera, 1}, {SideBaseline, 2}, {SideChimera, 2}}
	got := compareSchedule(2)
	if !slices.Equal(got, want) {
		t.Errorf("schedule %v, want %v", got, want)
	}
	if !got[0].warmup() || !got[1].warmup() || got[2].warmup() {
		t.Error("only run 0 is a warm-up")
	}
}

func TestComparisonVerdictFollowsTheData(t *testing.T) {
	decode := compareMetric{name: "decode tok/s", higher: true}
	ttft := compareMetric{name: "TTFT ms", higher: false}
	cases := []struct {
		name       string
		metric     compareMetric
		base, chim []float64
		want       Verdict
	}{
		{"faster decode", decode, []float64{50, 51, 49}, []float64{60, 61, 59}, VerdictBetter},
		{"slower decode", decode, []float64{50, 51, 49}, []float64{40, 41, 39}, VerdictWorse},
		{"lower TTFT", ttft, []float64{100, 101, 99}, []float64{80, 81, 79}, VerdictBetter},
		{"overlapping samples", decode, []float64{50, 55, 45}, []float64{51, 56, 46}, VerdictNoDifference},
		{"one run each", decode, []float64{50}, []float64{60}, VerdictTooFewRuns},
		{"constant on both sides", decode, []float64{50, 50}, []float64{60, 60}, VerdictNoVariation},
	}
	for _, tc := range cases {
		row := compareRow("workflow", tc.metric, tc.base, tc.chim)
		if row.Verdict != tc.want {
			t.Errorf("%s: verdict %q, want %q", tc.name, row.Verdict, tc.want)
		}
		if hasP := row.P != nil; hasP != (tc.want != VerdictTooFewRuns && tc.want != VerdictNoVariation) {
			t.Errorf("%s: p-value %v with verdict %q", tc.name, row.P, row.Verdict)
		}
	}
	if row := compareRow("workflow", decode, []float64{50, 51, 49}, []float64{60, 61, 59}); row.Delta != 10 || *row.DeltaPct != 20 {
		t.Errorf("Δ = %v, Δ%% = %v, want chimera − baseline = 10, 20%%", row.Delta, *row.DeltaPct)
	}
}

func TestComparisonConclusionWording(t *testing.T) {
	decode := compareMetric{name: "decode tok/s", higher: true}
	conclude := func(base, chim []float64) string {
		return concludeComparison([]ComparisonRow{compareRow("workflow", decode, base, chim)})
	}
	cases := []struct {
		name       string
		base, chim []float64
		want       string
	}{
		{"significant", []float64{50, 51, 49}, []float64{60, 61, 59}, "chimera differs from baseline in 1 of 1 metrics. Better: workflow decode tok/s +20.0% (p = "},
		{"not significant", []float64{50, 55, 45}, []float64{51, 56, 46}, "No significant difference between baseline and chimera"},
		{"n < 2", []float64{50}, []float64{60}, "A p-value is not available"},
	}
	for _, tc := range cases {
		if got := conclude(tc.base, tc.chim); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
	if got := conclude([]float64{50, 55, 45}, []float64{51, 56, 46}); strings.Contains(got, "better") || strings.Contains(got, "worse") {
		t.Errorf("claims a difference that is not there: %q", got)
	}
}

func TestCompareExcludesTheWarmupsFromTheStatistics(t *testing.T) {
	db := openTestDB(t)
	chimera := tinyConfig()
	chimera.Context.NumCtx = 1024
	out := t.TempDir()
	result, err := Compare(context.Background(), db, CompareOptions{Target: Target{ModelRef: tinyModel}, Baseline: tinyConfig(), Chimera: chimera,
		Runs: 2, Data: testData(), OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range result.Samples {
		order = append(order, fmt.Sprint(s.Side, " ", s.Run))
	}
	if want := []string{"baseline 1", "chimera 1", "baseline 2", "chimera 2"}; !slices.Equal(order, want) {
		t.Errorf("samples %q, want %q", order, want)
	}
	if r := result.Rows[0]; r.Baseline.N != 2 || r.Chimera.N != 2 || len(result.Rows) != 12 {
		t.Errorf("%d rows, first %+v", len(result.Rows), r)
	}
	if len(result.Loads) != 1 || !slices.Equal(result.Loads[0].UsedBy, []string{SideBaseline, SideChimera}) {
		t.Errorf("loads %+v, want one shared by both sides", result.Loads)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for _, a := range run.AgentRuns {
		if a.Agent == agents.Collector.ID {
			recorded = append(recorded, a.Label)
		}
	}
	want := []string{"baseline warm-up DataCollector-9000", "chimera warm-up DataCollector-9000", "baseline DataCollector-9000",
		"chimera DataCollector-9000", "baseline DataCollector-9000", "chimera DataCollector-9000"}
	if run.Status != store.StatusOK || !slices.Equal(recorded, want) || len(run.Calls) != 6*4 || len(run.Reports) != 1 {
		t.Errorf("status %s, collector runs %q, %d calls, %d reports", run.Status, recorded, len(run.Calls), len(run.Reports))
	}
	var saved CompareResult
	if data, err := os.ReadFile(result.Reports[1]); err != nil || json.Unmarshal(data, &saved) != nil || len(saved.Samples) != 4 {
		t.Errorf("comparison.json: %v, %d samples", err, len(saved.Samples))
	}
}

func TestInterruptedCompareKeepsTheCompletedPasses(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// 4 calls per pass: the two warm-ups and the first measured pass of each side complete, then baseline's second
	// is interrupted in its first call.
	log := &cancelOnLine{marker: " prompt tokens ", times: 16, cancel: cancel}
	result, err := Compare(ctx, db, CompareOptions{Target: Target{ModelRef: tinyModel, Log: log}, Baseline: tinyConfig(), Chimera: tinyConfig(),
		Runs: 3, Data: testData(), OutDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusInterrupted || len(result.Samples) != 2 || len(run.Calls) != 17 {
		t.Errorf("status %s, %d samples, %d calls", run.Status, len(result.Samples), len(run.Calls))
	}
	md, err := os.ReadFile(result.Reports[0])
	if err != nil || !strings.Contains(string(md), "Run interrupted") || !strings.Contains(string(md), "A p-value is not available") {
		t.Errorf("partial report: %v\n%s", err, md)
	}
}

func TestCompareRejectsBadInputBeforeLoading(t *testing.T) {
	bad := tinyConfig()
	bad.Sampling.TopP = 2
	for name, opts := range map[string]CompareOptions{
		"no runs":     {Baseline: tinyConfig(), Chimera: tinyConfig(), Runs: 0},
		"bad setting": {Baseline: tinyConfig(), Chimera: bad, Runs: 1},
	} {
		opts.ModelRef, opts.OutDir = tinyModel, t.TempDir()
		if _, err := Compare(context.Background(), openTestDB(t), opts); !engine.IsInputError(err) {
			t.Errorf("%s: %v, want an input error", name, err)
		}
	}
}
