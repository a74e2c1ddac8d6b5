package artifacts

import (
	"strconv"
	"testing"
)

// leaderboard lists twelve engines by latency, fastest first, from the given latencies.
func leaderboard(latencies []int) *table {
	tb := tableOf([]string{"Engine", "Latency (ms)"})
	for i, ms := range latencies {
		tb.addRow([]string{"engine-" + string(rune('a'+i)), strconv.Itoa(ms)})
	}
	return tb
}

func TestFindSortOrderNamesTheNeighboursListedTheWrongWayRound(t *testing.T) {
	// 11 neighbouring pairs; one, engine-e (40) above engine-f (35), goes down where the ten others go up.
	rel := newRelation("r", nil, KindMarkdown, leaderboard([]int{10, 12, 20, 21, 40, 35, 41, 50, 52, 60, 70, 90}))[0]
	in := findSortOrder(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{
		"Latency (ms) is listed in ascending order but for 1 of 11 pairs of neighbouring rows: engine-e 40 above engine-f 35"})
}

func TestFindSortOrderNeedsANearlySortedWrittenTable(t *testing.T) {
	for name, c := range map[string]struct {
		kind      string
		latencies []int
	}{
		"sorted throughout":           {KindMarkdown, []int{10, 12, 20, 21, 35, 40, 41, 50, 52, 60, 70, 90}},
		"a data file lists its runs":  {KindCSV, []int{10, 12, 20, 21, 40, 35, 41, 50, 52, 60, 70, 90}},
		"two breaks in eleven pairs":  {KindMarkdown, []int{10, 12, 20, 21, 40, 35, 41, 50, 60, 52, 70, 90}},
		"too few rows to tell a sort": {KindMarkdown, []int{10, 12, 20, 21, 40, 35, 41, 50, 52}},
	} {
		if in := findSortOrder(newRelation("r", nil, c.kind, leaderboard(c.latencies))[0]); in != nil {
			t.Errorf("%s: %q", name, in.text.String())
		}
	}
	// Rows in the order of a setting: a measure that follows it is a trend, whatever breaks it.
	tb := tableOf([]string{"Batch", "Latency (ms)"})
	for i, ms := range []int{10, 12, 20, 21, 40, 35, 41, 50, 52, 60, 70, 90} {
		tb.addRow([]string{strconv.Itoa(1 << i), strconv.Itoa(ms)})
	}
	if in := findSortOrder(newRelation("r", nil, KindMarkdown, tb)[0]); in != nil {
		t.Errorf("rows in the order of a setting: %q", in.text.String())
	}
}

// Two leaderboards under their headings, each sorted: where the second starts again is no break of the first.
func TestFindSortOrderReadsStackedTablesOneByOne(t *testing.T) {
	var boards []*table
	for i, heading := range []string{"Doc › Small models", "Doc › Large models"} {
		tb := tableOf([]string{"Engine", "Latency (ms)"})
		for j := range 6 {
			tb.addRow([]string{"engine-" + strconv.Itoa(j), strconv.Itoa(10*(j+1) + 100*(1-i))})
		}
		tb.section = heading
		boards = append(boards, tb)
	}
	rel := newRelation("r", nil, KindMarkdown, stacked(boards))[0]
	if in := findSortOrder(rel); in != nil {
		t.Errorf("the second table's first row read as a break of the first's order: %q", in.text.String())
	}
}
