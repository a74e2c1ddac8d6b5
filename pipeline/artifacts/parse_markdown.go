package artifacts

import (
	"fmt"
	"regexp"
	"strings"
)

// parseMarkdown collects ATX headings and pipe tables outside code fences (see fencedLines). Tables are named table1, table2, …
// in order, so their numeric columns appear in Fields as "table2.Tokens/s".
func parseMarkdown(text string) (FileFacts, error) {
	lines := strings.Split(text, "\n")
	var headings []string
	var section headingPath
	var tables []*table
	budget := newOutputBudget(text)
	fenced := fencedLines(lines)
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case fenced[i]:
		case isHeading(line):
			headings = append(headings, headingText(line))
			section.enter(line)
		case i+1 < len(lines) && strings.Contains(line, "|") && isDelimiterRow(lines[i+1]):
			t, used := readPipeTable(lines[i:], fmt.Sprintf("table%d", len(tables)+1), budget)
			t.caption, t.section = captionAbove(lines[:i], fenced), section.String()
			tables = append(tables, t)
			i += used - 1
		}
	}
	notes := footnoteDefinitions(lines, fenced)
	for _, t := range tables {
		t.notes = notes
	}
	tables = appendLogRecords(tables, lines, fenced, budget)
	if budget.exhausted() {
		return FileFacts{}, errTooLarge
	}
	f := describeTables(tables)
	f.Headings = headings
	f.Lines, f.Words = countLinesAndWords(text)
	return f, nil
}

// headingPath is the chain of headings a line sits under: "Output tok/s › Lane (input=1024, output=128)".
type headingPath []struct {
	level int
	text  string
}

// enter moves the path to a heading line: it closes the headings of its level and deeper, then opens it.
func (h *headingPath) enter(line string) {
	level := len(line) - len(strings.TrimLeft(line, "#"))
	for len(*h) > 0 && (*h)[len(*h)-1].level >= level {
		*h = (*h)[:len(*h)-1]
	}
	*h = append(*h, struct {
		level int
		text  string
	}{level, headingText(line)})
}

func (h headingPath) String() string {
	texts := make([]string, len(h))
	for i, heading := range h {
		texts[i] = heading.text
	}
	return strings.Join(texts, " › ")
}

// listItemLine matches the start of a Markdown list item: "- ", "* ", "+ ", "1. ".
var listItemLine = regexp.MustCompile(`^(?:[-*+]|\d+[.)])\s`)

// captionAbove is the nearest line of text above a table, within a few blank lines: a sentence or heading
// that often names what the table measures and in which unit ("Decode speed in tokens/s").
func captionAbove(lines []string, fenced []bool) string {
	for i, blank := len(lines)-1, 0; i >= 0 && blank <= 2; i-- {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			blank++
		case fenced[i] || strings.HasPrefix(line, "|") || listItemLine.MatchString(line):
			return "" // a list's last item above a table is no caption of it
		default:
			return strings.TrimSpace(strings.TrimLeft(line, "#>*_ "))
		}
	}
	return ""
}

// fencedLines marks the lines of code fences, the fence lines included. A fence closes at the next line of
// nothing but at least as many of its characters; one that nothing closes fences nothing, for a report an LLM
// wrote often leaves a fence open, and reading it to the end would hide every table and heading after it.
func fencedLines(lines []string) []bool {
	markers := make([]string, len(lines))
	for i, line := range lines {
		markers[i] = fenceMarker(strings.TrimSpace(line))
	}
	longest := longestClosersAfter(lines, markers)
	fenced := make([]bool, len(lines))
	open := ""
	for i, m := range markers {
		switch {
		case open != "":
			fenced[i] = true
			if m != "" && m[0] == open[0] && len(m) >= len(open) && isBareFence(lines[i]) {
				open = ""
			}
		case m != "" && longest[i][fenceIndex(m)] >= len(m):
			fenced[i], open = true, m
		}
	}
	return fenced
}

// longestClosersAfter gives, for each line, the length of the longest bare fence of backticks and of tildes
// below it: a fence opened on that line is closed somewhere only if one is at least as long.
func longestClosersAfter(lines, markers []string) [][2]int {
	longest := make([][2]int, len(lines))
	var below [2]int
	for i := len(lines) - 1; i >= 0; i-- {
		longest[i] = below
		if m := markers[i]; m != "" && isBareFence(lines[i]) {
			below[fenceIndex(m)] = max(below[fenceIndex(m)], len(m))
		}
	}
	return longest
}

// fenceMarker is the run of three or more backticks or tildes a line starts with, "" when it starts otherwise.
func fenceMarker(line string) string {
	if line == "" || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := len(line) - len(strings.TrimLeft(line, line[:1]))
	if n < 3 {
		return ""
	}
	return line[:n]
}

func fenceIndex(marker string) int {
	if marker[0] == '~' {
		return 1
	}
	return 0
}

// isBareFence reports whether a fence line has nothing after its marker, as a closing fence must.
func isBareFence(line string) bool {
	line = strings.TrimSpace(line)
	return strings.Trim(line, line[:1]) == ""
}

// isHeading recognises "# Title" to "###### Title": one to six hashes, then a space or the end of the line.
func isHeading(line string) bool {
	hashes := len(line) - len(strings.TrimLeft(line, "#"))
	return hashes >= 1 && hashes <= 6 && (len(line) == hashes || line[hashes] == ' ' || line[hashes] == '\t')
}

// headingText drops the opening hashes and an optional closing sequence of hashes.
func headingText(line string) string {
	text := strings.TrimSpace(strings.TrimLeft(line, "#"))
	if closed := strings.TrimRight(text, "#"); closed == "" || strings.HasSuffix(closed, " ") {
		text = strings.TrimSpace(closed)
	}
	return text
}

// isDelimiterRow recognises the row under a table header: cells of dashes with optional alignment colons.
func isDelimiterRow(line string) bool {
	line = strings.TrimSpace(line)
	if !strings.Contains(line, "|") || !strings.Contains(line, "-") {
		return false
	}
	for _, cell := range splitPipeRow(line) {
		if strings.Trim(cell, ":-") != "" || !strings.Contains(cell, "-") {
			return false
		}
	}
	return true
}

// readPipeTable reads a header, its delimiter row and the rows below, up to the first line without a pipe or
// the end of the budget. Exports that lost their line breaks put prose before the header and after the last
// row on the same line: the delimiter row gives the true width, extra header cells on the left and extra row
// cells on the right are dropped. It returns the table and the number of lines it used.
func readPipeTable(lines []string, name string, budget *outputBudget) (*table, int) {
	header := splitPipeRow(lines[0])
	width := len(splitPipeRow(lines[1]))
	if len(header) > width {
		header = header[len(header)-width:]
	}
	t := &table{name: name, columns: columnNames(fitWidth(header, width))}
	used := 2
	for ; used < len(lines) && strings.Contains(lines[used], "|") && budget.spendRow(width); used++ {
		t.addRow(splitPipeRow(lines[used]))
	}
	return t, used
}

// splitPipeRow splits a table row on unescaped pipes, without the optional outer pipes; "\|" becomes "|".
// Cells are trimmed of spaces and of emphasis and code marks: "**q4_0**" and "`mlp`" are q4_0 and mlp.
func splitPipeRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var cells []string
	var cell strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cell.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, cleanCell(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(line[i])
		}
	}
	return append(cells, cleanCell(cell.String()))
}

func cleanCell(cell string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(cell), "*`"))
}
