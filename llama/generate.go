package llama

// #include "bridge.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// Request is one generation call: chat Messages through the model's chat template, or a raw Prompt.
type Request struct {
	Messages []Message
	Prompt   string
	// Continue, when set, is the earlier call this one goes on from: Messages (or Prompt) are then the turns after
	// its answer. Its prompt and the answer's generated tokens are kept as they were (unless the chat template or
	// the vocabulary rules it out: see continuation), so a KV cache still holding them is reused.
	Continue   *Result
	NumPredict int // most tokens to generate; 0 = until end of generation or a full context
	Stop       []string
	Sampling   Sampling
}

// Result is what a call produced and how long each phase took.
type Result struct {
	// Prompt is the text the prompt's tokens came from (the chat template applied); it is recorded, not printed.
	Prompt     string  `json:"-"`
	Text       string  `json:"text"`
	StopReason string  `json:"stop_reason"`
	Timings    Timings `json:"timings"`
	// The conversation so far, for a request that continues it.
	model     *Model
	messages  []Message // the chat up to this call's prompt; nil for a raw prompt
	tokens    []Token   // the prompt's tokens
	generated []Token   // the tokens generated, an end-of-generation token left out
}

// Stop reasons.
const (
	StopEOG        = "eog"
	StopNumPredict = "num_predict"
	StopString     = "stop"
	StopContext    = "context"
	StopCanceled   = "canceled"
)

// NonFiniteLogitsError says the model computed NaN or infinite logits: its weights (or the values it was built
// with) are broken, whatever the prompt.
type NonFiniteLogitsError struct{ Model string }

func (e *NonFiniteLogitsError) Error() string {
	return e.Model + ": the model computes logits that are not finite (NaN or Inf): its weights are broken"
}

// logitsFinite reports whether the last output's logits are all finite. llama.cpp's samplers assert on NaN, and a
// model whose weights hold NaN or Inf computes them; checking the logits is far cheaper than scanning the weights.
func (c *Context) logitsFinite() bool {
	logits := unsafe.Slice((*float32)(unsafe.Pointer(C.llama_get_logits_ith(c.c, -1))), c.model.VocabSize())
	return allFinite(logits)
}

func allFinite(values []float32) bool {
	return len(values) == 0 || C.chimera_all_finite((*C.float)(&values[0]), C.int32_t(len(values))) != 0
}

// PromptTooLongError says a prompt cannot fit the context with room for at least one generated token.
type PromptTooLongError struct {
	PromptTokens int
	NumCtx       int
}

func (e *PromptTooLongError) Error() string {
	return fmt.Sprintf("the prompt is %d tokens but num_ctx is %d: use num_ctx %d or more", e.PromptTokens, e.NumCtx, e.PromptTokens+1)
}

var errAborted = errors.New("llama_decode aborted")

// Prompt turns a request into the tokens the model is given: the chat template (or the raw prompt) plus exactly
// one BOS, or for a continuation the earlier call's tokens followed by the new turns'.
func (m *Model) Prompt(req Request) ([]Token, error) {
	_, tokens, err := m.prompt(req)
	return tokens, err
}

// prompt is a request's text, the chat template applied, and its tokens.
func (m *Model) prompt(req Request) (string, []Token, error) {
	if req.Continue != nil {
		return m.continuation(req)
	}
	text := req.Prompt
	if len(req.Messages) > 0 {
		var err error
		if text, err = m.ApplyChatTemplate(req.Messages); err != nil {
			return "", nil, err
		}
	}
	tokens, err := m.promptTokens(text)
	return text, tokens, err
}

func (m *Model) promptTokens(text string) ([]Token, error) {
	tokens, err := m.Tokenize(text, true, true)
	if err != nil {
		return nil, err
	}
	if len(tokens) >= 2 && tokens[0] == m.BOS() && tokens[1] == m.BOS() {
		tokens = tokens[1:]
	}
	if len(tokens) == 0 {
		return nil, errors.New("the prompt is empty")
	}
	return tokens, nil
}

// Generate runs one call, streaming text to onText (which may be nil). With ContextParams.ReusePrefix the prompt's
// leading tokens still in the KV cache are not evaluated again; otherwise the call starts from an empty cache. On
// cancellation it returns the partial result together with the context's error.
func (c *Context) Generate(ctx context.Context, req Request, onText func(string)) (*Result, error) {
	if err := req.Sampling.Validate(); err != nil {
		return nil, err
	}
	if req.NumPredict < 0 {
		return nil, fmt.Errorf("num_predict must not be negative, got %d", req.NumPredict)
	}
	k := clock{start: time.Now()}
	text, prompt, err := c.model.prompt(req)
	if err != nil {
		return nil, err
	}
	if len(prompt) >= c.params.NumCtx {
		return nil, &PromptTooLongError{PromptTokens: len(prompt), NumCtx: c.params.NumCtx}
	}
	stopWatch := c.abortOnCancel(ctx)
	defer stopWatch()

	run := generation{ctx: c, req: req, clock: &k, stream: textStream{stops: req.Stop}, onText: onText}
	reason, err := run.execute(ctx, prompt)
	if errors.Is(err, errAborted) {
		reason, err = StopCanceled, nil
	}
	k.end = time.Now()
	result := &Result{Text: run.stream.Text(), StopReason: reason, Prompt: text,
		Timings: k.timings(len(prompt), run.cachedTokens, c.model.takeLoadDuration()),
		model:   c.model, messages: conversation(req), tokens: prompt, generated: run.generated}
	if reason == StopCanceled {
		return result, ctx.Err()
	}
	return result, err
}

// abortOnCancel makes a cancelled ctx interrupt a running llama_decode (prompt processing can take seconds).
func (c *Context) abortOnCancel(ctx context.Context) (stop func()) {
	C.chimera_abort_store(c.abort, 0)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			C.chimera_abort_store(c.abort, 1)
		case <-done:
		}
	}()
	// Waiting for the watcher keeps it from writing the flag after Close has freed it.
	return func() { close(done); <-exited }
}

type generation struct {
	ctx          *Context
	req          Request
	clock        *clock
	stream       textStream
	onText       func(string)
	cachedTokens int
	generated    []Token
}

func (g *generation) execute(ctx context.Context, prompt []Token) (string, error) {
	c := g.ctx
	g.cachedTokens = c.keepPrefix(prompt)
	smpl := newSampler(g.req.Sampling, c.model.VocabSize())
	defer smpl.free()
	smpl.accept(prompt[max(0, len(prompt)-g.req.Sampling.RepeatLastN):])

	g.clock.prefillFrom = time.Now()
	if err := c.decodeAndKeep(prompt[g.cachedTokens:]); err != nil {
		return "", err
	}
	g.clock.prefillTo = time.Now()

	position := len(prompt)
	for {
		if ctx.Err() != nil {
			return StopCanceled, nil
		}
		token, err := g.sample(smpl)
		if err != nil {
			return "", err
		}
		if reason := g.emit(token, position); reason != "" {
			g.release(g.stream.flush())
			return reason, nil
		}
		if err := c.decodeAndKeep([]Token{token}); err != nil {
			return "", err
		}
		position++
	}
}

// sample picks the next token from logits that must be finite (llama.cpp's samplers assert on NaN); checking
// them is counted as sampling time.
func (g *generation) sample(smpl sampler) (Token, error) {
	before := time.Now()
	if !g.ctx.logitsFinite() {
		return 0, &NonFiniteLogitsError{Model: g.ctx.model.Path}
	}
	token, err := smpl.sample(g.ctx)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	g.clock.sampling += now.Sub(before)
	g.clock.tokenTimes = append(g.clock.tokenTimes, now)
	return token, nil
}

// emit handles one sampled token and returns a stop reason when generation must end.
func (g *generation) emit(token Token, position int) string {
	m := g.ctx.model
	if m.IsEOG(token) {
		return StopEOG
	}
	g.generated = append(g.generated, token)
	g.release(g.stream.add(m.Piece(token)))
	switch {
	case g.stream.stopped:
		return StopString
	case g.req.NumPredict > 0 && len(g.clock.tokenTimes) >= g.req.NumPredict:
		return StopNumPredict
	case position+1 >= g.ctx.params.NumCtx: // the num_ctx asked for, not the larger one llama.cpp padded it to
		return StopContext
	}
	return ""
}

func (g *generation) release(text string) {
	if text != "" && g.onText != nil {
		g.onText(text)
	}
}
