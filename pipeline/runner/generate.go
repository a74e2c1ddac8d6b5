package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"chimera/llama"
	"chimera/pipeline/generation"
)

// Result is what a call produced and how long each phase took.
type Result struct {
	// Prompt is the text the prompt's tokens came from (the chat template applied); it is recorded, not printed.
	Prompt     string             `json:"-"`
	Text       string             `json:"text"`
	StopReason string             `json:"stop_reason"`
	Timings    generation.Timings `json:"timings"`
	// The conversation so far, for a request that continues it.
	model     *Model
	messages  []llama.Message // the chat up to this call's prompt; nil for a raw prompt
	tokens    []llama.Token   // the prompt's tokens
	generated []llama.Token   // the tokens generated, an end-of-generation token left out
}

// Stop reasons.
const (
	StopEOG        = "eog"
	StopNumPredict = "num_predict"
	StopString     = "stop"
	StopContext    = "context"
	StopCanceled   = "canceled"
)

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
	if numCtx := c.Params().NumCtx; len(prompt) >= numCtx {
		return nil, &PromptTooLongError{PromptTokens: len(prompt), NumCtx: numCtx}
	}
	stopWatch := c.AbortOnCancel(ctx)
	defer stopWatch()

	run := call{ctx: c, req: req, clock: &k, stream: textStream{stops: req.Stop}, onText: onText}
	reason, err := run.execute(ctx, prompt)
	if errors.Is(err, llama.ErrAborted) {
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

// call is one Generate in progress.
type call struct {
	ctx          *Context
	req          Request
	clock        *clock
	stream       textStream
	onText       func(string)
	cachedTokens int
	generated    []llama.Token
}

func (r *call) execute(ctx context.Context, prompt []llama.Token) (string, error) {
	c := r.ctx
	r.cachedTokens = c.keepPrefix(prompt)
	smpl := newSampler(r.req.Sampling, c.model.VocabSize())
	defer smpl.Free()
	smpl.Accept(prompt[max(0, len(prompt)-r.req.Sampling.RepeatLastN):])

	r.clock.prefillFrom = time.Now()
	if err := c.decodeAndKeep(prompt[r.cachedTokens:]); err != nil {
		return "", err
	}
	r.clock.prefillTo = time.Now()

	position := len(prompt)
	for {
		if ctx.Err() != nil {
			return StopCanceled, nil
		}
		token, err := r.sample(smpl)
		if err != nil {
			return "", err
		}
		if reason := r.emit(token, position); reason != "" {
			r.release(r.stream.flush())
			return reason, nil
		}
		if err := c.decodeAndKeep([]llama.Token{token}); err != nil {
			return "", err
		}
		position++
	}
}

// sample picks the next token; checking that the logits are finite is counted as sampling time.
func (r *call) sample(smpl *llama.Sampler) (llama.Token, error) {
	before := time.Now()
	token, err := smpl.Sample(r.ctx.Context)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	r.clock.sampling += now.Sub(before)
	r.clock.tokenTimes = append(r.clock.tokenTimes, now)
	return token, nil
}

// emit handles one sampled token and returns a stop reason when generation must end.
func (r *call) emit(token llama.Token, position int) string {
	m := r.ctx.model
	if m.IsEOG(token) {
		return StopEOG
	}
	r.generated = append(r.generated, token)
	r.release(r.stream.add(m.Piece(token)))
	switch {
	case r.stream.stopped:
		return StopString
	case r.req.NumPredict > 0 && len(r.clock.tokenTimes) >= r.req.NumPredict:
		return StopNumPredict
	case position+1 >= r.ctx.Params().NumCtx: // the num_ctx asked for, not the larger one llama.cpp padded it to
		return StopContext
	}
	return ""
}

func (r *call) release(text string) {
	if text != "" && r.onText != nil {
		r.onText(text)
	}
}
