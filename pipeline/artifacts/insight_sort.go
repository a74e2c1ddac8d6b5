package artifacts

import (
	"cmp"
	"math"
)

// FactSortOrder: a written table that ranks its rows by a measure, but for a few neighbours listed the wrong way
// round: the order its author meant, and where the table breaks it. A ranking read top-down (the first rows are
// the best) misleads where it does. A document's order is its author's choice; a data file's is that of its
// runs, and an order a setting explains is the trend insight's.
const FactSortOrder = "sort_order"

// A measure is sorted with breaks when at least minSortPairs pairs of neighbouring rows hold it and at least one
// of them, but no more than one in maxBreakShare (one of fewer pairs), goes against the order of the others.
const (
	minSortPairs  = 10
	maxBreakShare = 20
)

// sortBreak is a neighbouring pair listed against the order of the rest: row above, then row below.
type sortBreak struct{ above, below int }

func findSortOrder(rel *relation) *insight {
	if !rel.markdown || len(rel.blocks) != rel.rows || rel.orderedBySetting() {
		return nil
	}
	var best *insight
	for _, m := range rel.measures {
		if in := rel.sortBreaks(m); in != nil && (best == nil || in.value < best.value) {
			best = in // the measure with the fewest breaks is the one the table is sorted by
		}
	}
	return best
}

// sortBreaks finds the pairs of neighbouring rows, within one table of a stack, that go against the order most
// pairs of m follow.
func (rel *relation) sortBreaks(m *measure) *insight {
	var up, down int
	for row := 1; row < rel.rows; row++ {
		switch rel.pairDirection(m, row) {
		case 1:
			up++
		case -1:
			down++
		}
	}
	order, against, pairs := "descending", 1, up+down
	if up > down {
		order, against = "ascending", -1
	}
	if n := min(up, down); pairs < minSortPairs || n == 0 || n > max(1, pairs/maxBreakShare) {
		return nil
	}
	var breaks []sortBreak
	for row := 1; row < rel.rows; row++ {
		if rel.pairDirection(m, row) == against {
			breaks = append(breaks, sortBreak{row - 1, row})
		}
	}
	in := &insight{subject: m.name + " order", text: &phrase{}, value: float64(len(breaks)), unit: "breaks",
		coverage: 1, effect: float64(len(breaks)) / float64(pairs), significance: 1}
	p := in.text
	p.printf("%s is listed in %s order but for %s of %s pairs of neighbouring rows", measureLabel(m), order,
		p.count(len(breaks)), p.count(pairs))
	name := rel.rowNames()
	for i, br := range breaks[:min(len(breaks), maxListed)] {
		a, b := m.cells[br.above], m.cells[br.below]
		p.printf("%s%s%s %s above %s %s", listItem(i, "; "), blockPrefix(rel.blocks[br.above]),
			rowName(p, name, br.above), p.fixed(a.value, int(a.decimals)), rowName(p, name, br.below),
			p.fixed(b.value, int(b.decimals)))
	}
	p.more(len(breaks))
	return in
}

// pairDirection is +1 where m rises from the row above to row within one table of a stack, −1 where it falls,
// and 0 where it holds, or either row has no value.
func (rel *relation) pairDirection(m *measure, row int) int {
	a, b := &m.cells[row-1], &m.cells[row]
	if rel.blocks[row] != rel.blocks[row-1] || !a.isNumber() || !b.isNumber() {
		return 0
	}
	return cmp.Compare(b.value, a.value)
}

func blockPrefix(block string) string {
	if block == "" {
		return ""
	}
	return block + ": "
}

// rowNames is the text dimension with the most levels, which names rows best (a system, a model); nil when
// there is none.
func (rel *relation) rowNames() *dimension {
	var name *dimension
	for _, d := range rel.dims {
		if !d.ordered && d.whole == nil && (name == nil || len(d.distinct()) > len(name.distinct())) {
			name = d
		}
	}
	return name
}

// rowName names a row by its level of name, else by its number.
func rowName(p *phrase, name *dimension, row int) string {
	if name == nil || name.levels[row] == "" {
		return "row " + p.count(row+1)
	}
	return name.levels[row]
}

// orderedBySetting reports whether a numeric setting runs in one direction down the rows of each table: the
// rows are then in the setting's order, and a measure that follows it is a trend.
func (rel *relation) orderedBySetting() bool {
	for _, d := range rel.dims {
		if !d.ordered || len(d.distinct()) < 2 {
			continue
		}
		up, down := false, false
		for row := 1; row < rel.rows; row++ {
			a, b := d.values[row-1], d.values[row]
			if rel.blocks[row] != rel.blocks[row-1] || math.IsNaN(a) || math.IsNaN(b) {
				continue
			}
			up, down = up || b > a, down || b < a
		}
		if up != down {
			return true
		}
	}
	return false
}
