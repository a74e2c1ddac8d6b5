// The runner's tests generate with llama.cpp on the tiny synthetic gemma3 (llamatest).
package runner_test

import (
	"os"
	"testing"

	"chimera/llama"
	"chimera/llama/llamatest"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

var tinyModel string

func TestMain(m *testing.M) {
	path, remove := llamatest.WriteTiny()
	tinyModel = path
	code := m.Run()
	remove()
	os.Exit(code)
}

func loadTiny(t testing.TB) *runner.Model { return loadModel(t, tinyModel) }

// loadModel loads the GGUF at path on the CPU for the test.
func loadModel(t testing.TB, path string) *runner.Model {
	return runner.NewModel(llamatest.LoadModel(t, path))
}

func tinyContext(t testing.TB, m *runner.Model, numCtx int) *runner.Context {
	t.Helper()
	c, err := m.NewContext(runner.ContextParams{ContextParams: llamatest.ContextParams(numCtx), ReusePrefix: true})
	return llamatest.Opened(t, c, err)
}

func chat(text string, numPredict int, s generation.Sampling) runner.Request {
	return runner.Request{Messages: []llama.Message{{Role: "user", Content: text}}, NumPredict: numPredict, Sampling: s}
}

// writeWithValue copies the tiny model to path with the metadata value of key overwritten in place by set.
func writeWithValue(t *testing.T, path, key string, set func(value []byte)) {
	llamatest.WriteWithValue(t, tinyModel, path, key, set)
}
