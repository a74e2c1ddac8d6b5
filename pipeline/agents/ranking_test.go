package agents

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/runner"
)

// factTokenizer counts tokensPerFact tokens for every list line of the user message and one for every message.
type factTokenizer struct{}

const tokensPerFact = 10

func (factTokenizer) Prompt(req runner.Request) ([]llama.Token, error) {
	n := len(req.Messages)
	for _, line := range strings.Split(req.Messages[0].Content, "\n") {
		if strings.HasPrefix(line, "- ") {
			n += tokensPerFact
		}
	}
	return make([]llama.Token, n), nil
}

// configFitting is a configuration whose context holds the agent's conversation (user, assistant and user
// messages, two answers) with exactly n facts.
func configFitting(n int) engine.Config {
	cfg := engine.Config{NumPredict: 16}
	cfg.Context.NumCtx = 3 + 2*cfg.NumPredict + n*tokensPerFact
	return cfg
}

// blockyFacts are 100 facts of 3 kinds from 5 directories, in priority order one kind after another and within a
// kind 7 facts per directory: ranked by priority alone, the first 10 are one kind from 2 directories.
func blockyFacts() []artifacts.Fact {
	kinds := []string{artifacts.FactTTFT, artifacts.FactThroughput, artifacts.FactKernel}
	var facts []artifacts.Fact
	for i := range 100 {
		kind := kinds[i*len(kinds)/100]
		facts = append(facts, artifacts.Fact{ID: fmt.Sprint(i), Kind: kind, Text: fmt.Sprintf("%s fact %d", kind, i),
			Source: fmt.Sprintf("dir%d/file%d.json", (i%34)/7, i), Priority: 1000 - i})
	}
	return facts
}

// shownFacts are the facts a prompt lists, found by their text.
func shownFacts(t *testing.T, user string, facts []artifacts.Fact) []artifacts.Fact {
	t.Helper()
	var shown []artifacts.Fact
	for _, line := range strings.Split(user, "\n") {
		text, _, ok := strings.Cut(strings.TrimPrefix(line, "- "), " [")
		if !strings.HasPrefix(line, "- ") || !ok {
			continue
		}
		i := slices.IndexFunc(facts, func(f artifacts.Fact) bool { return f.Text == text })
		if i < 0 {
			t.Fatalf("the prompt lists %q, which is no fact", line)
		}
		shown = append(shown, facts[i])
	}
	return shown
}

func TestPromptMixesKindsAndDirectoriesWhenOnlyTenFactsFit(t *testing.T) {
	facts := blockyFacts()
	const fit = 10
	plan, err := FitPrompt(factTokenizer{}, Insight, facts, nil, configFitting(fit))
	if err != nil {
		t.Fatal(err)
	}
	if plan.FactsShown != fit || plan.FactsTotal != len(facts) || !plan.Trimmed {
		t.Fatalf("shown %d of %d (trimmed %v), want %d of %d trimmed", plan.FactsShown, plan.FactsTotal, plan.Trimmed, fit, len(facts))
	}
	shown := shownFacts(t, plan.User, facts)
	perKind := map[string]int{}
	dirsPerKind := map[string]map[string]bool{}
	for _, f := range shown {
		perKind[f.Kind]++
		if dirsPerKind[f.Kind] == nil {
			dirsPerKind[f.Kind] = map[string]bool{}
		}
		dirsPerKind[f.Kind][topLevel(f.Source)] = true
	}
	evenShare := fit / 3
	for _, kind := range []string{artifacts.FactTTFT, artifacts.FactThroughput, artifacts.FactKernel} {
		if perKind[kind] < evenShare || len(dirsPerKind[kind]) < evenShare {
			t.Errorf("%s: %d facts from %d directories, want at least %d of each; shown %v", kind, perKind[kind], len(dirsPerKind[kind]), evenShare, shown)
		}
	}
}

func TestTheAnalysisPromptLeavesRoomForTheReportCall(t *testing.T) {
	cfg := configFitting(10)
	cfg.Context.NumCtx-- // a token short of the whole conversation with 10 facts
	plan, err := FitPrompt(factTokenizer{}, Collector, blockyFacts(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FactsShown != 9 {
		t.Errorf("%d facts shown, want 9: the report's turn and both answers must fit too", plan.FactsShown)
	}
}

func ids(facts []artifacts.Fact) []string {
	ids := make([]string, len(facts))
	for i, f := range facts {
		ids[i] = f.ID
	}
	return ids
}

func TestRankingPutsConclusionsFirstAndRestatementsLast(t *testing.T) {
	facts := []artifacts.Fact{
		{ID: "csv", Kind: artifacts.FactThroughput, Text: "tokens_s mean 80 tok/s", Field: "tokens_s", Source: "a/x.csv", Priority: 70},
		{ID: "markdown best", Kind: artifacts.FactBestConfig, Text: "best num_gpu by table1.tok/s: 60", Field: "table1.tok/s", Source: "a/r.md", Priority: 40},
		{ID: "inventory", Kind: artifacts.FactInventory, Text: "4 artifacts parsed", Source: ".", Priority: 95},
		{ID: "json restating csv", Kind: artifacts.FactThroughput, Text: "results[].tokens_s mean 80 tok/s", Field: "results[].tokens_s", Source: "a/x.json", Priority: 70},
		{ID: "ttft", Kind: artifacts.FactTTFT, Text: "ttft_s mean 0.1 s", Field: "ttft_s", Source: "a/x.csv", Priority: 60},
	}
	want := []string{"inventory", "markdown best", "csv", "ttft", "json restating csv"}
	if got := ids(rankByInformation(facts)); !slices.Equal(got, want) {
		t.Errorf("ranked %q, want %q", got, want)
	}
}

func TestInsightsAreConclusionsWithAnAction(t *testing.T) {
	for _, kind := range []string{artifacts.FactBestLevel, artifacts.FactEffect, artifacts.FactTrend, artifacts.FactRatio,
		artifacts.FactNearTie, artifacts.FactFit, artifacts.FactFailedRows, artifacts.FactAgainstBaseline, artifacts.FactOutlier,
		artifacts.FactZeroTimes, artifacts.FactPair, artifacts.FactSortOrder, artifacts.FactHeadroom} {
		if bandOf(kind) != bandConclusion {
			t.Errorf("%s is not a conclusion", kind)
		}
		if actionFor(finding{Fact: artifacts.Fact{Kind: kind, Text: "p = 0.01"}}) == "" {
			t.Errorf("%s calls for no action", kind)
		}
	}
	if bandOf(artifacts.FactDistribution) != bandStatistic {
		t.Error("a distribution is one column's statistics")
	}
}
