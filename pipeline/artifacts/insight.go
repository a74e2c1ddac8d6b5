package artifacts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// The insight engine follows Tang et al. (SIGMOD 2017) and QuickInsights (SIGMOD 2019): a measure broken down
// by one dimension within a subspace (the other dimensions fixed) is a series; each insight type tests series
// for one pattern with its own significance. Benchmark data changes two things: impact is the share of the
// relation's rows an insight speaks for times its effect size, not a share of a sum; and noise is often stated
// (± columns, repetitions), so significance comes from it where it exists.

// insightType is one pattern. find returns at most one insight per (relation, measure, dimension): an
// insight lists the subspaces it holds in, so one pattern is never reported once per subspace.
type insightType struct {
	kind string
	find func(rel *relation, m *measure, by *dimension, b breakdown) *insight
}

// breakdown is a measure broken down by one dimension within each subspace of the others: over the series
// pooled across the dimensions that do not move the measure (see pooledDims), and over the table's own cells,
// which a paired comparison matches first. The two are the same where nothing is pooled.
type breakdown struct {
	series []*series
	cells  []*series
}

// pooled reports whether pooling joined any cells: it leaves fewer subspaces, so fewer series.
func (b breakdown) pooled() bool { return len(b.series) != len(b.cells) }

// insightTypes are registered in the order their facts are listed at equal score; adding a type is one file
// and one line here.
var insightTypes = []insightType{
	{FactBestLevel, findBestLevel},
	{FactEffect, findEffect},
	{FactTrend, findTrend},
	{FactRatio, findRatio},
	{FactNearTie, findNearTie},
	{FactAgainstBaseline, findAgainstBaseline},
	{FactPair, findPair},
}

// relationInsightTypes look at a measure over the whole relation, without a breakdown.
var relationInsightTypes = []struct {
	kind string
	find func(rel *relation, m *measure) *insight
}{
	{FactDistribution, findDistribution},
}

// tableInsightTypes look at the relation's rows as configurations.
var tableInsightTypes = []struct {
	kind string
	find func(rel *relation) *insight
}{
	{FactFit, findFit},
	{FactOutlier, findOutliers},
	{FactZeroTimes, findZeroTimes},
	{FactFailedRows, findFailedRows},
	{FactTail, findTail},
	{FactConsistency, findConsistency},
	{FactStreamRates, findStreamRates},
	{FactScaling, findScaling},
	{FactRequestErrors, findRequestErrors},
	{FactSortOrder, findSortOrder},
	{FactHeadroom, findHeadroom},
	{FactColdLoad, findColdLoads},
}

// insight is a pattern found, with its score parts.
type insight struct {
	subject      string // what it is about, "avg_ts by toolbox": part of the fact's ID
	text         *phrase
	value        float64
	unit         string
	coverage     float64 // share of the relation's rows the insight speaks for
	effect       float64 // relative size of the effect, 0 to 1
	significance float64 // 1 − p, or what stands for it where no p-value can be computed
	breakdown    string  // the measure and dimension a breakdown's insight is about; "" for other insights
}

// series is one measure along one dimension within one subspace.
type series struct {
	subspace string // the other dimensions' levels, "model=8B, quant=Q4_0"; "" when there are none
	points   []point
	rows     int
	firstRow int // a row of the subspace, where its levels can be read
}

// point is one level of a series: the measure's values in the rows at that level.
type point struct {
	level    string
	x        float64 // the level as a number, NaN when it is not one
	mean     float64
	sd       float64   // NaN when unknown
	n        int       // how many values the mean is over; 0 when the source states a mean ± sd without it
	rows     int       // how many of the relation's rows are at this level
	row      int       // the first of them, where the level's other dimensions can be read
	samples  []float64 // the values, when known
	decimals int
	sdPlaces int           // the digits the source writes the sd with; -1 when the sd is computed here
	missing  missingReason // why there is no value, when there is none
}

func (p point) ok() bool { return !math.IsNaN(p.mean) }

// maxInsightsPerRelation is how many insights one relation contributes: the best scoring ones, each scoring at
// least minInsightScore.
const (
	maxInsightsPerRelation = 8
	minInsightScore        = 0.05
)

// addSweepInsights adds the insights of every table: the tables of one sweep together (see findSweeps), the
// others one by one.
func (l *factList) addSweepInsights(sweeps []*sweepFamily, singles []fileTable) {
	for _, sw := range sweeps {
		l.addStackedInsights(sw)
	}
	for _, ft := range singles {
		l.addTableInsights(ft.file.Path, nil, ft.file.Kind, ft.t)
	}
}

// addStackedInsights adds the insights of a sweep's tables, stacked into one, and the counts it rolls up.
func (l *factList) addStackedInsights(sw *sweepFamily) {
	t := sw.table()
	sw.releaseRecords()
	at := insightSubject{source: sw.pattern(), label: t.label(), name: t.name}
	relations := l.readRelations(at, sw.sources(), sw.kind, t)
	// The rollups follow the insights, but are found first, with the column kinds the relations were read with:
	// the stacked table, as large as the sweep's files together, is then free.
	var rollups factList
	v := newTableView(&FileFacts{Path: sw.pattern(), Kind: sw.kind}, t)
	v.sources, v.kinds = sw.sources(), t.kinds
	v.addRollups(&rollups)
	l.addRelationInsights(at, relations)
	*l = append(*l, rollups...)
}

// addTableInsights reads a table as relations and adds their insights.
func (l *factList) addTableInsights(source string, sources []string, kind string, t *table) {
	at := insightSubject{source: source, label: t.label(), name: t.name}
	l.addRelationInsights(at, l.readRelations(at, sources, kind, t))
}

// insightSubject names the table whose insights are sought, for the note that says they failed: a name kept
// apart from the table, which can go once read.
type insightSubject struct{ source, label, name string }

func (l *factList) readRelations(at insightSubject, sources []string, kind string, t *table) []*relation {
	defer l.noteFailedInsights(at)
	return newRelation(at.source, sources, kind, t)
}

func (l *factList) addRelationInsights(at insightSubject, relations []*relation) {
	defer l.noteFailedInsights(at)
	var found factList
	for _, rel := range relations {
		found.addInsights(rel, maxInsightsPerRelation)
	}
	*l = append(*l, found...)
}

// noteFailedInsights, deferred, turns a panic of the insight engine into a note. Such a panic is a bug of the
// engine on one table's data: it costs only that table's insights (as tableView.run does for the other
// analyses), half-made ones included.
func (l *factList) noteFailedInsights(at insightSubject) {
	if r := recover(); r != nil {
		var p phrase
		p.printf("the insight analysis failed on %s of %s and gave no facts: %s", at.label, at.source,
			p.quote(fmt.Sprint(r)))
		l.add(newFact(FactNote, at.source, at.name, "failed:insights", priorityNote, &p, 0, ""))
	}
}

// addInsights runs every insight type over every (measure, dimension) of the relation and adds the best
// scoring facts.
func (l *factList) addInsights(rel *relation, maxFacts int) {
	var c candidates
	for _, it := range tableInsightTypes {
		c.add(it.kind, it.find(rel))
	}
	dims := rel.independentDims()
	subspaces := make([]subspaces, len(dims))
	for i, by := range dims {
		subspaces[i] = rel.subspacesOf(by, dims)
	}
	for _, m := range rel.measures {
		rel.measureInsights(&c, m, dims, subspaces)
	}
	var order []int
	for i, in := range c.insights {
		// What could not be printed takes no place among the best.
		if in.score() >= minInsightScore && !slices.ContainsFunc(in.text.numbers, func(x float64) bool { return !isFinite(x) }) {
			order = append(order, i)
		}
	}
	score := func(i int) float64 { return c.insights[i].score() }
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score(b), score(a)) })
	order = oneInsightPerBreakdown(c.insights, order)
	rankWithinKinds(order, c.kinds, score)
	for _, i := range order[:min(len(order), maxFacts)] {
		l.add(rel.fact(c.kinds[i], c.insights[i]))
	}
}

// candidates are the insights found in a relation, each with its kind.
type candidates struct {
	insights []*insight
	kinds    []string
}

func (c *candidates) add(kind string, in *insight) {
	if in != nil {
		c.insights, c.kinds = append(c.insights, in), append(c.kinds, kind)
	}
}

// measureInsights runs the insight types over one measure: over the whole relation, then broken down by each
// dimension within the subspaces of the others, pooled over the dimensions that do not move it. A rate
// derived along a setting is broken down along that setting alone, and its source along every other.
func (rel *relation) measureInsights(c *candidates, m *measure, dims []*dimension, subspaces []subspaces) {
	first := len(c.insights)
	defer func() {
		for _, in := range c.insights[first:] {
			writeLeftOutliers(in.text, m.outliers)
		}
	}()
	if m.along == nil {
		for _, it := range relationInsightTypes {
			c.add(it.kind, it.find(rel, m))
		}
	}
	if !allPositive(m) {
		return // a change relative to zero or a negative value has no meaning: the breakdowns compare ratios
	}
	cells := make([][]*series, len(dims)) // the measure by each dimension within each subspace of the others
	for i, by := range dims {
		cells[i] = subspaces[i].series(m, by)
	}
	pooled := rel.pooledDims(dims, subspaces, cells)
	for i, by := range dims {
		if m.along != nil && by != m.along || by == m.restatedAlong {
			continue
		}
		if by.workload {
			continue // tests are compared with each other by no setting: settings are compared within each
		}
		b := breakdown{series: cells[i], cells: cells[i]}
		if len(pooled) > 0 {
			b.series = rel.subspacesOf(by, withPooled(dims, pooled, by)).series(m, by)
		}
		if len(b.series) == 0 {
			continue
		}
		for _, it := range insightTypes {
			in := it.find(rel, m, by, b)
			if in != nil && slices.Contains(restatingKinds, it.kind) {
				in.breakdown = m.name + " by " + by.name
			}
			c.add(it.kind, in)
		}
	}
}

// rankWithinKinds orders insights sorted best first so that each further insight of a kind counts for less:
// the k-th best of its kind competes at 1/k of its score. One prolific kind (a trend in each of four measures of
// the same runs) then cannot fill a relation's budget while another kind's best goes unsaid, and a weak kind
// does not take a place for being the only one of its kind.
func rankWithinKinds(order []int, kinds []string, score func(int) float64) {
	effective := make(map[int]float64, len(order))
	taken := map[string]int{}
	for _, i := range order {
		taken[kinds[i]]++
		effective[i] = score(i) / float64(taken[kinds[i]])
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(effective[b], effective[a]) })
}

// restatingKinds state one finding when they break a measure down by the same dimension: a trend prints each
// series' first-to-last ratio, which the ratio insight restates as their geometric mean ("6.36×" and "6.35×").
// The best level keeps its own fact: it names the subspace where the lead is largest, with its noise.
var restatingKinds = []string{FactTrend, FactRatio}

// oneInsightPerBreakdown keeps, of the insights ordered best first, the best of each breakdown's restating
// insights (see restatingKinds): one finding, said once in its best scoring form.
func oneInsightPerBreakdown(found []*insight, order []int) []int {
	stated := map[string]bool{}
	return slices.DeleteFunc(order, func(i int) bool {
		b := found[i].breakdown
		if b == "" {
			return false
		}
		seen := stated[b]
		stated[b] = true
		return seen
	})
}

// allPositive reports whether every value of a measure is above zero, as relative changes and ratios need.
func allPositive(m *measure) bool {
	return !slices.ContainsFunc(m.cells, func(c cell) bool { return c.isNumber() && c.value <= 0 })
}

// score is impact × significance: coverage times effect size, times 1 − p. Neither part of impact falls to
// zero: a large effect in a few configurations (a foreground app that doubles latency) is still worth reading,
// and so is a small one everywhere (a flat sweep).
func (in *insight) score() float64 {
	return (0.3 + 0.7*in.coverage) * (0.25 + 0.75*math.Min(1, in.effect)) * in.significance
}

// Insight priorities span minInsightPriority to maxInsightPriority by score, below the inventory and notes.
const (
	minInsightPriority = 45
	maxInsightPriority = 92
)

func (rel *relation) fact(kind string, in *insight) Fact {
	priority := minInsightPriority + int(math.Round(in.score()*(maxInsightPriority-minInsightPriority)))
	if rel.markdown {
		priority -= markdownPenalty / 5
	}
	f := newFact(kind, rel.source, rel.name, strings.ReplaceAll(in.subject, " ", "_"), priority, in.text, in.value, in.unit)
	if title := rel.title(); title != "" {
		f.Text = title + ": " + f.Text
	}
	f.Text = strings.Join(strings.Fields(f.Text), " ") // levels and messages may hold line breaks: a fact is one line
	if len(rel.sources) > 0 {
		f.Sources = slices.Clone(rel.sources)
	}
	return f
}

// varyingDims are the dimensions that take two or more levels.
func (rel *relation) varyingDims() []*dimension {
	var out []*dimension
	for _, d := range rel.dims {
		if len(d.distinct()) >= 2 {
			out = append(out, d)
		}
	}
	return out
}

func distinctLevels(levels []string) int {
	seen := map[string]bool{}
	for _, l := range levels {
		if l != "" {
			seen[l] = true
		}
	}
	return len(seen)
}

// subspaces are the rows of a relation grouped by the levels of every dimension but a breakdown's, in the
// order they first appear: the same for every measure.
type subspaces struct {
	keys []string
	rows map[string][]int
}

func (rel *relation) subspacesOf(by *dimension, dims []*dimension) subspaces {
	others := rel.subspaceDims(by, dims)
	index := map[string]int32{}
	rows, groupOf := make([]int, 0, rel.rows), make([]int32, 0, rel.rows)
	var sizes []int
	var key []byte // the row's key, made a string only for a subspace not seen before
	s := subspaces{}
	for row := 0; row < rel.rows; row++ {
		if by.levels[row] == "" {
			continue
		}
		key = appendSubspaceKey(key[:0], others, row)
		g, seen := index[string(key)]
		if !seen {
			g = int32(len(sizes))
			s.keys, sizes = append(s.keys, string(key)), append(sizes, 0)
			index[s.keys[g]] = g
		}
		rows, groupOf = append(rows, row), append(groupOf, g)
		sizes[g]++
	}
	s.rows = make(map[string][]int, len(s.keys))
	for g, group := range bucketRows(rows, groupOf, sizes) {
		s.rows[s.keys[g]] = group
	}
	return s
}

// series breaks measure m down by dimension by within each subspace.
func (s subspaces) series(m *measure, by *dimension) []*series {
	var out []*series
	for _, key := range s.keys {
		if ser := newSeries(key, m, by, s.rows[key]); ser != nil {
			out = append(out, ser)
		}
	}
	return out
}

// subspaceDims are the dimensions whose levels fix a subspace of a breakdown by by: not by, nor a label, nor
// by's whole, which fixes by's level. A part is left to its whole where both are there, but for by's siblings.
func (rel *relation) subspaceDims(by *dimension, dims []*dimension) []*dimension {
	return slices.DeleteFunc(slices.Clone(dims), func(d *dimension) bool {
		return d == by || rel.isLabel(d) || d == by.whole ||
			d.whole != nil && d.whole != by.whole && slices.Contains(dims, d.whole)
	})
}

// subspaceKey names a row's subspace by its levels of dims, leaving out those it has none of: "model=8B,
// quant=Q4_0".
func subspaceKey(dims []*dimension, row int) string {
	return string(appendSubspaceKey(nil, dims, row))
}

func appendSubspaceKey(key []byte, dims []*dimension, row int) []byte {
	for _, d := range dims {
		if d.levels[row] == "" {
			continue
		}
		if len(key) > 0 {
			key = append(key, ", "...)
		}
		key = append(key, d.name...)
		key = append(key, '=')
		key = append(key, d.levels[row]...)
	}
	return key
}

// newSeries gathers the rows of one subspace by level; nil when fewer than two levels hold a value or a reason.
func newSeries(subspace string, m *measure, by *dimension, rows []int) *series {
	groups := by.groupRows(rows)
	if len(groups) < 2 {
		return nil
	}
	s := &series{subspace: subspace, rows: len(rows), firstRow: rows[0], points: make([]point, len(groups))}
	for i, g := range groups {
		s.points[i] = point{level: by.levels[g[0]], x: by.values[g[0]]}
		s.points[i].summarize(m, g)
	}
	if by.ordered {
		slices.SortStableFunc(s.points, func(a, b point) int { return cmp.Compare(a.x, b.x) })
	}
	return s
}

// summarize sets a point's mean and spread from the measure's cells in its rows: repetitions written as rows
// or inside a cell give samples; a single mean ± sd gives the sd, with n where the text above the table
// states it; a single value gives neither.
func (p *point) summarize(m *measure, rows []int) {
	p.mean, p.sd, p.rows, p.row = math.NaN(), math.NaN(), len(rows), rows[0]
	values := make([]float64, 0, len(rows))
	var only cell // the cell of the value, when there is one
	for _, row := range rows {
		c := m.cells[row]
		switch {
		case c.isNumber():
			values = append(values, c.value)
			p.decimals = max(p.decimals, int(c.decimals))
			only = c
		case p.missing == notMissing && c.missing != missingEmpty && c.missing != missingText:
			p.missing = c.missing
		}
	}
	switch {
	case len(values) == 0:
		return
	case len(values) > 1:
		p.samples = values
	case only.runs != nil:
		p.samples = only.runs
	}
	p.sdPlaces = -1
	if p.samples != nil {
		p.mean, p.sd, p.n = stats.Mean(values), stats.SD(p.samples), len(p.samples)
		if m.harmonic {
			p.mean = harmonicMean(values)
		}
		return
	}
	p.mean, p.n = values[0], 1
	if !math.IsNaN(only.sd) {
		p.sd, p.n, p.sdPlaces = only.sd, int(only.sdOver), int(only.sdPlaces)
	}
}

// valuedPoints returns the points that hold a value.
func (s *series) valuedPoints() []point {
	return slices.DeleteFunc(slices.Clone(s.points), func(p point) bool { return !p.ok() })
}

// maxTitleLength bounds the heading that names a relation in its facts: a title ("DeepSeek R1 14b"), not a
// paragraph.
const maxTitleLength = 60

// title is the innermost heading above the relation's table when it is short enough to be a title; its
// digits are names, not quantities.
func (rel *relation) title() string {
	headings := strings.Split(rel.section, " › ")
	if last := headings[len(headings)-1]; len([]rune(last)) <= maxTitleLength {
		return last
	}
	return ""
}

// isInsightKind reports whether facts of a kind come from the insight types.
func isInsightKind(kind string) bool {
	for _, it := range insightTypes {
		if it.kind == kind {
			return true
		}
	}
	for _, it := range relationInsightTypes {
		if it.kind == kind {
			return true
		}
	}
	for _, it := range tableInsightTypes {
		if it.kind == kind {
			return true
		}
	}
	return false
}
