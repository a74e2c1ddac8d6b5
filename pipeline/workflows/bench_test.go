package workflows

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"chimera/llama"
	"chimera/pipeline/engine"
	"chimera/store"
)

func runTinyBench(t *testing.T) []BenchRow {
	t.Helper()
	rows, err := Bench(context.Background(), openTestDB(t), BenchOptions{Target: Target{ModelRef: tinyModel}, Axes: tinyAxes(), NPrompt: 32, NGen: 8, Reps: 2, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBenchRunsEffectivelyEqualConfigsOnce(t *testing.T) {
	rows := runTinyBench(t)
	if len(rows) != 6 {
		t.Fatalf("%d rows, want pp and tg for 3 num_gpu values", len(rows))
	}
	// Without a GPU every num_gpu offloads nothing: the second and third values repeat the first measurement.
	for i, r := range rows {
		wantDup := i >= 2
		if (r.DuplicateOf != "") != wantDup || r.GPULayersActual != 0 || len(r.SamplesTS) != 2 {
			t.Errorf("row %d: duplicate_of %q, layers %d, %d samples", i, r.DuplicateOf, r.GPULayersActual, len(r.SamplesTS))
		}
		if r.AvgTS != rows[i%2].AvgTS || r.Test() != []string{"pp32", "tg8"}[i%2] {
			t.Errorf("row %d: %s at %v tok/s", i, r.Test(), r.AvgTS)
		}
	}
	if rows[1].TokenLatency == nil || rows[0].TokenLatency != nil {
		t.Error("token latency belongs to tg rows only")
	}
}

func TestBenchFormats(t *testing.T) {
	rows := runTinyBench(t)[:2]
	var out bytes.Buffer
	if err := WriteBench(&out, rows, "csv"); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(records) != 3 {
		t.Fatalf("csv: %v, %d records", err, len(records))
	}
	for _, field := range []string{"n_gpu_layers", "n_prompt", "n_gen", "avg_ts", "stddev_ts", "avg_ns", "stddev_ns", "samples_ts"} {
		if !slices.Contains(records[0], field) {
			t.Errorf("csv header lacks llama-bench's %s", field)
		}
	}

	out.Reset()
	WriteBench(&out, rows, "json")
	var decoded []BenchRow
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil || len(decoded) != 2 || decoded[1].NGen != 8 {
		t.Errorf("json: %v, %+v", err, decoded)
	}

	out.Reset()
	WriteBench(&out, rows, "sql")
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(out.String()); err != nil {
		t.Fatalf("sql does not load: %v", err)
	}
	var n int
	var avg float64
	if err := db.QueryRow("SELECT count(*), max(avg_ts) FROM llama_bench").Scan(&n, &avg); err != nil || n != 2 || avg <= 0 {
		t.Errorf("loaded %d rows, max avg_ts %v, %v", n, avg, err)
	}
	if err := WriteBench(&out, rows, "xml"); !engine.IsInputError(err) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestBenchRejectsTestsLargerThanTheContext(t *testing.T) {
	for _, opts := range []BenchOptions{{NPrompt: 512}, {NPrompt: 32, NDepth: []int{0, 240}}, {NGen: 8, NDepth: []int{-1}}} {
		opts.ModelRef, opts.Axes, opts.Reps = tinyModel, tinyAxes(), 1
		if _, err := Bench(context.Background(), openTestDB(t), opts); !engine.IsInputError(err) {
			t.Errorf("pp %d, tg %d at depths %v in num_ctx 256: %v", opts.NPrompt, opts.NGen, opts.NDepth, err)
		}
	}
}

func TestBenchRunsEveryTestAtEveryDepth(t *testing.T) {
	db := openTestDB(t)
	axes := with(tinyAxes(), "num_gpu", "0")
	rows, err := Bench(context.Background(), db, BenchOptions{Target: Target{ModelRef: tinyModel}, Axes: axes, NPrompt: 32, NGen: 8,
		NDepth: []int{0, 64}, Reps: 1, UseMmap: true})
	if err != nil {
		t.Fatal(err)
	}
	var tests []string
	for _, r := range rows {
		tests = append(tests, r.Test())
	}
	if want := []string{"pp32", "tg8", "pp32 @ d64", "tg8 @ d64"}; !slices.Equal(tests, want) {
		t.Errorf("tests %q, want %q", tests, want)
	}
	runs, err := db.ListRuns(context.Background(), store.ListFilter{Kind: store.KindBench})
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d bench runs, %v", len(runs), err)
	}
	detail, err := db.GetRun(context.Background(), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var depths []int
	for _, r := range detail.BenchResults {
		depths = append(depths, r.NDepth)
	}
	if !slices.Equal(depths, []int{0, 0, 64, 64}) {
		t.Errorf("stored depths %v", depths)
	}
}

// The store keeps the flash attention mode asked for and whether it was used: "auto" used to be stored as false.
func TestBenchRecordsTheFlashAttentionModeAndItsUse(t *testing.T) {
	db := openTestDB(t)
	axes := with(with(tinyAxes(), "num_gpu", "0"), "flash_attn", "auto", "off")
	if _, err := Bench(context.Background(), db, BenchOptions{Target: Target{ModelRef: tinyModel}, Axes: axes, NGen: 4, Reps: 1,
		UseMmap: true}); err != nil {
		t.Fatal(err)
	}
	runs, err := db.ListRuns(context.Background(), store.ListFilter{Kind: store.KindBench})
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d bench runs, %v", len(runs), err)
	}
	run, err := db.GetRun(context.Background(), runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range run.BenchResults {
		got = append(got, fmt.Sprintf("%s:%t", b.FlashMode, b.FlashAttn))
	}
	// The CPU backend supports flash attention, so llama.cpp resolves auto to enabled.
	if want := []string{"auto:true", "off:false"}; !slices.Equal(got, want) {
		t.Errorf("stored mode:used %q, want %q", got, want)
	}
}

// Rows that differ only in their prompt threads or their value cache type read apart in the tables.
func TestBenchTablesShowPromptThreadsAndBothCacheTypes(t *testing.T) {
	rows := []BenchRow{{NThreads: 2, NThreadsBatch: 2, TypeK: "f16", TypeV: "f16", NPrompt: 8},
		{NThreads: 2, NThreadsBatch: 1, TypeK: "f16", TypeV: "q8_0", NPrompt: 8}}
	for _, format := range []string{"table", "md"} {
		var out strings.Builder
		if err := WriteBench(&out, rows, format); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, "2/1") || !strings.Contains(last, "f16/q8_0") || strings.Contains(lines[len(lines)-2], "/") {
			t.Errorf("%s:\n%s", format, out.String())
		}
	}
}

// Without a GPU the placement settings change nothing: their values run once, the others pointing at it, each
// row keeping the settings it asked for.
func TestBenchRunsPlacementsOnceWithoutAGPU(t *testing.T) {
	if llama.HasGPU() {
		t.Skip("a GPU is registered: placements differ")
	}
	axes := with(with(tinyAxes(), "num_gpu", "0"), "split_mode", "layer", "row")
	rows, err := Bench(context.Background(), openTestDB(t), BenchOptions{Target: Target{ModelRef: tinyModel}, Axes: axes, NPrompt: 8,
		Reps: 1, UseMmap: true})
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if rows[0].DuplicateOf != "" || rows[1].DuplicateOf == "" || rows[1].SplitMode != "row" {
		t.Errorf("rows %+v and %+v: want the second a duplicate of the first, with split mode row", rows[0], rows[1])
	}
}
