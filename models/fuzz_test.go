package models

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var updateSeeds = flag.Bool("update", false, "rewrite the FuzzReadFile seed corpus in testdata")

const fuzzCorpusHeader = "go test fuzz v1\n"

var fuzzCorpusDir = filepath.Join("testdata", "fuzz", "FuzzReadFile")

// FuzzReadFile checks that no file makes ReadFile or Validate panic or fail with anything but an *Error, and
// that every file ReadFile accepts holds all its tensor data.
func FuzzReadFile(f *testing.F) {
	// One file rewritten in place: far faster than os.WriteFile, which frees and reallocates the blocks.
	input, err := os.Create(filepath.Join(f.TempDir(), "input.gguf"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { input.Close() })
	path := input.Name()
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := input.WriteAt(data, 0); err != nil {
			t.Fatal(err)
		}
		if err := input.Truncate(int64(len(data))); err != nil {
			t.Fatal(err)
		}
		file, err := ReadFile(path)
		if err != nil {
			assertModelError(t, err)
			return
		}
		for _, tensor := range file.Tensors {
			if end := file.DataOffset + tensor.Offset + tensor.Size; end > file.Size {
				t.Fatalf("tensor %q ends at %d, past the end of the %d-byte file", tensor.Name, end, file.Size)
			}
		}
		if _, err := Validate(file); err != nil {
			assertModelError(t, err)
		}
	})
}

func assertModelError(t *testing.T, err error) {
	t.Helper()
	var modelErr *Error
	if !errors.As(err, &modelErr) {
		t.Fatalf("got a %T, want an *Error: %v", err, err)
	}
}

// fuzzSeeds are the seed corpus: a small valid gemma3 model and some ways to break one.
func fuzzSeeds(t *testing.T) map[string][]byte {
	metadata, tensors := testModel(t, Q4_0)
	valid := encodeZeros(t, metadata, tensors)
	return map[string][]byte{
		"valid":           valid,
		"bad-magic":       patched(valid, 0, []byte("GGUG")),
		"truncated":       valid[:len(valid)/2],
		"absurd-kv-count": patched(valid, 16, le64(1<<40)),
		"nested-arrays":   encodeZeros(t, Metadata{{"k", nested(3)}}, nil),
		"no-architecture": encodeZeros(t, withKV(metadata, architectureKey, nil), tensors),
	}
}

// TestFuzzSeedCorpus checks the committed seeds still mean what their names say; -update rewrites them.
func TestFuzzSeedCorpus(t *testing.T) {
	for name, data := range fuzzSeeds(t) {
		path := filepath.Join(fuzzCorpusDir, name)
		if *updateSeeds {
			writeFile(t, path, []byte(fmt.Sprintf("%s[]byte(%q)\n", fuzzCorpusHeader, data)))
		}
		f, err := ReadFile(writeTemp(t, readSeed(t, path)))
		if err == nil {
			_, err = Validate(f)
		}
		if valid := name == "valid"; valid != (err == nil) {
			t.Errorf("seed %s: got error %v", name, err)
		}
	}
}

func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestFuzzSeedCorpus -update to write the seeds)", err)
	}
	literal, ok := strings.CutPrefix(strings.TrimSpace(string(text)), fuzzCorpusHeader+"[]byte(")
	data, err := strconv.Unquote(strings.TrimSuffix(literal, ")"))
	if !ok || err != nil {
		t.Fatalf("%s is not a fuzz corpus file of one []byte", path)
	}
	return []byte(data)
}
