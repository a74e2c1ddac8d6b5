package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/workflows"
)

func compareCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.IntFlag{Name: "runs", Value: 3, Usage: "measured passes per configuration (interleaved, after one excluded warm-up each)"},
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a compare-<time>-<random> folder with comparison.md and comparison.json"},
	}
	flags = append(flags, dataFlags()...)
	flags = append(flags, sideFlags(side{"baseline-", "baseline"}, side{"chimera-", "chimera"})...)
	return &cli.Command{
		Name:   "compare",
		Usage:  "compare a baseline and a chimera configuration on the agent workflow, with confidence intervals and Welch's test",
		Flags:  flags,
		Action: runCompare,
	}
}

func runCompare(c *cli.Context) error {
	baseline, err := readConfig(c, "baseline-")
	if err != nil {
		return err
	}
	chimera, err := readConfig(c, "chimera-")
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "compare-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	result, err := workflows.Compare(c.Context, setup.db, workflows.CompareOptions{
		Target: target(c), Data: setup.data, Baseline: baseline, Chimera: chimera, Runs: c.Int("runs"), OutDir: setup.out,
	})
	if result != nil && len(result.Samples) > 0 {
		fmt.Print(workflows.RenderComparison(result, time.Now()))
		printPaths(result.Reports)
	}
	return err
}

func printPaths(paths []string) {
	for _, p := range paths {
		fmt.Println("  ", p)
	}
}
