package artifacts

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// failureKinds sorts failure messages into causes by marker words, first match wins. A marker matches at the
// start of a word ("connect" in "connection refused", not "oom" in "bloom").
var failureKinds = []struct {
	cause   string
	markers *regexp.Regexp
}{
	{"timeout", wordStems("timed out", "timeout", "deadline exceeded")},
	{"out of memory", wordStems("out of memory", "oom")},
	{"connection error", wordStems("connect", "refused", "unreachable", "winerror 10049", "url", "host", "address")},
	{"missing dependency", wordStems("not installed", "no module", "cannot find")},
}

// wordStems matches, case-insensitively, any of the stems at the start of a word.
func wordStems(stems ...string) *regexp.Regexp {
	quoted := make([]string, len(stems))
	for i, s := range stems {
		quoted[i] = regexp.QuoteMeta(s)
	}
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(quoted, "|") + `)`)
}

// describeFailures lists the causes of failure messages with counts, most frequent first; a message without
// a known cause is quoted.
func describeFailures(p *phrase, messages []string) string {
	counts := map[string]int{}
	var causes []string
	for _, m := range messages {
		cause := failureCause(m)
		if counts[cause] == 0 {
			causes = append(causes, cause)
		}
		counts[cause]++
	}
	slices.SortStableFunc(causes, func(a, b string) int { return cmp.Compare(counts[b], counts[a]) })
	parts := make([]string, len(causes))
	for i, c := range causes {
		parts[i] = c + " ×" + p.count(counts[c])
	}
	return strings.Join(parts, ", ")
}

// failureCause names the cause of a failure message, or quotes the message (shortened) when no marker fits.
func failureCause(message string) string {
	for _, k := range failureKinds {
		if k.markers.MatchString(message) {
			return k.cause
		}
	}
	return strconv.Quote(shorten(message, 60))
}

func shorten(s string, maxRunes int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return string([]rune(s)[:maxRunes]) + "…"
}

// listSeparator is what goes before item i of a list: nothing before the first.
func listSeparator(i int, sep string) string {
	if i == 0 {
		return ""
	}
	return sep
}

// addFailureRollups looks at sibling run folders (files sharing a grandparent directory, such as
// ollama/<timestamp>/runs.csv) and says how many of their result files failed on every row.
func (l *factList) addFailureRollups(files []FileFacts) {
	var dirs []string
	byDir := map[string][]*FileFacts{}
	for i, f := range files {
		if !slices.ContainsFunc(f.tables, (*table).tracksFailures) || f.Rows == 0 {
			continue
		}
		dir := path.Dir(path.Dir(f.Path))
		if byDir[dir] == nil {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], &files[i])
	}
	for _, dir := range dirs {
		l.addFailureRollup(dir, byDir[dir])
	}
}

func (l *factList) addFailureRollup(dir string, files []*FileFacts) {
	var usable, messages []string
	failed, rows, failedRows := 0, 0, 0
	for _, f := range files {
		rows += f.Rows
		if f.Failures < f.Rows {
			usable = append(usable, strings.TrimPrefix(f.Path, dir+"/"))
			continue
		}
		failed++
		failedRows += f.Failures
		messages = append(messages, failureMessages(f.tables)...)
	}
	if len(files) < 2 || failed == 0 {
		return
	}
	var p phrase
	p.printf("%s of %s result files in the run folders under %s/ failed on every row (%s of %s rows; %s)",
		p.count(failed), p.count(len(files)), dir, p.count(failedRows), p.count(rows), describeFailures(&p, messages))
	if len(usable) > 0 {
		p.printf("; usable: %s", strings.Join(usable, ", "))
	}
	rollup := newFact(FactFailures, dir, "", "rollup", priorityFailureRollup, &p, float64(failed), "files")
	rollup.Sources = append(rollup.Sources, l.dropAllFailed(files)...)
	l.add(rollup)
}

// dropAllFailed takes out the facts that a file failed on every row, for the files of a rollup that says so
// with one count per cause, and returns those files.
func (l *factList) dropAllFailed(files []*FileFacts) []string {
	var dropped []string
	for _, f := range files {
		if f.Failures < f.Rows {
			continue
		}
		dropped = append(dropped, f.Path)
		*l = slices.DeleteFunc(*l, func(fact Fact) bool { return fact.Kind == FactFailures && fact.Source == f.Path })
	}
	return dropped
}

func failureMessages(tables []*table) []string {
	var messages []string
	for _, t := range tables {
		for _, r := range t.records {
			if r.failure != "" {
				messages = append(messages, r.failure)
			}
		}
	}
	return messages
}
