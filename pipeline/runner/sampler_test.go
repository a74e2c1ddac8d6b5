package runner_test

import (
	"slices"
	"testing"

	"chimera/llama"
	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

// The sampler gives llama.cpp's chain only the largest logits that can be picked; the picks must be the very
// ones the whole vocabulary gives, token after token, also where a strong penalty pushes the likeliest tokens down.
func TestKeptCandidatesPickWhatTheWholeVocabularyPicks(t *testing.T) {
	m := loadTiny(t)
	c := tinyContext(t, m, 512)
	prompt, err := m.Tokenize("Repeat after me: the the the", true, true)
	if err != nil {
		t.Fatal(err)
	}
	greedyPenalised := generation.Sampling{Temperature: 0, RepeatPenalty: 3, RepeatLastN: 64}
	hotPenalised := generation.DefaultSampling()
	hotPenalised.Temperature, hotPenalised.TopK, hotPenalised.TopP, hotPenalised.RepeatPenalty = 1.5, 8, 1, 2
	noPenalty := generation.DefaultSampling()
	noPenalty.RepeatPenalty, noPenalty.MinP = 1, 0.02
	for name, s := range map[string]generation.Sampling{
		"default": generation.DefaultSampling(), "greedy, penalty 3": greedyPenalised,
		"top_k 8, penalty 2, temperature 1.5": hotPenalised, "no penalty, min_p": noPenalty,
	} {
		if runner.CandidatesKept(s, m.VocabSize()) == 0 {
			t.Fatalf("%s: the sampler keeps the whole vocabulary, so this test compares nothing", name)
		}
		kept, errKept := runner.SampledTokens(c, prompt, s, 96, false)
		whole, errWhole := runner.SampledTokens(c, prompt, s, 96, true)
		if errKept != nil || errWhole != nil {
			t.Fatal(errKept, errWhole)
		}
		if !slices.Equal(kept, whole) {
			t.Errorf("%s: kept candidates picked %v, the whole vocabulary %v", name, kept, whole)
		}
	}
}

func TestSettingsThatNeedTheWholeVocabulary(t *testing.T) {
	const vocab = 1000
	topKOff := generation.DefaultSampling()
	topKOff.TopK = 0
	boosting := generation.DefaultSampling() // a penalty below 1 raises repeated tokens from anywhere in the ranking
	boosting.RepeatPenalty = 0.9
	huge := generation.DefaultSampling()
	huge.TopK = vocab
	for name, s := range map[string]generation.Sampling{"top_k 0": topKOff, "repeat_penalty 0.9": boosting, "top_k ≥ vocabulary": huge} {
		if got := runner.CandidatesKept(s, vocab); got != 0 {
			t.Errorf("%s: keeps %d candidates, want the whole vocabulary", name, got)
		}
	}
	if got := runner.CandidatesKept(generation.DefaultSampling(), vocab); got != 40+64 {
		t.Errorf("top_k 40 with repeat_last_n 64 keeps %d candidates, want 104", got)
	}
}

func TestTheRandomSeedIsLlamaCpps(t *testing.T) {
	if generation.RandomSeed != llama.RandomSeed {
		t.Errorf("generation.RandomSeed is %d, llama.cpp's LLAMA_DEFAULT_SEED %d", uint32(generation.RandomSeed), uint32(llama.RandomSeed))
	}
}
