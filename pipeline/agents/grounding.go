package agents

import (
	"math"
	"regexp"
	"slices"
	"strings"

	"chimera/pipeline/artifacts"
)

// TextGrounding is the check of one LLM text against the numbers chimera knows. Each number in the text is
// grounded when it equals a fact's or a run metric's value at the precision the text wrote it with; loose when
// it equals one only scaled (×100, ×1000 or ÷1000, as percentages and ms/s conversions restate values) or is an
// integer of at most smallInteger, which some count or setting always equals; ungrounded otherwise.
type TextGrounding struct {
	Numbers      int      `json:"numbers"`
	Grounded     int      `json:"grounded"`
	Loose        []string `json:"loose"`
	Ungrounded   []string `json:"ungrounded"`
	Placeholders []string `json:"placeholders"`
}

// Grounding is the check of an agent's analysis and report; its own fields total the two.
type Grounding struct {
	TextGrounding
	Analysis TextGrounding `json:"analysis"`
	Report   TextGrounding `json:"report"`
}

// smallInteger is the largest integer too common to ground a text by matching.
const smallInteger = 10

var (
	// A thousands separator is a comma before exactly three digits, so "0,1,13" is three numbers and 1,234 one.
	numberRe     = regexp.MustCompile(`-?(?:\d{1,3}(?:,\d{3})+\b|\d+)(?:\.\d+)?`)
	listMarkerRe = regexp.MustCompile(`(?m)^\s*(?:#+\s*)?\d+(?:\.\d+)*[.)]\s`)
	// Digits inside names (llama3.1:8b, gemma3_270m, run folders) and dates or times are not quantities.
	identifierRe  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?\S*)?|\d{8}-\d{6}|[\w./:-]*[A-Za-z_/:][\w./:-]*`)
	placeholderRe = regexp.MustCompile(`(?i)\[(?:calculate|insert|add|fill|placeholder|your|tbd|todo|x+)[^\]]*\]|\bTBD\b|\bXX+\b`)
)

// checkAgentTexts checks the analysis and the report against the same known numbers.
func checkAgentTexts(analysis, report string, known []float64) Grounding {
	a, r := CheckGrounding(analysis, known), CheckGrounding(report, known)
	return Grounding{TextGrounding: a.plus(r), Analysis: a, Report: r}
}

func (g TextGrounding) plus(o TextGrounding) TextGrounding {
	return TextGrounding{
		Numbers: g.Numbers + o.Numbers, Grounded: g.Grounded + o.Grounded, Loose: slices.Concat(g.Loose, o.Loose),
		Ungrounded: slices.Concat(g.Ungrounded, o.Ungrounded), Placeholders: slices.Concat(g.Placeholders, o.Placeholders),
	}
}

// CheckGrounding finds placeholders and numbers in text; known holds every number chimera computed or measured.
func CheckGrounding(text string, known []float64) TextGrounding {
	g := TextGrounding{Placeholders: placeholderRe.FindAllString(text, -1)}
	quantities := identifierRe.ReplaceAllString(listMarkerRe.ReplaceAllString(text, ""), " ")
	for _, literal := range numberRe.FindAllString(quantities, -1) {
		value, decimals, ok := parseLiteral(literal)
		if !ok {
			continue
		}
		g.Numbers++
		switch classify(value, decimals, known) {
		case exactMatch:
			g.Grounded++
		case looseMatch:
			g.Loose = append(g.Loose, literal)
		default:
			g.Ungrounded = append(g.Ungrounded, literal)
		}
	}
	return g
}

// parseLiteral reads a number as the text wrote it, with the decimals it was written to.
func parseLiteral(literal string) (value float64, decimals int, ok bool) {
	value, ok = artifacts.ParseNumber(literal)
	if dot := strings.IndexByte(literal, '.'); dot >= 0 {
		decimals = len(literal) - dot - 1
	}
	return value, decimals, ok
}

// match is how well a number of a text matches the known numbers.
type match int

const (
	noMatch match = iota
	looseMatch
	exactMatch
)

// looseScales restate a value as a percentage or as a millisecond/second conversion.
var looseScales = []float64{100, 1000, 1.0 / 1000}

func classify(value float64, decimals int, known []float64) match {
	switch {
	case matchesAny(value, decimals, known, 1):
		if decimals == 0 && math.Abs(value) <= smallInteger {
			return looseMatch
		}
		return exactMatch
	case matchesAny(value, decimals, known, looseScales...):
		return looseMatch
	}
	return noMatch
}

// matchesAny reports whether a known value, multiplied by one of the scales, rounds to the literal at its
// precision.
func matchesAny(value float64, decimals int, known []float64, scales ...float64) bool {
	tolerance := 0.5*math.Pow(10, -float64(decimals)) + 1e-9
	for _, k := range known {
		for _, scale := range scales {
			if math.Abs(k*scale-value) <= tolerance {
				return true
			}
		}
	}
	return false
}
