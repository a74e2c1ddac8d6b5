package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
)

func benchAxisFlags() []cli.Flag {
	d := engine.DefaultConfig().Context
	// The aliases are llama-bench's names, so its command lines work here.
	return []cli.Flag{
		&cli.StringFlag{Name: "num-gpu", Aliases: []string{"ngl", "n-gpu-layers"}, Value: "all",
			Usage: "layers to offload: a list such as 0,1,10,all (or -1) or a range 0-26+2"},
		&cli.StringFlag{Name: "num-ctx", Value: strconv.Itoa(d.NumCtx), Usage: "context sizes (list)"},
		&cli.StringFlag{Name: "batch", Aliases: []string{"b", "batch-size"}, Value: strconv.Itoa(d.Batch), Usage: "logical batch sizes (list)"},
		&cli.StringFlag{Name: "ubatch", Aliases: []string{"ub", "ubatch-size"}, Value: strconv.Itoa(d.UBatch), Usage: "micro-batch sizes (list)"},
		&cli.StringFlag{Name: "threads", Aliases: []string{"t"}, Value: "0", Usage: "thread counts (list; 0 = all cores)"},
		&cli.StringFlag{Name: "flash-attn", Aliases: []string{"fa"}, Value: d.FlashAttn, Usage: "flash attention modes (list of auto, on, off)"},
		&cli.StringFlag{Name: "cache-type", Value: d.CacheTypeK, Usage: "KV cache types of keys and values (list)"},
		&cli.StringFlag{Name: "cache-type-k", Aliases: []string{"ctk"}, Usage: "KV cache types of the keys (list; default --cache-type)"},
		&cli.StringFlag{Name: "cache-type-v", Aliases: []string{"ctv"}, Usage: "KV cache types of the values (list; default --cache-type)"},
	}
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "llama-bench style prompt-processing (pp) and generation (tg) tests over a grid of settings",
		Flags: append([]cli.Flag{
			modelFlag(),
			&cli.IntFlag{Name: "n-prompt", Aliases: []string{"p"}, Value: 512, Usage: "prompt tokens of the pp test (0 skips it)"},
			&cli.IntFlag{Name: "n-gen", Aliases: []string{"n"}, Value: 128, Usage: "tokens of the tg test (0 skips it)"},
			&cli.StringFlag{Name: "n-depth", Aliases: []string{"d"}, Value: "0", Usage: "tokens already in the KV cache when a test starts, untimed (list)"},
			&cli.IntFlag{Name: "reps", Aliases: []string{"r", "repetitions"}, Value: 5, Usage: "repetitions after the warm-up"},
			&cli.StringFlag{Name: "format", Aliases: []string{"o", "output"}, Value: "table", Usage: strings.Join(workflows.BenchFormats, ", ")},
			&cli.BoolFlag{Name: "no-mmap", Usage: "read the model into memory instead of mapping it"},
		}, benchAxisFlags()...),
		Action: runBench,
	}
}

func runBench(c *cli.Context) error {
	if format := c.String("format"); !slices.Contains(workflows.BenchFormats, format) {
		return engine.Invalid(fmt.Errorf("format must be one of %s, got %q", strings.Join(workflows.BenchFormats, ", "), format))
	}
	axes, err := benchAxes(c)
	if err != nil {
		return err
	}
	depths, err := parseIntList("n-depth", c.String("n-depth"))
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
		UseMmap: !c.Bool("no-mmap"),
	})
	if len(rows) > 0 {
		if werr := workflows.WriteBench(os.Stdout, rows, c.String("format")); werr != nil {
			return werr
		}
	}
	return err
}

func benchAxes(c *cli.Context) (workflows.BenchAxes, error) {
	var axes workflows.BenchAxes
	var err error
	if axes.NumGPU, err = parseNumGPUList(c.String("num-gpu")); err != nil {
		return axes, err
	}
	for name, dest := range map[string]*[]int{"num-ctx": &axes.NumCtx, "batch": &axes.Batch, "ubatch": &axes.UBatch, "threads": &axes.Threads} {
		if *dest, err = parseIntList(name, c.String(name)); err != nil {
			return axes, err
		}
	}
	axes.FlashAttn = splitList(c.String("flash-attn"))
	axes.CacheTypeK, axes.CacheTypeV = splitList(orElse(c, "cache-type-k", "cache-type")), splitList(orElse(c, "cache-type-v", "cache-type"))
	return axes, nil
}

// orElse is the value of the flag name where it was given, else of fallback.
func orElse(c *cli.Context, name, fallback string) string {
	if c.IsSet(name) {
		return c.String(name)
	}
	return c.String(fallback)
}
