package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The structs below are the JSON outputs as docs/json.md describes them, written from its tables. Each test runs
// a command on the tiny model and decodes its output with unknown fields refused, so that a field the page does
// not list fails the test, then checks what the page promises against the command's own inputs.

const testArtifacts = "pipeline/artifacts/testdata/artifacts"

// decodeDoc decodes text into v, refusing any field v does not declare.
func decodeDoc(t *testing.T, what, text string, v any) {
	t.Helper()
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(v); err != nil {
		t.Fatalf("%s does not decode into the struct written from docs/json.md: %v\n%.2000s", what, err, text)
	}
}

func decodeDocFile(t *testing.T, pattern string, v any) {
	t.Helper()
	paths, _ := filepath.Glob(pattern)
	if len(paths) != 1 {
		t.Fatalf("%s matches %v, want one file", pattern, paths)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	decodeDoc(t, filepath.Base(paths[0]), string(data), v)
}

// succeed runs chimera and fails the test unless it exits 0.
func succeed(t *testing.T, args ...string) string {
	t.Helper()
	got := chimera(t, nil, args...)
	if got.status != 0 {
		t.Fatalf("%v: status %d: %s", args, got.status, got.stderr)
	}
	return got.stdout
}

type configDoc struct {
	NumGPU      int    `json:"num_gpu"`
	SplitMode   string `json:"split_mode"`
	MainGPU     int    `json:"main_gpu"`
	TensorSplit string `json:"tensor_split"`
	Devices     string `json:"devices"`
	Fit         bool   `json:"fit"`
	FitTarget   int    `json:"fit_target"`
	UseMmap     bool   `json:"use_mmap"`
	Context     struct {
		NumCtx       int    `json:"num_ctx"`
		Batch        int    `json:"batch"`
		UBatch       int    `json:"ubatch"`
		Threads      int    `json:"threads"`
		ThreadsBatch int    `json:"threads_batch"`
		FlashAttn    string `json:"flash_attn"`
		CacheTypeK   string `json:"cache_type_k"`
		CacheTypeV   string `json:"cache_type_v"`
		NoOpOffload  bool   `json:"no_op_offload"`
		ReusePrefix  bool   `json:"reuse_prefix"`
	} `json:"context"`
	Sampling struct {
		Temperature   float64 `json:"temperature"`
		TopP          float64 `json:"top_p"`
		MinP          float64 `json:"min_p"`
		RepeatPenalty float64 `json:"repeat_penalty"`
		TopK          int     `json:"top_k"`
		RepeatLastN   int     `json:"repeat_last_n"`
		Seed          int64   `json:"seed"`
	} `json:"sampling"`
	NumPredict int `json:"num_predict"`
}

type modelDoc struct {
	Ref              string  `json:"ref"`
	Path             string  `json:"path"`
	Description      string  `json:"description"`
	FileType         string  `json:"file_type"`
	HeaderSHA256     string  `json:"header_sha256"`
	SyntheticWeights bool    `json:"synthetic_weights"`
	Load             loadDoc `json:"load"`
}

type loadDoc struct {
	LoadMS               float64 `json:"load_ms"`
	NumGPURequested      int     `json:"num_gpu_requested"`
	GPULayersOffloaded   int     `json:"gpu_layers_offloaded"`
	GPULayersOffloadable int     `json:"gpu_layers_offloadable"`
	Buffers              []struct {
		Buffer string `json:"buffer"`
		Kind   string `json:"kind"`
		Bytes  int64  `json:"bytes"`
	} `json:"buffers"`
	DevicesBefore []deviceDoc `json:"devices_before"`
	DevicesAfter  []deviceDoc `json:"devices_after"`
}

type deviceDoc struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Backend     string `json:"backend"`
	FreeBytes   int64  `json:"free_bytes"`
	TotalBytes  int64  `json:"total_bytes"`
	DeviceID    string `json:"device_id"`
	Hardware    string `json:"hardware"`
	Driver      string `json:"driver"`
	Compute     string `json:"compute_capability"`
}

type summaryDoc struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	SD     float64 `json:"sd"`
}

type modelLoadDoc struct {
	NumGPU             int      `json:"num_gpu"`
	GPULayersOffloaded int      `json:"gpu_layers_offloaded"`
	LoadMS             float64  `json:"load_ms"`
	DeviceBytes        int64    `json:"device_bytes"`
	UsedBy             []string `json:"used_by"`
}

type timingsDoc struct {
	PromptTokens       int     `json:"prompt_tokens"`
	PromptCachedTokens int     `json:"prompt_cached_tokens"`
	PromptEvalMS       float64 `json:"prompt_eval_ms"`
	TTFTMS             float64 `json:"ttft_ms"`
	GenTokens          int     `json:"gen_tokens"`
	EvalMS             float64 `json:"eval_ms"`
	SampleMS           float64 `json:"sample_ms"`
	TokenLatencyMS     struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
		P99 float64 `json:"p99"`
		Max float64 `json:"max"`
	} `json:"token_latency_ms"`
	TotalMS            float64 `json:"total_ms"`
	PromptTPS          float64 `json:"prompt_tps"`
	DecodeTPS          float64 `json:"decode_tps"`
	PromptEvalCount    int     `json:"prompt_eval_count"`
	PromptEvalDuration int64   `json:"prompt_eval_duration"`
	EvalCount          int     `json:"eval_count"`
	EvalDuration       int64   `json:"eval_duration"`
	LoadDuration       int64   `json:"load_duration"`
	TotalDuration      int64   `json:"total_duration"`
}

// checkOllamaFields checks the Ollama fields against the ones they are derived from, as the page defines them.
func checkOllamaFields(t *testing.T, tm timingsDoc) {
	t.Helper()
	if tm.EvalCount != tm.GenTokens || tm.PromptEvalCount != tm.PromptTokens-tm.PromptCachedTokens ||
		math.Abs(float64(tm.EvalDuration)-tm.EvalMS*1e6) > 1e3 || math.Abs(float64(tm.PromptEvalDuration)-tm.PromptEvalMS*1e6) > 1e3 ||
		math.Abs(float64(tm.TotalDuration-tm.LoadDuration)-tm.TotalMS*1e6) > 1e3 {
		t.Errorf("the Ollama fields do not follow from the others: %+v", tm)
	}
}

type groundingDoc struct {
	Numbers      int      `json:"numbers"`
	Grounded     int      `json:"grounded"`
	Loose        []string `json:"loose"`
	Ungrounded   []string `json:"ungrounded"`
	Placeholders []string `json:"placeholders"`
}

type agentPassDoc struct {
	Agent struct {
		ID           string `json:"id"`
		Label        string `json:"label"`
		Name         string `json:"name"`
		Role         string `json:"role"`
		Persona      string `json:"persona"`
		AnalysisTask string `json:"analysis_task"`
		ReportTask   string `json:"report_task"`
	} `json:"agent"`
	Repetition int       `json:"repetition"`
	Calls      []callDoc `json:"calls"`
	Stages     struct {
		IngestMS   float64 `json:"ingest_ms"`
		AnalysisMS float64 `json:"analysis_ms"`
		ReportMS   float64 `json:"report_ms"`
		TotalMS    float64 `json:"total_ms"`
	} `json:"stages"`
	Grounding struct {
		groundingDoc
		Analysis groundingDoc `json:"analysis"`
		Report   groundingDoc `json:"report"`
	} `json:"grounding"`
	ReportPath string `json:"report_path"`
}

type callDoc struct {
	Agent      string `json:"agent"`
	Stage      string `json:"stage"`
	Repetition int    `json:"repetition"`
	Prompt     struct {
		User              string `json:"user"`
		Rendered          string `json:"rendered"`
		PromptTokens      int    `json:"prompt_tokens"`
		FactsShown        int    `json:"facts_shown"`
		FactsTotal        int    `json:"facts_total"`
		ReservedForAnswer int    `json:"reserved_for_answer"`
		Trimmed           bool   `json:"trimmed"`
	} `json:"prompt"`
	Response   string     `json:"response"`
	StopReason string     `json:"stop_reason"`
	Timings    timingsDoc `json:"timings"`
}

// checkPasses checks that each agent's pass made an analysis call, then a report call, within numPredict tokens.
func checkPasses(t *testing.T, passes []agentPassDoc, numPredict int) {
	t.Helper()
	for _, p := range passes {
		if len(p.Calls) != 2 || p.Calls[0].Stage != "analysis" || p.Calls[1].Stage != "report" {
			t.Errorf("agent %s: calls %+v, want analysis then report", p.Agent.ID, p.Calls)
			continue
		}
		for _, c := range p.Calls {
			if c.Agent != p.Agent.ID || c.Timings.GenTokens < 1 || c.Timings.GenTokens > numPredict || c.Prompt.Rendered == "" {
				t.Errorf("agent %s: call %+v", p.Agent.ID, c)
			}
			checkOllamaFields(t, c.Timings)
		}
	}
}

type benchRowDoc struct {
	ModelFilename       string      `json:"model_filename"`
	ModelType           string      `json:"model_type"`
	ModelSize           int64       `json:"model_size"`
	ModelNParams        int64       `json:"model_n_params"`
	Backends            string      `json:"backends"`
	GPUInfo             string      `json:"gpu_info"`
	NBatch              int         `json:"n_batch"`
	NUBatch             int         `json:"n_ubatch"`
	NThreads            int         `json:"n_threads"`
	NThreadsBatch       int         `json:"n_threads_batch"`
	TypeK               string      `json:"type_k"`
	TypeV               string      `json:"type_v"`
	NGPULayers          int         `json:"n_gpu_layers"`
	SplitMode           string      `json:"split_mode"`
	MainGPU             int         `json:"main_gpu"`
	TensorSplit         string      `json:"tensor_split"`
	Devices             string      `json:"devices"`
	FlashAttn           string      `json:"flash_attn"`
	FlashAttnUsed       bool        `json:"flash_attn_used"`
	NoOpOffload         bool        `json:"no_op_offload"`
	UseMmap             bool        `json:"use_mmap"`
	NPrompt             int         `json:"n_prompt"`
	NGen                int         `json:"n_gen"`
	NDepth              int         `json:"n_depth"`
	NCtx                int         `json:"n_ctx"`
	TestTime            string      `json:"test_time"`
	AvgNS               int64       `json:"avg_ns"`
	StddevNS            int64       `json:"stddev_ns"`
	AvgTS               float64     `json:"avg_ts"`
	StddevTS            float64     `json:"stddev_ts"`
	SamplesNS           []int64     `json:"samples_ns"`
	SamplesTS           []float64   `json:"samples_ts"`
	NGPULayersEffective int         `json:"n_gpu_layers_effective"`
	LoadMS              float64     `json:"load_ms"`
	VRAMUsedBytes       int64       `json:"vram_used_bytes"`
	VRAMModelBytes      int64       `json:"vram_model_bytes"`
	VRAMContextBytes    int64       `json:"vram_context_bytes"`
	BufferBytes         int64       `json:"buffer_bytes"`
	TokenLatencyMS      *summaryDoc `json:"token_latency_ms"`
	DuplicateOf         string      `json:"duplicate_of"`
	Settings            settingsDoc `json:"settings"`
}

// settingsDoc is a settings object: names and values, both strings.
type settingsDoc map[string]string

// benchArgs are a bench of the tiny model: pp8 and tg2, twice each, at num_gpu 0 listed twice, so the second
// configuration repeats the first on any machine.
func benchArgs(db, format string) []string {
	return []string{"--db", db, "bench", "-m", tinyModel, "-p", "8", "-n", "2", "-r", "2", "--num-ctx", "64", "-t", "1",
		"--num-gpu", "0,0", "-o", format}
}

// checkBenchRows checks rows of benchArgs: a pp8 and a tg2 row per configuration, the second configuration's
// rows naming the first's settings.
func checkBenchRows(t *testing.T, rows []benchRowDoc) {
	t.Helper()
	if len(rows) != 4 {
		t.Fatalf("%d rows, want pp and tg for each of 2 configurations", len(rows))
	}
	for i, r := range rows {
		pp := i%2 == 0
		if pp && (r.NPrompt != 8 || r.NGen != 0 || r.TokenLatencyMS != nil) || !pp && (r.NPrompt != 0 || r.NGen != 2 ||
			r.TokenLatencyMS == nil || r.TokenLatencyMS.N != 2*2) {
			t.Errorf("row %d: n_prompt %d, n_gen %d, token_latency_ms %+v", i, r.NPrompt, r.NGen, r.TokenLatencyMS)
		}
		if _, err := time.Parse(time.RFC3339, r.TestTime); err != nil || r.ModelFilename != tinyModel || r.NThreads != 1 ||
			r.NGPULayers != 0 || r.NGPULayersEffective != 0 || r.NCtx < 64 || len(r.SamplesNS) != 2 || len(r.SamplesTS) != 2 ||
			r.VRAMUsedBytes != r.VRAMModelBytes+r.VRAMContextBytes || r.BufferBytes <= 0 || r.Backends == "" {
			t.Errorf("row %d: %+v", i, r)
		}
		if tokens := float64(r.NPrompt + r.NGen); math.Abs(r.SamplesTS[0]-tokens/(float64(r.SamplesNS[0])/1e9)) > 1e-6*r.SamplesTS[0] {
			t.Errorf("row %d: samples_ts %v is not (n_prompt + n_gen) / samples_ns %v", i, r.SamplesTS, r.SamplesNS)
		}
		if repeats := i >= 2; repeats != strings.Contains(r.DuplicateOf, "num_gpu=0") {
			t.Errorf("row %d: duplicate_of %q", i, r.DuplicateOf)
		}
		if r.Settings["num_gpu"] != "0" || r.Settings["threads"] != "1" || r.Settings["num_ctx"] != strconv.Itoa(r.NCtx) ||
			r.Settings["split_mode"] != r.SplitMode || r.Settings["cache_type_v"] != r.TypeV || r.Settings["cache_type"] != "" ||
			r.Settings["temperature"] != "" {
			t.Errorf("row %d: settings %v, want the load and context settings as applied, a shorthand's parts, no sampling", i, r.Settings)
		}
	}
}

func TestBenchJSONIsDocumented(t *testing.T) {
	var rows []benchRowDoc
	decodeDoc(t, "bench -o json", succeed(t, benchArgs(filepath.Join(t.TempDir(), "chimera.db"), "json")...), &rows)
	checkBenchRows(t, rows)
}

func TestBenchJSONLIsDocumented(t *testing.T) {
	var rows []benchRowDoc
	for line := range strings.Lines(succeed(t, benchArgs(filepath.Join(t.TempDir(), "chimera.db"), "jsonl")...)) {
		var row benchRowDoc
		decodeDoc(t, "a line of bench -o jsonl", line, &row)
		rows = append(rows, row)
	}
	checkBenchRows(t, rows)
}

type generateDoc struct {
	RunID            int64       `json:"run_id"`
	Model            string      `json:"model"`
	ModelPath        string      `json:"model_path"`
	SyntheticWeights bool        `json:"synthetic_weights"`
	Config           configDoc   `json:"config"`
	Load             loadDoc     `json:"load"`
	Text             string      `json:"text"`
	StopReason       string      `json:"stop_reason"`
	Timings          timingsDoc  `json:"timings"`
	SystemInfo       string      `json:"system_info"`
	Devices          []deviceDoc `json:"devices"`
}

func TestGenerateJSONIsDocumented(t *testing.T) {
	var out generateDoc
	decodeDoc(t, "generate --json", succeed(t, "--db", filepath.Join(t.TempDir(), "chimera.db"), "generate", "-m", tinyModel,
		"--prompt", "hi", "--num-predict", "2", "-t", "1", "--num-ctx", "256", "--json"), &out)
	if out.RunID == 0 || out.Model != tinyModel || out.ModelPath != tinyModel || !out.SyntheticWeights || out.SystemInfo == "" ||
		len(out.Devices) == 0 || out.Config.NumPredict != 2 || out.Config.Context.Threads != 1 || out.Config.Context.NumCtx != 256 {
		t.Errorf("generate --json: %+v", out)
	}
	tm := out.Timings
	if tm.GenTokens < 1 || tm.GenTokens > 2 || tm.PromptTokens < 2 || tm.TTFTMS <= 0 || tm.TotalMS < tm.TTFTMS ||
		!slices.Contains([]string{"eog", "num_predict"}, out.StopReason) || out.Load.GPULayersOffloadable == 0 {
		t.Errorf("timings %+v, stop %s, load %+v", tm, out.StopReason, out.Load)
	}
	if math.Abs(float64(tm.LoadDuration)-out.Load.LoadMS*1e6) > 1e3 {
		t.Errorf("load_duration %d ns, the load took %v ms: the first call after a load carries it", tm.LoadDuration, out.Load.LoadMS)
	}
	checkOllamaFields(t, tm)
}

type factsDoc struct {
	Roots []string `json:"roots"`
	Files []struct {
		Path                 string                `json:"path"`
		Kind                 string                `json:"kind"`
		Bytes                int64                 `json:"bytes"`
		SHA256               string                `json:"sha256"`
		Rows                 int                   `json:"rows"`
		Failures             int                   `json:"failures"`
		Columns              []string              `json:"columns"`
		Fields               map[string]summaryDoc `json:"fields"`
		Headings             []string              `json:"headings"`
		Lines                int                   `json:"lines"`
		Words                int                   `json:"words"`
		LatestTimestamp      string                `json:"latest_timestamp"`
		LatestLocalTimestamp string                `json:"latest_local_timestamp"`
	} `json:"files"`
	Skipped []struct {
		Path        string `json:"path"`
		Reason      string `json:"reason"`
		DuplicateOf string `json:"duplicate_of"`
	} `json:"skipped"`
	Notes []string `json:"notes"`
	Facts []struct {
		ID       string    `json:"id"`
		Kind     string    `json:"kind"`
		Text     string    `json:"text"`
		Source   string    `json:"source"`
		Sources  []string  `json:"sources"`
		Field    string    `json:"field"`
		Value    float64   `json:"value"`
		Unit     string    `json:"unit"`
		Priority int       `json:"priority"`
		Numbers  []float64 `json:"numbers"`
	} `json:"facts"`
}

func TestFactsJSONIsDocumented(t *testing.T) {
	var out factsDoc
	decodeDoc(t, "facts --json", succeed(t, "facts", "--data", testArtifacts, "--json"), &out)
	entries, err := os.ReadDir(testArtifacts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roots) != 1 || len(out.Files)+len(out.Skipped) != len(entries) || len(out.Facts) == 0 {
		t.Fatalf("roots %v, %d files and %d skipped of %d entries, %d facts", out.Roots, len(out.Files), len(out.Skipped),
			len(entries), len(out.Facts))
	}
	for _, f := range out.Files {
		data, err := os.ReadFile(filepath.Join(testArtifacts, f.Path))
		if sum := sha256.Sum256(data); err != nil || f.SHA256 != hex.EncodeToString(sum[:]) || f.Bytes != int64(len(data)) {
			t.Errorf("file %s: %d bytes, sha256 %s; read %d bytes (%v)", f.Path, f.Bytes, f.SHA256, len(data), err)
		}
	}
	for i, f := range out.Facts {
		if f.ID == "" || f.Text == "" || len(f.Sources) == 0 || f.Sources[0] != f.Source || i > 0 && f.Priority > out.Facts[i-1].Priority {
			t.Errorf("fact %d: %+v (facts come highest priority first, sources with source first)", i, f)
		}
	}
}

type runDoc struct {
	RunID        int64          `json:"run_id"`
	Model        modelDoc       `json:"model"`
	Config       configDoc      `json:"config"`
	Facts        factsDoc       `json:"facts"`
	IngestMS     float64        `json:"ingest_ms"`
	ModelCheckMS float64        `json:"model_check_ms"`
	ContextMS    float64        `json:"context_ms"`
	Agents       []agentPassDoc `json:"agents"`
	Reports      []string       `json:"reports"`
	Status       string         `json:"status"`
}

func TestRunJSONAndMetricsAreDocumented(t *testing.T) {
	out := t.TempDir()
	var printed, metrics runDoc
	decodeDoc(t, "run --json", succeed(t, "--db", filepath.Join(t.TempDir(), "chimera.db"), "run", "-m", tinyModel,
		"--data", testArtifacts, "-t", "1", "--num-ctx", "512", "--num-predict", "2", "--out", out, "--json"), &printed)
	decodeDocFile(t, filepath.Join(out, "run-*", "metrics.json"), &metrics)
	if printed.Status != "ok" || metrics.Status != "ok" {
		t.Errorf("status %q printed, %q in metrics.json; want ok in both", printed.Status, metrics.Status)
	}
	for name, r := range map[string]runDoc{"run --json": printed, "metrics.json": metrics} {
		if r.RunID == 0 || r.Model.Path != tinyModel || r.Config.NumPredict != 2 || r.Config.Context.NumCtx != 512 ||
			len(r.Facts.Files) == 0 || len(r.Agents) != 2 || r.Agents[0].Agent.ID != "collector" || r.Agents[1].Agent.ID != "insight" {
			t.Errorf("%s: run %d, model %s, config %+v, %d agents", name, r.RunID, r.Model.Path, r.Config, len(r.Agents))
		}
		checkPasses(t, r.Agents, 2)
	}
	for _, reports := range [][]string{printed.Reports, metrics.Reports} {
		if !slices.ContainsFunc(reports, func(p string) bool { return filepath.Base(p) == "metrics.json" }) {
			t.Errorf("reports %v lack metrics.json", reports)
		}
	}
}

type runSummaryDoc struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	StartedAt  string `json:"started_at"`
	DurationNS int64  `json:"duration_ns"`
	Model      string `json:"model"`
	Label      string `json:"label"`
	ParentID   int64  `json:"parent_id"`
	Calls      int    `json:"calls"`
}

type runDetailDoc struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Status         string `json:"status"`
	StartedAt      string `json:"started_at"`
	EndedAt        string `json:"ended_at"`
	CommandLine    string `json:"command_line"`
	ConfigJSON     string `json:"config_json"`
	ModelRef       string `json:"model_ref"`
	ModelPath      string `json:"model_path"`
	ModelSHA256    string `json:"model_sha256"`
	ModelFileType  string `json:"model_file_type"`
	ModelSynthetic bool   `json:"model_synthetic"`
	Host           string `json:"host"`
	BuildInfo      string `json:"build_info"`
	Error          string `json:"error"`
	ParentID       int64  `json:"parent_id"`
	Label          string `json:"label"`
	PID            int    `json:"pid"`
	BootID         string `json:"boot_id"`
	UUID           string `json:"uuid"`
	GPUs           string `json:"gpus"`
	AgentRuns      []struct {
		ID         int64   `json:"id"`
		RunID      int64   `json:"run_id"`
		Agent      string  `json:"agent"`
		Label      string  `json:"label"`
		ConfigJSON string  `json:"config_json"`
		Repetition int     `json:"repetition"`
		IngestMS   float64 `json:"ingest_ms"`
		AnalysisMS float64 `json:"analysis_ms"`
		ReportMS   float64 `json:"report_ms"`
		TotalMS    float64 `json:"total_ms"`
		ReportPath string  `json:"report_path"`
		Status     string  `json:"status"`
	} `json:"agent_runs"`
	Calls []struct {
		ID             int64   `json:"id"`
		RunID          int64   `json:"run_id"`
		AgentRunID     int64   `json:"agent_run_id"`
		Stage          string  `json:"stage"`
		Seq            int     `json:"seq"`
		Prompt         string  `json:"prompt"`
		RenderedPrompt string  `json:"rendered_prompt"`
		Response       string  `json:"response"`
		StopReason     string  `json:"stop_reason"`
		PromptTokens   int     `json:"prompt_tokens"`
		PromptTrimmed  bool    `json:"prompt_trimmed"`
		GenTokens      int     `json:"gen_tokens"`
		TTFTMS         float64 `json:"ttft_ms"`
		PromptEvalMS   float64 `json:"prompt_eval_ms"`
		EvalMS         float64 `json:"eval_ms"`
		TotalMS        float64 `json:"total_ms"`
		PromptTPS      float64 `json:"prompt_tps"`
		DecodeTPS      float64 `json:"decode_tps"`
		LoadMS         float64 `json:"load_ms"`
		TimingsJSON    string  `json:"timings_json"`
		StartedAt      string  `json:"started_at"`
	} `json:"calls"`
	Files []struct {
		ID            int64  `json:"id"`
		RunID         int64  `json:"run_id"`
		Path          string `json:"path"`
		Kind          string `json:"kind"`
		Bytes         int64  `json:"bytes"`
		SHA256        string `json:"sha256"`
		Rows          int    `json:"rows"`
		SkippedReason string `json:"skipped_reason"`
	} `json:"files"`
	Facts []struct {
		ID     int64  `json:"id"`
		RunID  int64  `json:"run_id"`
		FactID string `json:"fact_id"`
		Kind   string `json:"kind"`
		Text   string `json:"text"`
		Source string `json:"source"`
		Field  string `json:"field"`
		Value  string `json:"value"`
		Unit   string `json:"unit"`
	} `json:"facts"`
	Reports []struct {
		ID         int64  `json:"id"`
		RunID      int64  `json:"run_id"`
		AgentRunID int64  `json:"agent_run_id"`
		Name       string `json:"name"`
		Path       string `json:"path"`
		Markdown   string `json:"markdown"`
	} `json:"reports"`
	BenchResults []struct {
		ID            int64       `json:"id"`
		RunID         int64       `json:"run_id"`
		Test          string      `json:"test"`
		NPrompt       int         `json:"n_prompt"`
		NGen          int         `json:"n_gen"`
		NDepth        int         `json:"n_depth"`
		NGPULayers    int         `json:"n_gpu_layers"`
		NCtx          int         `json:"n_ctx"`
		NBatch        int         `json:"n_batch"`
		NUBatch       int         `json:"n_ubatch"`
		NThreads      int         `json:"n_threads"`
		TypeK         string      `json:"type_k"`
		TypeV         string      `json:"type_v"`
		AvgNS         int64       `json:"avg_ns"`
		StddevNS      int64       `json:"stddev_ns"`
		AvgTS         float64     `json:"avg_ts"`
		StddevTS      float64     `json:"stddev_ts"`
		SamplesNS     []int64     `json:"samples_ns"`
		SamplesTS     []float64   `json:"samples_ts"`
		FlashAttn     bool        `json:"flash_attn"`
		FlashAttnMode string      `json:"flash_attn_mode"`
		ExtraJSON     string      `json:"extra_json"`
		Settings      settingsDoc `json:"settings"`
	} `json:"bench_results"`
	Children []runSummaryDoc `json:"children"`
}

// benchAndGenerate records a bench run of benchArgs into a new store, then a generate run, and returns their ids.
func benchAndGenerate(t *testing.T, db string) (bench, generate int64) {
	t.Helper()
	succeed(t, benchArgs(db, "json")...)
	var generated generateDoc
	decodeDoc(t, "generate --json", succeed(t, "--db", db, "generate", "-m", tinyModel, "--prompt", "hi", "--num-predict", "2",
		"-t", "1", "--num-ctx", "256", "--json"), &generated)
	return 1, generated.RunID // a new store numbers runs from 1
}

func TestRunsListJSONIsDocumented(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	bench, generate := benchAndGenerate(t, db)
	var runs []runSummaryDoc
	decodeDoc(t, "runs list --json", succeed(t, "--db", db, "runs", "list", "--json"), &runs)
	if len(runs) != 2 || runs[0].ID != generate || runs[0].Kind != "generate" || runs[0].Calls != 1 || runs[1].ID != bench ||
		runs[1].Kind != "bench" {
		t.Fatalf("runs %+v, want the generate run, then the bench run", runs)
	}
	for _, r := range runs {
		if _, err := time.Parse(time.RFC3339, r.StartedAt); err != nil || r.Status != "ok" || r.DurationNS <= 0 || r.Model != tinyModel {
			t.Errorf("run %+v", r)
		}
	}
}

func TestRunsShowJSONIsDocumented(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	bench, generate := benchAndGenerate(t, db)

	var gen runDetailDoc
	decodeDoc(t, "runs show (generate)", succeed(t, "--db", db, "runs", "show", fmt.Sprint(generate)), &gen)
	var config configDoc
	decodeDoc(t, "a generate run's config_json", gen.ConfigJSON, &config)
	if gen.ID != generate || gen.Kind != "generate" || gen.ModelPath != tinyModel || !gen.ModelSynthetic || len(gen.Calls) != 1 ||
		config.NumPredict != 2 || !strings.Contains(gen.CommandLine, "generate") {
		t.Fatalf("runs show %d: %+v", generate, gen)
	}
	if len(gen.UUID) != 36 {
		t.Errorf("runs show %d: uuid %q, want a UUID", generate, gen.UUID)
	}
	call := gen.Calls[0]
	var timings timingsDoc
	decodeDoc(t, "a call's timings_json", call.TimingsJSON, &timings)
	if call.Stage != "generate" || call.Prompt != "hi" || call.GenTokens != timings.GenTokens || call.TTFTMS != timings.TTFTMS {
		t.Errorf("call %+v, timings %+v", call, timings)
	}

	var b runDetailDoc
	decodeDoc(t, "runs show (bench)", succeed(t, "--db", db, "runs", "show", fmt.Sprint(bench)), &b)
	if b.Kind != "bench" || len(b.BenchResults) != 4 {
		t.Fatalf("runs show %d: kind %s, %d bench results", bench, b.Kind, len(b.BenchResults))
	}
	for _, r := range b.BenchResults {
		var row benchRowDoc
		decodeDoc(t, "a bench result's extra_json", r.ExtraJSON, &row)
		if r.Test != map[int]string{8: "pp", 0: "tg"}[r.NPrompt] || row.NPrompt != r.NPrompt || row.NGen != r.NGen || r.ID > 2 != (row.DuplicateOf != "") ||
			r.FlashAttn != row.FlashAttnUsed || r.FlashAttnMode != row.FlashAttn || !slices.Equal(r.SamplesTS, row.SamplesTS) ||
			!maps.Equal(r.Settings, row.Settings) {
			t.Errorf("bench result %+v, its row %+v", r, row)
		}
	}
}

func TestRunsExportJSONIsDocumented(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	bench, generate := benchAndGenerate(t, db)
	var details []runDetailDoc
	decodeDoc(t, "runs export", succeed(t, "--db", db, "runs", "export", fmt.Sprint(generate), fmt.Sprint(bench)), &details)
	if len(details) != 2 || details[0].ID != generate || details[1].ID != bench || len(details[0].Calls) != 1 ||
		len(details[1].BenchResults) != 4 {
		t.Errorf("runs export %d %d: %+v", generate, bench, details)
	}
	var all []runDetailDoc
	decodeDoc(t, "runs export --all", succeed(t, "--db", db, "runs", "export", "--all"), &all)
	if len(all) != 2 || all[0].ID != bench || all[1].ID != generate {
		t.Errorf("runs export --all gave %d runs, want the bench run, then the generate run", len(all))
	}
}

type diffKeyDoc struct {
	Configuration string `json:"configuration"`
	Test          string `json:"test"`
	Metric        struct {
		Name           string `json:"name"`
		HigherIsFaster bool   `json:"higher_is_faster"`
	} `json:"metric"`
}

type diffRunDoc struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Model     string `json:"model"`
	Build     string `json:"build"`
	Host      string `json:"host"`
	GPUs      string `json:"gpus"`
	StartedAt string `json:"started_at"`
}

type diffDoc struct {
	A        diffRunDoc `json:"a"`
	B        diffRunDoc `json:"b"`
	Warnings []string   `json:"warnings"`
	Rows     []struct {
		diffKeyDoc
		A        summaryDoc `json:"a"`
		B        summaryDoc `json:"b"`
		Ratio    *float64   `json:"ratio"`
		DeltaPct *float64   `json:"delta_pct"`
		P        *float64   `json:"p"`
		Verdict  string     `json:"verdict"`
	} `json:"rows"`
	OnlyInA []struct {
		diffKeyDoc
		Summary summaryDoc `json:"summary"`
	} `json:"only_in_a"`
	OnlyInB []struct {
		diffKeyDoc
		Summary summaryDoc `json:"summary"`
	} `json:"only_in_b"`
	SharedSettings settingsDoc `json:"shared_settings"`
}

func TestRunsDiffJSONIsDocumented(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	succeed(t, benchArgs(db, "json")...)
	succeed(t, append(benchArgs(db, "json"), "-b", "32")...)
	var report diffDoc
	decodeDoc(t, "runs diff -o json", succeed(t, "--db", db, "runs", "diff", "1", "2", "-o", "json"), &report)
	if report.A.ID != 1 || report.B.ID != 2 || report.A.Kind != "bench" || report.A.Build == "" || len(report.Rows) != 0 ||
		len(report.OnlyInA) != 2 || len(report.OnlyInB) != 2 {
		t.Fatalf("runs diff of two batches: %+v, want nothing in common", report)
	}
	if _, batchShared := report.SharedSettings["batch"]; batchShared || report.SharedSettings["num_gpu"] != "0" {
		t.Errorf("shared settings of two batches %v, want num_gpu=0 and not the batch", report.SharedSettings)
	}
	succeed(t, benchArgs(db, "json")...)
	report = diffDoc{}
	decodeDoc(t, "runs diff -o json", succeed(t, "--db", db, "runs", "diff", "1", "3", "-o", "json"), &report)
	if len(report.SharedSettings) != 0 {
		t.Errorf("shared settings of one configuration %v, want none", report.SharedSettings)
	}
	if len(report.Rows) != 2 || report.Rows[0].Test != "pp8" || report.Rows[1].Test != "tg2" {
		t.Fatalf("rows %+v, want pp8 and tg2", report.Rows)
	}
	for _, r := range report.Rows {
		if r.Metric.Name != "tok/s" || !r.Metric.HigherIsFaster || r.A.N != 2 || r.B.N != 2 || r.Ratio == nil ||
			math.Abs(*r.Ratio-r.B.Mean/r.A.Mean) > 1e-9 || r.Verdict == "" {
			t.Errorf("row %+v", r)
		}
	}
}

type sweepDoc struct {
	RunID      int64               `json:"run_id"`
	Status     string              `json:"status"`
	Workload   string              `json:"workload"`
	RankBy     string              `json:"rank_by"`
	Unit       string              `json:"unit"`
	SweepID    string              `json:"sweep_id"`
	Shard      *struct{ K, N int } `json:"shard"`
	HasGPU     bool                `json:"has_gpu"`
	ModelLoads []modelLoadDoc      `json:"model_loads"`
	Cells      []struct {
		Config          configDoc `json:"config"`
		NumGPUEffective int       `json:"num_gpu_effective"`
		DuplicateOf     int       `json:"duplicate_of"`
		RunID           int64     `json:"run_id"`
		Error           string    `json:"error"`
		DecodeTPS       []float64 `json:"decode_tps"`
		TTFTMS          []float64 `json:"ttft_ms"`
		WorkflowMS      []float64 `json:"workflow_ms"`
		Shard           int       `json:"shard"`
		Host            string    `json:"host"`
		MeasuredEarlier string    `json:"measured_earlier"`
	} `json:"cells"`
	Ranking []struct {
		Cell            int      `json:"cell"`
		Mean            float64  `json:"mean"`
		SD              float64  `json:"sd"`
		N               int      `json:"n"`
		PVsNext         *float64 `json:"p_vs_next"`
		SignificantLead bool     `json:"significant_lead"`
	} `json:"ranking"`
}

func TestSweepJSONIsDocumented(t *testing.T) {
	out := t.TempDir()
	succeed(t, "--db", filepath.Join(t.TempDir(), "chimera.db"), "sweep", "-m", tinyModel, "-p", "8", "-n", "2", "-r", "2",
		"--num-ctx", "64", "-t", "1", "--num-gpu", "0", "--batch", "32,64,32", "--out", out)
	var sweep sweepDoc
	decodeDocFile(t, filepath.Join(out, "sweep-*", "sweep.json"), &sweep)
	if sweep.RunID == 0 || sweep.Status != "ok" || sweep.Workload != "bench" || sweep.RankBy != "decode" || sweep.Unit != "tok/s" ||
		len(sweep.Cells) != 3 || len(sweep.Ranking) != 2 || len(sweep.ModelLoads) != 1 {
		t.Fatalf("sweep.json: %+v", sweep)
	}
	for i, c := range sweep.Cells {
		if c.Config.Context.Batch != []int{32, 64, 32}[i] || c.Config.Context.NumCtx != 64 {
			t.Errorf("cell %d: config %+v, want batch 32, 64 and 32 in grid order", i+1, c.Config)
		}
		if measured := i < 2; measured != (c.RunID != 0 && len(c.DecodeTPS) == 2 && len(c.TTFTMS) == 2) ||
			!measured && c.DuplicateOf != 1 || c.WorkflowMS != nil {
			t.Errorf("cell %d: %+v, want cells 1 and 2 measured twice, cell 3 a duplicate of cell 1", i+1, c)
		}
	}
	cells := []int{sweep.Ranking[0].Cell, sweep.Ranking[1].Cell}
	slices.Sort(cells)
	if !slices.Equal(cells, []int{1, 2}) || sweep.Ranking[0].Mean < sweep.Ranking[1].Mean || sweep.Ranking[0].N != 2 ||
		sweep.Ranking[0].PVsNext == nil || sweep.Ranking[1].PVsNext != nil {
		t.Errorf("ranking %+v, want cells 1 and 2, the faster first, a p-value against the next for the first only", sweep.Ranking)
	}
	// The default micro-batch, 512, is cut to each batch, so it varies too.
	if used := sweep.ModelLoads[0].UsedBy; !slices.Equal(used, []string{"batch=32 ubatch=32", "batch=64 ubatch=64"}) {
		t.Errorf("the load is used by %q, want the two measured cells named by the settings they vary", used)
	}
}

type scopeSampleDoc struct {
	DecodeTPS float64 `json:"decode_tps"`
	PromptTPS float64 `json:"prompt_tps"`
	TTFTMS    float64 `json:"ttft_ms"`
	TimeMS    float64 `json:"time_ms"`
}

type comparisonDoc struct {
	RunID      int64          `json:"run_id"`
	Status     string         `json:"status"`
	Model      modelDoc       `json:"model"`
	Baseline   configDoc      `json:"baseline"`
	Chimera    configDoc      `json:"chimera"`
	Runs       int            `json:"runs"`
	ModelLoads []modelLoadDoc `json:"model_loads"`
	Samples    []struct {
		Side         string         `json:"side"`
		Run          int            `json:"run"`
		PromptTokens int            `json:"prompt_tokens"`
		GenTokens    int            `json:"gen_tokens"`
		Workflow     scopeSampleDoc `json:"workflow"`
		Analysis     scopeSampleDoc `json:"analysis"`
		Report       scopeSampleDoc `json:"report"`
	} `json:"samples"`
	Comparison []struct {
		Scope          string     `json:"scope"`
		Metric         string     `json:"metric"`
		HigherIsBetter bool       `json:"higher_is_better"`
		Baseline       summaryDoc `json:"baseline"`
		Chimera        summaryDoc `json:"chimera"`
		BaselineCI95   []float64  `json:"baseline_ci95"`
		ChimeraCI95    []float64  `json:"chimera_ci95"`
		Delta          float64    `json:"delta"`
		DeltaPct       *float64   `json:"delta_pct"`
		PWelch         *float64   `json:"p_welch"`
		Verdict        string     `json:"verdict"`
	} `json:"comparison"`
	Conclusion string   `json:"conclusion"`
	Reports    []string `json:"reports"`
}

func TestCompareJSONIsDocumented(t *testing.T) {
	out := t.TempDir()
	succeed(t, "--db", filepath.Join(t.TempDir(), "chimera.db"), "compare", "-m", tinyModel, "--runs", "2", "--data", testArtifacts,
		"-t", "1", "--num-ctx", "512", "--num-predict", "2", "--baseline-batch", "256", "--baseline-ubatch", "256", "--out", out)
	var c comparisonDoc
	decodeDocFile(t, filepath.Join(out, "compare-*", "comparison.json"), &c)
	if c.RunID == 0 || c.Status != "ok" || c.Runs != 2 || c.Model.Path != tinyModel || c.Baseline.Context.Batch != 256 ||
		c.Chimera.Context.Batch == 256 || len(c.Samples) != 4 || c.Conclusion == "" {
		t.Fatalf("comparison.json: %+v", c)
	}
	for _, s := range c.Samples {
		if !slices.Contains([]string{"baseline", "chimera"}, s.Side) || s.Run < 1 || s.Run > 2 || s.GenTokens < 2 || s.Workflow.TimeMS <= 0 {
			t.Errorf("sample %+v", s)
		}
	}
	if len(c.Comparison) != 3*4 { // workflow, analysis and report, each in decode tok/s, prompt tok/s, TTFT ms and time ms
		t.Fatalf("%d comparison rows, want 12", len(c.Comparison))
	}
	for _, r := range c.Comparison {
		if r.Baseline.N != 2 || r.Chimera.N != 2 || len(r.BaselineCI95) != 2 || math.Abs(r.Delta-(r.Chimera.Mean-r.Baseline.Mean)) > 1e-9 ||
			r.HigherIsBetter != strings.Contains(r.Metric, "tok/s") || r.Verdict == "" {
			t.Errorf("comparison row %+v", r)
		}
	}
}

type phasePassDoc struct {
	AgentRunID int64        `json:"agent_run_id"`
	WallMS     float64      `json:"wall_ms"`
	GenTokens  int          `json:"gen_tokens"`
	DecodeTPS  float64      `json:"decode_tps"`
	Result     agentPassDoc `json:"result"`
}

type multiDoc struct {
	RunID      int64          `json:"run_id"`
	Status     string         `json:"status"`
	Scenario   string         `json:"scenario"`
	ModelLoads []modelLoadDoc `json:"model_loads"`
	Agents     []struct {
		Agent      string       `json:"agent"`
		Name       string       `json:"name"`
		Config     configDoc    `json:"config"`
		Model      modelDoc     `json:"model"`
		Solo       phasePassDoc `json:"solo"`
		Concurrent phasePassDoc `json:"concurrent"`
		Slowdown   float64      `json:"slowdown"`
	} `json:"agents"`
	SoloSequentialMS       float64  `json:"solo_sequential_ms"`
	ConcurrentWallMS       float64  `json:"concurrent_wall_ms"`
	Speedup                float64  `json:"speedup"`
	SoloAggregateTPS       float64  `json:"solo_aggregate_tps"`
	ConcurrentAggregateTPS float64  `json:"concurrent_aggregate_tps"`
	Reports                []string `json:"reports"`
}

func TestMultiMetricsJSONIsDocumented(t *testing.T) {
	out := t.TempDir()
	succeed(t, "--db", filepath.Join(t.TempDir(), "chimera.db"), "multi", "-m", tinyModel, "--data", testArtifacts, "-t", "1",
		"--num-ctx", "512", "--num-predict", "2", "--out", out, "chimera-homo")
	var m multiDoc
	decodeDocFile(t, filepath.Join(out, "multi-*", "metrics.json"), &m)
	if m.RunID == 0 || m.Status != "ok" || m.Scenario != "chimera-homo" || len(m.Agents) != 2 || m.Agents[0].Agent != "collector" ||
		m.Agents[1].Agent != "insight" || math.Abs(m.Speedup-m.SoloSequentialMS/m.ConcurrentWallMS) > 1e-9*m.Speedup {
		t.Fatalf("metrics.json: %+v", m)
	}
	for _, a := range m.Agents {
		if a.Solo.AgentRunID == 0 || a.Concurrent.AgentRunID == a.Solo.AgentRunID || a.Config.NumPredict != 2 || a.Model.Path != tinyModel ||
			math.Abs(a.Slowdown-a.Concurrent.WallMS/a.Solo.WallMS) > 1e-9*a.Slowdown {
			t.Errorf("agent %s: %+v", a.Agent, a)
		}
		checkPasses(t, []agentPassDoc{a.Solo.Result, a.Concurrent.Result}, 2)
	}
}

func TestModelsShowJSONIsDocumented(t *testing.T) {
	var out struct {
		Model struct {
			Ref       string `json:"ref"`
			Path      string `json:"path"`
			Source    string `json:"source"`
			Synthetic bool   `json:"synthetic"`
			Shape     string `json:"shape"`
			Type      string `json:"type"`
		} `json:"model"`
		Info struct {
			Path             string   `json:"path"`
			Architecture     string   `json:"architecture"`
			Name             string   `json:"name"`
			BlockCount       int      `json:"block_count"`
			EmbeddingLength  int      `json:"embedding_length"`
			HeadCount        int      `json:"head_count"`
			HeadCountKV      int      `json:"head_count_kv"`
			HeadDim          int      `json:"head_dim"`
			FeedForward      int      `json:"feed_forward"`
			SlidingWindow    int      `json:"sliding_window"`
			ContextLength    int      `json:"context_length"`
			VocabSize        int      `json:"vocab_size"`
			Params           int64    `json:"params"`
			FileType         string   `json:"file_type"`
			SizeBytes        int64    `json:"size_bytes"`
			TensorBytes      int64    `json:"tensor_bytes"`
			TensorCount      int      `json:"tensor_count"`
			ChatTemplate     bool     `json:"chat_template"`
			HeaderSHA256     string   `json:"header_sha256"`
			TiedEmbeddings   bool     `json:"tied_embeddings"`
			SyntheticWeights bool     `json:"synthetic_weights"`
			Warnings         []string `json:"warnings"`
		} `json:"info"`
	}
	decodeDoc(t, "models show --json", succeed(t, "models", "show", tinyModel, "--json"), &out)
	stat, err := os.Stat(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	// TestMain wrote the tiny model as an f32 file chimera synthesised.
	if out.Model.Path != tinyModel || out.Model.Source != "file" || out.Model.Synthetic || out.Info.Path != tinyModel ||
		out.Info.SizeBytes != stat.Size() || out.Info.TensorBytes >= out.Info.SizeBytes || out.Info.FileType != "F32" ||
		!out.Info.SyntheticWeights || out.Info.BlockCount == 0 || len(out.Info.HeaderSHA256) != 64 {
		t.Errorf("models show --json: %+v", out)
	}
}

func TestVersionJSONIsDocumented(t *testing.T) {
	var out struct {
		Version         string   `json:"version"`
		Commit          string   `json:"commit"`
		CommitTime      string   `json:"commit_time"`
		GoVersion       string   `json:"go_version"`
		LlamaCppCommit  string   `json:"llama_cpp_commit"`
		LlamaCppModule  string   `json:"llama_cpp_module"`
		CgoCFlags       string   `json:"cgo_cflags"`
		March           string   `json:"march"`
		CompiledFor     []string `json:"compiled_for"`
		BackendsBuiltIn []string `json:"backends_built_in"`
		BackendsFound   []string `json:"backends_found"`
	}
	decodeDoc(t, "version --json", succeed(t, "version", "--json"), &out)
	// TestMain built the binary with this test's toolchain, from a checkout.
	if out.GoVersion != runtime.Version() || out.Version != "(devel)" || out.LlamaCppCommit == "" || out.LlamaCppModule == "" ||
		!slices.Contains(out.BackendsBuiltIn, "CPU") || !slices.Contains(out.BackendsFound, "CPU") {
		t.Errorf("version --json: %+v", out)
	}
}

func TestDevicesJSONIsDocumented(t *testing.T) {
	var out struct {
		SystemInfo       string `json:"system_info"`
		BackendLibraries []struct {
			Path   string `json:"path"`
			Loaded bool   `json:"loaded"`
			Error  string `json:"error"`
		} `json:"backend_libraries"`
		Devices []deviceDoc `json:"devices"`
	}
	decodeDoc(t, "devices --json", succeed(t, "devices", "--json"), &out)
	cpu := slices.IndexFunc(out.Devices, func(d deviceDoc) bool { return d.Type == "cpu" })
	if out.SystemInfo == "" || cpu < 0 || out.Devices[cpu].TotalBytes <= 0 || out.Devices[cpu].FreeBytes > out.Devices[cpu].TotalBytes {
		t.Errorf("devices --json: %+v", out)
	}
}

// exportedRunDoc is a line of `runs export --format jsonl`: a run detail and its schema.
type exportedRunDoc struct {
	runDetailDoc
	Schema int `json:"schema"`
}

type importDoc struct {
	File    string `json:"file"`
	Added   int    `json:"added"`
	Present int    `json:"present"`
}

func TestRunsExportJSONLAndImportJSONAreDocumented(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	bench, generate := benchAndGenerate(t, db)
	lines := strings.Split(strings.TrimSpace(succeed(t, "--db", db, "runs", "export", "--format", "jsonl", "--all")), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per run", len(lines))
	}
	ids := map[int64]bool{}
	for _, line := range lines {
		var run exportedRunDoc
		decodeDoc(t, "runs export --format jsonl", line, &run)
		if run.Schema < 8 || len(run.UUID) != 36 {
			t.Errorf("run %d: schema %d, uuid %q", run.ID, run.Schema, run.UUID)
		}
		ids[run.ID] = true
	}
	if !ids[bench] || !ids[generate] {
		t.Errorf("exported runs %v, want %d and %d", ids, bench, generate)
	}
	file := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	for i, wantAdded := range []int{2, 0} { // the second import finds both runs there
		var imported []importDoc
		decodeDoc(t, "runs import --json", succeed(t, "--db", other, "runs", "import", file, "--json"), &imported)
		if len(imported) != 1 || imported[0].File != file || imported[0].Added != wantAdded || imported[0].Present != 2-wantAdded {
			t.Errorf("import %d: %+v, want %d added and %d present", i+1, imported, wantAdded, 2-wantAdded)
		}
	}
}
