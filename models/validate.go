package models

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Validate checks that llama.cpp can load f and run it without aborting or failing to load. chimera runs gemma3
// only, the one architecture whose hyperparameters, tensors and tokenizer this package checks: a file of another
// architecture is refused, as llama.cpp could abort on much in it that nothing here checks. The error, an *Error,
// is the first problem found; warnings are problems llama.cpp tolerates.
func Validate(f *File) (warnings []string, err error) {
	v := &validator{f: f, kv: make(map[string]any, len(f.Metadata))}
	err = v.validate()
	return v.warnings, err
}

type validator struct {
	f        *File
	kv       map[string]any // f.Metadata by key
	warnings []string
}

func (v *validator) warn(format string, args ...any) {
	v.warnings = append(v.warnings, fmt.Sprintf(format, args...))
}

func (v *validator) fail(format string, args ...any) error { return errorf(v.f.Path, format, args...) }

func (v *validator) wrongType(key string, want, got any) error {
	return v.fail("%s must be %s, not %s", key, describe(want), describe(got))
}

func (v *validator) missing(key, hint string) error { return v.fail("%s is missing%s", key, hint) }

// typed returns the value of key if it has type T; ok is false when the key is absent. Any other type is an
// error: llama.cpp reads each key as one exact type.
func typed[T any](v *validator, key string) (value T, ok bool, err error) {
	raw, ok := v.kv[key]
	if !ok {
		return value, false, nil
	}
	value, ok = raw.(T)
	if !ok {
		return value, false, v.wrongType(key, value, raw)
	}
	return value, true, nil
}

// required is typed for a key that must be present; hint may explain why.
func required[T any](v *validator, key, hint string) (T, error) {
	value, ok, err := typed[T](v, key)
	if err == nil && !ok {
		err = v.missing(key, hint)
	}
	return value, err
}

func (v *validator) validate() error {
	if err := firstError(v.indexMetadata, v.architecture, v.keyTypes); err != nil {
		return err
	}
	vocab, err := v.tokenizer()
	if err != nil {
		return err
	}
	p, err := v.hyperparameters(vocab)
	if err != nil {
		return err
	}
	return v.tensors(p)
}

func firstError(checks ...func() error) error {
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) indexMetadata() error {
	for _, kv := range v.f.Metadata {
		if _, elem, _ := kindOf(kv.Value); elem == typeArray {
			return v.fail("metadata key %q is an array of arrays, which llama.cpp cannot read", kv.Key)
		}
		v.kv[kv.Key] = kv.Value
	}
	return nil
}

func (v *validator) architecture() error {
	arch, err := required[string](v, architectureKey, "; llama.cpp cannot tell which model this is")
	if err == nil && arch != gemma3 {
		err = v.fail("has architecture %q; chimera runs only gemma3 models, the one architecture it checks before "+
			"llama.cpp loads them", arch)
	}
	return err
}

// valueTypedKeys are the keys llama.cpp reads from a gemma3 file whatever their value, as long as it has the one
// type llama.cpp reads them as (it throws on any other), given by each Value. The keys whose values matter are
// checked, type and all, where their values are.
var valueTypedKeys = []KV{
	{nameKey, ""},
	{fileTypeKey, uint32(0)},
	{chatTemplateKey, ""},
	{"gemma3.vocab_size", uint32(0)},
	{"gemma3.rope.scaling.finetuned", false},
	{"gemma3.rope.scaling.original_context_length", uint32(0)},
	{"gemma3.classifier.output_labels", []string(nil)},
	{"tokenizer.ggml.pre", ""},
	{"tokenizer.ggml.token_type_count", uint32(0)},
	{addSpacePrefixKey, false},
	{"tokenizer.ggml.remove_extra_whitespaces", false},
	{"tokenizer.ggml.add_bos_token", false},
	{"tokenizer.ggml.add_eos_token", false},
	{"tokenizer.ggml.add_sep_token", false},
}

func (v *validator) keyTypes() error {
	for _, want := range valueTypedKeys {
		if got, ok := v.kv[want.Key]; ok && reflect.TypeOf(got) != reflect.TypeOf(want.Value) {
			return v.wrongType(want.Key, want.Value, got)
		}
	}
	return nil
}

// tokenizer checks the SentencePiece vocabulary gemma3 uses and returns its size.
func (v *validator) tokenizer() (uint64, error) {
	model, err := required[string](v, tokenizerModelKey, "")
	if err == nil && model != sentencePieceModel {
		err = v.fail("%s must be %q, the SentencePiece tokenizer of gemma3, got %q", tokenizerModelKey,
			sentencePieceModel, model)
	}
	if err != nil {
		return 0, err
	}
	tokens, err := required[[]string](v, tokensKey, "; llama.cpp needs the vocabulary")
	if err != nil {
		return 0, err
	}
	if err := v.vocabulary(tokens); err != nil {
		return 0, err
	}
	v.tokenizerWarnings()
	return uint64(len(tokens)), nil
}

func (v *validator) vocabulary(tokens []string) error {
	if err := checkArray[float32](v, scoresKey, len(tokens)); err != nil {
		return err
	}
	if err := checkArray[int32](v, tokenTypesKey, len(tokens)); err != nil {
		return err
	}
	index, collision := indexTokens(tokens)
	if collision != nil {
		return v.fail("%s; llama.cpp requires unique token strings", collision)
	}
	if b, missing := missingByte(index); missing {
		return v.fail("the vocabulary has no byte token %s: llama.cpp's SentencePiece tokenizer spells text outside "+
			"the vocabulary (such as %q) with the tokens <0x00> to <0xFF> and aborts without them", byteToken(b), "Ω")
	}
	if err := v.phi3Tokens(index); err != nil {
		return err
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

// phi3Names make llama.cpp's vocabulary loader look up phi3Tokens, throwing if one is missing (llama-vocab.cpp
// sets token attributes by general.name, lowercased).
var (
	phi3Names  = []string{"phi-3", "phi3"}
	phi3Tokens = []string{"</s>", "<unk>", "<s>", "<|endoftext|>"}
)

func (v *validator) phi3Tokens(index map[string]int) error {
	name, _ := v.kv[nameKey].(string)
	lower := strings.ToLower(name)
	if !slices.ContainsFunc(phi3Names, func(phi3 string) bool { return strings.Contains(lower, phi3) }) {
		return nil
	}
	for _, token := range phi3Tokens {
		if _, ok := index[token]; !ok {
			return v.fail("%s %q makes llama.cpp look for the phi-3 token %q, which the vocabulary lacks", nameKey,
				name, token)
		}
	}
	return nil
}

// specialTokenKeys hold token ids that must lie inside the vocabulary.
var specialTokenKeys = []string{bosKey, eosKey, unknownKey, paddingKey, "tokenizer.ggml.eot_token_id",
	"tokenizer.ggml.eom_token_id", "tokenizer.ggml.seperator_token_id", "tokenizer.ggml.cls_token_id",
	"tokenizer.ggml.mask_token_id", "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_suf_token_id",
	"tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.fim_pad_token_id", "tokenizer.ggml.fim_rep_token_id",
	"tokenizer.ggml.fim_sep_token_id", "tokenizer.ggml.prefix_token_id", "tokenizer.ggml.suffix_token_id",
	"tokenizer.ggml.middle_token_id"}

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

func (v *validator) tokenizerWarnings() {
	for _, key := range []string{bosKey, eosKey} {
		if _, ok := v.kv[key]; !ok {
			v.warn("%s is not set; llama.cpp would use the SentencePiece default, which is wrong for gemma3", key)
		}
	}
	if prefix, ok := v.kv[addSpacePrefixKey].(bool); !ok || prefix {
		v.warn("%s is not false; llama.cpp would put a space before every prompt, unlike gemma3", addSpacePrefixKey)
	}
}

// maxLayers is llama.cpp's LLAMA_MAX_LAYERS: it refuses more, but only after reading the whole file.
const maxLayers = 512

func (v *validator) hyperparameters(vocab uint64) (gemma3Params, error) {
	p, err := v.dimensions(vocab)
	if err != nil {
		return p, err
	}
	if p.headsKV, err = v.kvHeads(p.heads); err != nil {
		return p, err
	}
	return p, firstError(
		func() error { return v.headSize(p) },
		func() error { return v.slidingWindow(p.layers) },
		v.noExperts, v.floats, v.ropeScalingType, v.singleFile)
}

// headSizeHint explains why gemma3 files must set the head size, which llama.cpp would quietly default.
const headSizeHint = "; llama.cpp would use embedding_length/head_count instead of gemma3's head size"

// dimensions reads the sizes that fix the tensors' shapes.
func (v *validator) dimensions(vocab uint64) (gemma3Params, error) {
	p := gemma3Params{vocab: vocab}
	for _, field := range []struct {
		key, hint string
		value     *uint64
	}{
		{"gemma3.context_length", "", new(uint64)},
		{"gemma3.embedding_length", "", &p.embedding},
		{"gemma3.block_count", "", &p.layers},
		{"gemma3.feed_forward_length", "", &p.feedForward},
		{"gemma3.attention.head_count", "", &p.heads},
		{"gemma3.attention.key_length", headSizeHint, &p.keyLength},
		{"gemma3.attention.value_length", headSizeHint, &p.valueLength},
	} {
		n, err := required[uint32](v, field.key, field.hint)
		if err == nil && n == 0 {
			err = v.fail("%s must be at least 1, got 0", field.key)
		}
		if err != nil {
			return p, err
		}
		*field.value = uint64(n)
	}
	if p.layers > maxLayers {
		return p, v.fail("gemma3.block_count must be at most %d (llama.cpp's LLAMA_MAX_LAYERS), got %d", maxLayers,
			p.layers)
	}
	return p, nil
}

// kvHeads reads head_count_kv, which defaults to head_count; ggml's attention needs it to divide head_count.
func (v *validator) kvHeads(heads uint64) (uint64, error) {
	const key = "gemma3.attention.head_count_kv"
	n, ok, err := typed[uint32](v, key)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return heads, nil
	case n == 0 || heads%uint64(n) != 0:
		return 0, v.fail("%s is %d, which does not divide head_count %d", key, n, heads)
	}
	return uint64(n), nil
}

// headSize checks what llama.cpp's gemma3 graph assumes of the head size: values shaped like keys, and rotary
// embedding over an even number of dimensions (by default all of them) within the head.
func (v *validator) headSize(p gemma3Params) error {
	const key = "gemma3.rope.dimension_count"
	dims, set, err := typed[uint32](v, key)
	switch {
	case err != nil:
		return err
	case p.valueLength != p.keyLength:
		return v.fail("gemma3.attention.value_length must equal key_length %d, as llama.cpp's gemma3 shapes values "+
			"like keys, got %d", p.keyLength, p.valueLength)
	case !set && p.keyLength%2 != 0:
		return v.fail("gemma3.attention.key_length must be even when %s is not set, as llama.cpp rotates that many "+
			"dimensions in pairs, got %d", key, p.keyLength)
	case set && (dims%2 != 0 || uint64(dims) > p.keyLength):
		return v.fail("%s must be even and at most the head size %d, got %d", key, p.keyLength, dims)
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

// expertKeys configure mixture-of-experts layers, which gemma3 does not have; llama.cpp asserts on most
// combinations of them.
var expertKeys = []string{"gemma3.expert_count", "gemma3.expert_used_count", "gemma3.expert_group_count",
	"gemma3.expert_group_used_count"}

func (v *validator) noExperts() error {
	for _, key := range expertKeys {
		n, _, err := typed[uint32](v, key)
		if err == nil && n != 0 {
			err = v.fail("%s must be 0, as gemma3 has no experts, got %d", key, n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// floatRange is the values of a float32 key that llama.cpp computes with without NaN or Inf reaching the logits,
// which its sampler aborts on. The bounds lie far outside the values of real models.
type floatRange struct {
	key      string
	required bool
	off      bool // 0 is allowed too: it turns the feature off
	min, max float32
}

var gemma3Floats = []floatRange{
	{key: "gemma3.attention.layer_norm_rms_epsilon", required: true, min: 1e-12, max: 1},
	{key: "gemma3.rope.freq_base", min: 1, max: 1e12},
	{key: "gemma3.rope.scaling.factor", off: true, min: 1, max: 1e6},
	{key: "gemma3.rope.scale_linear", off: true, min: 1, max: 1e6},
	{key: "gemma3.rope.scaling.attn_factor", min: 0.01, max: 100},
	{key: "gemma3.final_logit_softcapping", off: true, min: 0.01, max: 1e6},
}

func (r floatRange) allows(x float32) bool { return r.off && x == 0 || x >= r.min && x <= r.max }

func (r floatRange) String() string {
	s := fmt.Sprintf("from %g to %g", r.min, r.max)
	if r.off {
		s = "0 (off) or " + s
	}
	return s
}

func (v *validator) floats() error {
	for _, r := range gemma3Floats {
		x, ok, err := typed[float32](v, r.key)
		switch {
		case err != nil:
			return err
		case !ok && r.required:
			return v.missing(r.key, "")
		case ok && !r.allows(x):
			return v.fail("%s must be %s, got %g", r.key, r, x)
		}
	}
	return nil
}

// ropeScalingTypes are the values llama.cpp knows for rope.scaling.type; it asserts on any other.
var ropeScalingTypes = []string{"none", "linear", "yarn", "longrope"}

func (v *validator) ropeScalingType() error {
	const key = "gemma3.rope.scaling.type"
	typ, ok, err := typed[string](v, key)
	if err == nil && ok && !slices.Contains(ropeScalingTypes, typ) {
		err = v.fail("%s must be one of %s, got %q", key, strings.Join(ropeScalingTypes, ", "), typ)
	}
	return err
}

// splitCountKey marks one part of a model split into several files, whose other parts llama.cpp would look for.
const splitCountKey = "split.count"

func (v *validator) singleFile() error {
	n, _, err := typed[uint16](v, splitCountKey)
	if err == nil && n > 1 {
		err = v.fail("%s is %d: chimera loads single-file models, not one part of a split model", splitCountKey, n)
	}
	return err
}

// tensors checks the count before listing the expected tensors, so that a large block_count cannot make the
// list long.
func (v *validator) tensors(p gemma3Params) error {
	byName := make(map[string]Tensor, len(v.f.Tensors))
	for _, t := range v.f.Tensors {
		byName[t.Name] = t
	}
	_, untied := byName[outputTensor]
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
		t, ok := byName[e.name]
		if !ok {
			return v.fail("tensor %q is missing", e.name)
		}
		if err := v.tensor(t, e); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) tensor(t Tensor, e tensorShape) error {
	switch {
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
