package models

import (
	"fmt"
	"slices"
)

// knownArchitectures are the model architectures the pinned llama.cpp (ollama v0.17.4) can load
// (llama-arch.cpp LLM_ARCH_NAMES, without the "clip" projector).
var knownArchitectures = []string{
	"llama", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder", "refact",
	"bert", "nomic-bert", "nomic-bert-moe", "neo-bert", "jina-bert-v2", "jina-bert-v3", "bloom", "stablelm", "qwen",
	"qwen2", "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3next", "qwen3vl", "qwen3vlmoe", "phi2", "phi3",
	"phimoe", "plamo", "plamo2", "codeshell", "orion", "internlm2", "minicpm", "minicpm3", "gemma", "gemma2", "gemma3",
	"gemma3n", "gemma-embedding", "starcoder2", "mamba", "mamba2", "jamba", "falcon-h1", "xverse", "command-r",
	"cohere2", "dbrx", "olmo", "olmo2", "olmoe", "openelm", "arctic", "deepseek", "deepseek2", "chatglm", "glm4",
	"glm4moe", "bitnet", "t5", "t5encoder", "jais", "nemotron", "nemotron_h", "nemotron_h_moe", "exaone", "exaone4",
	"rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "granite", "granitemoe", "granitehybrid", "chameleon", "solar",
	"wavtokenizer-dec", "plm", "bailingmoe", "bailingmoe2", "dots1", "arcee", "afmoe", "ernie4_5", "ernie4_5-moe",
	"hunyuan-moe", "hunyuan-dense", "smollm3", "gpt-oss", "lfm2", "lfm2moe", "dream", "smallthinker", "llada",
	"llada-moe", "seed_oss", "grovemoe", "apertus", "minimax-m2", "cogvlm", "rnd1", "pangu-embedded", "mistral3",
}

// specialTokenKeys hold token ids that must lie inside the vocabulary.
var specialTokenKeys = []string{bosKey, eosKey, unknownKey, paddingKey, "tokenizer.ggml.eot_token_id",
	"tokenizer.ggml.eom_token_id", "tokenizer.ggml.seperator_token_id", "tokenizer.ggml.cls_token_id",
	"tokenizer.ggml.mask_token_id"}

// Validate checks that llama.cpp can load f and run it without aborting: gemma3 files in depth (hyperparameters,
// every tensor's name, shape and type, the tokenizer), other architectures only for their tokenizer. The
// error, an *Error, is the first problem llama.cpp would not survive; warnings are problems it tolerates.
func Validate(f *File) (warnings []string, err error) {
	v := &validator{f: f}
	err = v.validate()
	return v.warnings, err
}

type validator struct {
	f        *File
	warnings []string
}

func (v *validator) warn(format string, args ...any) {
	v.warnings = append(v.warnings, fmt.Sprintf(format, args...))
}

func (v *validator) fail(format string, args ...any) error { return errorf(v.f.Path, format, args...) }

// typed returns the value of key if it has type T; ok is false when the key is absent. Any other type is an
// error: llama.cpp reads each key as one exact type.
func typed[T any](v *validator, key string) (value T, ok bool, err error) {
	raw, ok := v.f.Metadata.Value(key)
	if !ok {
		return value, false, nil
	}
	value, ok = raw.(T)
	if !ok {
		return value, false, v.fail("%s must be %s, not %s", key, describe(value), describe(raw))
	}
	return value, true, nil
}

// required is typed for a key that must be present; hint may explain why.
func required[T any](v *validator, key, hint string) (T, error) {
	value, ok, err := typed[T](v, key)
	if err == nil && !ok {
		err = v.fail("%s is missing%s", key, hint)
	}
	return value, err
}

func (v *validator) validate() error {
	if err := v.noArraysOfArrays(); err != nil {
		return err
	}
	arch, err := v.architecture()
	if err != nil {
		return err
	}
	if arch != gemma3 {
		v.warn("architecture %q is not gemma3; only its header and tokenizer were checked", arch)
		return v.tokenizer()
	}
	vocab, err := v.gemma3Tokenizer()
	if err != nil {
		return err
	}
	return v.gemma3(vocab)
}

func (v *validator) noArraysOfArrays() error {
	for _, kv := range v.f.Metadata {
		if _, elem, _ := kindOf(kv.Value); elem == typeArray {
			return v.fail("metadata key %q is an array of arrays, which llama.cpp cannot read", kv.Key)
		}
	}
	return nil
}

func (v *validator) architecture() (string, error) {
	arch, err := required[string](v, architectureKey, "; llama.cpp cannot tell which model this is")
	if err == nil && !slices.Contains(knownArchitectures, arch) {
		err = v.fail("has architecture %q, which llama.cpp cannot load", arch)
	}
	return arch, err
}

// tokenizer checks what llama.cpp relies on in any vocabulary, if the file has one.
func (v *validator) tokenizer() error {
	tokens, ok, err := typed[[]string](v, tokensKey)
	if err != nil || !ok {
		return err
	}
	return v.vocabulary(tokens)
}

func (v *validator) vocabulary(tokens []string) error {
	if err := checkArray[float32](v, scoresKey, len(tokens)); err != nil {
		return err
	}
	if err := checkArray[int32](v, tokenTypesKey, len(tokens)); err != nil {
		return err
	}
	if token, first, second, found := duplicateToken(tokens); found {
		return v.fail("token %q appears twice (ids %d and %d); llama.cpp requires unique token strings", token, first, second)
	}
	return v.specialTokens(len(tokens))
}

// checkArray checks a per-token array, which llama.cpp reads as raw memory of the exact element type.
func checkArray[T any](v *validator, key string, length int) error {
	array, ok, err := typed[[]T](v, key)
	if err == nil && ok && len(array) != length {
		err = v.fail("%s has %d entries but %s has %d", key, len(array), tokensKey, length)
	}
	return err
}

func (v *validator) specialTokens(vocabSize int) error {
	for _, key := range specialTokenKeys {
		id, ok, err := typed[uint32](v, key)
		if err != nil {
			return err
		}
		if ok && int(id) >= vocabSize {
			return v.fail("%s is %d, outside the vocabulary of %d tokens", key, id, vocabSize)
		}
	}
	return nil
}

// gemma3Tokenizer checks the vocabulary, which gemma3 needs, and returns its size.
func (v *validator) gemma3Tokenizer() (uint64, error) {
	tokens, err := required[[]string](v, tokensKey, "; llama.cpp needs the vocabulary")
	if err != nil {
		return 0, err
	}
	if err := v.vocabulary(tokens); err != nil {
		return 0, err
	}
	model, err := required[string](v, tokenizerModelKey, "")
	if err != nil {
		return 0, err
	}
	if model != sentencePieceModel {
		v.warn("%s is %q; gemma3 uses the SentencePiece tokenizer %q", tokenizerModelKey, model, sentencePieceModel)
	}
	for _, key := range []string{bosKey, eosKey} {
		if _, ok := v.f.Metadata.Value(key); !ok {
			v.warn("%s is not set; llama.cpp would use the SentencePiece default, which is wrong for gemma3", key)
		}
	}
	if prefix, ok := v.f.Metadata.Bool(addSpacePrefixKey); !ok || prefix {
		v.warn("%s is not false; llama.cpp would put a space before every prompt, unlike gemma3", addSpacePrefixKey)
	}
	return uint64(len(tokens)), nil
}

func (v *validator) gemma3(vocab uint64) error {
	p, err := v.gemma3Params(vocab)
	if err != nil {
		return err
	}
	if err := v.slidingWindow(p.layers); err != nil {
		return err
	}
	if _, err := required[float32](v, "gemma3.attention.layer_norm_rms_epsilon", ""); err != nil {
		return err
	}
	for _, key := range []string{"gemma3.rope.freq_base", "gemma3.final_logit_softcapping"} {
		if _, _, err := typed[float32](v, key); err != nil {
			return err
		}
	}
	return v.gemma3Tensors(p)
}

// headSizeHint explains why gemma3 files must set the head size, which llama.cpp would quietly default.
const headSizeHint = "; llama.cpp would use embedding_length/head_count instead of gemma3's head size"

func (v *validator) gemma3Params(vocab uint64) (gemma3Params, error) {
	p := gemma3Params{vocab: vocab}
	var contextLength uint64
	for _, field := range []struct {
		key, hint string
		value     *uint64
	}{
		{"gemma3.context_length", "", &contextLength},
		{"gemma3.embedding_length", "", &p.embedding},
		{"gemma3.block_count", "", &p.layers},
		{"gemma3.feed_forward_length", "", &p.feedForward},
		{"gemma3.attention.head_count", "", &p.heads},
		{"gemma3.attention.key_length", headSizeHint, &p.keyLength},
		{"gemma3.attention.value_length", headSizeHint, &p.valueLength},
	} {
		n, err := required[uint32](v, field.key, field.hint)
		if err == nil && n == 0 {
			err = v.fail("%s is 0", field.key)
		}
		if err != nil {
			return p, err
		}
		*field.value = uint64(n)
	}
	return p, v.kvHeads(&p)
}

// kvHeads reads head_count_kv, which defaults to head_count; ggml's attention needs it to divide head_count.
func (v *validator) kvHeads(p *gemma3Params) error {
	const key = "gemma3.attention.head_count_kv"
	n, ok, err := typed[uint32](v, key)
	switch {
	case err != nil:
		return err
	case !ok:
		p.headsKV = p.heads
	case n == 0 || p.heads%uint64(n) != 0:
		return v.fail("%s is %d, which does not divide head_count %d", key, n, p.heads)
	default:
		p.headsKV = uint64(n)
	}
	return nil
}

func (v *validator) slidingWindow(layers uint64) error {
	const key = "gemma3.attention.sliding_window"
	window, _, err := typed[uint32](v, key)
	if err == nil && window > 0 && layers < gemma3SWAPattern {
		err = v.fail("has no global attention layer: %s is %d, so llama.cpp makes only every %dth layer global, "+
			"but there are %d layers; llama.cpp would abort", key, window, gemma3SWAPattern, layers)
	}
	return err
}

// gemma3Tensors checks the count before listing the expected tensors, so that an absurd block_count cannot
// make the list huge.
func (v *validator) gemma3Tensors(p gemma3Params) error {
	_, untied := v.f.Tensor(outputTensor)
	tied := p.tensorCount()
	want := tied
	if untied {
		want++
	}
	if uint64(len(v.f.Tensors)) != want {
		return v.fail("has %d tensors, but a gemma3 model with %d layers has exactly %d (%d with %s)",
			len(v.f.Tensors), p.layers, tied, tied+1, outputTensor)
	}
	expected := p.tensors()
	if untied {
		expected = append(expected, tensorShape{outputTensor, []uint64{p.embedding, p.vocab}})
	}
	for _, e := range expected {
		if err := v.gemma3Tensor(e); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) gemma3Tensor(e tensorShape) error {
	t, ok := v.f.Tensor(e.name)
	switch {
	case !ok:
		return v.fail("tensor %q is missing", e.name)
	case !sameShape(t.Shape, e.shape):
		return v.fail("tensor %q has shape %v, but the hyperparameters make it %v", e.name, t.Shape, e.shape)
	case len(e.shape) == 1 && t.Type != F32:
		return v.fail("tensor %q is %s; llama.cpp needs 1-D tensors as F32", e.name, t.Type)
	case !tensorTypes[t.Type].weight:
		return v.fail("tensor %q is %s, which llama.cpp cannot multiply by", e.name, t.Type)
	}
	return nil
}

// sameShape compares shapes as ggml does, as 4 dimensions with the missing ones 1.
func sameShape(a, b []uint64) bool {
	for i := range maxTensorDims {
		if dim(a, i) != dim(b, i) {
			return false
		}
	}
	return true
}

func dim(shape []uint64, i int) uint64 {
	if i < len(shape) {
		return shape[i]
	}
	return 1
}
