package artifacts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// phrase writes a fact's sentence and records every quantity it prints, rounded as printed. Quantities go
// through num and count: p.printf("%s tok/s", p.num(x)).
type phrase struct {
	text    strings.Builder
	numbers []float64
}

func (p *phrase) printf(format string, args ...any) { fmt.Fprintf(&p.text, format, args...) }

func (p *phrase) String() string { return p.text.String() }

// num prints x rounded for reading and records the printed value.
func (p *phrase) num(x float64) string {
	r := roundForText(x)
	p.numbers = append(p.numbers, r)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func (p *phrase) count(n int) string { return p.num(float64(n)) }

// countOf prints a count with its noun, "1 run" or "36 runs".
func (p *phrase) countOf(n int, noun string) string {
	if n == 1 {
		return p.count(n) + " " + noun
	}
	return p.count(n) + " " + noun + "s"
}

// quote returns free text (a note, a skip reason) and records the standalone numbers in it.
func (p *phrase) quote(text string) string {
	for _, word := range strings.Fields(text) {
		if x, ok := ParseNumber(strings.Trim(word, ",;:()")); ok {
			p.numbers = append(p.numbers, x)
		}
	}
	return text
}

// withUnit prints a quantity followed by its unit, if it has one.
func (p *phrase) withUnit(x float64, unit string) string {
	if unit == "" {
		return p.num(x)
	}
	return p.num(x) + " " + unit
}

// roundForText rounds to 2 decimals from 1 upwards and to 3 significant digits below 1. It goes through the
// decimal text so that the result prints exactly as rounded.
func roundForText(x float64) float64 {
	text := strconv.FormatFloat(x, 'f', 2, 64)
	if math.Abs(x) < 1 {
		text = strconv.FormatFloat(x, 'g', 3, 64)
	}
	r, _ := strconv.ParseFloat(text, 64)
	if r == 0 {
		return 0 // not -0
	}
	return r
}

// fixed prints x with the digits after the decimal point its source writes, at most two from 1 upwards and
// four significant ones below, and records the printed value.
func (p *phrase) fixed(x float64, decimals int) string {
	return p.decimals(x, min(decimals, readableDecimals(x)))
}

// decimals prints x with exactly the given digits after the decimal point, and records the printed value.
func (p *phrase) decimals(x float64, decimals int) string {
	text := formatAt(x, decimals)
	r, _ := strconv.ParseFloat(text, 64)
	if math.Abs(r) >= 1<<53 {
		// Beyond 2⁵³ a float holds no fraction, and fixed decimals print digits its shortest form has not
		// (881387999999999872.0 for 8.81388e17): print the shortest, as num does.
		text = strconv.FormatFloat(r, 'f', -1, 64)
	}
	p.numbers = append(p.numbers, r)
	return text
}

// percent prints a relative change in per cent, signed: to two decimals below 10 %, where a tenth of a per cent
// is a large part of the change, to one above: "+1.38 %", "-75.0 %".
func (p *phrase) percent(change float64) string {
	decimals := 1
	if math.Abs(math.Round(1000*change)) < 100 {
		decimals = 2
	}
	text := p.fixed(100*change, decimals) + " %"
	if !strings.HasPrefix(text, "-") {
		return "+" + text
	}
	return text
}

// times prints a ratio to two decimals: "1.97×".
func (p *phrase) times(ratio float64) string { return p.fixed(ratio, 2) + "×" }

// pValue prints a p-value as writeWelch does: three significant digits, and "p < 0.001" below that.
func (p *phrase) pValue(x float64) string {
	if x < 0.001 {
		return "p < " + p.num(0.001)
	}
	return "p = " + p.num(x)
}

// readableDecimals is the most digits after the point worth printing: two from 1 upwards, four significant ones
// below.
func readableDecimals(x float64) int {
	if math.Abs(x) >= 1 || x == 0 {
		return 2
	}
	return 3 - int(math.Floor(math.Log10(math.Abs(x))))
}

// significant prints x to the given number of significant digits, and records it: 1.188, 0.04700.
func (p *phrase) significant(x float64, digits int) string {
	decimals := 0
	if x != 0 {
		decimals = max(0, digits-1-int(math.Floor(math.Log10(math.Abs(x)))))
	}
	return p.decimals(x, decimals)
}

// listItem opens item i of a list that follows a colon: ": " before the first, sep before the others.
func listItem(i int, sep string) string {
	if i == 0 {
		return ": "
	}
	return sep
}

// more says how many items past maxListed (see inventory_facts.go) a list left out, nothing when it left none:
// a table of 50,000 rows still gives one readable sentence.
func (p *phrase) more(items int) {
	if items > maxListed {
		p.printf("; and %s more", p.count(items-maxListed))
	}
}
