package workflows

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
)

// writeTuneFiles writes tune.md, tune.json and pareto.svg into dir, each atomically.
func writeTuneFiles(dir string, r *TuneResult) error {
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"tune.md", func(w io.Writer) error { _, err := io.WriteString(w, RenderTune(r, time.Now())); return err }},
		{"tune.json", func(w io.Writer) error { return render.WriteJSON(w, r) }},
		{"pareto.svg", func(w io.Writer) error { return paretoChart(r).WriteSVG(w) }},
	}
	for _, f := range files {
		var b strings.Builder
		if err := f.write(&b); err != nil {
			return err
		}
		path := filepath.Join(dir, f.name)
		if err := render.WriteFileAtomic(path, []byte(b.String())); err != nil {
			return err
		}
		r.Reports = append(r.Reports, path)
	}
	return nil
}

// RenderTune is the Markdown report of a tune: the answer with its evidence, the cost against the full grid, the
// Pareto front of the objective against memory, and every trial.
func RenderTune(r *TuneResult, date time.Time) string {
	var b strings.Builder
	s := r.Search
	fmt.Fprintf(&b, "# Tune run %d: %s (%s, %s is better)\n\n", r.RunID, r.Objective, r.Unit, betterWord(r.Higher))
	fmt.Fprintf(&b, "**Date:** %s  \n**Model:** %s  \n**Status:** %s\n\n", date.UTC().Format("2006-01-02 15:04:05 UTC"), r.Model, r.Status)
	if !r.HasGPU {
		b.WriteString("> **No GPU:** every num_gpu offloads nothing on this machine, so the offload axis was not searched.\n\n")
	}
	if i := slices.IndexFunc(r.Configs, func(c engine.Config) bool {
		return c.NumGPU == 0 && offloadsBatchWork(0, r.HasGPU, c.Context.NoOpOffload)
	}); i >= 0 {
		fmt.Fprintf(&b, "> **Trial %d:** %s.\n\n", i+1, opOffloadNote)
	}
	if s.Best < 0 {
		b.WriteString("No configuration could be measured.\n\n")
	} else {
		writeBest(&b, r)
	}
	fmt.Fprintf(&b, "## Cost\n\n%d of the grid's %d configurations measured, %d repetitions in all; measuring the full grid "+
		"with the same %d repetitions each would take %d. Memory is %s.\n\n", len(s.Trials), s.GridSize, s.Measurements, 3,
		3*s.GridSize, memoryMeaning(r.HasGPU))
	writePareto(&b, r)
	writeTrials(&b, r)
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	return b.String()
}

func betterWord(higher bool) string {
	if higher {
		return "higher"
	}
	return "lower"
}

func memoryMeaning(hasGPU bool) string {
	if hasGPU {
		return "the device memory a configuration holds (its model load and its context)"
	}
	return "what llama.cpp allocated for a configuration: the model's buffers and its context's KV cache, compute and output buffers"
}

// writeBest gives the answer: the best trial with its interval, its margins over the runner-up and the defaults,
// the trials it ties with, and the flags that reproduce it.
func writeBest(b *strings.Builder, r *TuneResult) {
	s := r.Search
	best := s.Trials[s.Best]
	sum := best.Summary()
	lo, hi := stats.MeanCI95(best.Samples)
	fmt.Fprintf(b, "## Best\n\n**%s**: %.2f ± %.2f %s [95%% CI %.2f, %.2f] (n=%d), %.1f MiB.\n\n", describeTrial(r, s.Best), sum.Mean,
		sum.SD, r.Unit, lo, hi, sum.N, mebibytes(best.MemoryBytes))
	if up := runnerUp(r); up >= 0 {
		fmt.Fprintf(b, "- Against the best other trial, %s: %s.\n", describeTrial(r, up), margin(r, s.Best, up))
	}
	if s.Defaults >= 0 && s.Defaults != s.Best {
		fmt.Fprintf(b, "- Over chimera's defaults, %s: %s.\n", describeTrial(r, s.Defaults), margin(r, s.Best, s.Defaults))
	}
	if len(s.Tied) > 0 {
		tied := make([]string, len(s.Tied))
		for i, t := range s.Tied {
			tied[i] = fmt.Sprintf("trial %d", t+1)
		}
		fmt.Fprintf(b, "- Statistically tied with the best (Welch p ≥ %.2g, so they are as good within the noise; the best is the "+
			"cheaper or the one the search kept): %s.\n", stats.SignificanceLevel, strings.Join(tied, ", "))
	}
	fmt.Fprintf(b, "- Reproduce: `%s`\n\n", engine.Flags(r.Configs[s.Best], searched(r)...))
}

// runnerUp is the usable trial after the best, by the objective; -1 when there is none.
func runnerUp(r *TuneResult) int {
	up := -1
	for i, t := range r.Search.Trials {
		if i == r.Search.Best || !t.Usable() {
			continue
		}
		if up < 0 || beats(r.Higher, stats.Mean(t.Samples), stats.Mean(r.Search.Trials[up].Samples)) {
			up = i
		}
	}
	return up
}

// margin is the best's lead over another trial: Δ % of the other's mean and Welch's p, or that it is a tie.
func margin(r *TuneResult, best, other int) string {
	a, b := r.Search.Trials[best].Samples, r.Search.Trials[other].Samples
	delta := (stats.Mean(a) - stats.Mean(b)) / stats.Mean(b) * 100
	judgement := stats.Judge(b, a, r.Higher)
	verdict := "significant"
	if !judgement.Differs() {
		verdict = "not significant: a tie within the noise"
	}
	return fmt.Sprintf("%+.1f %% (p = %.2g, %s)", delta, judgement.P, verdict)
}

func describeTrial(r *TuneResult, i int) string {
	return fmt.Sprintf("trial %d (%s)", i+1, trialSettings(r, i))
}

// trialSettings names the searched settings of the configuration a trial measured, the same configuration its
// Reproduce flags give.
func trialSettings(r *TuneResult, i int) string { return engine.Describe(r.Configs[i], searched(r)) }

// searched are the settings the search varied.
func searched(r *TuneResult) []*engine.Setting {
	var settings []*engine.Setting
	for _, a := range r.Axes {
		if len(a.Values) > 1 {
			settings = append(settings, engine.SettingNamed(a.Name))
		}
	}
	return settings
}

// paretoFront are the usable trials that no other beats on both the objective and memory, by increasing memory.
func paretoFront(r *TuneResult) []int {
	var usable []int
	for i, t := range r.Search.Trials {
		if t.Usable() {
			usable = append(usable, i)
		}
	}
	slices.SortStableFunc(usable, func(a, b int) int {
		return cmp.Compare(r.Search.Trials[a].MemoryBytes, r.Search.Trials[b].MemoryBytes)
	})
	var front []int
	for _, i := range usable {
		m := stats.Mean(r.Search.Trials[i].Samples)
		if len(front) == 0 || beats(r.Higher, m, stats.Mean(r.Search.Trials[front[len(front)-1]].Samples)) {
			front = append(front, i)
		}
	}
	return front
}

func writePareto(b *strings.Builder, r *TuneResult) {
	b.WriteString("## Pareto front\n\nThe trials no other trial beats on both the objective and memory, cheapest first:\n\n")
	t := render.NewTable("memory MiB", r.Objective+" "+r.Unit+" mean ± sd", "trial").AlignRight(0, 1)
	for _, i := range paretoFront(r) {
		tr := r.Search.Trials[i]
		sum := tr.Summary()
		t.Addf("%.1f\t%.2f ± %.2f\t%s", mebibytes(tr.MemoryBytes), sum.Mean, sum.SD, describeTrial(r, i))
	}
	t.WriteMarkdown(b)
}

func writeTrials(b *strings.Builder, r *TuneResult) {
	b.WriteString("## Trials, in the order measured\n\n")
	t := render.NewTable("#", "settings", r.Unit+" mean ± sd", "n", "rounds", "memory MiB", "outcome")
	for i, tr := range r.Search.Trials {
		sum := tr.Summary()
		t.Addf("%d\t%s\t%.2f ± %.2f\t%d\t%d\t%.1f\t%s", i+1, trialSettings(r, i), sum.Mean, sum.SD, sum.N,
			tr.Rounds, mebibytes(tr.MemoryBytes), trialOutcome(r, i))
	}
	t.WriteMarkdown(b)
}

func trialOutcome(r *TuneResult, i int) string {
	switch {
	case r.Search.Trials[i].Rejected != "":
		return "rejected: " + r.Search.Trials[i].Rejected
	case !r.Search.Trials[i].Usable():
		return "not measured: interrupted"
	case i == r.Search.Best:
		return "best"
	case slices.Contains(r.Search.Tied, i):
		return "tied with the best"
	case i == r.Search.Defaults:
		return "chimera's defaults"
	}
	return ""
}

// paretoChart plots every usable trial's objective against its memory, and the Pareto front through them.
func paretoChart(r *TuneResult) render.LineChart {
	chart := render.LineChart{Title: r.Objective + " vs memory", XLabel: "memory MiB", YLabel: r.Objective + " " + r.Unit + " (mean ± sd)",
		Subtitle: "every trial, and the Pareto front"}
	trials := render.Series{Name: "trials", Scatter: true}
	for _, t := range r.Search.Trials {
		if t.Usable() {
			sum := t.Summary()
			trials.Points = append(trials.Points, render.Point{X: mebibytes(t.MemoryBytes), Y: sum.Mean, SD: sum.SD})
		}
	}
	slices.SortFunc(trials.Points, func(a, b render.Point) int { return cmp.Compare(a.X, b.X) })
	front := render.Series{Name: "Pareto front"}
	for _, i := range paretoFront(r) {
		t := r.Search.Trials[i]
		front.Points = append(front.Points, render.Point{X: mebibytes(t.MemoryBytes), Y: stats.Mean(t.Samples)})
	}
	chart.Series = []render.Series{trials, front}
	return chart
}

func mebibytes(bytes int64) float64 { return float64(bytes) / (1 << 20) }
