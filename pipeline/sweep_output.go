package pipeline

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteSweepFiles writes sweep.csv (every run), sweep.json, ranking.md and the SVG charts into dir; it returns
// the paths written.
func WriteSweepFiles(dir string, r *SweepResult) ([]string, error) {
	if err := checkWritableDir(dir); err != nil {
		return nil, err
	}
	files := map[string]func(io.Writer) error{
		"sweep.csv":  func(w io.Writer) error { return writeSweepCSV(w, r) },
		"sweep.json": func(w io.Writer) error { return json.NewEncoder(w).Encode(r) },
		"ranking.md": func(w io.Writer) error { return WriteRanking(w, r, true) },
		"decode_vs_num_gpu.svg": func(w io.Writer) error {
			return writeChart(w, r, "decode tok/s", func(c SweepCell) []float64 { return c.DecodeTPS })
		},
		"ttft_vs_num_gpu.svg": func(w io.Writer) error {
			return writeChart(w, r, "TTFT ms", func(c SweepCell) []float64 { return c.TTFTMS })
		},
	}
	var paths []string
	for _, name := range sortedKeys(files) {
		var b strings.Builder
		if err := files[name](&b); err != nil {
			return paths, err
		}
		path := filepath.Join(dir, name)
		if err := writeFileAtomic(path, []byte(b.String())); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteRanking prints the ranked cells; markdown selects a Markdown table instead of aligned text.
func WriteRanking(w io.Writer, r *SweepResult, markdown bool) error {
	unit := map[string]string{RankDecode: "decode tok/s", RankTTFT: "TTFT ms", RankWorkflow: "workflow ms"}[r.RankBy]
	header := []string{"rank", "cell", "num_gpu", "layers", "num_ctx", "temp", "top_p", "top_k", "repeat_penalty", unit + " (mean ± sd)", "n", "lead over next"}
	var rows [][]string
	for i, k := range r.Ranking {
		c := r.Cells[k.Cell-1]
		lead := "-"
		if i+1 < len(r.Ranking) {
			lead = fmt.Sprintf("p=%.3g %s", k.PNext, map[bool]string{true: "significant", false: "not significant"}[k.Significant])
		}
		s := c.Config.Sampling
		rows = append(rows, []string{strconv.Itoa(i + 1), strconv.Itoa(k.Cell), NumGPULabel(c.Config.NumGPU), strconv.Itoa(c.GPULayers),
			strconv.Itoa(c.Config.Context.NumCtx), decimal(s.Temperature), decimal(s.TopP), strconv.Itoa(s.TopK),
			decimal(s.RepeatPenalty), fmt.Sprintf("%.2f ± %.2f", k.Mean, k.SD), strconv.Itoa(k.N), lead})
	}
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, row := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(header, "\t")))
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	writeDuplicateNotes(w, r)
	return nil
}

func writeDuplicateNotes(w io.Writer, r *SweepResult) {
	for i, c := range r.Cells {
		if c.DuplicateOf > 0 {
			fmt.Fprintf(w, "\ncell %d (%s) has the same effective settings as cell %d and was not run again", i+1, c.Config.Describe(), c.DuplicateOf)
		}
	}
	if !r.HasGPU {
		fmt.Fprint(w, "\nNo GPU on this machine: every num_gpu value offloads 0 layers.")
	}
	fmt.Fprintln(w)
}

func writeSweepCSV(w io.Writer, r *SweepResult) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"cell", "run", "num_gpu", "gpu_layers", "num_ctx", "temperature", "top_p", "top_k", "repeat_penalty",
		"decode_tps", "ttft_ms", "workflow_ms", "duplicate_of"})
	for i, c := range r.Cells {
		s := c.Config.Sampling
		for run := range c.DecodeTPS {
			workflow := ""
			if run < len(c.WorkflowMS) {
				workflow = strconv.FormatFloat(c.WorkflowMS[run], 'f', 3, 64)
			}
			cw.Write([]string{strconv.Itoa(i + 1), strconv.Itoa(run + 1), NumGPULabel(c.Config.NumGPU), strconv.Itoa(c.GPULayers),
				strconv.Itoa(c.Config.Context.NumCtx), decimal(s.Temperature), decimal(s.TopP), strconv.Itoa(s.TopK),
				decimal(s.RepeatPenalty), strconv.FormatFloat(c.DecodeTPS[run], 'f', 3, 64),
				strconv.FormatFloat(c.TTFTMS[run], 'f', 3, 64), workflow, strconv.Itoa(c.DuplicateOf)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeChart draws the metric's mean against the offloaded layer count, one line per num_ctx, as a plain SVG.
func writeChart(w io.Writer, r *SweepResult, label string, metric func(SweepCell) []float64) error {
	series := map[int]map[int]float64{} // num_ctx → layers → mean
	maxX, maxY := 1.0, 0.0
	for _, c := range r.Cells {
		if c.DuplicateOf > 0 || len(metric(c)) == 0 {
			continue
		}
		if series[c.Config.Context.NumCtx] == nil {
			series[c.Config.Context.NumCtx] = map[int]float64{}
		}
		mean := Summarize(metric(c)).Mean
		series[c.Config.Context.NumCtx][c.GPULayers] = mean
		maxX, maxY = math.Max(maxX, float64(c.GPULayers)), math.Max(maxY, mean)
	}
	const width, height, pad = 640.0, 400.0, 60.0
	x := func(layers int) float64 { return pad + float64(layers)/maxX*(width-2*pad) }
	y := func(v float64) float64 { return height - pad - v/math.Max(maxY, 1e-9)*(height-2*pad) }
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/><text x="%g" y="20" font-size="14">%s vs layers offloaded</text>`+"\n", pad, label)
	fmt.Fprintf(w, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/><line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/>`+"\n",
		pad, height-pad, width-pad, height-pad, pad, pad, pad, height-pad)
	fmt.Fprintf(w, `<text x="%g" y="%g">0</text><text x="%g" y="%g">%g layers</text><text x="5" y="%g">%.4g</text>`+"\n",
		pad, height-pad+16, width-pad-40, height-pad+16, maxX, pad, maxY)
	colors := []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}
	for i, numCtx := range sortedInts(series) {
		points := series[numCtx]
		var path []string
		for _, layers := range sortedInts(points) {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(layers), y(points[layers])))
		}
		color := colors[i%len(colors)]
		fmt.Fprintf(w, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(path, " "))
		for _, p := range path {
			xy := strings.Split(p, ",")
			fmt.Fprintf(w, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], color)
		}
		fmt.Fprintf(w, `<text x="%g" y="%d" fill="%s">num_ctx %d</text>`+"\n", width-pad-80, 40+16*i, color, numCtx)
	}
	_, err := fmt.Fprintln(w, "</svg>")
	return err
}

func sortedInts[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
