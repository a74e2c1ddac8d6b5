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
	plain := stripANSI(text)
	f, err := parseMarkdown(plain)
	f.Headings = nil
	for _, t := range f.tables {
		t.caption, t.section = "", ""
	}
	if err == nil && len(f.tables) == 0 {
		if line := runFailureLine(plain); line != "" {
			f = describeTables([]*table{failedRunTable(line)})
			f.Lines, f.Words = countLinesAndWords(text)
		}
	}
	return f, err
}

// runFailure matches the line a runner prints when a benchmark dies: "… failed (exit 137)", "Killed",
// "exit status 1", "CUDA error: out of memory".
var runFailure = regexp.MustCompile(`(?i)\b(?:failed|killed|aborted|crashed|terminated)\b.*\bexit(?: code| status)?\W*\d+|^killed$|\bexit (?:code|status)\W*[1-9]\d*|out of memory|\boom\b`)

// runFailureLine is the first line of a log without results that says the run died, "" when none does.
func runFailureLine(text string) string {
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); runFailure.MatchString(line) {
			return line
		}
	}
	return ""
}

// failedRunTable is the one failed record of a log that has no results but says why: a configuration that
// did not run is a finding of the sweep it belongs to.
func failedRunTable(line string) *table {
	t := &table{name: "table1", columns: []string{"error"}}
	t.addRow([]string{line})
	return t
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
	for range strings.FieldsSeq(text) {
		words++
	}
	return lines, words
}
