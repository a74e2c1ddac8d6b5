package agents

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/render"
)

// SyntheticNotice is printed in every report made with random weights.
const SyntheticNotice = "> **Synthetic model:** the weights are random, so the LLM text below is noise. The timings are real " +
	"measurements of this model's shape on this machine; the facts and statistics are computed from the artifacts."

// keyFactsInReport is how many of the highest-priority facts the Key Findings section lists.
const keyFactsInReport = 8

// RunInfo is what an agent's report says about the run it belongs to.
type RunInfo struct {
	RunID  int64                  `json:"run_id"`
	Model  engine.ModelSummary    `json:"model"`
	Config engine.Config          `json:"config"`
	Facts  *artifacts.FactsReport `json:"facts"`
}

// RenderAgentReport is one agent's Markdown report: the LLM's text, then the workflow summary, metrics, key
// findings and recommendations computed by chimera, the persona prompt, and the facts behind it all.
func RenderAgentReport(run *RunInfo, res *AgentResult, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", res.Agent.Label, res.Agent.Name)
	fmt.Fprintf(&b, "**Date:** %s  \n", date.UTC().Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(&b, "**Agent Type:** %s (%s)  \n", res.Agent.Name, res.Agent.Role)
	fmt.Fprintf(&b, "**Model:** %s (%s)  \n", run.Model.Ref, run.Model.Description)
	fmt.Fprintf(&b, "**Configuration:** %s  \n", run.Config.Describe())
	fmt.Fprintf(&b, "**Run:** %d, repetition %d\n\n", run.RunID, res.Repetition)
	if run.Model.Synthetic {
		fmt.Fprintf(&b, "%s\n\n", SyntheticNotice)
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

func writeWorkflowSummary(b *strings.Builder, run *RunInfo, res *AgentResult) {
	s := res.Stages
	fmt.Fprintf(b, "## Workflow Summary\n\n")
	fmt.Fprintf(b, "- **Files analysed:** %d (%d skipped)\n", len(run.Facts.Files), len(run.Facts.Skipped))
	fmt.Fprintf(b, "- **Execution time:** %.2f s (ingest %.2f s | analysis %.2f s | report %.2f s); the ingest is shared by the run's agents\n",
		s.TotalMS/1000, s.IngestMS/1000, s.AnalysisMS/1000, s.ReportMS/1000)
	fmt.Fprintf(b, "- **Data summary:**\n\n```\n%s```\n\n", DataSummary(run.Facts))
}

// DataSummary is the inventory in brief: files per kind, then each skipped file and why.
func DataSummary(r *artifacts.FactsReport) string {
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

func writeMetrics(b *strings.Builder, run *RunInfo, res *AgentResult) {
	t := res.Totals()
	fmt.Fprintf(b, "## Metrics\n\n")
	totals := render.NewTable("Metric", "Value", "Definition")
	totals.Add("Throughput", fmt.Sprintf("%.2f tok/s", t.DecodeTPS), "decode rate pooled over both calls: Σ(tokens−1) / Σ eval time")
	totals.Add("TTFT", fmt.Sprintf("%.1f ms", t.MeanTTFTMS), "mean over the calls of call start → first sampled token")
	totals.Add("Total duration", fmt.Sprintf("%.1f ms", t.TotalMS), "sum of the calls' wall times")
	totals.Add("Tokens generated", strconv.Itoa(t.GenTokens), "sum over the calls")
	totals.Add("Prompt eval", fmt.Sprintf("%d tokens (%d cached) in %.1f ms", t.PromptTokens, t.PromptCachedTokens, t.PromptEvalMS),
		"sum of prefill over the calls")
	totals.Add("Eval duration", fmt.Sprintf("%.1f ms", t.EvalMS), "sum of first → last token over the calls")
	totals.Add("Load duration", fmt.Sprintf("%.1f ms", run.Model.Load.LoadMS), "model load, once per run, not part of any call")
	totals.WriteMarkdown(b)
	calls := render.NewTable("Stage", "Prompt tokens", "Cached", "Facts shown", "Prompt tok/s", "TTFT ms", "Tokens", "Decode tok/s", "Total ms", "Stop")
	for _, c := range res.Calls {
		tm := c.Timings
		calls.Add(c.Stage, strconv.Itoa(tm.PromptTokens), strconv.Itoa(tm.PromptCachedTokens),
			fmt.Sprintf("%d of %d%s", c.Prompt.FactsShown, c.Prompt.FactsTotal, trimmedMark(c.Prompt.Trimmed)),
			fmt.Sprintf("%.1f", tm.PromptTPS), fmt.Sprintf("%.1f", tm.TTFTMS), strconv.Itoa(tm.GenTokens),
			fmt.Sprintf("%.2f", tm.DecodeTPS), fmt.Sprintf("%.1f", tm.TotalMS), c.StopReason)
	}
	calls.WriteMarkdown(b)
	b.WriteString("Cached: leading prompt tokens kept in the KV cache from the previous call and not evaluated again; " +
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

func writeKeyFindings(b *strings.Builder, facts *artifacts.FactsReport, res *AgentResult) {
	fmt.Fprintf(b, "## Key Findings\n\nComputed from the artifacts:\n\n")
	for _, f := range artifacts.RankFacts(facts.Facts)[:min(keyFactsInReport, len(facts.Facts))] {
		fmt.Fprintf(b, "- %s (`%s`)\n", f.Text, f.Source)
	}
	writeQuotedLines(b, "From the agent's analysis (LLM text, see the grounding check):", res.Analysis(), findingLineRe)
}

func writeRecommendations(b *strings.Builder, facts *artifacts.FactsReport, res *AgentResult) {
	fmt.Fprintf(b, "## Recommendations\n\n")
	recs := artifacts.Recommendations(facts.Facts)
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

func writeFactsAppendix(b *strings.Builder, facts *artifacts.FactsReport) {
	fmt.Fprintf(b, "## Appendix A: Computed facts\n\n")
	table := render.NewTable("#", "Fact", "Source", "Field")
	for i, f := range artifacts.RankFacts(facts.Facts) {
		table.Add(strconv.Itoa(i+1), f.Text, "`"+f.Source+"`", f.Field)
	}
	table.WriteMarkdown(b)
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
