package main

import (
	"fmt"
	"math"
	"strings"

	"chimera/pipeline/generation"
	"chimera/pipeline/stats"
)

// One definition of each figure, applied to both sides.

// chimeraWorkflowMS is chimera's workflow wall time excluding load: the process's wall time (/usr/bin/time) minus
// the model check, the load and the context creation. What is left is start-up, ingest, prompt fitting, the
// calls, report writing, SQLite and exit.
func (r *round) chimeraWorkflowMS() float64 { return r.chimeraTime.WallS*1000 - r.chimera.loadMS() }

// ratio is the round's workflow wall time, chimera ÷ Ollama.
func (r *round) ratio() float64 { return r.chimeraWorkflowMS() / r.ollama.WorkflowMS }

// ollamaCachedTokens is call i's prompt tokens found in Ollama's cache; ok is false when the log cannot tell.
func (r *round) ollamaCachedTokens(i int) (int, bool) {
	if r.ollamaCached == nil {
		return 0, false
	}
	return r.ollamaCached[i], true
}

// ollamaPromptTPS is (prompt tokens − cached tokens) / prompt_eval_duration, chimera's prompt_tps definition.
// Ollama's prompt_eval_count counts the whole prompt, cached tokens included; when the log cannot tell how many
// were cached, the rate is taken over the whole prompt and overstates a call that reused its cache.
func (r *round) ollamaPromptTPS(i int) float64 {
	o := r.ollama.Calls[i]
	cached, _ := r.ollamaCachedTokens(i)
	return rate(o.PromptEvalCount-cached, o.PromptEvalDuration)
}

// ollamaDecodeTPS is (eval_count − 1) / eval_duration, chimera's decode_tps definition: Ollama's eval_duration
// starts at the first generated token, so it covers eval_count − 1 decode steps. Unlike chimera's eval_ms it
// leaves out the time spent sampling.
func ollamaDecodeTPS(o ollamaCall) float64 { return rate(o.EvalCount-1, o.EvalDuration) }

// rate is generation.Rate over Ollama's nanoseconds.
func rate(tokens int, ns int64) float64 { return generation.Rate(tokens, float64(ns)/1e6) }

// promptTolerancePercent bounds how far the two tokenizations of a prompt may differ, as a percentage of chimera's
// count: Ollama's tokenizer splits "\n\n" where llama.cpp's keeps one token (a few tokens per prompt), and a report
// call keeps the analysis answer's generated tokens, which Ollama tokenizes afresh from the text (1.2 % more tokens
// in the insight report on 2026-12-02). At Ollama's prompt rate, 2 % of a 2,300-token prompt is about 0.1 s.
const promptTolerancePercent = 2

func promptTolerance(chimeraTokens int) int { return chimeraTokens * promptTolerancePercent / 100 }

// workCheck says whether both sides of every round did the same work: the same calls, in the same order,
// prompts of nearly the same length, and the same number of generated tokens unless one side reached the end of
// generation first. Problems make the comparison invalid; notes qualify it.
type workCheck struct {
	problems []string
	notes    []string
}

func checkWork(rounds []*round) workCheck {
	var w workCheck
	for _, r := range rounds {
		w.checkRound(r)
	}
	return w
}

func (w *workCheck) checkRound(r *round) {
	c, o := r.chimeraCalls, r.ollama.Calls
	if len(c) != len(o) {
		w.problems = append(w.problems, fmt.Sprintf("round %d: chimera made %d calls, Ollama %d", r.n, len(c), len(o)))
		return
	}
	identical := true
	for i := range c {
		w.checkCall(r.n, i, c[i], o[i])
		identical = identical && promptSHA256(c[i].Prompt.Rendered) == o[i].PromptSHA256
	}
	if !identical {
		w.notes = append(w.notes, fmt.Sprintf("round %d: Ollama replayed run %d, whose prompts are not all identical to "+
			"those of this round's chimera run %d; the counts above are checked against this round's run", r.n,
			r.ollama.RunID, r.chimera.RunID))
	}
}

func (w *workCheck) checkCall(n, i int, c chimeraCall, o ollamaCall) {
	name := fmt.Sprintf("round %d, call %d (%s %s)", n, i+1, c.Agent, c.Stage)
	if c.Agent != o.Agent || c.Stage != o.Stage {
		w.problems = append(w.problems, fmt.Sprintf("%s: Ollama's call %d is %s %s", name, i+1, o.Agent, o.Stage))
		return
	}
	if d := o.PromptEvalCount - c.Timings.PromptTokens; abs(d) > promptTolerance(c.Timings.PromptTokens) {
		w.problems = append(w.problems, fmt.Sprintf("%s: prompt tokens differ by %d (chimera %d, Ollama %d), more than %d %%",
			name, d, c.Timings.PromptTokens, o.PromptEvalCount, promptTolerancePercent))
	}
	if c.Timings.GenTokens == o.EvalCount {
		return
	}
	msg := fmt.Sprintf("%s: chimera generated %d tokens (stop: %s), Ollama %d (done_reason: %s)", name,
		c.Timings.GenTokens, c.StopReason, o.EvalCount, o.DoneReason)
	if c.StopReason == "eog" || o.DoneReason == "stop" {
		w.notes = append(w.notes, msg+": a side reached the end of generation, so the decode work differs")
		return
	}
	w.problems = append(w.problems, msg)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// median is the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 { return stats.Summarize(xs).Median }

// countRange is a count over rounds: one value when every round had it, else its range.
func countRange(ns []int) string {
	if len(ns) == 0 {
		return ""
	}
	lo, hi := math.MaxInt, math.MinInt
	for _, n := range ns {
		lo, hi = min(lo, n), max(hi, n)
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// callName is how a table names a call: "collector analysis".
func callName(c chimeraCall) string { return strings.TrimSpace(c.Agent + " " + c.Stage) }
