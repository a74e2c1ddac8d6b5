package agents

import (
	"fmt"
	"regexp"
	"strconv"

	"chimera/pipeline/artifacts"
	"chimera/pipeline/stats"
)

// maxKeyFindings bounds the Key Findings section.
const maxKeyFindings = 8

// finding is a fact a report lists as a key finding, with every file that says the same.
type finding struct {
	artifacts.Fact
	number  int      // 1-based position in the Key Findings
	sources []string // the fact's own source, then those of the facts restating it
}

// keyFindings are the highest-ranked facts past the overview, each listed once: a fact restating one already
// listed adds its source to it instead.
func keyFindings(facts []artifacts.Fact) []finding {
	var findings []finding
	for _, same := range groupByKey(rankByInformation(facts), restatementKey) {
		if len(findings) == maxKeyFindings {
			break
		}
		if bandOf(same[0].Kind) == bandOverview {
			continue
		}
		sources := make([]string, len(same))
		for i, f := range same {
			sources[i] = f.Source
		}
		findings = append(findings, finding{Fact: same[0], number: len(findings) + 1, sources: sources})
	}
	return findings
}

// pValueRe finds the p-value a fact's text prints for its test, "p = 0.376" or "p < 0.001".
var pValueRe = regexp.MustCompile(`\bp ([<=]) (\d+(?:\.\d+)?)`)

// significance is what a finding's test says.
type significance struct {
	pValue      string // as printed: "p < 0.001"
	significant bool   // below stats.SignificanceLevel
}

// significance reads the finding's test from its text; ok is false when the fact has none.
func (f finding) significance() (s significance, ok bool) {
	m := pValueRe.FindStringSubmatch(f.Text)
	if m == nil {
		return significance{}, false
	}
	p, _ := strconv.ParseFloat(m[2], 64) // the pattern admits decimals only
	return significance{pValue: m[0], significant: p < stats.SignificanceLevel || (m[1] == "<" && p <= stats.SignificanceLevel)}, true
}

func (s significance) String() string {
	verdict := "not significant"
	if s.significant {
		verdict = "significant"
	}
	return fmt.Sprintf("%s at the %g level (%s)", verdict, stats.SignificanceLevel, s.pValue)
}
