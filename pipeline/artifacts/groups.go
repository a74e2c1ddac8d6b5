package artifacts

import (
	"cmp"
	"slices"
	"strings"

	"chimera/pipeline/stats"
)

// group is the records sharing the same cells in key columns, with their values of one measured column.
type group struct {
	cells []string  // the key cells
	xs    []float64 // the values of the warm calls: every value for any column but TTFT
	cold  []float64 // TTFT of the cold calls, kept apart (see tableView.coldRows)
	rows  []int     // the records of tableView.ok that gave xs
}

// warm returns the groups with warm values, the ones a comparison can use.
func warm(groups []*group) []*group {
	return slices.DeleteFunc(slices.Clone(groups), func(g *group) bool { return len(g.xs) == 0 })
}

// all is every value of the group, warm and cold.
func (g *group) all() []float64 { return slices.Concat(g.xs, g.cold) }

func (g *group) label() string { return strings.Join(g.cells, "/") }

// labelText prints a group's label, recorded as a quantity when the labels are numeric (parameter levels).
func labelText(p *phrase, g *group, numericLabels bool) string {
	if value, ok := ParseNumber(g.label()); ok && numericLabels {
		return p.num(value)
	}
	return g.label()
}

// groupBy splits the successful records by their cells in keys and collects column col's usable numbers,
// groups in order of first appearance; records with an empty key cell are left out.
func (v *tableView) groupBy(keys []int, col int) []*group {
	var groups []*group
	byKey := map[string]*group{}
	cold := v.coldRows(col)
	for i, r := range v.ok {
		cells := make([]string, len(keys))
		for j, k := range keys {
			cells[j] = r.cells[k]
		}
		if !v.usable(i, col) || slices.Contains(cells, "") {
			continue
		}
		key := strings.Join(cells, "\x00")
		g := byKey[key]
		if g == nil {
			g = &group{cells: cells}
			byKey[key] = g
			groups = append(groups, g)
		}
		if cold != nil && cold[i] {
			g.cold = append(g.cold, r.values[col])
			continue
		}
		g.xs, g.rows = append(g.xs, r.values[col]), append(g.rows, i)
	}
	return groups
}

// byMean orders groups by their (warm) mean, best first: highest first when higher is better. Groups of cold
// calls alone come last.
func byMean(groups []*group, higherIsBetter bool) {
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := cmp.Compare(min(len(b.xs), 1), min(len(a.xs), 1)); c != 0 {
			return c
		}
		if higherIsBetter {
			return cmp.Compare(stats.Mean(b.xs), stats.Mean(a.xs))
		}
		return cmp.Compare(stats.Mean(a.xs), stats.Mean(b.xs))
	})
}

// listGroups prints "label mean, label mean unit" and the runs per group, "(n=5 each)" when equal. A group
// with cold calls shows its mean over every call and its warm mean. Numeric labels (parameter levels) are
// quantities and recorded as such.
func listGroups(p *phrase, groups []*group, unit string, numericLabels bool) {
	for i, g := range groups[:min(len(groups), maxListed)] {
		if i > 0 {
			p.printf(", ")
		}
		p.printf("%s → %s", labelText(p, g, numericLabels), p.num(stats.Mean(g.all())))
		var notes []string
		switch {
		case len(g.cold) > 0 && len(g.xs) == 0:
			notes = append(notes, "all cold")
		case len(g.cold) > 0:
			notes = append(notes, "warm "+p.num(stats.Mean(g.xs))+" without "+p.countOf(len(g.cold), "cold call"))
		}
		if !equalSizes(groups) {
			notes = append(notes, "n="+p.count(len(g.all())))
		}
		if len(notes) > 0 {
			p.printf(" (%s)", strings.Join(notes, "; "))
		}
	}
	if unit != "" {
		p.printf(" %s", unit)
	}
	if extra := len(groups) - maxListed; extra > 0 {
		p.printf(", and %s more", p.count(extra))
	}
	if equalSizes(groups) {
		p.printf(" (n=%s each)", p.count(len(groups[0].all())))
	}
}

func equalSizes(groups []*group) bool {
	for _, g := range groups {
		if len(g.all()) != len(groups[0].all()) {
			return false
		}
	}
	return true
}

// writeReplication flags groups measured unequally often, which weighs their means unequally: "; unequal
// replication: 1 to 5 runs per tag".
func writeReplication(p *phrase, groups []*group, noun string) {
	lo, hi := len(groups[0].all()), len(groups[0].all())
	for _, g := range groups {
		lo, hi = min(lo, len(g.all())), max(hi, len(g.all()))
	}
	if lo != hi {
		p.printf("; unequal replication: %s to %s runs per %s", p.count(lo), p.count(hi), noun)
	}
}
