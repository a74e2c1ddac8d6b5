// The dynamic-loading path GPU backends take, tested without a GPU. scripts/build-backend.sh builds a CPU backend
// library with CMake from the pinned module's ggml sources (the build folder is kept in build/, so a rerun takes
// about a second) and installs it the way dist/ is laid out; child processes then load it through llama.Init,
// because the engine initialises once per process. The loaded library registers a second CPU device next to the
// built-in one (engine.md pitfall 18): that device is the proof that it registered.
package llama_test

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chimera/llama"
)

// probeEnv turns the test binary into a child that initialises the engine with the lib dirs the variable lists
// ("default": llama.DefaultLibDirs), prints what it loaded and which devices it sees as JSON, and exits. It acts
// in init, before TestMain's own llama.Init.
const probeEnv = "CHIMERA_BACKEND_PROBE"

// probeLogEnv names a file the probe child sends llama.cpp's and the backends' log to, at debug level.
const probeLogEnv = "CHIMERA_BACKEND_PROBE_LOG"

type probeResult struct {
	Loads   []llama.BackendLoad
	Devices []llama.Device
}

func init() {
	dirs, ok := os.LookupEnv(probeEnv)
	if !ok {
		return
	}
	opts := llama.Options{LibDirs: filepath.SplitList(dirs)}
	if dirs == "default" {
		opts.LibDirs = llama.DefaultLibDirs()
	}
	if path := os.Getenv(probeLogEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			os.Exit(1)
		}
		opts.Log, opts.LogLevel = f, llama.LogDebug
	}
	loads := llama.Init(opts)
	if err := json.NewEncoder(os.Stdout).Encode(probeResult{loads, llama.Devices()}); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func TestBackendLibraryLoadsFromTheInstallLayout(t *testing.T) {
	prefix := installCPUBackend(t)
	libDir := filepath.Join(prefix, "lib", "chimera")
	// A library that cannot load must be reported with the loader's reason, not skipped.
	if err := os.WriteFile(filepath.Join(libDir, "libggml-broken.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The test binary placed as <prefix>/bin/... finds <prefix>/lib/chimera with no lib dir given, as dist/ does.
	got, _ := probe(t, copyExecutable(t, filepath.Join(prefix, "bin")), "default")

	if len(got.Loads) != 2 {
		t.Fatalf("want libggml-broken.so and libggml-cpu.so reported, got %+v", got.Loads)
	}
	broken, cpu := got.Loads[0], got.Loads[1]
	if broken.Path != filepath.Join(libDir, "libggml-broken.so") || broken.Loaded || broken.Error == "" {
		t.Errorf("the empty library must fail with a reason: %+v", broken)
	}
	if cpu.Path != filepath.Join(libDir, "libggml-cpu.so") || !cpu.Loaded || cpu.Error != "" {
		t.Errorf("the CPU backend library must load: %+v", cpu)
	}
	t.Logf("%s", broken)
	if n := countType(got.Devices, "cpu"); n != 2 {
		t.Errorf("want the built-in CPU device and the loaded library's, got %d: %+v", n, got.Devices)
	}
	for _, d := range got.Devices {
		if d.Name == "" || d.TotalBytes == 0 || d.FreeBytes > d.TotalBytes {
			t.Errorf("device without a name or memory: %+v", d)
		}
	}
}

// libggml-cpu.so without a whole libggml-base.so.0 beside it fails with a reason naming the base, registers no
// device, and the process goes on.
func TestBackendWithoutAWholeGgmlBaseIsReportedNotLoaded(t *testing.T) {
	prefix := installCPUBackend(t)
	base, err := os.ReadFile(filepath.Join(prefix, "lib", "chimera", "libggml-base.so.0"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		base []byte
		says string
	}{
		// It cannot resolve libggml-base.so.0 through its RUNPATH ($ORIGIN): the loader's reason, which
		// ggml_backend_load itself would keep silent (engine.md pitfall 17).
		"missing": {nil, "libggml-base.so.0"},
		// Refused before dlopen maps it: mapped, it killed the process with SIGBUS, in the load of the backend or
		// of the base itself (for its log).
		"truncated": {base[:len(base)/2], "libggml-base.so.0: truncated"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			copyFile(t, filepath.Join(prefix, "lib", "chimera", "libggml-cpu.so"), filepath.Join(dir, "libggml-cpu.so"))
			if c.base != nil {
				if err := os.WriteFile(filepath.Join(dir, "libggml-base.so.0"), c.base, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := probe(t, exe, dir)

			if len(got.Loads) != 1 || got.Loads[0].Loaded || !strings.Contains(got.Loads[0].Error, c.says) {
				t.Fatalf("want libggml-cpu.so reported as failing on %q, got %+v", c.says, got.Loads)
			}
			if n := countType(got.Devices, "cpu"); n != 1 {
				t.Errorf("a library that failed to load registered a device: %+v", got.Devices)
			}
		})
	}
}

// installCPUBackend builds (or brings up to date) the CPU backend library and installs it into a new prefix.
func installCPUBackend(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a ggml CPU backend with CMake (about 30-60 s the first time)")
	}
	if _, err := exec.LookPath("cmake"); err != nil {
		t.Skip("cmake is not installed (apt-get install cmake): the backend-loading test needs it")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	start := time.Now()
	cmd := exec.Command(filepath.Join(root, "scripts", "build-backend.sh"), "cpu", prefix)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-backend.sh cpu: %v\n%s", err, tail(out, 4000))
	}
	t.Logf("CMake build and install of the CPU backend: %s", time.Since(start).Round(time.Millisecond))
	return prefix
}

// TestVulkanBackend needs make vulkan's library and Mesa's lavapipe (mesa-vulkan-drivers), which ggml-vulkan
// shows only with GGML_VK_VISIBLE_DEVICES=0.
func TestVulkanBackendDescribesLavapipeAndLogsThroughChimera(t *testing.T) {
	libDir, err := filepath.Abs(filepath.Join("..", "dist", "lib", "chimera"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(libDir, "libggml-vulkan.so")); err != nil {
		t.Skip("no dist/lib/chimera/libggml-vulkan.so: make vulkan builds it")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "log")
	got, stderr := probe(t, exe, libDir, probeLogEnv+"="+logFile, "GGML_VK_VISIBLE_DEVICES=0")

	// The lines of the library's own libggml-base reach chimera's log, not stderr.
	if strings.Contains(stderr, "ggml_vulkan") {
		t.Errorf("the Vulkan backend logged to stderr directly:\n%s", stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "ggml_vulkan: ") {
		t.Errorf("the Vulkan backend's log did not reach chimera's:\n%s", log)
	}
	var vulkan []llama.Device
	for _, d := range got.Devices {
		if d.Backend == "Vulkan" {
			vulkan = append(vulkan, d)
		}
	}
	if len(vulkan) == 0 {
		t.Skipf("no Vulkan device (is mesa-vulkan-drivers installed?); loads %+v", got.Loads)
	}
	d := vulkan[0]
	t.Logf("%+v", d)
	if d.Type != "gpu" || d.Hardware != "cpu" || !strings.HasPrefix(d.Driver, "llvmpipe ") || d.TotalBytes == 0 {
		t.Errorf("want lavapipe: ggml type gpu, hardware cpu, driver llvmpipe, memory; got %+v", d)
	}
}

// probe runs exe as a probe child with the lib dirs dirs and the extra environment env, and returns what it
// printed and its stderr.
func probe(t *testing.T, exe, dirs string, env ...string) (probeResult, string) {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), probeEnv+"="+dirs), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("probe %s: %v\n%s", exe, err, tail([]byte(stderr.String()), 4000))
	}
	var got probeResult
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("probe output: %v\n%s", err, out)
	}
	return got, stderr.String()
}

// copyExecutable puts the running test binary into dir (a hard link when it can) and returns its path there.
func copyExecutable(t *testing.T, dir string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(exe))
	if os.Link(exe, dst) != nil {
		copyFile(t, exe, dst)
	}
	return dst
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func countType(devices []llama.Device, typ string) int {
	n := 0
	for _, d := range devices {
		if d.Type == typ {
			n++
		}
	}
	return n
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
