package diff

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"chimera/store"
)

func run(id int64, kind store.RunKind, detail store.RunDetail) *store.RunTree {
	detail.Run = store.Run{ID: id, Kind: kind, Status: store.StatusOK}
	return &store.RunTree{RunDetail: &detail}
}

// benchResult is a test at the tiny model's usual settings, on the given thread count.
func benchResult(test string, threads int, samples ...float64) store.BenchResult {
	r := store.BenchResult{Test: test, SamplesTS: samples}
	for _, setting := range [][2]string{{"num_gpu", "0"}, {"num_ctx", "256"}, {"threads", strconv.Itoa(threads)}, {"flash_attn", "auto"}} {
		r.Settings = append(r.Settings, store.Setting{Name: setting[0], Value: setting[1]})
	}
	if test == "pp" {
		r.NPrompt = 16
	} else {
		r.NGen = 4
	}
	return r
}

func keysOf[T any](items []T, key func(T) Key) []Key {
	keys := make([]Key, len(items))
	for i, item := range items {
		keys[i] = key(item)
	}
	return keys
}

func rowKeys(rows []Row) []Key { return keysOf(rows, func(r Row) Key { return r.Key }) }

func unmatchedKeys(u []Unmatched) []Key { return keysOf(u, func(u Unmatched) Key { return u.Key }) }

func mustDiff(t *testing.T, a, b *store.RunTree) *Report {
	t.Helper()
	report, err := Runs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func TestBenchConfigurationsMatchThroughSweepCellsAndTheRestIsListedApart(t *testing.T) {
	bench := run(1, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{
		benchResult("pp", 1, 100, 101, 102), benchResult("tg", 1, 50, 51, 52), benchResult("tg", 2, 90, 91, 92),
	}})
	sweep := run(2, store.KindSweep, store.RunDetail{})
	for _, cell := range [][]store.BenchResult{
		{benchResult("pp", 1, 110, 111, 112), benchResult("tg", 1, 40, 41, 42)},
		{benchResult("tg", 4, 150, 151, 152)},
	} {
		sweep.ChildDetails = append(sweep.ChildDetails, &store.RunDetail{BenchResults: cell})
	}

	report := mustDiff(t, bench, sweep)
	oneThread := "num_gpu=0 num_ctx=256 threads=1 flash_attn=auto"
	wantRows := []Key{{oneThread, "pp16", tokensPerSecond}, {oneThread, "tg4", tokensPerSecond}}
	if got := rowKeys(report.Rows); !reflect.DeepEqual(got, wantRows) {
		t.Errorf("matched %+v, want %+v", got, wantRows)
	}
	if got := unmatchedKeys(report.OnlyInA); len(got) != 1 || got[0].Test != "tg4" || got[0] == wantRows[1] {
		t.Errorf("only in A: %+v, want the 2-thread tg4", got)
	}
	if got := unmatchedKeys(report.OnlyInB); len(got) != 1 || got[0].Test != "tg4" || got[0] == wantRows[1] {
		t.Errorf("only in B: %+v, want the 4-thread tg4", got)
	}
	if got := report.OnlyInB[0].Summary; got.N != 3 || got.Mean != 151 {
		t.Errorf("only in B summarized as %+v, want 3 samples of mean 151", got)
	}
}

func TestABenchConfigurationListedTwiceCountsOnce(t *testing.T) {
	a := run(1, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{
		benchResult("tg", 1, 50, 51, 52), benchResult("tg", 1, 50, 51, 52),
	}})
	report := mustDiff(t, a, a)
	if len(report.Rows) != 1 || report.Rows[0].A.N != 3 {
		t.Errorf("rows %+v, want one of 3 samples a side", report.Rows)
	}
}

// Any setting a result records tells configurations apart, also one no column of the result holds.
func TestEverySettingTellsBenchConfigurationsApart(t *testing.T) {
	placed := func(split string, samples ...float64) store.BenchResult {
		r := benchResult("tg", 1, samples...)
		r.Settings = append(r.Settings, store.Setting{Name: "split_mode", Value: split})
		return r
	}
	a := run(1, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{placed("layer", 50, 51, 52), placed("row", 70, 71, 72)}})
	b := run(2, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{placed("layer", 60, 61, 62)}})
	report := mustDiff(t, a, b)
	if len(report.Rows) != 1 || report.Rows[0].A.Mean != 51 || len(report.OnlyInA) != 1 ||
		!strings.HasSuffix(report.OnlyInA[0].Configuration, " split_mode=row") {
		t.Errorf("rows %+v, only in A %+v; want split_mode=layer matched and split_mode=row apart", report.Rows, report.OnlyInA)
	}
}

// Two spellings of one placement are one configuration: a tensor split by its proportions, devices in any case.
func TestSpellingsOfOnePlacementMatch(t *testing.T) {
	placed := func(split, devices string, samples ...float64) store.BenchResult {
		r := benchResult("tg", 1, samples...)
		r.Settings = append(r.Settings, store.Setting{Name: "tensor_split", Value: split}, store.Setting{Name: "devices", Value: devices})
		return r
	}
	a := run(1, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{placed("3/1", "CUDA0/CUDA1", 50, 51, 52), placed("1/3", "CUDA0/CUDA1", 70, 71)}})
	b := run(2, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{placed("6.0/2", "cuda0/cuda1", 60, 61, 62)}})
	report := mustDiff(t, a, b)
	if len(report.Rows) != 1 || report.Rows[0].A.Mean != 51 || report.Rows[0].B.Mean != 61 || len(report.OnlyInA) != 1 || len(report.OnlyInB) != 0 {
		t.Errorf("rows %+v, only in A %+v, only in B %+v; want 3/1 matched with 6.0/2 and 1/3 apart", report.Rows, report.OnlyInA, report.OnlyInB)
	}
}

// Tables name a bench configuration by the settings that tell it from the others compared; the settings all share
// are stated once. A single configuration is named in full.
func TestTheSettingsEveryConfigurationSharesAreStatedOnce(t *testing.T) {
	a := run(1, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{benchResult("tg", 1, 50, 51), benchResult("tg", 2, 60, 61)}})
	b := run(2, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{benchResult("tg", 1, 55, 56), benchResult("pp", 4, 90, 91)}})
	report := mustDiff(t, a, b)
	if got, want := report.SharedSettings.String(), "num_gpu=0 num_ctx=256 flash_attn=auto"; got != want {
		t.Errorf("shared settings %q, want %q", got, want)
	}
	if got := report.Named(report.Rows[0].Key); got != "threads=1" {
		t.Errorf("the matched row is named %q, want threads=1", got)
	}
	if got := report.Named(report.OnlyInB[0].Key); got != "threads=4" {
		t.Errorf("the row only in B is named %q, want threads=4", got)
	}

	single := run(3, store.KindBench, store.RunDetail{BenchResults: []store.BenchResult{benchResult("tg", 1, 50, 51), benchResult("pp", 1, 90, 91)}})
	report = mustDiff(t, single, single)
	if len(report.SharedSettings) != 0 || report.Named(report.Rows[0].Key) != report.Rows[0].Configuration {
		t.Errorf("one configuration: shared %v, named %q; want none shared and the name in full",
			report.SharedSettings, report.Named(report.Rows[0].Key))
	}
}

// comparePasses is a compare run's agent passes as the workflow records them: a warm-up of repetition 0, whose
// figures are far off, then measured passes, the last of which failed.
func comparePasses(id int64, analysisMS ...float64) *store.RunTree {
	d := store.RunDetail{AgentRuns: []store.AgentRun{{ID: id * 100, Label: "baseline warm-up InsightAgent", AnalysisMS: 1e6, Status: store.StatusOK}}}
	d.Calls = []store.Call{{AgentRunID: id * 100, Stage: "analysis", DecodeTPS: 1, TTFTMS: 1e6}}
	for i, ms := range analysisMS {
		passID := id*100 + int64(i) + 1
		status := store.StatusOK
		if i == len(analysisMS)-1 {
			status = store.StatusFailed
		}
		d.AgentRuns = append(d.AgentRuns, store.AgentRun{ID: passID, Label: "baseline InsightAgent", Repetition: i + 1,
			AnalysisMS: ms, TotalMS: ms, Status: status})
		d.Calls = append(d.Calls,
			store.Call{AgentRunID: passID, Stage: "analysis", DecodeTPS: 1000 / ms, TTFTMS: ms / 10},
			store.Call{AgentRunID: passID, Stage: "report", TTFTMS: ms / 20}) // one token: no decode rate
	}
	return run(id, store.KindCompare, d)
}

func TestAgentPassesMatchByLabelAndStageWithoutWarmups(t *testing.T) {
	report := mustDiff(t, comparePasses(1, 100, 110, 120, 130), comparePasses(2, 200, 210, 220))
	pass := "baseline InsightAgent"
	want := map[Key]int{ // samples a side: A's 4 passes and B's 3, of which the failed last has no stage times
		{pass, "analysis", decodeRate}: 4, {pass, "analysis", firstToken}: 4, {pass, "report", firstToken}: 4,
		{pass, "analysis", stageTime}: 3, {pass, "report", stageTime}: 3, {pass, "total", stageTime}: 3,
	}
	got := map[Key]int{}
	for _, r := range report.Rows {
		got[r.Key] = r.A.N
		if r.A.Max >= 1e6 || r.B.Max >= 1e6 {
			t.Errorf("%+v: a warm-up was counted (A %+v, B %+v)", r.Key, r.A, r.B)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows with A's sample counts %v, want %v", got, want)
	}
	if len(report.OnlyInA)+len(report.OnlyInB) != 0 {
		t.Errorf("unmatched %+v and %+v, want none", report.OnlyInA, report.OnlyInB)
	}
}

func TestTheWarmupCallOfARunIsLeftOut(t *testing.T) {
	a := run(1, store.KindRun, store.RunDetail{
		AgentRuns: []store.AgentRun{{ID: 7, Label: "Chimera Insight", Repetition: 1, Status: store.StatusOK}},
		Calls:     []store.Call{{Stage: "warmup", DecodeTPS: 5, TTFTMS: 5}, {AgentRunID: 7, Stage: "analysis", DecodeTPS: 50, TTFTMS: 20}},
	})
	for _, r := range mustDiff(t, a, a).Rows {
		if r.Test == "warmup" || r.Configuration != "Chimera Insight" {
			t.Errorf("row %+v: want only the agent's", r.Key)
		}
	}
}

func TestAgentPassesOfSweepCellsMatchWithinTheirCell(t *testing.T) {
	sweep := run(1, store.KindSweep, store.RunDetail{})
	for i, label := range []string{"cell 1 num_ctx=256", "cell 2 num_ctx=512"} {
		agentRunID := int64(i + 1)
		sweep.ChildDetails = append(sweep.ChildDetails, &store.RunDetail{Run: store.Run{Label: label},
			AgentRuns: []store.AgentRun{{ID: agentRunID, Label: "Chimera Insight", Repetition: 1}},
			Calls:     []store.Call{{AgentRunID: agentRunID, Stage: "report", TTFTMS: 10}}})
	}
	want := []Key{{"cell 1 num_ctx=256 / Chimera Insight", "report", firstToken}, {"cell 2 num_ctx=512 / Chimera Insight", "report", firstToken}}
	if got := rowKeys(mustDiff(t, sweep, sweep).Rows); !reflect.DeepEqual(got, want) {
		t.Errorf("rows %+v, want %+v", got, want)
	}
}

func TestVerdictDirections(t *testing.T) {
	low, high := []float64{10, 11, 12, 11}, []float64{20, 21, 22, 21}
	for _, c := range []struct {
		name   string
		metric Metric
		a, b   []float64
		want   Verdict
	}{
		{"more tok/s", tokensPerSecond, low, high, Faster},
		{"fewer tok/s", tokensPerSecond, high, low, Slower},
		{"longer TTFT", firstToken, low, high, Slower},
		{"shorter stage time", stageTime, high, low, Faster},
		{"overlapping", decodeRate, []float64{10, 20, 30}, []float64{12, 22, 32}, NoDifference},
		{"one sample", tokensPerSecond, low, []float64{20}, TooFewSamples},
		{"constant", tokensPerSecond, []float64{5, 5}, []float64{6, 6}, NoSpread},
	} {
		if got := compare(Key{Metric: c.metric}, c.a, c.b).Verdict; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// welchP is Welch's two-sided p-value from its formula: t = (x̄a − x̄b) / √(sa²/na + sb²/nb) with the
// Welch–Satterthwaite degrees of freedom.
func welchP(a, b []float64) float64 {
	meanA, varA := stat.MeanVariance(a, nil)
	meanB, varB := stat.MeanVariance(b, nil)
	seA, seB := varA/float64(len(a)), varB/float64(len(b))
	t := (meanA - meanB) / math.Sqrt(seA+seB)
	df := (seA + seB) * (seA + seB) / (seA*seA/float64(len(a)-1) + seB*seB/float64(len(b)-1))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
}

func TestRowFiguresAgreeWithAnIndependentComputation(t *testing.T) {
	a, b := []float64{101.2, 99.8, 100.5, 102.1, 98.9}, []float64{104.3, 105.1, 106.0}
	row := compare(Key{Metric: tokensPerSecond}, a, b)
	meanA, meanB := stat.Mean(a, nil), stat.Mean(b, nil)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p", float64(row.P), welchP(a, b)},
		{"ratio", float64(row.Ratio), meanB / meanA},
		{"delta %", float64(row.DeltaPct), 100 * (meanB - meanA) / meanA},
		{"sd of A", row.A.SD, stat.StdDev(a, nil)},
	} {
		if math.Abs(c.got-c.want) > 1e-9*math.Abs(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if row.A.N != 5 || row.B.N != 3 || row.Verdict != Faster {
		t.Errorf("row %+v: want 5 against 3 samples, faster", row)
	}
}

func TestUndefinedFiguresAreNullInJSON(t *testing.T) {
	row := compare(Key{Metric: tokensPerSecond}, []float64{0, 0}, []float64{1})
	data, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"ratio", "delta_pct", "p"} {
		if v, ok := decoded[field]; !ok || v != nil {
			t.Errorf("%s = %v in %s, want null", field, v, data)
		}
	}
}

func TestRunsOfIncompatibleKindsAreRefused(t *testing.T) {
	bench, agents := run(3, store.KindBench, store.RunDetail{}), run(5, store.KindRun, store.RunDetail{})
	_, err := Runs(bench, agents)
	if !errors.Is(err, ErrIncompatible) {
		t.Fatalf("bench against run: error %v, want ErrIncompatible", err)
	}
	if want := "runs of incompatible kinds: run 3 is a bench, run 5 a run (compare two runs of one kind, or any two of bench, sweep and tune)"; err.Error() != want {
		t.Errorf("error %q,\nwant %q", err, want)
	}
	for _, pair := range [][2]*store.RunTree{{bench, run(4, store.KindSweep, store.RunDetail{})}, {agents, agents}} {
		if _, err := Runs(pair[0], pair[1]); err != nil {
			t.Errorf("%s against %s: %v", pair[0].Kind, pair[1].Kind, err)
		}
	}
}
