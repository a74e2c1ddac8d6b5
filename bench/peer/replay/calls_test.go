package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"chimera/pipeline/engine"
	"chimera/store"
)

// The options come from the settings exactly as chimera records them (engine.Config as JSON), under Ollama's names.
func TestOptionsAreTheRecordedSettingsUnderOllamasNames(t *testing.T) {
	cfg := engine.DefaultConfig()
	cfg.Context.Threads, cfg.Context.Batch, cfg.Sampling.Seed = 2, 1024, 7
	recorded, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got chimeraConfig
	if err := json.Unmarshal(recorded, &got); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got.options())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"temperature":0.8,"top_k":40,"top_p":0.9,"min_p":0,"repeat_penalty":1.1,"repeat_last_n":64,"seed":7,` +
		`"num_predict":512,"num_ctx":4096,"num_thread":2,"num_batch":1024}`
	if string(b) != want {
		t.Errorf("options %s\nwant    %s", b, want)
	}
}

func TestOptionsSpellChimerasDefaultsOut(t *testing.T) {
	o := chimeraConfig{}.options() // num_predict 0: no limit; threads 0: all cores
	if o.NumPredict != -1 || o.NumThread != runtime.NumCPU() {
		t.Errorf("num_predict %d, num_thread %d; want -1 and %d", o.NumPredict, o.NumThread, runtime.NumCPU())
	}
}

// A run's calls are read back from the store in order, each with the rendered prompt and its agent pass's settings.
func TestReadCallsFromTheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chimera.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartRun(ctx, store.Run{Kind: store.KindRun}); err != nil { // an older run
		t.Fatal(err)
	}
	runID, err := db.StartRun(ctx, store.Run{Kind: store.KindRun, ConfigJSON: `{"context":{"num_ctx":1111}}`})
	if err != nil {
		t.Fatal(err)
	}
	agentRun, err := db.AddAgentRun(ctx, store.AgentRun{RunID: runID, Agent: "collector", Repetition: 1, ConfigJSON: `{"context":{"num_ctx":2048}}`})
	if err != nil {
		t.Fatal(err)
	}
	for seq, stage := range []string{"analysis", "report"} {
		c := store.Call{RunID: runID, AgentRunID: agentRun, Stage: stage, Seq: seq + 1, RenderedPrompt: "<start_of_turn>user\n" + stage}
		if _, err := db.AddCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	id, calls, err := readCalls(ctx, path, 0) // the newest run
	if err != nil {
		t.Fatal(err)
	}
	if id != runID || len(calls) != 2 || calls[0].Stage != "analysis" || calls[1].Prompt != "<start_of_turn>user\nreport" ||
		calls[0].Agent != "collector" || calls[0].Options.NumCtx != 2048 {
		t.Errorf("calls %+v", calls)
	}
}

func TestCallsWithoutARenderedPromptCannotBeReplayed(t *testing.T) {
	run := &store.RunDetail{Run: store.Run{ID: 3, ConfigJSON: `{}`},
		Calls: []store.Call{{Stage: "warmup", Seq: 1, Prompt: "Say hello."}}}
	if _, err := runCalls(run); err == nil || !strings.Contains(err.Error(), "no rendered prompt") {
		t.Errorf("err = %v, want one saying the call has no rendered prompt", err)
	}
}

// A call outside any agent pass takes the run's settings.
func TestCallsFallBackToTheRunsSettings(t *testing.T) {
	run := &store.RunDetail{Run: store.Run{ID: 3, ConfigJSON: `{"context":{"num_ctx":8192}}`},
		Calls: []store.Call{{Stage: "generate", Seq: 1, RenderedPrompt: "p"}}}
	calls, err := runCalls(run)
	if err != nil {
		t.Fatal(err)
	}
	if calls[0].Options.NumCtx != 8192 {
		t.Errorf("num_ctx %d, want the run's 8192", calls[0].Options.NumCtx)
	}
}

// A warm-up pass (repetition 0) measures nothing, so its calls are not replayed.
func TestWarmUpPassesAreNotReplayed(t *testing.T) {
	run := &store.RunDetail{Run: store.Run{ID: 3, ConfigJSON: `{}`},
		AgentRuns: []store.AgentRun{{ID: 1, Agent: "collector", Repetition: 0}, {ID: 2, Agent: "collector", Repetition: 1}},
		Calls: []store.Call{{AgentRunID: 1, Stage: "analysis", Seq: 1, RenderedPrompt: "w"},
			{AgentRunID: 2, Stage: "analysis", Seq: 2, RenderedPrompt: "m"}}}
	calls, err := runCalls(run)
	if err != nil || len(calls) != 1 || calls[0].Prompt != "m" {
		t.Errorf("calls %+v, %v; want the measured pass's call only", calls, err)
	}
}
