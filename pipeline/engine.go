package pipeline

import (
	"errors"
	"fmt"
	"runtime/debug"

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
	*llama.Model
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

// fitMargin is the device memory --fit leaves free, for the CUDA context and other processes.
const fitMargin = 512 << 20

// LoadFor loads the model for a configuration: cfg.NumGPU layers offloaded, or with cfg.Fit the largest offload that
// fits; a num_ctx beyond the training context is warned about. Notes go to ModelSource.Progress.
func (f *ModelFile) LoadFor(cfg Config) (*Model, error) {
	if cfg.NumGPU < AllLayers {
		return nil, Invalid(fmt.Errorf("num_gpu must be -1 (all) or a layer count, got %d", cfg.NumGPU))
	}
	if cfg.Context.NumCtx > int(f.Info.ContextLength) && f.Info.ContextLength > 0 {
		f.note("warning: num_ctx %d is larger than the %d tokens %s was trained with; quality beyond that is undefined",
			cfg.Context.NumCtx, f.Info.ContextLength, f.Ref.Ref)
	}
	numGPU := cfg.NumGPU
	if cfg.Fit {
		fitted, err := llama.FitGPULayers(f.Ref.Path, numGPU, cfg.Context, fitMargin)
		if err != nil {
			return nil, err
		}
		if fitted != numGPU {
			f.note("--fit: num_gpu %d is the largest offload that fits (asked for %s)", fitted, NumGPULabel(numGPU))
		}
		numGPU = fitted
	}
	loaded, err := llama.LoadModel(f.Ref.Path, llama.ModelParams{NumGPU: numGPU, UseMmap: cfg.UseMmap})
	if err != nil {
		return nil, err
	}
	return &Model{Model: loaded, ModelFile: f}, nil
}

func (f *ModelFile) note(format string, args ...any) {
	if f.progress != nil {
		f.progress(fmt.Sprintf(format, args...))
	}
}

// runRecord is the start of a run of the given kind on the model file, as the store keeps it.
func (f *ModelFile) runRecord(kind store.RunKind, commandLine string, config any) store.Run {
	return store.Run{Kind: kind, CommandLine: commandLine, ConfigJSON: mustJSON(config), ModelRef: f.Ref.Ref,
		ModelPath: f.Ref.Path, ModelSHA256: f.Info.HeaderSHA256, ModelFileType: f.Info.FileType,
		ModelSynthetic: f.Synthetic(), Host: hostname(), BuildInfo: buildInfo()}
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
