package workflows

import (
	"context"
	"errors"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/pipeline/runner"
	"chimera/store"
)

// GenerateOptions configure `chimera generate`: one request to one model.
type GenerateOptions struct {
	Target
	Config  engine.Config
	Request runner.Request
	Stream  func(piece string) // receives the text as it is generated; nil when only the result is wanted
}

// GenerateResult is the text of a generate call, its timings and the model that produced it.
type GenerateResult struct {
	RunID  int64               `json:"run_id"`
	Model  engine.ModelSummary `json:"model"`
	Config engine.Config       `json:"config"`
	*runner.Result
}

// Generate loads the model, makes the request on a fresh context and records the run and its call. A cancelled
// ctx stops between tokens; the run is then recorded as interrupted with the text generated so far.
func Generate(ctx context.Context, db *store.DB, opts GenerateOptions) (*GenerateResult, error) {
	if err := opts.Config.Check(); err != nil {
		return nil, err
	}
	run, err := startRun(ctx, db, opts.Target, store.KindGenerate, "", opts.Config, "")
	if err != nil {
		return nil, err
	}
	rec, runID := run.rec, run.runID
	result, err := generateOn(ctx, run.model, opts)
	if result != nil {
		result.RunID = runID
		err = errors.Join(err, rec.AddCall(runID, 0, plainCall("generate", opts.Request, result.Result)))
	}
	_, err = rec.Finish(runID, err)
	return result, err
}

func generateOn(ctx context.Context, file *engine.ModelFile, opts GenerateOptions) (*GenerateResult, error) {
	model, err := file.LoadFor(opts.Config)
	if err != nil {
		return nil, err
	}
	defer model.Close()
	llctx, err := model.NewContext(opts.Config.Context)
	if err != nil {
		return nil, engine.Invalid(err)
	}
	defer llctx.Close()
	result, err := llctx.Generate(ctx, opts.Request, opts.Stream)
	if result == nil {
		return nil, err
	}
	return &GenerateResult{Model: model.Summary(), Config: opts.Config, Result: result}, err
}

// plainCall is a call made outside any agent (a generate), as the store keeps it: its prompt is the raw
// text or the last message.
func plainCall(stage string, req runner.Request, r *runner.Result) agents.CallRecord {
	prompt := req.Prompt
	if len(req.Messages) > 0 {
		prompt = req.Messages[len(req.Messages)-1].Content
	}
	return agents.CallRecord{Stage: stage, Prompt: agents.PromptPlan{User: prompt, Rendered: r.Prompt, Tokens: r.Timings.PromptTokens},
		Response: r.Text, StopReason: r.StopReason, Timings: r.Timings}
}
