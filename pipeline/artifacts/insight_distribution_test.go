package artifacts

import (
	"strconv"
	"testing"
)

func TestFindDistributionDescribesTheTailOfOneConfiguration(t *testing.T) {
	rows := make([][]string, 21)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i + 1)} // 1 … 21 ms
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"ttft_ms"}, rows...))[0]
	in := findDistribution(rel, rel.measures[0])
	if in == nil {
		t.Fatal("no distribution over 21 rows")
	}
	// Type 7 quantiles of 1…21: h = 20p, so p50 = 11, p90 = 19, p99 = 20.8; p99/p50 = 1.89.
	assertInOrder(t, in.text.String(), []string{"ttft_ms over 21 rows: p50 11.0, p90 19.0, p99 20.8, max 21",
		"(p99 is 1.89× the median)"})
}

func TestFindDistributionNeedsOneConfigurationAndEnoughRows(t *testing.T) {
	few := newRelation("r.csv", nil, KindCSV, tableOf([]string{"ttft_ms"}, []string{"1"}, []string{"2"}))[0]
	if in := findDistribution(few, few.measures[0]); in != nil {
		t.Errorf("two rows gave %q", in.text.String())
	}
	rows := make([][]string, 30)
	for i := range rows {
		rows[i] = []string{[]string{"a", "b"}[i%2], strconv.Itoa(i)}
	}
	mixed := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "ttft_ms"}, rows...))[0]
	if in := findDistribution(mixed, mixed.measures[0]); in != nil {
		t.Errorf("two models' rows gave %q", in.text.String())
	}
}

func TestFindDistributionOfARateDescribesItsLowTail(t *testing.T) {
	rows := make([][]string, 21)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i + 1)} // 1 … 21 tok/s
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"tokens_s"}, rows...))[0]
	in := findDistribution(rel, rel.measures[0])
	// Type 7 quantiles of 1…21: p10 = 3, p1 = 1.2; the slow end is what a user of a rate meets.
	assertInOrder(t, in.text.String(), []string{"p50 11.0, p10 3.0, p1 1.2, min 1", "(p1 is 0.11× the median)"})
}
