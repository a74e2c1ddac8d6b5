package engine

import (
	"strings"
	"testing"

	"chimera/llama"
)

var twoGPUs = []llama.Device{{Name: "CPU", Type: "cpu"}, {Name: "CUDA0", Type: "gpu"}, {Name: "CUDA1", Type: "gpu"}}

// oneGPUTwoBackends is one card seen by CUDA and by Vulkan: llama.cpp uses it once. withIGPU has a discrete and
// an integrated GPU: llama.cpp uses the discrete one alone.
var (
	oneGPUTwoBackends = []llama.Device{{Name: "CUDA0", Type: "gpu", DeviceID: "0000:01:00.0"}, {Name: "Vulkan0", Type: "gpu", DeviceID: "0000:01:00.0"}}
	withIGPU          = []llama.Device{{Name: "CUDA0", Type: "gpu"}, {Name: "Vulkan1", Type: "igpu"}}
)

// placed is chimera's defaults with the multi-GPU settings given as flags would give them.
func placed(t *testing.T, settings map[string]string) Config {
	t.Helper()
	c := DefaultConfig()
	for name, value := range settings {
		if err := SettingNamed(name).Set(&c, value); err != nil {
			t.Fatalf("%s %q: %v", name, value, err)
		}
	}
	return c
}

func TestPlacementIsCheckedAgainstTheDevicesFound(t *testing.T) {
	for _, ok := range []map[string]string{
		{}, {"tensor_split": "3/1"}, {"devices": "cuda1"}, {"devices": "CUDA0/CUDA1", "tensor_split": "1/1", "split_mode": "row"},
		{"devices": "none"}, {"split_mode": "none", "main_gpu": "1"}, {"tensor_split": "auto", "devices": "auto"},
	} {
		if err := placed(t, ok).CheckDevices(twoGPUs); err != nil {
			t.Errorf("%v on two GPUs: %v", ok, err)
		}
	}
	for _, c := range []struct {
		settings map[string]string
		found    []llama.Device
		says     string
	}{
		{map[string]string{"devices": "CUDA2"}, twoGPUs, "device CUDA2 was not found; the GPUs here are: CUDA0, CUDA1"},
		{map[string]string{"devices": "CPU"}, twoGPUs, "device CPU was not found"},
		{map[string]string{"tensor_split": "3/1/1"}, twoGPUs, "3 parts but 2 GPUs are used"},
		{map[string]string{"tensor_split": "3/1", "devices": "CUDA1"}, twoGPUs, "2 parts but 1 GPUs are used"},
		{map[string]string{"main_gpu": "2"}, twoGPUs, "main_gpu 2 is not among the 2 GPUs used"},
		{map[string]string{"tensor_split": "3/1"}, twoGPUs[:1], "0 GPUs are used (none)"},
		{map[string]string{"split_mode": "none"}, twoGPUs[:1], "split_mode none puts the model on GPU 0 (main_gpu), but 0 GPUs are used"},
		{map[string]string{"split_mode": "none", "devices": "none"}, twoGPUs, "but 0 GPUs are used"},
		{map[string]string{"tensor_split": "1/1"}, oneGPUTwoBackends, "2 parts but 1 GPUs are used"},
		{map[string]string{"split_mode": "none", "main_gpu": "1"}, withIGPU, "on GPU 1 (main_gpu), but 1 GPUs are used (CUDA0)"},
	} {
		err := placed(t, c.settings).CheckDevices(c.found)
		if !IsInputError(err) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want an input error saying %q", c.settings, err, c.says)
		}
	}
}

func TestPlacementFormIsValidated(t *testing.T) {
	for _, c := range []struct {
		settings map[string]string
		says     string
	}{
		{map[string]string{"tensor_split": "3/x"}, `"x" is not a share`},
		{map[string]string{"tensor_split": "0/0"}, "gives every GPU a share of 0"},
		{map[string]string{"tensor_split": "-1/2"}, `"-1" is not a share`},
		{map[string]string{"tensor_split": "1/inf"}, `"inf" is not a share`},
		{map[string]string{"tensor_split": strings.Repeat("1/", 64) + "1"}, "65 parts; llama.cpp takes at most"},
		{map[string]string{"devices": "CUDA0//CUDA1"}, "name each device once"},
		{map[string]string{"devices": "CUDA0/none"}, "give none alone"},
		{map[string]string{"devices": "CUDA0/cuda0"}, "name each device once"},
		{map[string]string{"main_gpu": "4096"}, "main_gpu must be between 0 and"},
	} {
		if err := placed(t, c.settings).Validate(); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want an error saying %q", c.settings, err, c.says)
		}
	}
	var c Config
	if err := SettingNamed("split_mode").Set(&c, "rows"); !IsInputError(err) || !strings.Contains(err.Error(), "none, layer, row") {
		t.Errorf("split mode rows: %v, want an input error naming the modes", err)
	}
}

// Each setting writes back what it reads, so a value recorded or printed reads as the same configuration.
func TestEverySettingReadsWhatItWrites(t *testing.T) {
	c := DefaultConfig()
	for _, s := range Settings {
		if err := s.Set(&c, s.Get(c)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if c != DefaultConfig() {
		t.Errorf("reading the defaults back changed them: %+v", c)
	}
	seen := map[string]string{}
	for _, s := range Settings {
		for _, name := range append([]string{s.Name, s.Flag}, s.Aliases...) {
			if other, taken := seen[name]; taken && other != s.Name {
				t.Errorf("%q names both %s and %s", name, other, s.Name)
			}
			seen[name] = s.Name
		}
	}
}

// Device memory counts the buffers on a GPU, whatever else llama.cpp allocated: host copies and mapped weights are
// not device memory.
func TestDeviceBytesCountsTheBuffersOnAGPU(t *testing.T) {
	buffers := []llama.BufferSize{{Buffer: "Vulkan0", Kind: "model", Bytes: 100}, {Buffer: "CPU_Mapped", Kind: "model", Bytes: 40},
		{Buffer: "Vulkan0", Kind: "KV", Bytes: 8}, {Buffer: "Vulkan_Host", Kind: "output", Bytes: 1}, {Buffer: "CUDA1", Kind: "compute", Bytes: 5}}
	if got := bytesOn(gpuNames(twoGPUs), buffers); got != 5 {
		t.Errorf("%d bytes on CUDA0 and CUDA1, want CUDA1's 5 and none of the Vulkan and host buffers", got)
	}
	rowSplit := append(buffers, llama.BufferSize{Buffer: "CUDA_Split", Kind: "model", Bytes: 1000})
	if got := bytesOn(gpuNames(twoGPUs), rowSplit); got != 1005 {
		t.Errorf("%d bytes with split_mode row, want the split weights too, 1005", got)
	}
	vulkan := []llama.Device{{Name: "CPU", Type: "cpu"}, {Name: "Vulkan0", Type: "gpu"}}
	if got := bytesOn(gpuNames(vulkan), buffers); got != 108 {
		t.Errorf("%d bytes on Vulkan0, want its model and KV buffers, 108", got)
	}
}
