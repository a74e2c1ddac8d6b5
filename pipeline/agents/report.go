package agents

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/generation"
	"chimera/pipeline/render"
)

// SyntheticNotice is printed in every report made with random weights.
const SyntheticNotice = "> **Synthetic model:** the weights are random, so the LLM text below is noise. The timings are real " +
	"measurements of this model's shape on this machine; the facts and statistics are computed from the artifacts."

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
	fmt.Fprintf(&b, "**Model:** %s (%s)  \n", codeSpan(run.Model.Ref), markdownText(run.Model.Description))
	fmt.Fprintf(&b, "**Configuration:** %s  \n", run.Config.Describe())
	fmt.Fprintf(&b, "**Run:** %d, repetition %d\n\n", run.RunID, res.Repetition)
	if run.Model.Synthetic {
		fmt.Fprintf(&b, "%s\n\n", SyntheticNotice)
	}
	fmt.Fprintf(&b, "---\n\n%s\n\n---\n\n", strings.TrimSpace(res.Report()))
	writeWorkflowSummary(&b, run, res)
	writeMetrics(&b, run, res)
	findings := keyFindings(run.Facts.Facts)
	writeKeyFindings(&b, findings, res)
	writeRecommendations(&b, findings, res)
	fmt.Fprintf(&b, "## Persona Prompt\n\n%s\n", codeBlock(res.Agent.Persona))
	writeFactsAppendix(&b, run.Facts)
	writeGroundingAppendix(&b, res.Grounding)
	// Generation can stop in the middle of a character, and file names need not be UTF-8.
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func writeWorkflowSummary(b *strings.Builder, run *RunInfo, res *AgentResult) {
	s := res.Stages
	fmt.Fprintf(b, "## Workflow Summary\n\n")
	fmt.Fprintf(b, "- **Files analysed:** %d (%d skipped)\n", len(run.Facts.Files), len(run.Facts.Skipped))
	fmt.Fprintf(b, "- **Execution time:** %.2f s (ingest %.2f s | analysis %.2f s | report %.2f s); the ingest is shared by the run's agents\n",
		s.TotalMS/1000, s.IngestMS/1000, s.AnalysisMS/1000, s.ReportMS/1000)
	fmt.Fprintf(b, "- **Data summary:**\n\n%s\n", codeBlock(DataSummary(run.Facts)))
}

// DataSummary is the inventory in brief: files per kind, the coverage of each top-level directory (files per
// kind and the latest timestamp written in them), then each skipped file and why.
func DataSummary(r *artifacts.FactsReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Total files analysed: %d (%s)\n\n", len(r.Files), kindCounts(r.Files))
	coverage := render.NewTable("Directory", "Files", "Latest timestamp")
	for _, files := range groupByKey(r.Files, directoryOf) {
		coverage.Add(directoryOf(files[0]), fmt.Sprintf("%d: %s", len(files), kindCounts(files)), latestTimestamp(files))
	}
	coverage.WriteText(&b)
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "\nSkipped: %d\n", len(r.Skipped))
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "  %s: %s\n", s.Path, s.Reason)
		}
	}
	return b.String()
}

// directoryOf is the top-level directory a file lies in, "." for a file at the root.
func directoryOf(f artifacts.FileFacts) string { return topLevel(path.Dir(f.Path)) }

// kindCounts is "24 csv, 30 json", kinds in alphabetical order.
func kindCounts(files []artifacts.FileFacts) string {
	counts := map[string]int{}
	for _, f := range files {
		counts[f.Kind]++
	}
	kinds := slices.Sorted(maps.Keys(counts))
	parts := make([]string, len(kinds))
	for i, kind := range kinds {
		parts[i] = fmt.Sprintf("%d %s", counts[kind], kind)
	}
	return strings.Join(parts, ", ")
}

// latestTimestamp is the latest timestamp written in any of the files.
func latestTimestamp(files []artifacts.FileFacts) string {
	var latest time.Time
	for _, f := range files {
		if f.Latest.After(latest) {
			latest = f.Latest
		}
	}
	if latest.IsZero() {
		return "none written"
	}
	return latest.UTC().Format(time.RFC3339)
}

func writeMetrics(b *strings.Builder, run *RunInfo, res *AgentResult) {
	t := res.Totals()
	fmt.Fprintf(b, "## Metrics\n\n")
	totals := render.NewTable("Metric", "Value", "Definition")
	totals.Add("Throughput", fmt.Sprintf("%.2f tok/s", t.DecodeTPS), "decode rate pooled over both calls: Σ(tokens−1) / Σ eval time")
	for _, c := range res.Calls {
		totals.Add("TTFT, "+c.Stage, fmt.Sprintf("%.1f ms", c.Timings.TTFTMS), "call start → first sampled token, after "+describePrefill(c.Timings))
	}
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

// describePrefill says how much of a prompt was evaluated, which most of a call's TTFT is.
func describePrefill(t generation.Timings) string {
	if t.PromptCachedTokens == 0 {
		return fmt.Sprintf("a full prefill of %d prompt tokens", t.PromptTokens)
	}
	return fmt.Sprintf("a prefill of %d of %d prompt tokens, the rest reused from the KV cache", t.PromptTokens-t.PromptCachedTokens, t.PromptTokens)
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

func writeKeyFindings(b *strings.Builder, findings []finding, res *AgentResult) {
	fmt.Fprintf(b, "## Key Findings\n\nComputed from the artifacts, conclusions before per-file statistics, each with every file that shows it:\n\n")
	if len(findings) == 0 {
		b.WriteString("- None: the facts hold no comparisons or statistics.\n")
	}
	for _, f := range findings {
		fmt.Fprintf(b, "%d. %s. Evidence: %s", f.number, markdownText(f.Text), codeSpans(f.sources))
		if s, ok := f.significance(); ok {
			fmt.Fprintf(b, ". Significance: %s", s)
		}
		b.WriteString(".\n")
	}
	writeQuotedLines(b, "Findings in the agent's analysis (LLM text, see the grounding check):", res.Analysis(), findingLineRe)
}

func writeRecommendations(b *strings.Builder, findings []finding, res *AgentResult) {
	fmt.Fprintf(b, "## Recommendations\n\nDerived from the key findings:\n\n")
	recs := recommendations(findings)
	if len(recs) == 0 {
		b.WriteString("- None follow from the facts alone.\n")
	}
	for _, r := range recs {
		fmt.Fprintf(b, "- %s. Evidence: %s.\n", r.action, citeFindings(r.evidence))
	}
	writeQuotedLines(b, "Advice in the agent's analysis (LLM text, see the grounding check):", res.Analysis(), adviceLineRe)
}

func codeSpans(paths []string) string {
	spans := make([]string, len(paths))
	for i, p := range paths {
		spans[i] = codeSpan(p)
	}
	return strings.Join(spans, ", ")
}

// citeFindings names findings by number and source: "finding 1 (`a.csv`), finding 3 (`b.json`)".
func citeFindings(findings []finding) string {
	cites := make([]string, len(findings))
	for i, f := range findings {
		cites[i] = fmt.Sprintf("finding %d (%s)", f.number, codeSpan(f.Source))
	}
	return strings.Join(cites, ", ")
}

// maxQuotedLines bounds the lines of LLM text a section quotes.
const maxQuotedLines = 5

// writeQuotedLines lists the first distinct lines of LLM text that match a keyword, marked as the model's words.
func writeQuotedLines(b *strings.Builder, title, text string, keep *regexp.Regexp) {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•"))
		quotable := line != "" && !strings.HasPrefix(line, "#") && keep.MatchString(line)
		if quotable && len(lines) < maxQuotedLines && !slices.Contains(lines, line) {
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
	fmt.Fprintf(b, "## Appendix A: Computed facts\n\nIn the order the agents see them: a prompt showing n facts shows the first n.\n\n")
	table := render.NewTable("#", "Fact", "Source", "Field")
	for i, f := range rankByInformation(facts.Facts) {
		table.Add(strconv.Itoa(i+1), markdownText(f.Text), codeSpan(f.Source), markdownText(f.Field))
	}
	table.WriteMarkdown(b)
}

func writeGroundingAppendix(b *strings.Builder, g Grounding) {
	fmt.Fprintf(b, "## Appendix B: Grounding check\n\n")
	fmt.Fprintf(b, "A number in the LLM text is grounded when it equals a computed fact or a run metric at the precision written; "+
		"loose when it equals one only scaled ×100, ×1000 or ÷1000 (as a percentage or a ms/s conversion would), or is an "+
		"integer of at most %d, which some count or setting always equals; ungrounded otherwise.\n\n", smallInteger)
	texts := []struct {
		name string
		TextGrounding
	}{{"Analysis", g.Analysis}, {"Report", g.Report}, {"Both", g.TextGrounding}}
	table := render.NewTable("Text", "Numbers", "Grounded", "Loose", "Ungrounded", "Placeholders")
	for _, t := range texts {
		table.Add(t.name, strconv.Itoa(t.Numbers), strconv.Itoa(t.Grounded), strconv.Itoa(len(t.Loose)),
			strconv.Itoa(len(t.Ungrounded)), strconv.Itoa(len(t.Placeholders)))
	}
	table.WriteMarkdown(b)
	for _, t := range texts[:2] {
		writeLiterals(b, t.name+", loose", t.Loose)
		writeLiterals(b, t.name+", ungrounded", t.Ungrounded)
		writeLiterals(b, t.name+", placeholders", t.Placeholders)
	}
}

// writeLiterals lists what a grounding check found in LLM text, if anything.
func writeLiterals(b *strings.Builder, title string, literals []string) {
	if len(literals) > 0 {
		fmt.Fprintf(b, "- %s: %s\n", title, markdownText(strings.Join(literals, ", ")))
	}
}
