package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// replayResult is what `replay calls` prints: the preload, each call, and the workflow's time on Ollama.
type replayResult struct {
	RunID  int64   `json:"run_id"`
	Model  string  `json:"model"`
	LoadMS float64 `json:"load_ms"` // the preload, before the first call: excluded from WorkflowMS
	// WorkflowMS is the client's time from sending the first call's request to reading the last call's final chunk.
	WorkflowMS float64      `json:"workflow_ms"`
	Calls      []ollamaCall `json:"calls"`
}

// ollamaCall is one replayed call: the client's timings, and the counts and durations (ns) of Ollama's final chunk.
type ollamaCall struct {
	Agent        string  `json:"agent"`
	Stage        string  `json:"stage"`
	PromptSHA256 string  `json:"prompt_sha256"`
	Options      options `json:"options"`
	StartMS      float64 `json:"start_ms"` // since the first call's request was sent
	TTFTMS       float64 `json:"ttft_ms"`  // request sent → first streamed chunk
	WallMS       float64 `json:"wall_ms"`  // request sent → final chunk read

	PromptEvalCount    int    `json:"prompt_eval_count"`
	PromptEvalDuration int64  `json:"prompt_eval_duration"`
	EvalCount          int    `json:"eval_count"`
	EvalDuration       int64  `json:"eval_duration"`
	DoneReason         string `json:"done_reason"`
}

// generateRequest is the body of POST /api/generate.
type generateRequest struct {
	Model     string   `json:"model"`
	Prompt    string   `json:"prompt,omitempty"`
	Raw       bool     `json:"raw,omitempty"`
	Stream    bool     `json:"stream"`
	KeepAlive int      `json:"keep_alive"` // -1: stay loaded
	Options   *options `json:"options,omitempty"`
}

// chunk is one line of /api/generate's streamed answer; the counts and durations come with the final one.
type chunk struct {
	Done               bool   `json:"done"`
	DoneReason         string `json:"done_reason"`
	PromptEvalCount    int    `json:"prompt_eval_count"`
	PromptEvalDuration int64  `json:"prompt_eval_duration"`
	EvalCount          int    `json:"eval_count"`
	EvalDuration       int64  `json:"eval_duration"`
	Error              string `json:"error"`
}

type client struct {
	url   string
	model string
	http  *http.Client
}

func newClient(url, model string) *client {
	return &client{url: strings.TrimSuffix(url, "/") + "/api/generate", model: model, http: &http.Client{}}
}

// callTimeout bounds one call: a 270m model answers 512 tokens in seconds, a hung server must not hang the bench.
const callTimeout = 10 * time.Minute

// replay preloads the model with the first call's options (a call with other options would reload it), then
// makes the calls one after the other, as the workflow did.
func (c *client) replay(ctx context.Context, calls []call) (*replayResult, error) {
	res := &replayResult{Model: c.model}
	loadStart := time.Now()
	if _, err := c.post(ctx, generateRequest{Model: c.model, KeepAlive: -1, Options: &calls[0].Options}, nil); err != nil {
		return nil, fmt.Errorf("preload %s: %w", c.model, err)
	}
	res.LoadMS = millisSince(loadStart)
	start := time.Now()
	for i, cl := range calls {
		o, err := c.generate(ctx, cl, start)
		if err != nil {
			return nil, fmt.Errorf("call %d (%s %s): %w", i+1, cl.Agent, cl.Stage, err)
		}
		res.Calls = append(res.Calls, o)
	}
	res.WorkflowMS = millisSince(start)
	return res, nil
}

// generate makes one call, raw and streamed, timing it from the moment its request is sent.
func (c *client) generate(ctx context.Context, cl call, workflowStart time.Time) (ollamaCall, error) {
	o := ollamaCall{Agent: cl.Agent, Stage: cl.Stage, PromptSHA256: promptSHA256(cl.Prompt), Options: cl.Options}
	sent := time.Now()
	o.StartMS = ms(sent.Sub(workflowStart))
	final, err := c.post(ctx, generateRequest{Model: c.model, Prompt: cl.Prompt, Raw: true, Stream: true, KeepAlive: -1,
		Options: &cl.Options}, func() {
		if o.TTFTMS == 0 {
			o.TTFTMS = millisSince(sent)
		}
	})
	if err != nil {
		return o, err
	}
	o.WallMS = millisSince(sent)
	if o.TTFTMS == 0 { // the only token came with the final chunk
		o.TTFTMS = o.WallMS
	}
	o.PromptEvalCount, o.PromptEvalDuration = final.PromptEvalCount, final.PromptEvalDuration
	o.EvalCount, o.EvalDuration, o.DoneReason = final.EvalCount, final.EvalDuration, final.DoneReason
	return o, nil
}

// post sends req and reads the answer, a stream of chunks or a single one, calling onChunk for every chunk before
// the final one. It returns the final chunk.
func (c *client) post(ctx context.Context, req generateRequest, onChunk func()) (chunk, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil {
		return chunk{}, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return chunk{}, err
	}
	httpReq.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(httpReq)
	if err != nil {
		return chunk{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return chunk{}, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return readChunks(resp.Body, onChunk)
}

// readChunks reads newline-delimited chunks up to the final one.
func readChunks(r io.Reader, onChunk func()) (chunk, error) {
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 0, 64<<10), 64<<20) // the final chunk carries the context's token ids
	for lines.Scan() {
		var ch chunk
		if err := json.Unmarshal(lines.Bytes(), &ch); err != nil {
			return chunk{}, fmt.Errorf("a chunk that is not JSON: %w", err)
		}
		if ch.Error != "" {
			return chunk{}, fmt.Errorf("ollama: %s", ch.Error)
		}
		if ch.Done {
			return ch, nil
		}
		if onChunk != nil {
			onChunk()
		}
	}
	if err := lines.Err(); err != nil {
		return chunk{}, err
	}
	return chunk{}, fmt.Errorf("the answer ended without a final chunk")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func millisSince(t time.Time) float64 { return ms(time.Since(t)) }
