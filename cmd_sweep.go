package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
	"chimera/store"
)

func sweepCommand() *cli.Command {
	flags := append([]cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "workload", Value: workflows.WorkloadBench, Usage: "bench (pp and tg tests) or agent (the two-agent workflow)"},
		&cli.IntFlag{Name: "runs", Aliases: []string{"r", "repetitions"}, Value: 3, Usage: "measured runs per cell, after one excluded warm-up"},
		&cli.StringFlag{Name: "rank-by", Value: workflows.RankDecode, Usage: "decode (tok/s), ttft or workflow (time, agent workload)"},
		&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "bench workload: prompt tokens of the pp test (its time is the TTFT)"},
		&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "bench workload: tokens of the tg test (its rate is the decode tok/s)"},
		outFlag(),
		shardFlag("sweep collect"),
		&cli.BoolFlag{Name: "rerun-missing", Usage: "with --shard: measure only the shard's cells that no run of it in the DB... arguments finished (a shard killed half-way)"},
	}, axisFlags(func(*engine.Setting) bool { return true }, nil)...)
	return &cli.Command{
		Name:      "sweep",
		Usage:     "measure every combination of settings, rank them and say whether each lead is significant",
		ArgsUsage: "[--rerun-missing DB...]",
		Flags:     append(flags, dataFlags()...),
		Action:    runSweep,
		Subcommands: []*cli.Command{{
			Name:      "collect",
			Usage:     "join the shards of one sweep (their databases or exports) into one sweep run, ranked as if measured in one place",
			ArgsUsage: "DB...",
			Flags:     []cli.Flag{outFlag(), allowMissingFlag("the cells no shard finished (named as missing)")},
			Action:    runSweepCollect,
		}},
	}
}

// shardFlag is --shard K/N of a command whose parts joinedBy joins.
func shardFlag(joinedBy string) cli.Flag {
	return &cli.StringFlag{Name: "shard", Usage: "measure only part `K/N`, the K-th of N parts of the grid's distinct configurations (one box of a fleet); " + joinedBy + " joins the parts"}
}

// readShard reads --shard, the zero Shard where it is not given.
func readShard(c *cli.Context) (workflows.Shard, error) {
	if !c.IsSet("shard") {
		return workflows.Shard{}, nil
	}
	return workflows.ParseShard(c.String("shard"))
}

func allowMissingFlag(missing string) cli.Flag {
	return &cli.BoolFlag{Name: "allow-missing", Usage: "record what the shards finished, without " + missing + ", instead of refusing it"}
}

func outFlag() cli.Flag {
	return &cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a sweep-<time>-<random> folder with CSV, JSON, the ranking and SVG charts"}
}

func runSweepCollect(c *cli.Context) error {
	result, err := runCollect(c, "sweep collect", workflows.CollectSweep)
	if err != nil {
		return err
	}
	return printSweep(result, newRunDir(c.String("out"), "sweep-"))
}

// runCollect runs the collect command named command: collect, given its options, into the database.
func runCollect[T any](c *cli.Context, command string, collect func(context.Context, *store.DB, workflows.CollectOptions) (T, error)) (T, error) {
	var none T
	if c.NArg() == 0 {
		return none, engine.Invalid(fmt.Errorf("%s needs the shards' databases (or exports) as arguments", command))
	}
	db, err := openStore(c)
	if err != nil {
		return none, err
	}
	defer db.Close()
	return collect(c.Context, db, workflows.CollectOptions{Files: c.Args().Slice(), Limits: store.DefaultImportLimits,
		CommandLine: strings.Join(os.Args, " "), AllowMissing: c.Bool("allow-missing")})
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
	shard, err := readShard(c)
	if err != nil {
		return workflows.SweepOptions{}, err
	}
	if c.Bool("rerun-missing") != (c.NArg() > 0) {
		return workflows.SweepOptions{}, engine.Invalid(errors.New("sweep takes files only after --rerun-missing, which needs them: the databases of the shard's earlier runs"))
	}
	return workflows.SweepOptions{
		Target: target(c), Base: base, Axes: axes, Workload: c.String("workload"), Runs: c.Int("runs"),
		RankBy: c.String("rank-by"), NPrompt: c.Int("n-prompt"), NGen: c.Int("n-gen"), Shard: shard,
		RerunMissing: c.Args().Slice(), ImportLimits: store.DefaultImportLimits,
	}, nil
}
