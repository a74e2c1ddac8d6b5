package runner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

// followUp continues prev's chat with one user turn.
func followUp(prev *runner.Result, text string) runner.Request {
	return runner.Request{Continue: prev, Messages: []llama.Message{{Role: "user", Content: text}}, NumPredict: 4, Sampling: generation.DefaultSampling()}
}

// gemmaTurnAfterAnswer is what gemma3's chat format puts between an answer and the next answer.
func gemmaTurnAfterAnswer(user string) string {
	return "<end_of_turn>\n<start_of_turn>user\n" + user + "<end_of_turn>\n<start_of_turn>model\n"
}

// continueChat generates the turn user after prev on c, checks that the prompt it was given is prev's prompt and
// answer as they were, then the template's next turn, and that Model.Prompt counts its tokens alike, and returns
// the call with those tokens.
func continueChat(t *testing.T, c *runner.Context, prev *runner.Result, user string) (*runner.Result, []llama.Token) {
	t.Helper()
	next := followUp(prev, user)
	result, err := c.Generate(context.Background(), next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := prev.Prompt + prev.Text + gemmaTurnAfterAnswer(user); result.Prompt != want {
		t.Errorf("the continued prompt is\n%q\nwant\n%q", result.Prompt, want)
	}
	tokens, err := c.Model().Prompt(next)
	if err != nil {
		t.Fatal(err)
	}
	if result.Timings.PromptTokens != len(tokens) {
		t.Errorf("Generate used %d prompt tokens, Prompt counts %d", result.Timings.PromptTokens, len(tokens))
	}
	return result, tokens
}

// checkSpells fails t unless the pieces of tokens make up text, control tokens (which have no piece) left out.
func checkSpells(t *testing.T, m *runner.Model, tokens []llama.Token, text string) {
	t.Helper()
	var spelled strings.Builder
	for _, token := range tokens {
		spelled.WriteString(m.Piece(token))
	}
	if want := strings.NewReplacer("<start_of_turn>", "", "<end_of_turn>", "").Replace(text); spelled.String() != want {
		t.Errorf("the prompt's tokens spell\n%q\nwant\n%q", spelled.String(), want)
	}
}

// describe makes the first call of a chat on c: 24 tokens.
func describe(t *testing.T, c *runner.Context) *runner.Result {
	t.Helper()
	first, err := c.Generate(context.Background(), chat("Describe the benchmark.", 24, generation.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	return first
}

func TestContinuedChatReusesThePromptAndTheAnswer(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 1024)
	first := describe(t, c)
	second, tokens := continueChat(t, c, first, "Now in one line.")
	checkSpells(t, c.Model(), tokens, second.Prompt)
	// The last token sampled was never decoded (it is an end of generation, or num_predict was reached).
	decoded := first.Timings.PromptTokens + first.Timings.GenTokens - 1
	if second.Timings.PromptCachedTokens != decoded {
		t.Errorf("%d of %d prompt tokens reused, want all %d the first call decoded", second.Timings.PromptCachedTokens, second.Timings.PromptTokens, decoded)
	}
}

func TestContinuingAnAnswerCutByAStopStringUsesItsText(t *testing.T) {
	c := tinyContext(t, loadTiny(t), 1024)
	greedy := generation.DefaultSampling()
	greedy.Temperature = 0
	full, err := c.Generate(context.Background(), chat("Go on.", 24, greedy), nil)
	if err != nil || len(strings.TrimSpace(full.Text)) < 4 {
		t.Fatalf("need some text to cut: %q, %v", full.Text, err)
	}
	req := chat("Go on.", 24, greedy)
	req.Stop = []string{full.Text[len(full.Text)/2:]}
	stopped, err := c.Generate(context.Background(), req, nil)
	if err != nil || stopped.StopReason != runner.StopString {
		t.Fatalf("stop reason %q, err %v", stopped.StopReason, err)
	}
	second, tokens := continueChat(t, c, stopped, "And then?")
	checkSpells(t, c.Model(), tokens, second.Prompt)
	// The generated tokens that spell the text before the cut are kept.
	generated, rest, kept := runner.Generated(stopped), stopped.Text, 0
	for kept < len(generated) && strings.HasPrefix(rest, c.Model().Piece(generated[kept])) {
		rest = rest[len(c.Model().Piece(generated[kept])):]
		kept++
	}
	from := stopped.Timings.PromptTokens
	if got := tokens[from : from+kept]; kept == 0 || !slices.Equal(got, generated[:kept]) {
		t.Errorf("the continued prompt has %v after the first prompt, want the %d generated tokens before the cut %v", got, kept, generated[:kept])
	}
}

func TestAControlTokenInTheAnswerIsKeptAndWrittenAsItself(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 1024)
	first := describe(t, c)
	control, err := m.Tokenize("<start_of_turn>", false, true)
	if err != nil || len(control) != 1 {
		t.Fatalf("<start_of_turn> is %v, %v", control, err)
	}
	const at = 3
	generated := runner.Generated(first)
	var spelled strings.Builder
	for _, token := range generated[:at] {
		spelled.WriteString(m.Piece(token))
	}
	withControl := slices.Insert(slices.Clone(generated), at, control[0])
	runner.SetGenerated(first, withControl)

	next := followUp(first, "Go on.")
	second, err := c.Generate(context.Background(), next, nil)
	if err != nil {
		t.Fatal(err)
	}
	answer := spelled.String() + "<start_of_turn>" + strings.TrimPrefix(first.Text, spelled.String())
	if want := first.Prompt + answer + gemmaTurnAfterAnswer("Go on."); second.Prompt != want {
		t.Errorf("the continued prompt is\n%q\nwant\n%q", second.Prompt, want)
	}
	tokens, err := m.Prompt(next)
	if err != nil {
		t.Fatal(err)
	}
	from := first.Timings.PromptTokens
	if kept := tokens[from:min(len(tokens), from+len(withControl))]; !slices.Equal(kept, withControl) {
		t.Errorf("the answer's tokens in the continued prompt are %v, want the generated %v", kept, withControl)
	}
}

func TestAContinuationMustMatchTheCallItContinues(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	rawCall, err := c.Generate(context.Background(), runner.Request{Prompt: "Once", NumPredict: 2, Sampling: generation.DefaultSampling()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	chatCall, err := c.Generate(context.Background(), chat("Hi", 2, generation.DefaultSampling()), nil)
	if err != nil {
		t.Fatal(err)
	}
	other := loadTiny(t)
	for name, c := range map[string]struct {
		try  func() error
		want error
	}{
		"a raw prompt continued with messages": {func() error { _, err := m.Prompt(followUp(rawCall, "and?")); return err }, runner.ErrMixedForms},
		"a chat continued with a raw prompt": {func() error {
			_, err := m.Prompt(runner.Request{Continue: chatCall, Prompt: "and?"})
			return err
		}, runner.ErrMixedForms},
		"a call continued on another model": {func() error { _, err := other.Prompt(followUp(chatCall, "and?")); return err }, runner.ErrOtherModel},
	} {
		if err := c.try(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	raw, err := m.Prompt(runner.Request{Continue: rawCall, Prompt: " upon"})
	if err != nil || len(raw) <= rawCall.Timings.PromptTokens {
		t.Errorf("a raw prompt continued with a raw prompt: %d tokens, %v", len(raw), err)
	}
}

// A vocabulary that puts a space before every text tokenized on its own cannot be tokenized in parts: the whole
// continued prompt is tokenized as any prompt is.
func TestAContinuationWithASpacePrefixingVocabularyIsTokenizedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "space-prefix.gguf")
	writeWithValue(t, path, "tokenizer.ggml.add_space_prefix", func(v []byte) { v[0] = 1 })
	m := loadModel(t, path)
	c := tinyContext(t, m, 1024)
	first := describe(t, c)
	second, tokens := continueChat(t, c, first, "Now in one line.")
	whole, err := m.Prompt(runner.Request{Prompt: second.Prompt})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tokens, whole) {
		t.Errorf("the continued prompt has tokens\n%v\nthe same text as a prompt has\n%v", tokens, whole)
	}
}

// writeWithTemplateText copies the tiny model to path with each old text in its chat template replaced, once, by the
// new one of the same length.
func writeWithTemplateText(t *testing.T, path string, oldNew ...string) {
	t.Helper()
	data, err := os.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	template := bytes.Index(data, []byte("tokenizer.chat_template"))
	if template < 0 {
		t.Fatal("the tiny model has no chat template")
	}
	for i := 0; i+1 < len(oldNew); i += 2 {
		at := bytes.Index(data[template:], []byte(oldNew[i]))
		if at < 0 || len(oldNew[i]) != len(oldNew[i+1]) {
			t.Fatalf("cannot put %q for %q in the tiny model's chat template", oldNew[i+1], oldNew[i])
		}
		copy(data[template+at:], oldNew[i+1])
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// llama.cpp takes a template with [INST] and [SYSTEM_PROMPT] for Mistral v7's, which puts a space between the
// prompt and the answer: there the conversation is rendered and tokenized whole.
func TestAChatTemplateThatSeparatesTheAnswerGetsTheWholeConversation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mistral-template.gguf")
	writeWithTemplateText(t, path, "<start_of_turn>", "[SYSTEM_PROMPT]", "<start_of_turn>", "[INST]         ")
	m := loadModel(t, path)
	c := tinyContext(t, m, 1024)
	first := describe(t, c)
	second, err := c.Generate(context.Background(), followUp(first, "Go on."), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.ApplyChatTemplate([]llama.Message{{Role: "user", Content: "Describe the benchmark."},
		{Role: "assistant", Content: first.Text}, {Role: "user", Content: "Go on."}})
	if err != nil || second.Prompt != want {
		t.Errorf("the continued prompt is\n%q\nwant the template's rendering\n%q (%v)", second.Prompt, want, err)
	}
	if strings.HasPrefix(second.Prompt, first.Prompt+first.Text) {
		t.Errorf("the template was expected to separate the answer from its prompt: %q", second.Prompt)
	}
}
