package models

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	ggufMagic            = "GGUF"
	ggufVersion          = 3 // the version this package writes; it reads 2 and 3, which share one layout
	defaultAlignment     = 32
	minAlignment         = 32 // ggml's TENSOR_ALIGNMENT: llama.cpp asserts that mapped tensor data is aligned to it
	maxTensorNameBytes   = 63 // ggml's GGML_MAX_NAME minus the terminating NUL
	maxTensorDims        = 4
	maxArrayNesting      = 8
	minKVBytes           = 8 + 4 + 1     // key length, type, smallest value
	minTensorInfoBytes   = 8 + 4 + 4 + 8 // name length, dimension count, type, offset
	minArrayHeaderBytes  = 4 + 8         // element type, count
	stringHeaderBytes    = 8
	readBufferBytes      = 1 << 20
	magicAndVersionBytes = 8
)

// File is the header of a GGUF file: everything but the tensor data.
type File struct {
	Path       string
	Version    uint32
	Metadata   Metadata
	Tensors    []Tensor
	Alignment  uint64 // of each tensor's data
	DataOffset uint64 // where the tensor data section starts, counted from the start of the file
	Size       uint64 // of the whole file, in bytes
}

// Tensor describes one tensor of a GGUF file.
type Tensor struct {
	Name   string
	Type   TensorType
	Shape  []uint64 // in ggml order: Shape[0] is the length of a row
	Offset uint64   // of the data, counted from the start of the data section
	Size   uint64   // of the data, in bytes
}

// Elements is the number of values in the tensor.
func (t Tensor) Elements() uint64 {
	n, _ := elementCount(t.Shape)
	return n
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// ReadFile reads the header of the GGUF file at path (metadata and tensor descriptions, not the tensor data) and
// checks that the file is complete and laid out as ggml requires. Every error it returns is an *Error.
func ReadFile(path string) (*File, error) {
	file, info, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	size := uint64(info.Size())
	d := &decoder{path: path, size: size, r: bufio.NewReaderSize(file, int(min(size, readBufferBytes)))}
	return d.file()
}

// decoder reads a GGUF header, bounding every count and length by the bytes left in the file so that a corrupt
// file gives an error rather than a huge allocation.
type decoder struct {
	path  string
	r     *bufio.Reader
	size  uint64 // of the file
	pos   uint64 // bytes consumed
	where string // the part being read, for truncation errors
}

func (d *decoder) file() (*File, error) {
	f := &File{Path: d.path, Size: d.size}
	var err error
	if f.Version, err = d.header(); err != nil {
		return nil, err
	}
	tensorCount, err := d.count("tensors", minTensorInfoBytes)
	if err != nil {
		return nil, err
	}
	kvCount, err := d.count("metadata entries", minKVBytes)
	if err != nil {
		return nil, err
	}
	if f.Metadata, err = d.metadata(kvCount); err != nil {
		return nil, err
	}
	if f.Alignment, err = d.alignment(f.Metadata); err != nil {
		return nil, err
	}
	if f.Tensors, err = d.tensorInfos(tensorCount); err != nil {
		return nil, err
	}
	f.DataOffset = alignUp(d.pos, f.Alignment)
	return f, d.checkTensorData(f)
}

func (d *decoder) header() (version uint32, err error) {
	d.where = "the header"
	var start [magicAndVersionBytes]byte
	n, _ := io.ReadFull(d.r, start[:])
	d.pos += uint64(n)
	if n < len(ggufMagic) {
		return 0, errorf(d.path, "not a GGUF file (only %d bytes long)", n)
	}
	if magic := string(start[:len(ggufMagic)]); magic != ggufMagic {
		return 0, errorf(d.path, "not a GGUF file (bad magic %q)", magic)
	}
	if n < len(start) {
		return 0, d.truncated()
	}
	version = binary.LittleEndian.Uint32(start[len(ggufMagic):])
	switch {
	case version == 2 || version == 3:
		return version, nil
	case version == 1:
		return 0, errorf(d.path, "GGUF version 1 is no longer supported by llama.cpp (supported: 2 and 3)")
	case version != 0 && version&0xFFFF == 0:
		return 0, errorf(d.path, "GGUF version %#x looks byte-swapped: big-endian files are not supported", version)
	}
	return 0, errorf(d.path, "unsupported GGUF version %d (supported: 2 and 3)", version)
}

// count reads a header count and checks that that many entries of at least minBytes each can fit in the file.
func (d *decoder) count(what string, minBytes uint64) (uint64, error) {
	n, err := readFixed[uint64](d)
	if err != nil {
		return 0, err
	}
	if n > d.remaining()/minBytes {
		return 0, errorf(d.path, "the header claims %d %s, more than the remaining %d bytes can hold", n, what, d.remaining())
	}
	return n, nil
}

func (d *decoder) metadata(count uint64) (Metadata, error) {
	metadata := make(Metadata, 0, count)
	seen := make(map[string]bool, count)
	for i := range count {
		d.where = fmt.Sprintf("metadata entry %d", i)
		key, err := d.string()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, errorf(d.path, "metadata key %q appears twice", key)
		}
		seen[key] = true
		d.where = fmt.Sprintf("the value of metadata key %q", key)
		t, err := readFixed[valueType](d)
		if err != nil {
			return nil, err
		}
		value, err := d.value(t)
		if err != nil {
			return nil, err
		}
		metadata = append(metadata, KV{Key: key, Value: value})
	}
	return metadata, nil
}

func (d *decoder) value(t valueType) (any, error) {
	switch t {
	case typeString:
		return d.string()
	case typeArray:
		return d.array(1)
	}
	codec, ok := fixedCodecs[t]
	if !ok {
		return nil, d.badType(t)
	}
	return codec.one(d)
}

func (d *decoder) array(nesting int) (any, error) {
	if nesting > maxArrayNesting {
		return nil, errorf(d.path, "%s nests arrays more than %d deep", d.where, maxArrayNesting)
	}
	elem, err := readFixed[valueType](d)
	if err != nil {
		return nil, err
	}
	n, err := readFixed[uint64](d)
	if err != nil {
		return nil, err
	}
	var elemBytes uint64
	switch elem {
	case typeString:
		elemBytes = stringHeaderBytes
	case typeArray:
		elemBytes = minArrayHeaderBytes
	default:
		codec, ok := fixedCodecs[elem]
		if !ok {
			return nil, d.badType(elem)
		}
		elemBytes = codec.size
	}
	if n > d.remaining()/elemBytes {
		return nil, errorf(d.path, "%s claims an array of %d %s values, more than the remaining %d bytes can hold",
			d.where, n, elem, d.remaining())
	}
	switch elem {
	case typeString:
		return readMany(d, n, (*decoder).string)
	case typeArray:
		return readMany(d, n, func(d *decoder) (any, error) { return d.array(nesting + 1) })
	}
	return fixedCodecs[elem].many(d, n)
}

func (d *decoder) badType(t valueType) error {
	return errorf(d.path, "%s has unknown GGUF value type %d", d.where, uint32(t))
}

func (d *decoder) string() (string, error) {
	n, err := readFixed[uint64](d)
	if err != nil {
		return "", err
	}
	if n > d.remaining() {
		return "", errorf(d.path, "truncated: the file has %d bytes and ends inside %s, a string of %d bytes",
			d.size, d.where, n)
	}
	b := make([]byte, n)
	if err := d.read(b); err != nil {
		return "", err
	}
	return string(b), nil
}

// alignment returns general.alignment, which llama.cpp reads as a uint32 (aborting on any other type). The GGUF
// format allows any power of two, but llama.cpp maps the file and needs the tensor data aligned for ggml.
func (d *decoder) alignment(m Metadata) (uint64, error) {
	v, ok := m.Value(alignmentKey)
	if !ok {
		return defaultAlignment, nil
	}
	alignment, ok := v.(uint32)
	if !ok {
		return 0, errorf(d.path, "%s must be uint32, not %s", alignmentKey, describe(v))
	}
	if alignment < minAlignment || alignment&(alignment-1) != 0 {
		return 0, errorf(d.path, "%s must be a power of two of at least %d (ggml's tensor alignment), got %d",
			alignmentKey, minAlignment, alignment)
	}
	return uint64(alignment), nil
}

func (d *decoder) tensorInfos(count uint64) ([]Tensor, error) {
	tensors := make([]Tensor, 0, count)
	seen := make(map[string]bool, count)
	for i := range count {
		d.where = fmt.Sprintf("tensor info %d", i)
		t, err := d.tensorInfo()
		if err != nil {
			return nil, err
		}
		if seen[t.Name] {
			return nil, errorf(d.path, "tensor %q appears twice", t.Name)
		}
		seen[t.Name] = true
		tensors = append(tensors, t)
	}
	return tensors, nil
}

func (d *decoder) tensorInfo() (Tensor, error) {
	var t Tensor
	var err error
	if t.Name, err = d.string(); err != nil {
		return t, err
	}
	if len(t.Name) > maxTensorNameBytes {
		return t, errorf(d.path, "tensor name %.64q... is %d bytes long; ggml allows at most %d",
			t.Name, len(t.Name), maxTensorNameBytes)
	}
	d.where = fmt.Sprintf("the description of tensor %q", t.Name)
	if t.Shape, err = d.shape(t.Name); err != nil {
		return t, err
	}
	if t.Type, err = readFixed[TensorType](d); err != nil {
		return t, err
	}
	if t.Size, err = tensorBytes(t.Type, t.Shape); err != nil {
		return t, errorf(d.path, "tensor %q %v", t.Name, err)
	}
	t.Offset, err = readFixed[uint64](d)
	return t, err
}

func (d *decoder) shape(name string) ([]uint64, error) {
	dims, err := readFixed[uint32](d)
	if err != nil {
		return nil, err
	}
	if dims > maxTensorDims {
		return nil, errorf(d.path, "tensor %q has %d dimensions; ggml allows at most %d", name, dims, maxTensorDims)
	}
	shape := make([]uint64, dims)
	if err := d.read(shape); err != nil {
		return nil, err
	}
	if _, ok := elementCount(shape); !ok {
		return nil, errorf(d.path, "tensor %q has shape %v: too many elements", name, shape)
	}
	return shape, nil
}

// checkTensorData checks that each tensor's data lies inside the file where ggml expects it: in the order of
// the descriptions, each starting at the next multiple of the alignment.
func (d *decoder) checkTensorData(f *File) error {
	var expected uint64
	for _, t := range f.Tensors {
		if t.Offset > f.Size || f.DataOffset+t.Offset > f.Size {
			return errorf(d.path, "tensor %q has data offset %d, past the end of the file (%d bytes)", t.Name, t.Offset, f.Size)
		}
		if end := f.DataOffset + t.Offset + t.Size; end > f.Size {
			return errorf(d.path, "truncated: tensor %q ends at byte %d but the file has %d bytes", t.Name, end, f.Size)
		}
		if t.Offset != expected {
			return errorf(d.path, "tensor %q starts at data offset %d, but ggml expects %d "+
				"(tensors must be stored in order, each aligned to %d bytes)", t.Name, t.Offset, expected, f.Alignment)
		}
		expected = alignUp(t.Offset+t.Size, f.Alignment)
	}
	return nil
}

func (d *decoder) remaining() uint64 {
	if d.pos > d.size {
		return 0
	}
	return d.size - d.pos
}

// read fills data, a pointer to or a slice of fixed-size values, from the little-endian file.
func (d *decoder) read(data any) error {
	n := binary.Size(data)
	if uint64(n) > d.remaining() {
		return d.truncated()
	}
	if err := binary.Read(d.r, binary.LittleEndian, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return d.truncated()
		}
		return errorf(d.path, "cannot read %s: %v", d.where, err)
	}
	d.pos += uint64(n)
	return nil
}

func (d *decoder) truncated() error {
	return errorf(d.path, "truncated: the file has %d bytes and ends inside %s", d.size, d.where)
}

func readFixed[T any](d *decoder) (T, error) {
	var v T
	err := d.read(&v)
	return v, err
}

func readMany[T any](d *decoder, n uint64, readOne func(*decoder) (T, error)) ([]T, error) {
	values := make([]T, n)
	for i := range values {
		var err error
		if values[i], err = readOne(d); err != nil {
			return nil, err
		}
	}
	return values, nil
}

// fixedCodec reads one fixed-size GGUF value type, alone or as the elements of an array.
type fixedCodec struct {
	size uint64
	one  func(*decoder) (any, error)
	many func(*decoder, uint64) (any, error)
}

func fixed[T any]() fixedCodec {
	var zero T
	return fixedCodec{
		size: uint64(binary.Size(zero)),
		one:  func(d *decoder) (any, error) { return readFixed[T](d) },
		many: func(d *decoder, n uint64) (any, error) {
			values := make([]T, n)
			return values, d.read(values)
		},
	}
}

var fixedCodecs = map[valueType]fixedCodec{
	typeUint8:   fixed[uint8](),
	typeInt8:    fixed[int8](),
	typeUint16:  fixed[uint16](),
	typeInt16:   fixed[int16](),
	typeUint32:  fixed[uint32](),
	typeInt32:   fixed[int32](),
	typeFloat32: fixed[float32](),
	typeBool:    fixed[bool](),
	typeUint64:  fixed[uint64](),
	typeInt64:   fixed[int64](),
	typeFloat64: fixed[float64](),
}
