package artifacts

import (
	"math"
	"regexp"
	"strings"
	"time"

	"chimera/pipeline/stats"
)

// timestampRe matches ISO 8601 style date-times with seconds: 2025-10-08T16:29:55.589333+00:00,
// 2025-09-30 20:11:33, 2025-10-04T16:53:16Z.
var timestampRe = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?`)

// mayHoldTimestamp reports whether text holds the date's dash and the time's colon that timestampRe needs: most
// text holds neither, and the regexp's search scans all of it.
func mayHoldTimestamp(text string) bool {
	return strings.Contains(text, "-") && strings.Contains(text, ":")
}

// writtenTimestamps finds the latest instant a file states, in UTC: a date-time with a zone, or epoch seconds
// or milliseconds in a field named as a time (see isEpochField); and the latest date-time written without a
// zone, as written, for it is local time of a zone the file does not name. Impossible dates are ignored.
func writtenTimestamps(text string, fields map[string]stats.Summary) (instant time.Time, local string) {
	var localAt time.Time
	for _, window := range timestampWindows(text) {
		m := timestampRe.FindStringSubmatch(window)
		if m == nil {
			continue
		}
		if m[3] == "" {
			if t, err := time.Parse("2006-01-02T15:04:05.999999999", m[1]+"T"+m[2]); err == nil && t.After(localAt) {
				localAt, local = t, m[0]
			}
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, m[1]+"T"+m[2]+colonZone(m[3])); err == nil && t.After(instant) {
			instant = t
		}
	}
	if epoch := latestEpoch(fields); epoch.After(instant) {
		instant = epoch
	}
	return instant.UTC(), local
}

// Around a time "HH:MM:SS", the date before it ("2025-10-08T") and the longest fraction and zone after it.
const (
	dateBeforeTime = len("2025-10-08T12")
	timeAndAfter   = len(":00:00.999999999+00:00")
)

// timestampWindows cuts from text the stretches that can hold a timestamp: around each "HH:MM:SS", from where
// its date would start to where its zone would end. Matching timestampRe on them, not on the whole text,
// keeps a file of numbers from costing a regular-expression scan of every byte.
func timestampWindows(text string) []string {
	var windows []string
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], ':')
		if j < 0 {
			break
		}
		colon := i + j
		i = colon + 1
		if colon < dateBeforeTime || colon+6 > len(text) || text[colon+3] != ':' ||
			!allDigits(text[colon-2:colon]) || !allDigits(text[colon+1:colon+3]) || !allDigits(text[colon+4:colon+6]) {
			continue
		}
		start := colon - dateBeforeTime
		if start > 0 && isWordByte(text[start-1]) {
			continue // the year would be the tail of a longer number or word
		}
		windows = append(windows, text[start:min(len(text), colon+timeAndAfter)])
		i = colon + 6
	}
	return windows
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return isDigit(c) || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// colonZone writes a +0000 zone as +00:00.
func colonZone(zone string) string {
	if len(zone) == 5 {
		return zone[:3] + ":" + zone[3:]
	}
	return zone
}

// Epoch times from 2001 to 2100, in seconds and in milliseconds: a field named as a time whose value lies
// outside both is a duration or a count.
const (
	minEpochSeconds = 1e9
	maxEpochSeconds = 4.1e9
)

// latestEpoch is the latest epoch time among the numeric fields named as times, the zero Time when there is
// none.
func latestEpoch(fields map[string]stats.Summary) time.Time {
	var latest time.Time
	for path, s := range fields {
		if !isEpochField(path) {
			continue
		}
		if t, _ := epochTime(s.Max); t.After(latest) {
			latest = t
		}
	}
	return latest
}

// epochTime reads v as an epoch time from 2001 to 2100, in seconds or in milliseconds.
func epochTime(v float64) (time.Time, bool) {
	switch {
	case v >= minEpochSeconds && v <= maxEpochSeconds:
		sec, frac := math.Modf(v)
		return time.Unix(int64(sec), int64(frac*1e9)), true
	case v >= minEpochSeconds*1000 && v <= maxEpochSeconds*1000:
		return time.UnixMilli(int64(v)), true
	}
	return time.Time{}, false
}

// holdsEpochTimes reports whether column col, named as a time, holds epoch times and nothing else among the
// successful records: a JSONL log's ts of 1715520047.142 says when its row was written, an identifier rather than
// a measure (or a rate in llama-bench's t/s, which a bare "ts" can also name).
func (t *table) holdsEpochTimes(col int) bool {
	if !isEpochField(t.columns[col]) {
		return false
	}
	numbers := 0
	for v := range t.eachNumber(col) {
		if _, ok := epochTime(v); !ok {
			return false
		}
		numbers++
	}
	return numbers > 0
}

// isEpochField recognises a time by its field's last key: timestamp, time, ts, or a name ending in _at, _ts or
// _timestamp (created_at, export_timestamp).
func isEpochField(path string) bool {
	name := normalizeColumn(lastKey(strings.TrimSuffix(path, "[]")))
	return name == "timestamp" || name == "time" || name == "ts" || hasAnySuffix(name, "_at", "_ts", "_timestamp")
}
