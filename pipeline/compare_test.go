package pipeline

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"chimera/store"
)

func TestInterleavedOrderPutsWarmupsFirst(t *testing.T) {
	want := []string{"warmup:baseline", "warmup:chimera", "baseline", "chimera", "baseline", "chimera"}
	if got := InterleavedOrder(2); !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestConclusionFollowsTheData(t *testing.T) {
	def := metricDef{name: "decode tok/s", higher: true}
	cases := []struct {
		base, chim []float64
		want       string
	}{
		{[]float64{50, 51, 49}, []float64{60, 61, 59}, "chimera is better by 20.0%"},
		{[]float64{50, 51, 49}, []float64{40, 41, 39}, "chimera is worse by 20.0%"},
		{[]float64{50, 55, 45}, []float64{51, 56, 46}, "no significant difference"},
		{[]float64{50}, []float64{60}, "no p-value"},
	}
	for _, tc := range cases {
		if got := compareRow(def, tc.base, tc.chim).Conclusion(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v vs %v: %q, want %q…", tc.base, tc.chim, got, tc.want)
		}
	}
	lowerBetter := metricDef{name: "TTFT ms", higher: false}
	if got := compareRow(lowerBetter, []float64{100, 101, 99}, []float64{80, 81, 79}).Conclusion(); !strings.HasPrefix(got, "chimera is better") {
		t.Errorf("a lower TTFT is better: %q", got)
	}
}

func TestCompareExcludesWarmupsFromStatistics(t *testing.T) {
	db := openTestDB(t)
	chimera := tinyConfig()
	chimera.Context.NumCtx = 1024
	result, err := Compare(context.Background(), db, CompareOptions{ModelRef: tinyModel, Baseline: tinyConfig(), Chimera: chimera,
		Runs: 2, DataDirs: []string{"testdata/artifacts"}, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Samples) != 4 || result.Rows[0].Baseline.N != 2 || result.Rows[0].Chimera.N != 2 || result.Rows[0].P == nil {
		t.Errorf("%d samples, rows %+v", len(result.Samples), result.Rows[0])
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	// Warm-ups are recorded like any pass (2 agents × 2 calls), but only the 4 measured passes are statistics.
	if run.Status != store.StatusOK || len(run.Calls) != 6*4 || len(result.Reports) != 2 {
		t.Errorf("status %s, %d calls, reports %q", run.Status, len(run.Calls), result.Reports)
	}
}

func TestMultiFigures(t *testing.T) {
	r := &MultiResult{
		SoloA: AgentPhase{WallMS: 100, GenTokens: 50}, SoloB: AgentPhase{WallMS: 300, GenTokens: 150},
		ConcurrentA: AgentPhase{WallMS: 150, GenTokens: 50}, ConcurrentB: AgentPhase{WallMS: 320, GenTokens: 150},
		ConcurrentWallMS: 320,
	}
	r.MultiFigures()
	checks := map[string][2]float64{
		"solo sequential": {r.SoloSequentialMS, 400}, "speedup": {r.Speedup, 1.25},
		"slowdown A": {r.ConcurrentA.SlowdownVs, 1.5}, "slowdown B": {r.ConcurrentB.SlowdownVs, 320.0 / 300},
		"solo aggregate": {r.SoloAggregateTPS, 500}, "concurrent aggregate": {r.ConcurrentAggTPS, 625},
	}
	for name, c := range checks {
		if math.Abs(c[0]-c[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
}

func TestMultiRunsSoloThenConcurrent(t *testing.T) {
	cfg := tinyConfig()
	result, err := Multi(context.Background(), openTestDB(t), MultiOptions{Scenario: ScenarioChimeraHomo, ModelRef: tinyModel,
		ConfigA: cfg, ConfigB: cfg, DataDirs: []string{"testdata/artifacts"}, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if result.Loads != 1 || result.Speedup <= 0 || result.ConcurrentWallMS <= 0 || len(result.Reports) != 4 {
		t.Errorf("loads %d speedup %v wall %v reports %q", result.Loads, result.Speedup, result.ConcurrentWallMS, result.Reports)
	}
	if _, err := Multi(context.Background(), openTestDB(t), MultiOptions{Scenario: "trio"}); !IsInputError(err) {
		t.Errorf("unknown scenario: %v", err)
	}
}
