package engine

import (
	"testing"

	"chimera/llama"
)

// The free-memory cross-check sets what llama.cpp allocated on each GPU beside the fall in free memory its driver
// reported, and says when the driver reported none: the CPU's buffers and a GPU without any are left out.
func TestFreeMemoryCheckSetsTheBuffersBesideTheDriversFigure(t *testing.T) {
	const mib = 1 << 20
	before := []llama.Device{{Name: "CPU", Type: "cpu", FreeBytes: 9000 * mib}, {Name: "CUDA0", Type: "gpu", FreeBytes: 8000 * mib},
		{Name: "Vulkan0", Type: "gpu", FreeBytes: 2048 * mib}, {Name: "CUDA1", Type: "gpu", FreeBytes: 4000 * mib}}
	after := []llama.Device{{Name: "CPU", Type: "cpu", FreeBytes: 8000 * mib}, {Name: "CUDA0", Type: "gpu", FreeBytes: 6900 * mib},
		{Name: "Vulkan0", Type: "gpu", FreeBytes: 2048 * mib}, {Name: "CUDA1", Type: "gpu", FreeBytes: 3990 * mib}}
	buffers := []llama.BufferSize{{Buffer: "CPU", Bytes: 500 * mib}, {Buffer: "CUDA0", Bytes: 1000 * mib}, {Buffer: "Vulkan0", Bytes: 3 * mib / 2}}
	got := freeMemoryCheck(llama.LoadReport{Buffers: buffers, DeviceFreeBefore: before, DeviceFreeAfter: after})
	want := " (CUDA0: llama.cpp's buffers 1000.00 MiB, free memory fell 1100.00 MiB; " +
		"Vulkan0: llama.cpp's buffers 1.50 MiB, free memory fell 0.00 MiB: the driver does not report allocations)"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := freeMemoryCheck(llama.LoadReport{Buffers: buffers[:1], DeviceFreeBefore: before, DeviceFreeAfter: after}); got != "" {
		t.Errorf("a load with no GPU buffer: %q, want nothing", got)
	}
}
