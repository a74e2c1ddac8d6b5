package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The build a result came from can be told: --version and version --json name the llama.cpp commit and the
// module it came from, and every run records the same line.
func TestVersionNamesTheBuildAndEveryRunRecordsIt(t *testing.T) {
	var build struct {
		LlamaCppCommit string   `json:"llama_cpp_commit"`
		LlamaCppModule string   `json:"llama_cpp_module"`
		GoVersion      string   `json:"go_version"`
		Found          []string `json:"backends_found"`
	}
	got := chimera(t, nil, "version", "--json")
	if err := json.Unmarshal([]byte(got.stdout), &build); err != nil || got.status != 0 {
		t.Fatalf("status %d, %v in %q", got.status, err, got.stdout)
	}
	if build.LlamaCppCommit == "" || build.LlamaCppCommit == "unknown" || !strings.HasPrefix(build.LlamaCppModule, "github.com/ollama/ollama v") ||
		!strings.HasPrefix(build.GoVersion, "go") || len(build.Found) == 0 {
		t.Errorf("version --json: %+v", build)
	}
	line := chimera(t, nil, "--version")
	if line.status != 0 || !strings.Contains(line.stdout, "llama.cpp "+build.LlamaCppCommit+" from "+build.LlamaCppModule) {
		t.Errorf("--version: status %d, %q", line.status, line.stdout)
	}
	db := filepath.Join(t.TempDir(), "chimera.db")
	var run struct {
		RunID int64 `json:"run_id"`
	}
	generated := chimera(t, nil, "generate", "--db", db, "-m", tinyModel, "--prompt", "hi", "--num-predict", "2", "--threads", "1", "--json")
	if err := json.Unmarshal([]byte(generated.stdout), &run); err != nil {
		t.Fatalf("%v in %q", err, generated.stdout)
	}
	var shown struct {
		BuildInfo string `json:"build_info"`
	}
	out := chimera(t, nil, "runs", "show", strconv.FormatInt(run.RunID, 10), "--db", db)
	if err := json.Unmarshal([]byte(out.stdout), &shown); err != nil || strings.TrimSpace(shown.BuildInfo) != strings.TrimSpace(line.stdout) {
		t.Errorf("recorded build %q (%v), want the --version line %q", shown.BuildInfo, err, line.stdout)
	}
}
