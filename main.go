// Command chimera benchmarks local LLM inference and runs report-writing agents on an embedded llama.cpp.
// This file is wiring only: flags to settings, settings to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := newApp()
	err := app.RunContext(ctx, arrangeArgs(app, os.Args))
	stop()
	os.Exit(exitStatus(err))
}

// exitStatus prints err as one line: 2 for bad usage or input, 1 for everything else.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "chimera:", err)
	if engine.IsInputError(err) {
		return 2
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	return 1
}

func onUsageError(_ *cli.Context, err error, _ bool) error { return engine.Invalid(err) }

func newApp() *cli.App {
	app := &cli.App{
		Name:  "chimera",
		Usage: "offline LLM agent benchmarking on an embedded llama.cpp",
		Description: "chimera loads gemma3 GGUF models in-process (CPU or GPU), times prompt processing and generation\n" +
			"itself, runs report-writing agents over benchmark artifacts and logs every run to SQLite.",
		Flags:          globalFlags(),
		Commands:       commands(),
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {},
		Action:         unknownCommand,
	}
	useVersionFlag(app)
	for _, cmd := range app.Commands {
		setUsageErrorHandler(cmd)
	}
	return app
}

// unknownCommand is what runs when no command matches: help without arguments, bad usage with one.
func unknownCommand(c *cli.Context) error {
	if c.Args().Present() {
		return engine.Invalid(fmt.Errorf("unknown command %q: see chimera --help", c.Args().First()))
	}
	return cli.ShowAppHelp(c)
}

func setUsageErrorHandler(cmd *cli.Command) {
	cmd.OnUsageError = onUsageError
	for _, sub := range cmd.Subcommands {
		setUsageErrorHandler(sub)
	}
}

func commands() []*cli.Command {
	return []*cli.Command{
		generateCommand(),
		runCommand(),
		factsCommand(),
		benchCommand(),
		sweepCommand(),
		compareCommand(),
		multiCommand(),
		runsCommand(),
		modelsCommand(),
		devicesCommand(),
		versionCommand(),
	}
}
