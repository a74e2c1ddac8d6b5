package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"chimera/examples"
	"chimera/pipeline/agents"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/pipeline/workflows"
	"chimera/store"
)

func dataFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "data", Aliases: []string{"d"}, Usage: "artifact directory (repeatable; default: the example artifacts built into chimera)"},
		&cli.Int64Flag{Name: "max-file-bytes", Value: artifacts.DefaultMaxFileBytes, Usage: "skip artifact files larger than this"},
		&cli.IntFlag{Name: "max-files", Value: artifacts.DefaultMaxFiles, Usage: "stop reading after this many files"},
	}
}

// dataDirs are the --data directories or, without any, the example artifacts built into the binary, copied into
// the cache.
func dataDirs(c *cli.Context) ([]string, error) {
	if c.IsSet("data") {
		return c.StringSlice("data"), nil
	}
	dir, err := artifacts.ExampleArtifacts(examples.Artifacts(), readGlobals(c).CacheDir)
	if err != nil {
		return nil, fmt.Errorf("example artifacts: %w", err)
	}
	return []string{dir}, nil
}

func limits(c *cli.Context) artifacts.Limits {
	return artifacts.Limits{MaxFileBytes: c.Int64("max-file-bytes"), MaxFiles: c.Int("max-files")}
}

func runCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "agent", Value: "both", Usage: "collector, insight or both"},
		&cli.IntFlag{Name: "runs", Value: 1, Usage: "repetitions of the whole workflow"},
		&cli.BoolFlag{Name: "warmup", Usage: "run one warm-up pass of the agents before the measured ones, recorded and left out of every statistic"},
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "report directory (a run-<time>-<random> folder is created inside)"},
		&cli.BoolFlag{Name: "json", Usage: "print the run's metrics as JSON"},
	}
	flags = append(append(flags, dataFlags()...), configFlags()...)
	return &cli.Command{
		Name:   "run",
		Usage:  "run the DataCollector-9000 and InsightAgent workflow over benchmark artifacts",
		Flags:  flags,
		Action: runWorkflow,
	}
}

func runWorkflow(c *cli.Context) error {
	cfg, err := readConfig(c, "")
	if err != nil {
		return err
	}
	agents, err := agents.SelectAgents(c.String("agent"))
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "run-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	result, err := workflows.Run(c.Context, setup.db, workflows.RunOptions{
		Target: target(c), Data: setup.data, Config: cfg, Agents: agents, Runs: c.Int("runs"), Warmup: c.Bool("warmup"),
		OutDir: setup.out,
	})
	if result != nil {
		err = errors.Join(err, printRunSummary(c, result))
	}
	return err
}

// runSetup is what every measuring command needs before it starts.
type runSetup struct {
	db   *store.DB
	out  string         // the run's own output folder
	data workflows.Data // the artifact directories and how much of them to read
}

// prepareRun finds the artifact directories, creates the output folder, opens the store and starts the engine.
func prepareRun(c *cli.Context, prefix string) (*runSetup, error) {
	data, err := dataDirs(c)
	if err != nil {
		return nil, err
	}
	out := newRunDir(c.String("out"), prefix)
	db, err := openStore(c)
	if err != nil {
		return nil, err
	}
	initEngine(c)
	return &runSetup{db: db, out: out, data: workflows.Data{DataDirs: data, Limits: limits(c)}}, nil
}

// newRunDir names a fresh folder under the output directory, by prefix, time and a random suffix, so that runs
// never overwrite each other. The workflow creates it once everything else has been checked.
func newRunDir(parent, prefix string) string {
	return filepath.Join(parent, prefix+time.Now().Format("20060102-150405")+"-"+rand.Text()[:8])
}

func printRunSummary(c *cli.Context, r *workflows.RunResult) error {
	if c.Bool("json") {
		return render.WriteJSON(os.Stdout, r)
	}
	t := render.NewTable("agent", "rep", "analysis s", "report s", "decode tok/s", "ttft ms", "tokens", "grounded")
	for _, a := range r.Agents {
		totals := a.Totals()
		t.Addf("%s\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t%d\t%d/%d", a.Agent.Name, a.Repetition, a.Stages.AnalysisMS/1000,
			a.Stages.ReportMS/1000, totals.DecodeTPS, totals.MeanTTFTMS, totals.GenTokens, a.Grounding.Grounded, a.Grounding.Numbers)
	}
	if err := t.WriteText(os.Stdout); err != nil {
		return err
	}
	fmt.Printf("run %d: %s\n", r.RunID, r.Status)
	printPaths(r.Reports)
	return nil
}

func factsCommand() *cli.Command {
	return &cli.Command{
		Name:  "facts",
		Usage: "print the inventory and the facts computed from artifact directories (no LLM)",
		Flags: append(dataFlags(), &cli.BoolFlag{Name: "json", Usage: "print JSON"}),
		Action: func(c *cli.Context) error {
			data, err := dataDirs(c)
			if err != nil {
				return err
			}
			inv, err := artifacts.Ingest(data, limits(c))
			if err != nil {
				return engine.Invalid(err)
			}
			report := artifacts.BuildFacts(inv)
			if c.Bool("json") {
				return render.WriteJSON(os.Stdout, report)
			}
			return artifacts.WriteFactsText(os.Stdout, report)
		},
	}
}
