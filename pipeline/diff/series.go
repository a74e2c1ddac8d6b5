package diff

import (
	"encoding/json"
	"fmt"
	"strconv"

	"chimera/pipeline/stats"
	"chimera/store"
)

// Metric is a measured quantity and which way is faster.
type Metric struct {
	Name           string `json:"name"`
	HigherIsFaster bool   `json:"higher_is_faster"`
}

// The metrics compared: a bench test's rate; an agent call's decode rate and time to first token; an agent
// pass's stage times.
var (
	tokensPerSecond = Metric{Name: "tok/s", HigherIsFaster: true}
	decodeRate      = Metric{Name: "decode tok/s", HigherIsFaster: true}
	firstToken      = Metric{Name: "TTFT ms", HigherIsFaster: false}
	stageTime       = Metric{Name: "time ms", HigherIsFaster: false}
)

// Key identifies a series of samples: what was measured, the same in every run that measured it.
type Key struct {
	// Configuration is a bench test's settings, or an agent pass's label (after its cell's label in a sweep).
	Configuration string `json:"configuration"`
	Test          string `json:"test"` // a bench test (pp512, tg128 @ d4096) or an agent stage (analysis, total)
	Metric        Metric `json:"metric"`
}

// How warm-ups are recorded, so that they are left out: agent passes of repetition 0, and in runs recorded before
// chimera run's warm-up was a pass, a call of stage warmup outside any agent.
const (
	warmupStage      = "warmup"
	warmupRepetition = 0
)

// series are a run's samples by key, the keys in the order they were first measured.
type series struct {
	keys    []Key
	samples map[Key][]float64
}

// seriesOf collects the samples of a run and of its cells.
func seriesOf(tree *store.RunTree) *series {
	s := &series{samples: map[Key][]float64{}}
	s.addRun(tree.RunDetail, "")
	for _, cell := range tree.ChildDetails {
		s.addRun(cell, cell.Label)
	}
	return s
}

func (s *series) add(key Key, samples ...float64) {
	if _, seen := s.samples[key]; !seen {
		s.keys = append(s.keys, key)
	}
	s.samples[key] = append(s.samples[key], samples...)
}

// missingFrom summarizes the series of s that other lacks.
func (s *series) missingFrom(other *series) []Unmatched {
	missing := []Unmatched{} // [] rather than null in JSON
	for _, key := range s.keys {
		if _, ok := other.samples[key]; !ok {
			missing = append(missing, Unmatched{Key: key, Summary: stats.Summarize(s.samples[key])})
		}
	}
	return missing
}

// addRun adds run d's bench results and agent passes; scope names the run within its parent, empty for the
// compared run itself. Bench results need no scope, since their settings identify them.
func (s *series) addRun(d *store.RunDetail, scope string) {
	s.addBenchResults(d.BenchResults)
	s.addAgentPasses(d, scope)
}

// addBenchResults adds each test's rates. A configuration a bench grid lists twice is measured once, its row
// repeated with the first one's samples, so only the first counts.
func (s *series) addBenchResults(results []store.BenchResult) {
	for _, r := range results {
		key := Key{Configuration: benchConfiguration(r), Test: benchTest(r), Metric: tokensPerSecond}
		if _, repeated := s.samples[key]; !repeated {
			s.add(key, r.SamplesTS...)
		}
	}
}

// benchConfiguration names the settings of a bench result that tell configurations apart.
func benchConfiguration(r store.BenchResult) string {
	numGPU := strconv.Itoa(r.NGPULayers)
	if r.NGPULayers == -1 {
		numGPU = "all"
	}
	return fmt.Sprintf("num_gpu=%s num_ctx=%d batch=%d ubatch=%d threads=%d flash_attn=%s %s", numGPU, r.NCtx, r.NBatch,
		r.NUBatch, r.NThreads, flashAttention(r), cacheTypes(r)) + rowSettings(r)
}

// rowSettings names the settings a bench result records only in its row's JSON, where they are away from the
// defaults: the prompt threads where they differ from the generation threads, op offload off, and the multi-GPU
// settings away from llama.cpp's choice, " threads_batch=2 split_mode=row tensor_split=3/1". Results recorded before
// these existed name none, so that they still match.
func rowSettings(r store.BenchResult) string {
	var row struct {
		ThreadsBatch int    `json:"n_threads_batch"`
		NoOpOffload  bool   `json:"no_op_offload"`
		SplitMode    string `json:"split_mode"`
		MainGPU      int    `json:"main_gpu"`
		TensorSplit  string `json:"tensor_split"`
		Devices      string `json:"devices"`
	}
	if json.Unmarshal([]byte(r.ExtraJSON), &row) != nil {
		return ""
	}
	opOffload := "on"
	if row.NoOpOffload {
		opOffload = "off"
	}
	var named string
	for _, s := range []struct{ name, value, unset string }{{"threads_batch", strconv.Itoa(row.ThreadsBatch), strconv.Itoa(r.NThreads)},
		{"op_offload", opOffload, "on"}, {"split_mode", row.SplitMode, "layer"}, {"main_gpu", strconv.Itoa(row.MainGPU), "0"},
		{"tensor_split", row.TensorSplit, ""}, {"devices", row.Devices, ""}} {
		if s.value != s.unset && s.value != "" && s.value != "0" { // "" and 0: a row recorded before the setting
			named += " " + s.name + "=" + s.value
		}
	}
	return named
}

// flashAttention is the mode asked for with, where it differs, what llama.cpp used: "auto (on)". Results
// recorded before the mode was are named by the use alone.
func flashAttention(r store.BenchResult) string {
	used := "off"
	if r.FlashAttn {
		used = "on"
	}
	switch r.FlashMode {
	case "", used:
		return used
	default:
		return fmt.Sprintf("%s (%s)", r.FlashMode, used)
	}
}

// cacheTypes names the KV cache types as the settings do: cache_type where keys and values share one.
func cacheTypes(r store.BenchResult) string {
	if r.TypeK == r.TypeV {
		return "cache_type=" + r.TypeK
	}
	return "cache_type_k=" + r.TypeK + " cache_type_v=" + r.TypeV
}

// benchTest is llama-bench's name for the test: pp512, tg128, "pp512 @ d4096" at a depth.
func benchTest(r store.BenchResult) string {
	size := r.NPrompt
	if r.Test == "tg" {
		size = r.NGen
	}
	test := fmt.Sprintf("%s%d", r.Test, size)
	if r.NDepth > 0 {
		test += fmt.Sprintf(" @ d%d", r.NDepth)
	}
	return test
}

// addAgentPasses adds, for each agent pass that is not a warm-up, its calls' decode rates and TTFTs by stage and,
// when the pass finished, its stage times: an unfinished pass's times cover only part of its work. Calls outside
// any agent, but for the warm-up, are added under the scope alone.
func (s *series) addAgentPasses(d *store.RunDetail, scope string) {
	callsOf := map[int64][]store.Call{} // by agent run, 0 for none
	for _, c := range d.Calls {
		if c.Stage != warmupStage {
			callsOf[c.AgentRunID] = append(callsOf[c.AgentRunID], c)
		}
	}
	for _, a := range d.AgentRuns {
		if a.Repetition == warmupRepetition {
			continue
		}
		pass := passName(scope, a.Label)
		s.addCalls(pass, callsOf[a.ID])
		if a.Status == store.StatusOK {
			s.addStageTimes(pass, a)
		}
	}
	s.addCalls(scope, callsOf[0])
}

func passName(scope, label string) string {
	if scope == "" {
		return label
	}
	return scope + " / " + label
}

func (s *series) addCalls(pass string, calls []store.Call) {
	for _, c := range calls {
		if c.DecodeTPS > 0 { // 0 is no rate: the call decoded no token after its first
			s.add(Key{Configuration: pass, Test: c.Stage, Metric: decodeRate}, c.DecodeTPS)
		}
		s.add(Key{Configuration: pass, Test: c.Stage, Metric: firstToken}, c.TTFTMS)
	}
}

// addStageTimes adds a pass's analysis, report and total times. Its ingest time is left out: the facts are
// ingested once per run, and every pass records that one time, which is no sample of the passes.
func (s *series) addStageTimes(pass string, a store.AgentRun) {
	for _, stage := range []struct {
		name string
		ms   float64
	}{{"analysis", a.AnalysisMS}, {"report", a.ReportMS}, {"total", a.TotalMS}} {
		s.add(Key{Configuration: pass, Test: stage.name, Metric: stageTime}, stage.ms)
	}
}
