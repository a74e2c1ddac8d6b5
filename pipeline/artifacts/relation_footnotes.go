package artifacts

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A written table marks some rows with a footnote: "Pi CM5 (RTX 4090<sup>1</sup>)", and under the table
// "<sup>1</sup> These GPUs were tested using llama.cpp with Vulkan support." The mark tells the rows apart as a
// setting would, so a marked column gets a dimension beside it whose level is the footnote's text ("none"
// where a row has no mark). A comparison whose two sides differ in it is confounded with what it says.

// superscriptDigits are the marks a footnote may be written with instead of <sup>1</sup>.
const superscriptDigits = "¹²³⁴⁵⁶⁷⁸⁹⁰"

var (
	// footnoteMark matches a footnote mark in a cell: <sup>1</sup>, [^1], or superscript digits.
	footnoteMark = regexp.MustCompile(`<sup>\s*([^<\s]{1,4})\s*</sup>|\[\^([^\]\s]{1,8})\]|([¹²³⁴⁵⁶⁷⁸⁹⁰]+)`)
	// footnoteDefinition matches a line that says what a mark stands for: "<sup>1</sup> text", "[^1]: text",
	// "¹ text".
	footnoteDefinition = regexp.MustCompile(`^(?:<sup>\s*([^<\s]{1,4})\s*</sup>|\[\^([^\]\s]{1,8})\]:|([¹²³⁴⁵⁶⁷⁸⁹⁰]+))\s*(\S.*)$`)
)

// footnoteDefinitions collects what a document's footnote marks stand for, by mark, outside code fences.
func footnoteDefinitions(lines []string, fenced []bool) map[string]string {
	notes := map[string]string{}
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if !startsFootnote(line) || fenced[i] {
			continue // most lines: the regexp would find no definition there either
		}
		if m := footnoteDefinition.FindStringSubmatch(line); m != nil {
			notes[m[1]+m[2]+m[3]] = plainCellText(m[4])
		}
	}
	return notes
}

// startsFootnote reports whether a line starts as a footnote's definition does: with <sup>, [^ or a
// superscript digit.
func startsFootnote(line string) bool {
	first, _ := utf8.DecodeRuneInString(line)
	return strings.HasPrefix(line, "<sup>") || strings.HasPrefix(line, "[^") || strings.ContainsRune(superscriptDigits, first)
}

// markOf is the first footnote mark in a cell, "" when it has none. Most cells hold none of a mark's
// characters, and a table's every dimension cell is asked: they are let go before the regexp runs.
func markOf(raw string) string {
	if !strings.Contains(raw, "<sup") && !strings.Contains(raw, "[^") && !strings.ContainsAny(raw, superscriptDigits) {
		return ""
	}
	if m := footnoteMark.FindStringSubmatch(raw); m != nil {
		return m[1] + m[2] + m[3]
	}
	return ""
}

// addFootnoteDims adds, after each dimension column whose rows are marked in part, a dimension of the marks:
// their footnotes' text where the document defines them, else the mark.
func (rel *relation) addFootnoteDims(t *table, kinds []columnKind) {
	for col, name := range t.columns {
		if kinds[col] != kindDimension {
			continue
		}
		note := &dimension{name: name + " note", levels: make([]string, len(t.records))}
		marked := 0
		for row, r := range t.records {
			note.levels[row] = "none"
			if mark := markOf(r.cells[col]); mark != "" {
				note.levels[row] = noteText(t.notes, mark)
				marked++
			}
		}
		if marked == 0 || marked == len(t.records) {
			continue // a mark on every row or none tells no rows apart
		}
		note.values = nanRow(len(note.levels))
		rel.dims = append(rel.dims, note)
	}
}

func noteText(notes map[string]string, mark string) string {
	if text, ok := notes[mark]; ok {
		return text
	}
	return "note " + mark
}
