package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/pipeline/workflows"
)

// tuneSettings are the settings tune chooses from: those of the load and the context but num_ctx, which every
// trial shares.
var tuneSettings = func(s *engine.Setting) bool { return benchSettings(s) && s.Name != "num_ctx" }

// tuneDefaults are the values tune chooses from where none are given; num_gpu's, every offload, depends on the model.
func tuneDefaults() map[string]string {
	return map[string]string{"num_gpu": "", "threads": "1-" + strconv.Itoa(runtime.NumCPU()), "batch": "256,512,1024,2048",
		"ubatch": "128,256,512", "flash_attn": "on,off", "cache_type": "f16,q8_0"}
}

func tuneCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "objective", Value: workflows.ObjectiveTG,
			Usage: "tg or pp (tok/s), ttft (pp time), mixed (pp + tg time) or workflow (both agents' pass over --data, -n tokens a call)"},
		&cli.Int64Flag{Name: "memory-budget", Usage: "MiB a configuration may hold: device memory on a GPU, llama.cpp's buffers on the CPU (0 = no limit)"},
		&cli.IntFlag{Name: "max-trials", Usage: "most configurations to measure (0 = as many as the search takes)"},
		&cli.Uint64Flag{Name: "search-seed", Value: 1, Usage: "orders the candidates the search tries"},
		&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "prompt tokens of the pp test"},
		&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "tokens of the tg test"},
		settingFlag(engine.SettingNamed("num_ctx"), false, engine.SettingNamed("num_ctx").Default()),
		&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a tune-<time>-<random> folder with tune.md, tune.json and pareto.svg"},
	}
	flags = append(flags, axisFlags(tuneSettings, tuneDefaults())...)
	return &cli.Command{
		Name:   "tune",
		Usage:  "find the fastest settings that fit, by measuring: a search with adaptive repetitions, not a full grid",
		Flags:  append(flags, dataFlags()...),
		Action: runTune,
	}
}

func runTune(c *cli.Context) error {
	axes, err := tuneAxes(c)
	if err != nil {
		return err
	}
	// num_ctx is one value, shared by every trial.
	base, err := readSettings(c, "", func(s *engine.Setting) bool { return s.Name == "num_ctx" || tuneSettings(s) && !s.Axis })
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "tune-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	result, err := workflows.Tune(c.Context, setup.db, workflows.TuneOptions{
		Target: target(c), Data: setup.data, Axes: axes, Objective: c.String("objective"), NumCtx: base.Context.NumCtx, NPrompt: c.Int("n-prompt"),
		NGen: c.Int("n-gen"), MemoryBudget: c.Int64("memory-budget") << 20, MaxTrials: c.Int("max-trials"), Seed: c.Uint64("search-seed"),
		UseMmap: base.UseMmap, OutDir: setup.out,
	})
	if result == nil || result.Search == nil {
		return err
	}
	if c.Bool("json") {
		return errors.Join(err, render.WriteJSON(os.Stdout, result))
	}
	fmt.Print(workflows.RenderTune(result, time.Now()))
	printPaths(result.Reports)
	return err
}

// tuneAxes are the lists tune chooses from; without --num-gpu it tries every offload.
func tuneAxes(c *cli.Context) ([]engine.Axis, error) {
	given := tuneSettings
	if !c.IsSet("num-gpu") {
		given = func(s *engine.Setting) bool { return tuneSettings(s) && s.Name != "num_gpu" }
	}
	return readAxes(c, given)
}
