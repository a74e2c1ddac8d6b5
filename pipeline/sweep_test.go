package pipeline

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"
)

func sweepOptions() SweepOptions {
	base := tinyConfig()
	return SweepOptions{ModelRef: tinyModel, Base: base, Workload: WorkloadBench, Runs: 2, RankBy: RankDecode,
		NPrompt: 32, NGen: 8, Axes: SweepAxes{NumGPU: []int{0, 5, AllLayers}, NumCtx: []int{256, 512},
			Temperature: []float64{0.2, 0.8}, TopP: []float64{0.9}, TopK: []int{40}, RepeatPenalty: []float64{1.1}}}
}

func TestSweepDuplicatesAreEffectiveSettings(t *testing.T) {
	cells := sweepOptions().Cells()
	if len(cells) != 12 || cells[1].Config.Sampling.Temperature != 0.8 || cells[2].Config.Context.NumCtx != 512 {
		t.Fatalf("%d cells in the wrong order", len(cells))
	}
	// 2 blocks: num_gpu 5 and all both mean 3 layers with a GPU, 0 without. The bench workload ignores sampling.
	markDuplicates(cells, WorkloadBench, 2, true)
	want := []int{0, 1, 0, 3, 0, 5, 0, 7, 5, 5, 7, 7}
	for i, c := range cells {
		if c.DuplicateOf != want[i] {
			t.Errorf("cell %d duplicate of %d, want %d", i+1, c.DuplicateOf, want[i])
		}
	}
	markDuplicates(cells, WorkloadAgent, 2, false)
	if cells[1].DuplicateOf != 0 || cells[5].DuplicateOf != 2 || cells[8].DuplicateOf != 1 {
		t.Errorf("agent workload without GPU: %d %d %d", cells[1].DuplicateOf, cells[5].DuplicateOf, cells[8].DuplicateOf)
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
	if ranked[0].Significant || !ranked[1].Significant {
		t.Errorf("60.25 vs 60 must not be significant, 60 vs 50 must: %+v", ranked)
	}
	if byTTFT := Rank([]SweepCell{{TTFTMS: []float64{20}}, {TTFTMS: []float64{10}}}, RankTTFT); byTTFT[0].Cell != 2 {
		t.Errorf("lower TTFT ranks first: %+v", byTTFT)
	}
}

func TestSweepWritesEveryOutput(t *testing.T) {
	opts := sweepOptions()
	opts.Axes.NumGPU = []int{0, AllLayers}
	result, err := Sweep(context.Background(), openTestDB(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Ranking) != 2 || len(result.Cells[0].DecodeTPS) != 2 {
		t.Errorf("%d ranked cells; first cell %+v", len(result.Ranking), result.Cells[0])
	}
	dir := t.TempDir()
	paths, err := WriteSweepFiles(dir, result)
	if err != nil || len(paths) != 5 {
		t.Fatalf("%v, %v", paths, err)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "decode_vs_num_gpu.svg"))
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("the chart is not well-formed SVG: %v", err)
	}
}
