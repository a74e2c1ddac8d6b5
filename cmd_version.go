package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/render"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:   "version",
		Usage:  "print the build: chimera's version and commit, the llama.cpp it embeds, Go, cgo flags and backends",
		Flags:  []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: printVersion,
	}
}

// useVersionFlag makes `chimera --version` print what `chimera version` does. The library's default flag has the
// alias -v, which is chimera's --verbose.
func useVersionFlag(app *cli.App) {
	app.Version = engine.CurrentBuild().Version
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the build and exit"}
	cli.VersionPrinter = func(c *cli.Context) {
		if err := printVersion(c); err != nil {
			fmt.Fprintln(os.Stderr, "chimera:", err)
		}
	}
}

func printVersion(c *cli.Context) error {
	initEngine(c)
	build := engine.CurrentBuild()
	if c.Bool("json") {
		return render.WriteJSON(os.Stdout, build)
	}
	_, err := fmt.Println(build)
	return err
}
