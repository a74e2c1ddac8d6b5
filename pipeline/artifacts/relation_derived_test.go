package artifacts

import (
	"math"
	"testing"
)

func TestEfficiencyIsTheRatePerWatt(t *testing.T) {
	rels := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"System", "Eval Rate", "Power (Peak)"},
		[]string{"mini", "41.31 Tokens/s", "30.1W"},
		[]string{"tower", "334.67 Tokens/s", "261.5W"},
		[]string{"board", "1.20 Tokens/s", "N/A"}))
	m := rels[0].measureNamed("Eval Rate per W")
	if m == nil {
		t.Fatalf("no efficiency measure among %v", measureNames(rels[0]))
	}
	// 41.31 / 30.1 = 1.3724…, 334.67 / 261.5 = 1.2798…; the board states no power.
	want := []float64{41.31 / 30.1, 334.67 / 261.5}
	for i, w := range want {
		if math.Abs(m.cells[i].value-w) > 1e-12 {
			t.Errorf("row %d: %g tok/s per W, want %g", i, m.cells[i].value, w)
		}
	}
	if m.cells[2].isNumber() || m.direction != 1 || m.unit != "tokens/s per W" {
		t.Errorf("board %+v, direction %d, unit %q", m.cells[2], m.direction, m.unit)
	}
	in := findIn(t, rels[0], findBestLevel, m.name, "System")
	assertInOrder(t, in.text.String(), []string{"best mini 1.37", "over tower 1.28"})
}
