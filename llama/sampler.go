package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// Sampling configures the plain llama_sampler chain: repeat penalty, top-k, top-p, min-p, temperature, then a
// seeded random pick, or greedy at temperature 0.
type Sampling struct {
	Temperature   float32 `json:"temperature"`
	TopK          int     `json:"top_k"`
	TopP          float32 `json:"top_p"`
	MinP          float32 `json:"min_p"`
	RepeatPenalty float32 `json:"repeat_penalty"`
	RepeatLastN   int     `json:"repeat_last_n"`
	Seed          uint32  `json:"seed"`
}

// DefaultSampling matches Ollama's defaults, with a fixed seed so runs are repeatable.
func DefaultSampling() Sampling {
	return Sampling{Temperature: 0.8, TopK: 40, TopP: 0.9, MinP: 0, RepeatPenalty: 1.1, RepeatLastN: 64, Seed: 42}
}

// Validate rejects values the samplers would misbehave on.
func (s Sampling) Validate() error {
	switch { // negated comparisons, so that NaN fails them too
	case !(s.Temperature >= 0):
		return fmt.Errorf("temperature must not be negative, got %g", s.Temperature)
	case s.TopK < 0 || s.TopK > math.MaxInt32:
		return fmt.Errorf("top_k must be between 0 (off) and %d, got %d", math.MaxInt32, s.TopK)
	case !(s.TopP >= 0 && s.TopP <= 1):
		return fmt.Errorf("top_p must be between 0 and 1, got %g", s.TopP)
	case !(s.MinP >= 0 && s.MinP <= 1):
		return fmt.Errorf("min_p must be between 0 and 1, got %g", s.MinP)
	case !(s.RepeatPenalty > 0) || math.IsInf(float64(s.RepeatPenalty), 0):
		return fmt.Errorf("repeat_penalty must be positive, got %g", s.RepeatPenalty)
	case s.RepeatLastN < 0 || s.RepeatLastN > math.MaxInt32:
		return fmt.Errorf("repeat_last_n must be between 0 and %d, got %d", math.MaxInt32, s.RepeatLastN)
	case s.Seed == RandomSeed:
		return fmt.Errorf("seed %d is llama.cpp's random seed, so runs would not repeat: use 0 to %d", RandomSeed, MaxSeed)
	}
	return nil
}

// RandomSeed is llama.cpp's LLAMA_DEFAULT_SEED: a sampler given it draws a random seed.
const RandomSeed = C.LLAMA_DEFAULT_SEED

// MaxSeed is the largest seed that makes sampling repeatable.
const MaxSeed = RandomSeed - 1

// Greedy reports whether sampling always takes the most likely token.
func (s Sampling) Greedy() bool { return s.Temperature == 0 }

// sampler is a llama_sampler chain and its candidate buffer. llama_sampler_sample would give the chain every
// token of the vocabulary (262,144 with gemma3's) and the penalties and top-k stages would walk them all, each token;
// the sampler gives it only the candidates that can be picked (see candidatesKept).
type sampler struct {
	c       *C.struct_llama_sampler
	keep    int // candidates given to the chain; 0 = the whole vocabulary
	scratch *C.llama_token_data
}

func newSampler(s Sampling, vocabSize int) sampler {
	return newSamplerKeeping(s, vocabSize, s.candidatesKept(vocabSize))
}

func newSamplerKeeping(s Sampling, vocabSize, keep int) sampler {
	entries := vocabSize
	if keep > 0 {
		entries = keep
	}
	scratch := (*C.llama_token_data)(C.malloc(C.size_t(entries) * C.size_t(unsafe.Sizeof(C.llama_token_data{}))))
	return sampler{c: newChain(s), keep: keep, scratch: scratch}
}

// candidatesKept is how many of the largest logits decide the pick, or 0 when all of them may. The pick is among
// the top_k largest penalised logits (top_k 1 when greedy). A penalty of at least 1 only lowers logits, and it
// touches at most repeat_last_n distinct tokens, so those top_k are among the top_k + repeat_last_n largest
// logits before the penalty: the chain picks the same token from them as from the whole vocabulary.
func (s Sampling) candidatesKept(vocabSize int) int {
	topK := s.TopK
	if s.Greedy() {
		topK = 1
	}
	if topK == 0 || s.RepeatPenalty < 1 {
		return 0
	}
	if s.penalised() {
		topK += s.RepeatLastN
	}
	if topK >= vocabSize {
		return 0
	}
	return topK
}

func (s Sampling) penalised() bool { return s.RepeatPenalty != 1 && s.RepeatLastN > 0 }

// newChain is the stages in the order Sampling describes.
func newChain(s Sampling) *C.struct_llama_sampler {
	params := C.llama_sampler_chain_default_params()
	params.no_perf = false
	chain := C.llama_sampler_chain_init(params)
	add := func(stage *C.struct_llama_sampler) { C.llama_sampler_chain_add(chain, stage) }
	if s.penalised() {
		add(C.llama_sampler_init_penalties(C.int32_t(s.RepeatLastN), C.float(s.RepeatPenalty), 0, 0))
	}
	if s.Greedy() {
		add(C.llama_sampler_init_greedy())
		return chain
	}
	if s.TopK > 0 {
		add(C.llama_sampler_init_top_k(C.int32_t(s.TopK)))
	}
	if s.TopP < 1 {
		add(C.llama_sampler_init_top_p(C.float(s.TopP), 1))
	}
	if s.MinP > 0 {
		add(C.llama_sampler_init_min_p(C.float(s.MinP), 1))
	}
	add(C.llama_sampler_init_temp(C.float(s.Temperature)))
	add(C.llama_sampler_init_dist(C.uint32_t(s.Seed)))
	return chain
}

// accept feeds prompt tokens to the repeat penalty's history.
func (s sampler) accept(tokens []Token) {
	for _, t := range tokens {
		C.llama_sampler_accept(s.c, C.llama_token(t))
	}
}

// sample picks the next token from the last computed logits and records it in the history.
func (s sampler) sample(ctx *Context) (Token, error) {
	vocab := ctx.model.VocabSize()
	token := C.chimera_sample(s.c, C.llama_get_logits_ith(ctx.c, -1), C.int32_t(vocab), C.int32_t(s.keep), s.scratch)
	if token < 0 {
		return 0, errors.New("llama.cpp's sampler chain picked no token")
	}
	return Token(token), nil
}

func (s sampler) free() {
	C.llama_sampler_free(s.c)
	C.free(unsafe.Pointer(s.scratch))
}
