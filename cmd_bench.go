package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
)

// benchSettings are the settings a bench takes: those of the load and the context.
var benchSettings = inScopes(engine.ScopeLoad, engine.ScopeContext)

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "llama-bench style prompt-processing (pp) and generation (tg) tests over a grid of settings",
		Flags: append([]cli.Flag{
			modelFlag(),
			&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "prompt tokens of the pp test (0 skips it)"},
			&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "tokens of the tg test (0 skips it)"},
			&cli.StringFlag{Name: "n-depth", Aliases: []string{"depth"}, Value: "0", Usage: "tokens already in the KV cache when a test starts, untimed (list)"},
			&cli.IntFlag{Name: "reps", Aliases: []string{"r", "repetitions"}, Value: 5, Usage: "repetitions after the warm-up"},
			formatFlag(),
			shardFlag("bench collect"),
		}, axisFlags(benchSettings, nil)...),
		Action: runBench,
		Subcommands: []*cli.Command{{
			Name:      "collect",
			Usage:     "join the shards of one bench (their databases or exports) into one bench run",
			ArgsUsage: "DB...",
			Flags:     []cli.Flag{formatFlag(), allowMissingFlag("the shards that did not finish")},
			Action:    runBenchCollect,
		}},
	}
}

func formatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"o", "output"}, Value: "table", Usage: strings.Join(workflows.BenchFormats, ", ")}
}

func checkFormat(c *cli.Context) error {
	if format := c.String("format"); !slices.Contains(workflows.BenchFormats, format) {
		return engine.Invalid(fmt.Errorf("format must be one of %s, got %q", strings.Join(workflows.BenchFormats, ", "), format))
	}
	return nil
}

func runBenchCollect(c *cli.Context) error {
	if err := checkFormat(c); err != nil {
		return err
	}
	rows, err := runCollect(c, "bench collect", workflows.CollectBench)
	if err != nil {
		return err
	}
	return workflows.WriteBench(os.Stdout, rows, c.String("format"))
}

func runBench(c *cli.Context) error {
	if err := checkFormat(c); err != nil {
		return err
	}
	shard, err := readShard(c)
	if err != nil {
		return err
	}
	axes, err := readAxes(c, benchSettings)
	if err != nil {
		return err
	}
	base, err := readSettings(c, "", both(benchSettings, notAxis))
	if err != nil {
		return err
	}
	depths, err := engine.ParseCounts("n-depth", c.String("n-depth"))
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	initEngine(c)
	rows, err := workflows.Bench(c.Context, db, workflows.BenchOptions{
		Target: target(c), Axes: axes, NPrompt: c.Int("n-prompt"), NGen: c.Int("n-gen"), NDepth: depths, Reps: c.Int("reps"),
		UseMmap: base.UseMmap, Shard: shard,
	})
	if len(rows) > 0 {
		err = errors.Join(err, workflows.WriteBench(os.Stdout, rows, c.String("format")))
	}
	return err
}
