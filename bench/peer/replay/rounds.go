package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"chimera/bench/benchdoc"
	"chimera/pipeline/generation"
)

// The results directory bench/peer/run.sh writes:
//
//	meta.env                  key=value lines: machine, builds, settings, commands
//	FETCHED                   what the Ollama build fetched, one "- " line each
//	rounds/rNN.order          "chimera ollama" or "ollama chimera": who ran first in round NN
//	rounds/rNN-chimera.json   chimera run --json
//	rounds/rNN-chimera.time   its /usr/bin/time -v
//	rounds/rNN-ollama.json    replay calls
//	rounds/rNN-ollama.rss     server_kib=, runner_kib=: VmHWM of Ollama's two processes before they were stopped
//	rounds/rNN-server.log     Ollama's server log (OLLAMA_DEBUG=1: its cache lines say what each call reused)

// chimeraRun is the part of `chimera run --json` the report uses.
type chimeraRun struct {
	RunID        int64         `json:"run_id"`
	ModelCheckMS float64       `json:"model_check_ms"`
	ContextMS    float64       `json:"context_ms"`
	Config       chimeraConfig `json:"config"`
	Model        struct {
		Load struct {
			LoadMS float64 `json:"load_ms"`
		} `json:"load"`
	} `json:"model"`
	Agents []struct {
		Calls []chimeraCall `json:"calls"`
	} `json:"agents"`
}

type chimeraCall struct {
	Agent      string `json:"agent"`
	Stage      string `json:"stage"`
	StopReason string `json:"stop_reason"`
	Prompt     struct {
		Rendered string `json:"rendered"`
	} `json:"prompt"`
	Timings generation.Timings `json:"timings"`
}

func (r *chimeraRun) calls() []chimeraCall {
	var calls []chimeraCall
	for _, a := range r.Agents {
		calls = append(calls, a.Calls...)
	}
	return calls
}

// loadMS is what chimera spends on the model before the first call: finding and validating the GGUF, loading
// it, creating the context.
func (r *chimeraRun) loadMS() float64 { return r.ModelCheckMS + r.Model.Load.LoadMS + r.ContextMS }

// cacheLine is the runner's debug line for each sequence it starts: `used` prompt tokens were already in its KV
// cache and are not evaluated again.
var cacheLine = regexp.MustCompile(`msg="loading cache slot".* prompt=(\d+) used=(\d+)`)

// cachedTokens reads, from Ollama's server log, how many prompt tokens each call found in the cache, in call
// order; ok is false when the log does not have one line per call.
func cachedTokens(path string, calls int) (cached []int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for lines.Scan() {
		if m := cacheLine.FindStringSubmatch(lines.Text()); m != nil {
			used, _ := strconv.Atoi(m[2])
			cached = append(cached, used)
		}
	}
	return cached, lines.Err() == nil && len(cached) == calls
}

// ollamaRSS is the peak resident set of Ollama's two processes, the server and the runner it starts.
type ollamaRSS struct{ serverKiB, runnerKiB int64 }

func readRSS(path string) (ollamaRSS, error) {
	env, err := readEnv(path)
	if err != nil {
		return ollamaRSS{}, err
	}
	server, err1 := strconv.ParseInt(env["server_kib"], 10, 64)
	runner, err2 := strconv.ParseInt(env["runner_kib"], 10, 64)
	if err1 != nil || err2 != nil {
		return ollamaRSS{}, fmt.Errorf("%s: server_kib and runner_kib must be numbers, got %q and %q", path,
			env["server_kib"], env["runner_kib"])
	}
	return ollamaRSS{server, runner}, nil
}

// readEnv reads key=value lines.
func readEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(strings.TrimRight(line, "\n"), "="); ok {
			env[k] = v
		}
	}
	return env, nil
}

// round is everything measured in one round.
type round struct {
	n             int
	ollamaFirst   bool
	chimera       chimeraRun
	chimeraTime   benchdoc.TimeV
	ollama        replayResult
	ollamaRSS     ollamaRSS
	ollamaCached  []int // per call; nil when the server log cannot tell
	chimeraCalls  []chimeraCall
	replayedOwnID bool // the replay is of this round's chimera run (not the previous round's)
}

func readRound(dir string, n int) (*round, error) {
	base := filepath.Join(dir, "rounds", fmt.Sprintf("r%02d", n))
	r := &round{n: n}
	order, err := os.ReadFile(base + ".order")
	if err != nil {
		return nil, err
	}
	r.ollamaFirst = strings.HasPrefix(string(order), "ollama")
	if err := benchdoc.ReadJSON(base+"-chimera.json", &r.chimera); err != nil {
		return nil, err
	}
	if r.chimeraTime, err = benchdoc.ReadTimeV(base + "-chimera.time"); err != nil {
		return nil, err
	}
	if err := benchdoc.ReadJSON(base+"-ollama.json", &r.ollama); err != nil {
		return nil, err
	}
	if r.ollamaRSS, err = readRSS(base + "-ollama.rss"); err != nil {
		return nil, err
	}
	r.chimeraCalls = r.chimera.calls()
	if cached, ok := cachedTokens(base+"-server.log", len(r.ollama.Calls)); ok {
		r.ollamaCached = cached
	}
	r.replayedOwnID = r.ollama.RunID == r.chimera.RunID
	return r, nil
}

// readRounds reads rounds 1, 2, … until one is missing.
func readRounds(dir string) ([]*round, error) {
	var rounds []*round
	for n := 1; ; n++ {
		if _, err := os.Stat(filepath.Join(dir, "rounds", fmt.Sprintf("r%02d.order", n))); err != nil {
			break
		}
		r, err := readRound(dir, n)
		if err != nil {
			return nil, fmt.Errorf("round %d: %w", n, err)
		}
		rounds = append(rounds, r)
	}
	if len(rounds) == 0 {
		return nil, fmt.Errorf("%s has no rounds", dir)
	}
	return rounds, nil
}
