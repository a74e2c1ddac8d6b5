package models

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWriteSyntheticRoundTrip(t *testing.T) {
	vocab := SyntheticVocab()
	for _, typ := range syntheticTypes {
		t.Run(typ.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tiny.gguf")
			if err := WriteSynthetic(path, SyntheticSpec{Shape: "tiny", Type: typ.name, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if warnings, err := Validate(f); err != nil || len(warnings) > 0 {
				t.Fatalf("Validate: %v, warnings %q", err, warnings)
			}
			assertTinyMetadata(t, f, typ)
			if tokens, _ := f.Metadata.Strings(tokensKey); !reflect.DeepEqual(tokens, vocab.Tokens) {
				t.Error("the vocabulary did not survive the round trip")
			}
			assertTinyTensors(t, f, typ.tensorType)
			assertWeights(t, f, 3)
		})
	}
}

func assertTinyMetadata(t *testing.T, f *File, typ syntheticType) {
	t.Helper()
	want := map[string]any{
		architectureKey:                           gemma3,
		"general.file_type":                       typ.fileType,
		"gemma3.block_count":                      uint32(2),
		"gemma3.embedding_length":                 uint32(64),
		"gemma3.attention.head_count":             uint32(2),
		"gemma3.attention.head_count_kv":          uint32(1),
		"gemma3.attention.key_length":             uint32(32),
		"gemma3.attention.value_length":           uint32(32),
		"gemma3.feed_forward_length":              uint32(128),
		"gemma3.context_length":                   uint32(8192),
		"gemma3.attention.layer_norm_rms_epsilon": float32(1e-6),
		addSpacePrefixKey:                         false,
		"tokenizer.ggml.add_bos_token":            true,
		tokenizerModelKey:                         "llama",
		bosKey:                                    uint32(2),
		eosKey:                                    uint32(5),
	}
	for key, value := range want {
		if got, _ := f.Metadata.Value(key); got != value {
			t.Errorf("%s = %#v, want %#v", key, got, value)
		}
	}
	if _, ok := f.Metadata.Value("gemma3.attention.sliding_window"); ok {
		t.Error("tiny has a sliding window, which llama.cpp cannot run with 2 layers")
	}
}

func assertTinyTensors(t *testing.T, f *File, matrixType TensorType) {
	t.Helper()
	if len(f.Tensors) != 2+13*2 {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), 2+13*2)
	}
	wantShapes := map[string][]uint64{
		"token_embd.weight":                {64, uint64(len(SyntheticVocab().Tokens))},
		"output_norm.weight":               {64},
		"blk.1.attn_q.weight":              {64, 64},
		"blk.1.attn_k.weight":              {64, 32},
		"blk.1.attn_output.weight":         {64, 64},
		"blk.1.attn_q_norm.weight":         {32},
		"blk.0.ffn_down.weight":            {128, 64},
		"blk.0.post_ffw_norm.weight":       {64},
		"blk.0.post_attention_norm.weight": {64},
	}
	for name, shape := range wantShapes {
		if tensor, _ := f.Tensor(name); !reflect.DeepEqual(tensor.Shape, shape) {
			t.Errorf("tensor %s has shape %v, want %v", name, tensor.Shape, shape)
		}
	}
	for _, tensor := range f.Tensors {
		want := matrixType
		if len(tensor.Shape) == 1 {
			want = F32
		}
		if tensor.Type != want {
			t.Errorf("tensor %s is %s, want %s", tensor.Name, tensor.Type, want)
		}
	}
	if _, untied := f.Tensor(outputTensor); untied {
		t.Error("the embeddings are not tied")
	}
}

// assertWeights decodes every tensor and compares it with the weights the writer drew.
func assertWeights(t *testing.T, f *File, seed uint64) {
	t.Helper()
	data, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	var sum, sumSquares float64
	var n int
	for i, tensor := range f.Tensors {
		start := f.DataOffset + tensor.Offset
		got := dequantize(tensor.Type, data[start:start+tensor.Size])
		want := make([]float32, tensor.Elements())
		newWeights(seed, i, tensor).fill(want)
		for j := range want {
			if diff := math.Abs(float64(got[j] - want[j])); diff > tolerance(tensor.Type, want, j) {
				t.Fatalf("tensor %s value %d: wrote %g, read back %g", tensor.Name, j, want[j], got[j])
			}
		}
		if len(tensor.Shape) > 1 {
			for _, v := range want {
				sum, sumSquares, n = sum+float64(v), sumSquares+float64(v)*float64(v), n+1
			}
		}
	}
	mean := sum / float64(n)
	if std := math.Sqrt(sumSquares/float64(n) - mean*mean); math.Abs(mean) > 0.001 || std < 0.015 || std > 0.05 {
		t.Errorf("matrix weights have mean %g and standard deviation %g, want about 0 and 0.02", mean, std)
	}
}

func TestWriteSyntheticIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, seed uint64) []byte {
		path := filepath.Join(dir, name)
		if err := WriteSynthetic(path, SyntheticSpec{Shape: "tiny", Type: "q4_0", Seed: seed}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first, again, other := write("a.gguf", 1), write("b.gguf", 1), write("c.gguf", 2)
	if !bytes.Equal(first, again) {
		t.Error("the same seed wrote different files")
	}
	if bytes.Equal(first, other) || len(first) != len(other) {
		t.Error("different seeds should change the weights and nothing else")
	}
}

// The real shapes are checked without writing their weights: a header followed by a sparse file.
func TestSyntheticLayouts(t *testing.T) {
	vocab := bigVocab(262144)
	tests := []struct {
		shape   string
		tensors int
		params  uint64
	}{
		{"270m", 2 + 13*18, 268_098_176},
		{"1b", 2 + 13*26, 999_885_952},
	}
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			model, err := newSyntheticModel(SyntheticSpec{Shape: tt.shape, Type: "q8_0", Vocab: vocab})
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(writeSparse(t, model.metadata, model.tensors))
			if err != nil {
				t.Fatal(err)
			}
			if info.TensorCount != tt.tensors || info.Params != tt.params || info.SlidingWindow != 512 || len(info.Warnings) > 0 {
				t.Errorf("%d tensors, %d params, sliding window %d, warnings %q; want %d, %d, 512, none",
					info.TensorCount, info.Params, info.SlidingWindow, info.Warnings, tt.tensors, tt.params)
			}
		})
	}
}

// bigVocab is a vocabulary of n made-up tokens: enough for llama.cpp's checks, nothing more.
func bigVocab(n int) *Vocab {
	v := testVocab()
	for len(v.Tokens) < n {
		v.add(fmt.Sprintf("t%d", len(v.Tokens)), TokenNormal, 0)
	}
	return v
}

func writeSparse(t testing.TB, metadata Metadata, tensors []Tensor) string {
	t.Helper()
	layOut(tensors, defaultAlignment)
	path := writeTemp(t, encodeHeader(t, metadata, tensors))
	f, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	last := tensors[len(tensors)-1]
	if err := os.Truncate(path, f.Size()+int64(last.Offset+last.Size)); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteSyntheticErrors(t *testing.T) {
	tests := []struct {
		spec    SyntheticSpec
		problem string
	}{
		{SyntheticSpec{Shape: "7b", Type: "q8_0"}, `unknown synthetic shape "7b" (known: tiny, 270m, 1b)`},
		{SyntheticSpec{Shape: "tiny", Type: "q4_k"}, `unknown synthetic type "q4_k" (known: f32, f16, q8_0, q4_0)`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		err := WriteSynthetic(filepath.Join(dir, "model.gguf"), tt.spec)
		assertProblem(t, err, tt.problem)
		assertEmptyDir(t, dir)
	}
}

func TestWriteFileAtomicallyLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	failure := errors.New("disk full")
	err := writeFileAtomically(filepath.Join(dir, "model.gguf"), func(w io.Writer) error {
		if _, err := w.Write(make([]byte, 3*writeBufferBytes)); err != nil {
			return err
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("got %v, want %v", err, failure)
	}
	assertEmptyDir(t, dir)
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("%s holds %s after a failed write", dir, entries[0].Name())
	}
}
