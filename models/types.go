package models

import (
	"fmt"
	"math"
	"math/bits"
)

// TensorType is a ggml tensor element type, numbered as in ggml.h.
type TensorType uint32

// The ggml tensor types that GGUF files may hold. Numbers missing from the list were removed from ggml.
const (
	F32     TensorType = 0
	F16     TensorType = 1
	Q4_0    TensorType = 2
	Q4_1    TensorType = 3
	Q5_0    TensorType = 6
	Q5_1    TensorType = 7
	Q8_0    TensorType = 8
	Q8_1    TensorType = 9
	Q2_K    TensorType = 10
	Q3_K    TensorType = 11
	Q4_K    TensorType = 12
	Q5_K    TensorType = 13
	Q6_K    TensorType = 14
	Q8_K    TensorType = 15
	IQ2_XXS TensorType = 16
	IQ2_XS  TensorType = 17
	IQ3_XXS TensorType = 18
	IQ1_S   TensorType = 19
	IQ4_NL  TensorType = 20
	IQ3_S   TensorType = 21
	IQ2_S   TensorType = 22
	IQ4_XS  TensorType = 23
	I8      TensorType = 24
	I16     TensorType = 25
	I32     TensorType = 26
	I64     TensorType = 27
	F64     TensorType = 28
	IQ1_M   TensorType = 29
	BF16    TensorType = 30
	TQ1_0   TensorType = 34
	TQ2_0   TensorType = 35
	MXFP4   TensorType = 39
)

// typeTraits is ggml's storage layout of a tensor type: elements are stored in blocks of blockSize elements
// taking blockBytes bytes (ggml.c type_traits, ggml-common.h block structs).
type typeTraits struct {
	name       string
	blockSize  uint64
	blockBytes uint64
	weight     bool // llama.cpp's CPU backend can multiply by a weight matrix of this type
}

var tensorTypes = map[TensorType]typeTraits{
	F32:     {"F32", 1, 4, true},
	F16:     {"F16", 1, 2, true},
	Q4_0:    {"Q4_0", 32, 18, true},
	Q4_1:    {"Q4_1", 32, 20, true},
	Q5_0:    {"Q5_0", 32, 22, true},
	Q5_1:    {"Q5_1", 32, 24, true},
	Q8_0:    {"Q8_0", 32, 34, true},
	Q8_1:    {"Q8_1", 32, 36, false},
	Q2_K:    {"Q2_K", 256, 84, true},
	Q3_K:    {"Q3_K", 256, 110, true},
	Q4_K:    {"Q4_K", 256, 144, true},
	Q5_K:    {"Q5_K", 256, 176, true},
	Q6_K:    {"Q6_K", 256, 210, true},
	Q8_K:    {"Q8_K", 256, 292, false},
	IQ2_XXS: {"IQ2_XXS", 256, 66, true},
	IQ2_XS:  {"IQ2_XS", 256, 74, true},
	IQ3_XXS: {"IQ3_XXS", 256, 98, true},
	IQ1_S:   {"IQ1_S", 256, 50, true},
	IQ4_NL:  {"IQ4_NL", 32, 18, true},
	IQ3_S:   {"IQ3_S", 256, 110, true},
	IQ2_S:   {"IQ2_S", 256, 82, true},
	IQ4_XS:  {"IQ4_XS", 256, 136, true},
	I8:      {"I8", 1, 1, false},
	I16:     {"I16", 1, 2, false},
	I32:     {"I32", 1, 4, false},
	I64:     {"I64", 1, 8, false},
	F64:     {"F64", 1, 8, false},
	IQ1_M:   {"IQ1_M", 256, 56, true},
	BF16:    {"BF16", 1, 2, true},
	TQ1_0:   {"TQ1_0", 256, 54, true},
	TQ2_0:   {"TQ2_0", 256, 66, true},
	MXFP4:   {"MXFP4", 32, 17, true},
}

func (t TensorType) String() string {
	if traits, ok := tensorTypes[t]; ok {
		return traits.name
	}
	return fmt.Sprintf("ggml type %d", uint32(t))
}

// elementCount multiplies a tensor's dimensions; ok is false when the count does not fit in an int64 (ggml's limit).
func elementCount(dims []uint64) (n uint64, ok bool) {
	n = 1
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// tensorBytes is the size of a tensor's data; the error (which does not name the tensor) says why ggml could
// not store such a tensor.
func tensorBytes(t TensorType, dims []uint64) (uint64, error) {
	traits, ok := tensorTypes[t]
	if !ok {
		return 0, fmt.Errorf("has unknown ggml type %d", uint32(t))
	}
	elements, ok := elementCount(dims)
	if !ok {
		return 0, fmt.Errorf("has shape %v, too many elements", dims)
	}
	if rowLength := rowLength(dims); rowLength%traits.blockSize != 0 {
		return 0, fmt.Errorf("has rows of %d elements, not a multiple of the %s block size %d",
			rowLength, traits.name, traits.blockSize)
	}
	hi, size := bits.Mul64(elements/traits.blockSize, traits.blockBytes)
	if hi != 0 || size > math.MaxInt64 {
		return 0, fmt.Errorf("has shape %v, too many bytes", dims)
	}
	return size, nil
}

// rowLength is the number of elements in a tensor's first dimension; ggml stores a 0-D tensor as one element.
func rowLength(dims []uint64) uint64 {
	if len(dims) == 0 {
		return 1
	}
	return dims[0]
}

// alignUp rounds n up to a multiple of alignment, a power of two; n must be far from overflowing.
func alignUp(n, alignment uint64) uint64 { return (n + alignment - 1) &^ (alignment - 1) }
