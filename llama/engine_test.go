// The engine tests run llama.cpp on the tiny synthetic gemma3 (2 layers, synthetic vocabulary). The models
// package writes the fixture; the llama package itself imports nothing of chimera's.
package llama_test

import (
	"bytes"
	"context"
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
	"chimera/models"
)

var tinyModel string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chimera-llama-test-")
	if err != nil {
		panic(err)
	}
	tinyModel = filepath.Join(dir, "tiny-f32.gguf")
	if err := models.WriteSynthetic(tinyModel, models.SyntheticSpec{Shape: "tiny", Type: "f32", Seed: 1}); err != nil {
		panic(err)
	}
	llama.Init(llama.Options{})
	if path := os.Getenv(assertingModelEnv); path != "" {
		generateOn(path) // a failed assertion ends the process here
		os.Exit(0)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func loadTiny(t testing.TB) *llama.Model { return loadModel(t, tinyModel) }

// loadModel loads the GGUF at path on the CPU for the test.
func loadModel(t testing.TB, path string) *llama.Model {
	t.Helper()
	m, err := llama.LoadModel(path, llama.ModelParams{NumGPU: -1, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func tinyContext(t testing.TB, m *llama.Model, numCtx int) *llama.Context {
	t.Helper()
	p := llama.DefaultContextParams()
	p.NumCtx, p.Threads = numCtx, 1
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func chat(text string, numPredict int, s llama.Sampling) llama.Request {
	return llama.Request{Messages: []llama.Message{{Role: "user", Content: text}}, NumPredict: numPredict, Sampling: s}
}

func TestLoadReportsTheModel(t *testing.T) {
	m := loadTiny(t)
	if m.BlockCount() != 2 || m.Load.OffloadableLayer != 3 || m.VocabSize() < 300 {
		t.Errorf("blocks %d offloadable %d vocab %d", m.BlockCount(), m.Load.OffloadableLayer, m.VocabSize())
	}
	if m.Load.LoadMS <= 0 || m.Load.OffloadedLayers != 0 {
		t.Errorf("load_ms %v offloaded %d (no GPU here)", m.Load.LoadMS, m.Load.OffloadedLayers)
	}
	if !m.HasChatTemplate() {
		t.Error("the synthetic model has no chat template")
	}
}

func TestGenerateTimingsFollowTheirDefinitions(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 1024)
	r, err := c.Generate(context.Background(), chat("Tell me about benchmarks.", 12, llama.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	tm := r.Timings
	if tm.GenTokens < 1 || tm.GenTokens > 12 {
		t.Fatalf("gen_tokens %d outside 1..num_predict 12", tm.GenTokens)
	}
	if r.StopReason == llama.StopNumPredict && tm.GenTokens != 12 {
		t.Errorf("stopped for num_predict after %d tokens", tm.GenTokens)
	}
	if !(tm.PromptEvalMS <= tm.TTFTMS && tm.TTFTMS <= tm.TotalMS && tm.EvalMS <= tm.TotalMS) {
		t.Errorf("prompt_eval %v ttft %v eval %v total %v out of order", tm.PromptEvalMS, tm.TTFTMS, tm.EvalMS, tm.TotalMS)
	}
	if want := float64(tm.GenTokens-1) / tm.EvalMS * 1000; tm.GenTokens > 1 && math.Abs(tm.DecodeTPS-want) > 1e-6*want {
		t.Errorf("decode_tps %v, want (gen_tokens-1)/eval_ms = %v", tm.DecodeTPS, want)
	}
	if tm.PromptEvalCount != tm.PromptTokens || tm.EvalCount != tm.GenTokens || tm.EvalDuration != int64(tm.EvalMS*1e6) {
		t.Errorf("ollama fields disagree: %+v", tm)
	}
	perf := c.Perf()
	if perf.PromptTokens != tm.PromptTokens || perf.EvalTokens != tm.GenTokens-1 {
		t.Errorf("llama.cpp counted %d prompt / %d decode tokens, chimera %d / %d-1", perf.PromptTokens, perf.EvalTokens, tm.PromptTokens, tm.GenTokens)
	}
}

func TestLoadDurationIsChargedToTheFirstCallOnly(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	first, err := c.Generate(context.Background(), chat("a", 2, llama.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Generate(context.Background(), chat("a", 2, llama.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Timings.LoadDuration != int64(m.Load.LoadMS*1e6) || second.Timings.LoadDuration != 0 {
		t.Errorf("load_duration %d then %d, want %d then 0", first.Timings.LoadDuration, second.Timings.LoadDuration, int64(m.Load.LoadMS*1e6))
	}
}

func TestSameSeedSameText(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	sampled := llama.DefaultSampling()
	greedy := sampled
	greedy.Temperature = 0
	for name, s := range map[string]llama.Sampling{"sampled": sampled, "greedy": greedy} {
		a, errA := c.Generate(context.Background(), chat("Repeat after me.", 16, s), nil)
		b, errB := c.Generate(context.Background(), chat("Repeat after me.", 16, s), nil)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.Text != b.Text {
			t.Errorf("%s: %q then %q with the same seed", name, a.Text, b.Text)
		}
	}
}

func TestStreamedTextEqualsResultText(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	var streamed strings.Builder
	r, err := c.Generate(context.Background(), chat("Stream this.", 16, llama.DefaultSampling()), func(s string) { streamed.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	if streamed.String() != r.Text {
		t.Errorf("streamed %q, result %q", streamed.String(), r.Text)
	}
}

func TestStopStringEndsGeneration(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	greedy := llama.DefaultSampling()
	greedy.Temperature = 0
	full, err := c.Generate(context.Background(), chat("Go on.", 24, greedy), nil)
	if err != nil || len(strings.TrimSpace(full.Text)) < 4 {
		t.Fatalf("need some text to cut: %q, %v", full.Text, err)
	}
	cut := len(full.Text) / 2
	stop := full.Text[cut : cut+2]
	req := chat("Go on.", 24, greedy)
	req.Stop = []string{stop}
	stopped, err := c.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.StopReason != llama.StopString || strings.Contains(stopped.Text, stop) || !strings.HasPrefix(full.Text, stopped.Text) {
		t.Errorf("stop %q: got %q (%s) from %q", stop, stopped.Text, stopped.StopReason, full.Text)
	}
}

func TestCancelledGenerationReturnsPartialResult(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 2048)
	ctx, cancel := context.WithCancel(context.Background())
	tokens := 0
	r, err := c.Generate(ctx, chat("Keep talking.", 0, llama.DefaultSampling()), func(string) {
		if tokens++; tokens == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || r == nil || r.StopReason != llama.StopCanceled {
		t.Fatalf("err %v result %+v, want the partial result and context.Canceled", err, r)
	}
	if r.Timings.GenTokens < 3 || r.Timings.GenTokens >= 2048 {
		t.Errorf("generated %d tokens before stopping", r.Timings.GenTokens)
	}
}

func TestChatTemplateHasExactlyOneBOS(t *testing.T) {
	m := loadTiny(t)
	tokens, err := m.Prompt(llama.Request{Messages: []llama.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	bos := 0
	for _, tok := range tokens {
		if tok == m.BOS() {
			bos++
		}
	}
	if tokens[0] != m.BOS() || bos != 1 {
		t.Errorf("%d BOS tokens, first token %d", bos, tokens[0])
	}
	text, err := m.ApplyChatTemplate([]llama.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi"}})
	if err != nil || !strings.Contains(text, "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n") {
		t.Errorf("template gave %q, %v", text, err)
	}
}

func TestPromptLongerThanContextIsAnError(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 256)
	_, err := c.Generate(context.Background(), chat(strings.Repeat("many words here ", 400), 4, llama.DefaultSampling()), nil)
	var tooLong *llama.PromptTooLongError
	if !errors.As(err, &tooLong) || tooLong.NumCtx != c.NumCtx() || !strings.Contains(err.Error(), "num_ctx "+strconv.Itoa(tooLong.PromptTokens+1)) {
		t.Errorf("got %v, want a PromptTooLongError naming the num_ctx needed", err)
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
	c := tinyContext(t, m, 512)
	s := llama.DefaultSampling()
	s.TopP = 2
	if _, err := c.Generate(context.Background(), chat("x", 2, s), nil); err == nil {
		t.Error("top_p 2 was accepted")
	}
}

func TestContextsAreFreed(t *testing.T) {
	m := loadTiny(t)
	cycle := func() {
		c := tinyContext(t, m, 4096)
		if _, err := c.Generate(context.Background(), chat("x", 2, llama.DefaultSampling()), nil); err != nil {
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

func TestReusedPrefixIsNotEvaluatedAgain(t *testing.T) {
	m := loadTiny(t)
	p := llama.DefaultContextParams()
	p.NumCtx, p.Threads, p.ReusePrefix = 1024, 1, true
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	shared := strings.Repeat("The same long system message about benchmarks. ", 20)
	first, err := c.Generate(context.Background(), chat(shared+"First question?", 4, llama.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Generate(context.Background(), chat(shared+"Another one?", 4, llama.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	cached := second.Timings.PromptCachedTokens
	if first.Timings.PromptCachedTokens != 0 || cached < 100 || cached >= second.Timings.PromptTokens {
		t.Fatalf("cached %d then %d of %d prompt tokens", first.Timings.PromptCachedTokens, cached, second.Timings.PromptTokens)
	}
	if evaluated := c.Perf().PromptTokens; evaluated != second.Timings.PromptTokens-cached {
		t.Errorf("llama.cpp evaluated %d prompt tokens, want %d", evaluated, second.Timings.PromptTokens-cached)
	}
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

// A num_ctx that is not a multiple of 256 is padded by llama.cpp while its batch is cut to the num_ctx asked for:
// the prompt limit is that num_ctx, and a prompt close to it goes to llama_decode in batches it accepts (a
// 377-token prompt in num_ctx 300 used to abort the process).
func TestNumCtxNotAMultipleOf256(t *testing.T) {
	m := loadTiny(t)
	p := llama.DefaultContextParams()
	p.NumCtx, p.Threads = 300, 1
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	long := llama.Request{Prompt: strings.Repeat("word ", 370), NumPredict: 2, Sampling: llama.DefaultSampling()}
	var tooLong *llama.PromptTooLongError
	if _, err := c.Generate(context.Background(), long, nil); !errors.As(err, &tooLong) || tooLong.NumCtx != 300 {
		t.Errorf("377-token prompt in num_ctx 300: %v, want a PromptTooLongError naming 300", err)
	}
	fits := llama.Request{Prompt: strings.Repeat("word ", 280), NumPredict: 4, Sampling: llama.DefaultSampling()}
	if r, err := c.Generate(context.Background(), fits, nil); err != nil || r.Timings.PromptTokens < 270 {
		t.Errorf("a prompt just under num_ctx 300: %v", err)
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

// A model whose weights hold NaN computes NaN logits, on which llama.cpp's samplers assert: generation stops
// with an error naming the model instead.
func TestNonFiniteWeightsAreAnErrorNotAnAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nan.gguf")
	writeWithNaNTensor(t, path, "output_norm.weight")
	m, err := llama.LoadModel(path, llama.ModelParams{NumGPU: -1, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := tinyContext(t, m, 256)
	_, err = c.Generate(context.Background(), chat("hi", 4, llama.DefaultSampling()), nil)
	var nonFinite *llama.NonFiniteLogitsError
	if !errors.As(err, &nonFinite) || nonFinite.Model != path {
		t.Errorf("got %v, want a NonFiniteLogitsError naming %s", err, path)
	}
}

// writeWithNaNTensor copies the tiny model to path with every value of the named F32 tensor set to NaN.
func writeWithNaNTensor(t *testing.T, path, tensor string) {
	t.Helper()
	f, err := models.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.Tensors {
		if tn.Name != tensor {
			continue
		}
		start := f.DataOffset + tn.Offset
		for i := start; i < start+tn.Size; i += 4 {
			binary.LittleEndian.PutUint32(data[i:], math.Float32bits(float32(math.NaN())))
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no tensor %s in the tiny model", tensor)
}

// assertingModelEnv names a model the test binary, started again by TestAFailedAssertionIsOneLineAndItsStatus,
// generates with instead of running the tests.
const assertingModelEnv = "CHIMERA_TEST_ASSERTING_MODEL"

func generateOn(path string) {
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
	c.Generate(context.Background(), chat("hi", 2, llama.DefaultSampling()), nil)
}

// A GGML_ASSERT that fails ends the process with one line naming it and AbortExitStatus, not SIGABRT and a
// backtrace. The model, written past Go's validation, has a negative RMS-norm epsilon, which ggml asserts on.
func TestAFailedAssertionIsOneLineAndItsStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "negative-eps.gguf")
	writeWithValue(t, path, "gemma3.attention.layer_norm_rms_epsilon", func(v []byte) { binary.LittleEndian.PutUint32(v, math.Float32bits(-1)) })
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

// writeWithValue copies the tiny model to path with the metadata value of key overwritten in place by set, which
// gets the bytes from the value on.
func writeWithValue(t *testing.T, path, key string, set func(value []byte)) {
	t.Helper()
	data, err := os.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(key))
	if at < 0 {
		t.Fatalf("no key %s in the tiny model", key)
	}
	set(data[at+len(key)+4:]) // after the key, its uint32 value type
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
