package artifacts

import (
	"math"
	"regexp"
	"strconv"
)

// statedRunsPattern finds how many runs a sentence says each value is over: "over 5 runs", "n = 5",
// llama-bench's "-r 5" or "--repetitions 5".
var statedRunsPattern = regexp.MustCompile(`(?i)\b(\d+)\s+(?:runs|repetitions|reps|trials|iterations)\b|\bn\s*=\s*(\d+)\b|(?:^|\s)(?:-r|--repetitions)\s+(\d+)\b`)

// statedRuns is the number of runs the text above a table says its means are over ("Mean ± sd over 5 runs
// (llama-bench -r 5)."): 0 when it states none, one below 2, or two that differ.
func statedRuns(text string) int {
	n := 0
	for _, m := range statedRunsPattern.FindAllStringSubmatch(text, -1) {
		k, _ := strconv.Atoi(m[1] + m[2] + m[3])
		if k < 2 || k > math.MaxUint8 || n != 0 && k != n {
			return 0
		}
		n = k
	}
	return n
}

// applyStatedRuns gives every mean ± sd of the relation the number of runs its table's caption states, so
// that comparisons test it (Welch from the summaries) rather than only measure the gap in sds.
func (rel *relation) applyStatedRuns(n int) {
	if n == 0 {
		return
	}
	for _, m := range rel.measures {
		for i := range m.cells {
			if c := &m.cells[i]; !math.IsNaN(c.sd) && c.runs == nil {
				c.sdOver = uint8(n)
			}
		}
	}
}
