package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime/cgo"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// ModelParams are the load-time settings of a model.
type ModelParams struct {
	// NumGPU is the number of layers to offload (Ollama's num_gpu); -1, or anything above block_count+1, means all.
	NumGPU  int
	UseMmap bool
	// SplitMode is how layers spread over several GPUs: "none" (MainGPU alone), "layer" or "row"; "" is layer.
	SplitMode string
	// MainGPU is the index, among the devices used, of the GPU that holds the model with split mode none.
	MainGPU int
	// TensorSplit is each device's share of the model; nil splits by free memory.
	TensorSplit []float32
	// Devices names the devices to offload to (ggml_backend_dev_name); nil is every GPU, empty is none.
	Devices []string
	// Progress, if set, receives the load progress from 0 to 1.
	Progress func(fraction float32)
}

// Model is a loaded GGUF model. It is safe to create several contexts on one model, and to use them from
// different goroutines at once.
type Model struct {
	c     *C.struct_llama_model
	vocab *C.struct_llama_vocab
	Path  string
	Load  LoadReport
	// mu guards the model's lifetime: c is freed once Close has been called and no context is open.
	mu       sync.Mutex
	contexts int
	closed   bool
}

var errModelClosed = errors.New("llama: the model is closed")

// LoadReport describes what a load did, measured in Go and read from llama.cpp's load log.
type LoadReport struct {
	LoadMS            float64      `json:"load_ms"`
	RequestedGPU      int          `json:"num_gpu_requested"`
	OffloadedLayers   int          `json:"gpu_layers_offloaded"`
	OffloadableLayers int          `json:"gpu_layers_offloadable"`
	Buffers           []BufferSize `json:"buffers"`
	DeviceFreeBefore  []Device     `json:"devices_before"`
	DeviceFreeAfter   []Device     `json:"devices_after"`
}

// BufferSize is one backend buffer llama.cpp allocated: model weights, KV cache or compute scratch.
type BufferSize struct {
	Buffer string `json:"buffer"`
	Kind   string `json:"kind"`
	Bytes  uint64 `json:"bytes"`
}

// loadMu serialises loads so each load's log capture holds only its own lines.
var loadMu sync.Mutex

// LoadModel loads a GGUF file. Callers validate the file first (models.Inspect): llama.cpp aborts the process on
// some malformed inputs instead of returning an error.
func LoadModel(path string, p ModelParams) (*Model, error) {
	if err := requireInit(); err != nil {
		return nil, err
	}
	loadMu.Lock()
	defer loadMu.Unlock()

	params := C.llama_model_default_params()
	params.n_gpu_layers = C.int32_t(gpuLayers(p.NumGPU))
	params.use_mmap = C.bool(p.UseMmap)
	placement, err := setPlacement(&params, p)
	if err != nil {
		return nil, err
	}
	defer placement.free()
	if p.Progress != nil {
		handle := cgo.NewHandle(p.Progress)
		defer handle.Delete()
		C.chimera_set_progress(&params, C.uintptr_t(handle))
	}

	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	before := Devices()
	stopCapture := logs.startCapture()
	var cmodel *C.struct_llama_model
	var elapsed time.Duration
	reason := errorsDuring(func() {
		start := time.Now()
		cmodel = C.llama_model_load_from_file(cpath, params)
		elapsed = time.Since(start)
	})
	loadLog := stopCapture()
	if cmodel == nil {
		return nil, fmt.Errorf("llama.cpp could not load %s: %s", path, orUnknown(reason))
	}
	m := &Model{c: cmodel, vocab: C.llama_model_get_vocab(cmodel), Path: path}
	m.Load = LoadReport{
		LoadMS:            ms(elapsed),
		RequestedGPU:      p.NumGPU,
		OffloadedLayers:   offloadedLayers(loadLog),
		OffloadableLayers: m.BlockCount() + 1,
		Buffers:           bufferSizes(loadLog),
		DeviceFreeBefore:  before,
		DeviceFreeAfter:   Devices(),
	}
	return m, nil
}

func gpuLayers(numGPU int) int {
	if numGPU < 0 {
		return math.MaxInt32
	}
	return numGPU
}

//export goProgress
func goProgress(progress C.float, handle C.uintptr_t) C.bool {
	cgo.Handle(handle).Value().(func(float32))(float32(progress))
	return true
}

var (
	offloadedRe = regexp.MustCompile(`offloaded (\d+)/(\d+) layers to GPU`)
	bufferRe    = regexp.MustCompile(`(\S+)\s+(model|KV|compute|output) buffer size =\s+([\d.]+) MiB`)
)

// offloadedLayers reads llama.cpp's own count; it logs none when no GPU backend is present.
func offloadedLayers(log string) int {
	m := offloadedRe.FindStringSubmatch(log)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func bufferSizes(log string) []BufferSize {
	var sizes []BufferSize
	for _, m := range bufferRe.FindAllStringSubmatch(log, -1) {
		mib, _ := strconv.ParseFloat(m[3], 64)
		sizes = append(sizes, BufferSize{Buffer: m[1], Kind: m[2], Bytes: uint64(mib * 1024 * 1024)})
	}
	return sizes
}

// Close releases the model. Its contexts that are still open keep working, and the last one to close frees the
// model; without open contexts Close frees it at once. After Close, NewContext fails and the model's other
// methods must not be called. Calling Close again does nothing.
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.freeIfUnused()
}

// retain counts a context being made from the model; it fails once the model is closed.
func (m *Model) retain() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errModelClosed
	}
	m.contexts++
	return nil
}

// release uncounts a context, freeing the model if it was the last one of a closed model.
func (m *Model) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.contexts--
	m.freeIfUnused()
}

// freeIfUnused frees the C model once it is closed and no context uses it. m.mu must be held.
func (m *Model) freeIfUnused() {
	if m.closed && m.contexts == 0 && m.c != nil {
		C.llama_model_free(m.c)
		m.c, m.vocab = nil, nil
	}
}

// BlockCount is the number of repeating layers; num_gpu = BlockCount()+1 also offloads the output layer.
func (m *Model) BlockCount() int { return int(C.llama_model_n_layer(m.c)) }

// SizeBytes is the total size of the weights.
func (m *Model) SizeBytes() uint64 { return uint64(C.llama_model_size(m.c)) }

// Params is the number of weights.
func (m *Model) Params() uint64 { return uint64(C.llama_model_n_params(m.c)) }

// Description is llama.cpp's one-line model description, e.g. "gemma3 270M Q8_0".
func (m *Model) Description() string {
	buf := make([]byte, 256)
	n := C.llama_model_desc(m.c, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	if n < 0 {
		return ""
	}
	return string(buf[:min(int(n), len(buf)-1)])
}

func orUnknown(s string) string {
	if s == "" {
		return "no reason given (run with -v to see llama.cpp's log)"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

var splitModes = map[string]C.enum_llama_split_mode{
	"": C.LLAMA_SPLIT_MODE_LAYER, "none": C.LLAMA_SPLIT_MODE_NONE, "layer": C.LLAMA_SPLIT_MODE_LAYER, "row": C.LLAMA_SPLIT_MODE_ROW,
}

// MaxDevices is the most devices a tensor split can name (llama_max_devices).
func MaxDevices() int { return int(C.llama_max_devices()) }

// placementArrays are the C arrays a load's params point to, freed after the load.
type placementArrays struct{ split, devices unsafe.Pointer }

func (a placementArrays) free() {
	C.free(a.split)
	C.free(a.devices)
}

// setPlacement sets the split mode, main GPU, tensor split and devices; a name no registered device has, or more
// shares than llama.cpp takes, is an error rather than llama.cpp's assertion.
func setPlacement(params *C.struct_llama_model_params, p ModelParams) (placementArrays, error) {
	var arrays placementArrays
	mode, ok := splitModes[p.SplitMode]
	if !ok || len(p.TensorSplit) > MaxDevices() || p.MainGPU < 0 {
		return arrays, fmt.Errorf("llama: invalid placement: split mode %q, main GPU %d, %d tensor split parts", p.SplitMode, p.MainGPU, len(p.TensorSplit))
	}
	params.split_mode, params.main_gpu = mode, C.int32_t(p.MainGPU)
	if p.TensorSplit != nil {
		arrays.split = C.calloc(C.size_t(MaxDevices()), C.size_t(unsafe.Sizeof(C.float(0))))
		shares := unsafe.Slice((*C.float)(arrays.split), MaxDevices())
		for i, f := range p.TensorSplit {
			shares[i] = C.float(f)
		}
		params.tensor_split = (*C.float)(arrays.split)
	}
	if p.Devices != nil {
		arrays.devices = C.calloc(C.size_t(len(p.Devices)+1), C.size_t(unsafe.Sizeof(C.ggml_backend_dev_t(nil))))
		devices := unsafe.Slice((*C.ggml_backend_dev_t)(arrays.devices), len(p.Devices)+1)
		for i, name := range p.Devices {
			cname := C.CString(name)
			devices[i] = C.ggml_backend_dev_by_name(cname)
			C.free(unsafe.Pointer(cname))
			if devices[i] == nil {
				arrays.free()
				return placementArrays{}, fmt.Errorf("llama: no device is named %s", name)
			}
		}
		params.devices = (*C.ggml_backend_dev_t)(arrays.devices)
	}
	return arrays, nil
}
