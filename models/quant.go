package models

import (
	"encoding/binary"
	"math"
	"slices"
)

// blockElements is the number of values in one Q4_0 or Q8_0 block.
const blockElements = 32

// rowEncoders append one row of values encoded as a tensor type, byte for byte as ggml's reference code does.
var rowEncoders = map[TensorType]func(dst []byte, row []float32) []byte{
	F32:  appendF32,
	F16:  appendF16,
	Q8_0: appendQ8_0,
	Q4_0: appendQ4_0,
}

func appendF32(dst []byte, row []float32) []byte {
	for _, v := range row {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
	}
	return dst
}

func appendF16(dst []byte, row []float32) []byte {
	for _, v := range row {
		dst = binary.LittleEndian.AppendUint16(dst, fp16(v))
	}
	return dst
}

// appendQ8_0 is quantize_row_q8_0_ref: per block, scale d = max|x|/127 stored as F16, then round(x/d) as int8.
func appendQ8_0(dst []byte, row []float32) []byte {
	for block := range slices.Chunk(row, blockElements) {
		var amax float32
		for _, v := range block {
			amax = max(amax, abs32(v))
		}
		d := amax / 127
		id := inverse(d)
		dst = binary.LittleEndian.AppendUint16(dst, fp16(d))
		for _, v := range block {
			// math.Round rounds halves away from zero, like C's roundf.
			dst = append(dst, byte(int8(math.Round(float64(float32(v*id))))))
		}
	}
	return dst
}

// appendQ4_0 is quantize_row_q4_0_ref: per block, scale d = (the value of largest magnitude)/-8 stored as F16,
// then x/d+8 as 4-bit values, the first half of the block in the low nibbles and the second half in the high.
func appendQ4_0(dst []byte, row []float32) []byte {
	for block := range slices.Chunk(row, blockElements) {
		var amax, extreme float32
		for _, v := range block {
			if amax < abs32(v) {
				amax, extreme = abs32(v), v
			}
		}
		d := extreme / -8
		id := inverse(d)
		dst = binary.LittleEndian.AppendUint16(dst, fp16(d))
		half := blockElements / 2
		for j := range half {
			dst = append(dst, q4Nibble(float32(block[j]*id))|q4Nibble(float32(block[half+j]*id))<<4)
		}
	}
	return dst
}

// q4Nibble is ggml's MIN(15, (int8_t)(x + 8.5f)): truncation, so +8.5 rounds x+8 to nearest.
func q4Nibble(x float32) byte {
	return byte(min(15, int8(float32(x+8.5))))
}

func inverse(d float32) float32 {
	if d == 0 {
		return 0
	}
	return 1 / d
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// fp16 converts to IEEE half precision, rounding to nearest even, bit for bit as ggml_compute_fp32_to_fp16:
// scaling by 2^112·2^-110 lets the float32 adder do the rounding, and NaN becomes 0x7E00.
func fp16(f float32) uint16 {
	const scaleToInf, scaleToZero = 0x1p+112, 0x1p-110
	base := float32(float32(abs32(f)*scaleToInf) * scaleToZero)

	w := math.Float32bits(f)
	shl1 := w + w
	sign := w & 0x80000000
	bias := max(shl1&0xFF000000, 0x71000000)

	base = float32(math.Float32frombits(bias>>1+0x07800000) + base)
	bits := math.Float32bits(base)
	nonsign := (bits>>13)&0x7C00 + bits&0x0FFF
	if shl1 > 0xFF000000 {
		nonsign = 0x7E00
	}
	return uint16(sign>>16 | nonsign)
}
