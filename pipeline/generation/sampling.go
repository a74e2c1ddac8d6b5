// Package generation holds the value types of a generation call that are shared without llama.cpp: the sampling
// settings and the per-call timings record. It is pure Go and imports nothing of chimera's, so packages that only
// read or write these values (bench/peer/replay) build without cgo.
package generation

import (
	"fmt"
	"math"
)

// Sampling configures the plain sampler chain: repeat penalty, top-k, top-p, min-p, temperature, then a seeded
// random pick, or greedy at temperature 0.
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

// RandomSeed is llama.cpp's LLAMA_DEFAULT_SEED: a sampler given it draws a random seed.
const RandomSeed = math.MaxUint32

// MaxSeed is the largest seed that makes sampling repeatable.
const MaxSeed = RandomSeed - 1

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

// Greedy reports whether sampling always takes the most likely token.
func (s Sampling) Greedy() bool { return s.Temperature == 0 }

// Penalised reports whether the repeat penalty changes any logit.
func (s Sampling) Penalised() bool { return s.RepeatPenalty != 1 && s.RepeatLastN > 0 }
