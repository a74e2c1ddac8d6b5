package artifacts

import (
	"strconv"
	"strings"
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

func (l *factList) addLatestTimestamp(files []FileFacts) {
	var latest *FileFacts
	for i, f := range files {
		if !f.Latest.IsZero() && (latest == nil || f.Latest.After(latest.Latest)) {
			latest = &files[i]
		}
	}
	if latest == nil {
		return
	}
	var p phrase
	p.printf("latest timestamp written in any file: %s", latest.Latest.Format("2006-01-02T15:04:05Z"))
	l.add(newFact(FactTimestamp, latest.Path, "", "", priorityTimestamp, &p, float64(latest.Latest.Unix()), "unix_s"))
}
