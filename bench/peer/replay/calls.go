package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"

	"chimera/pipeline/generation"
	"chimera/store"
)

// chimeraConfig is the part of a run's recorded settings (engine.Config as JSON) that a call's options come from.
type chimeraConfig struct {
	Context struct {
		NumCtx  int `json:"num_ctx"`
		Batch   int `json:"batch"`
		Threads int `json:"threads"` // 0: all cores
	} `json:"context"`
	Sampling   generation.Sampling `json:"sampling"`
	NumPredict int                 `json:"num_predict"` // 0: until the end of generation
}

// options are Ollama's options for a call, the same settings chimera's call ran with: chimera's sampling settings
// have Ollama's option names as their JSON names.
type options struct {
	generation.Sampling
	NumPredict int `json:"num_predict"`
	NumCtx     int `json:"num_ctx"`
	NumThread  int `json:"num_thread"`
	NumBatch   int `json:"num_batch"`
}

func (c chimeraConfig) options() options {
	o := options{Sampling: c.Sampling, NumPredict: c.NumPredict, NumCtx: c.Context.NumCtx,
		NumThread: c.Context.Threads, NumBatch: c.Context.Batch}
	if o.NumPredict == 0 {
		o.NumPredict = -1 // Ollama's "no limit"
	}
	if o.NumThread == 0 {
		o.NumThread = runtime.NumCPU()
	}
	return o
}

// call is one recorded chimera call, as it is replayed.
type call struct {
	Agent   string
	Stage   string
	Prompt  string // the exact text chimera's tokenizer was given
	Options options
}

// promptSHA256 identifies a prompt's text, so that calls of two runs can be told identical. It hashes the text
// as JSON carries it, each byte that is not UTF-8 (random weights generate such bytes) replaced by U+FFFD: so JSON
// sends it to Ollama, and so `chimera run --json` gives it to the comparison.
func promptSHA256(text string) string {
	sum := sha256.Sum256([]byte(asJSONCarriesIt(text)))
	return hex.EncodeToString(sum[:])
}

func asJSONCarriesIt(text string) string {
	encoded, _ := json.Marshal(text) // a string always encodes
	var carried string
	_ = json.Unmarshal(encoded, &carried)
	return carried
}

// readCalls reads run runID's calls (0: the newest `chimera run`'s), in order, each with the options of the agent
// pass (or run) it belongs to, and returns the run's id with them.
func readCalls(ctx context.Context, path string, runID int64) (int64, []call, error) {
	db, err := store.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	if runID == 0 {
		newest, err := db.ListRuns(ctx, store.ListFilter{Kind: store.KindRun, Limit: 1})
		if err != nil {
			return 0, nil, err
		}
		if len(newest) == 0 {
			return 0, nil, fmt.Errorf("%s has no chimera run to replay", path)
		}
		runID = newest[0].ID
	}
	run, err := db.GetRun(ctx, runID)
	if err != nil {
		return 0, nil, err
	}
	calls, err := runCalls(run)
	return runID, calls, err
}

// warmupRepetition is the repetition chimera records an agent pass's warm-up as.
const warmupRepetition = 0

// runCalls are the calls of a run's measured passes, with the settings each ran with.
func runCalls(run *store.RunDetail) ([]call, error) {
	if len(run.Calls) == 0 {
		return nil, fmt.Errorf("run %d has no calls", run.ID)
	}
	agents := map[int64]store.AgentRun{}
	for _, a := range run.AgentRuns {
		agents[a.ID] = a
	}
	calls := make([]call, 0, len(run.Calls))
	for _, c := range run.Calls {
		agent, inPass := agents[c.AgentRunID]
		if inPass && agent.Repetition == warmupRepetition {
			continue // a warm-up pass measures nothing
		}
		if c.RenderedPrompt == "" {
			return nil, fmt.Errorf("run %d, call %d (%s) has no rendered prompt: only agent calls recorded by chimera "+
				"with schema v7 or later have one (as has no warm-up call of a run recorded before warm-ups were passes)",
				run.ID, c.Seq, c.Stage)
		}
		var cfg chimeraConfig
		if err := json.Unmarshal([]byte(cmp.Or(agent.ConfigJSON, run.ConfigJSON)), &cfg); err != nil {
			return nil, fmt.Errorf("run %d, call %d: its settings: %w", run.ID, c.Seq, err)
		}
		calls = append(calls, call{Agent: agent.Agent, Stage: c.Stage, Prompt: c.RenderedPrompt, Options: cfg.options()})
	}
	return calls, nil
}
