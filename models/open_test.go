package models

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// promptly returns the error of call, failing the test if call blocks: opening a FIFO used to wait for a writer,
// and reading a device for the end of a file that has none.
func promptly(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked after 5 s")
		return nil
	}
}

func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t *testing.T, target, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOnlyRegularFilesAreOpenedAsModels(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"FIFO":                 mkfifo(t, filepath.Join(dir, "fifo.gguf")),
		"symlink to /dev/zero": symlink(t, "/dev/zero", filepath.Join(dir, "zero.gguf")),
	} {
		t.Run(name, func(t *testing.T) {
			for call, open := range map[string]func() error{
				"ReadFile": func() error { _, err := ReadFile(path); return err },
				"Inspect":  func() error { _, err := Inspect(path); return err },
				"Resolve":  func() error { _, err := Resolve(path, ResolveOptions{CacheDir: dir}); return err },
			} {
				err := promptly(t, open)
				assertProblem(t, err, "is not a regular file")
				if !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("%s: %q does not name the path", call, err)
				}
			}
		})
	}
}

func TestOnlyRegularFilesAreReadAsOllamaManifests(t *testing.T) {
	store := t.TempDir()
	manifests := filepath.Join(store, ollamaManifests, ollamaDefaultHost, ollamaDefaultNamespace)
	zero := symlink(t, "/dev/zero", filepath.Join(manifests, "zero", "latest"))
	fifo := mkfifo(t, filepath.Join(manifests, "fifo", "latest"))
	large := filepath.Join(manifests, "large", "latest")
	writeFile(t, large, make([]byte, maxManifestBytes+1))

	for path, problem := range map[string]string{
		zero:  "is not a regular file",
		fifo:  "is not a regular file",
		large: "is larger than 1 MiB, the most chimera reads of such a file",
	} {
		err := promptly(t, func() error { _, err := modelBlob(store, path); return err })
		assertProblem(t, err, problem)
	}
	// An unknown name lists the pulled models, reading every manifest.
	err := promptly(t, func() error { _, err := Resolve("gemma3:1b", ResolveOptions{OllamaDir: store}); return err })
	assertProblem(t, err, "model not found in the Ollama store")
	err = promptly(t, func() error { _, err := ListOllama(store); return err })
	if err != nil {
		t.Fatal(err)
	}
}
