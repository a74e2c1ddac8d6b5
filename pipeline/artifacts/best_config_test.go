package artifacts

import (
	"fmt"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

// sweepCSV writes a num_gpu × num_ctx sweep whose tokens_s come from rate(gpu, ctx, run).
func sweepCSV(runs int, rate func(gpu, ctx, run int) float64) string {
	var b strings.Builder
	b.WriteString("num_gpu,num_ctx,tokens_s\n")
	for _, gpu := range []int{40, 60, 80} {
		for _, ctx := range []int{1024, 2048, 4096} {
			for run := range runs {
				fmt.Fprintf(&b, "%d,%d,%g\n", gpu, ctx, rate(gpu, ctx, run))
			}
		}
	}
	return b.String()
}

// Nine configurations within 0.5 % of each other, one run each: the best leads by 0.1, its sd over all nine is
// far larger, so no configuration is named best.
func TestFlatGridIsATie(t *testing.T) {
	values := []float64{78.0, 77.9, 78.1, 77.8, 78.2, 77.95, 78.05, 78.15, 78.3}
	i := 0
	files := map[string]string{"sweep.csv": sweepCSV(1, func(_, _, _ int) float64 { i++; return values[i-1] })}
	byID := factsFor(t, files)
	if _, ok := byID["best_config:sweep.csv:tokens_s:num_gpu/num_ctx"]; ok {
		t.Fatal("a best configuration named on a flat grid")
	}
	f, ok := byID["no_difference:sweep.csv:tokens_s:num_gpu/num_ctx"]
	if !ok {
		t.Fatal("no tie fact")
	}
	sd := stats.Summarize(values).SD
	// The fastest is the last, 80/4096 at 78.3; the runner-up the fifth, 60/2048 at 78.2.
	want := fmt.Sprintf("no measurable difference between the num_gpu/num_ctx settings at the top by tokens_s: "+
		"9 configs within 77.8 to 78.3 tok/s, sd %s, 1 run each; the best, num_gpu=80, num_ctx=4096 at 78.3, "+
		"leads the runner-up, num_gpu=60, num_ctx=2048 at 78.2, by 0.1: under 2× the configs' sd of %s (no repetitions to test)",
		fmtNum(sd), fmtNum(sd))
	if f.Text != want {
		t.Errorf("tie\n got %q\nwant %q", f.Text, want)
	}
}

// One configuration 10 tok/s ahead of eight within 0.4: its lead is many times their spread.
func TestStandoutConfigIsBest(t *testing.T) {
	files := map[string]string{"sweep.csv": sweepCSV(1, func(gpu, ctx, _ int) float64 {
		if gpu == 80 && ctx == 2048 {
			return 90
		}
		return 78 + float64(gpu+ctx%1000)/1000
	})}
	f, ok := factsFor(t, files)["best_config:sweep.csv:tokens_s:num_gpu/num_ctx"]
	if !ok || !strings.HasPrefix(f.Text, "best num_gpu/num_ctx by tokens_s: num_gpu=80, num_ctx=2048 at 90 tok/s") ||
		!strings.Contains(f.Text, ": above 2× the configs' sd of") {
		t.Errorf("best %q", f.Text)
	}
}

// With three runs of each configuration Welch's test decides: a lead of 1 tok/s over runs that vary by 0.1
// is significant; one of 0.05 over runs that vary by 1 is not.
func TestReplicatedConfigsAreTested(t *testing.T) {
	for _, c := range []struct {
		lead, noise float64
		kind        string
	}{{1, 0.1, FactBestConfig}, {0.05, 1, FactNoDifference}} {
		files := map[string]string{"sweep.csv": sweepCSV(3, func(gpu, ctx, run int) float64 {
			x := 70 + c.noise*float64(run-1)
			switch {
			case gpu == 80 && ctx == 4096:
				return x + 5 + c.lead
			case gpu == 60 && ctx == 4096:
				return x + 5
			}
			return x
		})}
		best := []float64{75 + c.lead - c.noise, 75 + c.lead, 75 + c.lead + c.noise}
		second := []float64{75 - c.noise, 75, 75 + c.noise}
		p := stats.Welch(best, second).P
		f, ok := factsFor(t, files)[c.kind+":sweep.csv:tokens_s:num_gpu/num_ctx"]
		if !ok || !strings.HasSuffix(f.Text, "Welch p = "+fmtNum(p)+", "+verdict(&phrase{}, p < stats.SignificanceLevel)) ||
			!strings.Contains(f.Text, "3 runs each") {
			t.Errorf("lead %g noise %g: %s %q (p %v)", c.lead, c.noise, c.kind, f.Text, p)
		}
	}
}

// A configuration run once among others run five times is flagged: its mean weighs as much on one run.
func TestUnequalReplicationIsFlagged(t *testing.T) {
	files := map[string]string{"runs.csv": "model,tokens_s\n" + strings.Repeat("a,50\na,51\n", 2) + "a,52\nb,40\n"}
	f := factsFor(t, files)["group_means:runs.csv:tokens_s:model"]
	if !strings.Contains(f.Text, "a → 50.8 (n=5), b → 40 (n=1) tok/s; unequal replication: 1 to 5 runs per model") {
		t.Errorf("group means %q", f.Text)
	}
}

// The fixture sweep's num_gpu levels: 40 gave 72.5, 71.5 and 72.25 tok/s, 999 gave 70.5, 71.25 and 70.75.
func TestParamEffectWelch(t *testing.T) {
	p := stats.Welch([]float64{72.5, 71.5, 72.25}, []float64{70.5, 71.25, 70.75}).P
	if got := fmtNum(p); got != "0.0324" {
		t.Errorf("Welch p %v prints as %s, want 0.0324 as TestBuildFactsFixtures expects", p, got)
	}
}

// Two thread counts per layer count are two configurations, not two runs of one: the best configuration is a
// pair of settings, each row one run, its lead held against the runs' sd that stddev_ts states,
// √(0.3² + 0.4²) = 0.5. 33 layers at 8 threads leads 33 at 4 by 0.2, under 2 × 0.5.
func TestRowsThatDifferInASettingAreNotRepetitions(t *testing.T) {
	files := map[string]string{"lb.csv": "num_gpu,n_threads,avg_ts,stddev_ts\n" +
		"0,4,8.0,0.1\n0,8,13.0,0.1\n33,4,109.8,0.3\n33,8,110.0,0.4\n"}
	byID := factsFor(t, files)
	f, ok := byID["no_difference:lb.csv:avg_ts:num_gpu/n_threads"]
	if !ok {
		t.Fatalf("no ranking of num_gpu/n_threads configurations: %v", byID)
	}
	for _, want := range []string{"4 configs", "1 run each", "num_gpu=33, n_threads=8 at 110", "under 2× the runs' combined sd of 0.5"} {
		if !strings.Contains(f.Text, want) {
			t.Errorf("%q lacks %q", f.Text, want)
		}
	}
}
