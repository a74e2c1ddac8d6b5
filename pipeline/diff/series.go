package diff

import (
	"fmt"

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
	keys           []Key
	samples        map[Key][]float64
	configurations map[string]store.Settings // the bench configurations, by their keys' Configuration
}

// seriesOf collects the samples of a run and of its cells.
func seriesOf(tree *store.RunTree) *series {
	s := &series{samples: map[Key][]float64{}, configurations: map[string]store.Settings{}}
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

// addBenchResults adds each test's rates, keyed by the settings as they are compared (3/1 and 6/2 are one tensor
// split). A configuration a bench grid lists twice is measured once, its row repeated with the first one's
// samples, so only the first counts.
func (s *series) addBenchResults(results []store.BenchResult) {
	for _, r := range results {
		settings := r.Settings.Comparable()
		key := Key{Configuration: settings.String(), Test: benchTest(r), Metric: tokensPerSecond}
		if _, repeated := s.samples[key]; !repeated {
			s.add(key, r.SamplesTS...)
			s.configurations[key.Configuration] = settings
		}
	}
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
