package models

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestResolveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.gguf")
	writeFile(t, path, []byte("GGUF"))
	t.Chdir(dir)

	got, err := Resolve("model.gguf", ResolveOptions{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Resolved{Ref: "model.gguf", Path: path, Source: SourceFile}); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}

	_, err = Resolve("missing.gguf", ResolveOptions{CacheDir: dir})
	assertProblem(t, err, "no such file")
	_, err = Resolve(dir, ResolveOptions{CacheDir: dir})
	assertProblem(t, err, "is a directory")
}

func TestResolveSyntheticGeneratesOnceAndReuses(t *testing.T) {
	cache := t.TempDir()
	var messages []string
	opt := ResolveOptions{CacheDir: cache, Progress: func(msg string) { messages = append(messages, msg) }}

	first, err := Resolve("synthetic:tiny-q8_0", opt)
	if err != nil {
		t.Fatal(err)
	}
	want := Resolved{Ref: "synthetic:tiny-q8_0", Path: filepath.Join(cache, "models", "synthetic-tiny-q8_0-synthvocab-v2.gguf"),
		Source: SourceSynthetic, Synthetic: true, Shape: "tiny", Type: "q8_0"}
	if *first != want {
		t.Errorf("got %+v, want %+v", *first, want)
	}
	if len(messages) == 0 {
		t.Error("generating reported no progress")
	}
	if _, err := Inspect(first.Path); err != nil {
		t.Fatal(err)
	}
	before := modTime(t, first.Path)

	messages = nil
	second, err := Resolve("synthetic:tiny-q8_0", opt)
	if err != nil {
		t.Fatal(err)
	}
	if *second != *first || !modTime(t, second.Path).Equal(before) || len(messages) > 0 {
		t.Errorf("the second Resolve did not reuse the cached file: %+v, progress %q", *second, messages)
	}

	cached, err := ListCached(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(cached) != 1 || cached[0].Name != "synthetic-tiny-q8_0-synthvocab-v2" || cached[0].Path != first.Path ||
		cached[0].Size == 0 {
		t.Errorf("ListCached = %+v", cached)
	}
}

// A model written in an older format is replaced, not kept beside the new one; other models stay.
func TestResolveSyntheticRemovesOlderFormats(t *testing.T) {
	cache := t.TempDir()
	dir := filepath.Join(cache, "models")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale, other := filepath.Join(dir, "synthetic-tiny-f16-synthvocab.gguf"), filepath.Join(dir, "synthetic-tiny-f32-synthvocab.gguf")
	for _, path := range []string{stale, other} {
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Resolve("synthetic:tiny-f16", ResolveOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if isRegularFile(stale) || !isRegularFile(other) {
		t.Errorf("after writing tiny-f16: stale copy kept %v, other model kept %v", isRegularFile(stale), isRegularFile(other))
	}
}

// tiny always gets the synthetic vocabulary, so that tests using it stay fast.
func TestResolveSyntheticTinyIgnoresTheRealVocabulary(t *testing.T) {
	cache := t.TempDir()
	got, err := Resolve("synthetic:tiny-f16", ResolveOptions{CacheDir: cache, TokenizerDir: filepath.Join(cache, "absent")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got.Path, "synthetic-tiny-f16-synthvocab-v2.gguf") {
		t.Errorf("tiny was written to %s", got.Path)
	}
}

func TestResolveSyntheticErrors(t *testing.T) {
	tests := []struct{ ref, problem string }{
		{"synthetic:tiny", "a synthetic model is named synthetic:<shape>-<type>"},
		{"synthetic:7b-q8_0", `unknown synthetic shape "7b"`},
		{"synthetic:270m-q5_k", `unknown synthetic type "q5_k"`},
		{"synthetic:270m-q8_0", "no such file"}, // the real vocabulary is missing from TokenizerDir
	}
	for _, tt := range tests {
		cache := t.TempDir()
		_, err := Resolve(tt.ref, ResolveOptions{CacheDir: cache, TokenizerDir: filepath.Join(cache, "absent")})
		assertProblem(t, err, tt.problem)
		if cached, _ := ListCached(cache); len(cached) > 0 {
			t.Errorf("%s left %v in the cache", tt.ref, cached)
		}
	}
}

func TestResolveOllama(t *testing.T) {
	store := t.TempDir()
	blobs := map[string]string{
		"registry.ollama.ai/library/gemma3/1b":     fakeOllamaModel(t, store, "registry.ollama.ai/library/gemma3/1b", 100),
		"registry.ollama.ai/library/gemma3/latest": fakeOllamaModel(t, store, "registry.ollama.ai/library/gemma3/latest", 200),
		"registry.ollama.ai/user/model/tag":        fakeOllamaModel(t, store, "registry.ollama.ai/user/model/tag", 300),
		"example.com:5000/team/model/v1":           fakeOllamaModel(t, store, "example.com:5000/team/model/v1", 400),
	}
	tests := []struct{ ref, manifest string }{
		{"gemma3:1b", "registry.ollama.ai/library/gemma3/1b"},
		{"gemma3", "registry.ollama.ai/library/gemma3/latest"},
		{"library/gemma3:latest", "registry.ollama.ai/library/gemma3/latest"},
		{"user/model:tag", "registry.ollama.ai/user/model/tag"},
		{"example.com:5000/team/model:v1", "example.com:5000/team/model/v1"},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.ref, ResolveOptions{CacheDir: t.TempDir(), OllamaDir: store})
		if err != nil {
			t.Errorf("%s: %v", tt.ref, err)
			continue
		}
		if want := (Resolved{Ref: tt.ref, Path: blobs[tt.manifest], Source: SourceOllama}); *got != want {
			t.Errorf("%s: got %+v, want %+v", tt.ref, *got, want)
		}
	}

	_, err := Resolve("gemma3:4b", ResolveOptions{CacheDir: t.TempDir(), OllamaDir: store})
	assertProblem(t, err, fmt.Sprintf("model not found in the Ollama store at %s (pulled models: "+
		"example.com:5000/team/model:v1, gemma3:1b, gemma3:latest, user/model:tag)", store))
}

func TestResolveOllamaErrors(t *testing.T) {
	store := t.TempDir()
	fakeOllamaModel(t, store, "registry.ollama.ai/library/noblob/latest", 10)
	os.RemoveAll(filepath.Join(store, "blobs"))
	writeFile(t, filepath.Join(store, "manifests/registry.ollama.ai/library/nomodel/latest"),
		[]byte(`{"layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:00"}]}`))
	writeFile(t, filepath.Join(store, "manifests/registry.ollama.ai/library/baddigest/latest"),
		[]byte(`{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../x"}]}`))

	tests := []struct{ ref, store, problem string }{
		{"noblob", store, "is missing"},
		{"nomodel", store, "has no application/vnd.ollama.image.model layer"},
		{"baddigest", store, `malformed digest "sha256:../../x"`},
		{"gemma3", filepath.Join(store, "absent"), "(no models pulled)"},
		{"not a name!", store, "is not a file, a synthetic:<shape>-<type> model or an Ollama model name"},
		{"a/b/c/d", store, "is not a file"},
		{"../escape", store, "no such file"},
	}
	for _, tt := range tests {
		_, err := Resolve(tt.ref, ResolveOptions{CacheDir: store, OllamaDir: tt.store})
		assertProblem(t, err, tt.problem)
	}
}

func TestListOllama(t *testing.T) {
	store := t.TempDir()
	fakeOllamaModel(t, store, "registry.ollama.ai/library/gemma3/1b", 100)
	fakeOllamaModel(t, store, "registry.ollama.ai/library/gemma3/270m", 50)
	list, err := ListOllama(store)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var sizes []int64
	for _, model := range list {
		names, sizes = append(names, model.Name), append(sizes, model.Size)
	}
	if !reflect.DeepEqual(names, []string{"gemma3:1b", "gemma3:270m"}) || !reflect.DeepEqual(sizes, []int64{100, 50}) {
		t.Errorf("ListOllama = %+v", list)
	}

	if list, err := ListOllama(filepath.Join(store, "absent")); err != nil || list != nil {
		t.Errorf("a missing store listed %v, %v", list, err)
	}
}

func TestDefaultDirs(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CHIMERA_CACHE_DIR", dir)
	t.Setenv("OLLAMA_MODELS", filepath.Join(dir, "ollama"))
	if got := DefaultCacheDir(); got != dir {
		t.Errorf("DefaultCacheDir() = %s, want %s", got, dir)
	}
	if got := DefaultOllamaDir(); got != filepath.Join(dir, "ollama") {
		t.Errorf("DefaultOllamaDir() = %s", got)
	}
	if got := DefaultTokenizerDir(dir); got != "" {
		t.Errorf("DefaultTokenizerDir found %s in an empty cache", got)
	}
	tokenizer := filepath.Join(dir, "tokenizer", "gemma3")
	writeFile(t, filepath.Join(tokenizer, hfTokenizerFile), []byte("{}"))
	writeFile(t, filepath.Join(tokenizer, hfTokenizerConfigFile), []byte("{}"))
	if got := DefaultTokenizerDir(dir); got != tokenizer {
		t.Errorf("DefaultTokenizerDir() = %q, want %s", got, tokenizer)
	}
}

// fakeOllamaModel stores a model blob of size bytes and its manifest, as ollama pull does; it returns the blob.
func fakeOllamaModel(t *testing.T, store, name string, size int) string {
	t.Helper()
	digest := fmt.Sprintf("%064x", len(name)*1000+size)
	blob := filepath.Join(store, "blobs", "sha256-"+digest)
	writeFile(t, blob, make([]byte, size))
	manifest := fmt.Sprintf(`{"schemaVersion":2,"layers":[
		{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:%064x","size":1},
		{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":%d}]}`, 1, digest, size)
	writeFile(t, filepath.Join(store, "manifests", filepath.FromSlash(name)), []byte(manifest))
	return blob
}

func modTime(t *testing.T, path string) time.Time {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime()
}
