package agents

import (
	"math"
	"regexp"
	"strings"

	"chimera/pipeline/artifacts"
)

// Grounding is the check of one LLM text against the numbers chimera knows: a number is grounded when it equals
// a fact's or a run metric's value at the precision the text wrote it with.
type Grounding struct {
	Numbers      int      `json:"numbers"`
	Grounded     int      `json:"grounded"`
	Ungrounded   []string `json:"ungrounded"`
	Placeholders []string `json:"placeholders"`
}

var (
	numberRe     = regexp.MustCompile(`-?\d[\d,]*(?:\.\d+)?`)
	listMarkerRe = regexp.MustCompile(`(?m)^\s*(?:#+\s*)?\d+(?:\.\d+)*[.)]\s`)
	// Digits inside names (llama3.1:8b, gemma3_270m, run folders) and dates or times are not quantities.
	identifierRe  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?\S*)?|\d{8}-\d{6}|[\w./:-]*[A-Za-z_/:][\w./:-]*`)
	placeholderRe = regexp.MustCompile(`(?i)\[(?:calculate|insert|add|fill|placeholder|your|tbd|todo|x+)[^\]]*\]|\bTBD\b|\bXX+\b`)
)

// CheckGrounding finds placeholders and numbers in text; known holds every number chimera computed or measured.
func CheckGrounding(text string, known []float64) Grounding {
	g := Grounding{Placeholders: placeholderRe.FindAllString(text, -1)}
	quantities := identifierRe.ReplaceAllString(listMarkerRe.ReplaceAllString(text, ""), " ")
	for _, literal := range numberRe.FindAllString(quantities, -1) {
		value, decimals, ok := parseLiteral(literal)
		if !ok {
			continue
		}
		g.Numbers++
		if matchesAny(value, decimals, known) {
			g.Grounded++
		} else {
			g.Ungrounded = append(g.Ungrounded, literal)
		}
	}
	return g
}

// parseLiteral reads a number as the text wrote it, with the decimals it was written to.
func parseLiteral(literal string) (value float64, decimals int, ok bool) {
	literal = strings.TrimRight(literal, ",")
	value, ok = artifacts.ParseNumber(literal)
	if dot := strings.IndexByte(literal, '.'); dot >= 0 {
		decimals = len(literal) - dot - 1
	}
	return value, decimals, ok
}

// matchesAny accepts a known value that rounds to the literal at its precision, also as a percentage or as a
// millisecond/second conversion, since texts restate 0.123 s as 123 ms and ratios as percents.
func matchesAny(value float64, decimals int, known []float64) bool {
	tolerance := 0.5*math.Pow(10, -float64(decimals)) + 1e-9
	for _, k := range known {
		for _, scaled := range []float64{k, k * 100, k * 1000, k / 1000} {
			if math.Abs(scaled-value) <= tolerance {
				return true
			}
		}
	}
	return false
}
