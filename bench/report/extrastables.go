package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"chimera/bench/benchdoc"

	"chimera/pipeline/render"
)

// writeCosts is the table of what chimera's own calls cost besides throughput: load, TTFT, sampling, memory.
func (res *results) writeCosts(b *strings.Builder) {
	b.WriteString("### chimera: load, TTFT, sampling, memory\n\n")
	t := render.NewTable("measurement", "value", "how").AlignRight(1)
	t.Add("model load", benchdoc.MedianRange(res.chimeraLoadMS(), 0)+" ms",
		"`load_ms` of every chimera process above (page cache warm)")
	if len(res.gens) > 0 {
		addGenerateRows(t, res.gens)
	}
	peaks := res.peakRSSMiB()
	for _, process := range slices.Sorted(maps.Keys(peaks)) {
		t.Add("peak RSS, "+process, benchdoc.MedianRange(peaks[process], 0)+" MiB", "`/usr/bin/time -v` maximum resident set size")
	}
	benchdoc.WriteTable(b, t)
}

// chimeraLoadMS is the model load time of every chimera process: each bench invocation and each generate.
func (res *results) chimeraLoadMS() []float64 {
	var ms []float64
	for _, inv := range res.invs {
		if inv.runner == "chimera" && len(inv.rows) > 0 && inv.rows[0].LoadMS > 0 {
			ms = append(ms, inv.rows[0].LoadMS)
		}
	}
	for _, g := range res.gens {
		ms = append(ms, g.Load.LoadMS)
	}
	return ms
}

// addGenerateRows describes the generate calls on the long prompt: time to first token, and what sampling costs.
func addGenerateRows(t *render.Table, gens []generateResult) {
	var ttft, prefill, prefillTPS, decodeTPS, samplePerToken, sampleShare []float64
	promptTokens := map[string]bool{}
	for _, g := range gens {
		tm := g.Timings
		promptTokens[strconv.Itoa(tm.PromptTokens)] = true
		ttft, prefill, prefillTPS = append(ttft, tm.TTFTMS), append(prefill, tm.PromptEvalMS), append(prefillTPS, tm.PromptTPS)
		decodeTPS = append(decodeTPS, tm.DecodeTPS)
		if tm.GenTokens > 1 {
			perToken := tm.SampleMS / float64(tm.GenTokens)
			samplePerToken = append(samplePerToken, perToken)
			// The first generated token comes with the prefill, so eval_ms covers the other gen_tokens−1.
			sampleShare = append(sampleShare, 100*perToken/(tm.EvalMS/float64(tm.GenTokens-1)))
		}
	}
	prompt := strings.Join(slices.Sorted(maps.Keys(promptTokens)), "/")
	t.Add("TTFT, "+prompt+"-token prompt", benchdoc.MedianRange(ttft, 0)+" ms",
		fmt.Sprintf("`ttft_ms` of `generate --raw --json`, %d runs", len(gens)))
	t.Add("… of which prefill", benchdoc.MedianRange(prefill, 0)+" ms = "+benchdoc.MedianRange(prefillTPS, 0)+" tok/s",
		"`prompt_eval_ms`, `prompt_tps`")
	t.Add("sampling per token, 262k vocabulary", benchdoc.MedianRange(samplePerToken, 2)+" ms",
		"`sample_ms / gen_tokens` (repeat penalty, top-k 40, top-p 0.9, temp 0.8)")
	t.Add("… share of a generated token's time", benchdoc.MedianRange(sampleShare, 1)+" %",
		"per-token sample time ÷ (`eval_ms` / (`gen_tokens`−1))")
	t.Add("generate decode rate", benchdoc.MedianRange(decodeTPS, 1)+" tok/s", "`decode_tps` of the same calls: sampling "+
		"included, and attention over 1,000–1,128 cached positions where tg128 starts from an empty cache")
}

// peakRSSMiB groups the peak RSS of every process /usr/bin/time measured by what the process was.
func (res *results) peakRSSMiB() map[string][]float64 {
	peaks := map[string][]float64{}
	add := func(process string, kib int64) {
		if kib > 0 {
			peaks[process] = append(peaks[process], float64(kib)/1024)
		}
	}
	for _, inv := range res.invs {
		add(res.runnerTitle(inv.runner)+" bench", inv.peakKiB)
	}
	for _, g := range res.gens {
		add("chimera generate (1,000-token prompt, num_ctx 4096)", g.peakKiB)
	}
	add("chimera run (num_ctx 4096)", res.wfTime.PeakKiB)
	return peaks
}

// writeWorkflow splits the time of `chimera run` into its steps, with a row per model call.
func (res *results) writeWorkflow(b *strings.Builder) {
	w := res.wf
	if w == nil {
		return
	}
	b.WriteString("### chimera run: where the workflow's time goes\n\n")
	t := benchdoc.AlignNumbers(render.NewTable("step", "prompt tokens (cached)", "prefill ms", "TTFT ms", "generated",
		"decode ms", "decode tok/s", "sampling ms", "call total ms"))
	addStepTotal(t, "ingest + facts", milliseconds(w.IngestMS))
	addStepTotal(t, "model file check (find, validate)", milliseconds(w.ModelCheckMS))
	addStepTotal(t, "model load", milliseconds(w.Model.Load.LoadMS))
	addStepTotal(t, "context creation", milliseconds(w.ContextMS))
	stagesMS, callsMS := addCallRows(t, w)
	addStepTotal(t, "prompt fitting (the stages' time outside their calls)", milliseconds(stagesMS-callsMS))
	if wall := res.wfTime.WallS * 1000; wall > 0 {
		rest := wall - w.IngestMS - w.ModelCheckMS - w.Model.Load.LoadMS - w.ContextMS - stagesMS
		addStepTotal(t, "everything else: start-up, report writing, SQLite, exit", milliseconds(rest))
		addStepTotal(t, "**process wall time** (`/usr/bin/time`)", "**"+milliseconds(wall)+"**")
	}
	benchdoc.WriteTable(b, t)
}

// addCallRows adds a row per model call and returns the time of the agents' stages and of the calls in them.
func addCallRows(t *render.Table, w *workflow) (stagesMS, callsMS float64) {
	for _, a := range w.Agents {
		stagesMS += a.Stages.AnalysisMS + a.Stages.ReportMS
		for _, c := range a.Calls {
			tm := c.Timings
			callsMS += tm.TotalMS
			t.Addf("%s %s\t%d (%d)\t%.0f\t%.0f\t%d\t%.0f\t%.1f\t%.0f\t%.0f", c.Agent, c.Stage, tm.PromptTokens,
				tm.CachedTokens, tm.PromptEvalMS, tm.TTFTMS, tm.GenTokens, tm.EvalMS, tm.DecodeTPS, tm.SampleMS, tm.TotalMS)
		}
	}
	return stagesMS, callsMS
}

// addStepTotal adds a row for a step that is not a model call, so only its total time is known.
func addStepTotal(t *render.Table, step, total string) {
	cells := make([]string, len(t.Header))
	cells[0], cells[len(cells)-1] = step, total
	t.Add(cells...)
}

func milliseconds(ms float64) string { return fmt.Sprintf("%.0f", ms) }
