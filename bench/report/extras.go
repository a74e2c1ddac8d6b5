package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"chimera/bench/benchdoc"
)

// generateResult is the part of `chimera generate --json` the extras use.
type generateResult struct {
	Load struct {
		LoadMS float64 `json:"load_ms"`
	} `json:"load"`
	Timings struct {
		PromptTokens int     `json:"prompt_tokens"`
		PromptEvalMS float64 `json:"prompt_eval_ms"`
		TTFTMS       float64 `json:"ttft_ms"`
		GenTokens    int     `json:"gen_tokens"`
		EvalMS       float64 `json:"eval_ms"`
		SampleMS     float64 `json:"sample_ms"`
		DecodeTPS    float64 `json:"decode_tps"`
		PromptTPS    float64 `json:"prompt_tps"`
	} `json:"timings"`
	peakKiB int64
}

func readGenerates(dir string) ([]generateResult, error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "generate-*.json"))
	var gens []generateResult
	for _, p := range paths {
		var g generateResult
		if err := benchdoc.ReadJSON(p, &g); err != nil {
			return nil, err
		}
		g.peakKiB = timeOf(strings.TrimSuffix(p, ".json") + ".time").PeakKiB
		gens = append(gens, g)
	}
	return gens, nil
}

// workflow is the part of `chimera run --json` the extras use.
type workflow struct {
	IngestMS     float64 `json:"ingest_ms"`
	ModelCheckMS float64 `json:"model_check_ms"`
	ContextMS    float64 `json:"context_ms"`
	Model        struct {
		Load struct {
			LoadMS float64 `json:"load_ms"`
		} `json:"load"`
	} `json:"model"`
	Agents []struct {
		Stages struct {
			AnalysisMS float64 `json:"analysis_ms"`
			ReportMS   float64 `json:"report_ms"`
		} `json:"stages"`
		Calls []struct {
			Agent   string `json:"agent"`
			Stage   string `json:"stage"`
			Timings struct {
				PromptTokens int     `json:"prompt_tokens"`
				CachedTokens int     `json:"prompt_cached_tokens"`
				PromptEvalMS float64 `json:"prompt_eval_ms"`
				TTFTMS       float64 `json:"ttft_ms"`
				GenTokens    int     `json:"gen_tokens"`
				EvalMS       float64 `json:"eval_ms"`
				SampleMS     float64 `json:"sample_ms"`
				TotalMS      float64 `json:"total_ms"`
				DecodeTPS    float64 `json:"decode_tps"`
			} `json:"timings"`
		} `json:"calls"`
	} `json:"agents"`
}

func readWorkflow(path string) (*workflow, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var w workflow
	if err := benchdoc.ReadJSON(path, &w); err != nil {
		return nil, err
	}
	return &w, nil
}
