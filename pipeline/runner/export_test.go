package runner

import (
	"chimera/llama"
	"chimera/pipeline/generation"
)

// Hooks for the runner_test package's tests.

var (
	ErrOtherModel = errOtherModel
	ErrMixedForms = errMixedForms
)

// CandidatesKept is how many of the largest logits a generation with s gives the sampler chain.
func CandidatesKept(s generation.Sampling, vocabSize int) int { return candidatesKept(s, vocabSize) }

// SampledTokens samples n tokens after prompt from an empty cache, giving the chain the candidates a generation
// keeps or, with wholeVocabulary, every token.
func SampledTokens(c *Context, prompt []llama.Token, s generation.Sampling, n int, wholeVocabulary bool) ([]llama.Token, error) {
	vocab := c.model.VocabSize()
	keep := candidatesKept(s, vocab)
	if wholeVocabulary {
		keep = 0
	}
	smpl := newSamplerKeeping(s, vocab, keep)
	defer smpl.Free()
	c.ClearCache()
	smpl.Accept(prompt)
	next := prompt
	var tokens []llama.Token
	for len(tokens) < n {
		if err := c.decodeAndKeep(next); err != nil {
			return nil, err
		}
		token, err := smpl.Sample(c.Context)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, token)
		next = []llama.Token{token}
	}
	return tokens, nil
}

// Generated are the tokens a call generated; SetGenerated replaces them (to put a control token in an answer).
func Generated(r *Result) []llama.Token            { return r.generated }
func SetGenerated(r *Result, tokens []llama.Token) { r.generated = tokens }
