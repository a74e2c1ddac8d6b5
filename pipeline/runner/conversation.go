package runner

import (
	"errors"
	"slices"
	"strings"

	"chimera/llama"
)

// answerMark stands in for an answer while the chat template renders the turns that follow it.
const answerMark = "chimera-answer-mark-7d1c9e"

var (
	errOtherModel = errors.New("a request can only continue a call made on the same model")
	errMixedForms = errors.New("a chat is continued with messages, a raw prompt with a raw prompt")
)

// conversation is the chat a request's prompt holds: the earlier chat and answer it continues, then its messages.
func conversation(req Request) []llama.Message {
	prev := req.Continue
	if prev == nil {
		if len(req.Messages) == 0 {
			return nil
		}
		return slices.Clone(req.Messages)
	}
	if prev.messages == nil {
		return nil
	}
	return slices.Concat(prev.messages, []llama.Message{{Role: "assistant", Content: prev.Text}}, req.Messages)
}

// continuation is the text and tokens of a request that goes on from an earlier call: that call's prompt and
// answer as they were, then the new turns. The answer keeps its generated tokens, so the KV cache holding the
// earlier call is reused, and its exact text (a chat template would trim it). A template that renders an answer
// otherwise than after the prompt that asked for it gets the conversation as it renders it, tokenized whole.
func (m *Model) continuation(req Request) (string, []llama.Token, error) {
	prev := req.Continue
	if prev.model != m {
		return "", nil, errOtherModel
	}
	if (prev.messages == nil) != (len(req.Messages) == 0) {
		return "", nil, errMixedForms
	}
	turns, follows, err := m.turnsAfter(prev, req)
	if err != nil {
		return "", nil, err
	}
	if !follows {
		return m.prompt(Request{Messages: conversation(req)})
	}
	answer, answerTokens, err := m.answer(prev)
	if err != nil {
		return "", nil, err
	}
	text := prev.Prompt + answer + turns
	if !m.tokenizesInParts() {
		tokens, err := m.promptTokens(text)
		return text, tokens, err
	}
	next, err := m.Tokenize(turns, false, true)
	if err != nil {
		return "", nil, err
	}
	return text, slices.Concat(prev.tokens, answerTokens, next), nil
}

// tokenizesInParts reports whether a text tokenized on its own gets no leading space (a SentencePiece vocabulary
// with add_space_prefix adds one), so that a prompt's parts can be tokenized one by one.
func (m *Model) tokenizesInParts() bool {
	tokens, err := m.Tokenize("a", false, false)
	return err == nil && len(tokens) == 1 && m.Piece(tokens[0]) == "a"
}

// answer is prev's answer as the conversation goes on with it: the generated tokens as long as they spell the
// answer's text, control tokens included (the text leaves them out: in the conversation they are written as
// themselves, as in a chat template), then the rest of the text tokenized afresh (after a stop string was cut).
func (m *Model) answer(prev *Result) (string, []llama.Token, error) {
	var text strings.Builder
	rest, kept := prev.Text, 0
spelling:
	for _, t := range prev.generated {
		piece := m.Piece(t)
		switch {
		case piece == "":
			if piece = m.SpecialPiece(t); piece == "" {
				break spelling
			}
		case strings.HasPrefix(rest, piece):
			rest = rest[len(piece):]
		default:
			break spelling
		}
		text.WriteString(piece)
		kept++
	}
	tail, err := m.Tokenize(rest, false, false) // generated as text: control-token names in it stay text
	text.WriteString(rest)
	return text.String(), slices.Concat(prev.generated[:kept], tail), err
}

// turnsAfter is the text that follows prev's answer: for a chat, what the template renders after an answer, the
// new assistant turn's opening included; for a raw prompt, the new prompt. follows is false when the template does
// not render the answer right after the prompt that asked for it.
func (m *Model) turnsAfter(prev *Result, req Request) (turns string, follows bool, err error) {
	if prev.messages == nil {
		return req.Prompt, true, nil
	}
	opened, err := m.ApplyChatTemplate(prev.messages)
	if err != nil {
		return "", false, err
	}
	marked, err := m.ApplyChatTemplate(slices.Concat(prev.messages, []llama.Message{{Role: "assistant", Content: answerMark}}, req.Messages))
	if err != nil {
		return "", false, err
	}
	before, after, found := strings.Cut(marked, answerMark)
	return after, found && before == opened && !strings.Contains(after, answerMark), nil
}
