package llama_test

import (
	"testing"

	"chimera/llama"
)

// The finite-logits check made before every sampled token, on gemma3's 262,144-token vocabulary.
func BenchmarkLogitsCheckGemma3Vocabulary(b *testing.B) {
	logits := make([]float32, 262144)
	for i := range logits {
		logits[i] = float32(i%1000) / 100
	}
	b.SetBytes(int64(4 * len(logits)))
	for b.Loop() {
		if !llama.AllFinite(logits) {
			b.Fatal("finite logits reported as not finite")
		}
	}
}
