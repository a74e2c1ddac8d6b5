package main

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"chimera/bench/benchdoc"
	"chimera/pipeline/artifacts"
)

func writeTestTree(tb testing.TB) (string, *benchdoc.TreeManifest) {
	tb.Helper()
	dir := tb.TempDir()
	m, err := writeTree(dir, treeFiles)
	if err != nil {
		tb.Fatal(err)
	}
	return dir, m
}

// hashTree hashes every file's path and content, in walk order.
func hashTree(t *testing.T, dir string) [32]byte {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// The benchmark's figures compare across runs only if every run reads the same tree; and chimera facts pays for
// every file: none is skipped as a duplicate or as something it cannot read, every table has records, and the
// failed requests and the out-of-memory runs are seen as failures.
func TestTree(t *testing.T) {
	a, ma := writeTestTree(t)
	t.Run("the same every time", func(t *testing.T) {
		b, mb := writeTestTree(t)
		if !reflect.DeepEqual(ma, mb) {
			t.Errorf("manifests differ:\n%+v\n%+v", ma, mb)
		}
		if hashTree(t, a) != hashTree(t, b) {
			t.Error("two trees differ")
		}
		if ma.Files != treeFiles || ma.OOMCells == 0 || ma.FailedRequests == 0 || ma.CellsByRuns[1] == 0 || ma.CellsByRuns[3] == 0 {
			t.Errorf("the tree lacks something the benchmark page promises: %+v", ma)
		}
		if _, err := writeTree(a, treeFiles); err == nil {
			t.Error("a tree was written over another")
		}
		if _, err := plan(10); err == nil {
			t.Error("a 10-file tree was planned")
		}
	})
	t.Run("every file an artifact", func(t *testing.T) {
		inv, err := artifacts.Ingest([]string{a}, artifacts.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Files) != treeFiles || len(inv.Skipped) != 0 {
			t.Errorf("%d files parsed, %d skipped (first: %+v), want %d and none", len(inv.Files), len(inv.Skipped),
				append(inv.Skipped, artifacts.SkippedFile{})[0], treeFiles)
		}
		failing := map[string]int{}
		for _, f := range inv.Files {
			if f.Failures > 0 {
				failing[filepath.Base(f.Path)]++
			}
			if ext := filepath.Ext(f.Path); f.Rows == 0 && (ext == ".csv" || ext == ".jsonl" || ext == ".md") {
				t.Errorf("%s: no records read", f.Path)
			}
		}
		for _, name := range []string{"metrics.csv", "requests.jsonl", "llama-bench.log"} {
			if failing[name] == 0 {
				t.Errorf("no %s with a failed record (files with failures: %v)", name, failing)
			}
		}
	})
}

// BenchmarkFacts is `chimera facts` on the tree without the process around it: Ingest, then BuildFacts. With
// -cpuprofile it shows where the time goes (docs/benchmarks/facts.md).
//
//	go test -run '^$' -bench Facts -benchtime 3x -cpuprofile /tmp/facts.prof ./bench/factstree
func BenchmarkFacts(b *testing.B) {
	dir, _ := writeTestTree(b)
	var inv *artifacts.Inventory
	b.Run("ingest", func(b *testing.B) {
		for b.Loop() {
			var err error
			if inv, err = artifacts.Ingest([]string{dir}, artifacts.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			artifacts.BuildFacts(inv)
		}
	})
}
