package artifacts

import (
	"fmt"
	"testing"
)

func TestFindColdLoadsStatesTheFirstCallOfEachConfiguration(t *testing.T) {
	// Each model's first call loads it: 4.9 s and 9.1 s against a fastest warm load of 0.012 s, 408× and more.
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "load_duration_s", "eval_rate"},
		[]string{"a", "4.9", "96.5"}, []string{"a", "0.014", "96.1"}, []string{"a", "0.012", "96.4"},
		[]string{"b", "9.1", "52.0"}, []string{"b", "0.015", "52.7"}, []string{"b", "0.013", "53.9"}))[0]
	in := findColdLoads(rel)
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"2 of 6 calls loaded the model cold", "load_duration_s 4.9 to 9.1",
		"against a fastest of 0.012", fmt.Sprintf("(%.2f×)", 4.9/0.012), "the first call of each of 2 configurations"})
}

func TestFindColdLoadsNeedsACold(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "load_duration_s", "eval_rate"},
		[]string{"a", "0.02", "96.5"}, []string{"a", "0.014", "96.1"}, []string{"b", "0.015", "52.7"}))[0]
	if in := findColdLoads(rel); in != nil {
		t.Errorf("cold loads among warm ones: %q", in.text.String())
	}
}

func TestFindColdLoadsLeavesATTFTsColdCallsToIt(t *testing.T) {
	// the TTFT's own facts set its cold calls apart (see writeWarmMean): one fact per finding.
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "load_duration_s", "ttft_s"},
		[]string{"a", "4.9", "5.1"}, []string{"a", "0.014", "0.2"}, []string{"a", "0.012", "0.3"}))[0]
	if in := findColdLoads(rel); in != nil {
		t.Errorf("cold loads stated beside a TTFT: %q", in.text.String())
	}
}
