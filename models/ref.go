package models

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The sources a model reference can resolve to.
const (
	SourceFile      = "file"
	SourceSynthetic = "synthetic"
	SourceOllama    = "ollama"
)

const (
	syntheticPrefix = "synthetic:"
	tinyShape       = "tiny"
	syntheticSeed   = 1 // fixed, so that a cached synthetic model is the one any chimera would write
	// syntheticFormat is part of a cached synthetic model's file name. Bump it whenever WriteSynthetic's output
	// changes (metadata keys, tensor layout), so that files an older chimera wrote are not reused.
	syntheticFormat = 2
	modelsSubdir    = "models"
	ggufExtension   = ".gguf"
)

// Resolved is a model reference turned into a file.
type Resolved struct {
	Ref       string `json:"ref"`
	Path      string `json:"path"`
	Source    string `json:"source"` // SourceFile, SourceSynthetic or SourceOllama
	Synthetic bool   `json:"synthetic"`
	Shape     string `json:"shape,omitempty"` // of a synthetic model
	Type      string `json:"type,omitempty"`  // of a synthetic model
}

// ResolveOptions say where Resolve looks; the zero value uses the defaults.
type ResolveOptions struct {
	CacheDir     string           // where synthetic models are kept; default DefaultCacheDir()
	OllamaDir    string           // the Ollama model store; default DefaultOllamaDir()
	TokenizerDir string           // the real gemma3 vocabulary; default DefaultTokenizerDir(CacheDir)
	Progress     func(msg string) // told what a slow step (generating a synthetic model) is doing; may be nil
}

// Model is a model file found in a cache or store.
type Model struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
}

// Resolve turns a model reference into a file:
//   - a path to a file;
//   - synthetic:<shape>-<type> (synthetic:270m-q8_0): a synthetic gemma3 model, generated into the cache on
//     first use and reused after; it gets the real gemma3 vocabulary when TokenizerDir has it, except tiny;
//   - an Ollama model name (gemma3:1b, gemma3 for gemma3:latest, user/model:tag, host/namespace/model:tag),
//     found in the local Ollama store.
//
// Problems with the reference are *Error.
func Resolve(ref string, opt ResolveOptions) (*Resolved, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, errorf("model", "no model reference given")
	}
	opt = opt.withDefaults()
	if strings.HasPrefix(ref, syntheticPrefix) {
		return resolveSynthetic(ref, opt)
	}
	if _, err := os.Stat(ref); err == nil || looksLikePath(ref) {
		return resolveFile(ref)
	}
	return resolveOllama(ref, opt)
}

func (opt ResolveOptions) withDefaults() ResolveOptions {
	if opt.CacheDir == "" {
		opt.CacheDir = DefaultCacheDir()
	}
	if opt.OllamaDir == "" {
		opt.OllamaDir = DefaultOllamaDir()
	}
	if opt.TokenizerDir == "" {
		opt.TokenizerDir = DefaultTokenizerDir(opt.CacheDir)
	}
	return opt
}

func (opt ResolveOptions) progress(format string, args ...any) {
	if opt.Progress != nil {
		opt.Progress(fmt.Sprintf(format, args...))
	}
}

// DefaultCacheDir is $CHIMERA_CACHE_DIR, else chimera's directory in the user's cache directory.
func DefaultCacheDir() string {
	if dir := os.Getenv("CHIMERA_CACHE_DIR"); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "chimera")
	}
	return filepath.Join(os.TempDir(), "chimera-cache")
}

// DefaultTokenizerDir is where scripts/fetch-tokenizer.sh puts the real gemma3 vocabulary under cacheDir, or ""
// when it is not there.
func DefaultTokenizerDir(cacheDir string) string {
	dir := filepath.Join(cacheDir, "tokenizer", gemma3)
	for _, name := range []string{hfTokenizerFile, hfTokenizerConfigFile} {
		if !isRegularFile(filepath.Join(dir, name)) {
			return ""
		}
	}
	return dir
}

func isRegularFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

func looksLikePath(ref string) bool {
	return strings.HasSuffix(ref, ggufExtension) || filepath.IsAbs(ref) ||
		strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "~")
}

func resolveFile(ref string) (*Resolved, error) {
	info, err := os.Stat(ref)
	if err != nil {
		return nil, openError(ref, err)
	}
	if err := notRegular(ref, info); err != nil {
		return nil, err
	}
	path, err := filepath.Abs(ref)
	if err != nil {
		return nil, errorf(ref, "%v", err)
	}
	return &Resolved{Ref: ref, Path: path, Source: SourceFile}, nil
}

func resolveSynthetic(ref string, opt ResolveOptions) (*Resolved, error) {
	shape, typ, ok := strings.Cut(strings.TrimPrefix(ref, syntheticPrefix), "-")
	if !ok {
		return nil, errorf(ref, "a synthetic model is named synthetic:<shape>-<type>, for example synthetic:270m-q8_0")
	}
	spec := SyntheticSpec{Shape: shape, Type: typ, Seed: syntheticSeed}
	if _, _, err := spec.lookup(); err != nil {
		return nil, errorf(ref, "%v", err)
	}
	realVocab := shape != tinyShape && opt.TokenizerDir != ""
	vocabTag := "synthvocab"
	if realVocab {
		vocabTag = "gemma3vocab"
	}
	stem := fmt.Sprintf("synthetic-%s-%s-%s", shape, typ, vocabTag)
	path := filepath.Join(opt.CacheDir, modelsSubdir, fmt.Sprintf("%s-v%d%s", stem, syntheticFormat, ggufExtension))
	if !isRegularFile(path) {
		if err := generate(path, spec, realVocab, opt); err != nil {
			return nil, err
		}
		removeOlderFormats(filepath.Dir(path), stem, opt)
	}
	return &Resolved{Ref: ref, Path: path, Source: SourceSynthetic, Synthetic: true, Shape: shape, Type: typ}, nil
}

func generate(path string, spec SyntheticSpec, realVocab bool, opt ResolveOptions) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if realVocab {
		opt.progress("loading the gemma3 vocabulary from %s", opt.TokenizerDir)
		var err error
		if spec.Vocab, err = LoadGemma3Vocab(opt.TokenizerDir); err != nil {
			return err
		}
	}
	opt.progress("generating synthetic gemma3 %s %s into %s", spec.Shape, spec.Type, path)
	start := time.Now()
	if err := WriteSynthetic(path, spec); err != nil {
		return err
	}
	opt.progress("generated %s in %.1fs", path, time.Since(start).Seconds())
	return nil
}

// removeOlderFormats deletes the copies of a synthetic model that older chimeras wrote into dir (named stem.gguf
// or stem-vN.gguf with N below syntheticFormat): nothing reads them any more, and a 1b f32 takes 4 GB.
func removeOlderFormats(dir, stem string, opt ResolveOptions) {
	older := []string{stem + ggufExtension}
	for v := 1; v < syntheticFormat; v++ {
		older = append(older, fmt.Sprintf("%s-v%d%s", stem, v, ggufExtension))
	}
	for _, name := range older {
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			opt.progress("removed %s, written by an older chimera", name)
		}
	}
}

// ListCached lists the synthetic models generated into cacheDir, by file name.
func ListCached(cacheDir string) ([]Model, error) {
	paths, err := filepath.Glob(filepath.Join(cacheDir, modelsSubdir, "*"+ggufExtension))
	if err != nil {
		return nil, err
	}
	var list []Model
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ggufExtension)
		if model, err := statModel(name, path); err == nil {
			list = append(list, model)
		}
	}
	return list, nil
}

func statModel(name, path string) (Model, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Model{}, err
	}
	return Model{Name: name, Path: path, Size: info.Size(), ModTime: info.ModTime()}, nil
}
