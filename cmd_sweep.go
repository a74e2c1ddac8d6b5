package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline"
)

func sweepCommand() *cli.Command {
	d := pipeline.DefaultConfig()
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "workload", Value: pipeline.WorkloadBench, Usage: "bench (pp + tg tests) or agent (the two-agent workflow)"},
		&cli.IntFlag{Name: "runs", Value: 3, Usage: "measured runs per cell, after one excluded warm-up"},
		&cli.StringFlag{Name: "rank-by", Value: pipeline.RankDecode, Usage: "decode, ttft or workflow"},
		&cli.StringFlag{Name: "num-gpu", Value: "all", Usage: "layers to offload (list, ranges, all)"},
		&cli.StringFlag{Name: "num-ctx", Value: strconv.Itoa(d.Context.NumCtx), Usage: "context sizes (list)"},
		&cli.StringFlag{Name: "temp", Value: decimalFlag(d.Sampling.Temperature), Usage: "temperatures (list)"},
		&cli.StringFlag{Name: "top-p", Value: decimalFlag(d.Sampling.TopP), Usage: "top-p values (list)"},
		&cli.StringFlag{Name: "top-k", Value: strconv.Itoa(d.Sampling.TopK), Usage: "top-k values (list)"},
		&cli.StringFlag{Name: "repeat-penalty", Value: decimalFlag(d.Sampling.RepeatPenalty), Usage: "repeat penalties (list)"},
		&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "bench workload: prompt tokens of the pp test"},
		&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "bench workload: tokens of the tg test"},
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for sweep-<time>/ with CSV, JSON, ranking and SVG charts"},
	}
	base := configFlags("", "")
	for _, f := range base {
		if !contains(sweepAxisFlags, f.Names()[0]) {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:   "sweep",
		Usage:  "measure every combination of settings and rank them, with significance of the lead",
		Flags:  append(flags, dataFlags()...),
		Action: runSweep,
	}
}

func decimalFlag(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }

func runSweep(c *cli.Context) error {
	opts, err := sweepOptions(c)
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	initEngine(c)
	out, err := newRunDir(c.String("out"), "sweep-")
	if err != nil {
		return err
	}
	result, err := pipeline.Sweep(c.Context, db, opts)
	if result == nil {
		return err
	}
	pipeline.WriteRanking(os.Stdout, result, false)
	paths, werr := pipeline.WriteSweepFiles(out, result)
	for _, p := range paths {
		fmt.Println("  ", p)
	}
	if err != nil {
		return err
	}
	return werr
}

func sweepOptions(c *cli.Context) (pipeline.SweepOptions, error) {
	opts := pipeline.SweepOptions{
		ModelRef: c.String("model"), Source: modelSource(c), Base: readNonAxisConfig(c, ""), Workload: c.String("workload"),
		Runs: c.Int("runs"), RankBy: c.String("rank-by"), NPrompt: c.Int("n-prompt"), NGen: c.Int("n-gen"),
		DataDirs: c.StringSlice("data"), Limits: limits(c), CommandLine: strings.Join(os.Args, " "),
		Log: os.Stderr, Progress: os.Stderr,
	}
	a := &opts.Axes
	var err error
	if a.NumGPU, err = parseNumGPUList(c.String("num-gpu")); err != nil {
		return opts, err
	}
	for name, dest := range map[string]*[]int{"num-ctx": &a.NumCtx, "top-k": &a.TopK} {
		if *dest, err = parseIntList(name, c.String(name)); err != nil {
			return opts, err
		}
	}
	for name, dest := range map[string]*[]float64{"temp": &a.Temperature, "top-p": &a.TopP, "repeat-penalty": &a.RepeatPenalty} {
		if *dest, err = parseFloatList(name, c.String(name)); err != nil {
			return opts, err
		}
	}
	return opts, nil
}
