package models

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
)

// Info summarises a model file.
type Info struct {
	Path            string `json:"path"`
	Architecture    string `json:"architecture"`
	Name            string `json:"name,omitempty"`
	BlockCount      uint64 `json:"block_count"`
	EmbeddingLength uint64 `json:"embedding_length"`
	HeadCount       uint64 `json:"head_count"`
	HeadCountKV     uint64 `json:"head_count_kv"`
	HeadDim         uint64 `json:"head_dim"`
	FeedForward     uint64 `json:"feed_forward"`
	SlidingWindow   uint64 `json:"sliding_window"`
	ContextLength   uint64 `json:"context_length"`
	VocabSize       uint64 `json:"vocab_size"`
	Params          uint64 `json:"params"`       // values in all tensors
	FileType        string `json:"file_type"`    // "Q8_0", "Q4_K_M", ...
	SizeBytes       uint64 `json:"size_bytes"`   // of the file
	TensorBytes     uint64 `json:"tensor_bytes"` // of the tensor data
	TensorCount     int    `json:"tensor_count"`
	ChatTemplate    bool   `json:"chat_template"`
	HeaderSHA256    string `json:"header_sha256"` // of everything before the tensor data: a cheap model identity
	TiedEmbeddings  bool   `json:"tied_embeddings"`
	// SyntheticWeights marks a file chimera wrote with random weights: its text is noise, its timings are real.
	SyntheticWeights bool     `json:"synthetic_weights"`
	Warnings         []string `json:"warnings,omitempty"`
}

// fileTypeNames are llama.cpp's names for general.file_type (llama.h, enum llama_ftype).
var fileTypeNames = map[uint64]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
	13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
	21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
	29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}

// fileTypeGuessed is the flag llama.cpp adds to a file type it guessed.
const fileTypeGuessed = 1024

// Inspect reads and validates the model at path and summarises it. Its errors are *Error.
func Inspect(path string) (*Info, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	warnings, err := Validate(f)
	if err != nil {
		return nil, err
	}
	hash, err := headerSHA256(f)
	if err != nil {
		return nil, err
	}
	info := summarize(f)
	info.HeaderSHA256, info.Warnings = hash, warnings
	return info, nil
}

func summarize(f *File) *Info {
	arch, _ := f.Metadata.String(architectureKey)
	hyper := func(key string) uint64 {
		n, _ := f.Metadata.Uint(arch + "." + key)
		return n
	}
	info := &Info{
		Path:            f.Path,
		Architecture:    arch,
		BlockCount:      hyper("block_count"),
		EmbeddingLength: hyper("embedding_length"),
		HeadCount:       hyper("attention.head_count"),
		HeadCountKV:     hyper("attention.head_count_kv"),
		HeadDim:         hyper("attention.key_length"),
		FeedForward:     hyper("feed_forward_length"),
		SlidingWindow:   hyper("attention.sliding_window"),
		ContextLength:   hyper("context_length"),
		VocabSize:       hyper("vocab_size"),
		FileType:        fileType(f),
		SizeBytes:       f.Size,
		TensorCount:     len(f.Tensors),
	}
	info.Name, _ = f.Metadata.String(nameKey)
	if info.HeadCountKV == 0 {
		info.HeadCountKV = info.HeadCount
	}
	if info.HeadDim == 0 && info.HeadCount > 0 {
		info.HeadDim = info.EmbeddingLength / info.HeadCount
	}
	if tokens, ok := f.Metadata.Strings(tokensKey); ok {
		info.VocabSize = uint64(len(tokens))
	}
	_, info.ChatTemplate = f.Metadata.String(chatTemplateKey)
	_, hasOutput := f.Tensor(outputTensor)
	info.TiedEmbeddings = !hasOutput
	info.SyntheticWeights, _ = f.Metadata.Bool(syntheticWeightsKey)
	for _, t := range f.Tensors {
		info.Params += t.Elements()
		info.TensorBytes += t.Size
	}
	return info
}

// fileType names general.file_type, or when the file has none (or an unknown one) the tensor type holding
// the most bytes.
func fileType(f *File) string {
	if ft, ok := f.Metadata.Uint(fileTypeKey); ok {
		if name, ok := fileTypeNames[ft&^fileTypeGuessed]; ok {
			return name
		}
	}
	bytesByType := make(map[TensorType]uint64)
	for _, t := range f.Tensors {
		bytesByType[t.Type] += t.Size
	}
	var dominant TensorType
	var most uint64
	for t, n := range bytesByType {
		if n > most || n == most && t < dominant {
			dominant, most = t, n
		}
	}
	if most == 0 {
		return ""
	}
	return dominant.String()
}

func headerSHA256(f *File) (string, error) {
	file, _, err := openRegular(f.Path)
	if err != nil {
		return "", err
	}
	defer file.Close()
	hash := sha256.New()
	if _, err := io.CopyN(hash, file, int64(min(f.DataOffset, f.Size))); err != nil {
		return "", errorf(f.Path, "cannot read the header: %v", err)
	}
	return hex.EncodeToString(hash.Sum(nil)), nil
}
