// Command report turns the files bench/run.sh collects into the tables of docs/benchmarks/cpu.md, and those of
// bench/facts.sh into docs/benchmarks/facts.md. It is pure Go: of chimera it imports only pipeline/stats and
// pipeline/render, which need no cgo, so building it never touches the llama.cpp build.
//
//	report table DIR [DOC]   print the tables; with DOC, also write them into DOC between the bench markers
//	report line FILE.json    one line for a bench JSON file (chimera bench or llama-bench -o json)
//	report others BASE       the CPU other processes used during the run BASE.{stat,time}
//	report model-path FILE   the model path from `chimera models show --json`
//	report facts DIR [DOC]   bench/facts.sh's results: print them against the goal and, with DOC, write them into
//	                         DOC between the facts markers (see facts.go)
//	report facts-line BASE   one line for one round of chimera facts, BASE.{time,txt}
//
// The results directory (see bench/run.sh):
//
//	meta.env                      key=value lines: machine, build, settings
//	model.json                    chimera models show --json
//	rounds/rNN-RUNNER.{json,log,time,load,stat}
//	                              each benchmark invocation: its JSON rows, stderr, /usr/bin/time -v, the
//	                              1-minute load average when it started, /proc/stat's cpu line before and after
//	extras/generate-N.*           chimera generate --json on a 1,000-token prompt
//	extras/run.*                  chimera run --json
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/report:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: report table DIR [DOC] | report line FILE.json | report others BASE | report model-path FILE | " +
			"report facts DIR [DOC] | report facts-line BASE")
	}
	switch args[0] {
	case "line":
		return printLine(out, args[1])
	case "others":
		printOthers(out, args[1])
		return nil
	case "model-path":
		return printModelPath(out, args[1])
	case "facts-line":
		return printFactsLine(out, args[1])
	case "table", "facts":
		var doc string
		if len(args) > 2 {
			doc = args[2]
		}
		if args[0] == "facts" {
			return printFacts(out, args[1], doc)
		}
		return printTables(out, args[1], doc)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// printLine summarises one benchmark invocation's JSON, for run.sh's progress lines.
func printLine(out io.Writer, path string) error {
	rows, err := readRows(path)
	if err != nil {
		return err
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprintf("%s %.1f tok/s", r.test(), r.AvgTS)
	}
	fmt.Fprintln(out, strings.Join(parts, ", "))
	return nil
}

func printOthers(out io.Writer, base string) {
	u, ok := readUsage(base)
	if !ok {
		fmt.Fprintln(out, "other processes: not measured")
		return
	}
	fmt.Fprintf(out, "other processes %.2f cores, steal %.2f", u.others, u.steal)
}

func printModelPath(out io.Writer, path string) error {
	show, err := readModelShow(path)
	if err != nil {
		return err
	}
	if show.Model.Path == "" {
		return fmt.Errorf("%s: no model path", path)
	}
	fmt.Fprintln(out, show.Model.Path)
	return nil
}

// printTables prints the Markdown of the results in dir and, unless doc is empty, writes it into that document.
func printTables(out io.Writer, dir, doc string) error {
	res, err := load(dir)
	if err != nil {
		return err
	}
	return printPage(out, page, doc, res.markdown())
}
