package artifacts

import "testing"

func TestFindHeadroomStatesThePeakShareOfATotal(t *testing.T) {
	// Shares 6.0/24 = 25 %, 21.6/24 = 90 %, 12.0/24 = 50 %: the peak is batch 32, 2.4 GiB short of the total.
	tb := tableOf([]string{"batch", "vram.used (GiB)", "vram.total (GiB)", "tok_s"},
		[]string{"1", "6.0", "24.0", "40"}, []string{"32", "21.6", "24.0", "300"}, []string{"8", "12.0", "24.0", "150"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	in := findHeadroom(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{
		"vram.used (GiB) at most 21.6 of vram.total (GiB) 24.0 (90.0 %) over 3 readings, at batch=32: 2.4 of headroom"})
}

func TestFindCapacitiesPairsUsedWithTotalOfOneUnit(t *testing.T) {
	used := &measure{name: "mem_used", unit: "gb"}
	for _, c := range []struct {
		total *measure
		want  int
	}{
		{&measure{name: "mem_total", unit: "gb"}, 1},
		{&measure{name: "mem_total", unit: "%"}, 0},
		{&measure{name: "disk_total", unit: "gb"}, 0},
	} {
		if got := len(findCapacities([]*measure{used, c.total})); got != c.want {
			t.Errorf("%s (%s): %d pairs, want %d", c.total.name, c.total.unit, got, c.want)
		}
	}
}
