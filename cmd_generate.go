package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/engine"
	"chimera/pipeline/generation"
	"chimera/pipeline/render"
	"chimera/pipeline/runner"
	"chimera/pipeline/workflows"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "generate text from a prompt and print how long each phase took",
		Flags: append([]cli.Flag{
			modelFlag(),
			&cli.StringFlag{Name: "prompt", Usage: "prompt text"},
			&cli.StringFlag{Name: "prompt-file", Usage: "read the prompt from a file"},
			&cli.StringFlag{Name: "system", Usage: "system message (sent through the model's chat template)"},
			&cli.BoolFlag{Name: "raw", Usage: "send the prompt as is, without the chat template"},
			&cli.StringSliceFlag{Name: "stop", Usage: "stop string (repeatable)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object with the text and every timing field"},
		}, configFlags()...),
		Action: runGenerate,
	}
}

func runGenerate(c *cli.Context) error {
	cfg, err := readConfig(c, "")
	if err != nil {
		return err
	}
	req, err := generateRequest(c, cfg)
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	initEngine(c)
	var stream func(string)
	if !c.Bool("json") {
		stream = func(s string) { io.WriteString(os.Stdout, s) }
	}
	result, err := workflows.Generate(c.Context, db, workflows.GenerateOptions{Target: target(c), Config: cfg, Request: req, Stream: stream})
	if result == nil || err != nil && !errors.Is(err, context.Canceled) {
		return err // a failed call's timings measure nothing; an interrupted one's are what it did
	}
	if c.Bool("json") {
		return errors.Join(err, render.WriteJSON(os.Stdout, generateOutput(result)))
	}
	fmt.Println()
	printTimings(os.Stderr, result)
	return err
}

// maxPromptFileBytes bounds --prompt-file: far more than any num_ctx holds, far less than memory.
const maxPromptFileBytes = 64 << 20

func generateRequest(c *cli.Context, cfg engine.Config) (runner.Request, error) {
	prompt := c.String("prompt")
	if file := c.String("prompt-file"); file != "" {
		data, err := models.ReadRegularFile(file, maxPromptFileBytes)
		if err != nil {
			return runner.Request{}, err
		}
		prompt = string(data)
	}
	if prompt == "" {
		return runner.Request{}, engine.Invalid(errors.New("generate needs --prompt or --prompt-file"))
	}
	req := runner.Request{NumPredict: cfg.NumPredict, Stop: c.StringSlice("stop"), Sampling: cfg.Sampling}
	switch {
	case c.Bool("raw"):
		req.Prompt = prompt
	case c.String("system") != "":
		req.Messages = []llama.Message{{Role: "system", Content: c.String("system")}, {Role: "user", Content: prompt}}
	default:
		req.Messages = []llama.Message{{Role: "user", Content: prompt}}
	}
	return req, nil
}

type generateJSON struct {
	RunID      int64              `json:"run_id"`
	Model      string             `json:"model"`
	ModelPath  string             `json:"model_path"`
	Synthetic  bool               `json:"synthetic_weights"`
	Config     engine.Config      `json:"config"`
	Load       llama.LoadReport   `json:"load"`
	Text       string             `json:"text"`
	StopReason string             `json:"stop_reason"`
	Timings    generation.Timings `json:"timings"`
	System     string             `json:"system_info"`
	Devices    []llama.Device     `json:"devices"`
}

func generateOutput(r *workflows.GenerateResult) generateJSON {
	return generateJSON{
		RunID: r.RunID, Model: r.Model.Ref, ModelPath: r.Model.Path, Synthetic: r.Model.Synthetic, Config: r.Config,
		Load: r.Model.Load, Text: r.Text, StopReason: r.StopReason, Timings: r.Timings, System: llama.SystemInfo(),
		Devices: llama.Devices(),
	}
}

func printTimings(w io.Writer, r *workflows.GenerateResult) {
	t, m := r.Timings, r.Model
	if m.Synthetic {
		fmt.Fprintln(w, "note: synthetic model with random weights: the text is noise, the timings are real")
	}
	fmt.Fprintf(w, "model          %s (%s)\n", m.Ref, m.Description)
	fmt.Fprintf(w, "load           %.1f ms, %d/%d layers offloaded\n", m.Load.LoadMS, m.Load.OffloadedLayers, m.Load.OffloadableLayers)
	fmt.Fprintf(w, "prompt         %d tokens in %.1f ms (%.1f tok/s)\n", t.PromptTokens, t.PromptEvalMS, t.PromptTPS)
	fmt.Fprintf(w, "ttft           %.1f ms\n", t.TTFTMS)
	fmt.Fprintf(w, "decode         %d tokens in %.1f ms (%.1f tok/s, first token excluded)\n", t.GenTokens, t.EvalMS, t.DecodeTPS)
	fmt.Fprintf(w, "token latency  p50 %.2f / p95 %.2f / p99 %.2f / max %.2f ms; sampling %.1f ms in all\n",
		t.TokenLatency.P50, t.TokenLatency.P95, t.TokenLatency.P99, t.TokenLatency.Max, t.SampleMS)
	fmt.Fprintf(w, "total          %.1f ms (stop: %s)\n", t.TotalMS, r.StopReason)
	fmt.Fprintf(w, "run            %d\n", r.RunID)
}
