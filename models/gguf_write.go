package models

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"path/filepath"
	"reflect"

	"github.com/google/renameio/v2"
)

const writeBufferBytes = 1 << 20

// newTensor describes a tensor to write; Offset is set when the file is laid out.
func newTensor(name string, t TensorType, shape ...uint64) (Tensor, error) {
	size, err := tensorBytes(t, shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("tensor %q %w", name, err)
	}
	return Tensor{Name: name, Type: t, Shape: shape, Size: size}, nil
}

// writeGGUF writes a version 3 GGUF file. It lays the tensors out in order, setting their Offset, and calls
// writeData for each tensor, which must write exactly the tensor's Size bytes.
func writeGGUF(out io.Writer, metadata Metadata, tensors []Tensor, writeData func(i int, w io.Writer) error) error {
	alignment := layoutAlignment(metadata)
	layOut(tensors, alignment)
	w := &ggufWriter{w: out}
	w.header(metadata, tensors)
	w.pad(alignment)
	for i, t := range tensors {
		start := w.n
		if err := writeData(i, w); err != nil {
			return err
		}
		if w.err == nil && w.n-start != t.Size {
			return fmt.Errorf("wrote %d bytes of data for tensor %q instead of %d", w.n-start, t.Name, t.Size)
		}
		w.pad(alignment)
	}
	return w.err
}

// maxLayoutAlignment bounds the padding written after each tensor.
const maxLayoutAlignment = 1 << 16

// layoutAlignment is the alignment the metadata asks for, or the default where it asks for one that no layout
// can honour, as a variant written to test a reader may.
func layoutAlignment(metadata Metadata) uint64 {
	if a, ok := metadata.Uint(alignmentKey); ok && a > 0 && a <= maxLayoutAlignment && a&(a-1) == 0 {
		return a
	}
	return defaultAlignment
}

func layOut(tensors []Tensor, alignment uint64) {
	var offset uint64
	for i := range tensors {
		tensors[i].Offset = offset
		offset = alignUp(offset+tensors[i].Size, alignment)
	}
}

// ggufWriter counts the bytes it writes and keeps the first error, so that encoding needs no error checks.
type ggufWriter struct {
	w   io.Writer
	n   uint64
	err error
}

func (w *ggufWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	w.n += uint64(n)
	w.err = err
	return n, err
}

func (w *ggufWriter) header(metadata Metadata, tensors []Tensor) {
	w.fixed([]byte(ggufMagic))
	w.fixed(uint32(ggufVersion))
	w.fixed(uint64(len(tensors)))
	w.fixed(uint64(len(metadata)))
	for _, kv := range metadata {
		w.kv(kv)
	}
	for _, t := range tensors {
		w.string(t.Name)
		w.fixed(uint32(len(t.Shape)))
		w.fixed(t.Shape)
		w.fixed(t.Type)
		w.fixed(t.Offset)
	}
}

func (w *ggufWriter) kv(kv KV) {
	t, _, ok := kindOf(kv.Value)
	if !ok {
		w.fail(fmt.Errorf("metadata key %q has a %T value, which GGUF cannot hold", kv.Key, kv.Value))
		return
	}
	w.string(kv.Key)
	w.fixed(t)
	w.payload(kv.Value)
}

func (w *ggufWriter) payload(v any) {
	t, elem, _ := kindOf(v)
	switch t {
	case typeString:
		w.string(v.(string))
	case typeArray:
		w.fixed(elem)
		w.fixed(uint64(reflect.ValueOf(v).Len()))
		w.items(v)
	default:
		w.fixed(v)
	}
}

func (w *ggufWriter) items(array any) {
	switch items := array.(type) {
	case []string:
		for _, s := range items {
			w.string(s)
		}
	case []any:
		for _, item := range items {
			if t, _, _ := kindOf(item); t != typeArray {
				w.fail(fmt.Errorf("an array of arrays holds a %T", item))
				return
			}
			w.payload(item)
		}
	default:
		w.fixed(items)
	}
}

func (w *ggufWriter) string(s string) {
	w.fixed(uint64(len(s)))
	io.WriteString(w, s)
}

// fixed writes a fixed-size value or a slice of them.
func (w *ggufWriter) fixed(v any) { w.fail(binary.Write(w, binary.LittleEndian, v)) }

func (w *ggufWriter) pad(alignment uint64) {
	w.fixed(make([]byte, alignUp(w.n, alignment)-w.n))
}

func (w *ggufWriter) fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// writeFileAtomically streams path through a temporary file in the same directory (buffered, as a model is
// gigabytes of small writes) that replaces path only once complete, so that a crash never leaves a partial file
// under path.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	pending, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithPermissions(0o644))
	if err != nil {
		return err
	}
	defer pending.Cleanup() // removes the temporary file unless it replaced path
	buffered := bufio.NewWriterSize(pending, writeBufferBytes)
	if err := write(buffered); err != nil {
		return err
	}
	if err := buffered.Flush(); err != nil {
		return err
	}
	return pending.CloseAtomicallyReplace()
}

// WriteVariant writes to path a GGUF file of f's tensor data under other metadata and tensor descriptions, for
// making variants of a model (as tests of what llama.cpp accepts do). Each tensor keeps the data of f's tensor of
// the same name, type and shape, and holds zeros otherwise; the tensors' Size and Offset are worked out anew
// from their Type and Shape, whatever the given ones. Its errors about the tensors are *Error.
func (f *File) WriteVariant(path string, metadata Metadata, tensors []Tensor) error {
	laidOut := make([]Tensor, len(tensors))
	for i, t := range tensors {
		var err error
		if laidOut[i], err = newTensor(t.Name, t.Type, t.Shape...); err != nil {
			return errorf(path, "%v", err)
		}
	}
	source, _, err := openRegular(f.Path)
	if err != nil {
		return err
	}
	defer source.Close()
	original := make(map[string]Tensor, len(f.Tensors))
	for _, t := range f.Tensors {
		original[t.Name] = t
	}
	data := func(i int, w io.Writer) error {
		t := laidOut[i]
		from, ok := original[t.Name]
		if !ok || from.Type != t.Type || !sameShape(from.Shape, t.Shape) {
			_, err := io.CopyN(w, zeros{}, int64(t.Size))
			return err
		}
		_, err := io.Copy(w, io.NewSectionReader(source, int64(f.DataOffset+from.Offset), int64(from.Size)))
		return err
	}
	return writeFileAtomically(path, func(w io.Writer) error { return writeGGUF(w, metadata, laidOut, data) })
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
