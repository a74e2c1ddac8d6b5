package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table is a header and rows of cells, written as a Markdown table or as aligned text.
type Table struct {
	Header []string
	Rows   [][]string
	right  map[int]bool // columns right-aligned in Markdown
}

// NewTable starts a table with the given column names.
func NewTable(header ...string) *Table { return &Table{Header: header} }

// AlignRight right-aligns the given columns (0-based) of the Markdown table, as numbers are set.
func (t *Table) AlignRight(columns ...int) *Table {
	if t.right == nil {
		t.right = map[int]bool{}
	}
	for _, c := range columns {
		t.right[c] = true
	}
	return t
}

// Add appends a row; a row shorter than the header leaves the last cells empty.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Addf appends a row whose cells are format's tab-separated fields.
func (t *Table) Addf(format string, args ...any) {
	t.Add(strings.Split(fmt.Sprintf(format, args...), "\t")...)
}

// WriteMarkdown writes the table as GitHub-flavoured Markdown followed by a blank line. Cells are escaped, so a
// "|" or a line break inside one cannot break the table.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	writeMarkdownRow(&b, t.Header)
	b.WriteString("|")
	for i := range t.Header {
		if t.right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		writeMarkdownRow(&b, t.fit(row))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownRow(b *strings.Builder, cells []string) {
	escaped := make([]string, len(cells))
	for i, c := range cells {
		escaped[i] = EscapeCell(c)
	}
	b.WriteString("| " + strings.Join(escaped, " | ") + " |\n")
}

// EscapeCell makes text safe inside a Markdown table cell.
func EscapeCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// WriteText writes the table as columns aligned with spaces, the header in capitals.
func (t *Table) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(t.Header, "\t")))
	for _, row := range t.Rows {
		fmt.Fprintln(tw, strings.Join(t.fit(row), "\t"))
	}
	return tw.Flush()
}

// Write writes Markdown or aligned text.
func (t *Table) Write(w io.Writer, markdown bool) error {
	if markdown {
		return t.WriteMarkdown(w)
	}
	return t.WriteText(w)
}

func (t *Table) fit(row []string) []string {
	if len(row) >= len(t.Header) {
		return row
	}
	return append(append([]string(nil), row...), make([]string, len(t.Header)-len(row))...)
}
