package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOllama answers /api/generate as Ollama does: a preload (no prompt) with one final chunk, a streamed call
// with a chunk per token, 10 ms apart, then the final chunk with the counts.
type fakeOllama struct {
	mu       sync.Mutex
	requests []generateRequest
}

func (f *fakeOllama) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req generateRequest
	if r.URL.Path != "/api/generate" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if req.Prompt == "" {
		fmt.Fprintln(w, `{"model":"m","response":"","done":true,"done_reason":"load"}`)
		return
	}
	for range 3 {
		time.Sleep(10 * time.Millisecond)
		fmt.Fprintln(w, `{"model":"m","response":"tok","done":false}`)
		w.(http.Flusher).Flush()
	}
	fmt.Fprintf(w, `{"done":true,"done_reason":"length","prompt_eval_count":%d,"prompt_eval_duration":2000000,`+
		`"eval_count":3,"eval_duration":20000000,"context":[1,2,3]}`+"\n", len(req.Prompt))
}

func TestReplayPreloadsThenStreamsEveryCallRaw(t *testing.T) {
	fake := &fakeOllama{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	opts := options{NumCtx: 4096, NumPredict: 3}
	calls := []call{{Agent: "collector", Stage: "analysis", Prompt: "first prompt", Options: opts},
		{Agent: "collector", Stage: "report", Prompt: "second", Options: opts}}

	res, err := newClient(srv.URL, "peer").replay(context.Background(), calls)
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.requests) != 3 || fake.requests[0].Prompt != "" || fake.requests[0].Options.NumCtx != 4096 {
		t.Fatalf("requests %+v, want a preload with the calls' options, then the calls", fake.requests)
	}
	for i, req := range fake.requests[1:] {
		if req.Prompt != calls[i].Prompt || !req.Raw || !req.Stream || req.KeepAlive != -1 || req.Model != "peer" {
			t.Errorf("call %d sent %+v", i+1, req)
		}
	}
	first := res.Calls[0]
	if first.PromptEvalCount != len("first prompt") || first.EvalCount != 3 || first.DoneReason != "length" ||
		first.PromptSHA256 != promptSHA256("first prompt") || first.Agent != "collector" {
		t.Errorf("first call %+v", first)
	}
	// The first chunk comes after ~10 ms, the final one after ~30 ms.
	if first.TTFTMS < 10 || first.WallMS < 30 || first.TTFTMS >= first.WallMS {
		t.Errorf("ttft %.1f ms, wall %.1f ms", first.TTFTMS, first.WallMS)
	}
	second := res.Calls[1]
	if second.StartMS < first.WallMS || res.WorkflowMS < second.StartMS+second.WallMS {
		t.Errorf("second call starts at %.1f ms after a %.1f ms first call; workflow %.1f ms", second.StartMS, first.WallMS, res.WorkflowMS)
	}
}

func TestAnswersThatAreNotACompletedCallAreErrors(t *testing.T) {
	for name, body := range map[string]string{
		"an error chunk":      `{"error":"model runner has unexpectedly stopped"}`,
		"no final chunk":      `{"response":"tok","done":false}`,
		"a chunk not in JSON": `<html>`,
	} {
		if _, err := readChunks(strings.NewReader(body+"\n"), nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestAnHTTPErrorCarriesOllamasMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"model 'peer' not found"}`, http.StatusNotFound)
	}))
	defer srv.Close()
	_, err := newClient(srv.URL, "peer").replay(context.Background(), []call{{Prompt: "p"}})
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "preload") {
		t.Errorf("err = %v, want the preload's 404 with Ollama's message", err)
	}
}
