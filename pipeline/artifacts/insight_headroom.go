package artifacts

import (
	"slices"
	"strings"
)

// FactHeadroom: how close a used quantity came to its total, where a tool reports both (a GPU's memory used
// beside its total, nvidia-smi's memory.used beside memory.total): the peak share, where it was reached, and
// what was left. What fit with little to spare is one setting away from not fitting.
const FactHeadroom = "headroom"

// capacity pairs a used quantity with its total.
type capacity struct{ used, total *measure }

// findCapacities pairs each measure whose name has the word "used" with the one named alike with "total" in
// its place, in the same unit. It runs before constant measures are dropped: a card's total seldom varies.
func findCapacities(measures []*measure) []capacity {
	var out []capacity
	for _, used := range measures {
		words := strings.Split(normalizeColumn(used.name), "_")
		i := slices.Index(words, "used")
		if i < 0 {
			continue
		}
		words[i] = "total"
		total := strings.Join(words, "_")
		if j := slices.IndexFunc(measures, func(m *measure) bool {
			return normalizeColumn(m.name) == total && m.unit == used.unit
		}); j >= 0 {
			out = append(out, capacity{used, measures[j]})
		}
	}
	return out
}

func findHeadroom(rel *relation) *insight {
	in := &insight{subject: "headroom", text: &phrase{}, unit: "%", coverage: 1, significance: 1}
	p := in.text
	listed := 0
	for _, c := range rel.capacities {
		row, readings := peakShare(c)
		if row < 0 {
			continue
		}
		used, total := c.used.cells[row], c.total.cells[row]
		share := used.value / total.value
		decimals := int(max(used.decimals, total.decimals))
		sep := ""
		if listed > 0 {
			sep = "; "
		}
		p.printf("%s%s at most %s of %s %s (%s %%) over %s", sep, measureLabel(c.used),
			p.fixed(used.value, int(used.decimals)), measureLabel(c.total), p.fixed(total.value, int(total.decimals)),
			p.fixed(100*share, 1), p.countOf(readings, "reading"))
		if where := subspaceKey(rel.varyingDims(), row); where != "" && readings > 1 {
			p.printf(", at %s", where)
		}
		p.printf(": %s of headroom", p.fixed(total.value-used.value, decimals))
		in.effect = max(in.effect, share)
		in.value = max(in.value, 100*share)
		listed++
	}
	if listed == 0 {
		return nil
	}
	return in
}

// peakShare is the row where used is the largest share of total, and how many rows hold both; −1 when none
// does.
func peakShare(c capacity) (row, readings int) {
	row = -1
	for i := range c.used.cells {
		u, t := c.used.cells[i], c.total.cells[i]
		if !u.isNumber() || !t.isNumber() || t.value <= 0 {
			continue
		}
		readings++
		if row < 0 || u.value/t.value > c.used.cells[row].value/c.total.cells[row].value {
			row = i
		}
	}
	return row, readings
}
