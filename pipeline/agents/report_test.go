package agents

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/generation"
)

func renderReport(facts []artifacts.Fact, files []artifacts.FileFacts, calls ...CallRecord) string {
	run := &RunInfo{RunID: 1, Config: engine.DefaultConfig(),
		Facts: &artifacts.FactsReport{Inventory: artifacts.Inventory{Files: files}, Facts: facts}}
	if len(calls) == 0 {
		calls = []CallRecord{{Stage: StageAnalysis, Response: "analysis"}, {Stage: StageReport, Response: "report"}}
	}
	return RenderAgentReport(run, &AgentResult{Agent: Insight, Calls: calls}, time.Unix(0, 0))
}

// section is the report's text from a heading to the next heading of its level, or to the end.
func section(report, heading string) string {
	_, rest, _ := strings.Cut(report, "\n## "+heading+"\n")
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

var listItemRe = regexp.MustCompile(`(?m)^(?:- |\d+\. )(.*)$`)

// computedItems are a section's list items above its quotes of LLM text.
func computedItems(body string) []string {
	computed, _, _ := strings.Cut(body, " in the agent's analysis (LLM text")
	var items []string
	for _, m := range listItemRe.FindAllStringSubmatch(computed, -1) {
		items = append(items, m[1])
	}
	return items
}

func bestConfigFact(i int) artifacts.Fact {
	return artifacts.Fact{ID: fmt.Sprintf("best_config:%d", i), Kind: artifacts.FactBestConfig, Field: "tokens_s",
		Text: fmt.Sprintf("best num_gpu by tokens_s: num_gpu=%d at %d tok/s", 10*i, 100+i), Source: fmt.Sprintf("model%d/sweep.csv", i), Priority: 90}
}

func TestRecommendationsAreDistinctGivenSixBestConfigs(t *testing.T) {
	var facts []artifacts.Fact
	for i := range 6 {
		facts = append(facts, bestConfigFact(i))
	}
	report := renderReport(facts, nil)
	if findings := computedItems(section(report, "Key Findings")); len(findings) != len(facts) {
		t.Errorf("%d key findings, want one per fact (%d): %q", len(findings), len(facts), findings)
	}
	recs := computedItems(section(report, "Recommendations"))
	seen := map[string]bool{}
	for _, r := range recs {
		sentence, _, _ := strings.Cut(r, ". Evidence:")
		if seen[sentence] {
			t.Errorf("recommended twice: %q", sentence)
		}
		seen[sentence] = true
	}
	if len(recs) != 1 || strings.Count(recs[0], "finding ") != len(facts) {
		t.Errorf("want one recommendation citing all %d findings, got %q", len(facts), recs)
	}
}

func TestRecommendationsFollowTheSignificanceOfTheFinding(t *testing.T) {
	groupMeans := func(source, p string) artifacts.Fact {
		return artifacts.Fact{Kind: artifacts.FactGroupMeans, Text: "mean tokens_s by tag: a → 80, b → 70 tok/s; a vs b: Welch " + p,
			Source: source, Priority: 80}
	}
	findings := keyFindings([]artifacts.Fact{groupMeans("quant.csv", "p < 0.001"), groupMeans("suite.csv", "p = 0.376")})
	if s, ok := findings[0].significance(); !ok || !s.significant || s.String() != "significant at the 0.05 level (p < 0.001)" {
		t.Errorf("p < 0.001: %+v %v", s, ok)
	}
	if s, ok := findings[1].significance(); !ok || s.significant || s.String() != "not significant at the 0.05 level (p = 0.376)" {
		t.Errorf("p = 0.376: %+v %v", s, ok)
	}
	recs := recommendations(findings)
	if len(recs) != 2 || recs[0].action == recs[1].action {
		t.Errorf("a significant and an insignificant lead call for different actions, got %+v", recs)
	}
}

func TestKeyFindingsListARestatedFactOnceWithEverySource(t *testing.T) {
	csv := artifacts.Fact{Kind: artifacts.FactTTFT, Text: "ttft_s mean 0.548 s, n=5", Field: "ttft_s", Source: "gemma3/baseline.csv", Priority: 60}
	json := artifacts.Fact{Kind: artifacts.FactTTFT, Text: "results[].ttft_s mean 0.548 s, n=5", Field: "results[].ttft_s", Source: "gemma3/baseline.json", Priority: 60}
	other := artifacts.Fact{Kind: artifacts.FactTTFT, Text: "ttft_s mean 0.9 s, n=5", Field: "ttft_s", Source: "llama3/baseline.csv", Priority: 60}
	findings := keyFindings([]artifacts.Fact{csv, json, other})
	if len(findings) != 2 || strings.Join(findings[0].sources, " ") != csv.Source+" "+json.Source || findings[1].Source != other.Source {
		t.Errorf("got %+v", findings)
	}
	var many []artifacts.Fact
	for i := range 3 * maxKeyFindings {
		many = append(many, bestConfigFact(i))
	}
	if n := len(keyFindings(many)); n != maxKeyFindings {
		t.Errorf("%d key findings of %d facts, want %d", n, len(many), maxKeyFindings)
	}
}

func TestReportIsValidUTF8WhenTheLLMStopsMidCharacter(t *testing.T) {
	cut := "café"[:len("café")-1]
	report := renderReport(nil, nil, CallRecord{Stage: StageAnalysis, Response: "key finding: " + cut},
		CallRecord{Stage: StageReport, Response: "summary " + cut})
	if !utf8.ValidString(report) || !strings.Contains(report, "summary caf\uFFFD") {
		t.Errorf("the report is not valid UTF-8 or lost the text around the cut:\n%s", report)
	}
}

func TestReportQuotesFileNamesAsCode(t *testing.T) {
	odd := "runs/odd`name_*.csv"
	fact := artifacts.Fact{Kind: artifacts.FactBestConfig, Text: "best num_gpu by tokens_s: num_gpu=60", Source: odd, Priority: 90}
	report := renderReport([]artifacts.Fact{fact}, nil)
	span := codeSpan(odd)
	for _, heading := range []string{"Key Findings", "Recommendations", "Appendix A: Computed facts"} {
		if !strings.Contains(section(report, heading), span) {
			t.Errorf("%s does not quote %q as %s", heading, odd, span)
		}
	}
}

func TestDataSummaryCoversEachTopLevelDirectory(t *testing.T) {
	early, late := time.Date(2025, 10, 2, 15, 18, 24, 0, time.UTC), time.Date(2025, 10, 8, 16, 29, 55, 0, time.UTC)
	files := []artifacts.FileFacts{
		{Path: "ollama/20251002/runs.csv", Kind: artifacts.KindCSV, Latest: early},
		{Path: "ollama/20251008/summary.json", Kind: artifacts.KindJSON, Latest: late},
		{Path: "ollama/notes.md", Kind: artifacts.KindMarkdown},
		{Path: "gemma3/report.md", Kind: artifacts.KindMarkdown},
		{Path: "README.txt", Kind: artifacts.KindText},
	}
	summary := strings.Join(strings.Fields(DataSummary(&artifacts.FactsReport{Inventory: artifacts.Inventory{Files: files}})), " ")
	for _, want := range []string{
		"Total files analysed: 5 (1 csv, 1 json, 2 markdown, 1 text)",
		"ollama 3: 1 csv, 1 json, 1 markdown " + late.Format(time.RFC3339),
		"gemma3 1: 1 markdown none written",
		". 1: 1 text none written",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("the data summary lacks %q:\n%s", want, summary)
		}
	}
}

func TestMetricsShowTheTTFTOfEachStage(t *testing.T) {
	analysis := CallRecord{Stage: StageAnalysis, Timings: generation.Timings{TTFTMS: 812.5, PromptTokens: 1000}}
	report := CallRecord{Stage: StageReport, Timings: generation.Timings{TTFTMS: 95.5, PromptTokens: 1100, PromptCachedTokens: 900}}
	metrics := section(renderReport(nil, nil, analysis, report), "Metrics")
	for _, want := range []string{
		"| TTFT, analysis | 812.5 ms | call start → first sampled token, after a full prefill of 1000 prompt tokens |",
		"| TTFT, report | 95.5 ms | call start → first sampled token, after a prefill of 200 of 1100 prompt tokens, the rest reused from the KV cache |",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("the metrics lack %q:\n%s", want, metrics)
		}
	}
	if mean := fmt.Sprintf("%.1f ms", (812.5+95.5)/2); strings.Contains(metrics, mean) {
		t.Errorf("the metrics show the mean of a full and a cached prefill, %s", mean)
	}
}
