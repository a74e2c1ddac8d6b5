package engine

import (
	"math/bits"
	"strings"
	"testing"

	"chimera/llama"
)

// --fit checks the buffers a load really allocated with its placement against each GPU's free memory: a GPU is
// judged by what it holds, not by what all GPUs hold together, and a GPU left unused constrains nothing.
func TestFitJudgesEachGPUByWhatThePlacementPutOnIt(t *testing.T) {
	const mib = 1 << 20
	margin := int64(512 * mib)
	devices := []llama.Device{{Name: "CPU", Type: "cpu", FreeBytes: 1 * mib}, {Name: "CUDA0", Type: "gpu", FreeBytes: 8192 * mib},
		{Name: "CUDA1", Type: "gpu", FreeBytes: 1024 * mib}}
	room := func(i int) uint64 { return devices[i].FreeBytes - uint64(margin) }
	buffer := func(name string, bytes uint64) llama.BufferSize { return llama.BufferSize{Buffer: name, Bytes: bytes} }
	for _, c := range []struct {
		placement string
		buffers   []llama.BufferSize
		over      string // the GPU named, "" if it fits
	}{
		{"layer split within each GPU's room", []llama.BufferSize{buffer("CUDA0", room(1)), buffer("CUDA1", room(2)), buffer("CPU", 64*mib)}, ""},
		{"split mode none on the small GPU, which all GPUs together could hold", []llama.BufferSize{buffer("CUDA1", room(2)+1)}, "CUDA1"},
		{"layer split too much on the large GPU", []llama.BufferSize{buffer("CUDA0", room(1)+1), buffer("CUDA1", mib)}, "CUDA0"},
		{"row split: the weights spread over both exceed their rooms together",
			[]llama.BufferSize{buffer("CUDA_Split", room(1)+room(2)-2*mib+1), buffer("CUDA0", mib), buffer("CUDA1", mib)}, "GPUs used"},
		{"row split within the rooms together", []llama.BufferSize{buffer("CUDA_Split", room(1)+room(2)-2*mib), buffer("CUDA0", mib), buffer("CUDA1", mib)}, ""},
		{"devices CUDA0 alone: the small GPU's memory does not matter", []llama.BufferSize{buffer("CUDA0", room(1))}, ""},
		{"host buffers are not device memory", []llama.BufferSize{buffer("CPU", 100<<30), buffer("CUDA_Host", 100<<30)}, ""},
	} {
		err := overBudget(devices, margin, c.buffers)
		if (err == nil) != (c.over == "") || (err != nil && !strings.Contains(err.Error(), c.over)) {
			t.Errorf("%s: %v, want over on %q", c.placement, err, c.over)
		}
	}
}

// The largest offload that fits, the one asked for tried first, in about log2 tries, with -1 when none fits.
func TestLargestFittingBisects(t *testing.T) {
	const asked = 27
	for limit := -1; limit <= asked; limit++ {
		var tried []int
		got := largestFitting(asked, func(n int) bool {
			tried = append(tried, n)
			return n <= limit
		})
		if most := 2 + bits.Len(asked); got != limit || tried[0] != asked || len(tried) > most {
			t.Errorf("fitting up to %d: got %d after trying %v; want %d, %d first, at most %d tries", limit, got, tried, limit, asked, most)
		}
	}
}
