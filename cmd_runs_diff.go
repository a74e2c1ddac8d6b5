package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/diff"
	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
)

func runsDiffCommand() *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "compare two runs test by test: means ± sd, B/A, Welch's p-value and a verdict",
		Description: "Matches what both runs measured: bench results (a sweep's through its cells) by their settings and\n" +
			"test, agent passes by their label and stage, warm-ups left out. Verdicts are B's against A's.",
		ArgsUsage: "A B",
		Flags:     []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: diffFormatNames}},
		Action:    diffRuns,
	}
}

const diffFormatNames = "table, md, csv or json"

// diffFormats write a report in the format named by --format.
var diffFormats = map[string]func(io.Writer, *diff.Report) error{
	"table": func(w io.Writer, r *diff.Report) error { return writeDiffTables(w, r, false) },
	"md":    func(w io.Writer, r *diff.Report) error { return writeDiffTables(w, r, true) },
	"csv":   writeDiffCSV,
	"json":  func(w io.Writer, r *diff.Report) error { return render.WriteJSON(w, r) },
}

func diffRuns(c *cli.Context) error {
	ids, err := exactRunIDs(c, 2, "runs diff needs two run ids, A and B")
	if err != nil {
		return err
	}
	write, ok := diffFormats[c.String("format")]
	if !ok {
		return engine.Invalid(fmt.Errorf("format must be %s, got %q", diffFormatNames, c.String("format")))
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.GetRunTree(c.Context, ids[0])
	if err != nil {
		return err
	}
	b, err := db.GetRunTree(c.Context, ids[1])
	if err != nil {
		return err
	}
	report, err := diff.Runs(a, b)
	if err != nil {
		return engine.Invalid(err) // the runs given cannot be compared
	}
	return write(os.Stdout, report)
}

// A section is a titled table of a diff's text or Markdown.
type section struct {
	title string
	table *render.Table
}

func writeDiffTables(w io.Writer, r *diff.Report, markdown bool) error {
	sections := []section{
		{"Runs", runsTable(r)},
		{fmt.Sprintf("B against A (Welch's two-sided t-test, a difference at p < %g)", stats.SignificanceLevel), rowsTable(r)},
	}
	if len(r.OnlyInA) > 0 {
		sections = append(sections, section{fmt.Sprintf("Only in A (run %d)", r.A.ID), unmatchedTable(r, r.OnlyInA)})
	}
	if len(r.OnlyInB) > 0 {
		sections = append(sections, section{fmt.Sprintf("Only in B (run %d)", r.B.ID), unmatchedTable(r, r.OnlyInB)})
	}
	for i, s := range sections {
		if err := writeSection(w, s, markdown, i > 0); err != nil {
			return err
		}
		if i == 0 {
			if err := writeNotes(w, r, markdown); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeNotes writes under the runs' table each warning, and the settings every bench configuration shares, which
// the tables leave out, on a line of its own.
func writeNotes(w io.Writer, r *diff.Report, markdown bool) error {
	notes := make([]string, 0, len(r.Warnings)+1)
	for _, warning := range r.Warnings {
		notes = append(notes, label("warning", markdown)+warning)
	}
	if len(r.SharedSettings) > 0 {
		notes = append(notes, label("every bench configuration has", markdown)+r.SharedSettings.String())
	}
	for _, note := range notes {
		if _, err := fmt.Fprintln(w, note); err != nil {
			return err
		}
	}
	if markdown && len(notes) > 0 {
		_, err := fmt.Fprintln(w)
		return err
	}
	return nil
}

// label starts a note: "warning: ", "**Warning:** " in Markdown.
func label(name string, markdown bool) string {
	if markdown {
		return "**" + strings.ToUpper(name[:1]) + name[1:] + ":** "
	}
	return name + ": "
}

// writeSection writes s, after a blank line where it follows another in text; a Markdown table ends with one.
func writeSection(w io.Writer, s section, markdown, follows bool) error {
	var err error
	switch {
	case markdown:
		_, err = fmt.Fprintf(w, "**%s**\n\n", s.title)
	case follows:
		_, err = fmt.Fprintf(w, "\n%s:\n", s.title)
	default:
		_, err = fmt.Fprintf(w, "%s:\n", s.title)
	}
	if err != nil {
		return err
	}
	return s.table.Write(w, markdown)
}

func runsTable(r *diff.Report) *render.Table {
	t := render.NewTable("", "run", "kind", "status", "model", "host", "gpus", "started", "build")
	for _, side := range []struct {
		name string
		info diff.RunInfo
	}{{"A", r.A}, {"B", r.B}} {
		i := side.info
		t.Add(side.name, strconv.FormatInt(i.ID, 10), string(i.Kind), string(i.Status), i.Model, i.Host,
			cmp.Or(i.GPUs, "none"), i.StartedAt.Local().Format(listedTime), i.Build)
	}
	return t
}

func rowsTable(report *diff.Report) *render.Table {
	t := render.NewTable("configuration", "test", "metric", "A", "B", "B/A", "Δ %", "p", "verdict").AlignRight(3, 4, 5, 6, 7)
	for _, r := range report.Rows {
		t.Add(report.Named(r.Key), r.Test, r.Metric.Name, summaryCell(r.A), summaryCell(r.B), numberCell("%.3f", r.Ratio),
			numberCell("%+.1f", r.DeltaPct), numberCell("%.3g", r.P), string(r.Verdict))
	}
	return t
}

func unmatchedTable(report *diff.Report, unmatched []diff.Unmatched) *render.Table {
	t := render.NewTable("configuration", "test", "metric", "mean ± sd (n)").AlignRight(3)
	for _, u := range unmatched {
		t.Add(report.Named(u.Key), u.Test, u.Metric.Name, summaryCell(u.Summary))
	}
	return t
}

func summaryCell(s stats.Summary) string { return fmt.Sprintf("%.2f ± %.2f (%d)", s.Mean, s.SD, s.N) }

// numberCell formats n, or a dash where it is undefined.
func numberCell(format string, n diff.Number) string {
	if !n.Finite() {
		return "–"
	}
	return fmt.Sprintf(format, float64(n))
}

// writeDiffCSV writes one row per series with plain numbers: the matched, then those only in A, then only in B,
// whose verdict says so and whose other side is empty.
func writeDiffCSV(w io.Writer, r *diff.Report) error {
	t := render.NewTable("configuration", "test", "metric", "higher_is_faster", "a_n", "a_mean", "a_sd", "b_n", "b_mean",
		"b_sd", "ratio", "delta_pct", "p", "verdict")
	for _, row := range r.Rows {
		t.Add(csvRow(row.Key, csvSummary(row.A), csvSummary(row.B), csvNumber(row.Ratio), csvNumber(row.DeltaPct),
			csvNumber(row.P), string(row.Verdict))...)
	}
	noSummary := make([]string, 3)
	for _, u := range r.OnlyInA {
		t.Add(csvRow(u.Key, csvSummary(u.Summary), noSummary, "", "", "", "only in A")...)
	}
	for _, u := range r.OnlyInB {
		t.Add(csvRow(u.Key, noSummary, csvSummary(u.Summary), "", "", "", "only in B")...)
	}
	return csv.NewWriter(w).WriteAll(append([][]string{t.Header}, t.Rows...))
}

func csvRow(key diff.Key, a, b []string, figures ...string) []string {
	return slices.Concat([]string{key.Configuration, key.Test, key.Metric.Name, strconv.FormatBool(key.Metric.HigherIsFaster)},
		a, b, figures)
}

func csvSummary(s stats.Summary) []string {
	return []string{strconv.Itoa(s.N), csvFloat(s.Mean), csvFloat(s.SD)}
}

// csvNumber is n, or empty where it is undefined.
func csvNumber(n diff.Number) string {
	if !n.Finite() {
		return ""
	}
	return csvFloat(float64(n))
}

func csvFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
