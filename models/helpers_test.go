package models

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testShape is a gemma3 small enough that a test file takes a few kilobytes.
var testShape = syntheticShape{name: "test", layers: 1, embedding: 32, heads: 1, headsKV: 1, headDim: 32,
	feedForward: 32, ctx: 128, ropeBase: 10000}

func testVocab() *Vocab {
	v := &Vocab{PAD: 0, EOS: 1, BOS: 2, UNK: 3, ChatTemplate: "<start_of_turn>"}
	for _, control := range []string{"<pad>", "<eos>", "<bos>"} {
		v.add(control, TokenControl, 0)
	}
	v.add("<unk>", TokenUnknown, 0)
	for _, piece := range []string{spaceMarker, "a", spaceMarker + "a", "b"} {
		v.add(piece, TokenNormal, 1)
	}
	for b := range 256 {
		v.add(byteToken(byte(b)), TokenByte, 0)
	}
	return v
}

// testModel returns the metadata and tensors of a small valid gemma3 model, for tests to change.
func testModel(t *testing.T, matrixType TensorType) (Metadata, []Tensor) {
	t.Helper()
	vocab := testVocab()
	tensors, err := syntheticTensors(testShape.params(len(vocab.Tokens)), matrixType)
	if err != nil {
		t.Fatal(err)
	}
	metadata := append(testShape.metadata(syntheticType{name: "test", tensorType: matrixType}), vocab.metadata()...)
	return metadata, tensors
}

// encodeZeros encodes a GGUF file whose tensors hold zeros.
func encodeZeros(t *testing.T, metadata Metadata, tensors []Tensor) []byte {
	t.Helper()
	var buf bytes.Buffer
	zeros := func(i int, w io.Writer) error {
		_, err := w.Write(make([]byte, tensors[i].Size))
		return err
	}
	if err := writeGGUF(&buf, metadata, tensors, zeros); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeHeader encodes a GGUF header with the tensor offsets as given, padded to the default alignment.
func encodeHeader(t testing.TB, metadata Metadata, tensors []Tensor) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := &ggufWriter{w: &buf}
	w.header(metadata, tensors)
	w.pad(defaultAlignment)
	if w.err != nil {
		t.Fatal(w.err)
	}
	return buf.Bytes()
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.gguf")
	writeFile(t, path, data)
	return path
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readBack(t *testing.T, data []byte) *File {
	t.Helper()
	f, err := ReadFile(writeTemp(t, data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// withKV returns metadata with key set to value, or removed when value is nil.
func withKV(metadata Metadata, key string, value any) Metadata {
	out := slices.DeleteFunc(slices.Clone(metadata), func(kv KV) bool { return kv.Key == key })
	if value != nil {
		out = append(out, KV{key, value})
	}
	return out
}

// assertProblem checks that err is an *Error whose problem contains problem.
func assertProblem(t *testing.T, err error, problem string) {
	t.Helper()
	var modelErr *Error
	if !errors.As(err, &modelErr) {
		t.Fatalf("got error %v (%T), want an *Error containing %q", err, err, problem)
	}
	if !strings.Contains(modelErr.Problem, problem) {
		t.Fatalf("got %q, want a problem containing %q", err, problem)
	}
}
