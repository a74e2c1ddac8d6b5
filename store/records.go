package store

import (
	"slices"
	"strings"
	"time"
)

// RunKind is what a run did.
type RunKind string

// The kinds of run.
const (
	KindRun      RunKind = "run"
	KindCompare  RunKind = "compare"
	KindSweep    RunKind = "sweep"
	KindMulti    RunKind = "multi"
	KindBench    RunKind = "bench"
	KindGenerate RunKind = "generate"
	KindTune     RunKind = "tune"
)

// Kinds lists every kind of run, in the order the CLI names them.
var Kinds = []RunKind{KindRun, KindCompare, KindSweep, KindMulti, KindBench, KindGenerate, KindTune}

func (k RunKind) valid() bool { return slices.Contains(Kinds, k) }

func kindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// Status is where a run or an agent run stands.
type Status string

// The statuses; every status but StatusRunning is final.
const (
	StatusRunning     Status = "running"
	StatusOK          Status = "ok"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted"
	// StatusAbandoned is a run whose process ended without finishing it (killed, crashed, the machine
	// restarted), found the next time the database is opened on its host.
	StatusAbandoned Status = "abandoned"
)

func (s Status) valid() bool {
	return s == StatusRunning || s.final()
}

func (s Status) final() bool {
	return s == StatusOK || s == StatusFailed || s == StatusInterrupted || s == StatusAbandoned
}

// Run is one chimera run. Optional references, such as ParentID, are 0 when
// absent.
type Run struct {
	ID             int64     `json:"id"`
	Kind           RunKind   `json:"kind"`
	Status         Status    `json:"status"`
	StartedAt      time.Time `json:"started_at"`
	EndedAt        time.Time `json:"ended_at,omitzero"`
	CommandLine    string    `json:"command_line"`
	ConfigJSON     string    `json:"config_json"`
	ModelRef       string    `json:"model_ref"`
	ModelPath      string    `json:"model_path"`
	ModelSHA256    string    `json:"model_sha256"` // of the GGUF header
	ModelFileType  string    `json:"model_file_type"`
	ModelSynthetic bool      `json:"model_synthetic"`
	Host           string    `json:"host"`
	BuildInfo      string    `json:"build_info"`
	Error          string    `json:"error"`
	ParentID       int64     `json:"parent_id,omitzero"`
	Label          string    `json:"label"`
	PID            int       `json:"pid"`     // of the process that started the run; the store sets it
	BootID         string    `json:"boot_id"` // of the machine's boot it started in; the store sets it
	// UUID names the run on every machine, its ID only in one database; the store sets it.
	UUID string `json:"uuid"`
	GPUs string `json:"gpus"` // the GPUs the run's process saw, "; " between them; empty for none
}

// AgentRun is one agent executing inside a run.
type AgentRun struct {
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
	Status     Status  `json:"status"`
}

// Call is one LLM call: the prompt, the response and how long it took.
type Call struct {
	ID         int64  `json:"id"`
	RunID      int64  `json:"run_id"`
	AgentRunID int64  `json:"agent_run_id,omitzero"`
	Stage      string `json:"stage"` // analysis, report, generate, warmup, ...
	Seq        int    `json:"seq"`
	Prompt     string `json:"prompt"` // the user message, or a raw prompt
	// RenderedPrompt is the exact text given to the tokenizer: the chat template applied to the call's messages
	// (no BOS; the tokenizer adds it). Empty in rows older than schema v7.
	RenderedPrompt string    `json:"rendered_prompt"`
	Response       string    `json:"response"`
	StopReason     string    `json:"stop_reason"` // eog, num_predict, stop, context, canceled; empty in older rows
	PromptTokens   int       `json:"prompt_tokens"`
	PromptTrimmed  bool      `json:"prompt_trimmed"`
	GenTokens      int       `json:"gen_tokens"`
	TTFTMS         float64   `json:"ttft_ms"`
	PromptEvalMS   float64   `json:"prompt_eval_ms"`
	EvalMS         float64   `json:"eval_ms"`
	TotalMS        float64   `json:"total_ms"`
	PromptTPS      float64   `json:"prompt_tps"`
	DecodeTPS      float64   `json:"decode_tps"`
	LoadMS         float64   `json:"load_ms"`
	TimingsJSON    string    `json:"timings_json"` // the caller's full timing record
	StartedAt      time.Time `json:"started_at,omitzero"`
}

// FileRecord is an input file a run read, or skipped and why.
type FileRecord struct {
	ID            int64  `json:"id"`
	RunID         int64  `json:"run_id"`
	Path          string `json:"path"`
	Kind          string `json:"kind"`
	Bytes         int64  `json:"bytes"`
	SHA256        string `json:"sha256"`
	Rows          int    `json:"rows"`
	SkippedReason string `json:"skipped_reason"`
}

// FactRecord is a fact extracted from a run's input. FactID is the fact's
// name within the run, as the agents cite it; ID is its row.
type FactRecord struct {
	ID     int64  `json:"id"`
	RunID  int64  `json:"run_id"`
	FactID string `json:"fact_id"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Source string `json:"source"`
	Field  string `json:"field"`
	Value  string `json:"value"`
	Unit   string `json:"unit"`
}

// Report is a markdown report a run wrote.
type Report struct {
	ID         int64  `json:"id"`
	RunID      int64  `json:"run_id"`
	AgentRunID int64  `json:"agent_run_id,omitzero"`
	Name       string `json:"name"`
	Path       string `json:"path"`
	Markdown   string `json:"markdown"`
}

// BenchResult is one llama-bench style test: prompt processing (pp) or text
// generation (tg) at one configuration.
type BenchResult struct {
	ID         int64     `json:"id"`
	RunID      int64     `json:"run_id"`
	Test       string    `json:"test"`
	NPrompt    int       `json:"n_prompt"`
	NGen       int       `json:"n_gen"`
	NDepth     int       `json:"n_depth"`
	NGPULayers int       `json:"n_gpu_layers"`
	NCtx       int       `json:"n_ctx"`
	NBatch     int       `json:"n_batch"`
	NUBatch    int       `json:"n_ubatch"`
	NThreads   int       `json:"n_threads"`
	FlashAttn  bool      `json:"flash_attn"`      // used: llama.cpp's resolution of the mode
	FlashMode  string    `json:"flash_attn_mode"` // asked for: auto, on or off
	TypeK      string    `json:"type_k"`
	TypeV      string    `json:"type_v"`
	AvgNS      int64     `json:"avg_ns"`
	StddevNS   int64     `json:"stddev_ns"`
	AvgTS      float64   `json:"avg_ts"`
	StddevTS   float64   `json:"stddev_ts"`
	SamplesNS  []int64   `json:"samples_ns"`
	SamplesTS  []float64 `json:"samples_ts"`
	ExtraJSON  string    `json:"extra_json"`
	// Settings are the configuration by the names of chimera's settings table: those a bench grid can vary, with
	// the threads 0 stands for and the context size as llama.cpp applied them.
	Settings Settings `json:"settings"`
}

// RunSummary is one line of a run listing.
type RunSummary struct {
	ID        int64         `json:"id"`
	Kind      RunKind       `json:"kind"`
	Status    Status        `json:"status"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration_ns"` // 0 while running
	Model     string        `json:"model"`       // the model reference, or its path when there is none
	Label     string        `json:"label"`
	ParentID  int64         `json:"parent_id,omitzero"`
	Calls     int           `json:"calls"`
}

// RunDetail is a run with everything recorded under it. Children are the runs
// whose parent it is.
type RunDetail struct {
	Run
	AgentRuns    []AgentRun    `json:"agent_runs"`
	Calls        []Call        `json:"calls"`
	Files        []FileRecord  `json:"files"`
	Facts        []FactRecord  `json:"facts"`
	Reports      []Report      `json:"reports"`
	BenchResults []BenchResult `json:"bench_results"`
	Children     []RunSummary  `json:"children"`
}

// RunTree is a run with everything recorded under it, and the same for each
// of its child runs.
type RunTree struct {
	*RunDetail
	ChildDetails []*RunDetail `json:"child_details"` // the runs of Children, in full and in the same order
}

// ListFilter selects runs to list. Zero fields select everything.
type ListFilter struct {
	Kind  RunKind
	Host  string
	Limit int
}
