package agents

import (
	"fmt"
	"strings"

	"chimera/llama"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
)

// Handoff is text an earlier stage or agent produced and a later prompt quotes.
type Handoff struct {
	Title string
	Text  string
}

// PromptPlan is a prompt fitted to the context window, and what fitting it cost.
type PromptPlan struct {
	Request      llama.Request `json:"-"`
	User         string        `json:"user"`
	Rendered     string        `json:"rendered"` // the exact text the call's tokens came from (chat template, no BOS), set once the call ran
	Tokens       int           `json:"prompt_tokens"`
	FactsShown   int           `json:"facts_shown"`
	FactsTotal   int           `json:"facts_total"`
	Trimmed      bool          `json:"trimmed"`
	ReserveToken int           `json:"reserved_for_answer"`
}

// Tokenizer counts the tokens of a request as the model will see it (chat template and BOS included).
type Tokenizer interface {
	Prompt(req llama.Request) ([]llama.Token, error)
}

// PromptBudget is the prompt-size limit for a context: what is left after reserving room for the answer.
func PromptBudget(numCtx, reserve int) int { return numCtx - reserve }

// answerReserve is the room kept for the answer: num_predict, or 512 tokens when generation is unbounded.
func answerReserve(numPredict int) int {
	if numPredict > 0 {
		return numPredict
	}
	return 512
}

// FitPrompt builds the user message from the highest-ranked facts that fit (see rankByInformation), with the
// handoffs and the task. Facts are dropped lowest rank first, and the plan records it; if even no facts cannot
// fit, the error names the num_ctx that would.
func FitPrompt(tok Tokenizer, agent Agent, stage string, facts []artifacts.Fact, handoffs []Handoff, cfg engine.Config) (*PromptPlan, error) {
	task := agent.Task(stage)
	ranked := rankByInformation(facts)
	reserve := answerReserve(cfg.NumPredict)
	budget := PromptBudget(cfg.Context.NumCtx, reserve)
	build := func(n int) (llama.Request, int, error) {
		req := llama.Request{
			Messages:   []llama.Message{{Role: "system", Content: agent.Persona}, {Role: "user", Content: userMessage(ranked[:n], len(ranked), handoffs, task)}},
			NumPredict: cfg.NumPredict,
			Sampling:   cfg.Sampling,
		}
		tokens, err := tok.Prompt(req)
		return req, len(tokens), err
	}
	_, minimal, err := build(0)
	if err != nil {
		return nil, err
	}
	if minimal > budget {
		return nil, engine.Invalid(fmt.Errorf("the %s %s prompt needs %d tokens plus %d for the answer: use num_ctx %d or more (it is %d)",
			agent.Name, stage, minimal, reserve, minimal+reserve, cfg.Context.NumCtx))
	}
	// Token counts grow with the number of facts, so the largest fitting count is found by bisection.
	lo, hi := 0, len(ranked)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		_, n, err := build(mid)
		if err != nil {
			return nil, err
		}
		if n <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	req, tokens, err := build(lo)
	if err != nil {
		return nil, err
	}
	return &PromptPlan{
		Request: req, User: req.Messages[1].Content, Tokens: tokens, FactsShown: lo, FactsTotal: len(ranked),
		Trimmed: lo < len(ranked), ReserveToken: reserve,
	}, nil
}

func userMessage(facts []artifacts.Fact, total int, handoffs []Handoff, task string) string {
	var b strings.Builder
	// The count follows the list so that prompts with more or fewer facts still share their leading tokens,
	// which a context reusing its KV cache does not evaluate again.
	b.WriteString("Benchmark facts computed by chimera from the artifact files, most informative first; each ends with its source file:\n")
	for _, f := range facts {
		fmt.Fprintf(&b, "- %s [%s]\n", f.Text, f.Source)
	}
	fmt.Fprintf(&b, "(%d of %d facts shown.)\n", len(facts), total)
	for _, h := range handoffs {
		fmt.Fprintf(&b, "\n%s:\n%s\n", h.Title, strings.TrimSpace(h.Text))
	}
	fmt.Fprintf(&b, "\nTask: %s\n", task)
	return b.String()
}
