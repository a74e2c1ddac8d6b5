package artifacts

import (
	"regexp"
	"strings"
)

// parseText reads plain text and saved console output as parseMarkdown reads markdown, once colours are taken
// out: llama-bench prints a pipe table, and Ollama and llama.cpp print "key: value" timings (see
// appendLogRecords). A line that starts with "#" in a log is a comment or a prompt, not a heading that tables
// sit under, and the line above a table is the tool's output (ggml's device line above llama-bench's table),
// not its caption.
func parseText(text string) (FileFacts, error) {
	f, err := parseMarkdown(stripANSI(text))
	f.Headings = nil
	for _, t := range f.tables {
		t.caption, t.section = "", ""
	}
	return f, err
}

// ansiEscape matches the escape sequences of terminal output: colours and cursor moves (CSI), titles and links
// (OSC, ended by BEL or ST), and the short escapes such as ESC 7 and ESC ( B.
var ansiEscape = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])`)

func stripANSI(text string) string {
	if !strings.Contains(text, "\x1b") {
		return text
	}
	return ansiEscape.ReplaceAllString(text, "")
}

// countLinesAndWords counts lines (a last line without a newline counts) and whitespace-separated words.
func countLinesAndWords(text string) (lines, words int) {
	lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	return lines, len(strings.Fields(text))
}
