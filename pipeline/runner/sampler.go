package runner

import (
	"chimera/llama"
	"chimera/pipeline/generation"
)

// newSampler is the chain s describes: repeat penalty, top-k, top-p, min-p, temperature, then a seeded random
// pick, or greedy at temperature 0. It is given only the candidates that can be picked (see candidatesKept).
func newSampler(s generation.Sampling, vocabSize int) *llama.Sampler {
	return newSamplerKeeping(s, vocabSize, candidatesKept(s, vocabSize))
}

func newSamplerKeeping(s generation.Sampling, vocabSize, keep int) *llama.Sampler {
	smpl := llama.NewSampler(keep, vocabSize)
	if s.Penalised() {
		smpl.AddPenalties(s.RepeatLastN, s.RepeatPenalty)
	}
	if s.Greedy() {
		smpl.AddGreedy()
		return smpl
	}
	if s.TopK > 0 {
		smpl.AddTopK(s.TopK)
	}
	if s.TopP < 1 {
		smpl.AddTopP(s.TopP)
	}
	if s.MinP > 0 {
		smpl.AddMinP(s.MinP)
	}
	smpl.AddTemp(s.Temperature)
	smpl.AddDist(s.Seed)
	return smpl
}

// candidatesKept is how many of the largest logits decide the pick, or 0 when all of them may. The pick is among
// the top_k largest penalised logits (top_k 1 when greedy). A penalty of at least 1 only lowers logits, and it
// touches at most repeat_last_n distinct tokens, so those top_k are among the top_k + repeat_last_n largest
// logits before the penalty: the chain picks the same token from them as from the whole vocabulary.
func candidatesKept(s generation.Sampling, vocabSize int) int {
	topK := s.TopK
	if s.Greedy() {
		topK = 1
	}
	if topK == 0 || s.RepeatPenalty < 1 {
		return 0
	}
	if s.Penalised() {
		topK += s.RepeatLastN
	}
	if topK >= vocabSize {
		return 0
	}
	return topK
}
