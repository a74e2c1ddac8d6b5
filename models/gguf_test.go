package models

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestMetadataRoundTrip(t *testing.T) {
	metadata := Metadata{
		{"uint8", uint8(200)},
		{"int8", int8(-100)},
		{"uint16", uint16(60000)},
		{"int16", int16(-30000)},
		{"uint32", uint32(4_000_000_000)},
		{"int32", int32(-2_000_000_000)},
		{"float32", float32(1.5)},
		{"bool", true},
		{"string", "h\u00e9llo \u2581world"},
		{"uint64", uint64(1 << 63)},
		{"int64", int64(-1 << 62)},
		{"float64", 2.25},
		{"uint8s", []uint8{1, 2, 255}},
		{"int8s", []int8{-1, 1}},
		{"uint16s", []uint16{7}},
		{"int16s", []int16{-7}},
		{"uint32s", []uint32{1, 2}},
		{"int32s", []int32{-3, 4}},
		{"float32s", []float32{0.5, -2}},
		{"bools", []bool{true, false}},
		{"strings", []string{"a", "", spaceMarker + "b"}},
		{"uint64s", []uint64{1 << 40}},
		{"int64s", []int64{-1 << 40}},
		{"float64s", []float64{math.Pi}},
		{"empty", []uint32{}},
		{"nested", []any{[]string{"x", "y"}, []any{[]int8{-1}, []bool{}}, []float32{}}},
	}
	tensors := []Tensor{
		mustTensor(t, "matrix", Q8_0, 64, 3),
		mustTensor(t, "vector", F32, 5),
		mustTensor(t, "scalar", F16, []uint64{}...),
		mustTensor(t, "cube", Q4_K, 256, 2, 2),
	}
	data := encodeZeros(t, metadata, tensors)
	f := readBack(t, data)

	if !reflect.DeepEqual(f.Metadata, metadata) {
		t.Errorf("metadata read back as\n%#v\nwant\n%#v", f.Metadata, metadata)
	}
	if !reflect.DeepEqual(f.Tensors, tensors) {
		t.Errorf("tensors read back as\n%+v\nwant\n%+v", f.Tensors, tensors)
	}
	if f.Version != 3 || f.Alignment != 32 || f.DataOffset%32 != 0 || f.Size != uint64(len(data)) {
		t.Errorf("version %d, alignment %d, data offset %d, size %d", f.Version, f.Alignment, f.DataOffset, f.Size)
	}
	wantSizes := map[string]uint64{"matrix": 2 * 3 * 34, "vector": 20, "scalar": 2, "cube": 2 * 2 * 144}
	for _, tensor := range f.Tensors {
		if tensor.Size != wantSizes[tensor.Name] {
			t.Errorf("tensor %s: %d bytes, want %d", tensor.Name, tensor.Size, wantSizes[tensor.Name])
		}
	}
}

func TestTensorBytes(t *testing.T) {
	tests := []struct {
		typ   TensorType
		shape []uint64
		want  uint64
	}{
		{F32, []uint64{3, 5}, 60},
		{F16, []uint64{7}, 14},
		{BF16, []uint64{7}, 14},
		{Q4_0, []uint64{64, 2}, 4 * 18},
		{Q4_1, []uint64{32}, 20},
		{Q5_0, []uint64{32}, 22},
		{Q5_1, []uint64{32}, 24},
		{Q8_0, []uint64{96}, 3 * 34},
		{Q2_K, []uint64{256}, 84},
		{Q3_K, []uint64{256}, 110},
		{Q4_K, []uint64{512}, 288},
		{Q5_K, []uint64{256}, 176},
		{Q6_K, []uint64{256}, 210},
		{Q8_K, []uint64{256}, 292},
		{F32, []uint64{0, 5}, 0},
	}
	for _, tt := range tests {
		got, err := tensorBytes(tt.typ, tt.shape)
		if err != nil || got != tt.want {
			t.Errorf("%s %v: %d bytes, %v; want %d", tt.typ, tt.shape, got, err, tt.want)
		}
	}
}

func TestReadFileAlignmentAndVersion2(t *testing.T) {
	metadata := Metadata{{alignmentKey, uint32(64)}}
	tensors := []Tensor{mustTensor(t, "a", F32, 3), mustTensor(t, "b", F32, 3)}
	data := encodeZeros(t, metadata, tensors)
	f := readBack(t, patched(data, 4, le32(2)))
	if f.Version != 2 || f.Alignment != 64 || f.DataOffset%64 != 0 || f.Tensors[1].Offset != 64 {
		t.Errorf("version %d, alignment %d, data offset %d, second tensor at %d; want 2, 64, a multiple of 64, 64",
			f.Version, f.Alignment, f.DataOffset, f.Tensors[1].Offset)
	}
}

func TestMetadataAccessors(t *testing.T) {
	m := Metadata{
		{"u16", uint16(7)}, {"i32", int32(-1)}, {"i64", int64(9)}, {"f32", float32(0.25)}, {"s", "text"},
		{"b", true}, {"ss", []string{"x"}},
	}
	if n, ok := m.Uint("u16"); !ok || n != 7 {
		t.Errorf("Uint(u16) = %d, %v", n, ok)
	}
	if n, ok := m.Uint("i64"); !ok || n != 9 {
		t.Errorf("Uint(i64) = %d, %v", n, ok)
	}
	if _, ok := m.Uint("i32"); ok {
		t.Error("Uint accepted a negative value")
	}
	if _, ok := m.Uint("s"); ok {
		t.Error("Uint accepted a string")
	}
	if f, ok := m.Float("f32"); !ok || f != 0.25 {
		t.Errorf("Float(f32) = %g, %v", f, ok)
	}
	if s, ok := m.String("s"); !ok || s != "text" {
		t.Errorf("String(s) = %q, %v", s, ok)
	}
	if b, ok := m.Bool("b"); !ok || !b {
		t.Errorf("Bool(b) = %v, %v", b, ok)
	}
	if ss, ok := m.Strings("ss"); !ok || len(ss) != 1 {
		t.Errorf("Strings(ss) = %v, %v", ss, ok)
	}
	if _, ok := m.Value("missing"); ok {
		t.Error("Value found a missing key")
	}
}

func TestReadFileErrors(t *testing.T) {
	metadata, tensors := testModel(t, Q8_0)
	valid := encodeZeros(t, metadata, tensors)
	last := readBack(t, valid).Tensors[len(tensors)-1]
	lastEnd := uint64(len(valid)) - alignUp(last.Size, defaultAlignment) + last.Size
	cut := len(valid) - 100
	inTemplate := bytes.Index(valid, []byte("<start_of_turn>")) + 5

	tests := []struct {
		name    string
		data    []byte
		problem string
	}{
		{"empty file", nil, "not a GGUF file (only 0 bytes long)"},
		{"bad magic", patched(valid, 0, []byte("PK\x03\x04")), `not a GGUF file (bad magic "PK\x03\x04")`},
		{"version 1", patched(valid, 4, le32(1)), "GGUF version 1 is no longer supported"},
		{"version 4", patched(valid, 4, le32(4)), "unsupported GGUF version 4 (supported: 2 and 3)"},
		{"big-endian", patched(valid, 4, binary.BigEndian.AppendUint32(nil, 3)), "big-endian files are not supported"},
		{"truncated header", valid[:6], "truncated: the file has 6 bytes and ends inside the header"},
		{"truncated metadata", valid[:inTemplate], fmt.Sprintf("truncated: the file has %d bytes and ends inside "+
			"the value of metadata key %q, a string of 15 bytes", inTemplate, chatTemplateKey)},
		{"truncated tensor data", valid[:cut],
			fmt.Sprintf("truncated: tensor %q ends at byte %d but the file has %d bytes", last.Name, lastEnd, cut)},
		{"absurd tensor count", patched(valid, 8, le64(1<<62)),
			"the header claims 4611686018427387904 tensors, more than the remaining"},
		{"absurd metadata count", patched(valid, 16, le64(math.MaxUint64)), "metadata entries, more than the remaining"},
		{"absurd string length", rawMetadata(func(w *ggufWriter) { w.fixed(uint64(1 << 60)) }),
			"ends inside metadata entry 0, a string of 1152921504606846976 bytes"},
		{"absurd array length", rawMetadata(func(w *ggufWriter) {
			w.string("k")
			w.fixed(typeArray)
			w.fixed(typeUint32)
			w.fixed(uint64(1 << 60))
		}), `metadata key "k" claims an array of 1152921504606846976 uint32 values`},
		{"unknown value type", rawMetadata(func(w *ggufWriter) {
			w.string("k")
			w.fixed(uint32(13))
		}), `metadata key "k" has unknown GGUF value type 13`},
		{"duplicate metadata key", encodeZeros(t, Metadata{{"k", true}, {"k", false}}, nil), `metadata key "k" appears twice`},
		{"arrays nested too deep", encodeZeros(t, Metadata{{"k", nested(maxArrayNesting + 1)}}, nil),
			"nests arrays more than 8 deep"},
		{"alignment of the wrong type", encodeZeros(t, Metadata{{alignmentKey, uint64(32)}}, nil),
			"general.alignment must be uint32, not uint64"},
		{"alignment not a power of two", encodeZeros(t, Metadata{{alignmentKey, uint32(48)}}, nil),
			"general.alignment must be a power of two of at least 32 (ggml's tensor alignment), got 48"},
		{"alignment below ggml's", encodeZeros(t, Metadata{{alignmentKey, uint32(16)}}, nil),
			"general.alignment must be a power of two of at least 32 (ggml's tensor alignment), got 16"},
		{"duplicate tensor names", encodeZeros(t, nil, []Tensor{mustTensor(t, "a", F32, 1), mustTensor(t, "a", F32, 1)}),
			`tensor "a" appears twice`},
		{"unknown ggml type", encodeZeros(t, nil, []Tensor{{Name: "a", Type: 4, Shape: []uint64{32}}}),
			`tensor "a" has unknown ggml type 4`},
		{"row not a multiple of the block", encodeZeros(t, nil, []Tensor{{Name: "a", Type: Q8_0, Shape: []uint64{33}}}),
			`tensor "a" has rows of 33 elements, not a multiple of the Q8_0 block size 32`},
		{"too many dimensions", encodeZeros(t, nil, []Tensor{{Name: "a", Type: F32, Shape: []uint64{1, 1, 1, 1, 1}}}),
			`tensor "a" has 5 dimensions; ggml allows at most 4`},
		{"too many elements", encodeZeros(t, nil, []Tensor{{Name: "a", Type: F32, Shape: []uint64{1 << 32, 1 << 32}}}),
			"too many elements"},
		{"tensor name too long", encodeZeros(t, nil, []Tensor{{Name: strings.Repeat("n", 64), Type: F32}}),
			"is 64 bytes long; ggml allows at most 63"},
		{"tensor offset past the end", encodeHeader(t, nil, []Tensor{oneFloat(1 << 40)}),
			`tensor "a" has data offset 1099511627776, past the end of the file`},
		{"tensors out of order", append(encodeHeader(t, nil, []Tensor{oneFloat(32)}), make([]byte, 64)...),
			`tensor "a" starts at data offset 32, but ggml expects 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.data)
			_, err := ReadFile(path)
			assertProblem(t, err, tt.problem)
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %q does not start with the path", err)
			}
		})
	}
}

func TestReadFileNotAFile(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadFile(filepath.Join(dir, "missing.gguf"))
	assertProblem(t, err, "no such file")
	_, err = ReadFile(dir)
	assertProblem(t, err, "is a directory")
}

// oneFloat is a tensor of one F32 value whose data is at offset.
func oneFloat(offset uint64) Tensor {
	return Tensor{Name: "a", Type: F32, Shape: []uint64{1}, Size: 4, Offset: offset}
}

func mustTensor(t *testing.T, name string, typ TensorType, shape ...uint64) Tensor {
	t.Helper()
	tensor, err := newTensor(name, typ, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return tensor
}

// rawMetadata encodes a header with no tensors and one metadata entry written by entry, plus some slack.
func rawMetadata(entry func(w *ggufWriter)) []byte {
	var buf bytes.Buffer
	w := &ggufWriter{w: &buf}
	w.fixed([]byte(ggufMagic))
	w.fixed(uint32(ggufVersion))
	w.fixed(uint64(0))
	w.fixed(uint64(1))
	entry(w)
	w.fixed(make([]byte, 32))
	return buf.Bytes()
}

// nested returns arrays of arrays depth levels deep.
func nested(depth int) any {
	var v any = []uint8{1}
	for range depth - 1 {
		v = []any{v}
	}
	return v
}

func patched(data []byte, at int, replacement []byte) []byte {
	out := slices.Clone(data)
	copy(out[at:], replacement)
	return out
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func TestWriteVariant(t *testing.T) {
	metadata, tensors := testModel(t, Q8_0)
	f := readBack(t, encodeZeros(t, metadata, tensors))
	original, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range original[f.DataOffset:] {
		original[f.DataOffset+uint64(i)] = byte(i)
	}
	writeFile(t, f.Path, original)

	changed := slices.Clone(f.Tensors)
	changed[0].Type, changed[0].Size, changed[0].Offset = F16, 1, 1 // Size and Offset are worked out anew
	variant := filepath.Join(t.TempDir(), "variant.gguf")
	if err := f.WriteVariant(variant, withKV(f.Metadata, nameKey, "variant"), changed); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFile(variant)
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := g.Metadata.String(nameKey); name != "variant" || g.Tensors[0].Type != F16 {
		t.Fatalf("name %q, first tensor %s; want the variant's", name, g.Tensors[0].Type)
	}
	data, err := os.ReadFile(variant)
	if err != nil {
		t.Fatal(err)
	}
	tensorData := func(data []byte, file *File, i int) []byte {
		start := file.DataOffset + file.Tensors[i].Offset
		return data[start : start+file.Tensors[i].Size]
	}
	if !slices.Equal(tensorData(data, g, 0), make([]byte, g.Tensors[0].Size)) {
		t.Error("the retyped tensor does not hold zeros")
	}
	for i := 1; i < len(g.Tensors); i++ {
		if !bytes.Equal(tensorData(data, g, i), tensorData(original, f, i)) {
			t.Errorf("tensor %q lost its data", g.Tensors[i].Name)
		}
	}

	bad := slices.Clone(f.Tensors)
	bad[0].Shape = []uint64{33, 264}
	assertProblem(t, f.WriteVariant(variant, f.Metadata, bad),
		"has rows of 33 elements, not a multiple of the Q8_0 block size 32")
}
