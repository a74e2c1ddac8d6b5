// Command chimera benchmarks local LLM inference and runs report-writing agents on an embedded llama.cpp.
// This file is wiring only: flags to settings, settings to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
)

// statusInterrupted is the exit status of a run stopped by a signal, the shell's 128 + SIGINT.
const statusInterrupted = 130

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go cancelOnSignals(signals, cancel)
	app := newApp()
	err := app.RunContext(ctx, arrangeArgs(app, os.Args))
	os.Exit(exitStatus(err))
}

// cancelOnSignals cancels the run at the first SIGINT, SIGTERM or SIGHUP (a closed terminal), so that it stops
// between tokens and is recorded as interrupted with what it completed, and exits at the second at once, for a
// process stuck in a system call or inside llama.cpp; the next open of the database marks that run abandoned.
func cancelOnSignals(signals <-chan os.Signal, cancel context.CancelFunc) {
	<-signals
	cancel()
	<-signals
	fmt.Fprintln(os.Stderr, "chimera: second signal: exiting without waiting for the run to stop")
	os.Exit(statusInterrupted)
}

// exitStatus prints err as one line, the errors joined in it separated by "; ": 2 for bad usage or input, 130 for
// an interrupted run, 1 for everything else. Errors are combined one way everywhere: a run's own error first,
// then any failure to write or record what it measured (errors.Join), so that neither hides the other.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "chimera:", strings.ReplaceAll(err.Error(), "\n", "; "))
	if engine.IsInputError(err) {
		return 2
	}
	if errors.Is(err, context.Canceled) {
		return statusInterrupted
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
		tuneCommand(),
		versionCommand(),
	}
}
