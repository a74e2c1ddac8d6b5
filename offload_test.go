package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lavapipe runs ggml's Vulkan backend on Mesa's software device, which ggml hides unless asked, deterministically.
var lavapipe = []string{"GGML_VK_VISIBLE_DEVICES=0", "LP_NUM_THREADS=1"}

// vulkanLibDir is where make vulkan installs the backend; without it the offload tests skip with one line.
func vulkanLibDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("dist", "lib", "chimera"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "libggml-vulkan.so")); err != nil {
		t.Skip("no Vulkan backend in dist/lib/chimera (make vulkan builds it): offload on lavapipe not tested")
	}
	return dir
}

// Every layer offloaded to the Vulkan device writes the text the CPU writes at temperature 0.
func TestOffloadedGenerationEqualsTheCPUs(t *testing.T) {
	libDir := vulkanLibDir(t)
	texts := map[string]string{}
	for _, numGPU := range []string{"0", "all"} {
		got := chimera(t, lavapipe, "generate", "-m", tinyModel, "--db", filepath.Join(t.TempDir(), "c.db"), "--lib-dir", libDir,
			"--prompt", "hello", "--num-predict", "8", "--temp", "0", "--num-gpu", numGPU, "--op-offload", "off", "--json")
		var out struct {
			Text string `json:"text"`
			Load struct {
				Offloaded int `json:"gpu_layers_offloaded"`
			} `json:"load"`
		}
		if got.status != 0 || json.Unmarshal([]byte(got.stdout), &out) != nil {
			t.Fatalf("num_gpu %s: status %d, %s", numGPU, got.status, got.stderr)
		}
		if want := map[string]int{"0": 0, "all": 3}[numGPU]; out.Load.Offloaded != want {
			t.Errorf("num_gpu %s offloaded %d layers, want %d", numGPU, out.Load.Offloaded, want)
		}
		texts[numGPU] = out.Text
	}
	if texts["0"] == "" || texts["0"] != texts["all"] {
		t.Errorf("CPU wrote %q, the device %q", texts["0"], texts["all"])
	}
}

// With a GPU backend loaded, num_gpu 0 still runs a batch's matrix work on the device unless op offload is off:
// the setting is recorded per row and the table says which rows ran so.
func TestBenchSaysWhetherNumGPU0RanOnTheCPUAlone(t *testing.T) {
	libDir := vulkanLibDir(t)
	db := filepath.Join(t.TempDir(), "c.db")
	args := []string{"bench", "-m", tinyModel, "--db", db, "--lib-dir", libDir, "-ngl", "0", "--op-offload", "on,off", "-p", "32", "-n", "0",
		"-r", "1", "--num-ctx", "64"}
	var rows []struct {
		NoOpOffload bool `json:"no_op_offload"`
	}
	got := chimera(t, lavapipe, append(args, "-o", "json")...)
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &rows) != nil || len(rows) != 2 || rows[0].NoOpOffload || !rows[1].NoOpOffload {
		t.Fatalf("status %d, rows %+v: want op offload on, then off\n%s", got.status, rows, got.stderr)
	}
	table := strings.Split(strings.TrimSpace(chimera(t, lavapipe, args...).stdout), "\n")
	if len(table) != 3 || !strings.Contains(table[1], "op offload on") || strings.Contains(table[2], "op offload on") ||
		!strings.Contains(table[2], "op offload off") {
		t.Errorf("the table notes op offload on the first row, off the second:\n%s", strings.Join(table, "\n"))
	}
}

// Device memory is what llama.cpp put on the device, measured also where the driver reports free = total
// (lavapipe): a row's figure is its load's weights plus its own context, the same load in every row that shares it,
// growing with the layers offloaded.
func TestBenchMeasuresDeviceMemoryByTheDevicesBuffers(t *testing.T) {
	libDir := vulkanLibDir(t)
	var rows []struct {
		NGPULayers  int   `json:"n_gpu_layers"`
		NCtx        int   `json:"n_ctx"`
		VRAMUsed    int64 `json:"vram_used_bytes"`
		VRAMModel   int64 `json:"vram_model_bytes"`
		VRAMContext int64 `json:"vram_context_bytes"`
	}
	got := chimera(t, lavapipe, "bench", "-m", tinyModel, "--db", filepath.Join(t.TempDir(), "c.db"), "--lib-dir", libDir,
		"-ngl", "0,1,all", "--num-ctx", "256,512", "--op-offload", "off", "-p", "8", "-n", "0", "-r", "1", "-o", "json")
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &rows) != nil || len(rows) != 6 {
		t.Fatalf("status %d, %d rows\n%s", got.status, len(rows), got.stderr)
	}
	for _, r := range rows {
		if r.VRAMUsed != r.VRAMModel+r.VRAMContext || (r.NGPULayers == 0) != (r.VRAMModel == 0) {
			t.Errorf("ngl %d, num_ctx %d: %d bytes = model %d + context %d", r.NGPULayers, r.NCtx, r.VRAMUsed, r.VRAMModel, r.VRAMContext)
		}
	}
	// Rows 0-1 ngl 0, 2-3 ngl 1, 4-5 all; each pair shares a load at num_ctx 256 and 512.
	for i := 2; i < 6; i += 2 {
		if rows[i].VRAMModel != rows[i+1].VRAMModel || rows[i+1].VRAMContext <= rows[i].VRAMContext {
			t.Errorf("ngl %d: model %d and %d bytes, context %d and %d at num_ctx 256 and 512", rows[i].NGPULayers,
				rows[i].VRAMModel, rows[i+1].VRAMModel, rows[i].VRAMContext, rows[i+1].VRAMContext)
		}
	}
	if !(rows[2].VRAMModel < rows[4].VRAMModel) {
		t.Errorf("model bytes on the device: %d with 1 layer, %d with all", rows[2].VRAMModel, rows[4].VRAMModel)
	}
	// The cross-check: lavapipe's free memory does not move, whatever llama.cpp puts on it. Loads 2 and 3 offload.
	if n := strings.Count(got.stderr, "free memory fell 0.00 MiB: the driver does not report allocations"); n != 2 {
		t.Errorf("%d loads say that lavapipe's free memory did not move, want the 2 that offload:\n%s", n, got.stderr)
	}
}

// tune on lavapipe, a device far slower than the CPU: offloads whose device memory exceeds the budget are rejected,
// and racing the levels that fit answers no offload. Op offload is off, so that no offload holds no device memory.
func TestTuneRejectsWhatDoesNotFitAndComparesOffloadLevels(t *testing.T) {
	libDir := vulkanLibDir(t)
	got := chimera(t, lavapipe, "tune", "-m", tinyModel, "--db", filepath.Join(t.TempDir(), "c.db"), "--lib-dir", libDir,
		"--objective", "tg", "-n", "8", "--num-ctx", "64", "-t", "1", "-b", "64", "-ub", "64", "-fa", "on", "-ctk", "f16", "-ctv", "f16",
		"--op-offload", "off", "--memory-budget", "1", "--out", t.TempDir(), "--json")
	var result struct {
		Best *struct {
			Settings map[string]string `json:"settings"`
		} `json:"best"`
		Trials []struct {
			Settings    map[string]string `json:"settings"`
			Outcome     string            `json:"outcome"`
			MemoryBytes int64             `json:"memory_bytes"`
		} `json:"trials"`
	}
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &result) != nil || result.Best == nil {
		t.Fatalf("status %d\n%s", got.status, got.stderr)
	}
	var rejected int
	for _, tr := range result.Trials {
		over := tr.MemoryBytes > 1<<20
		if over != strings.HasPrefix(tr.Outcome, "rejected: over the memory budget") {
			t.Errorf("num_gpu %s holds %d bytes: outcome %q", tr.Settings["num_gpu"], tr.MemoryBytes, tr.Outcome)
		}
		if over {
			rejected++
		}
	}
	if rejected == 0 || result.Best.Settings["num_gpu"] != "0" {
		t.Errorf("%d trials over the budget, best num_gpu %s; want some rejected and no offload best", rejected, result.Best.Settings["num_gpu"])
	}
}

// --fit under a small target: the offload loaded and run is the largest whose device memory, as bench measures it
// per offload, fits the device's free memory less the target. The target leaves room for one layer, not for all.
func TestFitLoadsTheLargestOffloadThatLeavesTheTargetFree(t *testing.T) {
	libDir := vulkanLibDir(t)
	db := filepath.Join(t.TempDir(), "c.db")
	context := []string{"--num-ctx", "64", "--op-offload", "off", "--threads", "1"}
	var rows []struct {
		NGPULayers int   `json:"n_gpu_layers"`
		VRAMUsed   int64 `json:"vram_used_bytes"`
	}
	got := chimera(t, lavapipe, append([]string{"bench", "-m", tinyModel, "--db", db, "--lib-dir", libDir, "-ngl", "1,2,3", "-p", "8", "-n", "0",
		"-r", "1", "-o", "json"}, context...)...)
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &rows) != nil || len(rows) != 3 {
		t.Fatalf("bench: status %d, %d rows\n%s", got.status, len(rows), got.stderr)
	}
	var listed struct {
		Devices []struct {
			Backend   string `json:"backend"`
			FreeBytes int64  `json:"free_bytes"`
		} `json:"devices"`
	}
	if got := chimera(t, lavapipe, "devices", "--lib-dir", libDir, "--json"); json.Unmarshal([]byte(got.stdout), &listed) != nil {
		t.Fatalf("devices: %s", got.stderr)
	}
	var free int64
	for _, d := range listed.Devices {
		if d.Backend == "Vulkan" {
			free = d.FreeBytes
		}
	}
	targetMiB := (free - rows[0].VRAMUsed) >> 20
	room, want := free-targetMiB<<20, 0
	for _, r := range rows {
		if r.VRAMUsed <= room {
			want = r.NGPULayers
		}
	}
	if want == rows[2].NGPULayers {
		t.Fatalf("every offload fits %d bytes: %+v", room, rows)
	}

	got = chimera(t, lavapipe, append([]string{"generate", "-m", tinyModel, "--db", db, "--lib-dir", libDir, "--fit", "--fit-target",
		strconv.FormatInt(targetMiB, 10), "--prompt", "hi", "--num-predict", "2", "--json"}, context...)...)
	var out struct {
		Load struct {
			Requested int `json:"num_gpu_requested"`
			Offloaded int `json:"gpu_layers_offloaded"`
		} `json:"load"`
	}
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &out) != nil {
		t.Fatalf("generate --fit: status %d\n%s", got.status, got.stderr)
	}
	if out.Load.Requested != want || out.Load.Offloaded != want || !strings.Contains(got.stderr, fmt.Sprintf("--fit: num_gpu %d is the largest", want)) {
		t.Errorf("with %d bytes of room: loaded num_gpu %d, %d layers offloaded, want %d\n%s", room, out.Load.Requested, out.Load.Offloaded, want, got.stderr)
	}
}

// bench measures one placement once, whatever its spelling: device names in any case, tensor splits by their
// proportions (one GPU here: any one share is all of the model).
func TestBenchMeasuresAPlacementOnceWhateverItsSpelling(t *testing.T) {
	libDir := vulkanLibDir(t)
	var rows []struct {
		TensorSplit string `json:"tensor_split"`
		Devices     string `json:"devices"`
		DuplicateOf string `json:"duplicate_of"`
	}
	got := chimera(t, lavapipe, "bench", "-m", tinyModel, "--db", filepath.Join(t.TempDir(), "c.db"), "--lib-dir", libDir, "-ngl", "1",
		"-ts", "1,2.0", "-dev", "Vulkan0,VULKAN0", "--op-offload", "off", "-p", "8", "-n", "0", "-r", "1", "--num-ctx", "64", "-o", "json")
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &rows) != nil || len(rows) != 4 {
		t.Fatalf("status %d, %d rows\n%s", got.status, len(rows), got.stderr)
	}
	for i, r := range rows {
		if (i == 0) != (r.DuplicateOf == "") {
			t.Errorf("row %d (ts %s, dev %s): duplicate of %q; want the first measured and the others its duplicates", i, r.TensorSplit, r.Devices, r.DuplicateOf)
		}
	}
}

// chimera run's agents with layers on the Vulkan device, on the tiny model for a handful of tokens: the run's
// record (its --json and metrics.json) says that llama.cpp offloaded the layers asked for and put part of the
// model in device memory, and the store holds the run, its calls and the device it saw.
func TestRunsAgentsWithLayersOnTheDevice(t *testing.T) {
	libDir := vulkanLibDir(t)
	db, out := filepath.Join(t.TempDir(), "c.db"), t.TempDir()
	const layers = 2
	got := chimera(t, lavapipe, "--db", db, "run", "-m", tinyModel, "--lib-dir", libDir, "--data", "pipeline/artifacts/testdata/artifacts",
		"--agent", "collector", "--num-gpu", strconv.Itoa(layers), "--op-offload", "off", "--num-ctx", "512", "--num-predict", "4",
		"--threads", "1", "--out", out, "--json")
	type result struct {
		RunID  int64  `json:"run_id"`
		Status string `json:"status"`
		Model  struct {
			Load modelLoad `json:"load"`
		} `json:"model"`
	}
	var printed, written result
	if got.status != 0 || json.Unmarshal([]byte(got.stdout), &printed) != nil {
		t.Fatalf("run: status %d\n%s", got.status, got.stderr)
	}
	readMetrics(t, out, &written)
	for name, r := range map[string]result{"--json": printed, "metrics.json": written} {
		if r.Status != "ok" {
			t.Errorf("%s: status %s, want ok", name, r.Status)
		}
		r.Model.Load.checkOnTheDevice(t, name, layers)
	}

	recorded := recordedRun(t, db, printed.RunID)
	if recorded.Kind != "run" || recorded.Status != "ok" || !strings.HasPrefix(recorded.GPUs, "Vulkan0 ") || len(recorded.Calls) != 2 {
		t.Errorf("recorded a %s run, status %s, GPUs %q, %d calls; want an ok run on Vulkan0 with the collector's 2 calls",
			recorded.Kind, recorded.Status, recorded.GPUs, len(recorded.Calls))
	}
	recorded.checkEveryCallGenerated(t)
}

// chimera multi's two agents on one load with a layer on the Vulkan device (one layer: lavapipe computes slowly
// and the agents' prompts are long): metrics.json says each agent's load offloaded it and put part of the model in
// device memory, and the store holds the multi run on the device with each agent's warm-up, solo and concurrent
// passes and their calls.
func TestMultiRunsBothAgentsWithLayersOnTheDevice(t *testing.T) {
	libDir := vulkanLibDir(t)
	db, out := filepath.Join(t.TempDir(), "c.db"), t.TempDir()
	const layers = 1
	got := chimera(t, lavapipe, "--db", db, "multi", "-m", tinyModel, "--lib-dir", libDir, "--data", "pipeline/artifacts/testdata/artifacts",
		"--num-gpu", strconv.Itoa(layers), "--op-offload", "off", "--num-ctx", "512", "--num-predict", "4", "--threads", "1", "--out", out,
		"chimera-homo")
	if got.status != 0 {
		t.Fatalf("multi: status %d\n%s", got.status, got.stderr)
	}
	var written struct {
		RunID  int64  `json:"run_id"`
		Status string `json:"status"`
		Agents []struct {
			Agent string `json:"agent"`
			Model struct {
				Load modelLoad `json:"load"`
			} `json:"model"`
		} `json:"agents"`
	}
	readMetrics(t, out, &written)
	if written.Status != "ok" || len(written.Agents) != 2 {
		t.Fatalf("metrics.json: status %s, %d agents; want ok and 2", written.Status, len(written.Agents))
	}
	for _, a := range written.Agents {
		a.Model.Load.checkOnTheDevice(t, a.Agent, layers)
	}

	recorded := recordedRun(t, db, written.RunID)
	if recorded.Kind != "multi" || recorded.Status != "ok" || !strings.HasPrefix(recorded.GPUs, "Vulkan0 ") {
		t.Errorf("recorded a %s run, status %s, GPUs %q; want an ok multi run on Vulkan0", recorded.Kind, recorded.Status, recorded.GPUs)
	}
	passes := map[string]int{}
	for _, r := range recorded.AgentRuns {
		passes[r.Agent]++
	}
	const phases = 3 // warm-up, solo, concurrent
	for _, a := range written.Agents {
		if passes[a.Agent] != phases {
			t.Errorf("agent %s: %d passes recorded, want %d", a.Agent, passes[a.Agent], phases)
		}
	}
	recorded.checkEveryCallGenerated(t)
}

// modelLoad is a model load as a run's record writes it.
type modelLoad struct {
	Offloaded int `json:"gpu_layers_offloaded"`
	Buffers   []struct {
		Buffer string `json:"buffer"`
		Kind   string `json:"kind"`
		Bytes  uint64 `json:"bytes"`
	} `json:"buffers"`
}

// checkOnTheDevice checks that the load offloaded the layers asked for and put part of the model on Vulkan0.
func (l modelLoad) checkOnTheDevice(t *testing.T, name string, layers int) {
	t.Helper()
	var onDevice uint64
	for _, b := range l.Buffers {
		if b.Buffer == "Vulkan0" && b.Kind == "model" {
			onDevice += b.Bytes
		}
	}
	if l.Offloaded != layers || onDevice == 0 {
		t.Errorf("%s: %d layers offloaded, %d bytes of the model on Vulkan0; want %d layers and some bytes", name, l.Offloaded, onDevice, layers)
	}
}

// readMetrics decodes the metrics.json of the one run written under out.
func readMetrics(t *testing.T, out string, into any) {
	t.Helper()
	metrics, err := filepath.Glob(filepath.Join(out, "*", "metrics.json"))
	if err != nil || len(metrics) != 1 {
		t.Fatalf("want one metrics.json in %s, found %v", out, metrics)
	}
	data, err := os.ReadFile(metrics[0])
	if err == nil {
		err = json.Unmarshal(data, into)
	}
	if err != nil {
		t.Fatalf("metrics.json: %v", err)
	}
}

// runRecord is what chimera runs show says of a run.
type runRecord struct {
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	GPUs      string `json:"gpus"`
	AgentRuns []struct {
		Agent string `json:"agent"`
	} `json:"agent_runs"`
	Calls []struct {
		Stage     string `json:"stage"`
		GenTokens int    `json:"gen_tokens"`
	} `json:"calls"`
}

func recordedRun(t *testing.T, db string, id int64) runRecord {
	t.Helper()
	var recorded runRecord
	if err := json.Unmarshal([]byte(succeed(t, "--db", db, "runs", "show", strconv.FormatInt(id, 10))), &recorded); err != nil {
		t.Fatalf("runs show %d: %v", id, err)
	}
	return recorded
}

func (r runRecord) checkEveryCallGenerated(t *testing.T) {
	t.Helper()
	if len(r.Calls) == 0 {
		t.Error("no call recorded")
	}
	for _, c := range r.Calls {
		if c.GenTokens < 1 {
			t.Errorf("the %s call generated nothing", c.Stage)
		}
	}
}
