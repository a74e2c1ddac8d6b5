package artifacts

import (
	"strconv"
	"strings"
)

// Console output prints objects on one line: a benchmark script's device state as Python prints a dict
// ({'name': 'NVIDIA GeForce RTX 3060', 'gpu_memory_used': '10809.0 MB', …}), a JSON event. Each is a record;
// a log's objects are a table of their own beside its "key: value" records.

// inlineObjectsTable lines up the objects the lines hold, flattened as a JSON file's records are; nil when they
// hold none.
func inlineObjectsTable(name string, lines []string, fenced []bool, budget *outputBudget) *table {
	c := newJSONCollector(budget)
	var records [][]leaf
	for i, line := range lines {
		if obj, ok := inlineObject(strings.TrimSpace(line)); ok && !fenced[i] {
			records = append(records, c.flattenRecord(obj))
		}
	}
	if len(records) == 0 {
		return nil
	}
	return recordsTable(name, records, budget)
}

// inlineObject reads a line that holds one object with at least one member, in JSON or as Python prints a
// dict; false for any other line.
func inlineObject(line string) (map[string]any, bool) {
	if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
		return nil, false
	}
	v, err := unmarshalShallow(pythonLiteralAsJSON(line))
	obj, isObject := v.(map[string]any)
	return obj, err == nil && isObject && len(obj) > 0
}

// pythonLiteralAsJSON rewrites what Python's repr writes differently from JSON: single-quoted strings, and
// True, False and None. JSON passes through unchanged.
func pythonLiteralAsJSON(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			end := closingQuote(s, i)
			text := s[i : end+1]
			if c == '\'' {
				text = strconv.Quote(strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s[i+1 : end]))
			}
			b.WriteString(text)
			i = end + 1
		case isLetter(c):
			end := i
			for end < len(s) && isLetter(s[end]) {
				end++
			}
			word := s[i:end]
			if name, ok := pythonConstants[word]; ok {
				word = name
			}
			b.WriteString(word)
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

var pythonConstants = map[string]string{"True": "true", "False": "false", "None": "null"}

// closingQuote is the index of the quote that closes the string opened at start, past escaped ones; the last
// index when the string is not closed.
func closingQuote(s string, start int) int {
	for i := start + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case s[start]:
			return i
		}
	}
	return len(s) - 1
}
