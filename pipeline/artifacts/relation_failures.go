package artifacts

import (
	"math"
	"regexp"
	"strings"
)

// A record that failed keeps its place in the relation, for where configurations fail is a finding (see
// insight_fit.go); its measurements leave every statistic, as a request rejected after a few tokens reports
// times that are not a served request's.

// excludeFailedRows marks the measure cells of failed rows as missing, with the failure's kind as the reason.
func (rel *relation) excludeFailedRows() {
	for row, failure := range rel.failures {
		if failure == "" {
			continue
		}
		reason := failureKind(failure)
		for _, m := range rel.measures {
			if m.cells[row].isNumber() {
				m.failed = append(m.failed, m.cells[row].value)
			}
			m.cells[row] = cell{text: m.cells[row].text, value: math.NaN(), sd: math.NaN(), missing: reason}
		}
	}
}

var (
	outOfMemoryText = regexp.MustCompile(`(?i)out of memory|\boom\b|cudaMalloc|failed to allocate|insufficient memory`)
	killedText      = regexp.MustCompile(`(?i)exit(?: code| status)?[ =:(]*137|\bkilled\b|sigkill`)
)

// failureKind reads a failure's text as out of memory, killed (exit 137 is SIGKILL, usually the kernel's OOM
// killer) or failed.
func failureKind(failure string) missingReason {
	switch {
	case outOfMemoryText.MatchString(failure):
		return missingOutOfMemory
	case killedText.MatchString(failure):
		return missingKilled
	}
	return missingFailed
}

// depthTest matches llama-bench's test at a depth: "pp2048 @ d32768".
var depthTest = regexp.MustCompile(`^(\S+) @ d(\d+)$`)

// splitDepthFromTests splits a dimension of llama-bench tests at depths into the test and an ordered depth.
func (rel *relation) splitDepthFromTests() {
	for _, d := range rel.dims {
		if !allLevelsMatch(d.levels, depthTest) {
			continue
		}
		depth := &dimension{name: "depth", ordered: true}
		for i, level := range d.levels {
			m := depthTest.FindStringSubmatch(level)
			if m == nil {
				depth.levels, depth.values = append(depth.levels, ""), append(depth.values, math.NaN())
				continue
			}
			d.levels[i] = m[1]
			depth.levels = append(depth.levels, m[2])
			depth.values = append(depth.values, parseCell(m[2]).value)
		}
		rel.dims = append(rel.dims, depth)
		return
	}
}

// allLevelsMatch reports whether every known level matches re, and at least one is known.
func allLevelsMatch(levels []string, re *regexp.Regexp) bool {
	known := 0
	for _, l := range levels {
		if l == "" {
			continue
		}
		if !re.MatchString(strings.TrimSpace(l)) {
			return false
		}
		known++
	}
	return known > 0
}
