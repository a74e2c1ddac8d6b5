package workflows

import (
	"context"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/pipeline/engine"
	"chimera/pipeline/runner"
)

// A generate run records the exact text its prompt tokens came from: the chat template applied to the message.
func TestGenerateRecordsTheRenderedPrompt(t *testing.T) {
	db := openTestDB(t)
	cfg := engine.DefaultConfig()
	cfg.NumGPU, cfg.NumPredict, cfg.Context.NumCtx, cfg.Context.Threads = 0, 4, 256, 1
	req := runner.Request{Messages: []llama.Message{{Role: "user", Content: "Name three prime numbers."}}, NumPredict: 4,
		Sampling: cfg.Sampling}
	result, err := Generate(context.Background(), db, GenerateOptions{Target: Target{ModelRef: tinyModel}, Config: cfg, Request: req})
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Calls) != 1 {
		t.Fatalf("%d calls recorded, want 1", len(run.Calls))
	}
	rendered := run.Calls[0].RenderedPrompt
	if !strings.Contains(rendered, "Name three prime numbers.") || rendered == req.Messages[0].Content {
		t.Errorf("rendered prompt %q: want the message inside the chat template", rendered)
	}
}
