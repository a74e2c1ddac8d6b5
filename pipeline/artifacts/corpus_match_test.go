package artifacts_test

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The matching rule of the third-party answer key (see corpus_test.go): a conclusion is found by one fact
// whose text matches every word group and prints enough of its keys at the printed precision.

const (
	unitNone    = ""
	unitPercent = "%"
	unitTimes   = "×"
)

// answerKey is a number as the answer key prints it: "75.0%", "1.97×", "0.388", "12596".
type answerKey struct {
	text     string
	value    *big.Rat // unsigned
	decimals int
	unit     string
}

var answerKeyPattern = regexp.MustCompile(`^(\d+(?:\.(\d+))?)(%|×)?$`)

func parseAnswerKey(text string) (answerKey, error) {
	m := answerKeyPattern.FindStringSubmatch(text)
	if m == nil {
		return answerKey{}, fmt.Errorf("key %q is not a number with an optional %% or ×", text)
	}
	value, _ := new(big.Rat).SetString(m[1])
	return answerKey{text: text, value: value, decimals: len(m[2]), unit: m[3]}, nil
}

// printedNumber is a quantity as a fact's text prints it, without sign or thousands separators.
type printedNumber struct {
	value    *big.Rat
	decimals int
	unit     string
}

// matchedBy reports whether n prints k: at least k's decimals, rounding to k at k's decimals, the same unit.
func (k answerKey) matchedBy(n printedNumber) bool {
	if n.unit != k.unit || n.decimals < k.decimals {
		return false
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k.decimals)), nil))
	half := big.NewRat(1, 2)
	diff := new(big.Rat).Sub(new(big.Rat).Mul(n.value, scale), new(big.Rat).Mul(k.value, scale))
	// Half up: k.value*scale is an integer, and n rounds to it when the difference lies in [-1/2, 1/2).
	return diff.Cmp(new(big.Rat).Neg(half)) >= 0 && diff.Cmp(half) < 0
}

var (
	candidateNumber = regexp.MustCompile(`[-−+]?\d+(?:,\d{3})*(?:\.\d+)?`)
	// Dates and clock times are masked before numbers are read, so "2026-08-20" yields no 8 or 20.
	dateOrTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?|\b\d{1,2}:\d{2}(?::\d{2})?\b`)
)

// unitSuffixes may follow a number without a space and leave it a plain number ("46.2ms"); any other letters
// make it part of a name ("20b", "q4").
var unitSuffixes = map[string]bool{
	"s": true, "ms": true, "us": true, "µs": true, "ns": true, "w": true, "kw": true,
	"mb": true, "mib": true, "gb": true, "gib": true, "kb": true, "kib": true, "t": true, "tok": true,
}

// printedNumbers reads every standalone quantity in text, skipping digits inside names, dates and longer
// numbers.
func printedNumbers(text string) []printedNumber {
	text = dateOrTime.ReplaceAllString(text, " ")
	var numbers []printedNumber
	for _, loc := range candidateNumber.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		digits := strings.TrimLeft(text[start:end], "-−+")
		if !standsAlone(text[:start], text[start:end] != digits) {
			continue
		}
		unit, ok := unitAfter(text[end:])
		if !ok {
			continue
		}
		numbers = append(numbers, newPrintedNumber(digits, unit))
	}
	return numbers
}

func newPrintedNumber(digits, unit string) printedNumber {
	digits = strings.ReplaceAll(digits, ",", "")
	value, _ := new(big.Rat).SetString(digits)
	decimals := 0
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		decimals = len(digits) - i - 1
	}
	return printedNumber{value: value, decimals: decimals, unit: unit}
}

// standsAlone reports whether a number preceded by before starts a quantity. A sign glued to a letter is a
// hyphen inside a name ("gpt-oss-20b"); glued to a digit it is a range ("13-119"), which is fine.
func standsAlone(before string, signed bool) bool {
	if before == "" {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(before)
	if signed {
		return !isNameRune(prev) || unicode.IsDigit(prev)
	}
	return !isNameRune(prev) && prev != '.'
}

func isNameRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// unitAfter says which unit follows a number, and false when what follows makes it part of something longer:
// a version ("0.6.6"), a name ("8b", "q4_k_m") or an unknown glued word.
func unitAfter(after string) (string, bool) {
	if startsWithDigit(after) || strings.HasPrefix(after, "_") || strings.HasPrefix(after, ".") && startsWithDigit(after[1:]) {
		return "", false
	}
	spaced := strings.TrimLeft(after, " \u00a0\u2009\u202f")
	word := leadingLetters(spaced)
	switch {
	case strings.HasPrefix(spaced, "%"):
		return unitPercent, true
	case strings.HasPrefix(spaced, "×"), strings.ToLower(word) == "x":
		return unitTimes, true
	}
	glued := leadingLetters(after)
	return unitNone, glued == "" || unitSuffixes[strings.ToLower(glued)]
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func leadingLetters(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		return s
	}
	return s[:end]
}

// keysPrinted counts the keys that some number in text prints.
func keysPrinted(text string, keys []answerKey) int {
	numbers := printedNumbers(text)
	found := 0
	for _, k := range keys {
		for _, n := range numbers {
			if k.matchedBy(n) {
				found++
				break
			}
		}
	}
	return found
}

// keysNeeded is how many keys a matching fact must print: two, or all of them when there are fewer.
func keysNeeded(keys []answerKey) int { return min(2, len(keys)) }

func TestCorpusNumberMatcher(t *testing.T) {
	cases := []struct {
		key, text string
		want      bool
	}{
		{"75.0%", "pp fell 75.0% from d0", true},
		{"75.0%", "pp fell −75.0 % from d0", true},
		{"75.0%", "pp fell -75.04% from d0", true},
		{"75.0%", "pp fell 74.96 % from d0", true},
		{"75.0%", "pp fell 75% from d0", false},    // fewer decimals than the key
		{"75.0%", "pp fell 75.06% from d0", false}, // rounds to 75.1
		{"75.0%", "pp fell 75.0 from d0", false},   // no %
		{"75.0%", "pp fell 175.0% from d0", false}, // inside a longer number
		{"75.1%", "pp fell 75.05% from d0", true},  // half rounds up
		{"1.97×", "1.97× plain radv", true},
		{"1.97×", "1.97 × plain radv", true},
		{"1.97×", "1.97x plain radv", true},
		{"1.97×", "1.97 x plain radv", true},
		{"1.97×", "1.97 plain radv", false},
		{"1.97×", "1.97xyz", false},
		{"0.388", "TTFT p50 0.388 s", true},
		{"0.388", "TTFT p50 0.388s", true},
		{"0.388", "TTFT p50 0.3877 s", true},
		{"0.388", "TTFT p50 0.388%", false}, // a plain key wants a plain number
		{"0.388", "TTFT p50 10.388 s", false},
		{"12596", "prefill 12,596 t/s", true},
		{"12596", "prefill 12596.4 t/s", true},
		{"12596", "prefill 12,5961 t/s", false},
		{"4", "model q4_k_m", false},
		{"20", "model gpt-oss-20b", false},
		{"20", "run of 2026-08-20", false},
		{"8", "deepseek-r1:8b", false},
		{"6", "ollama 0.6.6", false},
		{"119", "N = 13-119 tokens", true},
		{"13", "N = 13-119 tokens", true},
		{"32%", "leads by 31.6 %", true},
		{"46.2", "ITL 46.2ms", true},
		{"14", "deepseek-r1 14b", false},
	}
	for _, c := range cases {
		key, err := parseAnswerKey(c.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := keysPrinted(c.text, []answerKey{key}) == 1; got != c.want {
			t.Errorf("key %s in %q: matched %v, want %v", c.key, c.text, got, c.want)
		}
	}
}

func TestCorpusConclusionNeedsEveryWordGroupAndTwoKeys(t *testing.T) {
	var c conclusion
	if err := c.setKeysAndWords("75.0%, 11.4%, 62.6%", "pp|prefill, tg|decod"); err != nil {
		t.Fatal(err)
	}
	var single conclusion
	if err := single.setKeysAndWords("49", "error"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		c    conclusion
		text string
		want bool
	}{
		{c, "Prefill fell 75.0 % with depth, decode only 11.4 %", true},
		{c, "Prefill fell 75.0 % with depth, decode fell more", false}, // one key of three
		{c, "Prefill fell 75.0 % and 62.6 % with depth", false},        // no tg|decod
		{single, "49 requests ended in an error", true},
		{single, "50 requests ended in an error", false},
	}
	for _, tc := range cases {
		if got := tc.c.foundIn(tc.text); got != tc.want {
			t.Errorf("%q: found %v, want %v", tc.text, got, tc.want)
		}
	}
}
