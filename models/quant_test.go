package models

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFP16(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3C00},
		{-2, 0xC000},
		{0.1, 0x2E66},
		{65504, 0x7BFF},                          // the largest half
		{65519, 0x7BFF},                          // rounds down
		{65520, 0x7C00},                          // halfway to 2^16: rounds to even, which is infinity
		{1e6, 0x7C00},                            // overflow
		{float32(math.Inf(-1)), 0xFC00},          // infinity
		{float32(math.NaN()), 0x7E00},            // ggml's NaN
		{0x1p-14, 0x0400},                        // the smallest normal half
		{0x1p-24, 0x0001},                        // the smallest subnormal half
		{0x1p-25, 0x0000},                        // halfway to the smallest subnormal: rounds to even 0
		{3 * 0x1p-25, 0x0002},                    // halfway between subnormals 1 and 2: rounds to even 2
		{1 + 0x1p-11, 0x3C00},                    // halfway between 1 and its successor: rounds to even 1
		{1 + 3*0x1p-11, 0x3C02},                  // halfway, rounds up to even
		{float32(1 + 0x1p-11 + 0x1p-20), 0x3C01}, // just over halfway: rounds up
	}
	for _, tt := range tests {
		if got := fp16(tt.in); got != tt.want {
			t.Errorf("fp16(%g) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}

func TestQ8_0Blocks(t *testing.T) {
	var row [3 * blockElements]float32
	// Block 0: max|x| = 127 gives scale 1; halves round away from zero, like C's roundf.
	copy(row[0:], []float32{-127, -1.5, -0.5, 0.5, 2.5, 126.6})
	// Block 1: all zeros gives scale 0 and zero quants.
	// Block 2: max|x| = 63.5 gives scale 0.5.
	copy(row[64:], []float32{63.5, 0.25, -0.25, 0.2, -63.5})

	want := []byte{0x00, 0x3C, 0x81, 0xFE, 0xFF, 0x01, 0x03, 0x7F}
	want = append(want, make([]byte, blockElements-6)...)
	want = append(want, make([]byte, 2+blockElements)...)
	want = append(want, 0x00, 0x38, 127, 1, 0xFF, 0, 0x81)
	want = append(want, make([]byte, blockElements-5)...)

	if got := appendQ8_0(nil, row[:]); !bytes.Equal(got, want) {
		t.Errorf("Q8_0 blocks\n got % x\nwant % x", got, want)
	}
}

func TestQ4_0Blocks(t *testing.T) {
	var row [3 * blockElements]float32
	// Block 0: the value of largest magnitude is -8, so d = -8/-8 = 1 and a value x becomes trunc(x+8.5),
	// at most 15. The first 16 values go to the low nibbles, the next 16 to the high ones.
	copy(row[0:], []float32{-8, 7, 0, -0.5, -0.6, 3.49})
	copy(row[16:], []float32{7.9, 1})
	// Block 1: the value of largest magnitude is 16, so d = -2 and x becomes trunc(8.5-x/2).
	copy(row[32:], []float32{16, -14, 1, -1})
	// Block 2: all zeros gives d = 0/-8 = -0 (F16 0x8000, as in C) and every value 8.

	want := []byte{0x00, 0x3C, 0xF0, 0x9F, 0x88, 0x88, 0x87, 0x8B}
	want = append(want, bytes.Repeat([]byte{0x88}, 10)...)
	want = append(want, 0x00, 0xC0, 0x80, 0x8F, 0x88, 0x89)
	want = append(want, bytes.Repeat([]byte{0x88}, 12)...)
	want = append(want, 0x00, 0x80)
	want = append(want, bytes.Repeat([]byte{0x88}, 16)...)

	if got := appendQ4_0(nil, row[:]); !bytes.Equal(got, want) {
		t.Errorf("Q4_0 blocks\n got % x\nwant % x", got, want)
	}
}

func TestEncodersRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	row := make([]float32, 8*blockElements)
	for i := range row {
		row[i] = float32(rng.NormFloat64() * 0.05)
	}
	for typ := range rowEncoders {
		t.Run(typ.String(), func(t *testing.T) {
			got := dequantize(typ, rowEncoders[typ](nil, row))
			for i, x := range row {
				if diff := math.Abs(float64(got[i] - x)); diff > tolerance(typ, row, i) {
					t.Fatalf("value %d: %g came back as %g", i, x, got[i])
				}
			}
		})
	}
}

// tolerance is the largest error the encoding of row may give value i: half a quantization step, with room for
// the scale's rounding to F16; Q4_0 may clip the value opposite the block's extreme by a whole step.
func tolerance(typ TensorType, row []float32, i int) float64 {
	block := row[i/blockElements*blockElements:][:blockElements]
	var amax float64
	for _, v := range block {
		amax = max(amax, math.Abs(float64(v)))
	}
	switch typ {
	case F16:
		return max(math.Abs(float64(row[i]))*0x1p-11, 0x1p-25)
	case Q8_0:
		return 0.6 * amax / 127
	case Q4_0:
		return 1.1 * amax / 8
	}
	return 0
}

// dequantize decodes data of a tensor type that the package writes, as ggml's dequantize_row_* do.
func dequantize(typ TensorType, data []byte) []float32 {
	var out []float32
	switch typ {
	case F32:
		for i := 0; i < len(data); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(data[i:])))
		}
	case F16:
		for i := 0; i < len(data); i += 2 {
			out = append(out, fp16ToFloat32(binary.LittleEndian.Uint16(data[i:])))
		}
	case Q8_0:
		for block := range slices.Chunk(data, 2+blockElements) {
			d := fp16ToFloat32(binary.LittleEndian.Uint16(block))
			for _, q := range block[2:] {
				out = append(out, float32(int8(q))*d)
			}
		}
	case Q4_0:
		for block := range slices.Chunk(data, 2+blockElements/2) {
			d := fp16ToFloat32(binary.LittleEndian.Uint16(block))
			var values [blockElements]float32
			for j, q := range block[2:] {
				values[j] = float32(int(q&0x0F)-8) * d
				values[j+blockElements/2] = float32(int(q>>4)-8) * d
			}
			out = append(out, values[:]...)
		}
	}
	return out
}

func fp16ToFloat32(h uint16) float32 {
	sign := float32(1)
	if h&0x8000 != 0 {
		sign = -1
	}
	exponent, mantissa := int(h>>10&0x1F), float64(h&0x3FF)
	switch exponent {
	case 0:
		return sign * float32(math.Ldexp(mantissa, -24))
	case 0x1F:
		if mantissa != 0 {
			return float32(math.NaN())
		}
		return sign * float32(math.Inf(1))
	}
	return sign * float32(math.Ldexp(1024+mantissa, exponent-25))
}
