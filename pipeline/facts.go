package pipeline

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Fact is one statement computed from the artifacts, never by an LLM, with where it comes from.
type Fact struct {
	ID   string `json:"id"` // kind, source, field and qualifier: stable across runs
	Kind string `json:"kind"`
	// Text is one sentence without the source path, which Source holds.
	Text string `json:"text"`
	// Source is the file's path relative to its root; a directory, or "." for the whole inventory, when the
	// fact is about several files.
	Source   string  `json:"source"`
	Field    string  `json:"field,omitempty"` // column or JSON path
	Value    float64 `json:"value"`           // the headline number
	Unit     string  `json:"unit,omitempty"`
	Priority int     `json:"priority"` // higher is more important; prompts are ranked and trimmed by it
	// Numbers holds every quantity Text prints, exactly as printed, for grounding checks. Digits that are part
	// of names (paths, model tags) or dates are not quantities.
	Numbers []float64 `json:"numbers"`
}

// Fact kinds.
const (
	FactNote        = "note"
	FactInventory   = "inventory"
	FactSkipped     = "skipped"
	FactTimestamp   = "timestamp"
	FactThroughput  = "throughput"
	FactTTFT        = "ttft"
	FactGroupMeans  = "group_means"
	FactBestConfig  = "best_config"
	FactParamEffect = "param_effect"
	FactColdStart   = "cold_start"
	FactTimeShares  = "time_shares"
	FactFailures    = "failures"
	FactCompletion  = "completion"
	FactSpeedup     = "speedup"
	FactKernel      = "kernel"
)

// Priorities. Markdown tables restate numbers that the CSV and JSON files hold first-hand (or that an LLM
// once wrote), so facts from them rank lower.
const (
	priorityNote            = 100
	priorityInventory       = 95
	priorityBestConfig      = 90
	priorityFailureRollup   = 85
	priorityGroupThroughput = 80
	priorityTimestamp       = 75
	priorityThroughput      = 70
	prioritySpeedup         = 65
	priorityGroupTTFT       = 62
	priorityTTFT            = 60
	priorityColdStart       = 60
	priorityCompletion      = 55
	priorityPartialFailures = 55
	priorityParamEffect     = 50
	priorityTimeShares      = 50
	priorityAllFailed       = 45
	prioritySkipped         = 45
	priorityKernel          = 40
	markdownPenalty         = 50
)

// FactsReport is an inventory with the facts derived from it; its JSON is what `chimera facts` prints.
type FactsReport struct {
	Inventory
	Facts []Fact `json:"facts"`
}

// BuildFacts derives every fact the inventory supports, highest priority first; equal priorities keep the
// walk order of their files.
func BuildFacts(inv *Inventory) *FactsReport {
	var facts factList
	facts.addInventory(inv)
	for i := range inv.Files {
		for _, t := range inv.Files[i].tables {
			for _, part := range splitTests(t) {
				newTableView(&inv.Files[i], part).addFacts(&facts)
			}
		}
	}
	facts.addFailureRollups(inv.Files)
	slices.SortStableFunc(facts, func(a, b Fact) int { return cmp.Compare(b.Priority, a.Priority) })
	return &FactsReport{Inventory: *inv, Facts: facts}
}

// WriteFactsText prints the report for people: the inventory as a table, skipped entries, notes, then the
// facts.
func WriteFactsText(w io.Writer, r *FactsReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "roots: %s\n\n", strings.Join(r.Roots, ", "))
	fmt.Fprintf(tw, "KIND\tBYTES\tROWS\tFAILED\tFIELDS\tPATH\n")
	for _, f := range r.Files {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", f.Kind, f.Bytes, f.Rows, f.Failures, len(f.Fields), f.Path)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(tw, "\nskipped (%d):\n", len(r.Skipped))
		for _, s := range r.Skipped {
			fmt.Fprintf(tw, "  %s\t%s\n", s.Path, s.Reason)
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(tw, "\nnotes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(tw, "  %s\n", n)
		}
	}
	fmt.Fprintf(tw, "\nfacts (%d, highest priority first):\n", len(r.Facts))
	for _, f := range r.Facts {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", f.Priority, f.Kind, f.Source, f.Text)
	}
	return tw.Flush()
}

// factList collects facts, dropping any whose numbers are not finite (JSON cannot carry them).
type factList []Fact

func (l *factList) add(f Fact) {
	if !isFinite(f.Value) || slices.ContainsFunc(f.Numbers, func(x float64) bool { return !isFinite(x) }) {
		return
	}
	*l = append(*l, f)
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// newFact assembles a fact; the ID joins kind, source, field and qualifier.
func newFact(kind, source, field, qualifier string, priority int, p *phrase, value float64, unit string) Fact {
	id := kind + ":" + source
	for _, part := range []string{field, qualifier} {
		if part != "" {
			id += ":" + part
		}
	}
	return Fact{ID: id, Kind: kind, Text: p.String(), Source: source, Field: field, Value: value, Unit: unit,
		Priority: priority, Numbers: append([]float64{}, p.numbers...)}
}

// phrase writes a fact's sentence and records every quantity it prints, rounded as printed. Quantities go
// through num and count: p.printf("%s tok/s", p.num(x)).
type phrase struct {
	text    strings.Builder
	numbers []float64
}

func (p *phrase) printf(format string, args ...any) { fmt.Fprintf(&p.text, format, args...) }

func (p *phrase) String() string { return p.text.String() }

// num prints x rounded for reading and records the printed value.
func (p *phrase) num(x float64) string {
	r := roundForText(x)
	p.numbers = append(p.numbers, r)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func (p *phrase) count(n int) string { return p.num(float64(n)) }

// countOf prints a count with its noun, "1 run" or "36 runs".
func (p *phrase) countOf(n int, noun string) string {
	if n == 1 {
		return p.count(n) + " " + noun
	}
	return p.count(n) + " " + noun + "s"
}

// quote returns free text (a note, a skip reason) and records the standalone numbers in it.
func (p *phrase) quote(text string) string {
	for _, word := range strings.Fields(text) {
		if x, ok := parseNumber(strings.Trim(word, ",;:()")); ok {
			p.numbers = append(p.numbers, x)
		}
	}
	return text
}

// withUnit prints a quantity followed by its unit, if it has one.
func (p *phrase) withUnit(x float64, unit string) string {
	if unit == "" {
		return p.num(x)
	}
	return p.num(x) + " " + unit
}

// roundForText rounds to 2 decimals from 1 upwards and to 3 significant digits below 1. It goes through the
// decimal text so that the result prints exactly as rounded.
func roundForText(x float64) float64 {
	text := strconv.FormatFloat(x, 'f', 2, 64)
	if math.Abs(x) < 1 {
		text = strconv.FormatFloat(x, 'g', 3, 64)
	}
	r, _ := strconv.ParseFloat(text, 64)
	if r == 0 {
		return 0 // not -0
	}
	return r
}

// ---- Inventory-level facts ----

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
	l.add(newFact(FactFailures, dir, "", "rollup", priorityFailureRollup, &p, float64(failed), "files"))
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

// failureKinds sorts failure messages into causes by marker words, first match wins.
var failureKinds = []struct {
	cause   string
	markers []string
}{
	{"timeout", []string{"timed out", "timeout", "deadline exceeded"}},
	{"out of memory", []string{"out of memory", "oom"}},
	{"connection error", []string{"connect", "refused", "unreachable", "winerror 10049", "url", "host", "address"}},
	{"missing dependency", []string{"not installed", "no module", "cannot find"}},
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
	lower := strings.ToLower(message)
	for _, k := range failureKinds {
		if containsAny(lower, k.markers...) {
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

// ---- Table-level facts ----

// tableView is a table with its column roles resolved: the unit of fact finding.
type tableView struct {
	file  *FileFacts
	t     *table
	ok    []record
	roles map[role][]int // columns by role, in column order
}

func newTableView(f *FileFacts, t *table) *tableView {
	v := &tableView{file: f, t: t, ok: t.succeeded(), roles: map[role][]int{}}
	for i, c := range t.columns {
		if r := roleOf(c); r != roleNone {
			v.roles[r] = append(v.roles[r], i)
		}
	}
	return v
}

func (v *tableView) addFacts(l *factList) {
	v.addMetricSummaries(l)
	v.addGroupMeans(l)
	v.addBestConfig(l)
	v.addParamEffects(l)
	v.addColdStarts(l)
	v.addTimeShares(l)
	v.addFailures(l)
	v.addCompletion(l)
	v.addSpeedups(l)
	v.addKernelTimes(l)
}

// fact makes a fact about this table's file, ranked lower when the file is markdown, and about its test when
// the table holds one test of a llama-bench table.
func (v *tableView) fact(kind string, col int, qualifier string, priority int, p *phrase, value float64, unit string) Fact {
	if v.file.Kind == KindMarkdown {
		priority -= markdownPenalty
	}
	field := ""
	if col >= 0 {
		field = v.t.field(col)
	}
	if v.t.test == "" {
		return newFact(kind, v.file.Path, field, qualifier, priority, p, value, unit)
	}
	f := newFact(kind, v.file.Path, field, strings.TrimSuffix(v.t.test+"/"+qualifier, "/"), priority, p, value, unit)
	f.Text = v.t.test + ": " + f.Text
	return f
}

// column returns the first column with role r.
func (v *tableView) column(r role) (int, bool) {
	cols := v.roles[r]
	if len(cols) == 0 {
		return -1, false
	}
	return cols[0], true
}

// unit is the unit of column col: from the export's units row, else tok/s for throughput, else the name's
// suffix (_ms, _us, _s).
func (v *tableView) unit(col int) string {
	if v.t.units != nil && v.t.units[col] != "" {
		return v.t.units[col]
	}
	if roleOf(v.t.columns[col]) == roleThroughput {
		return "tok/s"
	}
	name := normalizeColumn(v.t.columns[col])
	for _, suffix := range []string{"ms", "us", "s"} {
		if name == suffix || strings.HasSuffix(name, "_"+suffix) {
			return suffix
		}
	}
	return ""
}

func (v *tableView) addMetricSummaries(l *factList) {
	for _, m := range []struct {
		role     role
		kind     string
		priority int
	}{{roleThroughput, FactThroughput, priorityThroughput}, {roleTTFT, FactTTFT, priorityTTFT}} {
		for _, col := range v.roles[m.role] {
			xs := v.t.numbers(col)
			if len(xs) == 0 {
				continue
			}
			s, unit := Summarize(xs), v.unit(col)
			var p phrase
			if s.N == 1 {
				p.printf("%s %s (single value)", v.t.field(col), p.withUnit(s.Mean, unit))
			} else {
				p.printf("%s mean %s ± %s, median %s, p95 %s", v.t.field(col), p.num(s.Mean), p.withUnit(s.SD, unit),
					p.num(s.Median), p.num(s.P95))
				if cv := CV(xs); isFinite(cv) {
					p.printf(", CV %s%%", p.num(100*cv))
				}
				p.printf(", n=%s", p.count(s.N))
			}
			l.add(v.fact(m.kind, col, "", m.priority, &p, s.Mean, unit))
		}
	}
}

// group is the records sharing the same cells in key columns, with their values of one measured column.
type group struct {
	cells []string // the key cells
	xs    []float64
}

// groupBy splits the successful records by their cells in keys and collects column col's numbers, groups in
// order of first appearance; groups without numbers are left out.
func (v *tableView) groupBy(keys []int, col int) []*group {
	var groups []*group
	byKey := map[string]*group{}
	for _, r := range v.ok {
		if math.IsNaN(r.values[col]) {
			continue
		}
		cells := make([]string, len(keys))
		for i, k := range keys {
			cells[i] = r.cells[k]
		}
		key := strings.Join(cells, "\x00")
		g := byKey[key]
		if g == nil {
			g = &group{cells: cells}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.xs = append(g.xs, r.values[col])
	}
	return groups
}

// distinct counts the different non-empty cells of column col among the successful records.
func (v *tableView) distinct(col int) int {
	seen := map[string]bool{}
	for _, r := range v.ok {
		if r.cells[col] != "" {
			seen[r.cells[col]] = true
		}
	}
	return len(seen)
}

// groupColumn picks the column to group by: the most preferred grouping column that takes at least two
// values.
func (v *tableView) groupColumn() (int, bool) {
	for _, name := range groupPreference {
		for _, col := range v.roles[roleGroup] {
			if roleName(v.t.columns[col]) == name && v.distinct(col) >= 2 {
				return col, true
			}
		}
	}
	return -1, false
}

// varyingGrid returns the grid parameter columns that take at least two values.
func (v *tableView) varyingGrid() []int {
	var cols []int
	for _, r := range gridRoles {
		for _, col := range v.roles[r] {
			if v.distinct(col) >= 2 {
				cols = append(cols, col)
			}
		}
	}
	return cols
}

// byMean orders groups by their mean, highest first for throughput and lowest first otherwise: best first.
func byMean(groups []*group, higherIsBetter bool) {
	slices.SortStableFunc(groups, func(a, b *group) int {
		if higherIsBetter {
			return cmp.Compare(mean(b.xs), mean(a.xs))
		}
		return cmp.Compare(mean(a.xs), mean(b.xs))
	})
}

// listGroups prints "label mean, label mean unit" and the runs per group, "(n=5 each)" when equal. Numeric
// labels (parameter levels) are quantities and recorded as such.
func listGroups(p *phrase, groups []*group, unit string, numericLabels bool) {
	for i, g := range groups[:min(len(groups), maxListed)] {
		if i > 0 {
			p.printf(", ")
		}
		label := strings.Join(g.cells, "/")
		if value, ok := parseNumber(label); ok && numericLabels {
			label = p.num(value)
		}
		p.printf("%s → %s", label, p.num(mean(g.xs)))
		if !equalSizes(groups) {
			p.printf(" (n=%s)", p.count(len(g.xs)))
		}
	}
	if unit != "" {
		p.printf(" %s", unit)
	}
	if extra := len(groups) - maxListed; extra > 0 {
		p.printf(", and %s more", p.count(extra))
	}
	if equalSizes(groups) {
		p.printf(" (n=%s each)", p.count(len(groups[0].xs)))
	}
}

func equalSizes(groups []*group) bool {
	for _, g := range groups {
		if len(g.xs) != len(groups[0].xs) {
			return false
		}
	}
	return true
}

func (v *tableView) addGroupMeans(l *factList) {
	by, ok := v.groupColumn()
	if !ok {
		return
	}
	for _, m := range []struct {
		role     role
		priority int
	}{{roleThroughput, priorityGroupThroughput}, {roleTTFT, priorityGroupTTFT}} {
		for _, col := range v.roles[m.role] {
			groups := v.groupBy([]int{by}, col)
			if len(groups) < 2 {
				continue
			}
			byMean(groups, m.role == roleThroughput)
			var p phrase
			p.printf("mean %s by %s: ", v.t.field(col), v.t.columns[by])
			listGroups(&p, groups, v.unit(col), false)
			writeWelch(&p, groups[0], groups[1])
			l.add(v.fact(FactGroupMeans, col, v.t.columns[by], m.priority, &p, mean(groups[0].xs), v.unit(col)))
		}
	}
}

// writeWelch adds the Welch test of the two best groups when both have at least two values.
func writeWelch(p *phrase, best, second *group) {
	w := Welch(best.xs, second.xs)
	if !isFinite(w.P) {
		return
	}
	p.printf("; %s vs %s: Welch ", strings.Join(best.cells, "/"), strings.Join(second.cells, "/"))
	if w.P < 0.001 {
		p.printf("p < %s", p.num(0.001))
	} else {
		p.printf("p = %s", p.num(w.P))
	}
}

// addBestConfig ranks the configurations of a parameter sweep by mean throughput. When the table also varies
// a model or quantisation, that is part of the configuration.
func (v *tableView) addBestConfig(l *factList) {
	keys := v.varyingGrid()
	tp, ok := v.column(roleThroughput)
	if len(keys) == 0 || !ok {
		return
	}
	if by, grouped := v.groupColumn(); grouped {
		keys = append([]int{by}, keys...)
	}
	configs := v.groupBy(keys, tp)
	if len(configs) < 2 {
		return
	}
	byMean(configs, true)
	best, second, worst := configs[0], configs[1], configs[len(configs)-1]
	names := make([]string, len(keys))
	for i, col := range keys {
		names[i] = v.t.columns[col]
	}
	unit := v.unit(tp)
	var p phrase
	p.printf("best %s by %s: %s at %s (runner-up %s at %s; worst %s; %s, %s)",
		strings.Join(names, "/"), v.t.field(tp), describeConfig(&p, names, best), p.withUnit(mean(best.xs), unit),
		describeConfig(&p, names, second), p.num(mean(second.xs)), p.num(mean(worst.xs)),
		p.countOf(len(configs), "config"), runsPerConfig(&p, configs))
	l.add(v.fact(FactBestConfig, tp, strings.Join(names, "/"), priorityBestConfig, &p, mean(best.xs), unit))
}

// describeConfig prints "num_gpu=60, num_ctx=2048, temperature=0.8".
func describeConfig(p *phrase, names []string, g *group) string {
	parts := make([]string, len(names))
	for i, name := range names {
		value := g.cells[i]
		if x, ok := parseNumber(value); ok {
			value = p.num(x)
		}
		parts[i] = name + "=" + value
	}
	return strings.Join(parts, ", ")
}

func runsPerConfig(p *phrase, configs []*group) string {
	lo, hi := len(configs[0].xs), len(configs[0].xs)
	for _, c := range configs {
		lo, hi = min(lo, len(c.xs)), max(hi, len(c.xs))
	}
	if lo == hi {
		return p.countOf(lo, "run") + " each"
	}
	return "between " + p.count(lo) + " and " + p.count(hi) + " runs each"
}

// addParamEffects gives, for sweeps over several parameters, the mean throughput at each level of each one.
func (v *tableView) addParamEffects(l *factList) {
	grid := v.varyingGrid()
	tp, ok := v.column(roleThroughput)
	if len(grid) < 2 || !ok {
		return
	}
	for _, col := range grid {
		levels := v.groupBy([]int{col}, tp)
		if len(levels) < 2 {
			continue
		}
		slices.SortStableFunc(levels, func(a, b *group) int { return compareCells(a.cells[0], b.cells[0]) })
		var p phrase
		p.printf("mean %s by %s: ", v.t.field(tp), v.t.columns[col])
		listGroups(&p, levels, v.unit(tp), true)
		l.add(v.fact(FactParamEffect, tp, v.t.columns[col], priorityParamEffect, &p, mean(levels[0].xs), v.unit(tp)))
	}
}

// compareCells orders cells numerically when both are numbers, as text otherwise.
func compareCells(a, b string) int {
	x, okA := parseNumber(a)
	y, okB := parseNumber(b)
	if okA && okB {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// addColdStarts finds a first TTFT far above the rest (per group when the table has groups): a model load
// that the mean would hide. Sweeps are left out, their rows are not repetitions of one request.
func (v *tableView) addColdStarts(l *factList) {
	ttft, ok := v.column(roleTTFT)
	if !ok || len(v.varyingGrid()) > 0 {
		return
	}
	by, grouped := v.groupColumn()
	if !grouped {
		v.addColdStart(l, ttft, "", "", v.t.numbers(ttft))
		return
	}
	for _, g := range v.groupBy([]int{by}, ttft) {
		v.addColdStart(l, ttft, v.t.columns[by], g.cells[0], g.xs)
	}
}

func (v *tableView) addColdStart(l *factList, col int, groupColumn, groupName string, xs []float64) {
	if len(xs) < 3 {
		return
	}
	first, rest := xs[0], xs[1:]
	warm := Summarize(rest)
	if first <= warm.Max || first < 3*warm.Median || warm.Median <= 0 {
		return
	}
	unit := v.unit(col)
	var p phrase
	p.printf("cold start")
	if groupName != "" {
		p.printf(" for %s %s", groupColumn, groupName)
	}
	p.printf(": first %s %s vs median %s of the other %s (%s× slower)", v.t.field(col),
		p.withUnit(first, unit), p.withUnit(warm.Median, unit), p.countOf(warm.N, "row"), p.num(first/warm.Median))
	l.add(v.fact(FactColdStart, col, groupName, priorityColdStart, &p, first, unit))
}

// addTimeShares splits the summed request time into model load, prompt evaluation and generation.
func (v *tableView) addTimeShares(l *factList) {
	cols := make([]int, 0, 3)
	for _, r := range []role{roleLoad, rolePromptEval, roleEval} {
		col, ok := v.column(r)
		if !ok {
			return
		}
		cols = append(cols, col)
	}
	unit := v.unit(cols[0])
	if v.unit(cols[1]) != unit || v.unit(cols[2]) != unit {
		return
	}
	sums := make([]float64, len(cols))
	rows := 0
	for _, r := range v.ok {
		if slices.ContainsFunc(cols, func(c int) bool { return math.IsNaN(r.values[c]) }) {
			continue
		}
		for i, c := range cols {
			sums[i] += r.values[c]
		}
		rows++
	}
	total := sums[0] + sums[1] + sums[2]
	if rows == 0 || total <= 0 {
		return
	}
	var p phrase
	p.printf("time split over %s rows: load (%s) %s%%, prompt eval (%s) %s%%, eval (%s) %s%% of %s in total",
		p.count(rows), v.t.field(cols[0]), p.num(100*sums[0]/total), v.t.field(cols[1]), p.num(100*sums[1]/total),
		v.t.field(cols[2]), p.num(100*sums[2]/total), p.withUnit(total, unit))
	l.add(v.fact(FactTimeShares, cols[2], "", priorityTimeShares, &p, 100*sums[2]/total, "%"))
}

func (v *tableView) addFailures(l *factList) {
	failed := v.t.failures()
	if failed == 0 {
		return
	}
	var p phrase
	p.printf("%s of %s", p.count(failed), p.countOf(len(v.t.records), "row"))
	if v.t.name != "" {
		p.printf(" of %s", v.t.name)
	}
	p.printf(" failed (left out of the statistics): %s", describeFailures(&p, failureMessages([]*table{v.t})))
	priority := priorityPartialFailures
	if failed == len(v.t.records) {
		priority = priorityAllFailed
	}
	l.add(v.fact(FactFailures, -1, v.t.name, priority, &p, float64(failed), "rows"))
}

// addCompletion compares completed counts with attempted counts, as prompt-suite summaries report them.
func (v *tableView) addCompletion(l *factList) {
	done, okDone := v.column(roleCompleted)
	tried, okTried := v.column(roleAttempted)
	if !okDone || !okTried {
		return
	}
	var completed, attempted float64
	records := 0
	for _, r := range v.ok {
		if !math.IsNaN(r.values[done]) && !math.IsNaN(r.values[tried]) {
			completed += r.values[done]
			attempted += r.values[tried]
			records++
		}
	}
	if records == 0 {
		return
	}
	var p phrase
	p.printf("%s of %s completed (%s against %s, %s)", p.num(completed), p.num(attempted),
		v.t.field(done), v.t.field(tried), p.countOf(records, "record"))
	l.add(v.fact(FactCompletion, done, "", priorityCompletion, &p, completed, ""))
}

// addSpeedups compares backends with the eager one: eager latency divided by each backend's latency.
func (v *tableView) addSpeedups(l *factList) {
	latency, ok := v.column(roleLatency)
	if !ok {
		return
	}
	for _, by := range v.roles[roleGroup] {
		if eager, ok := v.eagerRecord(by, latency); ok {
			v.addSpeedup(l, by, latency, eager)
			return
		}
	}
}

// eagerRecord finds the single successful record named eager in column by, with a positive latency.
func (v *tableView) eagerRecord(by, latency int) (record, bool) {
	var found []record
	for _, r := range v.t.records {
		if strings.EqualFold(r.cells[by], "eager") {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0].failure != "" || !(found[0].values[latency] > 0) {
		return record{}, false
	}
	return found[0], true
}

func (v *tableView) addSpeedup(l *factList, by, latency int, eager record) {
	compile, hasCompile := v.column(roleCompileTime)
	unit := v.unit(latency)
	base := eager.values[latency]
	var p phrase
	p.printf("speedup vs eager (%s %s):", v.t.field(latency), p.withUnit(base, unit))
	best, listed := math.Inf(-1), 0
	var failed []string
	for _, r := range v.t.records {
		switch {
		case strings.EqualFold(r.cells[by], "eager"):
		case r.failure != "":
			failed = append(failed, r.cells[by]+" ("+failureCause(r.failure)+")")
		case r.values[latency] > 0:
			speedup := base / r.values[latency]
			p.printf("%s %s %s×", listSeparator(listed, ","), r.cells[by], p.num(speedup))
			if hasCompile && r.values[compile] > 0 {
				p.printf(" (compile %s)", p.withUnit(r.values[compile], v.unit(compile)))
			}
			best, listed = max(best, speedup), listed+1
		}
	}
	if listed == 0 {
		return
	}
	if len(failed) > 0 {
		p.printf("; failed: %s", strings.Join(failed, ", "))
	}
	l.add(v.fact(FactSpeedup, latency, v.t.columns[by], prioritySpeedup, &p, best, "×"))
}

// addKernelTimes reports each profiled kernel's duration, as Nsight Compute exports give it.
func (v *tableView) addKernelTimes(l *factList) {
	name, okName := v.column(roleKernelName)
	duration, okDuration := v.column(roleKernelTime)
	if !okName || !okDuration {
		return
	}
	for i, r := range v.ok {
		if math.IsNaN(r.values[duration]) {
			continue
		}
		var p phrase
		p.printf("kernel %s took %s (%s)", kernelShortName(r.cells[name]), p.withUnit(r.values[duration], v.unit(duration)),
			v.t.field(duration))
		l.add(v.fact(FactKernel, duration, strconv.Itoa(i+1), priorityKernel, &p, r.values[duration], v.unit(duration)))
	}
}

// kernelShortName drops a demangled signature's return type and parameter list:
// "void quantize_mmq_q8_1<1>(const float *, …)" → "quantize_mmq_q8_1<1>".
func kernelShortName(signature string) string {
	name, _, _ := strings.Cut(signature, "(")
	name = strings.TrimSpace(name)
	return name[strings.LastIndexByte(name, ' ')+1:]
}
