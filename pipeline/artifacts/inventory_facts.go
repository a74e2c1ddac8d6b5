package artifacts

import (
	"strconv"
	"strings"
	"time"
)

func (l *factList) addInventory(inv *Inventory) {
	for i, note := range inv.Notes {
		var p phrase
		p.printf("%s", p.quote(note))
		l.add(newFact(FactNote, ".", "", strconv.Itoa(i+1), priorityNote, &p, 0, ""))
	}
	l.addKindCounts(inv)
	l.addSkipped(inv.Skipped)
	l.addLatestTimestamp(inv.Files)
}

func (l *factList) addKindCounts(inv *Inventory) {
	counts := map[string]int{}
	for _, f := range inv.Files {
		counts[f.Kind]++
	}
	var p phrase
	total := p.count(len(inv.Files))
	var perKind []string
	for _, kind := range []string{KindCSV, KindJSON, KindJSONL, KindMarkdown, KindText} {
		if counts[kind] > 0 {
			perKind = append(perKind, p.count(counts[kind])+" "+kind)
		}
	}
	p.printf("%s artifacts parsed: %s; %s skipped", total, strings.Join(perKind, ", "), p.count(len(inv.Skipped)))
	if duplicates := countDuplicates(inv.Skipped); duplicates > 0 {
		p.printf(", %s", p.countOf(duplicates, "duplicate"))
	}
	l.add(newFact(FactInventory, ".", "", "", priorityInventory, &p, float64(len(inv.Files)), "files"))
}

func countDuplicates(skipped []SkippedFile) int {
	n := 0
	for _, s := range skipped {
		if s.DuplicateOf != "" {
			n++
		}
	}
	return n
}

// maxListed bounds the entries a listing fact names.
const maxListed = 10

func (l *factList) addSkipped(skipped []SkippedFile) {
	if len(skipped) == 0 {
		return
	}
	var p phrase
	p.printf("skipped:")
	for i, s := range skipped[:min(len(skipped), maxListed)] {
		p.printf("%s %s (%s)", listSeparator(i, ";"), s.Path, p.quote(s.Reason))
	}
	if extra := len(skipped) - maxListed; extra > 0 {
		p.printf("; and %s more", p.count(extra))
	}
	l.add(newFact(FactSkipped, ".", "", "", prioritySkipped, &p, float64(len(skipped)), "files"))
}

// maxZoneOffset bounds how far local time can be from UTC (UTC−12 to UTC+14): a date-time written without a
// zone is later than an instant only when it is later even read this far west.
const maxZoneOffset = 14 * time.Hour

// addLatestTimestamp states the latest timestamp of all files. An instant (with a zone, or epoch) and a date-time
// without a zone compare only when they lie further apart than any zone offset; otherwise both are given.
func (l *factList) addLatestTimestamp(files []FileFacts) {
	instant, local := latestInstantFile(files), latestLocalFile(files)
	switch {
	case instant == nil && local == nil:
		return
	case instant == nil:
		l.addLocalTimestamp(local, nil)
	case local == nil || localAsUTC(local).Before(instant.Latest.Add(-maxZoneOffset)):
		l.addInstantTimestamp(instant)
	case localAsUTC(local).After(instant.Latest.Add(maxZoneOffset)):
		l.addLocalTimestamp(local, instant)
	default:
		l.addUncertainTimestamp(instant, local)
	}
}

func (l *factList) addInstantTimestamp(f *FileFacts) {
	var p phrase
	p.printf("latest timestamp written in any file: %s (UTC)", f.Latest.Format(utcLayout))
	l.add(newFact(FactTimestamp, f.Path, "", "", priorityTimestamp, &p, float64(f.Latest.Unix()), "unix_s"))
}

func (l *factList) addLocalTimestamp(f, instant *FileFacts) {
	var p phrase
	p.printf("latest timestamp written in any file: %s, as written (no time zone given)", f.LatestLocal)
	if instant != nil {
		p.printf("; later, whatever its zone, than the latest with one, %s (UTC) in %s", instant.Latest.Format(utcLayout),
			instant.Path)
	}
	fact := newFact(FactTimestamp, f.Path, "", "", priorityTimestamp, &p, 0, "")
	if instant != nil {
		fact.Sources = append(fact.Sources, instant.Path)
	}
	l.add(fact)
}

func (l *factList) addUncertainTimestamp(instant, local *FileFacts) {
	var p phrase
	p.printf("latest timestamp with a time zone: %s (UTC); %s writes %s without a zone, which may be earlier or later",
		instant.Latest.Format(utcLayout), local.Path, local.LatestLocal)
	fact := newFact(FactTimestamp, instant.Path, "", "", priorityTimestamp, &p, float64(instant.Latest.Unix()), "unix_s")
	fact.Sources = append(fact.Sources, local.Path)
	l.add(fact)
}

const utcLayout = "2006-01-02T15:04:05Z"

func latestInstantFile(files []FileFacts) *FileFacts {
	var latest *FileFacts
	for i, f := range files {
		if !f.Latest.IsZero() && (latest == nil || f.Latest.After(latest.Latest)) {
			latest = &files[i]
		}
	}
	return latest
}

func latestLocalFile(files []FileFacts) *FileFacts {
	var latest *FileFacts
	for i, f := range files {
		if f.LatestLocal != "" && (latest == nil || localAsUTC(&f).After(localAsUTC(latest))) {
			latest = &files[i]
		}
	}
	return latest
}

// localAsUTC reads a file's LatestLocal on the UTC clock face, for comparisons that allow for any zone.
func localAsUTC(f *FileFacts) time.Time {
	t, _ := time.Parse("2006-01-02 15:04:05.999999999", strings.Replace(f.LatestLocal, "T", " ", 1))
	return t
}
