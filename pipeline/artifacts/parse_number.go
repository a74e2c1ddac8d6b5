package artifacts

import (
	"math"
	"strconv"
	"strings"
)

// maxMeasurement bounds the values kept as numbers. No benchmark quantity comes near it, and with every input
// below it sums and squares of millions of values stay finite, so no statistic turns into ±Inf.
const maxMeasurement = 1e100

// numberUnits are the suffixes a number may carry in a table cell. They are accepted, not converted.
var numberUnits = map[string]bool{
	"": true, "%": true, "x": true, "×": true,
	"ns": true, "us": true, "µs": true, "ms": true, "s": true, "sec": true, "secs": true, "seconds": true,
	"tok/s": true, "tokens/s": true, "tok/sec": true, "tokens/sec": true, "t/s": true, "tps": true,
	"b": true, "kb": true, "mb": true, "gb": true, "kib": true, "mib": true, "gib": true,
	"w": true, "mhz": true, "ghz": true,
}

// ParseNumber reads a measurement the way people write them in benchmark tables: "1,234.5", Indian digit
// grouping "22,80,000", "85%", "12 ms", "77.5 tok/s", markdown emphasis "**102.3**", and a mean with its spread
// "1500.50 ± 3.00" (llama-bench's markdown), read as the mean. Empty cells, "NaN", "null" and anything else that
// is not a number give ok = false.
func ParseNumber(s string) (v float64, ok bool) {
	if mean, spread, found := strings.Cut(s, "±"); found {
		if _, ok := ParseNumber(spread); !ok {
			return 0, false
		}
		s = mean
	}
	digits, unit := splitUnit(strings.Trim(s, " \t*`"))
	if digits == "" || !numberUnits[strings.ToLower(strings.TrimSpace(unit))] {
		return 0, false
	}
	digits, ok = withoutGrouping(digits)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil || !isMeasurement(v) {
		return 0, false
	}
	return v, true
}

// isMeasurement reports whether v is kept as a number (see maxMeasurement).
func isMeasurement(v float64) bool { return math.Abs(v) <= maxMeasurement }

// splitUnit cuts s after its leading number: sign, digits, grouping commas, a decimal point and an exponent.
func splitUnit(s string) (number, unit string) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && (isDigit(s[i]) || s[i] == ',' || s[i] == '.') {
		i++
	}
	if i == start {
		return "", s
	}
	if exponent := exponentLength(s[i:]); exponent > 0 {
		i += exponent
	}
	return s[:i], s[i:]
}

// exponentLength is the length of the "e-5" style exponent at the start of s, 0 when there is none.
func exponentLength(s string) int {
	if len(s) < 2 || (s[0] != 'e' && s[0] != 'E') {
		return 0
	}
	i := 1
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// withoutGrouping removes thousands separators from the integer part of a number, accepting Western
// (1,234,567) and Indian (12,34,567) grouping and rejecting anything else, such as a decimal comma ("1,5").
func withoutGrouping(number string) (string, bool) {
	if !strings.Contains(number, ",") {
		return number, true
	}
	sign, rest := "", number
	if rest[0] == '+' || rest[0] == '-' {
		sign, rest = rest[:1], rest[1:]
	}
	integer, fraction, _ := strings.Cut(rest, ".")
	if strings.Contains(fraction, ",") || !validGrouping(strings.Split(integer, ",")) {
		return "", false
	}
	return sign + strings.ReplaceAll(rest, ",", ""), true
}

// validGrouping checks comma-separated digit groups: the last has three digits; the others three (Western)
// or two (Indian) digits, except the first, which may be shorter.
func validGrouping(groups []string) bool {
	last := len(groups) - 1
	if len(groups[last]) != 3 {
		return false
	}
	middle := groups[1:last]
	for _, width := range []int{3, 2} {
		if len(groups[0]) >= 1 && len(groups[0]) <= width && allWidth(middle, width) {
			return true
		}
	}
	return false
}

func allWidth(groups []string, width int) bool {
	for _, g := range groups {
		if len(g) != width {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
