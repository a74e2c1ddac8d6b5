package llama

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// The raw benchmarks follow llama-bench: random token ids from an empty KV cache, no tokenization and no
// sampling, the backend synchronised before the clock is read. A cancelled ctx interrupts prompt processing
// and stops generation between tokens; the benchmark then returns ctx's error.

// BenchPrompt processes n tokens in Batch-sized llama_decode calls (llama-bench's pp test).
func (c *Context) BenchPrompt(ctx context.Context, n int, rng *rand.Rand) (time.Duration, error) {
	if err := c.checkBenchSize(n); err != nil {
		return 0, err
	}
	tokens := c.randomTokens(n, rng)
	c.clearMemory()
	stopWatch := c.abortOnCancel(ctx)
	defer stopWatch()
	start := time.Now()
	if err := c.decode(tokens); err != nil {
		if errors.Is(err, errAborted) {
			return 0, ctx.Err()
		}
		return 0, err
	}
	return time.Since(start), nil
}

// BenchGenerate decodes n tokens one at a time (llama-bench's tg test) and returns the total and each step.
func (c *Context) BenchGenerate(ctx context.Context, n int, rng *rand.Rand) (time.Duration, []time.Duration, error) {
	if err := c.checkBenchSize(n); err != nil {
		return 0, nil, err
	}
	tokens := c.randomTokens(n, rng)
	c.clearMemory()
	steps := make([]time.Duration, 0, n)
	start := time.Now()
	for _, token := range tokens {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		stepStart := time.Now()
		if err := c.decode([]Token{token}); err != nil {
			return 0, nil, err
		}
		steps = append(steps, time.Since(stepStart))
	}
	return time.Since(start), steps, nil
}

func (c *Context) checkBenchSize(n int) error {
	if n < 1 || n > c.NumCtx() {
		return fmt.Errorf("a benchmark of %d tokens needs 1 to num_ctx (%d) tokens", n, c.NumCtx())
	}
	return nil
}

// randomTokens starts with BOS, like a real prompt, then draws uniformly from the vocabulary.
func (c *Context) randomTokens(n int, rng *rand.Rand) []Token {
	tokens := make([]Token, n)
	tokens[0] = c.model.BOS()
	vocab := c.model.VocabSize()
	for i := 1; i < n; i++ {
		tokens[i] = Token(rng.IntN(vocab))
	}
	return tokens
}
