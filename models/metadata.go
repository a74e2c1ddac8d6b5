package models

import "fmt"

// The general keys this package reads.
const (
	architectureKey = "general.architecture"
	alignmentKey    = "general.alignment"
	nameKey         = "general.name"
	fileTypeKey     = "general.file_type"
	// syntheticWeightsKey is chimera's own key: set on every synthetic model it writes.
	syntheticWeightsKey = "chimera.synthetic_weights"
)

// KV is one metadata entry of a GGUF file. Value holds the Go type of the GGUF type: uint8, int8, uint16, int16,
// uint32, int32, uint64, int64, float32, float64, bool or string; an array is a slice of one of these, and an
// array of arrays is a []any whose elements are such slices (or further []any).
type KV struct {
	Key   string
	Value any
}

// Metadata is a GGUF file's key-value section, in file order.
type Metadata []KV

// Value returns the value of key.
func (m Metadata) Value(key string) (any, bool) {
	for _, kv := range m {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// String returns the value of key if it is a string.
func (m Metadata) String(key string) (string, bool) {
	v, _ := m.Value(key)
	s, ok := v.(string)
	return s, ok
}

// Uint returns the value of key if it is an integer of any width that is not negative.
func (m Metadata) Uint(key string) (uint64, bool) {
	v, _ := m.Value(key)
	switch v := v.(type) {
	case uint8:
		return uint64(v), true
	case uint16:
		return uint64(v), true
	case uint32:
		return uint64(v), true
	case uint64:
		return v, true
	case int8:
		return uint64(v), v >= 0
	case int16:
		return uint64(v), v >= 0
	case int32:
		return uint64(v), v >= 0
	case int64:
		return uint64(v), v >= 0
	}
	return 0, false
}

// Float returns the value of key if it is a float32 or float64.
func (m Metadata) Float(key string) (float64, bool) {
	v, _ := m.Value(key)
	switch v := v.(type) {
	case float32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// Bool returns the value of key if it is a bool.
func (m Metadata) Bool(key string) (bool, bool) {
	v, _ := m.Value(key)
	b, ok := v.(bool)
	return b, ok
}

// Strings returns the value of key if it is an array of strings.
func (m Metadata) Strings(key string) ([]string, bool) {
	v, _ := m.Value(key)
	s, ok := v.([]string)
	return s, ok
}

// valueType is a GGUF metadata value type, numbered as in gguf.h.
type valueType uint32

const (
	typeUint8 valueType = iota
	typeInt8
	typeUint16
	typeInt16
	typeUint32
	typeInt32
	typeFloat32
	typeBool
	typeString
	typeArray
	typeUint64
	typeInt64
	typeFloat64
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string",
	"array", "uint64", "int64", "float64"}

func (t valueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("GGUF type %d", uint32(t))
}

// kindOf returns the GGUF type of a Go value and, for an array, the type of its elements; ok is false for Go
// types GGUF cannot hold.
func kindOf(v any) (t, elem valueType, ok bool) {
	switch v.(type) {
	case uint8:
		return typeUint8, 0, true
	case int8:
		return typeInt8, 0, true
	case uint16:
		return typeUint16, 0, true
	case int16:
		return typeInt16, 0, true
	case uint32:
		return typeUint32, 0, true
	case int32:
		return typeInt32, 0, true
	case float32:
		return typeFloat32, 0, true
	case bool:
		return typeBool, 0, true
	case string:
		return typeString, 0, true
	case uint64:
		return typeUint64, 0, true
	case int64:
		return typeInt64, 0, true
	case float64:
		return typeFloat64, 0, true
	case []uint8:
		return typeArray, typeUint8, true
	case []int8:
		return typeArray, typeInt8, true
	case []uint16:
		return typeArray, typeUint16, true
	case []int16:
		return typeArray, typeInt16, true
	case []uint32:
		return typeArray, typeUint32, true
	case []int32:
		return typeArray, typeInt32, true
	case []float32:
		return typeArray, typeFloat32, true
	case []bool:
		return typeArray, typeBool, true
	case []string:
		return typeArray, typeString, true
	case []uint64:
		return typeArray, typeUint64, true
	case []int64:
		return typeArray, typeInt64, true
	case []float64:
		return typeArray, typeFloat64, true
	case []any:
		return typeArray, typeArray, true
	}
	return 0, 0, false
}

// describe names the GGUF type of a Go value for messages: "uint32", "array of float32".
func describe(v any) string {
	t, elem, ok := kindOf(v)
	switch {
	case !ok:
		return fmt.Sprintf("%T", v)
	case t == typeArray:
		return "array of " + elem.String()
	}
	return t.String()
}
