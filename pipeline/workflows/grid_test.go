package workflows

import (
	"context"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/store"
)

func countingUpTo(n int) []int {
	values := make([]int, n)
	for i := range values {
		values[i] = i + 1
	}
	return values
}

// A grid larger than maxGridSize is refused before the model is even looked up (the reference below does not
// exist) and before anything is recorded, with its size and the axes that make it.
func TestOversizedGridsAreRefusedAtOnce(t *testing.T) {
	axes := tinyAxes()
	axes.NumGPU, axes.Threads = countingUpTo(101), countingUpTo(100)
	db := openTestDB(t)
	missing := Target{ModelRef: "/nonexistent/model.gguf"}
	_, benchErr := Bench(context.Background(), db, BenchOptions{Target: missing, Axes: axes, NPrompt: 8, Reps: 1})
	sweep := tinySweep()
	sweep.Target, sweep.Axes.BenchAxes = missing, axes
	_, sweepErr := Sweep(context.Background(), db, sweep)
	for name, err := range map[string]error{"bench": benchErr, "sweep": sweepErr} {
		if !engine.IsInputError(err) || !strings.Contains(err.Error(), "10100 configurations (num_gpu 101 × threads 100)") ||
			!strings.Contains(err.Error(), "limit of 10000") {
			t.Errorf("%s: %v; want an input error with the grid's size, its axes and the limit", name, err)
		}
	}
	if runs, err := db.ListRuns(context.Background(), store.ListFilter{}); err != nil || len(runs) != 0 {
		t.Errorf("recorded %d runs (%v), want none", len(runs), err)
	}
}

func TestGridSizeCountsWithoutOverflow(t *testing.T) {
	axes := make([]axisLength, 11)
	for i := range axes {
		axes[i] = axisLength{"axis", 1024}
	}
	if err := checkGridSize(axes); !engine.IsInputError(err) {
		t.Errorf("1024^11 configurations: %v, want an input error", err)
	}
	if err := checkGridSize([]axisLength{{"num_gpu", 100}, {"num_ctx", 100}}); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
}
