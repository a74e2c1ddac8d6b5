// Package benchdoc writes the generated part of a benchmark page: the block between two markers, replaced on
// every run while the hand-written analysis around it is kept; and it reads what the benchmark scripts leave
// (JSON, /usr/bin/time -v reports) and summarises samples as the pages print them. Pure Go, shared by bench/report
// and bench/peer.
package benchdoc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"chimera/pipeline/render"
)

// Block is a page's generated block: its markers, and the page's title for a page that does not exist yet.
type Block struct {
	Begin, End, Title string
}

// Write replaces the block in the page at path with text, or creates the page around it.
func (b Block) Write(path, text string) error {
	block := b.Begin + "\n" + text + b.End + "\n"
	old, err := os.ReadFile(path)
	var doc string
	switch {
	case errors.Is(err, os.ErrNotExist):
		doc = "# " + b.Title + "\n\n" + block
	case err != nil:
		return err
	default:
		s := string(old)
		i, j := strings.Index(s, b.Begin), strings.Index(s, b.End)
		if i < 0 || j < i {
			return fmt.Errorf("%s has no %q … %q block to replace", path, b.Begin, b.End)
		}
		doc = s[:i] + block + strings.TrimPrefix(s[j+len(b.End):], "\n")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return render.WriteFileAtomic(path, []byte(doc))
}

// WriteTable writes t as Markdown, with the blank line after it.
func WriteTable(b *strings.Builder, t *render.Table) {
	_ = t.WriteMarkdown(b) // writing to a strings.Builder cannot fail
}

// AlignNumbers right-aligns every column but the first, which names the row.
func AlignNumbers(t *render.Table) *render.Table {
	for c := 1; c < len(t.Header); c++ {
		t.AlignRight(c)
	}
	return t
}
