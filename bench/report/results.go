package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"chimera/bench/benchdoc"
)

// results is everything one bench/run.sh run left in its directory: the rounds on the main model, with the
// extras measured on it, and the rounds on the other models.
type results struct {
	roundSet
	more   []roundSet
	meta   map[string]string
	gens   []generateResult
	wf     *workflow
	wfTime benchdoc.TimeV
}

// roundSet is the rounds run on one model file.
type roundSet struct {
	model   string // one line about the model file
	invs    []invocation
	runners []string // in display order
	tests   []string
}

// moreModels is the subdirectory of a results directory with a directory per other model, laid out as the main
// one: model.json and rounds/.
const moreModels = "more"

// invocation is one run of one benchmark program in one round.
type invocation struct {
	round   int
	runner  string
	rows    []benchRow
	usage   usage
	hasUse  bool
	peakKiB int64
	variant string // the CPU backend upstream loaded (from its log)
}

// benchRow is the part of a chimera bench or llama-bench JSON row the report uses (llama-bench's names).
type benchRow struct {
	NPrompt int     `json:"n_prompt"`
	NGen    int     `json:"n_gen"`
	AvgTS   float64 `json:"avg_ts"`
	LoadMS  float64 `json:"load_ms"` // chimera only
}

func (r benchRow) test() string {
	if r.NGen > 0 {
		return "tg" + strconv.Itoa(r.NGen)
	}
	return "pp" + strconv.Itoa(r.NPrompt)
}

func load(dir string) (*results, error) {
	res := &results{}
	var err error
	if res.meta, err = readMeta(filepath.Join(dir, "meta.env")); err != nil {
		return nil, err
	}
	if res.roundSet, err = readRoundSet(dir); err != nil {
		return nil, err
	}
	if res.more, err = readMoreRoundSets(filepath.Join(dir, moreModels)); err != nil {
		return nil, err
	}
	extras := filepath.Join(dir, "extras")
	if res.gens, err = readGenerates(extras); err != nil {
		return nil, err
	}
	if res.wf, err = readWorkflow(filepath.Join(extras, "run.json")); err != nil {
		return nil, err
	}
	res.wfTime = timeOf(filepath.Join(extras, "run.time"))
	return res, nil
}

// readRoundSet reads dir's model.json and rounds/.
func readRoundSet(dir string) (roundSet, error) {
	var set roundSet
	var err error
	if set.model, err = describeModel(filepath.Join(dir, "model.json")); err != nil {
		return set, err
	}
	if set.invs, err = readRounds(filepath.Join(dir, "rounds")); err != nil {
		return set, err
	}
	if len(set.invs) == 0 {
		return set, fmt.Errorf("%s: no rounds", dir)
	}
	set.runners, set.tests = runnersAndTests(set.invs)
	return set, nil
}

// readMoreRoundSets reads a round set from every subdirectory of dir, which need not exist.
func readMoreRoundSets(dir string) ([]roundSet, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var sets []roundSet
	for _, e := range entries {
		if e.IsDir() {
			set, err := readRoundSet(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			sets = append(sets, set)
		}
	}
	return sets, nil
}

func readMeta(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	meta := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			meta[k] = v
		}
	}
	return meta, sc.Err()
}

// modelShow is the part of `chimera models show --json` the report uses.
type modelShow struct {
	Model struct {
		Path      string `json:"path"`
		Synthetic bool   `json:"synthetic"`
	} `json:"model"`
	Info struct {
		Architecture string  `json:"architecture"`
		Blocks       int     `json:"block_count"`
		Params       float64 `json:"params"`
		FileType     string  `json:"file_type"`
		Size         float64 `json:"size_bytes"`
		Vocab        int     `json:"vocab_size"`
	} `json:"info"`
}

func readModelShow(path string) (modelShow, error) {
	var show modelShow
	err := benchdoc.ReadJSON(path, &show)
	return show, err
}

// describeModel summarises `chimera models show --json` in one line.
func describeModel(path string) (string, error) {
	show, err := readModelShow(path)
	if err != nil {
		return "", err
	}
	i := show.Info
	vocab := fmt.Sprintf("vocabulary %d", i.Vocab)
	switch name := filepath.Base(show.Model.Path); {
	case strings.Contains(name, "gemma3vocab"):
		vocab += " (the real gemma3 one)"
	case strings.Contains(name, "synthvocab"):
		vocab += " (synthetic)"
	}
	weights := ""
	if show.Model.Synthetic {
		weights = ", random weights"
	}
	return fmt.Sprintf("`%s`: %s, %d blocks, %.1f M params, %s, %.0f MiB, %s%s", filepath.Base(show.Model.Path),
		i.Architecture, i.Blocks, i.Params/1e6, i.FileType, i.Size/(1<<20), vocab, weights), nil
}

var roundFile = regexp.MustCompile(`^r(\d+)-([a-z0-9-]+)\.json$`)

// readRounds reads every rNN-RUNNER.json in dir with the files recorded next to it.
func readRounds(dir string) ([]invocation, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var invs []invocation
	for _, e := range entries {
		m := roundFile.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		round, _ := strconv.Atoi(m[1])
		inv, err := readInvocation(filepath.Join(dir, strings.TrimSuffix(e.Name(), ".json")), round, m[2])
		if err != nil {
			return nil, err
		}
		invs = append(invs, inv)
	}
	return invs, nil
}

// readInvocation reads base.json; the other files of base are optional and leave their fields zero when absent.
func readInvocation(base string, round int, runner string) (invocation, error) {
	rows, err := readRows(base + ".json")
	if err != nil {
		return invocation{}, err
	}
	inv := invocation{round: round, runner: runner, rows: rows}
	inv.peakKiB = timeOf(base + ".time").PeakKiB
	inv.usage, inv.hasUse = readUsage(base)
	inv.variant = backendVariant(base + ".log")
	return inv, nil
}

func readRows(path string) ([]benchRow, error) {
	var rows []benchRow
	if err := benchdoc.ReadJSON(path, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no benchmark rows", path)
	}
	return rows, nil
}

var variantRe = regexp.MustCompile(`loaded CPU backend from \S*libggml-cpu-([a-z0-9_]+)\.so`)

func backendVariant(logPath string) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	if m := variantRe.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// runnerOrder puts chimera first and the upstream builds after it; other runners follow in the order met.
var runnerOrder = map[string]int{"chimera": 0, "upstream-v3": 1, "upstream-best": 2}

func runnerRank(name string) int {
	if r, ok := runnerOrder[name]; ok {
		return r
	}
	return len(runnerOrder)
}

// runnersAndTests lists the runners in display order and the tests sorted, so that pp comes before tg.
func runnersAndTests(invs []invocation) (runners, tests []string) {
	for _, inv := range invs {
		if !slices.Contains(runners, inv.runner) {
			runners = append(runners, inv.runner)
		}
		for _, r := range inv.rows {
			if !slices.Contains(tests, r.test()) {
				tests = append(tests, r.test())
			}
		}
	}
	slices.SortStableFunc(runners, func(a, b string) int { return cmp.Compare(runnerRank(a), runnerRank(b)) })
	slices.Sort(tests)
	return runners, tests
}
