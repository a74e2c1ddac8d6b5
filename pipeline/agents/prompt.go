package agents

import (
	"fmt"
	"strings"

	"chimera/llama"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/engine"
	"chimera/pipeline/runner"
)

// Handoff is text an earlier stage or agent produced and a later prompt quotes.
type Handoff struct {
	Title string
	Text  string
}

// PromptPlan is a prompt fitted to the context window, and what fitting it cost.
type PromptPlan struct {
	Request      runner.Request `json:"-"`
	User         string         `json:"user"`
	Rendered     string         `json:"rendered"` // the exact text the call's tokens came from (chat template, no BOS), set once the call ran
	Tokens       int            `json:"prompt_tokens"`
	FactsShown   int            `json:"facts_shown"`
	FactsTotal   int            `json:"facts_total"`
	Trimmed      bool           `json:"trimmed"`
	ReserveToken int            `json:"reserved_for_answer"`
}

// Tokenizer counts the tokens of a request as the model will see it (chat template and BOS included).
type Tokenizer interface {
	Prompt(req runner.Request) ([]llama.Token, error)
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

// FitPrompt plans the analysis call: a user message of the highest-ranked facts that fit (see rankByInformation),
// the handoffs and the analysis task, leaving room for the report call that continues the conversation (the report
// task and both answers; with num_predict 0 the analysis answer may use the room left beyond the report's).
// Facts are dropped lowest rank first, and the plan records it; if even no facts cannot fit, the error names the
// num_ctx that would.
func FitPrompt(tok Tokenizer, agent Agent, facts []artifacts.Fact, handoffs []Handoff, cfg engine.Config) (*PromptPlan, error) {
	ranked := rankByInformation(facts)
	reserve := answerReserve(cfg.NumPredict)
	budget := PromptBudget(cfg.Context.NumCtx, 2*reserve)
	analysis := func(n int) runner.Request {
		return runner.Request{
			Messages:   []llama.Message{{Role: "user", Content: userMessage(ranked[:n], len(ranked), agent, handoffs)}},
			NumPredict: cfg.NumPredict,
			Sampling:   cfg.Sampling,
		}
	}
	// The conversation's size with both answers left empty.
	conversation := func(n int) (int, error) {
		req := analysis(n)
		req.Messages = append(req.Messages, llama.Message{Role: "assistant"}, reportTurn(agent))
		tokens, err := tok.Prompt(req)
		return len(tokens), err
	}
	minimal, err := conversation(0)
	if err != nil {
		return nil, err
	}
	if minimal > budget {
		return nil, engine.Invalid(fmt.Errorf("the %s prompts need %d tokens plus %d for each of the two answers: use num_ctx %d or more (it is %d)",
			agent.Name, minimal, reserve, minimal+2*reserve, cfg.Context.NumCtx))
	}
	// Token counts grow with the number of facts, so the largest fitting count is found by bisection.
	lo, hi := 0, len(ranked)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		n, err := conversation(mid)
		if err != nil {
			return nil, err
		}
		if n <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	size, err := conversation(lo)
	if err != nil {
		return nil, err
	}
	req := analysis(lo)
	answerRoom := reserve
	if cfg.NumPredict == 0 { // until the model stops, within the room the report call needs
		answerRoom = cfg.Context.NumCtx - size - reserve
		req.NumPredict = answerRoom
	}
	tokens, err := tok.Prompt(req)
	if err != nil {
		return nil, err
	}
	return &PromptPlan{
		Request: req, User: req.Messages[0].Content, Tokens: len(tokens), FactsShown: lo, FactsTotal: len(ranked),
		Trimmed: lo < len(ranked), ReserveToken: answerRoom,
	}, nil
}

// ReportPrompt plans the report call: the analysis call's conversation, its answer kept as generated, continued
// with the report task. It shows the facts the analysis call showed.
func ReportPrompt(tok Tokenizer, agent Agent, analysis *PromptPlan, answer *runner.Result, cfg engine.Config) (*PromptPlan, error) {
	req := runner.Request{Continue: answer, Messages: []llama.Message{reportTurn(agent)}, NumPredict: cfg.NumPredict, Sampling: cfg.Sampling}
	tokens, err := tok.Prompt(req)
	if err != nil {
		return nil, err
	}
	reserve := answerReserve(cfg.NumPredict)
	if len(tokens) > PromptBudget(cfg.Context.NumCtx, reserve) {
		return nil, engine.Invalid(fmt.Errorf("the %s report prompt continues the analysis (%d tokens generated) and needs %d tokens plus %d for the answer: use num_ctx %d or more (it is %d)",
			agent.Name, answer.Timings.GenTokens, len(tokens), reserve, len(tokens)+reserve, cfg.Context.NumCtx))
	}
	plan := *analysis
	plan.Request, plan.User, plan.Rendered, plan.Tokens, plan.ReserveToken = req, req.Messages[0].Content, "", len(tokens), reserve
	return &plan, nil
}

func reportTurn(agent Agent) llama.Message {
	return llama.Message{Role: "user", Content: "Task: " + agent.ReportTask}
}

// userMessage opens an agent's conversation: the facts, the persona, the handoffs and the analysis task. The facts
// come first, before the persona: gemma3 has no system role (llama.cpp puts a system message at the start of the
// first user turn), and a conversation that starts with the same facts as the one before it on the context reuses
// their KV cache instead of evaluating them again.
func userMessage(facts []artifacts.Fact, total int, agent Agent, handoffs []Handoff) string {
	var b strings.Builder
	// The count follows the list so that prompts with more or fewer facts still share their leading tokens.
	b.WriteString("Benchmark facts computed by chimera from the artifact files, most informative first; each ends with its source file:\n")
	for _, f := range facts {
		fmt.Fprintf(&b, "- %s [%s]\n", f.Text, f.Source)
	}
	fmt.Fprintf(&b, "(%d of %d facts shown.)\n\n%s\n", len(facts), total, agent.Persona)
	for _, h := range handoffs {
		fmt.Fprintf(&b, "\n%s:\n%s\n", h.Title, strings.TrimSpace(h.Text))
	}
	fmt.Fprintf(&b, "\nTask: %s\n", agent.AnalysisTask)
	return b.String()
}
