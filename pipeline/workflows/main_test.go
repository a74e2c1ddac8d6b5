package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/engine"
)

// tinyModel is the tiny synthetic gemma3 every engine test in this package shares: written once, loaded per test.
var tinyModel string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chimera-pipeline-test-")
	if err != nil {
		panic(err)
	}
	tinyModel = filepath.Join(dir, "tiny-f32.gguf")
	if err := models.WriteSynthetic(tinyModel, models.SyntheticSpec{Shape: "tiny", Type: "f32", Seed: 1}); err != nil {
		panic(err)
	}
	llama.Init(llama.Options{})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tinyConfig is a configuration that keeps engine tests fast: one thread, a small context, short answers.
func tinyConfig() engine.Config {
	cfg := engine.DefaultConfig()
	cfg.Context.NumCtx = 2048
	cfg.Context.Threads = 1
	cfg.NumPredict = 8
	return cfg
}

// testArtifacts are the artifact files the agent workflows' tests analyse, the artifacts package's own.
const testArtifacts = "../artifacts/testdata/artifacts"

func testData() Data { return Data{DataDirs: []string{testArtifacts}} }
