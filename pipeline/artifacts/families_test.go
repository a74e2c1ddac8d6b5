package artifacts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func TestLevelColumns(t *testing.T) {
	got := levelColumns([]string{"bvc_gpu80_ctx512_temp0p8", "homo_gpu80_ctx512_temp0p8", "bvc_gpu60_ctx1024_temp0p6",
		"hetero_het_g60c512t06__g120c1024t08"})
	want := map[string][]string{
		"variant":     {"bvc", "homo", "bvc", "hetero_het_g60c512t06__g120c1024t08"},
		"num_gpu":     {"80", "80", "60", ""},
		"num_ctx":     {"512", "512", "1024", ""},
		"temperature": {"0.8", "0.8", "0.6", ""},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("levelColumns = %v, want %v", got, want)
	}
	// Words every level shares say nothing; where that leaves a level empty the whole names are the variants.
	if got := levelColumns([]string{"gemma3_baseline", "gemma3_270m_baseline"})["variant"]; !slices.Equal(got,
		[]string{"gemma3_baseline", "gemma3_270m_baseline"}) {
		t.Errorf("variants %q", got)
	}
	for _, replicates := range [][]string{{"run_1", "run_2"}, {"ascii_demo_20251004_170151", "ascii_demo_20251004_175024"}} {
		if got := levelColumns(replicates); got != nil {
			t.Errorf("repetitions %q read as levels %v", replicates, got)
		}
	}
}

// Folders that name a scenario and its settings, one summary.json with one run each: the runs are compared
// across folders, bvc against homo both over all runs (Welch) and paired by num_ctx, which both hold at 512,
// 1024 and 2048.
func TestFolderNamesAreFactors(t *testing.T) {
	speedups := map[string]map[int]float64{
		"bvc":  {512: 1.40, 1024: 1.45, 2048: 1.38},
		"homo": {512: 1.52, 1024: 1.60, 2048: 1.55},
	}
	files := map[string]string{}
	for variant, byCtx := range speedups {
		for ctx, speedup := range byCtx {
			files[fmt.Sprintf("%s_gpu80_ctx%d_temp0p8/summary.json", variant, ctx)] = fmt.Sprintf(
				`{"runs": [{"concurrency_speedup": %g, "efficiency_percent": %g, "resource_contention_detected": false}]}`,
				speedup, 50*speedup)
		}
	}
	f, ok := factsFor(t, files)["group_means:*_temp0p8/summary.json:runs[].concurrency_speedup:variant"]
	if !ok {
		t.Fatal("no comparison of the folders' variants")
	}
	var homo, bvc, diffs []float64
	for _, ctx := range []int{512, 1024, 2048} {
		homo, bvc = append(homo, speedups["homo"][ctx]), append(bvc, speedups["bvc"][ctx])
		diffs = append(diffs, speedups["homo"][ctx]-speedups["bvc"][ctx])
	}
	lo, hi := stats.MeanCI95(diffs)
	p := stats.Welch(homo, bvc).P
	want := fmt.Sprintf("homo vs bvc: +%s %% (Welch p = %s, %s); paired over 3 of matching num_ctx: Δ +%s (95 %% CI %s to %s, %s)",
		fmtNum(100*(stats.Mean(homo)-stats.Mean(bvc))/stats.Mean(bvc)), fmtNum(p), verdict(&phrase{}, p < stats.SignificanceLevel),
		fmtNum(stats.Mean(diffs)), fmtNum(lo), fmtNum(hi), verdict(&phrase{}, lo > 0))
	if !strings.HasSuffix(f.Text, want) {
		t.Errorf("comparison\n got %q\nwant suffix %q", f.Text, want)
	}
}

// A baseline report and a chimera report of the same measurements differ in one word of their names: their
// tables are compared.
func TestReportPairIsCompared(t *testing.T) {
	baseline, chimera := []float64{98, 101, 100, 99.5, 96.5}, []float64{101, 102, 99.5, 104.5, 103}
	table := func(xs []float64) string {
		var b strings.Builder
		b.WriteString("# Runs\n\n| Run | Tokens/s |\n| --- | --- |\n")
		for i, x := range xs {
			fmt.Fprintf(&b, "| %d | %g |\n", i+1, x)
		}
		return b.String()
	}
	files := map[string]string{"baseline_report.md": table(baseline), "chimera_report.md": table(chimera)}
	f := factsFor(t, files)["group_means:*_report.md:table1.Tokens/s:variant"]
	p := stats.Welch(chimera, baseline).P
	want := fmt.Sprintf("mean table1.Tokens/s by variant: chimera → %s, baseline → %s tok/s (n=5 each); chimera vs baseline: +%s %% "+
		"(Welch p = %s, significant at p < 0.05)", fmtNum(stats.Mean(chimera)), fmtNum(stats.Mean(baseline)),
		fmtNum(100*(stats.Mean(chimera)-stats.Mean(baseline))/stats.Mean(baseline)), fmtNum(p))
	if p >= stats.SignificanceLevel || f.Text != want {
		t.Errorf("report pair\n got %q\nwant %q", f.Text, want)
	}
}
