package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/store"
)

func runsCommand() *cli.Command {
	return &cli.Command{
		Name:  "runs",
		Usage: "list, show, export, import and diff recorded runs",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list runs, newest first",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "kind", Usage: "only runs of this kind: run, compare, sweep, multi, bench, generate"},
					&cli.StringFlag{Name: "host", Usage: "only runs recorded on this machine"},
					&cli.IntFlag{Name: "limit", Value: 50, Usage: "most runs to list (0 = all)"},
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
				},
				Action: listRuns,
			},
			{
				Name:      "show",
				Usage:     "show one run with its calls, reports and results",
				ArgsUsage: "ID",
				Action:    showRun,
			},
			{
				Name:      "export",
				Usage:     "export runs as JSON or CSV, or for another chimera to import as a SQLite file or JSONL",
				ArgsUsage: "ID... (or --all)",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "all", Usage: "export every run"},
					&cli.StringFlag{Name: "format", Value: "json",
						Usage: "json or csv; sqlite (to --out) or jsonl export the runs with their sweep cells and trials, for runs import"},
					&cli.StringFlag{Name: "out", Usage: "the new file that --format sqlite writes"},
				},
				Action: exportRuns,
			},
			{
				Name:      "import",
				Usage:     "add the runs of files that runs export wrote (sqlite or jsonl), or of another machine's database",
				ArgsUsage: "FILE...",
				Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action:    importRuns,
			},
			runsDiffCommand(),
		},
	}
}

// listedTime is how run listings show a time, in the local zone.
const listedTime = "2006-01-02 15:04:05"

func listRuns(c *cli.Context) error {
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.ListRuns(c.Context, store.ListFilter{Kind: store.RunKind(c.String("kind")), Host: c.String("host"),
		Limit: c.Int("limit")})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return render.WriteJSON(os.Stdout, runs)
	}
	t := render.NewTable("id", "kind", "status", "started", "duration", "calls", "model", "label")
	for _, r := range runs {
		t.Add(strconv.FormatInt(r.ID, 10), string(r.Kind), string(r.Status), r.StartedAt.Local().Format(listedTime),
			r.Duration.Round(time.Millisecond).String(), strconv.Itoa(r.Calls), r.Model, r.Label)
	}
	return t.WriteText(os.Stdout)
}

func showRun(c *cli.Context) error {
	ids, err := exactRunIDs(c, 1, "runs show needs one run id")
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	run, err := db.GetRun(c.Context, ids[0])
	if err != nil {
		return err
	}
	return render.WriteJSON(os.Stdout, run)
}

// exportFormats are the formats runs export writes; sqlite goes to a file, the others to stdout.
var exportFormats = []string{"json", "csv", "jsonl", "sqlite"}

func exportRuns(c *cli.Context) error {
	ids, err := runIDs(c)
	if err != nil {
		return err
	}
	format := c.String("format")
	if !slices.Contains(exportFormats, format) {
		return engine.Invalid(fmt.Errorf("export format must be json, csv, jsonl or sqlite, got %q", format))
	}
	if len(ids) == 0 && !c.Bool("all") {
		return engine.Invalid(fmt.Errorf("runs export needs run ids or --all"))
	}
	if (format == "sqlite") != c.IsSet("out") {
		return engine.Invalid(fmt.Errorf("runs export --format sqlite writes to --out FILE, and only it does"))
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	if format == "sqlite" {
		return db.ExportSQLite(c.Context, c.String("out"), ids)
	}
	return db.Export(c.Context, os.Stdout, ids, format)
}

// importedFile is what runs import did with one file.
type importedFile struct {
	File string `json:"file"`
	store.ImportResult
}

func importRuns(c *cli.Context) error {
	files := c.Args().Slice()
	if len(files) == 0 {
		return engine.Invalid(errors.New("runs import needs the files to import"))
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	var imported []importedFile
	for _, file := range files {
		result, err := db.Import(c.Context, file, store.DefaultImportLimits)
		if err != nil {
			return err
		}
		imported = append(imported, importedFile{file, result})
		if !c.Bool("json") {
			fmt.Printf("%s: %d runs added, %d already here\n", file, result.Added, result.Present)
		}
	}
	if c.Bool("json") {
		return render.WriteJSON(os.Stdout, imported)
	}
	return nil
}

// exactRunIDs reads n run ids, and refuses any other count with the message need.
func exactRunIDs(c *cli.Context, n int, need string) ([]int64, error) {
	ids, err := runIDs(c)
	if err == nil && len(ids) != n {
		err = engine.Invalid(errors.New(need))
	}
	return ids, err
}

func runIDs(c *cli.Context) ([]int64, error) {
	var ids []int64
	for _, arg := range c.Args().Slice() {
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return nil, engine.Invalid(fmt.Errorf("run id must be a number, got %q", arg))
		}
		ids = append(ids, id)
	}
	return ids, nil
}
