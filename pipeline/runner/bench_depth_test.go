package runner_test

import (
	"context"
	"math/rand/v2"
	"testing"
)

// The depth is filled before the timed test, in the same KV cache: llama.cpp's counters, reset when a test
// starts, see the depth tokens processed as a batch and then the test's own tokens. (After a pp test llama.cpp's
// single-token count reads 1, not 0, so only the batch count is compared there.)
func TestBenchTestsRunAfterTheirDepth(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 256)
	rng := rand.New(rand.NewPCG(1, 2))
	if _, err := c.BenchPrompt(context.Background(), 32, 64, rng); err != nil {
		t.Fatal(err)
	}
	if p := c.Perf(); p.PromptTokens != 96 {
		t.Errorf("pp32 at depth 64: %d batch tokens, want 96", p.PromptTokens)
	}
	if _, steps, err := c.BenchGenerate(context.Background(), 8, 64, rng); err != nil || len(steps) != 8 {
		t.Fatalf("tg8 at depth 64: %d steps, %v", len(steps), err)
	}
	if p := c.Perf(); p.PromptTokens != 64 || p.EvalTokens != 8 {
		t.Errorf("tg8 at depth 64: %d batch tokens, %d single, want 64 and 8", p.PromptTokens, p.EvalTokens)
	}
}

func TestBenchRefusesTestsBeyondTheContext(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 256)
	rng := rand.New(rand.NewPCG(1, 2))
	if _, err := c.BenchPrompt(context.Background(), 32, 256-31, rng); err == nil {
		t.Error("pp32 at depth 225 in 256 positions: no error")
	}
	if _, err := c.BenchPrompt(context.Background(), 32, 256-32, rng); err != nil {
		t.Errorf("pp32 at depth 224 fills 256 positions exactly: %v", err)
	}
	if _, _, err := c.BenchGenerate(context.Background(), 8, -1, rng); err == nil {
		t.Error("negative depth: no error")
	}
}

func TestBenchDepthFillStopsWhenCancelled(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 256)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.BenchPrompt(ctx, 8, 200, rand.New(rand.NewPCG(1, 2))); err != context.Canceled {
		t.Errorf("cancelled before the depth fill: %v, want context.Canceled", err)
	}
}
