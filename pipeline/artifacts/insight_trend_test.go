package artifacts

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"chimera/pipeline/stats"
)

func TestFindTrend(t *testing.T) {
	tests := []struct {
		name    string
		columns []string
		rows    [][]string
		by      string
		want    []string
		notWant string
	}{
		{
			// τ = 1 over four levels; exact p: only the identity and the reversal reach |S| = 6 of 4! = 24
			// orderings, 2 / 24 = 0.0833. 40 / 10 − 1 = +300.0 %. The rows come unsorted.
			name:    "a rise along layers offloaded",
			columns: []string{"n_gpu_layers", "avg_ts"},
			rows:    [][]string{{"20", "30"}, {"0", "10"}, {"30", "40"}, {"10", "20"}},
			by:      "n_gpu_layers",
			want:    []string{"avg_ts rises with n_gpu_layers (Kendall τ = 1.00, p = 0.0833, not significant), monotonically, single values with no spread: 0 10 → 10 20 → 20 30 → 30 40 (+300.0 %, 4.00×)"},
			notWant: "against the trend",
		},
		{
			// y = 100, 80, 90, 60, 50: S = −4 − 1 − 2 − 1 = −8, τ = −8 / 10 = −0.80. Exact p: |S| ≥ 8 means at most
			// one inversion or at least nine, 1 + 4 + 4 + 1 = 10 of 5! = 120 orderings, 0.0833.
			// 80 → 90 is +12.5 %, against the fall and above the 5 % that counts without stated noise.
			name:    "a fall with a step against it",
			columns: []string{"depth", "avg_ts"},
			rows:    [][]string{{"0", "100"}, {"512", "80"}, {"1024", "90"}, {"2048", "60"}, {"4096", "50"}},
			by:      "depth",
			want: []string{"avg_ts falls with depth (Kendall τ = -0.80, p = 0.0833, not significant)", "0 100 → 512 80 → 1024 90 → 2048 60 → 4096 50 (-50.0 %, 2.00×)",
				"; against the trend it rises: depth 512 80 → 1024 90 (+12.5 %)"},
		},
		{
			// 80 → 82 is +2.5 %: within the 5 % that counts as noise when none is stated.
			name:    "a small step against the fall is no break",
			columns: []string{"depth", "avg_ts"},
			rows:    [][]string{{"0", "100"}, {"512", "80"}, {"1024", "82"}, {"2048", "60"}, {"4096", "50"}},
			by:      "depth",
			want:    []string{"avg_ts falls with depth"},
			notWant: "against the trend",
		},
		{
			// three series all rising: sign test 3 of 3, p = 2 · (1/2)³ = 0.25.
			name:    "a rise in every series",
			columns: []string{"model", "threads", "avg_ts"},
			rows: [][]string{{"a", "1", "1"}, {"a", "2", "2"}, {"a", "4", "3"}, {"b", "1", "2"}, {"b", "2", "3"},
				{"b", "4", "5"}, {"c", "1", "1"}, {"c", "2", "4"}, {"c", "4", "6"}},
			by:   "threads",
			want: []string{"avg_ts rises with threads in 3 of 3 series (sign test p = 0.25, not significant)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := newRelation("r", nil, KindCSV, tableOf(tt.columns, tt.rows...))[0]
			in := findIn(t, rel, findTrend, "avg_ts", tt.by)
			if in == nil {
				t.Fatal("no insight")
			}
			assertInOrder(t, in.text.String(), tt.want)
			if tt.notWant != "" && strings.Contains(in.text.String(), tt.notWant) {
				t.Errorf("text %q holds %q", in.text.String(), tt.notWant)
			}
		})
	}
}

func TestFindTrendNeedsAnOrderedDimension(t *testing.T) {
	rel := newRelation("r", nil, KindCSV, tableOf([]string{"toolbox", "avg_ts"},
		[]string{"a", "1"}, []string{"b", "2"}, []string{"c", "3"}))[0]
	if in := findIn(t, rel, findTrend, "avg_ts", "toolbox"); in != nil {
		t.Errorf("trend along unordered levels: %q", in.text.String())
	}
}

func TestFindTrendSaysWhereTheCurveStopsPaying(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"ngl", "tokens_s"},
		[]string{"0", "10.0"}, []string{"8", "40.0"}, []string{"16", "80.0"}, []string{"24", "82.0"}, []string{"32", "83.0"}))[0]
	in := findIn(t, rel, findTrend, "tokens_s", "ngl")
	// 80 → 82 is +2.5 % and 82 → 83 +1.2 %: beyond ngl 16 every step gains under 5 %.
	assertInOrder(t, in.text.String(), []string{"; it stops paying at ngl 16 (80.0): each step beyond gains under 5 %"})
}

func TestKneeOf(t *testing.T) {
	pts := func(ys ...float64) []point {
		out := make([]point, len(ys))
		for i, y := range ys {
			out[i] = point{mean: y}
		}
		return out
	}
	for _, c := range []struct {
		ys   []float64
		want int
	}{{[]float64{10, 40, 80, 82, 83}, 2}, {[]float64{10, 20, 40}, -1}, {[]float64{10, 10.1, 10.2}, 0}} {
		if got := kneeOf(pts(c.ys...)); got != c.want {
			t.Errorf("kneeOf(%v) = %d, want %d", c.ys, got, c.want)
		}
	}
}

func TestFlatSeriesAreNoTrend(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"model", "threads", "tok_s"},
		[]string{"a", "1", "10"}, []string{"a", "2", "11"}, []string{"a", "4", "11"}, []string{"a", "8", "10"},
		[]string{"b", "1", "10"}, []string{"b", "2", "11"}, []string{"b", "4", "11"}, []string{"b", "8", "10"}))[0]
	// Each series has τ = 0: no direction to state, and no knee.
	if in := findIn(t, rel, findTrend, "tok_s", "threads"); in != nil {
		t.Errorf("flat series gave %q", in.text.String())
	}
}

// Three levels' means alone cannot reach p < 0.33; with their runs the trend is tested against the runs' noise.
// The series of each machine falls over its twelve runs; the larger p of the two is that of "both fall".
func TestFindTrendTestsRepeatedLevelsOverTheirRuns(t *testing.T) {
	runs := map[string][]float64{"1": {30.1, 29.8, 30.0, 30.3}, "4": {26.0, 25.7, 26.2, 25.9}, "16": {19.9, 20.3, 20.1, 19.7}}
	var rows [][]string
	for _, machine := range []string{"laptop", "desk"} {
		for _, batch := range []string{"1", "4", "16"} {
			for _, v := range runs[batch] {
				if machine == "desk" {
					v *= 2
				}
				rows = append(rows, []string{machine, batch, fmt.Sprint(v)})
			}
		}
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"machine", "batch", "tok/s"}, rows...))[0]
	in := findIn(t, rel, findTrend, "tok/s", "batch")
	if in == nil {
		t.Fatal("no trend")
	}
	var xs, ys []float64
	for _, batch := range []string{"1", "4", "16"} {
		for _, v := range runs[batch] {
			xs, ys = append(xs, parseCell(batch).value), append(ys, v)
		}
	}
	p := stats.Kendall(xs, ys).P // the same for both machines: doubling keeps the ranks
	assertInOrder(t, in.text.String(), []string{"tok/s falls with batch in 2 of 2 series (each over its runs, Kendall"})
	if want := 1 - p; math.Abs(in.significance-want) > 1e-12 {
		t.Errorf("significance %v, want 1 − p over the runs = %v", in.significance, want)
	}
}

// Two layer counts, three runs each, in two series: Kendall's τ over six runs at two levels cannot go below
// p = 0.1, so the runs are tested by Welch, and "both rise" takes the larger of the two p-values.
func TestATrendOverTwoRepeatedLevelsIsTestedByWelch(t *testing.T) {
	runs := map[string][2][]float64{
		"Q4_K_M": {{9.24, 9.10, 9.11}, {77.40, 77.52, 77.41}},
		"Q8_0":   {{5.50, 5.61, 5.57}, {46.63, 46.80, 46.73}},
	}
	var rows [][]string
	largest := 0.0
	for quant, levels := range runs {
		for i, ngl := range []string{"0", "33"} {
			for _, v := range levels[i] {
				rows = append(rows, []string{quant, ngl, fmt.Sprint(v)})
			}
		}
		largest = math.Max(largest, stats.Welch(levels[1], levels[0]).P)
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"quant", "ngl", "gen_tps"}, rows...))[0]
	in := findIn(t, rel, findTrend, "gen_tps", "ngl")
	if in == nil {
		t.Fatal("no trend")
	}
	assertInOrder(t, in.text.String(), []string{"in 2 of 2 series (each over its runs, Welch", "beyond noise"})
	if want := 1 - largest; math.Abs(in.significance-want) > 1e-12 {
		t.Errorf("significance %v, want 1 − the larger Welch p = %v", in.significance, want)
	}
}

// Along a setting that divides the work, a throughput's gain is set against the linear one: 16 concurrent
// requests give 714.68 / 61.70 = 11.58×, 72.4 % of 16×. A latency that grows along it gains nothing.
func TestATrendAlongConcurrencySaysHowMuchOfLinearScalingItGets(t *testing.T) {
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"concurrency", "output_throughput", "ttft_ms"},
		[]string{"1", "61.70", "27.06"}, []string{"4", "226.30", "45.97"}, []string{"16", "714.68", "106.52"}))[0]
	in := findIn(t, rel, findTrend, "output_throughput", "concurrency")
	want := fmt.Sprintf("%.1f %% of the 16.00× linear scaling would give", 100*714.68/61.70/16)
	if in == nil || !strings.Contains(in.text.String(), want) {
		t.Fatalf("trend %v, want %q", in, want)
	}
	if in := findIn(t, rel, findTrend, "ttft_ms", "concurrency"); in == nil || strings.Contains(in.text.String(), "linear") {
		t.Errorf("latency trend %v", in)
	}
}
