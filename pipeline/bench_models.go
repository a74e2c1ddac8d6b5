package pipeline

import (
	"io"

	"chimera/llama"
)

// ModelLoad is one load of the model, timed apart from the measurements that reuse it.
type ModelLoad struct {
	NumGPU          int     `json:"num_gpu"` // the effective offload the load was asked for
	OffloadedLayers int     `json:"gpu_layers_offloaded"`
	LoadMS          float64 `json:"load_ms"`
	DeviceBytes     int64   `json:"device_bytes"` // GPU memory the load took
}

// modelLoads loads the model once per effective offload and keeps each load for every configuration that
// needs it.
type modelLoads struct {
	ref      string
	src      ModelSource
	useMmap  bool
	log      io.Writer
	byNumGPU map[int]*Model
	loads    []ModelLoad
}

func newModelLoads(ref string, src ModelSource, useMmap bool, log io.Writer) *modelLoads {
	return &modelLoads{ref: ref, src: src, useMmap: useMmap, log: log, byNumGPU: map[int]*Model{}}
}

// get returns the model loaded with numGPU layers offloaded, loading it the first time.
func (l *modelLoads) get(numGPU int) (*Model, error) {
	if m, ok := l.byNumGPU[numGPU]; ok {
		return m, nil
	}
	before := deviceUsed()
	m, err := LoadModel(l.ref, l.src, numGPU, l.useMmap)
	if err != nil {
		return nil, err
	}
	load := ModelLoad{NumGPU: numGPU, OffloadedLayers: m.Load.OffloadedLayers, LoadMS: m.Load.LoadMS, DeviceBytes: deviceUsed() - before}
	logf(l.log, "model loaded in %.0f ms, %d/%d layers on GPU, %d MiB of device memory", load.LoadMS,
		load.OffloadedLayers, m.Load.OffloadableLayer, load.DeviceBytes>>20)
	l.byNumGPU[numGPU] = m
	l.loads = append(l.loads, load)
	return m, nil
}

func (l *modelLoads) close() {
	for _, m := range l.byNumGPU {
		m.Close()
	}
}

// deviceUsed is the memory in use on the GPUs (0 on a machine without one).
func deviceUsed() int64 {
	var used int64
	for _, d := range llama.Devices() {
		if d.Type == "gpu" || d.Type == "igpu" {
			used += int64(d.TotalBytes) - int64(d.FreeBytes)
		}
	}
	return used
}
