package models

import (
	"math"
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
	tokensWithDuplicate[7] = "a"
	tokensWithEmpty := slices.Clone(testVocab().Tokens)
	tokensWithEmpty[4], tokensWithEmpty[7] = "", "[EMPTY_4]"
	replaceByteToken := func(b byte, with string) []string {
		tokens := slices.Clone(testVocab().Tokens)
		tokens[slices.Index(tokens, byteToken(b))] = with
		return tokens
	}

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
			problem: `has architecture "gpt5"; chimera runs only gemma3 models, the one architecture it checks`},
		{name: "another architecture", change: setKV(architectureKey, "llama"),
			problem: `has architecture "llama"; chimera runs only gemma3 models`},
		{name: "missing key length", change: setKV("gemma3.attention.key_length", nil),
			problem: "gemma3.attention.key_length is missing; llama.cpp would use embedding_length/head_count"},
		{name: "missing context length", change: setKV("gemma3.context_length", nil),
			problem: "gemma3.context_length is missing"},
		{name: "hyperparameter of the wrong type", change: setKV("gemma3.block_count", int32(1)),
			problem: "gemma3.block_count must be uint32, not int32"},
		{name: "per-layer hyperparameter", change: setKV("gemma3.feed_forward_length", []uint32{32}),
			problem: "gemma3.feed_forward_length must be uint32, not array of uint32"},
		{name: "zero heads", change: setKV("gemma3.attention.head_count", uint32(0)),
			problem: "gemma3.attention.head_count must be at least 1, got 0"},
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
		{name: "experts used", change: setKV("gemma3.expert_used_count", uint32(1)),
			problem: "gemma3.expert_used_count must be 0, as gemma3 has no experts, got 1"},
		{name: "more experts than llama.cpp allows", change: setKV("gemma3.expert_count", uint32(1000)),
			problem: "gemma3.expert_count must be 0, as gemma3 has no experts, got 1000"},
		{name: "no experts", change: setKV("gemma3.expert_count", uint32(0))},
		{name: "unknown rope scaling", change: setKV("gemma3.rope.scaling.type", "bogus"),
			problem: `gemma3.rope.scaling.type must be one of none, linear, yarn, longrope, got "bogus"`},
		{name: "linear rope scaling", change: both(setKV("gemma3.rope.scaling.type", "linear"),
			setKV("gemma3.rope.scaling.factor", float32(8)))},
		{name: "odd rope dimensions", change: setKV("gemma3.rope.dimension_count", uint32(31)),
			problem: "gemma3.rope.dimension_count must be even and at most the head size 32, got 31"},
		{name: "rope dimensions past the head", change: setKV("gemma3.rope.dimension_count", uint32(64)),
			problem: "gemma3.rope.dimension_count must be even and at most the head size 32, got 64"},
		{name: "rope over part of the head", change: setKV("gemma3.rope.dimension_count", uint32(16))},
		{name: "odd head size", change: both(setKV("gemma3.attention.key_length", uint32(33)),
			setKV("gemma3.attention.value_length", uint32(33))),
			problem: "gemma3.attention.key_length must be even when gemma3.rope.dimension_count is not set, as " +
				"llama.cpp rotates that many dimensions in pairs, got 33"},
		{name: "values shaped unlike keys", change: setKV("gemma3.attention.value_length", uint32(16)),
			problem: "gemma3.attention.value_length must equal key_length 32, as llama.cpp's gemma3 shapes values " +
				"like keys, got 16"},
		{name: "negative rms epsilon", change: setKV("gemma3.attention.layer_norm_rms_epsilon", float32(-1e-6)),
			problem: "gemma3.attention.layer_norm_rms_epsilon must be from 1e-12 to 1, got -1e-06"},
		{name: "rope base 0", change: setKV("gemma3.rope.freq_base", float32(0)),
			problem: "gemma3.rope.freq_base must be from 1 to 1e+12, got 0"},
		{name: "NaN softcapping", change: setKV("gemma3.final_logit_softcapping", float32(math.NaN())),
			problem: "gemma3.final_logit_softcapping must be 0 (off) or from 0.01 to 1e+06, got NaN"},
		{name: "softcapping off", change: setKV("gemma3.final_logit_softcapping", float32(0))},
		{name: "infinite attention factor", change: setKV("gemma3.rope.scaling.attn_factor", float32(math.Inf(1))),
			problem: "gemma3.rope.scaling.attn_factor must be from 0.01 to 100, got +Inf"},
		{name: "rope scaling below 1", change: setKV("gemma3.rope.scaling.factor", float32(0.5)),
			problem: "gemma3.rope.scaling.factor must be 0 (off) or from 1 to 1e+06, got 0.5"},
		{name: "one part of a split model", change: setKV("split.count", uint16(3)),
			problem: "split.count is 3: chimera loads single-file models, not one part of a split model"},
		{name: "name of the wrong type", change: setKV(nameKey, uint32(7)),
			problem: "general.name must be string, not uint32"},
		{name: "classifier labels of the wrong type", change: setKV("gemma3.classifier.output_labels", []int32{1}),
			problem: "gemma3.classifier.output_labels must be array of string, not array of int32"},
		{name: "wrong tensor shape", change: setTensor("blk.0.attn_q.weight", Q8_0, 32, 64),
			problem: `tensor "blk.0.attn_q.weight" has shape [32 64], but the hyperparameters make it [32 32]`},
		{name: "missing tensor", change: setTensor("blk.0.ffn_up.weight", Q8_0),
			problem: "has 14 tensors, but a gemma3 model with 1 layers has exactly 15"},
		{name: "extra tensor", change: setTensor("blk.1.attn_norm.weight", F32, 32),
			problem: "has 16 tensors, but a gemma3 model with 1 layers has exactly 15 (16 with output.weight)"},
		{name: "absurd block count", change: setKV("gemma3.block_count", uint32(4_000_000_000)),
			problem: "gemma3.block_count must be at most 512 (llama.cpp's LLAMA_MAX_LAYERS), got 4000000000"},
		{name: "block count above llama.cpp's limit", change: setKV("gemma3.block_count", uint32(513)),
			problem: "gemma3.block_count must be at most 512"},
		{name: "block count matching the tensors", change: setKV("gemma3.block_count", uint32(2)),
			problem: "has 15 tensors, but a gemma3 model with 2 layers has exactly 28"},
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
		{name: "empty token renamed onto another", change: setKV(tokensKey, tokensWithEmpty),
			problem: `token "[EMPTY_4]" appears twice (ids 4 and 7)`},
		{name: "no byte tokens", change: setKV(tokensKey, replaceByteToken(0xCE, "x")),
			problem: "the vocabulary has no byte token <0xCE>: llama.cpp's SentencePiece tokenizer spells text " +
				`outside the vocabulary (such as "Ω") with the tokens <0x00> to <0xFF> and aborts without them`},
		{name: "a byte as itself instead of its byte token", change: setKV(tokensKey, replaceByteToken('A', "A"))},
		{name: "no byte token 0", change: setKV(tokensKey, replaceByteToken(0, "\x00")),
			problem: "the vocabulary has no byte token <0x00>"},
		{name: "phi-3 name without its tokens", change: setKV(nameKey, "Phi-3 mini"),
			problem: `general.name "Phi-3 mini" makes llama.cpp look for the phi-3 token "</s>", which the vocabulary lacks`},
		{name: "scores of the wrong length", change: setKV(scoresKey, []float32{0}),
			problem: "tokenizer.ggml.scores has 1 entries but tokenizer.ggml.tokens has 264"},
		{name: "scores of the wrong type", change: setKV(scoresKey, make([]float64, vocabSize)),
			problem: "tokenizer.ggml.scores must be array of float32, not array of float64"},
		{name: "token types of the wrong type", change: setKV(tokenTypesKey, make([]uint8, vocabSize)),
			problem: "tokenizer.ggml.token_type must be array of int32, not array of uint8"},
		{name: "special token outside the vocabulary", change: setKV(eosKey, uint32(vocabSize)),
			problem: "tokenizer.ggml.eos_token_id is 264, outside the vocabulary of 264 tokens"},
		{name: "fim token outside the vocabulary", change: setKV("tokenizer.ggml.fim_pre_token_id", uint32(vocabSize)),
			problem: "tokenizer.ggml.fim_pre_token_id is 264"},
		{name: "special token of the wrong type", change: setKV(bosKey, int32(2)),
			problem: "tokenizer.ggml.bos_token_id must be uint32, not int32"},
		{name: "array of arrays", change: setKV("general.tags", []any{[]string{"a"}}),
			problem: `metadata key "general.tags" is an array of arrays, which llama.cpp cannot read`},
		{name: "missing tokenizer model", change: setKV(tokenizerModelKey, nil),
			problem: "tokenizer.ggml.model is missing"},
		{name: "another tokenizer", change: setKV(tokenizerModelKey, "gpt2"),
			problem: `tokenizer.ggml.model must be "llama", the SentencePiece tokenizer of gemma3, got "gpt2"`},
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

// manyLayers writes a gemma3 of the test shape with the given block count, its tensor data sparse.
func manyLayers(t testing.TB, layers uint32) string {
	t.Helper()
	shape := testShape
	shape.layers = layers
	vocab := testVocab()
	tensors, err := syntheticTensors(shape.params(len(vocab.Tokens)), Q8_0)
	if err != nil {
		t.Fatal(err)
	}
	return writeSparse(t, append(shape.metadata(syntheticType{tensorType: Q8_0}), vocab.metadata()...), tensors)
}

// Validation used to look each expected tensor up in the list of all of them: a file of 52,002 tensors took
// seconds to pass, and then llama.cpp refused its 4000 layers. It is now refused at once; the largest block
// count llama.cpp loads still passes.
func TestValidateManyTensors(t *testing.T) {
	tests := []struct {
		layers  uint32
		problem string
	}{
		{4000, "gemma3.block_count must be at most 512 (llama.cpp's LLAMA_MAX_LAYERS), got 4000"},
		{maxLayers, ""},
	}
	for _, tt := range tests {
		f, err := ReadFile(manyLayers(t, tt.layers))
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 + 13*int(tt.layers); len(f.Tensors) != want {
			t.Fatalf("%d tensors, want %d", len(f.Tensors), want)
		}
		_, err = Validate(f)
		if tt.problem != "" {
			assertProblem(t, err, tt.problem)
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkValidateMaxLayers validates the largest gemma3 llama.cpp loads, 512 layers and 6,658 tensors.
func BenchmarkValidateMaxLayers(b *testing.B) {
	f, err := ReadFile(manyLayers(b, maxLayers))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Validate(f); err != nil {
			b.Fatal(err)
		}
	}
}
