package artifacts

import (
	"math"
	"slices"
)

// FactZeroTimes: a time to a token that reads 0. No token arrives in no time: a tool prints 0 when tokens come
// together (speculative decoding emits several at once) or its clock is coarser than their gap. Such a value is
// no measurement; it leaves every statistic, and the fact says where it was read: often every row of one
// configuration, whose other times are then the ones to read.
const FactZeroTimes = "zero_times"

// excludeZeroTokenTimes marks the zeros of the times to a token missing.
func (rel *relation) excludeZeroTokenTimes() {
	for _, m := range rel.measures {
		if !isTokenTime(m) {
			continue
		}
		for row, c := range m.cells {
			if c.isNumber() && c.value == 0 {
				m.cells[row] = cell{text: c.text, value: math.NaN(), sd: math.NaN(), missing: missingZeroTime}
			}
		}
	}
}

// isTokenTime: a time to the first token or between tokens, by the quantity its name states.
func isTokenTime(m *measure) bool {
	stem, _ := statisticOf(m.name)
	q := quantityName(stem)
	return slices.Contains(perTokenTimes, q) || slices.Contains(firstTokenTimes, q)
}

func findZeroTimes(rel *relation) *insight {
	in := &insight{subject: "zero times", text: &phrase{}, significance: 1, effect: 0.5}
	p := in.text
	listed := 0
	for _, m := range rel.measures {
		zeros, read := zeroRows(m)
		if len(zeros) == 0 {
			continue
		}
		p.printf("%s%s reads 0 in %s of %s rows", listSeparator(listed, "; "), measureLabel(m), p.count(len(zeros)), p.count(read))
		if at := rel.levelHolding(zeros, m); at != "" {
			p.printf(", every row at %s and none elsewhere", at)
		}
		in.coverage = math.Max(in.coverage, float64(len(zeros))/float64(rel.rows))
		in.value += float64(len(zeros))
		listed++
	}
	if listed == 0 {
		return nil
	}
	p.printf(" (no token arrives in no time: they came together, or the clock is coarser than their gap), so those values are left out of every statistic")
	return in
}

// zeroRows are the rows where m read 0, and how many rows read it at all.
func zeroRows(m *measure) (zeros []int, read int) {
	for row, c := range m.cells {
		switch {
		case c.missing == missingZeroTime:
			zeros = append(zeros, row)
			read++
		case c.isNumber():
			read++
		}
	}
	return zeros, read
}

// levelHolding names the level of a dimension that the rows are all of, where every row at that level that
// read m is among them: "phase=11". "" when none is.
func (rel *relation) levelHolding(rows []int, m *measure) string {
	for _, d := range rel.varyingDims() {
		level := d.levels[rows[0]]
		if level == "" || slices.ContainsFunc(rows, func(row int) bool { return d.levels[row] != level }) {
			continue
		}
		others := 0
		for row, l := range d.levels {
			if l == level && m.cells[row].isNumber() {
				others++
			}
		}
		if others == 0 {
			return d.name + "=" + level
		}
	}
	return ""
}
