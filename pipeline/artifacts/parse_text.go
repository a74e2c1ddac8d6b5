package artifacts

import "strings"

// parseText describes plain text by its size only: free-form prose carries no reliable structure.
func parseText(text string) FileFacts {
	var f FileFacts
	f.Lines, f.Words = countLinesAndWords(text)
	return f
}

// countLinesAndWords counts lines (a last line without a newline counts) and whitespace-separated words.
func countLinesAndWords(text string) (lines, words int) {
	lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	return lines, len(strings.Fields(text))
}
