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

// TreeManifest is what a tree bench/factstree writes holds: factstree -manifest writes it, and bench/report
// prints it on the benchmark page.
type TreeManifest struct {
	Files          int            `json:"files"`
	Bytes          int64          `json:"bytes"`
	ByExtension    map[string]int `json:"files_by_extension"`
	Models         []string       `json:"models"`
	Grid           string         `json:"grid"`
	Cells          int            `json:"cells"`
	CellsByRuns    map[int]int    `json:"cells_by_runs"` // runs → cells that ran that many times
	Runs           int            `json:"runs"`
	OOMCells       int            `json:"oom_cells"`
	OOMRuns        int            `json:"oom_runs"`
	Requests       int            `json:"requests"` // each a row of metrics.csv, a record of requests.jsonl and a block of ollama-verbose.log
	FailedRequests int            `json:"failed_requests"`
	RequestsPerRun [2]int         `json:"requests_per_run"` // fewest, most
	LargestFile    int64          `json:"largest_file_bytes"`
}
