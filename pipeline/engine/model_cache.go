package engine

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"chimera/llama"
	"chimera/pipeline/runner"
)

// ModelLoad is one load of the model, timed apart from the measurements that reuse it, and who used it: the
// configurations, cells, sides (compare) or agents (multi) whose settings ask for the same load share it, each on
// a context of its own.
type ModelLoad struct {
	NumGPU          int      `json:"num_gpu"` // the offload the load was asked for
	OffloadedLayers int      `json:"gpu_layers_offloaded"`
	LoadMS          float64  `json:"load_ms"`
	DeviceBytes     int64    `json:"device_bytes"` // GPU memory the load took
	UsedBy          []string `json:"used_by"`
}

// LoadError is a model load that failed at the offload it asked for; its message is the load's own.
type LoadError struct {
	NumGPU int
	Err    error
}

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// ModelCache loads the model once per distinct load request and keeps each load for every user that makes the
// same request.
type ModelCache struct {
	file    *ModelFile
	log     io.Writer
	entries []*cachedModel
}

type cachedModel struct {
	key   loadKey
	model *Model
	load  ModelLoad
}

// loadKey is what a load depends on, its placement as settings are compared. With --fit the offload is fitted to
// the context and the target, so they are part of it.
type loadKey struct {
	numGPU                          int
	splitMode, tensorSplit, devices string
	mainGPU                         int
	useMmap                         bool
	fit                             bool
	fitTarget                       int
	fitContext                      runner.ContextParams
}

func loadKeyOf(cfg Config) loadKey {
	cfg = cfg.Comparable()
	key := loadKey{numGPU: cfg.NumGPU, splitMode: cfg.SplitMode, tensorSplit: cfg.TensorSplit, devices: cfg.Devices, mainGPU: cfg.MainGPU,
		useMmap: cfg.UseMmap, fit: cfg.Fit}
	if cfg.Fit {
		key.fitTarget, key.fitContext = cfg.FitTarget, cfg.Context
	}
	return key
}

// NewModelCache loads from file, noting each load on log.
func NewModelCache(file *ModelFile, log io.Writer) *ModelCache {
	return &ModelCache{file: file, log: log}
}

// Get returns the model loaded as cfg asks (num_gpu, mmap, --fit), loading it the first time.
func (c *ModelCache) Get(user string, cfg Config) (*Model, error) {
	key := loadKeyOf(cfg)
	for _, e := range c.entries {
		if e.key == key {
			e.load.UsedBy = append(e.load.UsedBy, user)
			return e.model, nil
		}
	}
	m, err := c.file.LoadFor(cfg)
	if err != nil {
		return nil, &LoadError{NumGPU: cfg.NumGPU, Err: err}
	}
	load := ModelLoad{NumGPU: m.Load.RequestedGPU, OffloadedLayers: m.Load.OffloadedLayers, LoadMS: m.Load.LoadMS,
		DeviceBytes: DeviceBytes(m.Load.Buffers), UsedBy: []string{user}}
	Logf(c.log, "model loaded for %s in %.0f ms, %d/%d layers offloaded, %s of device memory%s", user, load.LoadMS,
		load.OffloadedLayers, m.Load.OffloadableLayers, mib(load.DeviceBytes), freeMemoryCheck(m.Load))
	c.entries = append(c.entries, &cachedModel{key: key, model: m, load: load})
	return m, nil
}

// LoadOf is the load that made m, a model this cache returned.
func (c *ModelCache) LoadOf(m *Model) ModelLoad {
	for _, e := range c.entries {
		if e.model == m {
			return e.load
		}
	}
	panic("engine: LoadOf a model this cache did not load")
}

// Loads lists the loads in the order they were made.
func (c *ModelCache) Loads() []ModelLoad {
	loads := make([]ModelLoad, len(c.entries))
	for i, e := range c.entries {
		loads[i] = e.load
	}
	return loads
}

// Close frees every load.
func (c *ModelCache) Close() {
	for _, e := range c.entries {
		e.model.Close()
	}
}

// DeviceBytes is the device memory of the buffers llama.cpp allocated (a load's weights, a context's KV cache,
// compute and output buffers): those it put on a GPU. It is measured on every backend, where the devices' free
// memory is not: lavapipe reports free = total, and other processes move it.
func DeviceBytes(buffers []llama.BufferSize) int64 {
	return bytesOn(gpuNames(llama.Devices()), buffers)
}

// bytesOn sums the buffers on the devices named, and the row-split weights a backend spreads over its devices
// (CUDA_Split); host buffers (CPU, CPU_Mapped, CUDA_Host) are not device memory.
func bytesOn(devices []string, buffers []llama.BufferSize) int64 {
	var total int64
	for _, b := range buffers {
		if slices.Contains(devices, b.Buffer) || strings.HasSuffix(b.Buffer, "_Split") {
			total += int64(b.Bytes)
		}
	}
	return total
}

// ownBytes sums the buffers on the device named, not those a row split spreads over several.
func ownBytes(device string, buffers []llama.BufferSize) int64 {
	var total int64
	for _, b := range buffers {
		if b.Buffer == device {
			total += int64(b.Bytes)
		}
	}
	return total
}

// freeMemoryCheck sets each GPU's model buffers, the device memory figure, beside the fall in free memory its
// driver reported across the load: the cross-check, where the driver reports free memory at all (lavapipe reports
// free = total whatever it holds; other processes move a real GPU's). "" where no GPU took a buffer.
func freeMemoryCheck(load llama.LoadReport) string {
	var notes []string
	for _, after := range load.DeviceFreeAfter {
		allocated := ownBytes(after.Name, load.Buffers)
		i := slices.IndexFunc(load.DeviceFreeBefore, func(d llama.Device) bool { return d.Name == after.Name })
		if allocated == 0 || i < 0 || (after.Type != "gpu" && after.Type != "igpu") {
			continue
		}
		fell := int64(load.DeviceFreeBefore[i].FreeBytes) - int64(after.FreeBytes)
		note := fmt.Sprintf("%s: llama.cpp's buffers %s, free memory fell %s", after.Name, mib(allocated), mib(fell))
		if fell == 0 {
			note += ": the driver does not report allocations"
		}
		notes = append(notes, note)
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

func mib(bytes int64) string { return fmt.Sprintf("%.2f MiB", float64(bytes)/(1<<20)) }
