package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestComparePrintsTheReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	got := chimera(t, nil, "--db", db, "compare", "-m", tinyModel, "--runs", "2", "--data", "pipeline/artifacts/testdata/artifacts",
		"--out", t.TempDir(), "--baseline-num-ctx", "1024", "--chimera-num-ctx", "2048", "--baseline-threads", "1",
		"--chimera-threads", "1", "--baseline-num-predict", "4", "--chimera-num-predict", "4")
	if got.status != 0 {
		t.Fatalf("status %d: %s", got.status, got.stderr)
	}
	for _, want := range []string{"Δ = chimera − baseline", "## Conclusion", "comparison.md", "comparison.json"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, got.stdout)
		}
	}
}

func TestCompareAndMultiRefuseBadInput(t *testing.T) {
	cases := map[string][]string{
		"no runs":             {"compare", "-m", tinyModel, "--runs", "0"},
		"bad chimera setting": {"compare", "-m", tinyModel, "--chimera-top-p", "3"},
		"unknown scenario":    {"multi", "-m", tinyModel, "trio"},
		"two scenarios":       {"multi", "-m", tinyModel, "chimera-homo", "chimera-hetero"},
		"unused settings":     {"multi", "-m", tinyModel, "--chimera2-num-ctx", "2048", "chimera-homo"},
	}
	db := "CHIMERA_DB=" + filepath.Join(t.TempDir(), "chimera.db")
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			got := chimera(t, []string{db}, args...)
			lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
			if got.status != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "chimera: ") {
				t.Errorf("status %d, stderr %q: want status 2 and one line", got.status, got.stderr)
			}
		})
	}
}
