package artifacts

import "testing"

func TestFindTailOfAResultObject(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"run.json": `{"median_ttft_ms": 81.30, "p99_ttft_ms": 83.50,
		"mean_ttft_ms": 81.4, "median_itl_ms": 15.22, "p99_itl_ms": 15.68, "completed": 16}`})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactTail {
			// 15.68 / 15.22 = 1.0302; 83.50 / 81.30 = 1.0271.
			assertInOrder(t, f.Text, []string{"tails, p99/median: itl 1.030 (p99 15.68, median 15.22)", "ttft 1.027 (p99 83.5, median 81.3)"})
			return
		}
	}
	t.Fatal("no tail fact")
}

func TestFindTailPrefersTheMedianAndNamesTheMeanOtherwise(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "mean_latency_ms", "p99_latency_ms"},
		[]string{"a", "10", "12"}, []string{"b", "20", "30"}))[0]
	in := findTail(rel)
	if in == nil {
		t.Fatal("no tail")
	}
	// b's p99 is 30/20 = 1.5 times its mean, the largest of the two rows.
	assertInOrder(t, in.text.String(), []string{"tails, p99/mean: latency 1.500 (p99 30, mean 20)"})
}
