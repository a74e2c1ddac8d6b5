package workflows

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"chimera/pipeline/agents"
	"chimera/pipeline/engine"
	"chimera/store"
)

func openTestDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "chimera.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func runOptions(t *testing.T, data string) RunOptions {
	return RunOptions{Target: Target{ModelRef: tinyModel}, Config: tinyConfig(), Data: Data{DataDirs: []string{data}}, Agents: agents.Agents, Runs: 1,
		OutDir: t.TempDir()}
}

func TestRunWritesReportsAndRows(t *testing.T) {
	db := openTestDB(t)
	opts := runOptions(t, testArtifacts)
	result, err := Run(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"collector_report.md", "insight_report.md", "combined_report.md", "metrics.json"} {
		if _, err := os.Stat(filepath.Join(opts.OutDir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusOK || len(run.AgentRuns) != 2 || len(run.Calls) != 4 || len(run.Reports) != 3 || len(run.Facts) == 0 {
		t.Errorf("run %s: %d agent runs, %d calls, %d reports, %d facts", run.Status, len(run.AgentRuns), len(run.Calls), len(run.Reports), len(run.Facts))
	}
	for _, call := range run.Calls { // the exact text tokenized: the chat template around the call's user message
		if !strings.Contains(call.RenderedPrompt, strings.TrimSpace(call.Prompt)) || call.RenderedPrompt == call.Prompt {
			t.Errorf("%s call: rendered prompt %.80q does not wrap its user message in the chat template", call.Stage, call.RenderedPrompt)
		}
	}
	if result.ModelCheckMS <= 0 || result.ContextMS <= 0 || result.Model.Load.LoadMS <= 0 {
		t.Errorf("model check %v ms, load %v ms, context %v ms: each is measured", result.ModelCheckMS, result.Model.Load.LoadMS, result.ContextMS)
	}
	report, _ := os.ReadFile(filepath.Join(opts.OutDir, "insight_report.md"))
	for _, section := range []string{"**Configuration:** num_gpu=all, num_ctx=2048, temperature=0.8, top_p=0.9, top_k=40, repeat_penalty=1.1",
		"## Workflow Summary", "## Metrics", "## Key Findings", "## Recommendations", "## Persona Prompt",
		"## Appendix A: Computed facts", "## Appendix B: Grounding check", agents.Insight.Persona} {
		if !strings.Contains(string(report), section) {
			t.Errorf("insight report lacks %q", section)
		}
	}
}

func TestInsightReceivesTheCollectorsReport(t *testing.T) {
	result, err := Run(context.Background(), openTestDB(t), runOptions(t, testArtifacts))
	if err != nil {
		t.Fatal(err)
	}
	collector, insight := result.Agents[0], result.Agents[1]
	handoff := "Inventory from " + agents.Collector.Name + ":\n" + strings.TrimSpace(collector.Report())
	if !strings.Contains(insight.Calls[0].Prompt.User, handoff) {
		t.Error("the insight agent's analysis prompt does not carry the collector's report")
	}
	if !strings.Contains(insight.Calls[0].Prompt.User, agents.Insight.Persona) {
		t.Error("the insight agent's prompt lacks its persona")
	}
}

func TestEveryPassReusesItsOwnFactsOnly(t *testing.T) {
	opts := runOptions(t, testArtifacts)
	opts.Runs = 2
	result, err := Run(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	var collector int // the prompt tokens of the pass's collector analysis
	for _, res := range result.Agents {
		analysis := res.Calls[0].Timings
		switch res.Agent.ID {
		case agents.Collector.ID: // a pass starts from an empty cache
			collector = analysis.PromptTokens
			if analysis.PromptCachedTokens != 0 {
				t.Errorf("pass %d: the collector's analysis reused %d tokens of the pass before", res.Repetition, analysis.PromptCachedTokens)
			}
		case agents.Insight.ID: // the facts, which open both agents' conversations, are evaluated once per pass
			if analysis.PromptCachedTokens < collector/2 {
				t.Errorf("pass %d: the insight's analysis reused %d tokens, want most of the collector's %d-token prompt (the facts)", res.Repetition, analysis.PromptCachedTokens, collector)
			}
		}
	}
}

func TestTheReportCallContinuesTheAnalysis(t *testing.T) {
	result, err := Run(context.Background(), openTestDB(t), runOptions(t, testArtifacts))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range result.Agents {
		analysis, report := res.Calls[0], res.Calls[1]
		if !strings.HasPrefix(report.Prompt.Rendered, analysis.Prompt.Rendered+analysis.Response) || !strings.Contains(report.Prompt.Rendered, res.Agent.ReportTask) {
			t.Errorf("%s: the report prompt does not go on from the analysis prompt and its answer with the report task", res.Agent.ID)
		}
		// Every token of the analysis call but the last one sampled, which was never decoded, is reused.
		if want := analysis.Timings.PromptTokens + analysis.Timings.GenTokens - 1; report.Timings.PromptCachedTokens != want {
			t.Errorf("%s: the report call reused %d prompt tokens, want the analysis call's %d", res.Agent.ID, report.Timings.PromptCachedTokens, want)
		}
	}
}

func TestUnboundedAnswersLeaveRoomForTheReportCall(t *testing.T) {
	opts := runOptions(t, testArtifacts)
	opts.Config.NumPredict = 0 // the tiny model rarely ends an answer itself: the analysis would fill the context
	opts.Agents = []agents.Agent{agents.Collector}
	result, err := Run(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The run succeeding says the report fitted; the analysis answer may run past the 512 tokens reserved for it.
	if analysis := result.Agents[0].Calls[0].Timings; analysis.GenTokens <= 512 {
		t.Errorf("the analysis generated %d tokens, want more than 512: num_predict 0 bounds it only by the report's room", analysis.GenTokens)
	}
}

func TestRunTrimsFactsToFitTheContext(t *testing.T) {
	opts := runOptions(t, testArtifacts)
	opts.Config.Context.NumCtx = 640
	opts.Agents = []agents.Agent{agents.Collector}
	result, err := Run(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	call := result.Agents[0].Calls[0]
	if !call.Prompt.Trimmed || call.Prompt.FactsShown >= call.Prompt.FactsTotal || call.Timings.PromptTokens > 640-opts.Config.NumPredict {
		t.Errorf("prompt %+v with %d tokens does not show the trimming", call.Prompt, call.Timings.PromptTokens)
	}
}

func TestRunRefusesAContextTooSmallForThePersona(t *testing.T) {
	opts := runOptions(t, testArtifacts)
	opts.Config.Context.NumCtx = 128
	opts.Config.NumPredict = 64
	_, err := Run(context.Background(), openTestDB(t), opts)
	if !engine.IsInputError(err) || !strings.Contains(err.Error(), "use num_ctx") {
		t.Errorf("got %v, want an input error naming the num_ctx needed", err)
	}
}

func TestRunWithoutArtifactsFailsBeforeLoading(t *testing.T) {
	db := openTestDB(t)
	_, err := Run(context.Background(), db, runOptions(t, t.TempDir()))
	if !engine.IsInputError(err) || !strings.Contains(err.Error(), "no artifacts found") {
		t.Errorf("got %v", err)
	}
	if runs, _ := db.ListRuns(context.Background(), store.ListFilter{}); len(runs) != 0 {
		t.Errorf("%d runs recorded for a run that could not start", len(runs))
	}
}

func TestRunRefusesAnUnwritableOutputDirectory(t *testing.T) {
	opts := runOptions(t, testArtifacts)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	opts.OutDir = filepath.Join(blocker, "out")
	if _, err := Run(context.Background(), openTestDB(t), opts); !engine.IsInputError(err) {
		t.Errorf("got %v, want an input error", err)
	}
}

// cancelOnLine cancels a run as soon as its progress log has printed marker the given number of times.
type cancelOnLine struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	times  int
	cancel context.CancelFunc
}

func (c *cancelOnLine) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Count(c.buf.String(), c.marker) >= c.times {
		c.cancel()
	}
	return len(p), nil
}

func TestInterruptedRunKeepsCompletedCalls(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := runOptions(t, testArtifacts)
	// The second completed call is the collector's report: the insight agent's first call is then interrupted.
	opts.Log = &cancelOnLine{marker: " prompt tokens ", times: 2, cancel: cancel}
	result, err := Run(ctx, db, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusInterrupted || len(run.Calls) != 3 {
		t.Errorf("status %s with %d calls, want interrupted with 2 collector calls and the interrupted insight call", run.Status, len(run.Calls))
	}
	if last := run.AgentRuns[len(run.AgentRuns)-1]; last.Status != store.StatusInterrupted {
		t.Errorf("the insight agent run is %s, want interrupted", last.Status)
	}
	if _, err := os.Stat(filepath.Join(opts.OutDir, "collector_report.md")); err != nil {
		t.Errorf("the finished collector report is gone: %v", err)
	}
}

func TestRunOnTheSharedDataset(t *testing.T) {
	const shared = "../../../shared/datasets/chimera-reports"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared dataset absent")
	}
	opts := runOptions(t, shared)
	opts.Agents = []agents.Agent{agents.Collector}
	result, err := Run(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Facts.Files) != 85 || !result.Agents[0].Calls[0].Prompt.Trimmed {
		t.Errorf("%d files analysed, first prompt %+v", len(result.Facts.Files), result.Agents[0].Calls[0].Prompt)
	}
}

// --warmup runs one pass of the agents first, recorded as repetition 0 like every workflow's warm-up, and leaves
// it out of the result: its agents' reports are not written and no statistic counts it.
func TestRunsWarmUpIsARecordedPassLeftOutOfTheResult(t *testing.T) {
	db := openTestDB(t)
	opts := runOptions(t, testArtifacts)
	opts.Warmup = true
	result, err := Run(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Agents) != 2 || result.Agents[0].Repetition != 1 {
		t.Fatalf("%d agent results, the first of repetition %d; want the measured pass only", len(result.Agents), result.Agents[0].Repetition)
	}
	run, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var warmups int
	for _, a := range run.AgentRuns {
		if a.Repetition == 0 {
			warmups++
			if !strings.HasPrefix(a.Label, "warm-up ") || a.ReportPath != "" {
				t.Errorf("warm-up agent run %+v: want a warm-up label and no report", a)
			}
		}
	}
	if warmups != 2 || len(run.AgentRuns) != 4 {
		t.Errorf("%d agent runs, %d of them warm-ups; want both agents once each way", len(run.AgentRuns), warmups)
	}
}
