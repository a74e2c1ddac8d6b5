package artifacts

import (
	"fmt"
	"testing"
)

func TestFindFitNamesWhatRanOutOfMemoryAndWhatFitNextToIt(t *testing.T) {
	rel := newRelation("r.md", nil, KindMarkdown, tableOf([]string{"model", "ctx", "tok/s"},
		[]string{"8B", "4096", "50.1"},
		[]string{"8B", "32768", "OOM"},
		[]string{"1B", "32768", "120.5"}))[0]
	in := findFit(rel)
	if in == nil {
		t.Fatal("no fit insight")
	}
	// 3 configurations, 8B at 32768 out of memory; one setting away: 8B at 4096 (50.1) and 1B at 32768 (120.5).
	assertInOrder(t, in.text.String(), []string{"1 of 3 configurations ran out of memory or were killed: model=8B, ctx=32768: out of memory",
		"one setting away tok/s was measured at ctx=4096 50.1, model=1B 120.5"})
}

func TestFindFitReadsAKilledRecordAsOutOfMemory(t *testing.T) {
	tb := tableOf([]string{"backend", "ctx", "t/s", "error"},
		[]string{"rocm", "32768", "6.73", ""},
		[]string{"rocm", "65536", "", "failed (exit 137)"},
		[]string{"vulkan", "65536", "8.84", ""})
	in := findFit(newRelation("r.log", nil, KindText, tb)[0])
	if in == nil {
		t.Fatal("no fit insight")
	}
	assertInOrder(t, in.text.String(), []string{"backend=rocm, ctx=65536: killed (exit 137", "backend=vulkan 8.84, ctx=32768 6.73"})
}

func TestFindFitIgnoresOtherFailures(t *testing.T) {
	tb := tableOf([]string{"ctx", "t/s", "error"}, []string{"512", "6.7", ""}, []string{"1024", "", "timeout"})
	if in := findFit(newRelation("r.csv", nil, KindCSV, tb)[0]); in != nil {
		t.Errorf("a timeout read as memory: %q", in.text.String())
	}
}

func TestDepthIsSplitFromLlamaBenchTests(t *testing.T) {
	rel := newRelation("r.log", nil, KindText, tableOf([]string{"test", "t/s"},
		[]string{"pp2048 @ d32768", "119.83 ± 0.18"}, []string{"tg32 @ d32768", "6.73 ± 0.18"}))[0]
	test, depth := rel.dimNamed("test"), rel.dimNamed("depth")
	if test == nil || depth == nil || test.levels[1] != "tg32" || depth.values[0] != 32768 || !depth.ordered {
		t.Fatalf("dimensions %v", dimNames(rel.dims))
	}
}

func TestAKilledLogBesideTheSweepsResultsIsAConfigurationThatDidNotFit(t *testing.T) {
	root := t.TempDir()
	table := "| test | t/s |\n| --- | --: |\n| tg32 @ d%s | %s |\n"
	writeFiles(t, root, map[string]string{
		"m__rocm__ctx32768.log":   "ggml_init: found 1 device\n" + fmt.Sprintf(table, "32768", "6.73 ± 0.18"),
		"m__vulkan__ctx65536.log": fmt.Sprintf(table, "65536", "8.84 ± 0.09"),
		"m__rocm__ctx65536.log":   "ggml_init: found 1 device\n✖ [rocm] m__ctx65536 failed (exit 137)\n",
	})
	inv, err := Ingest([]string{root}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range BuildFacts(inv).Facts {
		if f.Kind == FactFit {
			assertInOrder(t, f.Text, []string{"backend=rocm, ctx=65536: killed (exit 137", "ctx=32768 6.73"})
			return
		}
	}
	t.Fatal("no fit fact for the killed run")
}

func TestRunFailureLine(t *testing.T) {
	for text, want := range map[string]string{
		"loading\n✖ [rocm6_4_4] model failed (exit 137)\n": "✖ [rocm6_4_4] model failed (exit 137)",
		"step 1\nKilled\n":                      "Killed",
		"CUDA error: out of memory\n":           "CUDA error: out of memory",
		"llama_perf: eval time = 10 ms\ndone\n": "",
		"error: exit status 0\n":                "",
	} {
		if got := runFailureLine(text); got != want {
			t.Errorf("runFailureLine(%q) = %q, want %q", text, got, want)
		}
	}
}

// Where one engine runs out of memory at the longer context, the two ways around it are the other engine at
// that context and the same engine at a shorter one: compared test by test, each value with its change.
func TestFindFitComparesTheTwoWaysAroundAFailure(t *testing.T) {
	tb := tableOf([]string{"engine", "ctx_size", "bench", "tok/s"},
		[]string{"cuda", "8192", "prompt", "812.5"},
		[]string{"cuda", "8192", "decode", "31.2"},
		[]string{"cuda", "16384", "", "OOM"},
		[]string{"sycl", "16384", "prompt", "402.0"},
		[]string{"sycl", "16384", "decode", "35.9"})
	in := findFit(newRelation("r.csv", nil, KindCSV, tb)[0])
	if in == nil {
		t.Fatal("no fit insight")
	}
	change := func(a, b float64) string { return fmt.Sprintf("%+.1f %%", 100*(a/b-1)) }
	assertInOrder(t, in.text.String(), []string{"engine=cuda, ctx_size=16384: out of memory",
		"ctx_size=8192 (bench=prompt 812.5, bench=decode 31.2), engine=sycl (bench=prompt 402.0, bench=decode 35.9)",
		"engine=sycl at ctx_size=16384 against engine=cuda at ctx_size=8192: bench=prompt 402.0 vs 812.5 (" + change(402.0, 812.5),
		"bench=decode 35.9 vs 31.2 (" + change(35.9, 31.2)})
}

func TestFindFitAlongAnOrderedSettingWhenTheConfigurationsAreMany(t *testing.T) {
	// m1 … m11 run out of memory at 32768 and fit at 4096; m0 fits at both: 11 failing configurations, more
	// than a list names, so each model's line says where it failed and where it fit.
	rows := [][]string{{"m0", "4096", "60.0"}, {"m0", "32768", "50.0"}}
	for i := 1; i <= maxListed+1; i++ {
		rows = append(rows, []string{fmt.Sprintf("m%d", i), "4096", "40.0"}, []string{fmt.Sprintf("m%d", i), "32768", "OOM"})
	}
	in := findFit(newRelation("r.md", nil, KindMarkdown, tableOf([]string{"model", "ctx", "tok/s"}, rows...))[0])
	if in == nil {
		t.Fatal("no fit insight")
	}
	assertInOrder(t, in.text.String(), []string{fmt.Sprintf("%d of %d configurations ran out of memory", maxListed+1, 2*(maxListed+2)),
		"model=m1: out of memory at ctx 32768, fit at 4096", "model=m10: out of memory at ctx 32768, fit at 4096",
		"and 1 more", "fit at every ctx: model=m0"})
}
