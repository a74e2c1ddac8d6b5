package artifacts

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestExampleArtifactsAreCopiedOncePerContent(t *testing.T) {
	cache := t.TempDir()
	files := fstest.MapFS{"runs.csv": {Data: []byte("tokens_s\n40\n")}, "sub/notes.md": {Data: []byte("# notes\n")}}
	dir, err := ExampleArtifacts(files, cache)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "sub", "notes.md")); err != nil || string(data) != "# notes\n" {
		t.Fatalf("copied notes.md: %q, %v", data, err)
	}
	again, err := ExampleArtifacts(files, cache)
	if err != nil || again != dir {
		t.Errorf("same files: %s, %v; want %s again", again, err, dir)
	}
	files["runs.csv"] = &fstest.MapFile{Data: []byte("tokens_s\n41\n")}
	changed, err := ExampleArtifacts(files, cache)
	if err != nil || changed == dir {
		t.Errorf("other content: %s, %v; want a directory other than %s", changed, err, dir)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(cache, "examples", ".staging-*")); len(leftovers) > 0 {
		t.Errorf("staging directories left behind: %v", leftovers)
	}
}
