package llama

import (
	"errors"
	"slices"
	"strings"
)

// answerMark stands in for an answer while the chat template renders the turns that follow it.
const answerMark = "chimera-answer-mark-7d1c9e"

var (
	errOtherModel = errors.New("a request can only continue a call made on the same model")
	errMixedForms = errors.New("a chat is continued with messages, a raw prompt with a raw prompt")
	// errTemplateCannotContinue says the template does not render a chat with an answer as the chat's prompt
	// followed by the answer, so the answer's tokens cannot be kept.
	errTemplateCannotContinue = errors.New("the model's chat template does not render an answer after the prompt that asked for it: the chat cannot be continued")
)

// conversation is the chat a request's prompt holds: the earlier chat and answer it continues, then its messages.
func conversation(req Request) []Message {
	prev := req.Continue
	if prev == nil {
		return slices.Clone(req.Messages)
	}
	if prev.messages == nil {
		return nil
	}
	return slices.Concat(prev.messages, []Message{{Role: "assistant", Content: prev.Text}}, req.Messages)
}

// continuation is the text and tokens of a request that goes on from an earlier call: that call's prompt and
// answer as they were, then the new turns. The answer keeps its generated tokens and its exact text (a chat
// template would trim it), so the KV cache holding the earlier call is reused in full.
func (m *Model) continuation(req Request) (string, []Token, error) {
	prev := req.Continue
	if prev.model != m {
		return "", nil, errOtherModel
	}
	turns, err := m.turnsAfter(prev, req)
	if err != nil {
		return "", nil, err
	}
	answer := prev.generated
	if !m.spells(answer, prev.Text) {
		if answer, err = m.Tokenize(prev.Text, false, true); err != nil {
			return "", nil, err
		}
	}
	next, err := m.Tokenize(turns, false, true)
	if err != nil {
		return "", nil, err
	}
	return prev.Prompt + prev.Text + turns, slices.Concat(prev.tokens, answer, next), nil
}

// spells reports whether tokens' pieces make up text exactly. A generation's tokens do not when a stop string was
// cut off its text or it generated a control token, whose piece is empty.
func (m *Model) spells(tokens []Token, text string) bool {
	rest := text
	for _, t := range tokens {
		piece := m.Piece(t)
		if piece == "" || !strings.HasPrefix(rest, piece) {
			return false
		}
		rest = rest[len(piece):]
	}
	return rest == ""
}

// turnsAfter is the text that follows prev's answer: for a chat, what the template renders after an answer, the
// new assistant turn's opening included; for a raw prompt, the new prompt.
func (m *Model) turnsAfter(prev *Result, req Request) (string, error) {
	if (prev.messages == nil) != (len(req.Messages) == 0) {
		return "", errMixedForms
	}
	if prev.messages == nil {
		return req.Prompt, nil
	}
	opened, err := m.ApplyChatTemplate(prev.messages)
	if err != nil {
		return "", err
	}
	marked, err := m.ApplyChatTemplate(slices.Concat(prev.messages, []Message{{Role: "assistant", Content: answerMark}}, req.Messages))
	if err != nil {
		return "", err
	}
	before, after, found := strings.Cut(marked, answerMark)
	if !found || before != opened || strings.Contains(after, answerMark) {
		return "", errTemplateCannotContinue
	}
	return after, nil
}
