package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// syntheticNotice is printed in every report made with random weights.
const syntheticNotice = "> **Synthetic model:** the weights are random, so the LLM text below is noise. The timings are real " +
	"measurements of this model's shape on this machine; the facts and statistics are computed from the artifacts."

// keyFactsInReport is how many of the highest-priority facts the Key Findings section lists.
const keyFactsInReport = 8

// AgentTotals pools an agent's calls: one definition of each figure the Metrics section shows.
type AgentTotals struct {
	DecodeTPS          float64 // Σ(gen_tokens−1) / Σ eval_ms
	MeanTTFTMS         float64 // mean of the calls' ttft_ms
	TotalMS            float64 // Σ total_ms
	GenTokens          int     // Σ gen_tokens
	PromptTokens       int     // Σ prompt_tokens
	PromptCachedTokens int     // Σ prompt_cached_tokens
	PromptEvalMS       float64 // Σ prompt_eval_ms
	EvalMS             float64 // Σ eval_ms
}

// Totals pools the agent's calls.
func (r *AgentResult) Totals() AgentTotals {
	pooled := poolCalls(r.Calls)
	t := AgentTotals{DecodeTPS: pooled.DecodeTPS, MeanTTFTMS: pooled.TTFTMS}
	for _, c := range r.Calls {
		t.TotalMS += c.Timings.TotalMS
		t.GenTokens += c.Timings.GenTokens
		t.PromptTokens += c.Timings.PromptTokens
		t.PromptCachedTokens += c.Timings.PromptCachedTokens
		t.PromptEvalMS += c.Timings.PromptEvalMS
		t.EvalMS += c.Timings.EvalMS
	}
	return t
}

// RenderAgentReport is one agent's Markdown report in the original system's shape, with the facts behind it.
func RenderAgentReport(run *RunResult, res *AgentResult, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", res.Agent.Label, res.Agent.Name)
	fmt.Fprintf(&b, "**Date:** %s  \n", date.UTC().Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(&b, "**Agent Type:** %s (%s)  \n", res.Agent.Name, res.Agent.Role)
	fmt.Fprintf(&b, "**Model:** %s (%s)  \n", run.Model.Ref, run.Model.Description)
	fmt.Fprintf(&b, "**Configuration:** %s  \n", run.Config.Describe())
	fmt.Fprintf(&b, "**Run:** %d, repetition %d\n\n", run.RunID, res.Repetition)
	if run.Model.Synthetic {
		fmt.Fprintf(&b, "%s\n\n", syntheticNotice)
	}
	fmt.Fprintf(&b, "---\n\n%s\n\n---\n\n", strings.TrimSpace(res.Report()))
	writeWorkflowSummary(&b, run, res)
	writeMetrics(&b, run, res)
	writeKeyFindings(&b, run.Facts, res)
	writeRecommendations(&b, run.Facts, res)
	fmt.Fprintf(&b, "## Persona Prompt\n\n```\n%s\n```\n\n", res.Agent.Persona)
	writeFactsAppendix(&b, run.Facts)
	writeGroundingAppendix(&b, res)
	return b.String()
}

func writeWorkflowSummary(b *strings.Builder, run *RunResult, res *AgentResult) {
	s := res.Stages
	fmt.Fprintf(b, "## Workflow Summary\n\n")
	fmt.Fprintf(b, "- **Files analysed:** %d (%d skipped)\n", len(run.Facts.Files), len(run.Facts.Skipped))
	fmt.Fprintf(b, "- **Execution time:** %.2f s (ingest %.2f s | analysis %.2f s | report %.2f s); the ingest is shared by the run's agents\n",
		s.TotalMS/1000, s.IngestMS/1000, s.AnalysisMS/1000, s.ReportMS/1000)
	fmt.Fprintf(b, "- **Data summary:**\n\n```\n%s```\n\n", DataSummary(run.Facts))
}

// DataSummary is the inventory the original sent instead of data: counts per kind, skipped files and why.
func DataSummary(r *FactsReport) string {
	var b strings.Builder
	counts := map[string]int{}
	for _, f := range r.Files {
		counts[f.Kind]++
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(&b, "Total files analysed: %d\n", len(r.Files))
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-9s %d\n", k, counts[k])
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "Skipped: %d\n", len(r.Skipped))
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "  %s: %s\n", s.Path, s.Reason)
		}
	}
	return b.String()
}

func writeMetrics(b *strings.Builder, run *RunResult, res *AgentResult) {
	t := res.Totals()
	fmt.Fprintf(b, "## Metrics\n\n")
	fmt.Fprintf(b, "| Metric | Value | Definition |\n|---|---|---|\n")
	fmt.Fprintf(b, "| Throughput | %.2f tok/s | decode rate pooled over both calls: Σ(tokens−1) / Σ eval time |\n", t.DecodeTPS)
	fmt.Fprintf(b, "| TTFT | %.1f ms | mean over the calls of call start → first sampled token |\n", t.MeanTTFTMS)
	fmt.Fprintf(b, "| Total duration | %.1f ms | sum of the calls' wall times |\n", t.TotalMS)
	fmt.Fprintf(b, "| Tokens generated | %d | sum over the calls |\n", t.GenTokens)
	fmt.Fprintf(b, "| Prompt eval | %d tokens (%d cached) in %.1f ms | sum of prefill over the calls |\n", t.PromptTokens, t.PromptCachedTokens, t.PromptEvalMS)
	fmt.Fprintf(b, "| Eval duration | %.1f ms | sum of first → last token over the calls |\n", t.EvalMS)
	fmt.Fprintf(b, "| Load duration | %.1f ms | model load, once per run, not part of any call |\n\n", run.Model.Load.LoadMS)
	fmt.Fprintf(b, "| Stage | Prompt tokens | Cached | Facts shown | Prompt tok/s | TTFT ms | Tokens | Decode tok/s | Total ms | Stop |\n")
	fmt.Fprintf(b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range res.Calls {
		tm := c.Timings
		fmt.Fprintf(b, "| %s | %d | %d | %d of %d%s | %.1f | %.1f | %d | %.2f | %.1f | %s |\n", c.Stage, tm.PromptTokens,
			tm.PromptCachedTokens, c.Prompt.FactsShown, c.Prompt.FactsTotal, trimmedMark(c.Prompt.Trimmed), tm.PromptTPS,
			tm.TTFTMS, tm.GenTokens, tm.DecodeTPS, tm.TotalMS, c.StopReason)
	}
	b.WriteString("\nCached: leading prompt tokens kept in the KV cache from the previous call and not evaluated again; " +
		"prompt tok/s counts the evaluated tokens only.\n")
	b.WriteString("\n")
}

func trimmedMark(trimmed bool) string {
	if trimmed {
		return " (trimmed to fit num_ctx)"
	}
	return ""
}

var (
	findingLineRe = regexp.MustCompile(`(?i)finding|insight|key|observ`)
	adviceLineRe  = regexp.MustCompile(`(?i)recommend|suggest|should|consider`)
)

func writeKeyFindings(b *strings.Builder, facts *FactsReport, res *AgentResult) {
	fmt.Fprintf(b, "## Key Findings\n\nComputed from the artifacts:\n\n")
	for _, f := range rankFacts(facts.Facts)[:min(keyFactsInReport, len(facts.Facts))] {
		fmt.Fprintf(b, "- %s (`%s`)\n", f.Text, f.Source)
	}
	writeQuotedLines(b, "From the agent's analysis (LLM text, see the grounding check):", res.Analysis(), findingLineRe)
}

func writeRecommendations(b *strings.Builder, facts *FactsReport, res *AgentResult) {
	fmt.Fprintf(b, "## Recommendations\n\n")
	recs := Recommendations(facts.Facts)
	if len(recs) == 0 {
		b.WriteString("- None follow from the facts alone.\n")
	}
	for _, r := range recs {
		fmt.Fprintf(b, "- %s\n", r)
	}
	writeQuotedLines(b, "From the agent's analysis (LLM text, see the grounding check):", res.Analysis(), adviceLineRe)
}

// writeQuotedLines lists up to five lines of LLM text that match a keyword, marked as the model's words.
func writeQuotedLines(b *strings.Builder, title, text string, keep *regexp.Regexp) {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•"))
		if line != "" && !strings.HasPrefix(line, "#") && keep.MatchString(line) && len(lines) < 5 {
			lines = append(lines, line)
		}
	}
	fmt.Fprintf(b, "\n%s\n\n", title)
	if len(lines) == 0 {
		b.WriteString("- None.\n")
	}
	for _, l := range lines {
		fmt.Fprintf(b, "- > %s\n", l)
	}
	b.WriteString("\n")
}

func writeFactsAppendix(b *strings.Builder, facts *FactsReport) {
	fmt.Fprintf(b, "## Appendix A: Computed facts\n\n| # | Fact | Source | Field |\n|---|---|---|---|\n")
	for i, f := range rankFacts(facts.Facts) {
		fmt.Fprintf(b, "| %d | %s | `%s` | %s |\n", i+1, escapeCell(f.Text), f.Source, escapeCell(f.Field))
	}
	b.WriteString("\n")
}

func writeGroundingAppendix(b *strings.Builder, res *AgentResult) {
	g := res.Grounding
	fmt.Fprintf(b, "## Appendix B: Grounding check\n\n")
	fmt.Fprintf(b, "Numbers in the LLM text: %d; grounded (equal to a computed fact or a run metric at the precision written): %d; ungrounded: %d.  \n",
		g.Numbers, g.Grounded, len(g.Ungrounded))
	fmt.Fprintf(b, "Placeholders: %d.\n\n", len(g.Placeholders))
	if len(g.Ungrounded) > 0 {
		fmt.Fprintf(b, "Ungrounded numbers: %s\n\n", strings.Join(g.Ungrounded, ", "))
	}
	if len(g.Placeholders) > 0 {
		fmt.Fprintf(b, "Placeholders: %s\n\n", strings.Join(g.Placeholders, ", "))
	}
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeFileAtomic writes to a temporary file beside path and renames it, so no half-written report is ever left
// under the final name.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
