package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/llama"
	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
	"chimera/store"
)

// initEngine loads the backends and llama.cpp once, reporting every backend library that failed to load.
func initEngine(c *cli.Context) {
	g := readGlobals(c)
	libDirs := g.LibDirs
	if len(libDirs) == 0 {
		libDirs = llama.DefaultLibDirs()
	}
	opts := llama.Options{LibDirs: libDirs, Log: os.Stderr, LogLevel: llama.LogError}
	if g.Verbose {
		opts.LogLevel = llama.LogInfo
	}
	for _, load := range llama.Init(opts) {
		if !load.Loaded || g.Verbose {
			fmt.Fprintln(os.Stderr, "chimera: backend", load)
		}
	}
	if g.Verbose {
		fmt.Fprintln(os.Stderr, "chimera: system info:", llama.SystemInfo())
	}
}

func modelSource(c *cli.Context) engine.ModelSource {
	g := readGlobals(c)
	return engine.ModelSource{
		CacheDir:     g.CacheDir,
		TokenizerDir: g.Tokenizer,
		OllamaDir:    g.OllamaDir,
		Progress:     func(msg string) { fmt.Fprintln(os.Stderr, "chimera:", msg) },
	}
}

func openStore(c *cli.Context) (*store.DB, error) {
	return store.Open(readGlobals(c).DB)
}

const defaultModel = "synthetic:270m-q8_0"

func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: defaultModel,
		Usage: "model: a GGUF path, an Ollama tag (gemma3:1b) or synthetic:<tiny|270m|1b>-<f32|f16|q8_0|q4_0>"}
}

// target is the model every measuring command is given, and how the run is logged.
func target(c *cli.Context) workflows.Target {
	return workflows.Target{ModelRef: c.String("model"), Source: modelSource(c), CommandLine: strings.Join(os.Args, " "), Log: os.Stderr}
}
