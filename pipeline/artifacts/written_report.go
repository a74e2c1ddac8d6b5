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

// Headers of columns that speculate: one of the first kind says so alone; the second kind plans or rates, and
// one of them may also be a setting ("Target model" of speculative decoding, vLLM's "priority").
var (
	speculativeColumn = regexp.MustCompile(`(?i)\b(potential|expected|estimated|projected|predicted|hypothetical)\b`)
	planningColumn    = regexp.MustCompile(`(?i)\b(target|risks?|mitigations?|likelihood|impact|priority|recommendations?|actions?|rationale)\b`)
)

// minPlanningColumns is how many planning columns make a table a plan rather than a measurement.
const minPlanningColumns = 2

// isHypothetical reports whether a table speculates or plans rather than measures.
func (t *table) isHypothetical() bool {
	planning := 0
	for _, c := range t.columns {
		switch {
		case speculativeColumn.MatchString(c):
			return true
		case planningColumn.MatchString(c):
			planning++
		}
	}
	return planning >= minPlanningColumns
}

// measuredTables are a file's tables less the hypothetical ones.
func measuredTables(f *FileFacts) []*table {
	return slices.DeleteFunc(slices.Clone(f.tables), (*table).isHypothetical)
}
