package runner

import (
	"errors"
	"fmt"

	"chimera/llama"
	"chimera/pipeline/generation"
)

// Request is one generation call: chat Messages through the model's chat template, or a raw Prompt.
type Request struct {
	Messages []llama.Message
	Prompt   string
	// Continue, when set, is the earlier call this one goes on from: Messages (or Prompt) are then the turns after
	// its answer. Its prompt and the answer's generated tokens are kept as they were (unless the chat template or
	// the vocabulary rules it out: see continuation), so a KV cache still holding them is reused.
	Continue   *Result
	NumPredict int // most tokens to generate; 0 = until end of generation or a full context
	Stop       []string
	Sampling   generation.Sampling
}

// PromptTooLongError says a prompt cannot fit the context with room for at least one generated token.
type PromptTooLongError struct {
	PromptTokens int
	NumCtx       int
}

func (e *PromptTooLongError) Error() string {
	return fmt.Sprintf("the prompt is %d tokens but num_ctx is %d: use num_ctx %d or more", e.PromptTokens, e.NumCtx, e.PromptTokens+1)
}

// BadInput marks the error as the user's input for the CLI, which exits with status 2.
func (*PromptTooLongError) BadInput() {}

// Prompt turns a request into the tokens the model is given: the chat template (or the raw prompt) plus exactly
// one BOS, or for a continuation the earlier call's tokens followed by the new turns'.
func (m *Model) Prompt(req Request) ([]llama.Token, error) {
	_, tokens, err := m.prompt(req)
	return tokens, err
}

// prompt is a request's text, the chat template applied, and its tokens.
func (m *Model) prompt(req Request) (string, []llama.Token, error) {
	if req.Continue != nil {
		return m.continuation(req)
	}
	text := req.Prompt
	if len(req.Messages) > 0 {
		var err error
		if text, err = m.ApplyChatTemplate(req.Messages); err != nil {
			return "", nil, err
		}
	}
	tokens, err := m.promptTokens(text)
	return text, tokens, err
}

func (m *Model) promptTokens(text string) ([]llama.Token, error) {
	tokens, err := m.Tokenize(text, true, true)
	if err != nil {
		return nil, err
	}
	if len(tokens) >= 2 && tokens[0] == m.BOS() && tokens[1] == m.BOS() {
		tokens = tokens[1:]
	}
	if len(tokens) == 0 {
		return nil, errors.New("the prompt is empty")
	}
	return tokens, nil
}
