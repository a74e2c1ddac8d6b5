package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"unsafe"
)

// RandomSeed is llama.cpp's LLAMA_DEFAULT_SEED: a sampler given it draws a random seed.
const RandomSeed = C.LLAMA_DEFAULT_SEED

// Sampler is a llama_sampler chain and its candidate buffer. llama_sampler_sample would give the chain every
// token of the vocabulary (262,144 with gemma3's); a Sampler can give it only the largest logits instead.
type Sampler struct {
	c          *C.struct_llama_sampler
	candidates int // logits given to the chain; 0 = the whole vocabulary
	scratch    *C.llama_token_data
}

// NewSampler is an empty chain (llama_sampler_chain_init, performance counters on) that is given the candidates
// largest of a vocabulary's vocabSize logits at each Sample, or all of them for 0. Free frees it.
func NewSampler(candidates, vocabSize int) *Sampler {
	entries := vocabSize
	if candidates > 0 {
		entries = candidates
	}
	params := C.llama_sampler_chain_default_params()
	params.no_perf = false
	scratch := (*C.llama_token_data)(C.malloc(C.size_t(entries) * C.size_t(unsafe.Sizeof(C.llama_token_data{}))))
	return &Sampler{c: C.llama_sampler_chain_init(params), candidates: candidates, scratch: scratch}
}

func (s *Sampler) add(stage *C.struct_llama_sampler) { C.llama_sampler_chain_add(s.c, stage) }

// AddPenalties appends llama_sampler_init_penalties: the repeat penalty over the last lastN tokens, no frequency
// or presence penalty.
func (s *Sampler) AddPenalties(lastN int, repeat float32) {
	s.add(C.llama_sampler_init_penalties(C.int32_t(lastN), C.float(repeat), 0, 0))
}

// AddGreedy appends llama_sampler_init_greedy.
func (s *Sampler) AddGreedy() { s.add(C.llama_sampler_init_greedy()) }

// AddTopK appends llama_sampler_init_top_k.
func (s *Sampler) AddTopK(k int) { s.add(C.llama_sampler_init_top_k(C.int32_t(k))) }

// AddTopP appends llama_sampler_init_top_p, keeping at least one candidate.
func (s *Sampler) AddTopP(p float32) { s.add(C.llama_sampler_init_top_p(C.float(p), 1)) }

// AddMinP appends llama_sampler_init_min_p, keeping at least one candidate.
func (s *Sampler) AddMinP(p float32) { s.add(C.llama_sampler_init_min_p(C.float(p), 1)) }

// AddTemp appends llama_sampler_init_temp.
func (s *Sampler) AddTemp(t float32) { s.add(C.llama_sampler_init_temp(C.float(t))) }

// AddDist appends llama_sampler_init_dist: a random pick seeded with seed.
func (s *Sampler) AddDist(seed uint32) { s.add(C.llama_sampler_init_dist(C.uint32_t(seed))) }

// Accept records tokens in the chain's history (llama_sampler_accept), as the repeat penalty's.
func (s *Sampler) Accept(tokens []Token) {
	for _, t := range tokens {
		C.llama_sampler_accept(s.c, C.llama_token(t))
	}
}

// NonFiniteLogitsError says the model computed NaN or infinite logits: its weights (or the values it was built
// with) are broken, whatever the prompt.
type NonFiniteLogitsError struct{ Model string }

func (e *NonFiniteLogitsError) Error() string {
	return e.Model + ": the model computes logits that are not finite (NaN or Inf): its weights are broken"
}

// BadInput marks the error as the user's input, the model file, for the CLI, which exits with status 2.
func (*NonFiniteLogitsError) BadInput() {}

// Sample picks the next token from c's last computed logits and records it in the history, as
// llama_sampler_sample does. Logits that are not finite are an error: llama.cpp's samplers assert on NaN, and a
// model whose weights hold NaN or Inf computes them; checking the logits is far cheaper than scanning the weights.
func (s *Sampler) Sample(c *Context) (Token, error) {
	vocab := c.model.VocabSize()
	logits := C.llama_get_logits_ith(c.c, -1)
	if !allFinite(unsafe.Slice((*float32)(unsafe.Pointer(logits)), vocab)) {
		return 0, &NonFiniteLogitsError{Model: c.model.Path}
	}
	token := C.chimera_sample(s.c, logits, C.int32_t(vocab), C.int32_t(s.candidates), s.scratch)
	if token < 0 {
		return 0, errors.New("llama.cpp's sampler chain picked no token")
	}
	return Token(token), nil
}

func allFinite(values []float32) bool {
	return len(values) == 0 || C.chimera_all_finite((*C.float)(&values[0]), C.int32_t(len(values))) != 0
}

// Free frees the chain and its buffer.
func (s *Sampler) Free() {
	C.llama_sampler_free(s.c)
	C.free(unsafe.Pointer(s.scratch))
}
