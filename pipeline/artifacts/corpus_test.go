package artifacts_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"chimera/bench/benchdoc"
	"chimera/pipeline/artifacts"
	"chimera/pipeline/render"
)

// The third-party corpus: public benchmark artifacts and an answer key, INDEX.md, written by someone who
// recomputed every number with python. TestCorpusRecall measures how many of its conclusions BuildFacts
// states (see conclusion.foundIn for the rule).
const corpusDir = "../../../shared/datasets/third-party"

// minCorpusRecall is the recall measured when it was last raised: it only ever goes up.
const minCorpusRecall = 47.0 / 49

// insightDoc holds the generated recall table; CHIMERA_UPDATE_DOCS=1 rewrites it.
const insightDoc = "../../docs/insight.md"

var recallBlock = benchdoc.Block{Begin: "<!-- recall:begin -->", End: "<!-- recall:end -->", Title: "Insight"}

type corpusSection struct {
	label       string // "1", or "3–5" for a section about several files
	files       []string
	conclusions []conclusion
}

type conclusion struct {
	number int
	claim  string // its first sentence, for the table
	keys   []answerKey
	words  []*regexp.Regexp
}

// foundIn reports whether one fact's text matches every word group and prints at least two keys (all of them
// when there are fewer).
func (c conclusion) foundIn(text string) bool {
	return c.wordsMatched(text) == len(c.words) && keysPrinted(text, c.keys) >= keysNeeded(c.keys)
}

func (c conclusion) wordsMatched(text string) int {
	n := 0
	for _, w := range c.words {
		if w.MatchString(text) {
			n++
		}
	}
	return n
}

var (
	sectionHeading   = regexp.MustCompile("^## (\\d+(?:–\\d+)?)\\. (.*)$")
	backticked       = regexp.MustCompile("`([^`]+)`")
	fileBullet       = regexp.MustCompile("^\\* `([^`]+)`$")
	conclusionStart  = regexp.MustCompile(`^(\d+)\. (.*)$`)
	keysAndWordsLine = regexp.MustCompile(`^\s+keys: (.*) \| words: (.*)$`)
	claimEnd         = regexp.MustCompile(`\.\s`)
)

// Table cells are cut to these lengths.
const (
	claimLength = 80
	factLength  = 200
)

// readAnswerKey parses INDEX.md: "## N." sections naming their files in the heading or in a "Files:" list,
// each with numbered conclusions followed by a "keys: … | words: …" line.
func readAnswerKey(t *testing.T) []corpusSection {
	f, err := os.Open(filepath.Join(corpusDir, "INDEX.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sections []corpusSection
	inConclusions := false
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if m := sectionHeading.FindStringSubmatch(line); m != nil {
			sections = append(sections, corpusSection{label: m[1]})
			if name := backticked.FindStringSubmatch(m[2]); name != nil {
				sections[len(sections)-1].files = []string{name[1]}
			}
			inConclusions = false
			continue
		}
		if len(sections) == 0 {
			continue
		}
		s := &sections[len(sections)-1]
		if err := s.readLine(line, &inConclusions); err != nil {
			t.Fatalf("INDEX.md section %s: %v", s.label, err)
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	checkAnswerKey(t, sections)
	return sections
}

func (s *corpusSection) readLine(line string, inConclusions *bool) error {
	switch {
	case line == "**Conclusions.**":
		*inConclusions = true
	case fileBullet.MatchString(line):
		s.files = append(s.files, fileBullet.FindStringSubmatch(line)[1])
	case *inConclusions && conclusionStart.MatchString(line):
		m := conclusionStart.FindStringSubmatch(line)
		number, _ := strconv.Atoi(m[1])
		s.conclusions = append(s.conclusions, conclusion{number: number, claim: firstSentence(m[2])})
	case keysAndWordsLine.MatchString(line) && len(s.conclusions) > 0:
		m := keysAndWordsLine.FindStringSubmatch(line)
		return s.conclusions[len(s.conclusions)-1].setKeysAndWords(m[1], m[2])
	}
	return nil
}

// firstSentence is the start of a conclusion, up to its first full stop.
func firstSentence(text string) string {
	if loc := claimEnd.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	return shorten(strings.ReplaceAll(text, "*", ""), claimLength)
}

func shorten(text string, length int) string {
	if runes := []rune(text); len(runes) > length {
		return string(runes[:length]) + "…"
	}
	return text
}

// setKeysAndWords reads "75.0%, 11.4%" and "pp|prefill, tg|decod". Groups are split at ", " only: a group
// may hold a regular expression such as ".{0,60}".
func (c *conclusion) setKeysAndWords(keys, words string) error {
	for _, text := range strings.Split(keys, ", ") {
		k, err := parseAnswerKey(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("conclusion %d: %w", c.number, err)
		}
		c.keys = append(c.keys, k)
	}
	for _, group := range strings.Split(words, ", ") {
		re, err := regexp.Compile("(?i)(?:" + strings.TrimSpace(group) + ")")
		if err != nil {
			return fmt.Errorf("conclusion %d: word group %q: %w", c.number, group, err)
		}
		c.words = append(c.words, re)
	}
	return nil
}

// checkAnswerKey fails on an answer key this parser misread: a section without files or conclusions, a
// conclusion without keys, a file that is not there.
func checkAnswerKey(t *testing.T, sections []corpusSection) {
	if len(sections) == 0 {
		t.Fatal("INDEX.md: no \"## N.\" sections")
	}
	for _, s := range sections {
		if len(s.files) == 0 || len(s.conclusions) == 0 {
			t.Fatalf("INDEX.md section %s: %d files, %d conclusions", s.label, len(s.files), len(s.conclusions))
		}
		for _, c := range s.conclusions {
			if len(c.keys) == 0 {
				t.Fatalf("INDEX.md section %s conclusion %d has no keys line", s.label, c.number)
			}
		}
		for _, name := range s.files {
			if _, err := os.Stat(filepath.Join(corpusDir, name)); err != nil {
				t.Fatalf("INDEX.md section %s: %v", s.label, err)
			}
		}
	}
}

// corpusRuns are the sets of files BuildFacts sees together: each file alone, each section's files and each
// repository's files, the last two only where they hold more than one file.
func corpusRuns(sections []corpusSection) [][]string {
	var runs [][]string
	seen := map[string]bool{}
	add := func(files []string) {
		files = slices.Sorted(slices.Values(files))
		key := strings.Join(files, "\n")
		if !seen[key] {
			seen[key] = true
			runs = append(runs, files)
		}
	}
	byRepo := map[string][]string{}
	var repos []string
	for _, s := range sections {
		for _, name := range s.files {
			add([]string{name})
			repo := repositoryOf(name)
			if byRepo[repo] == nil {
				repos = append(repos, repo)
			}
			byRepo[repo] = append(byRepo[repo], name)
		}
		add(s.files)
	}
	for _, repo := range repos {
		add(byRepo[repo])
	}
	return runs
}

// repositoryOf is the "owner__repo" a corpus file name starts with.
func repositoryOf(name string) string {
	owner, rest, _ := strings.Cut(name, "__")
	repo, _, _ := strings.Cut(rest, "__")
	return owner + "__" + repo
}

// runName is the file, or for several files of one repository how many and which repository.
func runName(files []string) string {
	if len(files) == 1 {
		return files[0]
	}
	return fmt.Sprintf("%d files of %s together", len(files), repositoryOf(files[0]))
}

type corpusRun struct {
	files []string
	facts []artifacts.Fact
}

// factsOf copies files into a fresh directory and builds its facts. A panic, an Ingest error or a file
// Ingest skipped is an error; the facts of the files it did read still count. Errors do not name the
// temporary directory, so that the generated page stays the same from run to run.
func factsOf(t *testing.T, files []string) (facts []artifacts.Fact, err error) {
	dir := t.TempDir()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		if err != nil {
			err = errors.New(strings.ReplaceAll(err.Error(), dir, "the run's directory"))
		}
	}()
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	inv, err := artifacts.Ingest([]string{dir}, artifacts.Limits{})
	if err != nil {
		return nil, err
	}
	facts = artifacts.BuildFacts(inv).Facts
	return facts, skippedError(inv.Skipped)
}

func skippedError(skipped []artifacts.SkippedFile) error {
	if len(skipped) == 0 {
		return nil
	}
	reasons := make([]string, len(skipped))
	for i, s := range skipped {
		reasons[i] = s.Path + ": " + s.Reason
	}
	return fmt.Errorf("Ingest skipped %s", strings.Join(reasons, "; "))
}

// verdict is what the facts say to one conclusion: the fact that states it, or the one that comes closest:
// the most keys, then the most word groups.
type verdict struct {
	section    string
	conclusion conclusion
	found      bool
	fact       string // the matching fact, or the closest one
	closeness  string // for a miss: "words 1/2, keys 0/4"
}

func judge(s corpusSection, c conclusion, runs []corpusRun) verdict {
	v := verdict{section: s.label, conclusion: c}
	bestScore := 0
	for _, run := range runs {
		if !slices.ContainsFunc(run.files, func(f string) bool { return slices.Contains(s.files, f) }) {
			continue
		}
		for _, f := range run.facts {
			if c.foundIn(f.Text) {
				v.found, v.fact, v.closeness = true, f.Text, ""
				return v
			}
			words, keys := c.wordsMatched(f.Text), keysPrinted(f.Text, c.keys)
			// Only a fact that prints one of the keys is close; words alone match too much ("pp" in "skipped").
			if score := 10*keys + words; keys > 0 && score > bestScore {
				bestScore = score
				v.fact = f.Text
				v.closeness = fmt.Sprintf("words %d/%d, keys %d/%d", words, len(c.words), keys, len(c.keys))
			}
		}
	}
	return v
}

func TestCorpusRecall(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusDir, "INDEX.md")); err != nil {
		t.Skipf("no third-party corpus at %s", corpusDir)
	}
	sections := readAnswerKey(t)
	var runs []corpusRun
	var failures []string
	for _, files := range corpusRuns(sections) {
		facts, err := factsOf(t, files)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", runName(files), err))
			t.Errorf("facts of %s", failures[len(failures)-1])
		}
		runs = append(runs, corpusRun{files: files, facts: facts})
	}
	var verdicts []verdict
	for _, s := range sections {
		for _, c := range s.conclusions {
			verdicts = append(verdicts, judge(s, c, runs))
		}
	}
	table := recallTable(verdicts)
	var text strings.Builder
	_ = table.WriteText(&text) // a strings.Builder cannot fail
	found := countFound(verdicts)
	recall := float64(found) / float64(len(verdicts))
	t.Logf("recall of the third-party answer key:\n%s\nrecall %d/%d = %.3f (floor %.3f)",
		text.String(), found, len(verdicts), recall, minCorpusRecall)
	if os.Getenv("CHIMERA_UPDATE_DOCS") == "1" {
		if err := recallBlock.Write(insightDoc, recallMarkdown(table, found, len(verdicts), failures)); err != nil {
			t.Error(err)
		}
	}
	switch {
	case recall < minCorpusRecall:
		t.Errorf("recall %d/%d = %.3f fell below the floor %.3f", found, len(verdicts), recall, minCorpusRecall)
	case recall > minCorpusRecall:
		t.Logf("recall is above the floor: raise minCorpusRecall to %d.0 / %d", found, len(verdicts))
	}
}

func countFound(verdicts []verdict) int {
	n := 0
	for _, v := range verdicts {
		if v.found {
			n++
		}
	}
	return n
}

func recallTable(verdicts []verdict) *render.Table {
	table := render.NewTable("§", "#", "conclusion", "result", "fact (for a miss: the closest one)")
	for _, v := range verdicts {
		result, fact := "found", shorten(v.fact, factLength)
		switch {
		case !v.found && v.fact == "":
			result, fact = "missed", "no fact prints any of its keys"
		case !v.found:
			result, fact = "missed", fmt.Sprintf("%s (%s)", shorten(v.fact, factLength), v.closeness)
		}
		table.Add(v.section, strconv.Itoa(v.conclusion.number), v.conclusion.claim, result, fact)
	}
	return table
}

func recallMarkdown(table *render.Table, found, total int, failures []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Recall: **%d of %d** conclusions (%.0f %%). Generated by `CHIMERA_UPDATE_DOCS=1 go test "+
		"./pipeline/artifacts -run CorpusRecall`.\n\n", found, total, 100*float64(found)/float64(total))
	if len(failures) > 0 {
		b.WriteString("Runs that failed (each fails the test):\n\n")
		for _, f := range failures {
			fmt.Fprintf(&b, "* %s\n", f)
		}
		b.WriteString("\n")
	}
	benchdoc.WriteTable(&b, table)
	return b.String()
}
