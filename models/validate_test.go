package models

import (
	"slices"
	"strings"
	"testing"
)

// change edits a valid test model into the case under test.
type change func(t *testing.T, m Metadata, tensors []Tensor) (Metadata, []Tensor)

func setKV(key string, value any) change {
	return func(_ *testing.T, m Metadata, tensors []Tensor) (Metadata, []Tensor) {
		return withKV(m, key, value), tensors
	}
}

// setTensor replaces (or with a nil shape, removes) the tensor called name.
func setTensor(name string, typ TensorType, shape ...uint64) change {
	return func(t *testing.T, m Metadata, tensors []Tensor) (Metadata, []Tensor) {
		tensors = slices.DeleteFunc(slices.Clone(tensors), func(tensor Tensor) bool { return tensor.Name == name })
		if shape != nil {
			tensors = append(tensors, mustTensor(t, name, typ, shape...))
		}
		return m, tensors
	}
}

func both(first, second change) change {
	return func(t *testing.T, m Metadata, tensors []Tensor) (Metadata, []Tensor) {
		m, tensors = first(t, m, tensors)
		return second(t, m, tensors)
	}
}

func TestValidate(t *testing.T) {
	vocabSize := len(testVocab().Tokens)
	tokensWithDuplicate := slices.Clone(testVocab().Tokens)
	tokensWithDuplicate[vocabSize-1] = "a"

	tests := []struct {
		name    string
		change  change
		problem string // "" for a valid file
		warning string
	}{
		{name: "valid"},
		{name: "untied output weight", change: setTensor(outputTensor, Q8_0, 32, uint64(vocabSize))},
		{name: "missing architecture", change: setKV(architectureKey, nil),
			problem: "general.architecture is missing; llama.cpp cannot tell which model this is"},
		{name: "architecture not a string", change: setKV(architectureKey, uint32(3)),
			problem: "general.architecture must be string, not uint32"},
		{name: "unknown architecture", change: setKV(architectureKey, "gpt5"),
			problem: `has architecture "gpt5", which llama.cpp cannot load`},
		{name: "another architecture", change: setKV(architectureKey, "llama"),
			warning: `architecture "llama" is not gemma3`},
		{name: "missing key length", change: setKV("gemma3.attention.key_length", nil),
			problem: "gemma3.attention.key_length is missing; llama.cpp would use embedding_length/head_count"},
		{name: "missing context length", change: setKV("gemma3.context_length", nil),
			problem: "gemma3.context_length is missing"},
		{name: "hyperparameter of the wrong type", change: setKV("gemma3.block_count", int32(1)),
			problem: "gemma3.block_count must be uint32, not int32"},
		{name: "per-layer hyperparameter", change: setKV("gemma3.feed_forward_length", []uint32{32}),
			problem: "gemma3.feed_forward_length must be uint32, not array of uint32"},
		{name: "zero heads", change: setKV("gemma3.attention.head_count", uint32(0)),
			problem: "gemma3.attention.head_count is 0"},
		{name: "kv heads not dividing heads", change: setKV("gemma3.attention.head_count_kv", uint32(2)),
			problem: "gemma3.attention.head_count_kv is 2, which does not divide head_count 1"},
		{name: "missing rms epsilon", change: setKV("gemma3.attention.layer_norm_rms_epsilon", nil),
			problem: "gemma3.attention.layer_norm_rms_epsilon is missing"},
		{name: "rope base of the wrong type", change: setKV("gemma3.rope.freq_base", 1e6),
			problem: "gemma3.rope.freq_base must be float32, not float64"},
		{name: "sliding window with fewer than 6 layers", change: setKV("gemma3.attention.sliding_window", uint32(512)),
			problem: "has no global attention layer: gemma3.attention.sliding_window is 512, so llama.cpp makes " +
				"only every 6th layer global, but there are 1 layers; llama.cpp would abort"},
		{name: "sliding window 0", change: setKV("gemma3.attention.sliding_window", uint32(0))},
		{name: "wrong tensor shape", change: setTensor("blk.0.attn_q.weight", Q8_0, 32, 64),
			problem: `tensor "blk.0.attn_q.weight" has shape [32 64], but the hyperparameters make it [32 32]`},
		{name: "missing tensor", change: setTensor("blk.0.ffn_up.weight", Q8_0),
			problem: "has 14 tensors, but a gemma3 model with 1 layers has exactly 15"},
		{name: "extra tensor", change: setTensor("blk.1.attn_norm.weight", F32, 32),
			problem: "has 16 tensors, but a gemma3 model with 1 layers has exactly 15 (16 with output.weight)"},
		{name: "absurd block count", change: setKV("gemma3.block_count", uint32(4_000_000_000)),
			problem: "has 15 tensors, but a gemma3 model with 4000000000 layers has exactly 52000000002"},
		{name: "misnamed tensor",
			change:  both(setTensor("blk.0.ffn_up.weight", Q8_0), setTensor("blk.0.ffn_upp.weight", Q8_0, 32, 32)),
			problem: `tensor "blk.0.ffn_up.weight" is missing`},
		{name: "norm not F32", change: setTensor("blk.0.ffn_norm.weight", F16, 32),
			problem: `tensor "blk.0.ffn_norm.weight" is F16; llama.cpp needs 1-D tensors as F32`},
		{name: "weights of a type llama.cpp cannot multiply by", change: setTensor("blk.0.ffn_up.weight", I32, 32, 32),
			problem: `tensor "blk.0.ffn_up.weight" is I32, which llama.cpp cannot multiply by`},
		{name: "no vocabulary", change: setKV(tokensKey, nil),
			problem: "tokenizer.ggml.tokens is missing; llama.cpp needs the vocabulary"},
		{name: "duplicate token strings", change: setKV(tokensKey, tokensWithDuplicate),
			problem: `token "a" appears twice (ids 5 and 7); llama.cpp requires unique token strings`},
		{name: "duplicate tokens in another architecture",
			change:  both(setKV(architectureKey, "llama"), setKV(tokensKey, tokensWithDuplicate)),
			problem: `token "a" appears twice`},
		{name: "scores of the wrong length", change: setKV(scoresKey, []float32{0}),
			problem: "tokenizer.ggml.scores has 1 entries but tokenizer.ggml.tokens has 8"},
		{name: "scores of the wrong type", change: setKV(scoresKey, make([]float64, vocabSize)),
			problem: "tokenizer.ggml.scores must be array of float32, not array of float64"},
		{name: "token types of the wrong type", change: setKV(tokenTypesKey, make([]uint8, vocabSize)),
			problem: "tokenizer.ggml.token_type must be array of int32, not array of uint8"},
		{name: "special token outside the vocabulary", change: setKV(eosKey, uint32(8)),
			problem: "tokenizer.ggml.eos_token_id is 8, outside the vocabulary of 8 tokens"},
		{name: "special token of the wrong type", change: setKV(bosKey, int32(2)),
			problem: "tokenizer.ggml.bos_token_id must be uint32, not int32"},
		{name: "array of arrays", change: setKV("general.tags", []any{[]string{"a"}}),
			problem: `metadata key "general.tags" is an array of arrays, which llama.cpp cannot read`},
		{name: "missing tokenizer model", change: setKV(tokenizerModelKey, nil),
			problem: "tokenizer.ggml.model is missing"},
		{name: "another tokenizer", change: setKV(tokenizerModelKey, "gpt2"),
			warning: `tokenizer.ggml.model is "gpt2"; gemma3 uses the SentencePiece tokenizer "llama"`},
		{name: "no bos", change: setKV(bosKey, nil),
			warning: "tokenizer.ggml.bos_token_id is not set"},
		{name: "space prefix", change: setKV(addSpacePrefixKey, true),
			warning: "tokenizer.ggml.add_space_prefix is not false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			metadata, tensors := testModel(t, Q8_0)
			if tt.change != nil {
				metadata, tensors = tt.change(t, metadata, tensors)
			}
			f := readBack(t, encodeZeros(t, metadata, tensors))
			warnings, err := Validate(f)
			if tt.problem != "" {
				assertProblem(t, err, tt.problem)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertWarnings(t, warnings, tt.warning)
		})
	}
}

func assertWarnings(t *testing.T, warnings []string, want string) {
	t.Helper()
	switch {
	case want == "" && len(warnings) > 0:
		t.Errorf("unexpected warnings %q", warnings)
	case want != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, want) }):
		t.Errorf("warnings %q, want one containing %q", warnings, want)
	}
}

func TestGemma3TensorCount(t *testing.T) {
	for _, layers := range []uint64{0, 1, 18} {
		p := gemma3Params{layers: layers, embedding: 8, vocab: 4, heads: 1, headsKV: 1, keyLength: 8, valueLength: 8,
			feedForward: 8}
		if listed := uint64(len(p.tensors())); listed != p.tensorCount() {
			t.Errorf("%d layers: %d tensors listed, %d counted", layers, listed, p.tensorCount())
		}
	}
}
