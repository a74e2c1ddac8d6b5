package llama

// #include "bridge.h"
import "C"

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
		vulkanDevices = readVulkanDevices()
		inited = true
	}
	return initLoads
}

func loadBackends(dirs []string) []BackendLoad {
	var loads []BackendLoad
	for _, dir := range dirs {
		paths, _ := filepath.Glob(filepath.Join(dir, "libggml-*.so"))
		sort.Strings(paths)
		paths = slices.DeleteFunc(paths, func(path string) bool {
			return strings.HasPrefix(filepath.Base(path), "libggml-base")
		})
		if base := filepath.Join(dir, "libggml-base.so.0"); len(paths) > 0 && checkLibrary(base) == nil {
			installBaseLog(base) // where it cannot load, each backend's load says why
		}
		for _, path := range paths {
			loads = append(loads, loadBackend(path))
		}
	}
	return loads
}

func installBaseLog(path string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.chimera_log_install_base(cpath)
}

func loadBackend(path string) BackendLoad {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if err := checkLibrary(path); err != nil {
		return BackendLoad{Path: path, Error: err.Error()}
	}
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
	// Type is ggml's class of the device: llama.cpp offloads layers to "gpu" and "igpu" devices.
	Type       string `json:"type"`
	Backend    string `json:"backend"`
	FreeBytes  uint64 `json:"free_bytes"`
	TotalBytes uint64 `json:"total_bytes"`
	// DeviceID is the hardware's identity where the backend knows it (a PCI bus id): two backends' devices with one
	// id are one GPU, which llama.cpp uses once.
	DeviceID string `json:"device_id,omitempty"`
	// Hardware is known for Vulkan devices: Vulkan's device type, "cpu" for a software device such as Mesa's
	// lavapipe (whose Type is "gpu": it takes offloaded layers).
	Hardware string `json:"hardware,omitempty"`
	// Driver is the driver's name and version where the backend says it: Vulkan's driver, or the backend's
	// library and driver version ("CUDA 12.8").
	Driver string `json:"driver,omitempty"`
	// ComputeCapability is the device's compute capability where the backend reports one ("9.0" for an H100).
	ComputeCapability string `json:"compute_capability,omitempty"`
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
	var props C.struct_ggml_backend_dev_props
	C.ggml_backend_dev_get_props(dev, &props)
	vk := vulkanDevices[C.GoString(props.id)]
	return Device{
		Name:              C.GoString(props.name),
		Description:       C.GoString(props.description),
		Type:              deviceType(props._type),
		Backend:           C.GoString(C.ggml_backend_reg_name(C.ggml_backend_dev_backend_reg(dev))),
		FreeBytes:         uint64(props.memory_free),
		TotalBytes:        uint64(props.memory_total),
		DeviceID:          C.GoString(props.device_id),
		Hardware:          vk.hardware,
		Driver:            cmp.Or(vk.driver, version(C.GoString(props.library), props.driver_major, props.driver_minor)),
		ComputeCapability: version("", props.compute_major, props.compute_minor),
	}
}

// version writes a major.minor version the backend reports, after name; "" where it reports none.
func version(name string, major, minor C.int) string {
	if major <= 0 {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("%s %d.%d", name, major, minor))
}

// vulkanDevices is what ggml-vulkan does not report about its devices, by their ggml device id (the Vulkan UUID).
// Init reads it once, when the Vulkan backend is loaded.
var vulkanDevices map[string]vulkanDevice

type vulkanDevice struct{ hardware, driver string }

// vulkanHardware names the values of VkPhysicalDeviceType.
var vulkanHardware = [...]string{"other", "igpu", "gpu", "virtual-gpu", "cpu"}

func readVulkanDevices() map[string]vulkanDevice {
	name := C.CString("Vulkan")
	defer C.free(unsafe.Pointer(name))
	if C.ggml_backend_reg_by_name(name) == nil {
		return nil
	}
	var out [C.CHIMERA_VK_MAX_DEVICES]C.struct_chimera_vk_device
	n := int(C.chimera_vk_devices(&out[0]))
	devices := map[string]vulkanDevice{}
	for _, d := range out[:max(n, 0)] {
		v := vulkanDevice{hardware: "other", driver: C.GoString(&d.driver_name[0])}
		if t := int(d._type); t >= 0 && t < len(vulkanHardware) {
			v.hardware = vulkanHardware[t]
		}
		if info := C.GoString(&d.driver_info[0]); info != "" {
			v.driver += " " + info
		}
		devices[C.GoString(&d.uuid[0])] = v
	}
	return devices
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

// HasGPU reports whether any GPU device is registered, i.e. whether num_gpu can offload anything. It reads the
// devices' types only: Devices also queries each one's memory, which grids would pay per configuration.
func HasGPU() bool {
	backendMu.RLock()
	defer backendMu.RUnlock()
	for i := range int(C.ggml_backend_dev_count()) {
		if t := deviceType(C.ggml_backend_dev_type(C.ggml_backend_dev_get(C.size_t(i)))); t == "gpu" || t == "igpu" {
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
