package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
)

// multiSides are multi's per-side overrides; each scenario uses two of them.
var multiSides = []side{
	{"baseline-", "baseline (baseline-vs-chimera)"},
	{"chimera-", "chimera"},
	{"chimera2-", "second chimera (chimera-hetero)"},
}

// multiScenarioPrefixes names, per scenario, the flag sets of DataCollector-9000's and InsightAgent's
// configurations.
var multiScenarioPrefixes = map[string][2]string{
	workflows.ScenarioBaselineVsChimera: {"baseline-", "chimera-"},
	workflows.ScenarioChimeraHomo:       {"chimera-", "chimera-"},
	workflows.ScenarioChimeraHetero:     {"chimera-", "chimera2-"},
}

func multiCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for a multi-<time>-<random> folder with the reports and metrics.json"},
	}
	flags = append(flags, dataFlags()...)
	flags = append(flags, sideFlags(multiSides...)...)
	return &cli.Command{
		Name:      "multi",
		Usage:     "run the two agents alone and then at once, and measure the real speedup and each agent's slowdown",
		ArgsUsage: "[options] " + strings.Join(workflows.Scenarios, "|") + " (default " + workflows.ScenarioBaselineVsChimera + ")",
		Flags:     flags,
		Action:    runMulti,
	}
}

func runMulti(c *cli.Context) error {
	if c.Args().Len() > 1 {
		return engine.Invalid(fmt.Errorf("multi takes one scenario, got %q", c.Args().Slice()))
	}
	scenario := c.Args().First()
	if scenario == "" {
		scenario = workflows.ScenarioBaselineVsChimera
	}
	a, b, err := multiConfigs(c, scenario)
	if err != nil {
		return err
	}
	setup, err := prepareRun(c, "multi-")
	if err != nil {
		return err
	}
	defer setup.db.Close()
	result, err := workflows.Multi(c.Context, setup.db, workflows.MultiOptions{
		Target: target(c), Data: setup.data, Scenario: scenario, ConfigA: a, ConfigB: b, OutDir: setup.out,
	})
	switch {
	case err == nil:
		fmt.Print(workflows.RenderMulti(result, time.Now()))
		printPaths(result.Reports)
	case result != nil:
		fmt.Printf("multi run %d: %s; the passes measured are recorded (chimera runs show %d)\n", result.RunID, result.Status, result.RunID)
	}
	return err
}

// multiConfigs reads the two agents' configurations from the scenario's flag sets and refuses settings given
// for a set the scenario does not use, which would otherwise be ignored without a word.
func multiConfigs(c *cli.Context, scenario string) (a, b engine.Config, err error) {
	prefixes, ok := multiScenarioPrefixes[scenario]
	if !ok {
		return a, b, engine.Invalid(fmt.Errorf("scenario must be one of %s, got %q", strings.Join(workflows.Scenarios, ", "), scenario))
	}
	for _, s := range multiSides {
		if s.prefix == prefixes[0] || s.prefix == prefixes[1] {
			continue
		}
		for _, f := range configFlags() {
			if name := s.prefix + f.Names()[0]; c.IsSet(name) {
				return a, b, engine.Invalid(fmt.Errorf("--%s has no effect in scenario %s", name, scenario))
			}
		}
	}
	if a, err = readConfig(c, prefixes[0]); err != nil {
		return a, b, err
	}
	b, err = readConfig(c, prefixes[1])
	return a, b, err
}
