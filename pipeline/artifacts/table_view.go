package artifacts

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// tableView is a table with its column roles resolved: the unit of fact finding.
type tableView struct {
	file  *FileFacts
	t     *table
	ok    []record
	roles map[role][]int // columns by role, in column order
	role  []role         // each column's
	// sources is, for a family's table, its pattern and then the member files (see families.go); nil for the
	// table of one file.
	sources []string
	// comparesOnly restricts a family's table to the comparing analyses.
	comparesOnly bool
	// tooFewTokens marks, per record of ok, a call that generated fewer than minRateTokens tokens: its rate
	// says nothing about throughput.
	tooFewTokens []bool
	// inSweep marks the table of a file that belongs to a sweep: the insights compare its values with the other
	// files', so a single value of it is not a finding of its own.
	inSweep bool
	// outliers are, per column, the repetitions the insight types leave out (see excludeOutliers), with row an
	// index into ok; nil until usable first asks.
	outliers map[int][]outlier
	// kinds is each column's kind as the relation model reads it, kindUnread until asked (see kind)
	kinds   []columnKind
	columns *columnReader
}

// kindUnread marks a column of a tableView whose kind no analysis has asked for yet.
const kindUnread columnKind = -1

func newTableView(f *FileFacts, t *table) *tableView {
	v := &tableView{file: f, t: t, ok: t.succeeded(), roles: map[role][]int{}, role: make([]role, len(t.columns))}
	for i := range t.columns {
		v.role[i] = columnRole(t, i)
		if v.role[i] != roleNone {
			v.roles[v.role[i]] = append(v.roles[v.role[i]], i)
		}
	}
	v.tooFewTokens = v.markFewTokens()
	return v
}

// columnRole is column i's role by its name or, where the name says none, throughput by a rate unit: a log's
// "eval rate" in tokens/s. Other roles the unit would bring are not taken: "prompt eval rate" in tokens/s is
// no count of generated tokens. Epoch times have none, whatever their name.
func columnRole(t *table, i int) role {
	if t.holdsEpochTimes(i) {
		return roleNone
	}
	r := roleOf(t.columns[i])
	if r == roleNone && t.units != nil && roleOf(t.columns[i]+" "+t.units[i]) == roleThroughput {
		return roleThroughput
	}
	return r
}

// tableAnalysis is one kind of fact finding, named for the note that says it failed.
type tableAnalysis struct {
	name     string
	analyse  func(*tableView, *factList)
	compares bool
	// rollsUp marks a count that a sweep states once over all its files ("54 of 54 runs analysed no input")
	// rather than once per file.
	rollsUp bool
}

// tableAnalyses are the analyses every table goes through, each in a file of its own, in the order their facts
// are listed. The comparing ones also run on the table of a family whose members keep facts of their own (see
// family.pooled); the others would only restate those.
var tableAnalyses = []tableAnalysis{
	{"metric summaries", (*tableView).addMetricSummaries, false, false},
	{"concurrency", (*tableView).addConcurrency, true, false},
	{"group means", (*tableView).addGroupMeans, true, false},
	{"best config", (*tableView).addBestConfig, false, false},
	{"parameter effects", (*tableView).addParamEffects, false, false},
	{"cold starts", (*tableView).addColdStarts, false, false},
	{"time shares", (*tableView).addTimeShares, false, false},
	{"failures", (*tableView).addFailures, false, false},
	{"completion", (*tableView).addCompletion, false, false},
	{"no input", (*tableView).addNoInput, false, true},
	{"speedups", (*tableView).addSpeedups, false, false},
	{"kernel times", (*tableView).addKernelTimes, false, false},
}

func (v *tableView) addFacts(l *factList) {
	for _, a := range tableAnalyses {
		if (a.compares || !v.comparesOnly) && !(a.rollsUp && v.inSweep) {
			v.run(a, l)
		}
	}
}

// addRollups runs the analyses that a sweep states once over all its files on the sweep's stacked table.
func (v *tableView) addRollups(l *factList) {
	for _, a := range tableAnalyses {
		if a.rollsUp {
			v.run(a, l)
		}
	}
}

// run adds the facts of one analysis of the table. A panic is a bug of that analysis on this table's data: it
// costs only that analysis's facts about this table, half-made ones included, which a note replaces.
func (v *tableView) run(a tableAnalysis, l *factList) {
	var found factList
	defer func() {
		if r := recover(); r != nil {
			l.add(v.analysisFailure(a.name, r))
			return
		}
		*l = append(*l, found...)
	}()
	a.analyse(v, &found)
}

func (v *tableView) analysisFailure(analysis string, panicValue any) Fact {
	var p phrase
	p.printf("the %s analysis failed on %s and gave no facts: %s", analysis, v.t.label(),
		p.quote(fmt.Sprint(panicValue)))
	return v.fact(FactNote, -1, "failed:"+analysis, priorityNote, &p, 0, "")
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
	if v.t.test != "" {
		qualifier = strings.TrimSuffix(v.t.test+"/"+qualifier, "/")
	}
	f := newFact(kind, v.file.Path, field, qualifier, priority, p, value, unit)
	if v.t.test != "" {
		f.Text = v.t.test + ": " + f.Text
	}
	if v.sources != nil {
		f.Sources = slices.Clone(v.sources)
	}
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

// primaryMetric is what a sweep is judged by: the concurrency speedup where the table has one, else
// throughput.
func (v *tableView) primaryMetric() (int, bool) {
	if col, ok := v.column(roleSpeedup); ok {
		return col, true
	}
	return v.column(roleThroughput)
}

// higherIsBetter says which way a measured role improves: every one but TTFT and latencies rises.
func higherIsBetter(r role) bool { return r != roleTTFT && r != roleLatency }

// unit is the unit of column col: from the export's units row, else tok/s for throughput, × for speedup, %
// for efficiency, else the name's suffix (_ms, _us, _s).
func (v *tableView) unit(col int) string {
	if v.t.units != nil && v.t.units[col] != "" {
		return v.t.units[col]
	}
	switch v.role[col] {
	case roleThroughput:
		return "tok/s"
	case roleSpeedup:
		return "×"
	case roleEfficiency:
		return "%"
	}
	name := normalizeColumn(v.t.columns[col])
	for _, suffix := range []string{"ms", "us", "s"} {
		if name == suffix || strings.HasSuffix(name, "_"+suffix) {
			return suffix
		}
	}
	return ""
}

// minRateTokens is the fewest generated tokens whose rate counts as throughput: a call that produced nothing
// (an empty answer, a refusal, a request that failed quietly) reports 0 tok/s, or a rate over a handful of
// tokens that timer resolution dominates.
const minRateTokens = 5

func (v *tableView) markFewTokens() []bool {
	col, ok := v.column(roleGenerated)
	if !ok {
		return nil
	}
	few := make([]bool, len(v.ok))
	for i, r := range v.ok {
		few[i] = r.values[col] < minRateTokens // NaN compares false: an unknown count keeps the row
	}
	return few
}

// usable reports whether record i of ok has a value in column col that statistics may use: a rate needs a
// call that generated enough tokens and a rate above zero.
func (v *tableView) usable(i, col int) bool {
	x := v.ok[i].values[col]
	if math.IsNaN(x) || v.isOutlier(i, col) {
		return false
	}
	if v.role[col] != roleThroughput {
		return true
	}
	return x > 0 && (v.tooFewTokens == nil || !v.tooFewTokens[i])
}

// values returns column col's usable values over the successful records.
func (v *tableView) values(col int) []float64 {
	var xs []float64
	for i, r := range v.ok {
		if v.usable(i, col) {
			xs = append(xs, r.values[col])
		}
	}
	return xs
}

// isOutlier reports whether record i of ok holds an outlier in column col: by the rule the insight types
// leave outliers out by (see outlyingSamples), among the records of its configuration, so that these analyses
// and the insight types leave out the same values.
func (v *tableView) isOutlier(i, col int) bool {
	if v.outliers == nil {
		v.outliers = v.findOutliers()
	}
	return slices.ContainsFunc(v.outliers[col], func(o outlier) bool { return o.row == i })
}

// findOutliers finds each measure column's outliers among the records of each configuration: the records that
// share every setting (the columns the relation model reads as dimensions). Each outlier's row is an index
// into ok. A column that holds one cell throughout neither tells configurations apart nor holds an outlier.
func (v *tableView) findOutliers() map[int][]outlier {
	var settings, measures []int
	for col := range v.t.columns {
		switch {
		case v.constant(col):
		case v.kind(col) == kindDimension:
			settings = append(settings, col)
		case v.kind(col) == kindMeasure:
			measures = append(measures, col)
		}
	}
	varying := v.settingsVaryingWithin(nil)
	var configs [][]int
	index := map[string]int{}
	for i, r := range v.ok {
		key := keyOf(r, settings)
		if _, seen := index[key]; !seen {
			index[key] = len(configs)
			configs = append(configs, nil)
		}
		configs[index[key]] = append(configs[index[key]], i)
	}
	found := map[int][]outlier{}
	for _, col := range measures {
		for _, rows := range configs {
			found[col] = append(found[col], v.outliersAmong(rows, col, varying)...)
		}
	}
	return found
}

// outliersAmong are the outliers of column col among one configuration's records, named by the settings that
// vary in the table.
func (v *tableView) outliersAmong(rows []int, col int, varying []int) []outlier {
	samples, at := make([]float64, 0, len(rows)), make([]int, 0, len(rows))
	for _, i := range rows {
		if x := v.ok[i].values[col]; !math.IsNaN(x) {
			samples, at = append(samples, x), append(at, i)
		}
	}
	var out []outlier
	for _, j := range outlyingSamples(samples) {
		r := v.ok[at[j]]
		names := make([]string, 0, len(varying))
		for _, s := range varying {
			if r.cells[s] != "" {
				names = append(names, v.t.columns[s]+"="+r.cells[s])
			}
		}
		out = append(out, outlier{config: strings.Join(names, ", "), row: at[j], value: samples[j],
			median: stats.Median(samples), z: stats.RobustZ(samples)[j], cv: stats.CV(samples),
			places: int(parseCell(r.cells[col]).decimals)})
	}
	return out
}

// writeOutliers says which outliers of column col the analysis left out.
func (v *tableView) writeOutliers(p *phrase, col int) {
	if v.outliers != nil {
		writeLeftOutliers(p, v.outliers[col])
	}
}

// unusableRates counts the successful records whose rate in column col is left out: 0 tok/s, or too few tokens.
func (v *tableView) unusableRates(col int) int {
	n := 0
	for i, r := range v.ok {
		if !math.IsNaN(r.values[col]) && !v.usable(i, col) && !v.isOutlier(i, col) {
			n++
		}
	}
	return n
}

// coldFactor is how many times the fastest model load of its table (or, without load times, the fastest
// TTFT) a call's must take for the call to count as cold: a first call, or a reload after the settings
// changed. A warm call's load is the runner's fixed overhead, which the fastest one shows; a median would
// miss the reloads of a sweep that reloads more often than not.
const coldFactor = 10

// minColdBaseline is the fewest calls among which coldRows looks for cold ones: fewer, such as a table of
// per-model means, say nothing about a warm call's load.
const minColdBaseline = 5

// coldRows marks, per record of ok, the cold calls behind TTFT column ttft: by the load time of the same
// call where the table has one, by the TTFT itself otherwise. It is nil for other columns, and when no call
// is cold.
func (v *tableView) coldRows(ttft int) []bool {
	if v.role[ttft] != roleTTFT {
		return nil
	}
	col := v.coldColumn(ttft)
	xs := slices.DeleteFunc(v.values(col), func(x float64) bool { return x <= 0 })
	if len(xs) < minColdBaseline {
		return nil
	}
	fastest := slices.Min(xs)
	cold, any := make([]bool, len(v.ok)), false
	for i, r := range v.ok {
		cold[i] = r.values[col] >= coldFactor*fastest
		any = any || cold[i]
	}
	if !any {
		return nil
	}
	return cold
}

// coldColumn is the load column that times the calls of TTFT column ttft: the only one, or the one whose name
// starts as the TTFT column's does (collector_load_ms beside collector_ttft_ms); the TTFT column itself when
// there is none.
func (v *tableView) coldColumn(ttft int) int {
	loads := v.roles[roleLoad]
	if len(loads) == 1 && len(v.roles[roleTTFT]) == 1 {
		return loads[0]
	}
	owner := agentPrefix(v.t.columns[ttft])
	for _, col := range loads {
		if owner != "" && agentPrefix(v.t.columns[col]) == owner {
			return col
		}
	}
	return ttft
}

// agentPrefix is the first word of a column's last key: the agent or phase a multi-agent table names its
// columns after.
func agentPrefix(column string) string {
	first, _, _ := strings.Cut(normalizeColumn(lastKey(column)), "_")
	return first
}

// coldRule says how coldRows decided, for the facts that set cold calls apart: "load_s ≥ 10× its fastest".
func (v *tableView) coldRule(p *phrase, ttft int) string {
	return v.t.field(v.coldColumn(ttft)) + " ≥ " + p.count(coldFactor) + "× its fastest"
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

// poolsRepeatedConfigs reports whether the groups of keys pool configurations that were each repeated (rows of
// one configuration, or a spread or samples column stating the runs behind a row): rows that differ in another
// setting (a column the relation model reads as a dimension) are different configurations, never repetitions
// of one, and where each was repeated its own runs give the noise that a pooled mean would mistake the other
// settings' effects for. The insights compare within the configurations instead.
func (v *tableView) poolsRepeatedConfigs(keys []int) bool {
	settings := v.settingsVaryingWithin(keys)
	if len(settings) == 0 {
		return false
	}
	return v.statesRuns() || v.repeated(append(slices.Clone(keys), settings...))
}

// statesRuns reports whether a column states the runs behind a row: a spread (stddev_ts) or samples (samples_ts).
func (v *tableView) statesRuns() bool {
	for col := range v.t.columns {
		if kind := v.kind(col); kind == kindSpread || kind == kindSamples {
			return true
		}
	}
	return false
}

// settingsVaryingWithin are the settings (the columns the relation model reads as dimensions) that take two or
// more values among the rows of one group of keys.
func (v *tableView) settingsVaryingWithin(keys []int) []int {
	var out []int
	for col := range v.t.columns {
		if !slices.Contains(keys, col) && !v.constant(col) && v.variesWithin(keys, col) && v.kind(col) == kindDimension {
			out = append(out, col)
		}
	}
	return out
}

// kind is column col's kind as the relation model reads it, read once asked: most analyses need the kinds of
// the few columns that vary.
func (v *tableView) kind(col int) columnKind {
	if v.kinds == nil {
		v.kinds = slices.Repeat([]columnKind{kindUnread}, len(v.t.columns))
		v.columns = newColumnReader(v.t)
	}
	if v.kinds[col] == kindUnread {
		v.kinds[col], _ = v.columns.read(col)
	}
	return v.kinds[col]
}

// constant reports whether column col holds one cell, the same text, in every successful record.
func (v *tableView) constant(col int) bool {
	return !slices.ContainsFunc(v.ok, func(r record) bool { return r.cells[col] != v.ok[0].cells[col] })
}

// variesWithin reports whether column col takes two known values among rows that agree on keys.
func (v *tableView) variesWithin(keys []int, col int) bool {
	seen := map[string]string{}
	for _, r := range v.ok {
		if r.cells[col] == "" {
			continue
		}
		key := keyOf(r, keys)
		if value, ok := seen[key]; ok && value != r.cells[col] {
			return true
		}
		seen[key] = r.cells[col]
	}
	return false
}

// repeated reports whether some configuration of keys holds two or more rows.
func (v *tableView) repeated(keys []int) bool {
	seen := map[string]bool{}
	for _, r := range v.ok {
		key := keyOf(r, keys)
		if seen[key] {
			return true
		}
		seen[key] = true
	}
	return false
}

func keyOf(r record, keys []int) string {
	var key strings.Builder
	for _, k := range keys {
		key.WriteString(r.cells[k] + "\x00")
	}
	return key.String()
}
