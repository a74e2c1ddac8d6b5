// The binding's tests run llama.cpp on the tiny synthetic gemma3 (2 layers, synthetic vocabulary) that llamatest
// writes; the llama package itself imports nothing of chimera's.
package llama_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/llama/llamatest"
)

var tinyModel string

func TestMain(m *testing.M) {
	path, remove := llamatest.WriteTiny()
	tinyModel = path
	if path := os.Getenv(assertingModelEnv); path != "" {
		decodeOn(path) // a failed assertion ends the process here
		os.Exit(0)
	}
	code := m.Run()
	remove()
	os.Exit(code)
}

func loadTiny(t testing.TB) *llama.Model { return llamatest.LoadModel(t, tinyModel) }

func tinyContext(t testing.TB, m *llama.Model, numCtx int) *llama.Context {
	t.Helper()
	c, err := m.NewContext(llamatest.ContextParams(numCtx))
	return llamatest.Opened(t, c, err)
}

// decodeText decodes the tokens of text after what c's KV cache holds.
func decodeText(c *llama.Context, text string) error {
	tokens, err := c.Model().Tokenize(text, true, true)
	if err != nil {
		return err
	}
	return c.Decode(tokens)
}

func TestLoadReportsTheModel(t *testing.T) {
	m := loadTiny(t)
	if m.BlockCount() != 2 || m.Load.OffloadableLayers != 3 || m.VocabSize() < 300 {
		t.Errorf("blocks %d offloadable %d vocab %d", m.BlockCount(), m.Load.OffloadableLayers, m.VocabSize())
	}
	if m.Load.LoadMS <= 0 || m.Load.OffloadedLayers != 0 {
		t.Errorf("load_ms %v offloaded %d (no GPU here)", m.Load.LoadMS, m.Load.OffloadedLayers)
	}
	if !m.HasChatTemplate() {
		t.Error("the synthetic model has no chat template")
	}
}

func TestInvalidSettingsAreRejectedBeforeLlamaCpp(t *testing.T) {
	m := loadTiny(t)
	bad := []llama.ContextParams{
		{NumCtx: 0, Batch: 512, UBatch: 512, FlashAttn: "auto"},
		{NumCtx: 512, Batch: 0, UBatch: 1, FlashAttn: "auto"},
		{NumCtx: 512, Batch: 256, UBatch: 512, FlashAttn: "auto"},
		{NumCtx: 512, Batch: 512, UBatch: 512, FlashAttn: "sometimes"},
		{NumCtx: 512, Batch: 512, UBatch: 512, FlashAttn: "auto", CacheTypeK: "q3_x"},
		{NumCtx: 512, Batch: 512, UBatch: 512, FlashAttn: "off", CacheTypeV: "q8_0"},
	}
	for _, p := range bad {
		if c, err := m.NewContext(p); err == nil {
			c.Close()
			t.Errorf("%+v was accepted", p)
		}
	}
}

func TestContextsAreFreed(t *testing.T) {
	m := loadTiny(t)
	cycle := func() {
		c := tinyContext(t, m, 4096)
		if err := decodeText(c, "x"); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	for range 5 {
		cycle() // reach the allocator's steady state first
	}
	before := residentBytes(t)
	for range 40 {
		cycle()
	}
	// An unfreed 4096-token context costs well over 1 MiB of KV cache and buffers, so 40 leaks would show.
	if grown := residentBytes(t) - before; grown > 16<<20 {
		t.Errorf("resident memory grew by %d MiB over 40 contexts", grown>>20)
	}
}

func residentBytes(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	pages, _ := strconv.ParseInt(strings.Fields(string(data))[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// A context reports whether it uses flash attention: "on" and "off" as asked, "auto" as llama.cpp resolved it
// (on the CPU backend, which supports flash attention, enabled).
func TestContextReportsFlashAttentionInUse(t *testing.T) {
	m := loadTiny(t)
	for mode, want := range map[string]bool{"on": true, "off": false, "auto": true} {
		p := llama.DefaultContextParams()
		p.NumCtx, p.Threads, p.FlashAttn = 256, 1, mode
		c, err := m.NewContext(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.FlashAttention != want {
			t.Errorf("flash_attn %s: in use %v, want %v", mode, c.FlashAttention, want)
		}
		c.Close()
	}
}

// Settings that would wrap around or start thousands of spinning threads are refused.
func TestContextParamsBoundsForC(t *testing.T) {
	for name, change := range map[string]func(*llama.ContextParams){
		"batch 2^40":    func(p *llama.ContextParams) { p.Batch = 1 << 40 },
		"threads 10000": func(p *llama.ContextParams) { p.Threads = 10000 },
		"threads-batch": func(p *llama.ContextParams) { p.ThreadsBatch = llama.MaxThreads() + 1 },
	} {
		p := llama.DefaultContextParams()
		change(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p := llama.DefaultContextParams()
	p.Threads = llama.MaxThreads()
	if err := p.Validate(); err != nil {
		t.Errorf("threads at the limit: %v", err)
	}
}

// assertingModelEnv names a model the test binary, started again by TestAFailedAssertionIsOneLineAndItsStatus,
// decodes with instead of running the tests.
const assertingModelEnv = "CHIMERA_TEST_ASSERTING_MODEL"

func decodeOn(path string) {
	m, err := llama.LoadModel(path, llama.ModelParams{NumGPU: -1, UseMmap: true})
	if err != nil {
		panic(err)
	}
	p := llama.DefaultContextParams()
	p.NumCtx, p.Threads = 256, 1
	c, err := m.NewContext(p)
	if err != nil {
		panic(err)
	}
	decodeText(c, "hi")
}

// A GGML_ASSERT that fails ends the process with one line naming it and AbortExitStatus, not SIGABRT and a
// backtrace. The model, written past Go's validation, has a negative RMS-norm epsilon, which ggml asserts on.
func TestAFailedAssertionIsOneLineAndItsStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "negative-eps.gguf")
	llamatest.WriteWithValue(t, tinyModel, path, "gemma3.attention.layer_norm_rms_epsilon", func(v []byte) { binary.LittleEndian.PutUint32(v, math.Float32bits(-1)) })
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), assertingModelEnv+"="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !errors.As(err, &exit) || exit.ExitCode() != llama.AbortExitStatus || len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "chimera: llama.cpp aborted: ") || !strings.Contains(lines[0], "eps >= 0") {
		t.Errorf("exit %v, output %q; want status %d and one line naming the assertion", err, out, llama.AbortExitStatus)
	}
}
