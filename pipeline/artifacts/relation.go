package artifacts

import (
	"math"
	"slices"
	"strings"
)

// relation is a table read for insight: every row a configuration, every column a dimension (a setting or a
// category that tells configurations apart) or a measure (a quantity with a unit and a better direction).
// Identifiers (run ids, timestamps, commits) and free text take part in neither.
type relation struct {
	source   string   // the file, or a family's pattern
	sources  []string // the files whose rows it holds
	name     string   // the table's place in its file
	caption  string
	section  string // the headings above a markdown table, outermost first
	markdown bool   // restated in a document rather than measured into a data file
	rows     int
	failures []string // per row, why the record failed: "" for one that succeeded
	// blocks is, per row, the headings of the stacked table it was listed in ("" for a table of its own); nil
	// where the rows are not in the order a table lists them (see unpivot).
	blocks   []string
	dims     []*dimension
	measures []*measure
	tails    []tail // p99 beside the median of one quantity, kept before the p99 leaves the measures
	// capacities pair a used quantity with its total, kept before a constant total leaves the measures
	capacities []capacity
	configs    []configuration // the rows by configuration, once insights ask (see configurations)
	cold       coldLoads       // the load times and the rows they mark cold, kept as the loads leave the measures
}

// dimension is a column whose values name configurations: levels in row order.
type dimension struct {
	name    string
	levels  []string   // per row, "" where unknown
	values  []float64  // per row, the level as a number, NaN where it is not one
	ordered bool       // every known level is a number, so the levels have an order a trend can follow
	whole   *dimension // the dimension whose levels this one's are part of (see splitQualifiedLabels), nil for most
	// workload marks a kind of test (llama-bench's pp512, tg128): it fixes every subspace and is never broken
	// down by (see markWorkloads)
	workload bool
	set      []string // the distinct known levels in order of appearance, once insights ask (see distinct)
	// at is, per row, the index of its level in set, −1 where unknown; made with set, so levels changed after
	// distinct must clear set (see unifySpellings)
	at []int32
}

// distinct is the dimension's distinct known levels, in the order they appear. It is computed on first use,
// after newRelation has finished shaping the levels.
func (d *dimension) distinct() []string {
	if d.set == nil {
		d.set, d.at = []string{}, make([]int32, len(d.levels))
		index := map[string]int32{}
		for row, l := range d.levels {
			i, seen := index[l]
			switch {
			case l == "":
				i = -1
			case !seen:
				i = int32(len(d.set))
				index[l], d.set = i, append(d.set, l)
			}
			d.at[row] = i
		}
	}
	return d.set
}

// groupRows groups rows by their level, in the order the levels first appear among them; rows of unknown level
// are in no group.
func (d *dimension) groupRows(rows []int) [][]int {
	group := make([]int32, len(d.distinct())) // per level, 1 + its group's index; 0 before its first row
	groupOf := make([]int32, len(rows))
	var sizes []int
	for i, row := range rows {
		level := d.at[row]
		if level < 0 {
			groupOf[i] = -1
			continue
		}
		if group[level] == 0 {
			sizes = append(sizes, 0)
			group[level] = int32(len(sizes))
		}
		groupOf[i] = group[level] - 1
		sizes[groupOf[i]]++
	}
	return bucketRows(rows, groupOf, sizes)
}

// bucketRows gathers rows into groups, all in one backing array: rows[i] goes to group groupOf[i] (none where it
// is −1), and sizes[g] counts group g's rows.
func bucketRows(rows []int, groupOf []int32, sizes []int) [][]int {
	groups, backing := make([][]int, len(sizes)), make([]int, len(rows))
	for g, n := range sizes {
		groups[g], backing = backing[:0:n], backing[n:]
	}
	for i, row := range rows {
		if g := groupOf[i]; g >= 0 {
			groups[g] = append(groups[g], row)
		}
	}
	return groups
}

// measure is a column of measurements.
type measure struct {
	name      string
	unit      string
	direction int // +1 when higher is better, −1 when lower is, 0 when the name and unit do not say
	cells     []cell
	failed    []float64 // the values failed records wrote, which cells leave out (see excludeFailedRows)
	// harmonic: a rate derived from times, whose runs average as the harmonic mean: a count over the mean time,
	// as the count over the total time would be; the arithmetic mean of rates weighs the fast runs too much.
	harmonic bool
	// A rate derived along a setting (a prompt's tokens over its time to the first token) ranks the rows as its
	// source does at any one level of the setting, and restates the source along it: the source is broken down
	// by every other dimension (restatedAlong), the rate along the setting alone (along).
	along, restatedAlong *dimension
	outliers             []outlier // the repetitions far from their configuration's, which cells leave out (see excludeOutliers)
}

// Column kinds, decided by name and content (see classifyColumn).
type columnKind int

const (
	kindIgnored columnKind = iota
	kindDimension
	kindMeasure
	kindSpread  // a standard deviation of another column: stddev_ts beside avg_ts
	kindSamples // the repetitions behind another column: samples_ts beside avg_ts
)

// newRelation reads a table: it classifies its columns, attaches spreads and samples to the measures they
// describe, lets blank cells of a grouped table's dimensions inherit the level above, and unpivots headers
// that hold levels ("FlashAttn OFF | FlashAttn ON", "tg128 | pp512", baseline.x beside candidate.x) into a
// dimension. It returns the relations the table holds: the table itself, and one more per unpivoted group.
func newRelation(source string, sources []string, kind string, t *table) []*relation {
	records := t.records
	rel := &relation{source: source, sources: sources, name: t.name, caption: t.caption, section: t.section,
		markdown: kind == KindMarkdown || kind == KindText, rows: len(records), failures: make([]string, len(records))}
	rel.blocks = make([]string, len(records))
	for row, r := range records {
		rel.failures[row] = r.failure
		rel.blocks[row] = r.block
	}
	cells, kinds, dims := readColumns(t)
	rel.dims = dims
	for col, name := range t.columns {
		if kinds[col] == kindMeasure {
			rel.measures = append(rel.measures, rel.newMeasure(name, unitOf(t, col), cells[col]))
		}
	}
	rel.addFootnoteDims(t, kinds)
	attachSpreads(rel, t.columns, kinds, cells)
	rel.applyStatedRuns(statedRuns(t.caption))
	rel.excludeFailedRows()
	rel.excludeColdRows()
	rel.excludeZeroTokenTimes()
	rel.splitDepthFromTests()
	if rel.markdown && t.headingColumns == 0 {
		rel.fillDown()
	}
	rel.splitModelSizes()
	rel.splitSettingLevels() // after the blanks are filled: a blank the split leaves means "not this setting"
	relations := append([]*relation{rel}, rel.unpivot()...)
	for _, r := range relations {
		r.markWorkloads()
		r.splitQualifiedLabels()
		r.excludeOutliers()
		r.capacities = findCapacities(r.measures)
		r.dropConstantMeasures()
		r.dropRestatedMeasures()
		r.dropProportionalMeasures()
		r.keepCentralStatistics()
		r.addEfficiency()
	}
	for _, r := range relations {
		if rates := r.prefillRates(); rates != nil {
			relations = append(relations, rates)
		}
	}
	return relations
}

// readColumns parses every column's cells, decides its kind (kept in the table's kinds) and makes the
// dimensions (see columnReader). It returns the cells of the columns read as cells: measures, spreads and
// samples.
func readColumns(t *table) (cells [][]cell, kinds []columnKind, dims []*dimension) {
	cells, kinds = make([][]cell, len(t.columns)), make([]columnKind, len(t.columns))
	reader := newColumnReader(t)
	for col, name := range t.columns {
		var column []cell
		kinds[col], column = reader.read(col)
		switch kinds[col] {
		case kindDimension:
			dims = append(dims, newDimension(name, column))
		case kindMeasure, kindSpread, kindSamples:
			cells[col] = slices.Clone(column)
		}
	}
	t.kinds = kinds
	return cells, kinds, dims
}

// columnReader reads a table's columns one at a time into one buffer of cells: a long table's text and levels
// are not kept as cells.
type columnReader struct {
	t              *table
	failureColumns []int
	column         []cell
}

func newColumnReader(t *table) *columnReader {
	return &columnReader{t: t, failureColumns: slices.Concat(findFailureColumns(t.columns)...),
		column: make([]cell, len(t.records))}
}

// read parses column col's cells and decides its kind. The cells are only lent: the next read reuses them.
// Stacked headings are dimensions, and failure columns and epoch times nothing, whatever their cells; the cells
// of a column ignored by its name are not read at all (nil).
func (r *columnReader) read(col int) (columnKind, []cell) {
	t, name := r.t, r.t.columns[col]
	heading := col < t.headingColumns
	if !heading && (slices.Contains(r.failureColumns, col) || ignoredByName(name) || t.holdsEpochTimes(col)) {
		return kindIgnored, nil // whether a record failed is its outcome, not a setting
	}
	for row, rec := range t.records {
		if row > 0 && rec.cells[col] == t.records[row-1].cells[col] {
			r.column[row] = r.column[row-1] // a run of one level, as sweeps and grouped tables write them
			continue
		}
		r.column[row] = readCell(rec.cells[col], rec.values[col])
	}
	if heading {
		return kindDimension, r.column
	}
	return classifyColumn(name, r.column), r.column
}

func newDimension(name string, cells []cell) *dimension {
	d := &dimension{name: name, levels: make([]string, len(cells)), values: make([]float64, len(cells)), ordered: true}
	for i, c := range cells {
		d.levels[i], d.values[i] = c.text, c.value
		if c.missing == missingEmpty {
			d.levels[i] = ""
		}
		if d.levels[i] != "" && !c.isNumber() {
			d.ordered = false
		}
	}
	return d
}

func (rel *relation) newMeasure(name, unit string, cells []cell) *measure {
	m := &measure{name: name, cells: cells, unit: unit}
	if m.unit == "" {
		m.unit = commonUnit(cells)
	}
	if m.unit == "" && directionOf(name) == 0 {
		m.unit = unitInText(rel.quantity()) // a name that says what it is (ttft_s) is not the caption's quantity
	}
	m.direction = directionOf(name + " " + m.unit)
	if m.direction == 0 {
		m.direction = directionOf(rel.quantity())
	}
	return m
}

// quantity is the text around a table that names what it measures: the caption, else the nearest heading
// that names a unit ("Output tok/s", "TTFT (ms)"); "" when none does.
func (rel *relation) quantity() string {
	if unitInText(rel.caption) != "" {
		return rel.caption
	}
	headings := strings.Split(rel.section, " › ")
	for i := len(headings) - 1; i >= 0; i-- {
		if unitInText(headings[i]) != "" {
			return headings[i]
		}
	}
	return ""
}

// fillDown gives a blank dimension cell the level above it, as grouped tables write a model once for the rows
// of its quantisations. Only one table's rows are grouped so: stacked tables are not (see the callers), and a
// failed row's blanks are what it never got to.
func (rel *relation) fillDown() {
	for _, d := range rel.dims {
		for i := 1; i < len(d.levels); i++ {
			if d.levels[i] == "" && d.levels[i-1] != "" && rel.failures[i] == "" {
				d.levels[i], d.values[i] = d.levels[i-1], d.values[i-1]
			}
		}
	}
}

// attachSpreads gives each measure the sd of its stddev column and the repetitions of its samples column.
func attachSpreads(rel *relation, columns []string, kinds []columnKind, cells [][]cell) {
	for col, kind := range kinds {
		var words map[string]bool
		switch kind {
		case kindSpread:
			words = spreadMarks
		case kindSamples:
			words = samplesMarks
		default:
			continue
		}
		m := rel.measureWithStem(spreadStem(normalizeColumn(columns[col]), words))
		if m == nil && kind == kindSamples {
			m = rel.firstWithoutRuns() // "WS runs" beside "Workstation Edition": samples columns follow their measures' order
		}
		if m == nil {
			continue
		}
		for row, c := range cells[col] {
			if kind == kindSpread {
				m.cells[row].sd, m.cells[row].sdPlaces = c.value, int8(min(c.decimals, math.MaxInt8))
			} else {
				m.cells[row].runs = c.runs
			}
		}
	}
}

// firstWithoutRuns is the first measure with no repetitions attached, nil when every one has some.
func (rel *relation) firstWithoutRuns() *measure {
	for _, m := range rel.measures {
		if !slices.ContainsFunc(m.cells, func(c cell) bool { return c.runs != nil }) {
			return m
		}
	}
	return nil
}

// measureWithStem finds the measure a spread describes: the one whose name, without a mean's word, is stem.
func (rel *relation) measureWithStem(stem string) *measure {
	for _, m := range rel.measures {
		norm := normalizeColumn(m.name)
		if norm == stem || spreadStem(norm, statWords) == stem {
			return m
		}
	}
	return nil
}
