package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"chimera/models"
)

// mutantTimeout is how long one mutant may run: the tiny model loads and generates in well under a second.
const mutantTimeout = 20 * time.Second

// TestGGUFMutants is a differential test of the model validation against llama.cpp. Each mutant is the tiny
// synthetic model with one thing changed: a metadata value (integers to 0, 1, odd, large or all ones, floats to
// 0, -1, tiny, huge, NaN or Inf, strings to junk, arrays cut short, values of another type, keys removed or
// added), a tensor's type, or the vocabulary cut together with its embeddings. chimera must either run it or
// refuse it in one line; a signal, an abort's trace, a load error logged over several lines or a hang means the
// validation let through a file llama.cpp cannot take. The default run tries every single mutation, in a fixed
// order; CHIMERA_MUTANTS=N tries N random combinations of two or three of them instead (seeded by
// CHIMERA_MUTANTS_SEED, else by the clock; the seed is logged).
func TestGGUFMutants(t *testing.T) {
	base, err := models.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	mutations := singleMutations(base)
	if n := os.Getenv("CHIMERA_MUTANTS"); n != "" {
		mutations = randomCombinations(t, mutations, n)
	}
	dir := t.TempDir()
	for i, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			variant := mutant{metadata: slices.Clone(base.Metadata), tensors: slices.Clone(base.Tensors)}
			m.apply(&variant)
			path := filepath.Join(dir, fmt.Sprintf("mutant-%d.gguf", i))
			if err := base.WriteVariant(path, variant.metadata, variant.tensors); err != nil {
				t.Skipf("not expressible as a GGUF file: %v", err)
			}
			checkOutcome(t, runMutant(t, path))
		})
	}
}

// mutant is the metadata and tensor descriptions of a model being changed.
type mutant struct {
	metadata models.Metadata
	tensors  []models.Tensor
}

func (m *mutant) set(key string, value any) {
	i := slices.IndexFunc(m.metadata, func(kv models.KV) bool { return kv.Key == key })
	switch {
	case value == nil && i >= 0:
		m.metadata = slices.Delete(m.metadata, i, i+1)
	case value == nil:
	case i >= 0:
		m.metadata[i].Value = value
	default:
		m.metadata = append(m.metadata, models.KV{Key: key, Value: value})
	}
}

func (m *mutant) value(key string) any {
	i := slices.IndexFunc(m.metadata, func(kv models.KV) bool { return kv.Key == key })
	if i < 0 {
		return nil
	}
	return m.metadata[i].Value
}

type mutation struct {
	name  string
	apply func(*mutant)
}

func setKey(key string, value any) mutation {
	return mutation{fmt.Sprintf("%s=%s", key, show(value)), func(m *mutant) { m.set(key, value) }}
}

func show(value any) string {
	switch v := value.(type) {
	case nil:
		return "removed"
	case string:
		return strconv.Quote(v)
	}
	if s := fmt.Sprint(value); len(s) <= 40 {
		return fmt.Sprintf("%T(%s)", value, s)
	}
	return fmt.Sprintf("%T(len %d)", value, lengthOf(value))
}

// addedKeys are keys llama.cpp reads from a gemma3 file (llama-model.cpp load_hparams, llama-vocab.cpp load,
// llama-model-loader.cpp) that the tiny model does not set, each with a plausible value to mutate from.
var addedKeys = []models.KV{
	{Key: "gemma3.expert_count", Value: uint32(8)},
	{Key: "gemma3.expert_used_count", Value: uint32(2)},
	{Key: "gemma3.expert_group_count", Value: uint32(0)},
	{Key: "gemma3.expert_group_used_count", Value: uint32(0)},
	{Key: "gemma3.attention.sliding_window", Value: uint32(512)},
	{Key: "gemma3.rope.dimension_count", Value: uint32(32)},
	{Key: "gemma3.rope.scaling.original_context_length", Value: uint32(8192)},
	{Key: "gemma3.vocab_size", Value: uint32(262144)},
	{Key: "gemma3.rope.scaling.type", Value: "yarn"},
	{Key: "gemma3.rope.scaling.factor", Value: float32(8)},
	{Key: "gemma3.rope.scale_linear", Value: float32(8)},
	{Key: "gemma3.rope.scaling.attn_factor", Value: float32(1)},
	{Key: "gemma3.final_logit_softcapping", Value: float32(30)},
	{Key: "gemma3.rope.scaling.finetuned", Value: true},
	{Key: "gemma3.classifier.output_labels", Value: []string{"yes", "no"}},
	{Key: "split.count", Value: uint16(2)},
	{Key: "tokenizer.ggml.remove_extra_whitespaces", Value: true},
	{Key: "tokenizer.ggml.add_sep_token", Value: true},
	{Key: "tokenizer.ggml.eot_token_id", Value: uint32(5)},
	{Key: "tokenizer.ggml.fim_pre_token_id", Value: uint32(7)},
	{Key: "tokenizer.ggml.token_type_count", Value: uint32(1)},
}

// singleMutations lists every change of one thing, in a fixed order.
func singleMutations(base *models.File) []mutation {
	var list []mutation
	for _, kv := range base.Metadata {
		list = append(list, setKey(kv.Key, nil))
		list = append(list, valueMutations(kv)...)
	}
	for _, kv := range addedKeys {
		list = append(list, setKey(kv.Key, kv.Value))
		list = append(list, valueMutations(kv)...)
	}
	list = append(list, setKey("gemma3.rope.scaling.type", "longrope"), setKey("gemma3.rope.scaling.type", "none"))
	list = append(list, tensorTypeMutations(base)...)
	for _, n := range []int{4, 100, 300} {
		list = append(list, cutVocabulary(n))
	}
	return list
}

// valueMutations changes the value of kv to the values of its type that hyperparameters get wrong, to an
// array cut short, and to a value of another type.
func valueMutations(kv models.KV) []mutation {
	var values []any
	switch v := kv.Value.(type) {
	case uint16:
		values = []any{uint16(0), uint16(1), uint16(math.MaxUint16)}
	case uint32:
		values = []any{uint32(0), uint32(1), uint32(31), uint32(1000), uint32(math.MaxUint32), int32(v)}
	case float32:
		values = []any{float32(0), float32(-1), float32(1e-30), float32(3e38), float32(math.NaN()),
			float32(math.Inf(1)), float64(v)}
	case bool:
		values = []any{!v, uint8(1)}
	case string:
		values = []any{"", "bogus", "llama", "\xff\xfe", uint32(1)}
	case []string, []float32, []int32:
		n := lengthOf(v)
		values = []any{truncated(v, 0), truncated(v, n/2), truncated(v, n-1), uint32(n)}
		values = append(values, firstElementBroken(v))
	}
	list := make([]mutation, len(values))
	for i, value := range values {
		list[i] = setKey(kv.Key, value)
	}
	return list
}

func lengthOf(array any) int {
	switch a := array.(type) {
	case []string:
		return len(a)
	case []float32:
		return len(a)
	case []int32:
		return len(a)
	}
	return 0
}

func truncated(array any, n int) any {
	switch a := array.(type) {
	case []string:
		return a[:n]
	case []float32:
		return a[:n]
	case []int32:
		return a[:n]
	}
	return array
}

// firstElementBroken replaces the first element with one no real file has.
func firstElementBroken(array any) any {
	switch a := array.(type) {
	case []string:
		return append([]string{""}, a[1:]...)
	case []float32:
		return append([]float32{float32(math.NaN())}, a[1:]...)
	case []int32:
		return append([]int32{-1}, a[1:]...)
	}
	return array
}

// mutantTypes are the tensor types tried on each tensor: those whose blocks divide the tiny model's rows.
var mutantTypes = []models.TensorType{models.F32, models.F16, models.BF16, models.Q8_0, models.Q4_0, models.Q4_1,
	models.Q5_0, models.Q5_1, models.IQ4_NL, models.MXFP4, models.Q8_1, models.I8, models.I32, models.F64}

// tensorTypeMutations retypes the tensors of the first layer and those outside the layers.
func tensorTypeMutations(base *models.File) []mutation {
	var list []mutation
	for i, t := range base.Tensors {
		if strings.HasPrefix(t.Name, "blk.") && !strings.HasPrefix(t.Name, "blk.0.") {
			continue
		}
		for _, typ := range mutantTypes {
			if typ == t.Type {
				continue
			}
			list = append(list, mutation{fmt.Sprintf("%s:%s", t.Name, typ), func(m *mutant) { m.tensors[i].Type = typ }})
		}
	}
	return list
}

// cutVocabulary keeps the first n tokens, with their scores, types and embeddings.
func cutVocabulary(n int) mutation {
	return mutation{fmt.Sprintf("vocabulary cut to %d tokens", n), func(m *mutant) {
		for _, key := range []string{"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"} {
			m.set(key, truncated(m.value(key), n))
		}
		for i, t := range m.tensors {
			if t.Name == "token_embd.weight" {
				m.tensors[i].Shape = []uint64{t.Shape[0], uint64(n)}
			}
		}
	}}
}

// randomCombinations draws count mutants of two or three mutations each.
func randomCombinations(t *testing.T, singles []mutation, count string) []mutation {
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		t.Fatalf("CHIMERA_MUTANTS=%q: want a number of mutants", count)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CHIMERA_MUTANTS_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("CHIMERA_MUTANTS_SEED=%q: %v", s, err)
		}
	}
	t.Logf("CHIMERA_MUTANTS_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	list := make([]mutation, n)
	for i := range list {
		parts := make([]mutation, 2+rng.IntN(2))
		names := make([]string, len(parts))
		for j := range parts {
			parts[j] = singles[rng.IntN(len(singles))]
			names[j] = parts[j].name
		}
		list[i] = mutation{strings.Join(names, " + "), func(m *mutant) {
			for _, part := range parts {
				part.apply(m)
			}
		}}
	}
	return list
}

// runMutant runs chimera generate on the model at path, killing it after mutantTimeout.
func runMutant(t *testing.T, path string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mutantTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "generate", "-m", path, "--prompt", "hi", "--num-predict", "2", "--threads", "1",
		"--num-ctx", "256")
	cmd.Env = append(os.Environ(), "CHIMERA_CACHE_DIR="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("still running after %s; stderr %q", mutantTimeout, stderr.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		if status := exit.Sys().(syscall.WaitStatus); status.Signaled() {
			t.Fatalf("killed by %s; stderr:\n%s", status.Signal(), stderr.String())
		}
		return outcome{exit.ExitCode(), stdout.String(), stderr.String()}
	case err != nil:
		t.Fatal(err)
	}
	return outcome{0, stdout.String(), stderr.String()}
}

// checkOutcome accepts a run (status 0) or a refusal in one line (status 1 or 2).
func checkOutcome(t *testing.T, got outcome) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
	switch {
	case got.status != 0 && got.status != 1 && got.status != 2:
		t.Errorf("exit status %d; stderr:\n%s", got.status, got.stderr)
	case got.status != 0 && (len(lines) != 1 || !strings.HasPrefix(lines[0], "chimera: ")):
		t.Errorf("exit status %d with %d lines on stderr, want one:\n%s", got.status, len(lines), firstLines(got.stderr, 12))
	case got.status != 0:
		t.Logf("refused: %s", lines[0])
	}
}

func firstLines(text string, n int) string {
	lines := strings.Split(text, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
