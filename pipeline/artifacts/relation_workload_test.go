package artifacts

import (
	"fmt"
	"strings"
	"testing"
)

// A llama-bench JSON's rows: prompt processing (n_prompt 512, n_gen 0) and generation (n_prompt 0, n_gen 128)
// at two layer counts. avg_ns is the time of the whole test: n_prompt+n_gen tokens over avg_ts, in ns.
func llamaBenchRows() *table {
	rows := [][]string{}
	for _, r := range []struct {
		prompt, gen, ngl int
		ts               float64
	}{
		{512, 0, 0, 40}, {512, 0, 33, 4000}, {512, 0, 99, 4100},
		{0, 128, 0, 13}, {0, 128, 33, 110}, {0, 128, 99, 112},
	} {
		ns := float64(r.prompt+r.gen) / r.ts * 1e9
		rows = append(rows, []string{fmt.Sprint(r.prompt), fmt.Sprint(r.gen), fmt.Sprint(r.ngl),
			fmt.Sprint(r.ts), fmt.Sprintf("%.0f", ns)})
	}
	return tableOf([]string{"n_prompt", "n_gen", "n_gpu_layers", "avg_ts", "avg_ns"}, rows...)
}

func TestTestsNamedByTokenCountsAreAWorkload(t *testing.T) {
	rel := newRelation("lb.json", nil, KindJSON, llamaBenchRows())[0]
	test := rel.dimNamed("test")
	if test == nil || !test.workload {
		t.Fatalf("dimensions %v: want a workload named test", dimNames(rel.dims))
	}
	if got, want := strings.Join(test.distinct(), ","), "pp512,tg128"; got != want {
		t.Errorf("tests %s, want %s", got, want)
	}
	if rel.dimNamed("n_gen") != nil || rel.dimNamed("n_prompt") != nil {
		t.Errorf("dimensions %v: n_prompt and n_gen are the test", dimNames(rel.dims))
	}
	if got := testName(512, 128); got != "pp512+tg128" {
		t.Errorf("a prompt and a generation: %s, want pp512+tg128", got)
	}
}

func TestSettingsAreComparedWithinEachTestNeverAcrossTests(t *testing.T) {
	var l factList
	l.addInsights(newRelation("lb.json", nil, KindJSON, llamaBenchRows())[0], 8)
	trends := 0
	for _, f := range l {
		if strings.Contains(f.Text, "with n_gen") || strings.Contains(f.Text, "by test") ||
			strings.Contains(f.Text, "with test") {
			t.Errorf("a comparison across tests: %s", f.Text)
		}
		if f.Kind == FactTrend && strings.Contains(f.Text, "with n_gpu_layers") {
			trends++
			assertInOrder(t, f.Text, []string{"test=pp512: 0 40 → 33 4000 → 99 4100", "test=tg128: 0 13 → 33 110 → 99 112"})
		}
	}
	if trends != 1 {
		t.Errorf("%d trends along n_gpu_layers, want 1: %v", trends, l)
	}
}

func TestARatioHoldsWithinATestNotAcrossTests(t *testing.T) {
	// Per test and device, the ratio of the GPU backend to the CPU: pp 600/100 = 6, 700/100 = 7, √42 = 6.48;
	// tg 12/1 = 12, 20/2 = 10, √120 = 10.95. Pooled, the four would give ⁴√5040 = 8.43, true of neither.
	tb := tableOf([]string{"device", "test", "backend", "t/s"},
		[]string{"a", "pp512", "cpu", "100"}, []string{"a", "pp512", "gpu", "600"},
		[]string{"a", "tg128", "cpu", "1"}, []string{"a", "tg128", "gpu", "12"},
		[]string{"b", "pp512", "cpu", "100"}, []string{"b", "pp512", "gpu", "700"},
		[]string{"b", "tg128", "cpu", "2"}, []string{"b", "tg128", "gpu", "20"})
	rel := newRelation("r.md", nil, KindMarkdown, tb)[0]
	in := findIn(t, rel, findRatio, "t/s", "backend")
	if in == nil {
		t.Fatal("no insight")
	}
	assertInOrder(t, in.text.String(), []string{"at test=pp512 gpu is 6.48× cpu (6.00×–7.00× over 2 cells)",
		"at test=tg128 gpu is 10.95× cpu (10.00×–12.00× over 2 cells)"})
}

// avg_ns is the time of a whole test, so it converts to avg_ts by each test's own token count: across tests
// it does not follow avg_ts (pp512 at 40 t/s takes 12.8 s, tg128 at 13 t/s less: 9.8 s), within each it does.
func TestATimeBesideARateIsDroppedWithinEachTest(t *testing.T) {
	rel := newRelation("lb.json", nil, KindJSON, llamaBenchRows())[0]
	if m := rel.measureNamed("avg_ns"); m != nil {
		t.Errorf("measures %v: avg_ns restates avg_ts within each test", measureNames(rel))
	}
	if rel.measureNamed("avg_ts") == nil {
		t.Errorf("measures %v: avg_ts is the rate kept", measureNames(rel))
	}
}
