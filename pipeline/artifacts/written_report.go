package artifacts

import (
	"regexp"
	"strings"
)

// A report an LLM or a person wrote about benchmarks (the original system's executive summaries, chimera's own
// agent reports) is prose: its tables restate numbers measured elsewhere or sketch hypothetical ones ("Potential
// Range", a risk table). Read as data they would give findings about nothing that was measured.

// reportSection matches the headings such reports are made of.
var reportSection = regexp.MustCompile(`(?i)\b(executive summary|key findings|recommendations?|risks?|mitigations?|next steps|conclusions?|persona prompt|table of contents)\b`)

// minReportSections is how many of those headings make a document a written report rather than a results page
// with a conclusion.
const minReportSections = 2

// isWrittenReport reports whether a Markdown or text file is a written report.
func isWrittenReport(f *FileFacts) bool {
	seen := map[string]bool{}
	for _, h := range f.Headings {
		for _, m := range reportSection.FindAllString(h, -1) {
			seen[strings.TrimSuffix(strings.ToLower(m), "s")] = true
		}
	}
	return len(seen) >= minReportSections
}
