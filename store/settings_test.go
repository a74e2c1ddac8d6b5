package store

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSettingsKeepTheirOrderThroughJSON(t *testing.T) {
	settings := Settings{{"num_gpu", "all"}, {"batch", "512"}, {"devices", `CUDA0/"odd"`}, {"ubatch", "64"}}
	text, err := json.Marshal(settings)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"num_gpu":"all","batch":"512","devices":"CUDA0/\"odd\"","ubatch":"64"}`; string(text) != want {
		t.Errorf("JSON %s, want %s", text, want)
	}
	var read Settings
	if err := json.Unmarshal(text, &read); err != nil || !reflect.DeepEqual(read, settings) {
		t.Errorf("read back %v (%v), want %v", read, err, settings)
	}
	if got, want := settings.String(), `num_gpu=all batch=512 devices=CUDA0/"odd" ubatch=64`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestSettingsRefuseJSONThatIsNotAnObjectOfTexts(t *testing.T) {
	for _, text := range []string{`[]`, `"num_gpu=all"`, `{"num_gpu":-1}`, `{"num_gpu":"all"`, `{"num_gpu":{}}`} {
		var s Settings
		if err := json.Unmarshal([]byte(text), &s); err == nil {
			t.Errorf("%s read as %v, want an error", text, s)
		}
	}
}

// Bench results recorded before schema v9 are given their settings from their llama-bench columns and row JSON,
// those their row JSON lacks at their defaults.
func TestMigrationNamesTheSettingsOfOlderBenchResults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimera.db")
	old, err := open(path, schemaSteps[:8])
	if err != nil {
		t.Fatal(err)
	}
	run := insertV1Run(t, old, "bench")
	insert := `INSERT INTO bench_results (run_id, test, n_gpu_layers, n_ctx, n_batch, n_ubatch, n_threads, flash_attn,
		flash_attn_mode, type_k, type_v, extra_json) VALUES (?, 'tg', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	for _, row := range [][]any{
		{-1, 4096, 2048, 512, 8, 1, "auto", "f16", "f16", ""},
		{12, 512, 256, 128, 4, 0, "", "q8_0", "f16", "not json"},
		{0, 256, 64, 64, 2, 0, "off", "f16", "q4_0",
			`{"n_threads_batch":3,"no_op_offload":true,"split_mode":"row","main_gpu":1,"tensor_split":"3/1","devices":"CUDA0/CUDA1"}`},
	} {
		if _, err := old.writer.Exec(insert, append([]any{run}, row...)...); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	detail := mustGetRun(t, db, run)
	want := []string{
		"num_gpu=all split_mode=layer main_gpu=0 tensor_split=auto devices=auto num_ctx=4096 batch=2048 ubatch=512 " +
			"threads=8 threads_batch=8 flash_attn=auto op_offload=on cache_type_k=f16 cache_type_v=f16",
		"num_gpu=12 split_mode=layer main_gpu=0 tensor_split=auto devices=auto num_ctx=512 batch=256 ubatch=128 " +
			"threads=4 threads_batch=4 flash_attn=off op_offload=on cache_type_k=q8_0 cache_type_v=f16",
		"num_gpu=0 split_mode=row main_gpu=1 tensor_split=3/1 devices=CUDA0/CUDA1 num_ctx=256 batch=64 ubatch=64 " +
			"threads=2 threads_batch=3 flash_attn=off op_offload=off cache_type_k=f16 cache_type_v=q4_0",
	}
	if len(detail.BenchResults) != len(want) {
		t.Fatalf("%d bench results, want %d", len(detail.BenchResults), len(want))
	}
	for i, r := range detail.BenchResults {
		if got := r.Settings.String(); got != want[i] {
			t.Errorf("result %d: settings %q\nwant %q", i, got, want[i])
		}
	}
}

// One rule says when two spellings of a setting are one configuration: device names in any case, tensor splits
// as proportions.
func TestComparableValuesAreOneForSpellingsOfOneConfiguration(t *testing.T) {
	for name, spellings := range map[string][][]string{
		"tensor_split": {{"3/1", "3.0/1", "6/2", "3/1/0", " 3 / 1 ", "0.75/0.25"}, {"1/3"}, {"3/1/1"}, {"1/1/1", "2/2/2"}, {"0/1", "0/5"}, {"auto"}},
		"devices":      {{"CUDA0/CUDA1", "cuda0/cuda1", "CUDA0 / cuda1"}, {"CUDA1/CUDA0"}, {"none"}},
		"num_gpu":      {{"all"}, {"ALL"}},
	} {
		seen := map[string]string{}
		for _, group := range spellings {
			first := ComparableValue(name, group[0])
			for _, spelling := range group[1:] {
				if got := ComparableValue(name, spelling); got != first {
					t.Errorf("%s: %q compares as %q, %q as %q: want one value", name, group[0], first, spelling, got)
				}
			}
			if other, ok := seen[first]; ok {
				t.Errorf("%s: %q and %q compare as one value, %q", name, other, group[0], first)
			}
			seen[first] = group[0]
		}
	}
}
