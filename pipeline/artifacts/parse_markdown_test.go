package artifacts

import (
	"slices"
	"testing"

	"chimera/pipeline/stats"
)

func TestParseMarkdownHeadings(t *testing.T) {
	f := mustParseMarkdown(t, "# Title #\nText\n##Not a heading\n```\n# in a fence\n```\n  ### Indented\n#hashtag\n####### seven\n")
	if want := []string{"Title", "Indented"}; !slices.Equal(f.Headings, want) {
		t.Errorf("headings %q, want %q", f.Headings, want)
	}
	if f.Lines != 9 || f.Words != 18 {
		t.Errorf("lines %d words %d, want 9 and 18", f.Lines, f.Words)
	}
}

func TestParseMarkdownTable(t *testing.T) {
	f := mustParseMarkdown(t, "| Model | Tokens/s | Notes |\n|:--|--:|---|\n| **a** | 1,076.5 | x \\| y |\n| `b` | 46.5 tok/s |\n\nafter\n")
	if len(f.tables) != 1 {
		t.Fatalf("%d tables, want 1", len(f.tables))
	}
	tab := f.tables[0]
	if tab.name != "table1" || !slices.Equal(tab.columns, []string{"Model", "Tokens/s", "Notes"}) {
		t.Errorf("table %q columns %q", tab.name, tab.columns)
	}
	if got := [][]string{tab.records[0].cells, tab.records[1].cells}; !slices.Equal(got[0], []string{"a", "1,076.5", "x | y"}) ||
		!slices.Equal(got[1], []string{"b", "46.5 tok/s", ""}) {
		t.Errorf("cells %q", got)
	}
	assertSummary(t, f.Fields["table1.Tokens/s"], stats.Summarize([]float64{1076.5, 46.5}))
}

// Exports that lost line breaks put prose before a table's header and the next heading after its last row.
func TestParseMarkdownMangledTable(t *testing.T) {
	f := mustParseMarkdown(t, "- DType: float32 | Backend | Mean (ms) | Success |\n| --- | --- | --- |\n"+
		"| eager | 2.0 | yes |\n| jit | 1.0 | no | ## Next section\n")
	tab := f.tables[0]
	if !slices.Equal(tab.columns, []string{"Backend", "Mean (ms)", "Success"}) || len(tab.records) != 2 {
		t.Fatalf("columns %q, %d records", tab.columns, len(tab.records))
	}
	if f.Failures != 1 || tab.records[1].failure != "Success=no" {
		t.Errorf("failures %d, last record %+v", f.Failures, tab.records[1])
	}
}

func TestParseMarkdownIgnoresTablesInFences(t *testing.T) {
	f := mustParseMarkdown(t, "```\n| a | b |\n| - | - |\n| 1 | 2 |\n```\n")
	if len(f.tables) != 0 {
		t.Errorf("%d tables inside a code fence", len(f.tables))
	}
}

func mustParseMarkdown(t *testing.T, text string) FileFacts {
	t.Helper()
	f, err := parseMarkdown(text)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func FuzzParseMarkdown(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		if facts, err := parseMarkdown(text); err == nil {
			checkParsed(t, facts)
		}
	})
}

// An LLM-written report that leaves a fence open must not lose the tables and headings after it; a closed
// fence still hides its own, and a ~~~ line does not close a ``` fence.
func TestParseMarkdownSurvivesAnUnclosedFence(t *testing.T) {
	f := mustParseMarkdown(t, "# Report\n```python\nprint('x')\n```\n~~~\n| hidden | x |\n| - | - |\n| 1 | 2 |\n~~~\n"+
		"```text\nnever closed\n## Results\n| model | tokens_s |\n| --- | --- |\n| a | 50 |\n| b | 60 |\n```json\n")
	if want := []string{"Report", "Results"}; !slices.Equal(f.Headings, want) {
		t.Errorf("headings %q, want %q", f.Headings, want)
	}
	if len(f.tables) != 1 || !slices.Equal(f.tables[0].columns, []string{"model", "tokens_s"}) || len(f.tables[0].records) != 2 {
		t.Fatalf("tables %+v", f.tables)
	}
	assertSummary(t, f.Fields["table1.tokens_s"], stats.Summarize([]float64{50, 60}))
}

func TestParseMarkdownFenceClosedOnlyByItsOwnKind(t *testing.T) {
	f := mustParseMarkdown(t, "````\n~~~\n```\n| a | b |\n| - | - |\n| 1 | 2 |\n````\n| c | d |\n| - | - |\n| 3 | 4 |\n")
	if len(f.tables) != 1 || f.tables[0].columns[0] != "c" {
		t.Errorf("tables %+v, want only the one after the four-backtick fence", f.tables)
	}
}
