package engine

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"chimera/llama"
)

// cgoCFlags is set by the Makefile (-ldflags -X), since a -trimpath build does not record the cgo flags.
var cgoCFlags string

// llamaCppModule is the module whose sources chimera compiles llama.cpp and ggml from.
const llamaCppModule = "github.com/ollama/ollama"

// Build identifies the chimera binary that produced a result: its own version and commit, the llama.cpp it
// embeds, how it was compiled, and the backends it found on this machine.
type Build struct {
	Version        string   `json:"version"` // the module version; "(devel)" for a build from a checkout
	Commit         string   `json:"commit"`  // the VCS revision, "+dirty" when the tree had changes
	CommitTime     string   `json:"commit_time,omitempty"`
	GoVersion      string   `json:"go_version"`
	LlamaCppCommit string   `json:"llama_cpp_commit"`
	LlamaCppModule string   `json:"llama_cpp_module"` // module path and version
	CgoCFlags      string   `json:"cgo_cflags"`       // as the Makefile passed them; empty for a build by hand
	March          string   `json:"march"`
	CompiledFor    []string `json:"compiled_for"` // the extensions the C code was compiled with (llama.CompiledFor)
	BuiltIn        []string `json:"backends_built_in"`
	Found          []string `json:"backends_found"` // backends with a device here, once llama is initialised
}

var marchFlag = regexp.MustCompile(`-march=(\S+)`)

// CurrentBuild describes the running binary.
func CurrentBuild() Build {
	b := Build{LlamaCppCommit: llama.LlamaCppCommit(), CgoCFlags: cgoCFlags, CompiledFor: llama.CompiledFor(),
		BuiltIn: []string{"CPU"}, Found: backendsFound()}
	if m := marchFlag.FindStringSubmatch(cgoCFlags); m != nil {
		b.March = m[1]
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Version, b.GoVersion = info.Main.Version, info.GoVersion
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	b.Commit, b.CommitTime = settings["vcs.revision"], settings["vcs.time"]
	if settings["vcs.modified"] == "true" {
		b.Commit += "+dirty"
	}
	for _, dep := range info.Deps {
		if dep.Path == llamaCppModule {
			b.LlamaCppModule = dep.Path + " " + dep.Version
		}
	}
	return b
}

func backendsFound() []string {
	var found []string
	for _, d := range llama.Devices() {
		if !slices.Contains(found, d.Backend) {
			found = append(found, d.Backend)
		}
	}
	return found
}

// GPUs describes the devices llama.cpp offloads to on this machine, as runs record them: each one's name,
// description, memory and, where the backend tells it (Vulkan), its driver; "; " between them.
func GPUs() string {
	var gpus []string
	for _, d := range llama.Devices() {
		if d.Type != "gpu" && d.Type != "igpu" {
			continue
		}
		gpu := fmt.Sprintf("%s %s (%.1f GiB)", d.Name, d.Description, float64(d.TotalBytes)/(1<<30))
		if d.Driver != "" {
			gpu += ", driver " + d.Driver
		}
		if d.ComputeCapability != "" {
			gpu += ", compute " + d.ComputeCapability
		}
		gpus = append(gpus, gpu)
	}
	return strings.Join(gpus, "; ")
}

// String is the build in one line, as runs record it.
func (b Build) String() string {
	return fmt.Sprintf("chimera %s (commit %s, %s), llama.cpp %s from %s, cgo flags %q (march %s, compiled for %s), "+
		"backends built in %s, found %s", b.Version, orNone(b.Commit), b.GoVersion, b.LlamaCppCommit, orNone(b.LlamaCppModule),
		b.CgoCFlags, orNone(b.March), orNone(strings.Join(b.CompiledFor, ",")), strings.Join(b.BuiltIn, ","),
		orNone(strings.Join(b.Found, ",")))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
