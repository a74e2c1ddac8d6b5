package runner_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

func TestGenerateTimingsFollowTheirDefinitions(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 1024)
	r, err := c.Generate(context.Background(), chat("Tell me about benchmarks.", 12, generation.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	tm := r.Timings
	if tm.GenTokens < 1 || tm.GenTokens > 12 {
		t.Fatalf("gen_tokens %d outside 1..num_predict 12", tm.GenTokens)
	}
	if r.StopReason == runner.StopNumPredict && tm.GenTokens != 12 {
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
	first, err := c.Generate(context.Background(), chat("a", 2, generation.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Generate(context.Background(), chat("a", 2, generation.DefaultSampling()), nil)
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
	sampled := generation.DefaultSampling()
	greedy := sampled
	greedy.Temperature = 0
	for name, s := range map[string]generation.Sampling{"sampled": sampled, "greedy": greedy} {
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
	r, err := c.Generate(context.Background(), chat("Stream this.", 16, generation.DefaultSampling()), func(s string) { streamed.WriteString(s) })
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
	greedy := generation.DefaultSampling()
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
	if stopped.StopReason != runner.StopString || strings.Contains(stopped.Text, stop) || !strings.HasPrefix(full.Text, stopped.Text) {
		t.Errorf("stop %q: got %q (%s) from %q", stop, stopped.Text, stopped.StopReason, full.Text)
	}
}

func TestCancelledGenerationReturnsPartialResult(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 2048)
	ctx, cancel := context.WithCancel(context.Background())
	tokens := 0
	r, err := c.Generate(ctx, chat("Keep talking.", 0, generation.DefaultSampling()), func(string) {
		if tokens++; tokens == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || r == nil || r.StopReason != runner.StopCanceled {
		t.Fatalf("err %v result %+v, want the partial result and context.Canceled", err, r)
	}
	if r.Timings.GenTokens < 3 || r.Timings.GenTokens >= 2048 {
		t.Errorf("generated %d tokens before stopping", r.Timings.GenTokens)
	}
}

func TestChatTemplateHasExactlyOneBOS(t *testing.T) {
	m := loadTiny(t)
	tokens, err := m.Prompt(runner.Request{Messages: []llama.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi"}}})
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
	_, err := c.Generate(context.Background(), chat(strings.Repeat("many words here ", 400), 4, generation.DefaultSampling()), nil)
	var tooLong *runner.PromptTooLongError
	if !errors.As(err, &tooLong) || tooLong.NumCtx != c.NumCtx() || !strings.Contains(err.Error(), "num_ctx "+strconv.Itoa(tooLong.PromptTokens+1)) {
		t.Errorf("got %v, want a PromptTooLongError naming the num_ctx needed", err)
	}
}

func TestReusedPrefixIsNotEvaluatedAgain(t *testing.T) {
	m := loadTiny(t)
	p := runner.DefaultContextParams()
	p.NumCtx, p.Threads, p.ReusePrefix = 1024, 1, true
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	shared := strings.Repeat("The same long system message about benchmarks. ", 20)
	first, err := c.Generate(context.Background(), chat(shared+"First question?", 4, generation.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Generate(context.Background(), chat(shared+"Another one?", 4, generation.DefaultSampling()), nil)
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

// A num_ctx that is not a multiple of 256 is padded by llama.cpp while its batch is cut to the num_ctx asked for:
// the prompt limit is that num_ctx, and a prompt close to it goes to llama_decode in batches it accepts (a
// 377-token prompt in num_ctx 300 used to abort the process).
func TestNumCtxNotAMultipleOf256(t *testing.T) {
	m := loadTiny(t)
	p := runner.DefaultContextParams()
	p.NumCtx, p.Threads = 300, 1
	c, err := m.NewContext(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	long := runner.Request{Prompt: strings.Repeat("word ", 370), NumPredict: 2, Sampling: generation.DefaultSampling()}
	var tooLong *runner.PromptTooLongError
	if _, err := c.Generate(context.Background(), long, nil); !errors.As(err, &tooLong) || tooLong.NumCtx != 300 {
		t.Errorf("377-token prompt in num_ctx 300: %v, want a PromptTooLongError naming 300", err)
	}
	fits := runner.Request{Prompt: strings.Repeat("word ", 280), NumPredict: 4, Sampling: generation.DefaultSampling()}
	if r, err := c.Generate(context.Background(), fits, nil); err != nil || r.Timings.PromptTokens < 270 {
		t.Errorf("a prompt just under num_ctx 300: %v", err)
	}
}

// A model whose weights hold NaN computes NaN logits, on which llama.cpp's samplers assert: generation stops
// with an error naming the model instead.
func TestNonFiniteWeightsAreAnErrorNotAnAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nan.gguf")
	writeWithNaNTensor(t, path, "output_norm.weight")
	m := loadModel(t, path)
	c := tinyContext(t, m, 256)
	_, err := c.Generate(context.Background(), chat("hi", 4, generation.DefaultSampling()), nil)
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

func TestInvalidSamplingIsRejectedBeforeLlamaCpp(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 512)
	s := generation.DefaultSampling()
	s.TopP = 2
	if _, err := c.Generate(context.Background(), chat("x", 2, s), nil); err == nil {
		t.Error("top_p 2 was accepted")
	}
}
