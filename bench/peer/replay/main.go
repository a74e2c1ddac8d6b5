// Command replay is the Go half of `make bench-peer` (bench/peer/run.sh), chimera against Ollama on the same GGUF:
//
//	replay calls -db DB [-run ID] -url URL -model NAME
//	        replays the calls of chimera run ID (the newest `chimera run`), read from its SQLite database, on the
//	        Ollama server at URL, and
//	        prints what it measured as JSON: each call's exact rendered prompt with the run's options, through
//	        /api/generate with raw and stream on, one after the other, after a preload that is timed apart
//	replay report DIR [DOC]
//	        reads the rounds bench/peer/run.sh wrote into DIR, checks that both sides did equal work, prints the
//	        tables and writes them into DOC between markers (text outside them is kept); exits 1, writing nothing
//	        into DOC, when the work was not equal
//
// It talks to Ollama over HTTP only: no Ollama package is imported.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"chimera/pipeline/render"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/peer/replay:", err)
		os.Exit(1)
	}
}

const usage = "usage: replay calls -db DB [-run ID] -url URL -model NAME | replay report DIR [DOC]"

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "calls":
		return replayCommand(ctx, args[1:], out)
	case "report":
		if len(args) < 2 || len(args) > 3 {
			return errors.New(usage)
		}
		doc := ""
		if len(args) == 3 {
			doc = args[2]
		}
		return reportCommand(out, args[1], doc)
	}
	return fmt.Errorf("unknown command %q; %s", args[0], usage)
}

func replayCommand(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("calls", flag.ContinueOnError)
	db := fs.String("db", "", "chimera's SQLite database")
	runID := fs.Int64("run", 0, "the chimera run whose calls are replayed (default: the newest chimera run)")
	url := fs.String("url", "", "the Ollama server, e.g. http://127.0.0.1:11434")
	model := fs.String("model", "", "the Ollama model name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" || *url == "" || *model == "" {
		return errors.New(usage)
	}
	id, calls, err := readCalls(ctx, *db, *runID)
	if err != nil {
		return err
	}
	result, err := newClient(*url, *model).replay(ctx, calls)
	if err != nil {
		return err
	}
	result.RunID = id
	return render.WriteJSON(out, result)
}
