package workflows

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/store"
)

func TestMultiConcurrencyArithmetic(t *testing.T) {
	r := &MultiResult{Agents: []*MultiAgent{
		{Solo: PhasePass{WallMS: 100, GenTokens: 50}, Concurrent: PhasePass{WallMS: 150, GenTokens: 50}},
		{Solo: PhasePass{WallMS: 300, GenTokens: 150}, Concurrent: PhasePass{WallMS: 320, GenTokens: 150}},
	}}
	r.measureConcurrency(320)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"solo sequential", r.SoloSequentialMS, 400},
		{"speedup", r.Speedup, 400.0 / 320},
		{"slowdown of A", r.Agents[0].Slowdown, 1.5},
		{"slowdown of B", r.Agents[1].Slowdown, 320.0 / 300},
		{"solo aggregate tok/s", r.SoloAggregateTPS, 200 / 0.4},
		{"concurrent aggregate tok/s", r.ConcurrentAggregateTPS, 200 / 0.32},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := concludeMulti(r); !strings.Contains(got, "speedup 1.25×") || !strings.Contains(got, "saved 80.0 ms") {
		t.Errorf("conclusion %q", got)
	}
	r.measureConcurrency(500) // slower together than one after the other
	if got := concludeMulti(r); r.Speedup != 0.8 || !strings.Contains(got, "cost 100.0 ms") {
		t.Errorf("speedup %v, conclusion %q", r.Speedup, got)
	}
}

func TestMultiMeasuresSoloThenConcurrent(t *testing.T) {
	db := openTestDB(t)
	cfg := tinyConfig()
	result, err := Multi(context.Background(), db, MultiOptions{Scenario: ScenarioChimeraHomo, Target: Target{ModelRef: tinyModel},
		ConfigA: cfg, ConfigB: cfg, Data: testData(), OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Loads) != 1 || result.Speedup <= 0 || result.ConcurrentWallMS <= 0 || len(result.Reports) != 4 {
		t.Errorf("loads %+v, speedup %v, wall %v, reports %q", result.Loads, result.Speedup, result.ConcurrentWallMS, result.Reports)
	}
	for _, path := range result.Reports {
		if _, err := os.Stat(path); err != nil {
			t.Error(err)
		}
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, a := range run.AgentRuns {
		labels = append(labels, a.Label)
	}
	want := []string{"warm-up DataCollector-9000", "warm-up InsightAgent", "solo DataCollector-9000", "solo InsightAgent"}
	if run.Status != store.StatusOK || len(labels) != 6 || !slices.Equal(labels[:4], want) || len(run.Calls) != 12 || len(run.Reports) != 3 {
		t.Errorf("status %s, agent runs %q, %d calls, %d reports", run.Status, labels, len(run.Calls), len(run.Reports))
	}
}

func TestMultiLoadsTheModelOncePerOffload(t *testing.T) {
	a, b := tinyConfig(), tinyConfig()
	b.NumGPU = 0
	result, err := Multi(context.Background(), openTestDB(t), MultiOptions{Scenario: ScenarioChimeraHetero, Target: Target{ModelRef: tinyModel},
		ConfigA: a, ConfigB: b, Data: testData(), OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Loads) != 2 || result.Loads[1].UsedBy[0] != agents.Insight.Name {
		t.Errorf("loads %+v, want one per num_gpu", result.Loads)
	}
}

func TestMultiRejectsAnUnknownScenario(t *testing.T) {
	_, err := Multi(context.Background(), openTestDB(t), MultiOptions{Scenario: "trio", ConfigA: tinyConfig(), ConfigB: tinyConfig()})
	if !engine.IsInputError(err) || !strings.Contains(err.Error(), "chimera-homo") {
		t.Errorf("got %v", err)
	}
}

func TestMultiSharesTheCoresOnlyWhenThreadsAreLeftToChimera(t *testing.T) {
	cfg := engine.DefaultConfig()
	if got, want := shareCores(cfg, 2).Context.Threads, max(1, runtime.NumCPU()/2); got != want {
		t.Errorf("threads left to chimera: %d per agent, want %d", got, want)
	}
	cfg.Context.Threads = 3
	if got := shareCores(cfg, 2).Context.Threads; got != 3 {
		t.Errorf("threads set to 3: %d", got)
	}
}

// 4 calls per phase: the warm-ups and two solo calls complete, then the run is cancelled in the solo phase.
func TestInterruptedMultiKeepsTheCompletedPasses(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &cancelOnLine{marker: " prompt tokens ", times: 6, cancel: cancel}
	result, err := Multi(ctx, db, MultiOptions{Scenario: ScenarioChimeraHomo, Target: Target{ModelRef: tinyModel, Log: log}, ConfigA: tinyConfig(),
		ConfigB: tinyConfig(), Data: testData(), OutDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusInterrupted || len(run.Calls) < 6 || result.Status != string(store.StatusInterrupted) {
		t.Errorf("run %s with %d calls, result %s", run.Status, len(run.Calls), result.Status)
	}
}

// When one agent fails in the concurrent phase the other is cancelled at once, instead of running its whole pass
// for a figure that can no longer be computed; the first failure is the one reported.
func TestConcurrentPhaseCancelsTheOtherAgentWhenOneFails(t *testing.T) {
	failure := errors.New("collector failed")
	done := make(chan struct{})
	_, _, err := allAtOnce(context.Background(), 2, func(ctx context.Context, i int) (PhasePass, error) {
		if i == 0 {
			return PhasePass{}, failure
		}
		select {
		case <-ctx.Done():
			return PhasePass{}, ctx.Err()
		case <-time.After(10 * time.Second):
			close(done)
			return PhasePass{}, nil
		}
	})
	if !errors.Is(err, failure) {
		t.Errorf("got %v, want the collector's failure", err)
	}
	select {
	case <-done:
		t.Error("the other agent ran to the end instead of being cancelled")
	default:
	}
}
