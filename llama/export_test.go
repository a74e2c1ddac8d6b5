package llama

// Hooks for the llama_test package's tests.

var (
	ErrNotInited  = errNotInited
	ErrOtherModel = errOtherModel
	ErrMixedForms = errMixedForms
	Decode        = (*Context).decode
	AllFinite     = allFinite
)

// ModelFreed reports whether the C model behind m has been freed.
func ModelFreed(m *Model) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c == nil
}

// CandidatesKept is how many of the largest logits a generation with s gives the sampler chain.
func CandidatesKept(s Sampling, vocabSize int) int { return s.candidatesKept(vocabSize) }

// SampledTokens samples n tokens after prompt from an empty cache, giving the chain the candidates a generation
// keeps or, with wholeVocabulary, every token.
func SampledTokens(c *Context, prompt []Token, s Sampling, n int, wholeVocabulary bool) ([]Token, error) {
	vocab := c.model.VocabSize()
	keep := s.candidatesKept(vocab)
	if wholeVocabulary {
		keep = 0
	}
	smpl := newSamplerKeeping(s, vocab, keep)
	defer smpl.free()
	c.ClearCache()
	smpl.accept(prompt)
	next := prompt
	var tokens []Token
	for len(tokens) < n {
		if err := c.decodeAndKeep(next); err != nil {
			return nil, err
		}
		token, err := smpl.sample(c)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, token)
		next = []Token{token}
	}
	return tokens, nil
}

// Generated are the tokens a call generated; SetGenerated replaces them (to put a control token in an answer).
func Generated(r *Result) []Token            { return r.generated }
func SetGenerated(r *Result, tokens []Token) { r.generated = tokens }
