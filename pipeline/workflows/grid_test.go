package workflows

import (
	"context"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/store"
)

// A grid larger than maxGridSize is refused before the model is even looked up (the reference below does not
// exist) and before anything is recorded, with its size and the axes that make it.
func TestOversizedGridsAreRefusedAtOnce(t *testing.T) {
	axes := with(with(tinyAxes(), "num_gpu", countingUpTo(101)...), "threads", countingUpTo(100)...)
	db := openTestDB(t)
	missing := Target{ModelRef: "/nonexistent/model.gguf"}
	_, benchErr := Bench(context.Background(), db, BenchOptions{Target: missing, Axes: axes, NPrompt: 8, Reps: 1})
	sweep := tinySweep()
	sweep.Target, sweep.Axes = missing, axes
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
	var axes []engine.Axis
	for _, s := range engine.Settings[:11] {
		axes = append(axes, engine.Axis{Setting: s, Values: make([]string, 1024)})
	}
	if err := engine.CheckGridSize(axes); !engine.IsInputError(err) {
		t.Errorf("1024^11 configurations: %v, want an input error", err)
	}
	if err := engine.CheckGridSize(with(with(nil, "num_gpu", countingUpTo(100)...), "num_ctx", countingUpTo(100)...)); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
}
