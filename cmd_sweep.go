package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
)

func sweepCommand() *cli.Command {
	flags := append([]cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "workload", Value: workflows.WorkloadBench, Usage: "bench (pp and tg tests) or agent (the two-agent workflow)"},
		&cli.IntFlag{Name: "runs", Aliases: []string{"r", "repetitions"}, Value: 3, Usage: "measured runs per cell, after one excluded warm-up"},
		&cli.StringFlag{Name: "rank-by", Value: workflows.RankDecode, Usage: "decode (tok/s), ttft or workflow (time, agent workload)"},
		&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "bench workload: prompt tokens of the pp test (its time is the TTFT)"},
		&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "bench workload: tokens of the tg test (its rate is the decode tok/s)"},
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a sweep-<time>-<random> folder with CSV, JSON, the ranking and SVG charts"},
	}, axisFlags(func(*engine.Setting) bool { return true }, nil)...)
	return &cli.Command{
		Name:   "sweep",
		Usage:  "measure every combination of settings, rank them and say whether each lead is significant",
		Flags:  append(flags, dataFlags()...),
		Action: runSweep,
	}
}

func runSweep(c *cli.Context) error {
	opts, err := sweepOptions(c)
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "sweep-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	opts.Data, opts.OutDir = setup.data, setup.out
	result, err := workflows.Sweep(c.Context, setup.db, opts)
	if result == nil {
		return err
	}
	return errors.Join(err, printSweep(result, setup.out))
}

// printSweep prints the ranking and writes the sweep's files, also for an interrupted sweep.
func printSweep(r *workflows.SweepResult, dir string) error {
	if err := workflows.WriteRanking(os.Stdout, r, false); err != nil {
		return err
	}
	fmt.Printf("sweep run %d: %s\n", r.RunID, r.Status)
	paths, err := workflows.WriteSweepFiles(dir, r)
	printPaths(paths)
	return err
}

func sweepOptions(c *cli.Context) (workflows.SweepOptions, error) {
	axes, err := readAxes(c, func(*engine.Setting) bool { return true })
	if err != nil {
		return workflows.SweepOptions{}, err
	}
	base, err := readSettings(c, "", notAxis)
	if err != nil {
		return workflows.SweepOptions{}, err
	}
	return workflows.SweepOptions{
		Target: target(c), Base: base, Axes: axes, Workload: c.String("workload"), Runs: c.Int("runs"),
		RankBy: c.String("rank-by"), NPrompt: c.Int("n-prompt"), NGen: c.Int("n-gen"),
	}, nil
}
