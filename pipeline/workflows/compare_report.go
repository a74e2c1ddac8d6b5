package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"chimera/pipeline/engine"
	"chimera/pipeline/record"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
	"chimera/store"
)

// writeComparison writes comparison.md and records it, then comparison.json, each atomically, and returns the
// run's error: runErr joined with any failure to write or record the reports. The JSON comes last and carries
// the status that error gives, so that it agrees with the store.
func writeComparison(dir string, r *CompareResult, rec *record.Recorder, runErr error) error {
	md := RenderComparison(r, time.Now())
	mdPath, jsonPath := filepath.Join(dir, "comparison.md"), filepath.Join(dir, "comparison.json")
	err := errors.Join(runErr, render.WriteFileAtomic(mdPath, []byte(md)), rec.AddReport(r.RunID, 0, "comparison.md", mdPath, md))
	r.Status, r.Reports = string(record.StatusOf(err)), []string{mdPath, jsonPath}
	data, jsonErr := json.MarshalIndent(r, "", "  ")
	if jsonErr == nil {
		jsonErr = render.WriteFileAtomic(jsonPath, data)
	}
	return errors.Join(err, jsonErr)
}

// RenderComparison is the Markdown report of a comparison.
func RenderComparison(r *CompareResult, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Baseline vs chimera: run %d\n\n", r.RunID)
	fmt.Fprintf(&b, "**Date:** %s  \n**Model:** %s (%s)\n\n", date.UTC().Format("2006-01-02 15:04:05 UTC"), r.Model.Ref, r.Model.Description)
	if r.Status != string(store.StatusOK) {
		fmt.Fprintf(&b, "> **Run %s** before all %d measured passes per side completed: the statistics cover the passes below.\n\n", r.Status, r.Runs)
	}
	fmt.Fprintf(&b, "- **Baseline:** %s\n- **Chimera:** %s\n", r.Baseline.Describe(), r.Chimera.Describe())
	fmt.Fprintf(&b, "- **Order:** one warm-up pass per configuration, recorded but excluded from every statistic, then baseline "+
		"and chimera alternate. A pass is the full workflow: both agents' analysis and report calls, the collector's report handed to InsightAgent, from an empty KV cache.\n")
	if len(r.Rows) > 0 {
		writeWorkload(&b, r.Samples)
	}
	writeLoads(&b, r.Loads)
	fmt.Fprintf(&b, "- **Sign convention:** Δ = chimera − baseline; Δ%% is Δ as a percentage of the baseline mean. "+
		"p is Welch's two-sided t-test; a difference is claimed only at p < %.2g.\n\n", stats.SignificanceLevel)
	writeComparisonTable(&b, r.Rows)
	fmt.Fprintf(&b, "## Conclusion\n\n%s\n\n", r.Conclusion)
	writePasses(&b, r.Samples)
	b.WriteString("Definitions: decode tok/s = Σ(tokens−1) / Σ eval time over the scope's calls; prompt tok/s = evaluated " +
		"(not cached) prompt tokens / prefill time; TTFT = mean over the calls of call start → first token; time = the " +
		"pass's wall time for the workflow, the sum of both agents' stage times for a stage.\n")
	return b.String()
}

func writeComparisonTable(b *strings.Builder, rows []ComparisonRow) {
	if len(rows) == 0 {
		return
	}
	t := render.NewTable("Scope", "Metric", "Baseline mean ± sd [95% CI]", "Chimera mean ± sd [95% CI]", "Δ", "Δ%", "p", "Conclusion")
	for _, row := range rows {
		t.Addf("%s\t%s\t%s\t%s\t%+.2f\t%s\t%s\t%s", row.Scope, row.Metric, summaryCell(row.Baseline, row.BaselineCI),
			summaryCell(row.Chimera, row.ChimeraCI), row.Delta, formatPct(row.DeltaPct), pCell(row.P), row.Verdict)
	}
	t.WriteMarkdown(b)
}

// writeWorkload shows how much each side processed per pass: facts trimmed to fit a smaller num_ctx make its
// prompts shorter, and that is part of any difference.
func writeWorkload(b *strings.Builder, samples []PassSample) {
	prompt, gen := map[string][]float64{}, map[string][]float64{}
	for _, s := range samples {
		prompt[s.Side] = append(prompt[s.Side], float64(s.PromptTokens))
		gen[s.Side] = append(gen[s.Side], float64(s.GenTokens))
	}
	fmt.Fprintf(b, "- **Work per pass (mean):** baseline %.0f prompt tokens, %.0f generated; chimera %.0f prompt tokens, %.0f generated",
		stats.Summarize(prompt[SideBaseline]).Mean, stats.Summarize(gen[SideBaseline]).Mean, stats.Summarize(prompt[SideChimera]).Mean, stats.Summarize(gen[SideChimera]).Mean)
	if stats.Summarize(prompt[SideBaseline]).Mean != stats.Summarize(prompt[SideChimera]).Mean {
		b.WriteString(" (the prompts differ: facts are trimmed to fit num_ctx)")
	}
	b.WriteString(".\n")
}

func writeLoads(b *strings.Builder, loads []engine.ModelLoad) {
	described := make([]string, len(loads))
	for i, l := range loads {
		described[i] = fmt.Sprintf("num_gpu=%s, %d layers offloaded, %.0f ms, used by %s", engine.NumGPULabel(l.NumGPU),
			l.OffloadedLayers, l.LoadMS, strings.Join(l.UsedBy, " and "))
	}
	fmt.Fprintf(b, "- **Model loads**, timed apart from the passes: %s.\n", strings.Join(described, "; "))
}

func writePasses(b *strings.Builder, samples []PassSample) {
	b.WriteString("## Measured passes, in the order run\n\n")
	t := render.NewTable("Side", "Run", "Workflow ms", "Decode tok/s", "Prompt tok/s", "TTFT ms", "Prompt tokens", "Generated")
	for _, s := range samples {
		w := s.Workflow
		t.Addf("%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f\t%d\t%d", s.Side, s.Run, w.TimeMS, w.DecodeTPS, w.PromptTPS, w.TTFTMS,
			s.PromptTokens, s.GenTokens)
	}
	t.WriteMarkdown(b)
}

func summaryCell(s stats.Summary, ci []float64) string {
	if len(ci) == 0 {
		return fmt.Sprintf("%.2f ± %.2f (n=%d)", s.Mean, s.SD, s.N)
	}
	return fmt.Sprintf("%.2f ± %.2f [%.2f, %.2f] (n=%d)", s.Mean, s.SD, ci[0], ci[1], s.N)
}

func pCell(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.3g", *p)
}
