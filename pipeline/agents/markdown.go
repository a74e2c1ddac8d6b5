package agents

import (
	"strings"
	"unicode"
)

// Reports put file names and computed text into Markdown. These helpers keep such text literal, whatever it holds.

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// codeSpan writes s as inline code that no backtick or line break in s can end early: the fence is longer than
// any run of backticks in s, and s is padded with spaces where Markdown would otherwise strip or join them.
func codeSpan(s string) string {
	s = lineBreaks.Replace(s)
	fence := strings.Repeat("`", longestBacktickRun(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

// codeBlock fences text as a code block that no line of it can close.
func codeBlock(text string) string {
	fence := strings.Repeat("`", max(3, longestBacktickRun(text)+1))
	return fence + "\n" + strings.TrimSuffix(text, "\n") + "\n" + fence + "\n"
}

func longestBacktickRun(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if r != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// markdownText keeps text literal in a list item or table cell: what would start code, emphasis, a link, HTML
// or a block is escaped, and line breaks become spaces. Table cells escape "|" themselves (render.EscapeCell).
func markdownText(text string) string {
	runes := []rune(lineBreaks.Replace(text))
	var b strings.Builder
	for i, r := range runes {
		if needsEscape(runes, i) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsEscape reports whether rune i of text would be read as Markdown syntax. An underscore inside a word
// (tokens_s) cannot start emphasis, and "<" before a space cannot start a tag, so those stay as they are.
func needsEscape(text []rune, i int) bool {
	switch text[i] {
	case '\\', '`', '*', '[', ']':
		return true
	case '_':
		return !(i > 0 && isWordRune(text[i-1]) && i+1 < len(text) && isWordRune(text[i+1]))
	case '<':
		return i+1 < len(text) && !unicode.IsSpace(text[i+1])
	case '#', '>', '-', '+':
		return i == 0
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
