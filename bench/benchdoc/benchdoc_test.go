package benchdoc

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteKeepsTheTextAroundTheBlock(t *testing.T) {
	b := Block{Begin: "<!-- begin -->", End: "<!-- end -->", Title: "Page"}
	path := filepath.Join(t.TempDir(), "docs", "page.md")
	if err := b.Write(path, "first\n"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "# Page\n\n<!-- begin -->\nfirst\n<!-- end -->\n" {
		t.Fatalf("a new page is %q", got)
	}
	if err := os.WriteFile(path, []byte("# Mine\n\nintro\n<!-- begin -->\nold\n<!-- end -->\n\nanalysis\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(path, "second\n"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "# Mine\n\nintro\n<!-- begin -->\nsecond\n<!-- end -->\n\nanalysis\n" {
		t.Errorf("the rewritten page is %q", got)
	}
	if err := os.WriteFile(path, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(path, "third\n"); err == nil || read(t, path) != "no markers\n" {
		t.Error("a page without the markers was overwritten")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
