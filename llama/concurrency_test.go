// Lifetimes and concurrent use: a model closed under open contexts, contexts generating in parallel goroutines
// (as the multi-agent workflow does), cancellation during generation, concurrent Init, and errors attributed to
// the call that failed. Run them under the race detector too:
//
//	go test -race -count=1 -run 'Concurrent|Outlives' ./llama/
package llama_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"chimera/llama"
	"chimera/llama/llamatest"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

func TestClosedModelOutlivesItsContexts(t *testing.T) {
	m, err := llama.LoadModel(tinyModel, llama.ModelParams{NumGPU: -1, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tinyContext(t, m, 256), tinyContext(t, m, 256)
	m.Close()
	if llama.ModelFreed(m) {
		t.Fatal("the model was freed under two open contexts")
	}
	if c, err := m.NewContext(llama.DefaultContextParams()); err == nil {
		c.Close()
		t.Error("a closed model made a new context")
	}
	for _, c := range []*llama.Context{a, b} {
		if err := decodeText(c, "Still here?"); err != nil {
			t.Fatalf("a context of the closed model: %v", err)
		}
		if llama.ModelFreed(m) {
			t.Fatal("the model was freed under an open context")
		}
		c.Close()
		c.Close()
	}
	if !llama.ModelFreed(m) {
		t.Error("the model was not freed when its last context closed")
	}
	m.Close()
}

// Two contexts on one model generate at once (through the runner, as the multi-agent workflow does), the model is
// closed meanwhile, and a third generation is cancelled from another goroutine while it runs. Greedy sampling must
// give each context the text it gives alone.
func TestConcurrentGenerationAndCancel(t *testing.T) {
	m, err := llama.LoadModel(tinyModel, llama.ModelParams{NumGPU: -1, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the contexts' own cleanups
		if !llama.ModelFreed(m) {
			t.Error("the closed model was not freed with its last context")
		}
	})
	greedy := generation.DefaultSampling()
	greedy.Temperature = 0
	req := runner.Request{Messages: []llama.Message{{Role: "user", Content: "Two agents at once."}}, NumPredict: 24, Sampling: greedy}
	run := runner.NewModel(m)
	want, err := runnerContext(t, run, 512).Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	results, errs := make([]*runner.Result, 2), make([]error, 2)
	for i := range results {
		c := runnerContext(t, run, 512)
		wg.Go(func() { results[i], errs[i] = c.Generate(context.Background(), req, nil) })
	}
	var cancelled *runner.Result
	var cancelErr error
	long := runnerContext(t, run, 2048)
	wg.Go(func() { cancelled, cancelErr = generateAndCancel(long) })
	m.Close()
	wg.Wait()

	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("context %d: %v", i, errs[i])
		} else if r.Text != want.Text {
			t.Errorf("context %d: %q; alone it gave %q", i, r.Text, want.Text)
		}
	}
	if !errors.Is(cancelErr, context.Canceled) || cancelled == nil || cancelled.StopReason != runner.StopCanceled {
		t.Errorf("cancelled generation: %+v, %v; want the partial result and context.Canceled", cancelled, cancelErr)
	}
}

// generateAndCancel cancels an unbounded generation from another goroutine once the first text arrives.
func generateAndCancel(c *runner.Context) (*runner.Result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case <-started:
		case <-done:
		}
		cancel()
	}()
	defer close(done)
	req := runner.Request{Messages: []llama.Message{{Role: "user", Content: "Keep talking."}}, Sampling: generation.DefaultSampling()}
	return c.Generate(ctx, req, func(string) { once.Do(func() { close(started) }) })
}

// runnerContext is a context of the runner on m, closed when the test ends.
func runnerContext(t *testing.T, m *runner.Model, numCtx int) *runner.Context {
	t.Helper()
	c, err := m.NewContext(runner.ContextParams{ContextParams: llamatest.ContextParams(numCtx), ReusePrefix: true})
	return llamatest.Opened(t, c, err)
}

func TestConcurrentDecodeErrorsNameTheirOwnCause(t *testing.T) {
	m := loadTiny(t)
	var wg sync.WaitGroup
	for g := range 2 {
		c := tinyContext(t, m, 256)
		wg.Go(func() {
			for i := range 50 {
				bad := llama.Token(m.VocabSize() + 1000*g + i)
				err := c.Decode([]llama.Token{bad})
				want := fmt.Sprintf("invalid token[0] = %d", bad)
				if err == nil || !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "invalid token") != 1 {
					t.Errorf("decoding token %d: %v; want an error naming %q and no other token", bad, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadErrorGivesLlamaCppsReason(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-model.gguf")
	if err := os.WriteFile(path, []byte("this is not a GGUF file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := llama.LoadModel(path, llama.ModelParams{})
	if err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("loading a file without GGUF magic: %v, want llama.cpp's reason", err)
	}
}

// initProbeEnv turns the test binary into a child that calls Init, HasGPU and LoadModel (the model the variable
// names) concurrently before anything else has initialised the engine, then exits. Under -race a data race makes
// it exit with status 66.
const initProbeEnv = "CHIMERA_CONCURRENT_INIT_PROBE"

func init() {
	path, ok := os.LookupEnv(initProbeEnv)
	if !ok {
		return
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { llama.Init(llama.Options{}) })
		wg.Go(func() { llama.HasGPU() })
		wg.Go(func() { loadAndClose(path, true) })
	}
	wg.Wait()
	loadAndClose(path, false)
	os.Exit(0)
}

func loadAndClose(path string, mayPrecedeInit bool) {
	m, err := llama.LoadModel(path, llama.ModelParams{UseMmap: true})
	switch {
	case err == nil:
		m.Close()
	case !(mayPrecedeInit && errors.Is(err, llama.ErrNotInited)):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func TestConcurrentInitIsSafe(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), initProbeEnv+"="+tinyModel)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("concurrent Init, HasGPU and LoadModel: %v\n%s", err, tail(out, 4000))
	}
}
