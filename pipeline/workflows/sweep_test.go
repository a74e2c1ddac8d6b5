package workflows

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"chimera/llama"
	"chimera/pipeline/engine"
	"chimera/store"
)

func tinySweep() SweepOptions {
	return SweepOptions{Target: Target{ModelRef: tinyModel}, Base: tinyConfig(), Workload: WorkloadBench, Runs: 2, RankBy: RankDecode,
		NPrompt: 32, NGen: 8, Data: testData(), Axes: with(with(with(with(with(with(tinyAxes(), "num_gpu", "0", "all"),
			"num_ctx", "256", "512"), "temp", "0.8"), "top_p", "0.9"), "top_k", "40"), "repeat_penalty", "1.1")}
}

func cellsOf(t *testing.T, opts SweepOptions) []SweepCell {
	t.Helper()
	cells, err := opts.Cells()
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

func TestSweepCellsVaryTheFirstAxisSlowest(t *testing.T) {
	opts := tinySweep()
	opts.Axes = with(with(opts.Axes, "batch", "64", "128"), "temp", "0.2", "0.8")
	opts.Base.Context.ThreadsBatch, opts.Base.Sampling.Seed = 3, 7
	var got []string
	for _, c := range cellsOf(t, opts) {
		cfg := c.Config
		got = append(got, fmt.Sprintf("%s/%d/%d/%s", engine.NumGPULabel(cfg.NumGPU), cfg.Context.NumCtx, cfg.Context.Batch, engine.Decimal(cfg.Sampling.Temperature)))
		if cfg.Context.ThreadsBatch != 3 || cfg.Sampling.Seed != 7 || !cfg.Context.ReusePrefix {
			t.Errorf("a cell lost the base settings: %+v", cfg)
		}
	}
	want := []string{"0/256/64/0.2", "0/256/64/0.8", "0/256/128/0.2", "0/256/128/0.8", "0/512/64/0.2"}
	if len(got) != 16 || !slices.Equal(got[:5], want) || got[8] != "all/256/64/0.2" {
		t.Errorf("cells in the wrong order: %q", got)
	}
}

func TestSweepDuplicatesAreEffectiveSettings(t *testing.T) {
	opts := tinySweep()
	opts.Axes = with(with(opts.Axes, "num_gpu", "0", "5", "all"), "temp", "0.2", "0.8")
	cells := cellsOf(t, opts) // num_gpu × num_ctx × temperature
	// With a GPU and 2 blocks, num_gpu 5 and all both offload 3 layers. The bench workload ignores sampling.
	markDuplicates(cells, WorkloadBench, 2, true, 0)
	want := []int{0, 1, 0, 3, 0, 5, 0, 7, 5, 5, 7, 7}
	for i, c := range cells {
		if c.DuplicateOf != want[i] {
			t.Errorf("bench, GPU: cell %d duplicate of %d, want %d", i+1, c.DuplicateOf, want[i])
		}
	}
	// Without a GPU every num_gpu offloads nothing; the agent workload tells temperatures apart.
	markDuplicates(cells, WorkloadAgent, 2, false, 0)
	want = []int{0, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4}
	for i, c := range cells {
		if c.DuplicateOf != want[i] || c.GPULayers != 0 {
			t.Errorf("agent, no GPU: cell %d duplicate of %d with %d layers, want %d", i+1, c.DuplicateOf, c.GPULayers, want[i])
		}
	}
}

func TestSweepTreatsZeroThreadsAsEveryCore(t *testing.T) {
	opts := tinySweep()
	opts.Axes = with(with(opts.Axes, "num_gpu", "0"), "num_ctx", "256")
	cores, _ := llama.ContextParams{}.EffectiveThreads()
	opts.Axes = with(opts.Axes, "threads", "0", strconv.Itoa(cores))
	cells := cellsOf(t, opts)
	markDuplicates(cells, WorkloadBench, 2, false, 0)
	if cells[1].DuplicateOf != 1 {
		t.Errorf("threads 0 and %d are the same on this machine: %+v", cores, cells)
	}
}

func TestRankFlagsSignificantLeads(t *testing.T) {
	cells := []SweepCell{
		{DecodeTPS: []float64{50, 51, 49, 50}},
		{DecodeTPS: []float64{60, 61, 59, 60}},
		{DecodeTPS: []float64{60.5, 59.5, 60, 61}},
		{DecodeTPS: []float64{99}, DuplicateOf: 1},
	}
	ranked := Rank(cells, RankDecode)
	if len(ranked) != 3 || ranked[0].Cell != 3 || ranked[1].Cell != 2 || ranked[2].Cell != 1 {
		t.Fatalf("ranking %+v", ranked)
	}
	if ranked[0].Significant || !ranked[1].Significant || ranked[2].PNext != nil {
		t.Errorf("60.25 vs 60 must not be significant, 60 vs 50 must, the last has no next: %+v", ranked)
	}
	if byTTFT := Rank([]SweepCell{{TTFTMS: []float64{20, 21}}, {TTFTMS: []float64{10, 11}}}, RankTTFT); byTTFT[0].Cell != 2 {
		t.Errorf("lower TTFT ranks first: %+v", byTTFT)
	}
}

func TestRankWithOneRunHasNoPValue(t *testing.T) {
	ranked := Rank([]SweepCell{{DecodeTPS: []float64{1}}, {DecodeTPS: []float64{2}}}, RankDecode)
	if ranked[0].PNext != nil || ranked[0].Significant {
		t.Errorf("one run per cell cannot be tested: %+v", ranked[0])
	}
	if _, err := json.Marshal(ranked); err != nil {
		t.Errorf("the ranking must marshal: %v", err)
	}
}

func TestSweepRejectsBadOptions(t *testing.T) {
	for name, change := range map[string]func(*SweepOptions){
		"workload":              func(o *SweepOptions) { o.Workload = "chat" },
		"rank-by":               func(o *SweepOptions) { o.RankBy = "speed" },
		"workflow of bench":     func(o *SweepOptions) { o.RankBy = RankWorkflow },
		"runs":                  func(o *SweepOptions) { o.Runs = 0 },
		"no tg":                 func(o *SweepOptions) { o.NGen = 0 },
		"test beyond num_ctx":   func(o *SweepOptions) { o.NPrompt = 300 },
		"empty axis":            func(o *SweepOptions) { o.Axes = with(o.Axes, "top_k") },
		"negative temperature":  func(o *SweepOptions) { o.Axes = with(o.Axes, "temp", "-1") },
		"flash-attn":            func(o *SweepOptions) { o.Axes = with(o.Axes, "flash_attn", "maybe") },
		"missing agent data":    func(o *SweepOptions) { o.Workload, o.DataDirs = WorkloadAgent, []string{"testdata/none"} },
		"num_gpu below all(-1)": func(o *SweepOptions) { o.Axes = with(o.Axes, "num_gpu", "-2") },
	} {
		opts := tinySweep()
		change(&opts)
		if _, err := Sweep(context.Background(), openTestDB(t), opts); !engine.IsInputError(err) {
			t.Errorf("%s: got %v, want an input error", name, err)
		}
	}
}

func TestSweepBenchWorkloadRecordsCellsUnderTheSweep(t *testing.T) {
	db := openTestDB(t)
	result, err := Sweep(context.Background(), db, tinySweep())
	if err != nil {
		t.Fatal(err)
	}
	// The tests load no GPU backend: num_gpu all offloads nothing, like 0, so cells 3 and 4 repeat 1 and 2.
	if result.HasGPU || len(result.Loads) != 1 || len(result.Ranking) != 2 || result.Status != string(store.StatusOK) {
		t.Fatalf("has GPU %v, %d loads, %d ranked, %s", result.HasGPU, len(result.Loads), len(result.Ranking), result.Status)
	}
	for i, c := range result.Cells {
		measured := i < 2
		if (c.DuplicateOf == 0) != measured || (len(c.DecodeTPS) == 2 && len(c.TTFTMS) == 2) != measured || (c.RunID != 0) != measured {
			t.Errorf("cell %d: %+v", i+1, c)
		}
	}
	sweep, err := db.GetRun(context.Background(), result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if sweep.Kind != store.KindSweep || len(sweep.Children) != 2 || len(sweep.Reports) != 1 || !strings.Contains(sweep.ConfigJSON, `"workload":"bench"`) ||
		sweep.Label != "bench sweep of 4 cells over num_gpu × num_ctx, 2 runs each" {
		t.Fatalf("sweep run %s %q, %d children, %d reports, config %s", sweep.Kind, sweep.Label, len(sweep.Children), len(sweep.Reports), sweep.ConfigJSON)
	}
	cell, err := db.GetRun(context.Background(), result.Cells[1].RunID)
	if err != nil {
		t.Fatal(err)
	}
	if cell.ParentID != result.RunID || cell.Status != store.StatusOK || len(cell.BenchResults) != 2 ||
		len(cell.BenchResults[1].SamplesTS) != 2 || !strings.Contains(cell.ConfigJSON, `"num_gpu_effective":0`) || cell.Label != "cell 2 num_gpu=0 num_ctx=512" {
		t.Errorf("cell run: parent %d, %s, %d results, config %s, label %q", cell.ParentID, cell.Status, len(cell.BenchResults), cell.ConfigJSON, cell.Label)
	}
	listed, _ := db.ListRuns(context.Background(), store.ListFilter{Kind: store.KindSweep})
	if len(listed) != 3 {
		t.Errorf("runs list --kind sweep lists %d runs, want the sweep and its 2 cells", len(listed))
	}
}

func TestSweepAgentWorkloadRecordsEachPass(t *testing.T) {
	db := openTestDB(t)
	opts := tinySweep()
	opts.Workload, opts.RankBy, opts.Runs = WorkloadAgent, RankWorkflow, 1
	opts.Axes = with(with(opts.Axes, "num_gpu", "0"), "num_ctx", "2048")
	result, err := Sweep(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := result.Cells[0]
	if len(c.WorkflowMS) != 1 || c.WorkflowMS[0] <= 0 || len(c.DecodeTPS) != 1 || len(c.TTFTMS) != 1 {
		t.Fatalf("cell %+v", c)
	}
	cell, err := db.GetRun(context.Background(), c.RunID)
	if err != nil {
		t.Fatal(err)
	}
	// The warm-up pass is recorded as repetition 0, as every workflow records its warm-up: two passes of two agents
	// with two calls each.
	if len(cell.AgentRuns) != 4 || len(cell.Calls) != 8 || cell.AgentRuns[0].Repetition != 0 || cell.AgentRuns[2].Repetition != 1 {
		t.Errorf("%d agent runs, %d calls", len(cell.AgentRuns), len(cell.Calls))
	}
}

// A cell whose prompts cannot fit its num_ctx is reported and recorded as failed; the other cells are measured.
func TestSweepGoesOnPastACellThatCannotRun(t *testing.T) {
	db := openTestDB(t)
	opts := tinySweep()
	opts.Workload, opts.Runs = WorkloadAgent, 1
	opts.Axes = with(with(opts.Axes, "num_gpu", "0"), "num_ctx", "128", "2048")
	var log bytes.Buffer
	opts.Log = &log
	result, err := Sweep(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "] 2/4 steps") || !strings.Contains(log.String(), "] 4/4 steps") {
		t.Errorf("progress does not count the failed cell's steps as done:\n%s", log.String())
	}
	small, large := result.Cells[0], result.Cells[1]
	if !strings.Contains(small.Error, "num_ctx") || len(small.DecodeTPS) != 0 || large.Error != "" || len(large.DecodeTPS) != 1 {
		t.Fatalf("cells: %+v", result.Cells)
	}
	if len(result.Ranking) != 1 || result.Ranking[0].Cell != 2 || result.Status != string(store.StatusOK) {
		t.Errorf("ranking %+v, status %s", result.Ranking, result.Status)
	}
	var ranking bytes.Buffer
	if err := WriteRanking(&ranking, result, false); err != nil || !strings.Contains(ranking.String(), "cell 1 (num_ctx=128) not measured: ") {
		t.Errorf("ranking notes do not name the failed cell: %v\n%s", err, ranking.String())
	}
	if cell, err := db.GetRun(context.Background(), small.RunID); err != nil || cell.Status != store.StatusFailed {
		t.Errorf("the failed cell's run: %+v, %v", cell, err)
	}

	opts.Axes = with(opts.Axes, "num_ctx", "128")
	if _, err := Sweep(context.Background(), db, opts); !engine.IsInputError(err) || !strings.Contains(err.Error(), "no cell could be measured") {
		t.Errorf("every cell failing: %v", err)
	}
}

func TestCancelledSweepIsRecordedAsInterrupted(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	result, err := Sweep(ctx, db, tinySweep())
	if err == nil || result == nil || result.Status != string(store.StatusInterrupted) {
		t.Fatalf("got %v, %+v", err, result)
	}
	cell, err := db.GetRun(context.Background(), result.Cells[0].RunID)
	if err != nil || cell.Status != store.StatusInterrupted || result.Cells[1].RunID != 0 {
		t.Errorf("the first cell %v (%v); the second must not have started: run %d", cell.Status, err, result.Cells[1].RunID)
	}
}

// handmadeResult is a sweep over num_gpu × num_ctx × temperature with one duplicate, for the output tests.
func handmadeResult() *SweepResult {
	cfg := func(numGPU, numCtx int, temp float32) engine.Config {
		c := tinyConfig()
		c.NumGPU, c.Context.NumCtx, c.Sampling.Temperature = numGPU, numCtx, temp
		return c
	}
	cells := []SweepCell{
		{Config: cfg(0, 256, 0.2), RunID: 2, DecodeTPS: []float64{10, 11}, TTFTMS: []float64{50, 52}},
		{Config: cfg(0, 256, 0.8), RunID: 3, DecodeTPS: []float64{30, 31}, TTFTMS: []float64{40, 41}},
		{Config: cfg(engine.AllLayers, 512, 0.2), GPULayers: 19, RunID: 4, DecodeTPS: []float64{90, 91}, TTFTMS: []float64{5, 6}},
		{Config: cfg(99, 512, 0.2), GPULayers: 19, DuplicateOf: 3},
	}
	r := &SweepResult{RunID: 1, Workload: WorkloadAgent, RankBy: RankDecode, HasGPU: true, Cells: cells,
		Loads: []engine.ModelLoad{{NumGPU: 0, LoadMS: 12}, {NumGPU: 19, OffloadedLayers: 19, LoadMS: 80}}}
	r.Ranking = Rank(cells, r.RankBy)
	return r
}

func TestSweepCSVHasEveryRunAndEachDuplicate(t *testing.T) {
	var out bytes.Buffer
	if err := writeSweepCSV(&out, handmadeResult()); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(records) != 1+6+1 {
		t.Fatalf("%v: %d records", err, len(records))
	}
	header := records[0]
	for _, column := range []string{"cell", "run_id", "num_gpu", "num_ctx", "batch", "temperature", "num_gpu_effective", "decode_tps", "ttft_ms", "duplicate_of"} {
		if !slices.Contains(header, column) {
			t.Errorf("header %q lacks %s", header, column)
		}
	}
	last := records[len(records)-1]
	if last[0] != "4" || last[len(last)-1] != "3" || last[slices.Index(header, "decode_tps")] != "" {
		t.Errorf("the duplicate's row: %q", last)
	}
}

func TestSweepRankingTextShowsTheVariedAxesAndNotes(t *testing.T) {
	var out bytes.Buffer
	if err := WriteRanking(&out, handmadeResult(), false); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"NUM_GPU", "NUM_CTX", "TEMPERATURE", "90.50 ± 0.71", "significant (p=", "cell 4 has the effective settings of cell 3",
		"every cell: ", " batch=2048 ", "model load for 19 GPU layers: 80 ms"} {
		if !strings.Contains(text, want) {
			t.Errorf("ranking lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "TOP_K") {
		t.Errorf("top_k does not vary and belongs in the notes:\n%s", text)
	}
}

func TestSweepFilesParse(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteSweepFiles(dir, handmadeResult())
	if err != nil || len(paths) != 5 {
		t.Fatalf("%v, %v", paths, err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "sweep.json"))
	var decoded SweepResult
	if err := json.Unmarshal(data, &decoded); err != nil || len(decoded.Cells) != 4 || decoded.Ranking[0].Cell != 3 {
		t.Errorf("sweep.json: %v, %+v", err, decoded)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "decode_vs_num_gpu.svg"))
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("the chart is not well-formed SVG: %v", err)
	}
	// One line per num_ctx; at num_ctx 256 the two temperatures share an offload and the faster one is plotted.
	for _, want := range []string{"num_ctx 256", "num_ctx 512", "num_ctx 256: 30.5 ± 0.7071", "best cell at each point"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}
