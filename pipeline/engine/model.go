// Package engine is chimera's glue over the llama binding and its runner: the settings of an LLM configuration, model files
// resolved and validated before llama.cpp sees them, loads shared through a cache, and the input-error rule.
package engine

import (
	"fmt"
	"runtime/debug"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/runner"
)

// ModelSource says where models come from: the references resolve against these directories.
type ModelSource struct {
	CacheDir     string
	TokenizerDir string
	OllamaDir    string
	// Progress receives one-line notes, e.g. while a synthetic model is written.
	Progress func(string)
}

// ModelFile is a model reference resolved to its file and validated before llama.cpp ever sees it. Every load
// of a run starts from it, so the file's metadata is read once.
type ModelFile struct {
	Ref      *models.Resolved
	Info     *models.Info
	progress func(string) // ModelSource.Progress
}

// Synthetic reports whether the weights are random: such a model's text is noise and reports must say so.
func (f *ModelFile) Synthetic() bool { return f.Ref.Synthetic || f.Info.SyntheticWeights }

// Model is a loaded model and what is known about its file.
type Model struct {
	*runner.Model
	*ModelFile
}

// ResolveModel finds the file behind a reference and validates it.
func ResolveModel(ref string, src ModelSource) (*ModelFile, error) {
	resolved, err := models.Resolve(ref, models.ResolveOptions{
		CacheDir: src.CacheDir, TokenizerDir: src.TokenizerDir, OllamaDir: src.OllamaDir, Progress: src.Progress,
	})
	if err != nil {
		return nil, err
	}
	info, err := models.Inspect(resolved.Path)
	if err != nil {
		return nil, err
	}
	// Validation read every token string (262k for gemma3) into Go memory; give it back now rather than let
	// llama.cpp's load add to it at the process's peak.
	debug.FreeOSMemory()
	return &ModelFile{Ref: resolved, Info: info, progress: src.Progress}, nil
}

// LoadFor loads the model for a configuration: cfg.NumGPU layers offloaded, or with cfg.Fit the largest offload that
// fits (fitLoad); a num_ctx beyond the training context is warned about. Notes go to ModelSource.Progress.
func (f *ModelFile) LoadFor(cfg Config) (*Model, error) {
	if cfg.NumGPU < AllLayers {
		return nil, Invalid(fmt.Errorf("num_gpu must be -1 (all) or a layer count, got %d", cfg.NumGPU))
	}
	if cfg.Context.NumCtx > int(f.Info.ContextLength) && f.Info.ContextLength > 0 {
		f.note("warning: num_ctx %d is larger than the %d tokens %s was trained with; quality beyond that is undefined",
			cfg.Context.NumCtx, f.Info.ContextLength, f.Ref.Ref)
	}
	if err := cfg.CheckDevices(llama.Devices()); err != nil {
		return nil, err
	}
	var loaded *llama.Model
	var err error
	if cfg.Fit && llama.HasGPU() {
		loaded, err = f.fitLoad(cfg)
	} else {
		loaded, err = llama.LoadModel(f.Ref.Path, cfg.loadParams())
	}
	if err != nil {
		return nil, err
	}
	return &Model{Model: runner.NewModel(loaded), ModelFile: f}, nil
}

func (f *ModelFile) note(format string, args ...any) {
	if f.progress != nil {
		f.progress(fmt.Sprintf(format, args...))
	}
}

// EffectiveNumGPU is the layer count a num_gpu value really offloads on this machine: values above
// block_count+1 are all layers, and without a GPU nothing is offloaded whatever is asked.
func EffectiveNumGPU(numGPU, blockCount int, hasGPU bool) int {
	switch {
	case !hasGPU:
		return 0
	case numGPU == AllLayers || numGPU > blockCount+1:
		return blockCount + 1
	default:
		return numGPU
	}
}

// Summary identifies the loaded model in results and reports.
func (m *Model) Summary() ModelSummary {
	return ModelSummary{Ref: m.Ref.Ref, Path: m.Ref.Path, Description: m.Description(), FileType: m.Info.FileType,
		HeaderSHA: m.Info.HeaderSHA256, Synthetic: m.Synthetic(), Load: m.Load}
}

// ModelSummary identifies the model a run used.
type ModelSummary struct {
	Ref         string           `json:"ref"`
	Path        string           `json:"path"`
	Description string           `json:"description"`
	FileType    string           `json:"file_type"`
	HeaderSHA   string           `json:"header_sha256"`
	Synthetic   bool             `json:"synthetic_weights"`
	Load        llama.LoadReport `json:"load"`
}
