// Package llamatest makes the model files that the tests of package llama and of its runner load: the tiny
// synthetic gemma3 (2 layers, synthetic vocabulary) and copies of it with one value changed.
package llamatest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"chimera/llama"
	"chimera/models"
)

// WriteTiny writes the tiny model into a new temporary directory and initialises llama.cpp; remove deletes the
// directory.
func WriteTiny() (path string, remove func()) {
	dir, err := os.MkdirTemp("", "chimera-llama-test-")
	if err != nil {
		panic(err)
	}
	path = filepath.Join(dir, "tiny-f32.gguf")
	if err := models.WriteSynthetic(path, models.SyntheticSpec{Shape: "tiny", Type: "f32", Seed: 1}); err != nil {
		panic(err)
	}
	llama.Init(llama.Options{})
	return path, func() { os.RemoveAll(dir) }
}

// LoadModel loads the GGUF at path on the CPU for the test.
func LoadModel(t testing.TB, path string) *llama.Model {
	t.Helper()
	m, err := llama.LoadModel(path, llama.ModelParams{NumGPU: -1, UseMmap: true})
	return Opened(t, m, err)
}

// ContextParams are the default context settings with numCtx positions and one thread.
func ContextParams(numCtx int) llama.ContextParams {
	p := llama.DefaultContextParams()
	p.NumCtx, p.Threads = numCtx, 1
	return p
}

// Opened fails t on err; otherwise it closes c when the test ends and returns it.
func Opened[C interface{ Close() }](t testing.TB, c C, err error) C {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// WriteWithValue copies the model at from to path with the metadata value of key overwritten in place by set,
// which gets the bytes from the value on.
func WriteWithValue(t testing.TB, from, path, key string, set func(value []byte)) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(key))
	if at < 0 {
		t.Fatalf("no key %s in %s", key, from)
	}
	set(data[at+len(key)+4:]) // after the key, its uint32 value type
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
