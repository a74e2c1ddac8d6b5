package main

import (
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

func tuneCommand() *cli.Command {
	d := engine.DefaultConfig().Context
	return &cli.Command{
		Name:  "tune",
		Usage: "find the fastest settings that fit, by measuring: a search with adaptive repetitions, not a full grid",
		Flags: append([]cli.Flag{
			modelFlag(),
			&cli.StringFlag{Name: "objective", Value: workflows.ObjectiveTG,
				Usage: "tg or pp (tok/s), ttft (pp time), mixed (pp + tg time) or workflow (both agents' pass over --data, -n tokens a call)"},
			&cli.Int64Flag{Name: "memory-budget", Usage: "MiB a configuration may hold: device memory on a GPU, llama.cpp's buffers on the CPU (0 = no limit)"},
			&cli.IntFlag{Name: "max-trials", Usage: "most configurations to measure (0 = as many as the search takes)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "orders the candidates the search tries"},
			&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "prompt tokens of the pp test"},
			&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "tokens of the tg test"},
			&cli.IntFlag{Name: "num-ctx", Value: d.NumCtx, Usage: "context size of every trial"},
			&cli.StringFlag{Name: "num-gpu", Aliases: []string{"ngl"}, Usage: "offloads to choose from (list; default every one from 0 to all)"},
			&cli.StringFlag{Name: "threads", Aliases: []string{"t"}, Value: "1-" + strconv.Itoa(runtime.NumCPU()), Usage: "thread counts (list)"},
			&cli.StringFlag{Name: "threads-batch", Value: "0", Usage: "prompt-processing thread counts (list; 0 = --threads)"},
			&cli.StringFlag{Name: "batch", Aliases: []string{"b"}, Value: "256,512,1024,2048", Usage: "logical batch sizes (list)"},
			&cli.StringFlag{Name: "ubatch", Aliases: []string{"ub"}, Value: "128,256,512", Usage: "micro-batch sizes (list)"},
			&cli.StringFlag{Name: "flash-attn", Aliases: []string{"fa"}, Value: "on,off", Usage: "flash attention modes (list)"},
			&cli.StringFlag{Name: "cache-type-k", Aliases: []string{"ctk"}, Value: "f16,q8_0", Usage: "KV cache types of the keys (list)"},
			&cli.StringFlag{Name: "cache-type-v", Aliases: []string{"ctv"}, Value: "f16,q8_0", Usage: "KV cache types of the values (list)"},
			&cli.BoolFlag{Name: "no-mmap", Usage: "read the model into memory instead of mapping it"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a tune-<time>-<random> folder with tune.md, tune.json and pareto.svg"},
		}, dataFlags()...),
		Action: runTune,
	}
}

func runTune(c *cli.Context) error {
	axes, err := tuneAxes(c)
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "tune-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	result, err := workflows.Tune(c.Context, setup.db, workflows.TuneOptions{
		Target: target(c), Data: setup.data, Axes: axes, Objective: c.String("objective"), NumCtx: c.Int("num-ctx"), NPrompt: c.Int("n-prompt"),
		NGen: c.Int("n-gen"), MemoryBudget: c.Int64("memory-budget") << 20, MaxTrials: c.Int("max-trials"), Seed: c.Uint64("seed"),
		UseMmap: !c.Bool("no-mmap"), OutDir: setup.out,
	})
	if result == nil || result.Search == nil {
		return err
	}
	if c.Bool("json") {
		if jerr := render.WriteJSON(os.Stdout, result); jerr != nil {
			return jerr
		}
		return err
	}
	fmt.Print(workflows.RenderTune(result, time.Now()))
	printPaths(result.Reports)
	return err
}

func tuneAxes(c *cli.Context) (workflows.TuneAxes, error) {
	var axes workflows.TuneAxes
	var err error
	if c.String("num-gpu") != "" {
		if axes.NumGPU, err = parseNumGPUList(c.String("num-gpu")); err != nil {
			return axes, err
		}
	}
	for name, dest := range map[string]*[]int{"threads": &axes.Threads, "threads-batch": &axes.ThreadsBatch, "batch": &axes.Batch, "ubatch": &axes.UBatch} {
		if *dest, err = parseIntList(name, c.String(name)); err != nil {
			return axes, err
		}
	}
	axes.FlashAttn = splitList(c.String("flash-attn"))
	axes.CacheTypeK, axes.CacheTypeV = splitList(c.String("cache-type-k")), splitList(c.String("cache-type-v"))
	for name, list := range map[string][]string{"flash-attn": axes.FlashAttn, "cache-type-k": axes.CacheTypeK, "cache-type-v": axes.CacheTypeV} {
		if len(list) == 0 {
			return axes, engine.Invalid(fmt.Errorf("--%s needs at least one value", name))
		}
	}
	return axes, nil
}
