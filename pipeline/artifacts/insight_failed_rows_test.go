package artifacts

import "testing"

func TestFindFailedRowsSaysWhatTheyWouldDoToTheMean(t *testing.T) {
	tb := tableOf([]string{"itl_s", "ttft_s", "error_msg"},
		[]string{"0.040", "0.38", ""}, []string{"0.050", "0.39", ""}, []string{"0.045", "0.40", ""},
		[]string{"3.0", "0.37", "Output too few tokens 13"}, []string{"4.0", "0.41", "Output too few tokens 119"},
		[]string{"3.5", "0.385", "Output too few tokens 57"})
	in := findFailedRows(newRelation("r.json", nil, KindJSON, tb)[0])
	if in == nil {
		t.Fatal("no failed-rows insight")
	}
	// itl: failed median 3.5 against 0.045; every failed value is above every other, so the exact
	// Mann–Whitney p of 3 + 3 is 2/20 = 0.1 — not below 0.05, so no mean is restated.
	assertInOrder(t, in.text.String(), []string{
		`3 of 6 rows failed (50.0 %, "Output too few tokens N" ×3)`,
		"itl_s median 3.500 against 0.04500 (Mann–Whitney p = 0.1, not significant)",
		// ttft: medians 0.385 and 0.39; the rank sums differ by little (p = 1).
		"ttft_s median 0.3850 against 0.3900",
	})
}

func TestFindFailedRowsNeedsFailuresAndSuccesses(t *testing.T) {
	tb := tableOf([]string{"itl_s"}, []string{"0.040"}, []string{"0.050"}, []string{"0.045"})
	if in := findFailedRows(newRelation("r.json", nil, KindJSON, tb)[0]); in != nil {
		t.Errorf("no failures gave %q", in.text.String())
	}
}

func TestFindFailedRowsGivesTheMeanTheyWouldMake(t *testing.T) {
	tb := tableOf([]string{"itl_s", "error_msg"},
		[]string{"0.04", ""}, []string{"0.05", ""}, []string{"0.04", ""}, []string{"0.05", ""},
		[]string{"3", "short"}, []string{"4", "short"}, []string{"3", "short"}, []string{"4", "short"})
	in := findFailedRows(newRelation("r.json", nil, KindJSON, tb)[0])
	// 4 + 4 fully separated: exact p = 2/C(8,4) = 2/70 = 0.0286. Means: 0.045 without, (0.18 + 14)/8 = 1.7725 with.
	assertInOrder(t, in.text.String(), []string{"(Mann–Whitney p = 0.0286, beyond noise)",
		"counted in, the mean would be 1.772 instead of 0.04500"})
}
