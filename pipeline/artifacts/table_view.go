package artifacts

import (
	"cmp"
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

// tableAnalyses are the analyses every table goes through, each in a file of its own, in the order their facts
// are listed.
var tableAnalyses = []func(*tableView, *factList){
	(*tableView).addMetricSummaries,
	(*tableView).addGroupMeans,
	(*tableView).addBestConfig,
	(*tableView).addParamEffects,
	(*tableView).addColdStarts,
	(*tableView).addTimeShares,
	(*tableView).addFailures,
	(*tableView).addCompletion,
	(*tableView).addSpeedups,
	(*tableView).addKernelTimes,
}

func (v *tableView) addFacts(l *factList) {
	for _, analyse := range tableAnalyses {
		analyse(v, l)
	}
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
			return cmp.Compare(stats.Mean(b.xs), stats.Mean(a.xs))
		}
		return cmp.Compare(stats.Mean(a.xs), stats.Mean(b.xs))
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
		if value, ok := ParseNumber(label); ok && numericLabels {
			label = p.num(value)
		}
		p.printf("%s → %s", label, p.num(stats.Mean(g.xs)))
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
