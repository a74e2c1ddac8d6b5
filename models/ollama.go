package models

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Ollama's defaults for the parts of a model name left out: gemma3 is registry.ollama.ai/library/gemma3:latest.
const (
	ollamaDefaultHost      = "registry.ollama.ai"
	ollamaDefaultNamespace = "library"
	ollamaDefaultTag       = "latest"
	ollamaModelMediaType   = "application/vnd.ollama.image.model"
	ollamaManifests        = "manifests" // holds <host>/<namespace>/<model>/<tag>
	ollamaManifestDepth    = 4
	ollamaBlobs            = "blobs"
)

var (
	ollamaHostPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?$`)
	ollamaPartPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	sha256Pattern     = regexp.MustCompile(`^sha256:([0-9a-f]{64})$`)
)

// DefaultOllamaDir is $OLLAMA_MODELS, else ~/.ollama/models: where Ollama keeps pulled models.
func DefaultOllamaDir() string {
	if dir := os.Getenv("OLLAMA_MODELS"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".ollama", "models")
}

// ollamaName is a fully qualified Ollama model name.
type ollamaName struct {
	host, namespace, model, tag string
}

// parseOllamaName reads [[host/]namespace/]model[:tag].
func parseOllamaName(ref string) (ollamaName, bool) {
	n := ollamaName{host: ollamaDefaultHost, namespace: ollamaDefaultNamespace, tag: ollamaDefaultTag}
	parts := strings.Split(ref, "/")
	last := parts[len(parts)-1]
	if model, tag, hasTag := strings.Cut(last, ":"); hasTag {
		last, n.tag = model, tag
	}
	n.model = last
	switch len(parts) {
	case 1:
	case 2:
		n.namespace = parts[0]
	case 3:
		n.host, n.namespace = parts[0], parts[1]
	default:
		return n, false
	}
	return n, n.valid()
}

func (n ollamaName) valid() bool {
	return ollamaHostPattern.MatchString(n.host) && ollamaPartPattern.MatchString(n.namespace) &&
		ollamaPartPattern.MatchString(n.model) && ollamaPartPattern.MatchString(n.tag)
}

// String is the name as Ollama shows it, without the default host and namespace.
func (n ollamaName) String() string {
	short := n.model + ":" + n.tag
	switch {
	case n.host != ollamaDefaultHost:
		return n.host + "/" + n.namespace + "/" + short
	case n.namespace != ollamaDefaultNamespace:
		return n.namespace + "/" + short
	}
	return short
}

func (n ollamaName) manifestPath(store string) string {
	return filepath.Join(store, ollamaManifests, n.host, n.namespace, n.model, n.tag)
}

func resolveOllama(ref string, opt ResolveOptions) (*Resolved, error) {
	name, ok := parseOllamaName(ref)
	if !ok {
		return nil, errorf(ref, "is not a file, a synthetic:<shape>-<type> model or an Ollama model name")
	}
	manifest := name.manifestPath(opt.OllamaDir)
	if !isRegularFile(manifest) {
		return nil, errorf(ref, "model not found in the Ollama store at %s (%s)",
			opt.OllamaDir, pulledModels(opt.OllamaDir))
	}
	blob, err := modelBlob(opt.OllamaDir, manifest)
	if err != nil {
		return nil, err
	}
	return &Resolved{Ref: ref, Path: blob, Source: SourceOllama}, nil
}

func pulledModels(store string) string {
	list, err := ListOllama(store)
	if err != nil || len(list) == 0 {
		return "no models pulled"
	}
	names := make([]string, len(list))
	for i, model := range list {
		names[i] = model.Name
	}
	return "pulled models: " + strings.Join(names, ", ")
}

// modelBlob finds the GGUF blob that an Ollama manifest names.
func modelBlob(store, manifestPath string) (string, error) {
	var manifest struct {
		Layers []struct {
			MediaType string `json:"mediaType"`
			Digest    string `json:"digest"`
		} `json:"layers"`
	}
	if err := readJSON(manifestPath, maxManifestBytes, &manifest); err != nil {
		return "", err
	}
	for _, layer := range manifest.Layers {
		if layer.MediaType != ollamaModelMediaType {
			continue
		}
		digest := sha256Pattern.FindStringSubmatch(layer.Digest)
		if digest == nil {
			return "", errorf(manifestPath, "model layer has a malformed digest %q", layer.Digest)
		}
		blob := filepath.Join(store, ollamaBlobs, "sha256-"+digest[1])
		if !isRegularFile(blob) {
			return "", errorf(manifestPath, "model blob %s is missing", blob)
		}
		return blob, nil
	}
	return "", errorf(manifestPath, "has no %s layer", ollamaModelMediaType)
}

// ListOllama lists the models pulled into the Ollama store at dir, sorted by name; models whose blob is missing
// are left out. A store that does not exist holds no models.
func ListOllama(dir string) ([]Model, error) {
	manifests := filepath.Join(dir, ollamaManifests)
	var list []Model
	err := filepath.WalkDir(manifests, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(manifests, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != ollamaManifestDepth {
			return nil
		}
		name := ollamaName{host: parts[0], namespace: parts[1], model: parts[2], tag: parts[3]}
		if blob, err := modelBlob(dir, path); err == nil {
			if model, err := statModel(name.String(), blob); err == nil {
				list = append(list, model)
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	slices.SortFunc(list, func(a, b Model) int { return strings.Compare(a.Name, b.Name) })
	return list, err
}
