package artifacts

import (
	"regexp"
	"slices"
)

// An agent's report (the original system's "Chimera Insight", chimera's own) is prose about benchmarks, and so is
// a table of what might happen (a risk table, "Potential Range", "Expected Improvement"): read as data they give
// findings about nothing that was measured. A technical report's tables of measured runs are data, whatever
// sections surround them.

// agentReportSection matches the headings only an agent's report has.
var agentReportSection = regexp.MustCompile(`(?i)\b(persona prompt|workflow summary)\b`)

// isWrittenReport reports whether a file is an agent's report.
func isWrittenReport(f *FileFacts) bool {
	return slices.ContainsFunc(f.Headings, agentReportSection.MatchString)
}

// hypotheticalColumn matches the header of a column that speculates, plans or rates rather than measures.
var hypotheticalColumn = regexp.MustCompile(`(?i)\b(potential|expected|estimated|projected|target|risks?|mitigations?|likelihood|impact|priority|recommendations?|actions?|rationale)\b`)

// isHypothetical reports whether a table speculates: one of its columns does.
func (t *table) isHypothetical() bool {
	return slices.ContainsFunc(t.columns, hypotheticalColumn.MatchString)
}

// measuredTables are a file's tables less the hypothetical ones.
func measuredTables(f *FileFacts) []*table {
	return slices.DeleteFunc(slices.Clone(f.tables), (*table).isHypothetical)
}
