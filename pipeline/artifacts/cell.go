package artifacts

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"chimera/pipeline/stats"
)

// cell is one table cell read as a measurement: a number with its unit and written precision, a mean with its
// spread ("12.3 ± 0.4"), raw repetitions ("65.5 / 65.4 / 65.6"), or a missing value with its reason. Out of
// memory is a finding, not a blank, so the reason is kept.
type cell struct {
	text     string        // as written, without emphasis marks and links
	unit     string        // the suffix after the number, lower case: "tok/s", "ms", "%"
	runs     []float64     // repetitions written in the cell, nil when it holds one value
	value    float64       // NaN when the cell holds no number
	sd       float64       // the spread after ±, NaN when none is written
	decimals int32         // digits after the decimal point as written
	sdPlaces int8          // the spread's digits after the decimal point as written
	sdOver   uint8         // how many runs the mean ± sd is over, as the text above its table states; 0 unknown
	missing  missingReason // why the cell holds no number, notMissing when it holds one
	link     bool          // the cell was a markdown link; text is the link's text
}

// missingReason is why a cell holds no number. A byte rather than a string: a long sweep holds millions of
// cells.
type missingReason uint8

// Reasons a cell holds no number.
const (
	notMissing missingReason = iota
	missingEmpty
	missingNotAvailable
	missingOutOfMemory
	missingKilled
	missingFailed
	missingSkipped
	missingText
	missingCold      // a time measured on a call that loaded the model first
	missingStatement // "86.4 → 53.8 (-38%)", "29.2 -> 38.1 (Max 38.1)": values compared, not one measured
	missingZeroTime  // a time to a token of 0, which no token takes (see excludeZeroTokenTimes)
	missingOutlier   // a repetition far from the others of its configuration (see excludeOutliers)
)

var missingReasonNames = [...]string{"", "empty", "not available", "out of memory", "killed", "failed", "skipped",
	"text", "cold start", "statement", "zero time", "outlier"}

func (r missingReason) String() string { return missingReasonNames[r] }

var missingWords = map[string]missingReason{
	"": missingEmpty, "-": missingNotAvailable, "--": missingNotAvailable, "—": missingNotAvailable,
	"–": missingNotAvailable, "n/a": missingNotAvailable, "na": missingNotAvailable, "none": missingNotAvailable,
	"null": missingNotAvailable, "nan": missingNotAvailable, "?": missingNotAvailable, "tbd": missingNotAvailable,
	"oom": missingOutOfMemory, "out of memory": missingOutOfMemory, "cuda oom": missingOutOfMemory,
	"killed": missingKilled, "exit 137": missingKilled, "sigkill": missingKilled,
	"failed": missingFailed, "fail": missingFailed, "error": missingFailed, "crash": missingFailed,
	"crashed": missingFailed, "timeout": missingFailed, "timed out": missingFailed,
	"skip": missingSkipped, "skipped": missingSkipped,
}

var (
	markdownLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	htmlTag      = regexp.MustCompile(`<sup>[^<]*</sup>|<[^>]+>`)
	footnoteRef  = regexp.MustCompile(`\[\^[^\]\s]{1,8}\]`) // a Markdown footnote's mark, [^1]
	// A unit is short and made of letters, a slash, %, × or °: "tok/s", "Tokens/s", "W", "GiB", "°C".
	unitPattern = regexp.MustCompile(`^(?i)[a-zµ°%×/ ]{0,14}$`)
)

// parseCell reads one cell.
func parseCell(raw string) cell {
	if decimals, ok := plainDecimal(raw); ok {
		if v, err := strconv.ParseFloat(raw, 64); err == nil && isMeasurement(v) {
			return cell{text: raw, value: v, sd: math.NaN(), decimals: int32(decimals)}
		}
	}
	return parseWrittenCell(raw)
}

// readCell is parseCell for a cell of a table, whose value the table holds already (NaN where it holds none):
// a plain decimal's value is then not parsed again.
func readCell(raw string, value float64) cell {
	if decimals, ok := plainDecimal(raw); ok && !math.IsNaN(value) && isMeasurement(value) {
		return cell{text: raw, value: value, sd: math.NaN(), decimals: int32(decimals)}
	}
	return parseCell(raw)
}

// plainDecimal reports whether a cell holds digits with at most a leading minus and one decimal point
// ("-12.50"), as most cells of a data file do, and counts the digits after the point: such a cell needs none of
// parseWrittenCell's scans for marks, words, units and spreads, which give it the same reading.
func plainDecimal(s string) (decimals int, ok bool) {
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
			digits++
		case s[i] == '.' && point < 0:
			point = i
		case s[i] != '-' || i > 0:
			return 0, false
		}
	}
	if point >= 0 {
		decimals = len(s) - point - 1
	}
	return decimals, digits > 0
}

// parseWrittenCell reads a cell as people write them: with emphasis, units, spreads, repetitions and words.
func parseWrittenCell(raw string) cell {
	text := plainCellText(raw)
	c := cell{text: text, value: math.NaN(), sd: math.NaN(), link: strings.Contains(raw, "](") && markdownLink.MatchString(raw)}
	if reason, ok := missingWords[strings.ToLower(text)]; ok {
		c.missing = reason
		return c
	}
	if strings.ContainsAny(text, "→⇒") || strings.Contains(text, "->") {
		c.missing = missingStatement
		return c
	}
	if runs, ok := parseRuns(text); ok {
		c.runs = runs
		c.value = stats.Mean(runs)
		c.decimals = int32(decimalsOf(strings.TrimSpace(strings.Split(text, "/")[0])))
		return c
	}
	mean, spread, hasSpread := strings.Cut(text, "±")
	if hasSpread {
		sd, ok := parseMeasurement(spread)
		if !ok || sd.value < 0 {
			c.missing = missingText
			return c
		}
		c.sd, c.sdPlaces = sd.value, int8(min(sd.decimals, math.MaxInt8))
	}
	m, ok := parseMeasurement(mean)
	if !ok {
		c.missing = missingText
		return c
	}
	c.value, c.decimals, c.unit = m.value, int32(m.decimals), m.unit
	if c.unit == "" && hasSpread {
		c.unit = writtenCase(strings.ToLower(strings.TrimSpace(sdUnit(spread))))
	}
	return c
}

// plainCellText removes what decorates a value: emphasis, code marks, links (their text stays), footnote marks.
func plainCellText(s string) string {
	if strings.ContainsAny(s, "[<") {
		s = markdownLink.ReplaceAllString(s, "$1")
		s = htmlTag.ReplaceAllString(s, "")
		s = footnoteRef.ReplaceAllString(s, "")
	}
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "`", "")
	s = strings.ReplaceAll(s, "__", " ")
	s = strings.Trim(strings.TrimSpace(s), "*`")
	return strings.TrimSpace(s)
}

type measurement struct {
	value    float64
	decimals int
	unit     string
}

// parseMeasurement reads a number with an optional unit after it: "92.49 Tokens/s", "464.2W", "1,234", "45 %".
// "8B" is a model's size in parameters, a name rather than a measurement.
func parseMeasurement(s string) (measurement, bool) {
	digits, unit := splitUnit(strings.TrimSpace(strings.ReplaceAll(s, "−", "-")))
	unit = strings.TrimSpace(unit)
	if digits == "" || unit != "" && (!unitPattern.MatchString(unit) || strings.EqualFold(unit, "b")) {
		return measurement{}, false
	}
	plain, ok := withoutGrouping(digits)
	if !ok {
		return measurement{}, false
	}
	v, err := strconv.ParseFloat(plain, 64)
	if err != nil || !isMeasurement(v) {
		return measurement{}, false
	}
	return measurement{value: v, decimals: decimalsOf(plain), unit: writtenCase(strings.ToLower(unit))}, true
}

func sdUnit(spread string) string {
	_, unit := splitUnit(strings.TrimSpace(spread))
	return unit
}

// parseRuns reads repetitions packed in one cell, "65.50 / 65.50 / 65.50" or "[1.2, 1.3, 1.1]": three or more
// numbers between slashes, two or more in brackets.
func parseRuns(text string) ([]float64, bool) {
	var parts []string
	switch {
	case strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]"):
		parts = strings.Split(text[1:len(text)-1], ",")
	case strings.Count(text, " / ") >= 2: // "256 / 1024" is a pair of settings; three values are repetitions
		parts = strings.Split(text, " / ")
	default:
		return nil, false
	}
	if len(parts) < 2 {
		return nil, false
	}
	runs := make([]float64, 0, len(parts))
	for _, p := range parts {
		m, ok := parseMeasurement(p)
		if !ok {
			return nil, false
		}
		runs = append(runs, m.value)
	}
	return runs, true
}

// decimalsOf counts the digits after the decimal point of a number as written ("1.50e3" counts 2).
func decimalsOf(number string) int {
	_, fraction, found := strings.Cut(number, ".")
	if !found {
		return 0
	}
	n := 0
	for n < len(fraction) && isDigit(fraction[n]) {
		n++
	}
	return n
}

// isNumber reports whether the cell holds a value.
func (c cell) isNumber() bool { return !math.IsNaN(c.value) }

// formatAt prints x with the given digits after the decimal point: a value at the precision its source writes.
func formatAt(x float64, decimals int) string {
	return strconv.FormatFloat(x, 'f', decimals, 64)
}
