package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := WriteSynthetic(path, SyntheticSpec{Shape: "tiny", Type: "q8_0", Seed: 1}); err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tensorBytes uint64
	for _, tensor := range f.Tensors {
		tensorBytes += tensor.Size
	}
	header := sha256.Sum256(data[:f.DataOffset])
	vocab := uint64(len(SyntheticVocab().Tokens))
	perLayer := uint64(4*64 + 2*32 + 64*64 + 2*64*32 + 64*64 + 3*64*128)
	want := Info{
		Path: path, Architecture: gemma3, Name: "chimera synthetic gemma3 tiny q8_0",
		BlockCount: 2, EmbeddingLength: 64, HeadCount: 2, HeadCountKV: 1, HeadDim: 32, FeedForward: 128,
		ContextLength: 8192, VocabSize: vocab, Params: 64*vocab + 64 + 2*perLayer, FileType: "Q8_0",
		SizeBytes: uint64(len(data)), TensorBytes: tensorBytes, TensorCount: 28, ChatTemplate: true,
		HeaderSHA256: hex.EncodeToString(header[:]), TiedEmbeddings: true, SyntheticWeights: true,
	}
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("Inspect gave\n%+v\nwant\n%+v", *info, want)
	}
	encoded, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"head_count_kv":1`, `"header_sha256":"`, `"tied_embeddings":true`, `"file_type":"Q8_0"`} {
		if !strings.Contains(string(encoded), key) {
			t.Errorf("JSON %s lacks %s", encoded, key)
		}
	}
}

func TestInspectInvalidFile(t *testing.T) {
	metadata, tensors := testModel(t, F16)
	path := writeTemp(t, encodeZeros(t, withKV(metadata, "gemma3.attention.key_length", nil), tensors))
	_, err := Inspect(path)
	assertProblem(t, err, "gemma3.attention.key_length is missing")
}

func TestFileType(t *testing.T) {
	tensors := []Tensor{{Type: F32, Size: 10}, {Type: Q4_K, Size: 1000}, {Type: Q6_K, Size: 500}}
	tests := []struct {
		fileType any
		want     string
	}{
		{nil, "Q4_K"},
		{uint32(15), "Q4_K_M"},
		{uint32(fileTypeGuessed | 7), "Q8_0"},
		{uint32(99), "Q4_K"},
	}
	for _, tt := range tests {
		f := &File{Metadata: withKV(nil, "general.file_type", tt.fileType), Tensors: tensors}
		if got := fileType(f); got != tt.want {
			t.Errorf("file type %v: got %q, want %q", tt.fileType, got, tt.want)
		}
	}
}
