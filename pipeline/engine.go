package pipeline

import (
	"errors"
	"fmt"

	"chimera/llama"
	"chimera/models"
	"chimera/store"
)

// ModelSource says where models come from: the references resolve against these directories.
type ModelSource struct {
	CacheDir     string
	TokenizerDir string
	OllamaDir    string
	// Progress receives one-line notes, e.g. while a synthetic model is written.
	Progress func(string)
}

// Model is a validated, loaded model and what is known about its file.
type Model struct {
	*llama.Model
	Ref  *models.Resolved
	Info *models.Info
}

// Synthetic reports whether the weights are random: such a model's text is noise and reports must say so.
func (m *Model) Synthetic() bool { return m.Ref.Synthetic || m.Info.SyntheticWeights }

// ResolveModel finds the file behind a reference and validates it before llama.cpp ever sees it.
func ResolveModel(ref string, src ModelSource) (*models.Resolved, *models.Info, error) {
	resolved, err := models.Resolve(ref, models.ResolveOptions{
		CacheDir: src.CacheDir, TokenizerDir: src.TokenizerDir, OllamaDir: src.OllamaDir, Progress: src.Progress,
	})
	if err != nil {
		return nil, nil, err
	}
	info, err := models.Inspect(resolved.Path)
	if err != nil {
		return nil, nil, err
	}
	return resolved, info, nil
}

// LoadModel resolves, validates and loads a model with the given layer offload.
func LoadModel(ref string, src ModelSource, numGPU int, useMmap bool) (*Model, error) {
	resolved, info, err := ResolveModel(ref, src)
	if err != nil {
		return nil, err
	}
	if numGPU < AllLayers {
		return nil, Invalid(fmt.Errorf("num_gpu must be -1 (all) or a layer count, got %d", numGPU))
	}
	loaded, err := llama.LoadModel(resolved.Path, llama.ModelParams{NumGPU: numGPU, UseMmap: useMmap})
	if err != nil {
		return nil, err
	}
	return &Model{Model: loaded, Ref: resolved, Info: info}, nil
}

// fitMargin is the device memory --fit leaves free, for the CUDA context and other processes.
const fitMargin = 512 << 20

// LoadModelFor loads a model for a configuration: with cfg.Fit the offload is lowered to what fits, and a num_ctx
// beyond the training context is warned about. Notes go to src.Progress.
func LoadModelFor(ref string, src ModelSource, cfg Config) (*Model, error) {
	resolved, info, err := ResolveModel(ref, src)
	if err != nil {
		return nil, err
	}
	if cfg.Context.NumCtx > int(info.ContextLength) && info.ContextLength > 0 {
		src.note("warning: num_ctx %d is larger than the %d tokens %s was trained with; quality beyond that is undefined",
			cfg.Context.NumCtx, info.ContextLength, ref)
	}
	numGPU := cfg.NumGPU
	if cfg.Fit {
		fitted, err := llama.FitGPULayers(resolved.Path, numGPU, cfg.Context, fitMargin)
		if err != nil {
			return nil, err
		}
		if fitted != numGPU {
			src.note("--fit: num_gpu %d is the largest offload that fits (asked for %s)", fitted, NumGPULabel(numGPU))
		}
		numGPU = fitted
	}
	return LoadModel(ref, src, numGPU, cfg.UseMmap)
}

func (s ModelSource) note(format string, args ...any) {
	if s.Progress != nil {
		s.Progress(fmt.Sprintf(format, args...))
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

// InputError marks an error caused by the user's input (flags, files, models) rather than by chimera or the
// machine; the CLI exits with status 2 for these.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Invalid wraps err as an input error.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// IsInputError reports whether err was caused by bad input: flags, model files or prompts that cannot fit.
func IsInputError(err error) bool {
	var input *InputError
	var model *models.Error
	var tooLong *llama.PromptTooLongError
	return errors.As(err, &input) || errors.As(err, &model) || errors.As(err, &tooLong) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNewerSchema)
}
