package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"chimera/llama"
)

// The raw benchmarks follow llama-bench: random token ids, no tokenization and no sampling, the backend
// synchronised before the clock is read. Each test starts from an empty KV cache and first fills depth positions
// of it, untimed (llama-bench's -d), so that a test can measure attention over a long context. A cancelled ctx
// interrupts prompt processing and stops generation between tokens; the benchmark then returns ctx's error.

// BenchPrompt processes n tokens in Batch-sized llama_decode calls after depth cached ones (llama-bench's pp test).
func (c *Context) BenchPrompt(ctx context.Context, n, depth int, rng *rand.Rand) (time.Duration, error) {
	if err := c.checkBenchSize(n, depth); err != nil {
		return 0, err
	}
	if err := c.fillDepth(ctx, depth, rng); err != nil {
		return 0, err
	}
	tokens := c.randomTokens(n, rng)
	stopWatch := c.AbortOnCancel(ctx)
	defer stopWatch()
	start := time.Now()
	if err := c.Decode(tokens); err != nil {
		return 0, benchError(ctx, err)
	}
	return time.Since(start), nil
}

// BenchGenerate decodes n tokens one at a time after depth cached ones (llama-bench's tg test) and returns the
// total and each step.
func (c *Context) BenchGenerate(ctx context.Context, n, depth int, rng *rand.Rand) (time.Duration, []time.Duration, error) {
	if err := c.checkBenchSize(n, depth); err != nil {
		return 0, nil, err
	}
	if err := c.fillDepth(ctx, depth, rng); err != nil {
		return 0, nil, err
	}
	tokens := c.randomTokens(n, rng)
	steps := make([]time.Duration, 0, n)
	start := time.Now()
	for _, token := range tokens {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		stepStart := time.Now()
		if err := c.Decode([]llama.Token{token}); err != nil {
			return 0, nil, err
		}
		steps = append(steps, time.Since(stepStart))
	}
	return time.Since(start), steps, nil
}

func (c *Context) checkBenchSize(n, depth int) error {
	if n < 1 || depth < 0 || n+depth > c.Params().NumCtx {
		return fmt.Errorf("a benchmark of %d tokens at depth %d needs depth + tokens within num_ctx (%d)", n, depth, c.Params().NumCtx)
	}
	return nil
}

// fillDepth empties the KV cache and fills its first depth positions.
func (c *Context) fillDepth(ctx context.Context, depth int, rng *rand.Rand) error {
	c.ClearCache()
	if depth == 0 {
		return nil
	}
	tokens := c.randomTokens(depth, rng)
	stopWatch := c.AbortOnCancel(ctx)
	defer stopWatch()
	return benchError(ctx, c.Decode(tokens))
}

// benchError is ctx's error when a decode was aborted because ctx was cancelled, else err.
func benchError(ctx context.Context, err error) error {
	if errors.Is(err, llama.ErrAborted) {
		return ctx.Err()
	}
	return err
}

// randomTokens starts with BOS, like a real prompt, then draws uniformly from the vocabulary.
func (c *Context) randomTokens(n int, rng *rand.Rand) []llama.Token {
	tokens := make([]llama.Token, n)
	tokens[0] = c.model.BOS()
	vocab := c.model.VocabSize()
	for i := 1; i < n; i++ {
		tokens[i] = llama.Token(rng.IntN(vocab))
	}
	return tokens
}
