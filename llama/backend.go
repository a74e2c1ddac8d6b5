package llama

// #include "bridge.h"
import "C"

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// Options configures the process-wide engine set-up done by Init.
type Options struct {
	// LibDirs are searched (non-recursively) for ggml backend libraries such as libggml-cuda.so.
	LibDirs []string
	// Log receives llama.cpp's log lines at or above LogLevel; nil discards them.
	Log      io.Writer
	LogLevel LogLevel
}

// LogLevel mirrors ggml_log_level.
type LogLevel int

const (
	LogDebug LogLevel = C.GGML_LOG_LEVEL_DEBUG
	LogInfo  LogLevel = C.GGML_LOG_LEVEL_INFO
	LogWarn  LogLevel = C.GGML_LOG_LEVEL_WARN
	LogError LogLevel = C.GGML_LOG_LEVEL_ERROR
)

// BackendLoad reports one backend library found in a library directory.
type BackendLoad struct {
	Path   string `json:"path"`
	Loaded bool   `json:"loaded"`
	Error  string `json:"error,omitempty"`
}

var (
	// backendMu guards the engine set-up: Init holds it to write the backend registry (loading libraries), the
	// functions that read the registry or need Init hold it to read.
	backendMu    sync.RWMutex
	inited       bool
	initLoads    []BackendLoad
	errNotInited = errors.New("llama: Init has not been called")
)

// AbortExitStatus is the exit status of a process that llama.cpp stopped with a failed assertion: one line names
// the assertion on stderr, then the process exits (it cannot go on). It is neither 1 nor 2, so that scripts can
// tell it from a failure chimera reported or bad input.
const AbortExitStatus = 3

// Init installs the log sink and the handler of llama.cpp's assertions, loads the backend libraries found in opts.LibDirs and initialises llama.cpp.
// Only the first call has an effect; it returns what happened to each backend library it found. It is safe to
// call concurrently with itself and with the other functions of the package.
func Init(opts Options) []BackendLoad {
	backendMu.Lock()
	defer backendMu.Unlock()
	if !inited {
		logs.configure(opts.Log, opts.LogLevel)
		C.chimera_log_install()
		C.chimera_ggml_abort_install(C.int(AbortExitStatus))
		initLoads = loadBackends(opts.LibDirs)
		C.llama_backend_init()
		inited = true
	}
	return initLoads
}

func loadBackends(dirs []string) []BackendLoad {
	var loads []BackendLoad
	for _, dir := range dirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "libggml-*.so"))
		sort.Strings(paths)
		for _, path := range paths {
			if strings.HasPrefix(filepath.Base(path), "libggml-base") {
				continue
			}
			loads = append(loads, loadBackend(path))
		}
	}
	return loads
}

func loadBackend(path string) BackendLoad {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if reason := C.chimera_dlcheck(cpath); reason != nil {
		return BackendLoad{Path: path, Error: C.GoString(reason)}
	}
	if C.ggml_backend_load(cpath) == nil {
		return BackendLoad{Path: path, Error: "the library loaded but registered no ggml backend (built for another ggml version?)"}
	}
	return BackendLoad{Path: path, Loaded: true}
}

// SystemInfo is llama.cpp's feature line; a build without SIMD shows no AVX2 there.
func SystemInfo() string {
	// Exclusive: llama_print_system_info builds its answer in a static buffer.
	backendMu.Lock()
	defer backendMu.Unlock()
	return strings.TrimSpace(C.GoString(C.llama_print_system_info()))
}

// Device is one backend device with its memory as the backend reports it.
type Device struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Backend     string `json:"backend"`
	FreeBytes   uint64 `json:"free_bytes"`
	TotalBytes  uint64 `json:"total_bytes"`
}

// Devices lists every registered backend device.
func Devices() []Device {
	backendMu.RLock()
	defer backendMu.RUnlock()
	n := int(C.ggml_backend_dev_count())
	devices := make([]Device, 0, n)
	for i := 0; i < n; i++ {
		devices = append(devices, describeDevice(C.ggml_backend_dev_get(C.size_t(i))))
	}
	return devices
}

func describeDevice(dev C.ggml_backend_dev_t) Device {
	var free, total C.size_t
	C.ggml_backend_dev_memory(dev, &free, &total)
	return Device{
		Name:        C.GoString(C.ggml_backend_dev_name(dev)),
		Description: C.GoString(C.ggml_backend_dev_description(dev)),
		Type:        deviceType(C.ggml_backend_dev_type(dev)),
		Backend:     C.GoString(C.ggml_backend_reg_name(C.ggml_backend_dev_backend_reg(dev))),
		FreeBytes:   uint64(free),
		TotalBytes:  uint64(total),
	}
}

func deviceType(t C.enum_ggml_backend_dev_type) string {
	switch t {
	case C.GGML_BACKEND_DEVICE_TYPE_CPU:
		return "cpu"
	case C.GGML_BACKEND_DEVICE_TYPE_GPU:
		return "gpu"
	case C.GGML_BACKEND_DEVICE_TYPE_IGPU:
		return "igpu"
	default:
		return "accel"
	}
}

// HasGPU reports whether any GPU device is registered, i.e. whether num_gpu can offload anything.
func HasGPU() bool {
	for _, d := range Devices() {
		if d.Type == "gpu" || d.Type == "igpu" {
			return true
		}
	}
	return false
}

func requireInit() error {
	backendMu.RLock()
	defer backendMu.RUnlock()
	if !inited {
		return errNotInited
	}
	return nil
}

// DefaultLibDirs is where a packaged chimera keeps its backend libraries: <exe>/../lib/chimera.
func DefaultLibDirs() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return []string{filepath.Join(filepath.Dir(exe), "..", "lib", "chimera")}
}

func (l BackendLoad) String() string {
	if l.Loaded {
		return fmt.Sprintf("loaded %s", l.Path)
	}
	return fmt.Sprintf("failed to load %s: %s", l.Path, l.Error)
}
