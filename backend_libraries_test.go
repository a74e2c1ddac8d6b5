package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A file in the backend folder that is not a whole library is one line naming it and why, in chimera devices and
// in a run, and the CPU goes on. A truncated library is the case that matters: the dynamic loader maps its
// segments past the end of the file, and touching them killed the process with SIGBUS.
func TestBrokenBackendLibrariesAreOneLineEachAndTheCPUGoesOn(t *testing.T) {
	library, err := os.ReadFile(sharedLibraryInUse(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reasons := map[string]string{}
	for name, file := range map[string]struct {
		content []byte
		reason  string
	}{
		"libggml-truncated.so": {library[:len(library)/2], "truncated"},
		"libggml-text.so":      {[]byte("not a library\n"), "not an ELF file"},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, file.content, 0o644); err != nil {
			t.Fatal(err)
		}
		reasons[path] = file.reason
	}
	checkBrokenBackendsReported(t, dir, reasons)
}

// A backend library that loads another which is not there (the Vulkan backend on a machine without libvulkan) is
// one line naming it and the missing library, and the CPU goes on. The test builds such a library with the C
// compiler cgo uses.
func TestABackendWhoseDependencyIsMissingIsOneLineAndTheCPUGoesOn(t *testing.T) {
	dir := t.TempDir()
	const missing = "libchimera-test-gone.so"
	backend := filepath.Join(dir, "libggml-needs-gone.so")
	buildLibraryNeedingAMissingOne(t, backend, missing)
	checkBrokenBackendsReported(t, dir, map[string]string{backend: missing + ": cannot open shared object file"})
}

// checkBrokenBackendsReported checks that chimera devices and a generate on the CPU, with the backend folder dir,
// succeed and say in one line each why each library of reasons (path → why) did not load, and that the CPU is the
// only device listed.
func checkBrokenBackendsReported(t *testing.T, dir string, reasons map[string]string) {
	t.Helper()
	env := []string{"CHIMERA_DB=" + filepath.Join(t.TempDir(), "chimera.db")}
	for _, args := range [][]string{
		{"devices"},
		{"generate", "-m", tinyModel, "--prompt", "hi", "--num-predict", "2", "--threads", "1"},
	} {
		got := chimera(t, env, append([]string{"--lib-dir", dir}, args...)...)
		if got.status != 0 {
			t.Fatalf("%s: status %d\n%s", args[0], got.status, got.stderr)
		}
		for path, reason := range reasons {
			lines := linesNaming(got.stderr, path)
			if len(lines) != 1 || !strings.Contains(lines[0], reason) {
				t.Errorf("%s: want one line naming %s as %s, got %q", args[0], path, reason, lines)
			}
		}
	}

	got := chimera(t, env, "--lib-dir", dir, "devices", "--json")
	var listed struct {
		Backends []struct {
			Path   string `json:"path"`
			Loaded bool   `json:"loaded"`
			Error  string `json:"error"`
		} `json:"backend_libraries"`
		Devices []struct {
			Type string `json:"type"`
		} `json:"devices"`
	}
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &listed) != nil {
		t.Fatalf("devices --json: status %d\n%s", got.status, got.stderr)
	}
	for _, b := range listed.Backends {
		if b.Loaded || !strings.Contains(b.Error, reasons[b.Path]) {
			t.Errorf("%s: loaded %v, error %q; want %s", b.Path, b.Loaded, b.Error, reasons[b.Path])
		}
	}
	if len(listed.Backends) != len(reasons) || len(listed.Devices) != 1 || listed.Devices[0].Type != "cpu" {
		t.Errorf("want both files reported and the CPU alone listed, got %+v", listed)
	}
}

// buildLibraryNeedingAMissingOne builds the shared library path linked against a library named missing, which is
// then removed, so that the dynamic loader cannot find it.
func buildLibraryNeedingAMissingOne(t *testing.T, path, missing string) {
	t.Helper()
	cc := compilerCgoUses(t)
	src := t.TempDir()
	build := func(out, code string, flags ...string) {
		file := filepath.Join(src, strings.TrimSuffix(filepath.Base(out), ".so")+".c")
		if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append(append(cc[1:], "-shared", "-fPIC", "-o", out, file), flags...)
		if msg, err := exec.Command(cc[0], args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", cc[0], strings.Join(args, " "), err, msg)
		}
	}
	dependency := filepath.Join(src, missing)
	build(dependency, "int gone(void) { return 1; }\n")
	build(path, "int gone(void);\nint needs_gone(void) { return gone(); }\n", "-L"+src, "-l:"+missing)
	if err := os.Remove(dependency); err != nil {
		t.Fatal(err)
	}
}

// compilerCgoUses is go env CC split into the command and its flags; the test skips without it.
func compilerCgoUses(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "CC").Output()
	cc := strings.Fields(string(out))
	if err == nil && len(cc) > 0 {
		if _, err = exec.LookPath(cc[0]); err == nil {
			return cc
		}
	}
	t.Skipf("no C compiler (go env CC: %q): a backend whose dependency is missing not tested", strings.TrimSpace(string(out)))
	return nil
}

// sharedLibraryInUse is the path of a shared library this process has loaded (libc, libstdc++), a whole ELF
// library to cut short.
func sharedLibraryInUse(t *testing.T) string {
	t.Helper()
	maps, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc/self/maps to find a shared library in")
	}
	defer maps.Close()
	lines := bufio.NewScanner(maps)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if path := fields[len(fields)-1]; strings.HasPrefix(path, "/") && strings.Contains(filepath.Base(path), ".so") {
			return path
		}
	}
	t.Skip("this process maps no shared library")
	return ""
}

func linesNaming(text, path string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, path) {
			lines = append(lines, line)
		}
	}
	return lines
}
