package artifacts

import (
	"strconv"
	"strings"
	"testing"
)

// pairTable measures requests per second of two storage hosts side by side on six workloads, and a third host on
// one of them: the hosts are compared in pairs, never all together.
func pairTable(beta []string) *table {
	alpha := []string{"100", "300", "200", "50", "150", "120"}
	tb := tableOf([]string{"workload", "host", "req_per_s"})
	for i, w := range []string{"w1", "w2", "w3", "w4", "w5", "w6"} {
		tb.addRow([]string{w, "alpha", alpha[i]})
		tb.addRow([]string{w, "beta", beta[i]})
	}
	tb.addRow([]string{"w1", "gamma", "10"})
	return tb
}

func TestFindPairComparesTheTwoLevelsMeasuredTogetherMost(t *testing.T) {
	// beta/alpha per workload: 90/100 = 0.9, 240/300 = 0.8, 170/200 = 0.85, 47.5/50 = 0.95, 132/150 = 0.88,
	// 36/120 = 0.3. Sorted 0.3, 0.8, 0.85, 0.88, 0.9, 0.95: the median is (0.85 + 0.88)/2 = 0.865. All six lower:
	// a sign test of 6 of 6 gives 2 · 0.5⁶ = 0.03125.
	rel := newRelation("r", nil, KindCSV, pairTable([]string{"90", "240", "170", "47.5", "132", "36"}))[0]
	in := findIn(t, rel, findPair, "req_per_s", "host")
	if in == nil {
		t.Fatal("no insight")
	}
	text := in.text.String()
	assertInOrder(t, text, []string{
		"host beta against alpha, measured side by side in 6 cells: req_per_s 0.865× in the median (0.300×–0.950×)",
		"lower in 6 of 6 (sign test p = 0.031",
		"by workload: w1 0.900×; w2 0.800×; w3 0.850×; w4 0.950×; w5 0.880×; w6 0.300×",
		// ln 0.3 lies 12 scaled MADs from the median of the logs; the others within 1.1.
		"far from the others (robust z of the log ratio ≥ 3.5): workload=w6 0.300×",
		// Without w6, by alpha 50, 100, 150, 200, 300 the ratios run 0.95, 0.9, 0.88, 0.85, 0.8: τ = −1, and
		// exactly 2 of the 5! = 120 orders are as extreme, p = 0.0167.
		"the ratio falls as alpha's value rises (Kendall τ = -1.00, p = 0.0167)",
	})
	if strings.Contains(text, "gamma") {
		t.Errorf("gamma, measured once, is in the pair: %q", text)
	}
}

func TestFindPairNeedsAgreementBeyondChanceAndAPairwiseDesign(t *testing.T) {
	// Three lower and three higher: no finding about the pair.
	rel := newRelation("r", nil, KindCSV, pairTable([]string{"90", "240", "170", "60", "160", "130"}))[0]
	if in := findIn(t, rel, findPair, "req_per_s", "host"); in != nil {
		t.Errorf("a pair whose cells disagree: %q", in.text.String())
	}
	// Every workload measures all three hosts: the best level's breakdown states it, not the pair.
	tb := tableOf([]string{"workload", "host", "req_per_s"})
	for i, w := range []string{"w1", "w2", "w3", "w4", "w5", "w6"} {
		for j, h := range []string{"alpha", "beta", "gamma"} {
			tb.addRow([]string{w, h, strings.Repeat("9", i+j+1)})
		}
	}
	rel = newRelation("r", nil, KindCSV, tb)[0]
	if in := findIn(t, rel, findPair, "req_per_s", "host"); in != nil {
		t.Errorf("a pair in a full grid: %q", in.text.String())
	}
}

// beta's rows carry a footnote alpha's do not: the pair's ratio is the footnote's as much as the hosts'.
func TestFindPairNamesWhatDiffersWithThePairInEveryCell(t *testing.T) {
	tb := tableOf([]string{"workload", "host", "req_per_s"})
	for i, w := range []string{"w1", "w2", "w3", "w4", "w5", "w6"} {
		tb.addRow([]string{w, "alpha", strconv.Itoa(100 + i)})
		tb.addRow([]string{w, "beta<sup>1</sup>", strconv.Itoa(80 + i)})
	}
	tb.addRow([]string{"w1", "gamma", "10"})
	tb.notes = map[string]string{"1": "on battery"}
	in := findIn(t, newRelation("r", nil, KindMarkdown, tb)[0], findPair, "req_per_s", "host")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{`confounded: in every cell host note is "on battery" for beta and "none" for alpha`})
}
