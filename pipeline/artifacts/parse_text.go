package artifacts

import (
	"regexp"
	"strings"
	"time"
)

// parseText describes plain text by its size only: free-form prose carries no reliable structure.
func parseText(text string) FileFacts {
	var f FileFacts
	f.Lines, f.Words = countLinesAndWords(text)
	return f
}

// countLinesAndWords counts lines (a last line without a newline counts) and whitespace-separated words.
func countLinesAndWords(text string) (lines, words int) {
	lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	return lines, len(strings.Fields(text))
}

// timestampRe matches ISO 8601 style date-times with seconds: 2025-10-08T16:29:55.589333+00:00,
// 2025-09-30 20:11:33, 2025-10-04T16:53:16Z.
var timestampRe = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?`)

// latestTimestamp is the latest date-time written in text, the zero Time when there is none. A time without a
// zone is read as UTC; impossible dates are ignored.
func latestTimestamp(text string) time.Time {
	var latest time.Time
	for _, m := range timestampRe.FindAllStringSubmatch(text, -1) {
		zone := m[3]
		if zone == "" {
			zone = "Z"
		} else if len(zone) == 5 { // +0000
			zone = zone[:3] + ":" + zone[3:]
		}
		t, err := time.Parse(time.RFC3339Nano, m[1]+"T"+m[2]+zone)
		if err == nil && t.After(latest) {
			latest = t
		}
	}
	return latest.UTC()
}
