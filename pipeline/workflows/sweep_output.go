package workflows

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"chimera/pipeline/engine"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
)

// WriteSweepFiles writes into dir sweep.csv (every run), sweep.json (the result), ranking.md and SVG charts of
// decode tok/s and TTFT against the layers offloaded, one line per num_ctx. It returns the paths written.
func WriteSweepFiles(dir string, r *SweepResult) ([]string, error) {
	if err := checkWritableDir(dir); err != nil {
		return nil, err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"sweep.csv", func(w io.Writer) error { return writeSweepCSV(w, r) }},
		{"sweep.json", func(w io.Writer) error { return render.WriteJSON(w, r) }},
		{"ranking.md", func(w io.Writer) error { return WriteRanking(w, r, true) }},
		{"decode_vs_num_gpu.svg", func(w io.Writer) error { return sweepChart(r, RankDecode).WriteSVG(w) }},
		{"ttft_vs_num_gpu.svg", func(w io.Writer) error { return sweepChart(r, RankTTFT).WriteSVG(w) }},
	}
	var paths []string
	for _, f := range files {
		var b strings.Builder
		if err := f.write(&b); err != nil {
			return paths, err
		}
		path := filepath.Join(dir, f.name)
		if err := render.WriteFileAtomic(path, []byte(b.String())); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

var metricLabels = map[string]string{RankDecode: "decode tok/s", RankTTFT: "TTFT ms", RankWorkflow: "workflow ms"}

// WriteRanking prints the measured cells best first, with the axes that vary, then notes on what the numbers
// are, duplicates, the machine and the model loads. markdown selects a Markdown table instead of aligned text.
func WriteRanking(w io.Writer, r *SweepResult, markdown bool) error {
	varied := variedAxes(r.Cells, r.Workload)
	header := []string{"rank", "cell"}
	for _, a := range varied {
		header = append(header, a.Name)
	}
	hosts := slices.ContainsFunc(r.Cells, func(c SweepCell) bool { return c.Host != "" })
	if hosts {
		header = append(header, "host")
	}
	header = append(header, "layers", metricLabels[r.RankBy]+" mean ± sd", "n", "lead over next")
	t := render.NewTable(header...)
	for i, k := range r.Ranking {
		c := r.Cells[k.Cell-1]
		row := []string{strconv.Itoa(i + 1), strconv.Itoa(k.Cell)}
		for _, a := range varied {
			row = append(row, a.Get(c.Config))
		}
		if hosts {
			row = append(row, c.Host)
		}
		t.Add(append(row, strconv.Itoa(c.GPULayers), fmt.Sprintf("%.2f ± %.2f", k.Mean, k.SD), strconv.Itoa(k.N),
			leadText(k, i == len(r.Ranking)-1))...)
	}
	if err := t.Write(w, markdown); err != nil {
		return err
	}
	if !markdown {
		fmt.Fprintln(w) // the Markdown table ends with its blank line
	}
	_, err := io.WriteString(w, sweepNotes(r))
	return err
}

func leadText(k Ranked, last bool) string {
	switch {
	case last:
		return "-"
	case k.PNext == nil:
		return "untested (needs 2+ runs with spread)"
	case k.Significant:
		return fmt.Sprintf("significant (p=%.2g)", *k.PNext)
	}
	return fmt.Sprintf("not significant (p=%.2g)", *k.PNext)
}

// sweepNotes are one "- " line each: what the numbers are, the settings common to every cell, the machine,
// duplicates and the model loads, which no cell's numbers include.
func sweepNotes(r *SweepResult) string {
	var notes []string
	if r.Workload == WorkloadBench {
		notes = append(notes, "bench workload: decode tok/s is the tg test's rate and TTFT the pp test's time, on random tokens "+
			"without sampling, so temperature, top_p, top_k and repeat_penalty do not apply")
	} else {
		notes = append(notes, "agent workload: per pass of both agents, decode tok/s pooled over the calls, TTFT their mean, workflow the wall time")
	}
	if note := shardNote(r); note != "" {
		notes = append(notes, note)
	}
	if earlier := measuredEarlier(r.Cells); len(earlier) > 0 {
		notes = append(notes, fmt.Sprintf("cells %s: finished by an earlier run of this shard, not measured again (--rerun-missing)",
			strings.Join(earlier, ", ")))
	}
	if fixed := fixedSettings(r.Cells, r.Workload); fixed != "" {
		notes = append(notes, "every cell: "+fixed)
	}
	if !r.HasGPU {
		notes = append(notes, "no GPU on this machine: every num_gpu value offloads 0 layers")
	}
	if i := slices.IndexFunc(r.Cells, func(c SweepCell) bool {
		return offloadsBatchWork(c.GPULayers, r.HasGPU, c.Config.Context.NoOpOffload)
	}); i >= 0 {
		notes = append(notes, fmt.Sprintf("cell %d: %s", i+1, opOffloadNote))
	}
	notes = append(notes, duplicateNotes(r.Cells)...)
	for i, c := range r.Cells {
		if c.Error != "" {
			notes = append(notes, fmt.Sprintf("cell %d (%s) not measured: %s", i+1, engine.Describe(c.Config, variedAxes(r.Cells, r.Workload)), c.Error))
		}
	}
	for _, l := range r.Loads {
		notes = append(notes, fmt.Sprintf("model load for %d GPU layers: %.0f ms (%d offloaded), not part of any run", l.NumGPU, l.LoadMS, l.OffloadedLayers))
	}
	return "- " + strings.Join(notes, "\n- ") + "\n"
}

// shardNote says which sweep a shard is part of and which cells it leaves to the others, or that a sweep was
// collected from shards.
func shardNote(r *SweepResult) string {
	switch {
	case r.Shard != nil && r.Shard.N == 1:
		return fmt.Sprintf("shard 1/1 of sweep %s: every cell", r.SweepID)
	case r.Shard != nil:
		return fmt.Sprintf("shard %s of sweep %s: cells %s are measured by the other shards", r.Shard, r.SweepID,
			strings.Join(otherShardsCells(r.Cells, r.Shard.K), ", "))
	case r.SweepID != "":
		return fmt.Sprintf("sweep %s, collected from its shards: each cell measured on the host named", r.SweepID)
	}
	return ""
}

// fixedSettings names the relevant settings every cell shares.
func fixedSettings(cells []SweepCell, workload string) string {
	fixed := slices.DeleteFunc(relevantAxes(workload), func(a *engine.Setting) bool { return axisVaries(a, cells) })
	return engine.Describe(cells[0].Config, fixed)
}

// duplicateNotes say, per measured cell, which cells had its effective settings and were not run again.
func duplicateNotes(cells []SweepCell) []string {
	repeats := map[int][]string{}
	for i, c := range cells {
		if c.DuplicateOf > 0 {
			repeats[c.DuplicateOf] = append(repeats[c.DuplicateOf], strconv.Itoa(i+1))
		}
	}
	var notes []string
	for i := range cells {
		switch dups := repeats[i+1]; len(dups) {
		case 0:
		case 1:
			notes = append(notes, fmt.Sprintf("cell %s has the effective settings of cell %d (%d layers offloaded): run once, as cell %d",
				dups[0], i+1, cells[i].GPULayers, i+1))
		default:
			notes = append(notes, fmt.Sprintf("cells %s have the effective settings of cell %d (%d layers offloaded): run once, as cell %d",
				strings.Join(dups, ", "), i+1, cells[i].GPULayers, i+1))
		}
	}
	return notes
}

// writeSweepCSV writes one row per run of each measured cell and one row, without measurements, per duplicate.
func writeSweepCSV(w io.Writer, r *SweepResult) error {
	cw := csv.NewWriter(w)
	header := []string{"cell", "run_id", "run"}
	for _, a := range axisSettings() {
		header = append(header, a.Name)
	}
	cw.Write(append(header, "num_gpu_effective", "decode_tps", "ttft_ms", "workflow_ms", "duplicate_of"))
	for i, c := range r.Cells {
		settings := make([]string, 0, len(axisSettings())+1)
		for _, a := range axisSettings() {
			settings = append(settings, a.Get(c.Config))
		}
		settings = append(settings, strconv.Itoa(c.GPULayers))
		if c.DuplicateOf > 0 {
			cw.Write(slices.Concat([]string{strconv.Itoa(i + 1), "", ""}, settings, []string{"", "", "", strconv.Itoa(c.DuplicateOf)}))
			continue
		}
		for run := range max(len(c.DecodeTPS), len(c.TTFTMS)) {
			cw.Write(slices.Concat([]string{strconv.Itoa(i + 1), strconv.FormatInt(c.RunID, 10), strconv.Itoa(run + 1)}, settings,
				[]string{sampleAt(c.DecodeTPS, run), sampleAt(c.TTFTMS, run), sampleAt(c.WorkflowMS, run), ""}))
		}
	}
	cw.Flush()
	return cw.Error()
}

// sampleAt formats xs[i], or is empty where a run did not measure it (an interrupted cell, a bench workload's
// workflow time).
func sampleAt(xs []float64, i int) string {
	if i >= len(xs) {
		return ""
	}
	return strconv.FormatFloat(xs[i], 'f', 3, 64)
}

// sweepChart plots a metric's mean ± sd against the layers offloaded, one line per num_ctx. Where other axes
// vary too, each point is the best cell at that num_ctx and offload.
func sweepChart(r *SweepResult, metric string) render.LineChart {
	best := map[int]map[int]stats.Summary{} // num_ctx → layers offloaded → the best cell's samples
	for _, c := range r.Cells {
		xs := c.Metric(metric)
		if c.DuplicateOf > 0 || len(xs) == 0 {
			continue
		}
		numCtx, s := c.Config.Context.NumCtx, stats.Summarize(xs)
		if best[numCtx] == nil {
			best[numCtx] = map[int]stats.Summary{}
		}
		if prior, ok := best[numCtx][c.GPULayers]; !ok || beats(metric == RankDecode, s.Mean, prior.Mean) {
			best[numCtx][c.GPULayers] = s
		}
	}
	chart := render.LineChart{Title: metricLabels[metric] + " vs layers offloaded (num_gpu)", XLabel: "layers offloaded",
		YLabel: metricLabels[metric] + " (mean ± sd)", Subtitle: chartSubtitle(r)}
	for _, numCtx := range slices.Sorted(maps.Keys(best)) {
		series := render.Series{Name: fmt.Sprintf("num_ctx %d", numCtx)}
		for _, layers := range slices.Sorted(maps.Keys(best[numCtx])) {
			s := best[numCtx][layers]
			series.Points = append(series.Points, render.Point{X: float64(layers), Y: s.Mean, SD: s.SD})
		}
		chart.Series = append(chart.Series, series)
	}
	return chart
}

func chartSubtitle(r *SweepResult) string {
	var notes []string
	if !r.HasGPU {
		notes = append(notes, "no GPU: every num_gpu offloads 0 layers")
	}
	if slices.ContainsFunc(variedAxes(r.Cells, r.Workload), func(a *engine.Setting) bool { return a.Name != "num_gpu" && a.Name != "num_ctx" }) {
		notes = append(notes, "best cell at each point")
	}
	return strings.Join(notes, "; ")
}
