package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline"
)

func multiCommand() *cli.Command {
	flags := []cli.Flag{
		modelFlag(),
		&cli.StringFlag{Name: "out", Value: "chimera-out", Usage: "directory for multi-<time>/ with the reports and metrics.json"},
	}
	flags = append(flags, dataFlags()...)
	flags = append(flags, configFlags("chimera-", "chimera:")...)
	flags = append(flags, configFlags("chimera2-", "second chimera (chimera-hetero):")...)
	return &cli.Command{
		Name:      "multi",
		Usage:     "run the two agents solo and then concurrently, and measure the real speedup and each agent's slowdown",
		ArgsUsage: "[options] " + strings.Join(pipeline.Scenarios, "|"),
		Flags:     flags,
		Action:    runMulti,
	}
}

func runMulti(c *cli.Context) error {
	if c.Args().Len() > 1 {
		return &usageError{fmt.Errorf("options go before the scenario: chimera multi [options] %s", c.Args().First())}
	}
	scenario := c.Args().First()
	if scenario == "" {
		scenario = pipeline.ScenarioBaselineVsChimera
	}
	a, b, err := multiConfigs(c, scenario)
	if err != nil {
		return err
	}
	db, out, err := prepareRun(c, "multi-")
	if err != nil {
		return err
	}
	defer db.Close()
	result, err := pipeline.Multi(c.Context, db, pipeline.MultiOptions{
		Scenario: scenario, ModelRef: c.String("model"), Source: modelSource(c), ConfigA: a, ConfigB: b,
		DataDirs: c.StringSlice("data"), Limits: limits(c), OutDir: out, CommandLine: strings.Join(os.Args, " "), Log: os.Stderr,
	})
	if err == nil {
		fmt.Print(pipeline.RenderMulti(result))
		for _, p := range result.Reports {
			fmt.Println("  ", p)
		}
	}
	return err
}

// multiConfigs maps a scenario to the agents' configurations: the baseline is chimera's defaults.
func multiConfigs(c *cli.Context, scenario string) (a, b pipeline.Config, err error) {
	chimera, err := readConfig(c, "chimera-")
	if err != nil {
		return a, b, err
	}
	switch scenario {
	case pipeline.ScenarioBaselineVsChimera:
		return pipeline.DefaultConfig(), chimera, nil
	case pipeline.ScenarioChimeraHomo:
		return chimera, chimera, nil
	case pipeline.ScenarioChimeraHetero:
		second, err := readConfig(c, "chimera2-")
		return chimera, second, err
	}
	return a, b, &usageError{fmt.Errorf("scenario must be one of %s, got %q", strings.Join(pipeline.Scenarios, ", "), scenario)}
}
