package artifacts

import (
	"iter"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A document often repeats one table under each of its headings: a phase of work, then a workload within it,
// each with the same metrics for the same models. Read one by one, each table is a handful of single values;
// stacked, with the headings as dimensions, they compare phases and workloads the way their author did.

// insightTables are the tables of one file as the insight types read them: metric-per-row tables transposed,
// then the tables that share their columns stacked under their headings. A table that shares its columns with
// no other stays as it is.
func insightTables(tables []*table) []*table {
	var out []*table
	groups := map[string][]*table{}
	var keys []string
	var seen []*table
	for _, t := range tables {
		if slices.ContainsFunc(seen, t.restates) {
			continue // a restatement of a table above, as documents repeat a result in a summary
		}
		seen = append(seen, t)
		t = transposedIfMetricRows(t)
		key := strings.Join(t.columns, "\x00")
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], t)
	}
	for _, key := range keys {
		out = append(out, stacked(groups[key]))
	}
	return out
}

// numbersOf is a table's numbers in reading order.
func numbersOf(t *table) iter.Seq[float64] {
	return func(yield func(float64) bool) {
		for _, r := range t.records {
			for _, v := range r.values {
				if !math.IsNaN(v) && !yield(v) {
					return
				}
			}
		}
	}
}

// restates reports whether t holds the numbers of u in the same order: two such tables are one result.
func (t *table) restates(u *table) bool {
	next, stop := iter.Pull(numbersOf(u))
	defer stop()
	for x := range numbersOf(t) {
		if y, ok := next(); !ok || math.Float64bits(x) != math.Float64bits(y) {
			return false
		}
	}
	_, more := next()
	return !more
}

// transposedIfMetricRows turns a table whose first column names a metric per row ("Throughput (tok/s)",
// "TTFT P50 (ms)") and whose other columns are all numbers into one row per column: the models or systems
// its header names become a "column" dimension.
func transposedIfMetricRows(t *table) *table {
	if len(t.columns) < 2 || len(t.records) < 2 || len(t.records) > maxMetricRows || !namesMetrics(t) {
		return t
	}
	tt := &table{name: t.name, caption: t.caption, section: t.section, columns: []string{"column"}}
	for _, r := range t.records {
		tt.columns = append(tt.columns, r.cells[0])
	}
	tt.columns = columnNames(tt.columns)
	for col := 1; col < len(t.columns); col++ {
		row := []string{t.columns[col]}
		for _, r := range t.records {
			row = append(row, r.cells[col])
		}
		tt.addRow(row)
	}
	return tt
}

// maxMetricRows bounds the rows of a table with a metric per row: a longer one is a table of records.
const maxMetricRows = 40

// namesMetrics reports whether most first cells name a quantity (a unit or a better direction) and every
// other column holds numbers.
func namesMetrics(t *table) bool {
	metrics := 0
	for _, r := range t.records {
		if unitInText(r.cells[0]) != "" || directionOf(r.cells[0]) != 0 {
			metrics++
		}
	}
	if 2*metrics <= len(t.records) {
		return false
	}
	for col := 1; col < len(t.columns); col++ {
		if !t.isNumeric(col) {
			return false
		}
	}
	return true
}

// stacked joins tables of one header into one, adding a column for each heading depth whose headings differ
// between them. A single table is returned as it is.
func stacked(group []*table) *table {
	if len(group) == 1 {
		return group[0]
	}
	paths := make([][]string, len(group))
	depth := 0
	for i, t := range group {
		paths[i] = strings.Split(t.section, " › ")
		depth = max(depth, len(paths[i]))
	}
	var sectionColumns []string
	var levels [][]string // per section column, per table
	for d := 0; d < depth; d++ {
		texts := make([]string, len(group))
		for i, p := range paths {
			if d < len(p) {
				texts[i] = p[d]
			}
		}
		if distinctLevels(texts) < 2 {
			continue
		}
		name, values := headingDimension(texts, d)
		sectionColumns, levels = append(sectionColumns, name), append(levels, values)
	}
	first := group[0]
	st := &table{name: first.name, columns: columnNames(slices.Concat(sectionColumns, first.columns)),
		section: strings.Join(sharedPrefix(paths), " › "), headingColumns: len(sectionColumns), notes: first.notes}
	if !slices.ContainsFunc(group, func(t *table) bool { return t.caption != first.caption }) {
		st.caption = first.caption
	}
	for i, t := range group {
		for _, r := range t.records {
			cells := make([]string, 0, len(st.columns))
			for _, l := range levels {
				cells = append(cells, l[i])
			}
			st.addRow(append(cells, r.cells...))
			st.records[len(st.records)-1].block = strings.Join(cells, " › ")
		}
	}
	return st
}

// numberedHeading matches "Phase 4 — Static Batching": a word, then a number.
var numberedHeading = regexp.MustCompile(`^([A-Za-z]+)\s+(\d+(?:\.\d+)?)\b`)

// headingDimension names the dimension a heading depth stands for, and each table's level: "phase" = 4 when
// every heading is a word and a number, else "section" with the heading up to a dash or colon.
func headingDimension(texts []string, depth int) (string, []string) {
	values := make([]string, len(texts))
	word := ""
	numbered := true
	for i, text := range texts {
		m := numberedHeading.FindStringSubmatch(text)
		if m == nil || word != "" && !strings.EqualFold(m[1], word) {
			numbered = false
			break
		}
		word, values[i] = m[1], m[2]
	}
	if numbered && word != "" {
		return strings.ToLower(word), values
	}
	for i, text := range texts {
		values[i] = headingLabel(text)
	}
	if depth == 0 {
		return "section", values
	}
	return "subsection", values
}

// headingSeparator is a dash, or a colon that ends a word: the colon of "Llama 3.2:3b" is part of a name.
var headingSeparator = regexp.MustCompile(`[—–]|:(?:\s|$)`)

// headingLabel is a heading up to its first separator: "baseline — Sequential Single Requests" is baseline,
// "prefix_caching: shared" prefix_caching.
func headingLabel(text string) string {
	if loc := headingSeparator.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	return strings.TrimSpace(text)
}

// sharedPrefix is the headings every path starts with.
func sharedPrefix(paths [][]string) []string {
	prefix := paths[0]
	for _, p := range paths[1:] {
		prefix = prefix[:commonPrefixLen(prefix, p)]
	}
	return prefix
}

// singleRecordTable is a JSON object's scalars read as one record ("vllm bench serve" writes its result so),
// which the JSON reader keeps as fields rather than a table; nil for any other file. Arrays of numbers beside
// the scalars (vLLM's per-request input_lens and ttfts) are the samples its summaries were computed from, not
// part of the record.
func singleRecordTable(f *FileFacts) []*table {
	if f.Kind != KindJSON || len(f.tables) > 0 {
		return nil
	}
	names := slices.DeleteFunc(slices.Sorted(maps.Keys(f.Fields)), func(n string) bool { return strings.Contains(n, "[]") })
	if len(names) == 0 {
		return nil
	}
	t := &table{columns: names}
	values := make([]float64, len(names))
	cells := make([]string, len(names))
	for i, n := range names {
		values[i] = f.Fields[n].Mean
		cells[i] = strconv.FormatFloat(values[i], 'f', -1, 64)
	}
	t.addRecord(cells, values)
	return []*table{t}
}
