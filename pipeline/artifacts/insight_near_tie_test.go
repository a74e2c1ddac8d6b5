package artifacts

import (
	"fmt"
	"testing"
)

// gpuTable is requests/s of three accelerators at four batch sizes, one row a cell: l40s and a6000 stay within
// a few per cent of each other except at batch 8, t4 lies far below both.
var gpuTable = [][]string{
	{"1", "l40s", "12.4"}, {"1", "a6000", "12.1"}, {"1", "t4", "4.0"},
	{"2", "l40s", "23.0"}, {"2", "a6000", "22.6"}, {"2", "t4", "7.1"},
	{"4", "l40s", "41.0"}, {"4", "a6000", "40.9"}, {"4", "t4", "11.8"},
	{"8", "l40s", "70.0"}, {"8", "a6000", "61.0"}, {"8", "t4", "15.2"},
}

func nearTieIn(t *testing.T, rows [][]string) *insight {
	t.Helper()
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"batch", "accelerator", "requests_per_s"}, rows...))[0]
	return findIn(t, rel, findNearTie, "requests_per_s", "accelerator")
}

func TestFindNearTieNamesTheTwoLevelsThatBarelyDiffer(t *testing.T) {
	in := nearTieIn(t, gpuTable)
	if in == nil {
		t.Fatal("no near tie")
	}
	change := func(a, b float64) string { return fmt.Sprintf("%+.2f %%", 100*(a/b-1)) }
	assertInOrder(t, in.text.String(), []string{
		"requests_per_s by accelerator: l40s and a6000 nearly equal, within 5 % in 3 of 4 matched cells (l40s ahead in 4)",
		"from " + change(41.0, 40.9) + " at batch=4 (41.0 vs 40.9) to " + change(12.4, 12.1) + " at batch=1 (12.4 vs 12.1)",
		"farther apart in 1: batch=8 70.0 vs 61.0 (" + fmt.Sprintf("%+.1f %%", 100*(70.0/61.0-1)) + ")"})
}

// withValues is gpuTable with some cells' values replaced, keyed by "batch/accelerator".
func withValues(values map[string]string) [][]string {
	rows := make([][]string, len(gpuTable))
	for i, r := range gpuTable {
		rows[i] = r
		if v, ok := values[r[0]+"/"+r[1]]; ok {
			rows[i] = []string{r[0], r[1], v}
		}
	}
	return rows
}

func TestFindNearTieNeedsTheOtherLevelsFartherAway(t *testing.T) {
	// t4 within a few per cent of the others at every batch: the accelerator barely matters at all, which the
	// best level says; no pair stands out.
	rows := withValues(map[string]string{"1/t4": "12.0", "2/t4": "22.0", "4/t4": "40.0", "8/t4": "66.0"})
	if in := nearTieIn(t, rows); in != nil {
		t.Errorf("a near tie where all three are near: %q", in.text.String())
	}
}

func TestFindNearTieNeedsMostCellsNear(t *testing.T) {
	rows := withValues(map[string]string{"2/a6000": "18.4", "4/a6000": "32.8"}) // 20 % below l40s: near in 1 of 4
	if in := nearTieIn(t, rows); in != nil {
		t.Errorf("a near tie in one of four cells: %q", in.text.String())
	}
}
