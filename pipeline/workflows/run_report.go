package workflows

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"chimera/pipeline/agents"
	"chimera/pipeline/record"
	"chimera/pipeline/render"
	"chimera/pipeline/stats"
)

func (w *agentsRun) writeAgentReport(agentRunID int64, res *agents.AgentResult) error {
	name := res.Agent.ID + "_report.md"
	if w.opts.Runs > 1 {
		name = fmt.Sprintf("%s_report_rep%d.md", res.Agent.ID, res.Repetition)
	}
	path := filepath.Join(w.opts.OutDir, name)
	markdown := agents.RenderAgentReport(&w.result.RunInfo, res, time.Now())
	if err := render.WriteFileAtomic(path, []byte(markdown)); err != nil {
		return err
	}
	res.ReportPath = path
	w.result.Reports = append(w.result.Reports, path)
	return w.rec.AddReport(w.result.RunID, agentRunID, name, path, markdown)
}

// writeSummary writes the combined report and metrics.json, the run's machine-readable record.
func (w *agentsRun) writeSummary() error {
	combined := filepath.Join(w.opts.OutDir, "combined_report.md")
	markdown := RenderCombinedReport(w.result, time.Now())
	if err := render.WriteFileAtomic(combined, []byte(markdown)); err != nil {
		return err
	}
	if err := w.rec.AddReport(w.result.RunID, 0, "combined_report.md", combined, markdown); err != nil {
		return err
	}
	// metrics.json is the last thing a run that completed writes: it gives the status the store will record and
	// names itself among the reports.
	metrics := filepath.Join(w.opts.OutDir, "metrics.json")
	w.result.Status, w.result.Reports = string(record.StatusOf(nil)), append(w.result.Reports, combined, metrics)
	data, err := json.MarshalIndent(w.result, "", "  ")
	if err != nil {
		return err
	}
	return render.WriteFileAtomic(metrics, data)
}

// RenderCombinedReport summarises every agent pass of a run and, over repetitions, each stage's spread.
func RenderCombinedReport(run *RunResult, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Chimera run %d: combined report\n\n", run.RunID)
	fmt.Fprintf(&b, "**Date:** %s  \n**Model:** %s (%s)  \n**Configuration:** %s  \n", date.UTC().Format("2006-01-02 15:04:05 UTC"),
		run.Model.Ref, run.Model.Description, run.Config.Describe())
	fmt.Fprintf(&b, "**Model load:** %.1f ms, %d/%d layers offloaded; before it %.1f ms finding and validating the file, after it %.1f ms creating the context\n\n",
		run.Model.Load.LoadMS, run.Model.Load.OffloadedLayers, run.Model.Load.OffloadableLayers, run.ModelCheckMS, run.ContextMS)
	if run.Model.Synthetic {
		fmt.Fprintf(&b, "%s\n\n", agents.SyntheticNotice)
	}
	passes := render.NewTable("Agent", "Rep", "Analysis s", "Report s", "Total s", "Decode tok/s", "TTFT ms", "Tokens", "Grounded numbers", "Report")
	for _, a := range run.Agents {
		t := a.Totals()
		passes.Addf("%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%d of %d\t%s", a.Agent.Name, a.Repetition,
			a.Stages.AnalysisMS/1000, a.Stages.ReportMS/1000, a.Stages.TotalMS/1000, t.DecodeTPS, t.MeanTTFTMS, t.GenTokens,
			a.Grounding.Grounded, a.Grounding.Numbers, filepath.Base(a.ReportPath))
	}
	passes.WriteMarkdown(&b)
	writeStageSpread(&b, run)
	fmt.Fprintf(&b, "Ingest: %.1f ms for %d files (%d facts). Definitions: see the Metrics section of each agent report.\n",
		run.IngestMS, len(run.Facts.Files), len(run.Facts.Facts))
	return b.String()
}

// writeStageSpread shows mean ± sd per agent and stage across repetitions.
func writeStageSpread(b *strings.Builder, run *RunResult) {
	type key struct{ agent, stage string }
	decode, ttft := map[key][]float64{}, map[key][]float64{}
	var order []key
	for _, a := range run.Agents {
		for _, c := range a.Calls {
			k := key{a.Agent.Name, c.Stage}
			if _, seen := decode[k]; !seen {
				order = append(order, k)
			}
			decode[k] = append(decode[k], c.Timings.DecodeTPS)
			ttft[k] = append(ttft[k], c.Timings.TTFTMS)
		}
	}
	spread := render.NewTable("Agent", "Stage", "n", "Decode tok/s (mean ± sd)", "TTFT ms (mean ± sd)")
	for _, k := range order {
		d, t := stats.Summarize(decode[k]), stats.Summarize(ttft[k])
		spread.Addf("%s\t%s\t%d\t%.2f ± %.2f\t%.1f ± %.1f", k.agent, k.stage, d.N, d.Mean, d.SD, t.Mean, t.SD)
	}
	spread.WriteMarkdown(b)
}
