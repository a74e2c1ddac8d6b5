package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"chimera/llama"
	"chimera/models"
	"chimera/pipeline/engine"
	"chimera/pipeline/workflows"
	"chimera/store"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print llama.cpp's system info and log"},
		&cli.StringSliceFlag{Name: "lib-dir", EnvVars: []string{"CHIMERA_LIB_DIR"}, Usage: "directory of ggml backend libraries (default <exe>/../lib/chimera)"},
		&cli.StringFlag{Name: "cache-dir", EnvVars: []string{"CHIMERA_CACHE_DIR"}, Usage: "synthetic model and tokenizer cache (default ~/.cache/chimera)"},
		&cli.StringFlag{Name: "tokenizer", EnvVars: []string{"CHIMERA_TOKENIZER_DIR"}, Usage: "directory with the gemma3 tokenizer.json and tokenizer_config.json (default <cache>/tokenizer/gemma3)"},
		&cli.StringFlag{Name: "ollama-models", EnvVars: []string{"OLLAMA_MODELS"}, Usage: "Ollama model store for tags such as gemma3:1b (default ~/.ollama/models)"},
		&cli.StringFlag{Name: "db", EnvVars: []string{"CHIMERA_DB"}, Usage: "SQLite database (default <cache>/chimera.db)"},
	}
}

func setUp(c *cli.Context) error {
	defaults := []struct {
		flag  string
		value func() string
	}{
		{"cache-dir", models.DefaultCacheDir},
		{"db", func() string { return filepath.Join(c.String("cache-dir"), "chimera.db") }},
		{"tokenizer", func() string { return models.DefaultTokenizerDir(c.String("cache-dir")) }},
	}
	for _, d := range defaults {
		if c.String(d.flag) != "" {
			continue
		}
		if err := c.Set(d.flag, d.value()); err != nil {
			return err
		}
	}
	return nil
}

// initEngine loads the backends and llama.cpp once, reporting every backend library that failed to load.
func initEngine(c *cli.Context) {
	libDirs := c.StringSlice("lib-dir")
	if len(libDirs) == 0 {
		libDirs = llama.DefaultLibDirs()
	}
	opts := llama.Options{LibDirs: libDirs, Log: os.Stderr, LogLevel: llama.LogError}
	if c.Bool("verbose") {
		opts.LogLevel = llama.LogInfo
	}
	for _, load := range llama.Init(opts) {
		if !load.Loaded || c.Bool("verbose") {
			fmt.Fprintln(os.Stderr, "chimera: backend", load)
		}
	}
	if c.Bool("verbose") {
		fmt.Fprintln(os.Stderr, "chimera: system info:", llama.SystemInfo())
	}
}

func modelSource(c *cli.Context) engine.ModelSource {
	return engine.ModelSource{
		CacheDir:     c.String("cache-dir"),
		TokenizerDir: c.String("tokenizer"),
		OllamaDir:    c.String("ollama-models"),
		Progress:     func(msg string) { fmt.Fprintln(os.Stderr, "chimera:", msg) },
	}
}

func openStore(c *cli.Context) (*store.DB, error) {
	return store.Open(c.String("db"))
}

const defaultModel = "synthetic:270m-q8_0"

func modelFlag() cli.Flag {
	return &cli.StringFlag{Name: "model", Aliases: []string{"m"}, Value: defaultModel,
		Usage: "model: a GGUF path, an Ollama tag (gemma3:1b) or synthetic:<tiny|270m|1b>-<f32|f16|q8_0|q4_0>"}
}

// flagDefault widens a float32 setting to the float64 with the same shortest decimal form, so that help shows 0.8
// rather than 0.800000011920929.
func flagDefault(f float32) float64 {
	v, err := strconv.ParseFloat(engine.Decimal(f), 64)
	if err != nil {
		panic(err) // Decimal prints a finite float32, which always parses
	}
	return v
}

// configFlags declares the settings of one LLM configuration; compare declares them twice with prefixes.
func configFlags(prefix, label string) []cli.Flag {
	d := engine.DefaultConfig()
	name := func(n string) string { return prefix + n }
	usage := func(u string) string { return strings.TrimSpace(label + " " + u) }
	return []cli.Flag{
		&cli.StringFlag{Name: name("num-gpu"), Value: "all", Usage: usage("layers to offload to the GPU: a count or all")},
		&cli.IntFlag{Name: name("num-ctx"), Value: d.Context.NumCtx, Usage: usage("context window in tokens")},
		&cli.IntFlag{Name: name("batch"), Value: d.Context.Batch, Usage: usage("logical batch size for prompt processing")},
		&cli.IntFlag{Name: name("ubatch"), Value: d.Context.UBatch, Usage: usage("physical micro-batch size")},
		&cli.IntFlag{Name: name("threads"), Usage: usage("generation threads (0 = all cores)")},
		&cli.IntFlag{Name: name("threads-batch"), Usage: usage("prompt-processing threads (0 = --threads)")},
		&cli.StringFlag{Name: name("flash-attn"), Value: d.Context.FlashAttn, Usage: usage("flash attention: auto, on, off")},
		&cli.StringFlag{Name: name("cache-type"), Value: d.Context.CacheType, Usage: usage("KV cache type: " + strings.Join(llama.CacheTypes(), ", "))},
		&cli.Float64Flag{Name: name("temp"), Value: flagDefault(d.Sampling.Temperature), Usage: usage("temperature (0 = greedy)")},
		&cli.Float64Flag{Name: name("top-p"), Value: flagDefault(d.Sampling.TopP), Usage: usage("top-p")},
		&cli.IntFlag{Name: name("top-k"), Value: d.Sampling.TopK, Usage: usage("top-k (0 = off)")},
		&cli.Float64Flag{Name: name("min-p"), Value: flagDefault(d.Sampling.MinP), Usage: usage("min-p (0 = off)")},
		&cli.Float64Flag{Name: name("repeat-penalty"), Value: flagDefault(d.Sampling.RepeatPenalty), Usage: usage("repeat penalty (1 = off)")},
		&cli.IntFlag{Name: name("repeat-last-n"), Value: d.Sampling.RepeatLastN, Usage: usage("tokens the repeat penalty looks back")},
		&cli.UintFlag{Name: name("seed"), Value: uint(d.Sampling.Seed), Usage: usage("sampling seed")},
		&cli.IntFlag{Name: name("num-predict"), Value: d.NumPredict, Usage: usage("most tokens to generate per call (0 = until the model stops)")},
		&cli.BoolFlag{Name: name("no-mmap"), Usage: usage("read the model into memory instead of mapping it")},
		&cli.BoolFlag{Name: name("no-prefix-cache"), Usage: usage("evaluate every prompt in full instead of reusing the KV cache of a shared prefix")},
		&cli.BoolFlag{Name: name("fit"), Usage: usage("lower num_gpu to the largest offload that fits free GPU memory")},
	}
}

func readConfig(c *cli.Context, prefix string) (engine.Config, error) {
	numGPU, err := parseNumGPU(c.String(prefix + "num-gpu"))
	if err != nil {
		return engine.Config{}, err
	}
	cfg, err := readNonAxisConfig(c, prefix)
	if err != nil {
		return engine.Config{}, err
	}
	cfg.NumGPU = numGPU
	cfg.Context.NumCtx = c.Int(prefix + "num-ctx")
	cfg.Sampling.Temperature = float32(c.Float64(prefix + "temp"))
	cfg.Sampling.TopP = float32(c.Float64(prefix + "top-p"))
	cfg.Sampling.TopK = c.Int(prefix + "top-k")
	cfg.Sampling.RepeatPenalty = float32(c.Float64(prefix + "repeat-penalty"))
	return cfg, engine.Invalid(cfg.Validate())
}

// readNonAxisConfig reads every setting but num_gpu, num_ctx and the sampling settings `chimera sweep` varies;
// the sweep sets the context's other axes per cell too.
func readNonAxisConfig(c *cli.Context, prefix string) (engine.Config, error) {
	seed := c.Uint(prefix + "seed")
	if seed > llama.MaxSeed {
		return engine.Config{}, engine.Invalid(fmt.Errorf("--%sseed must be 0 to %d (%d is llama.cpp's random seed), got %d",
			prefix, llama.MaxSeed, llama.RandomSeed, seed))
	}
	return engine.Config{
		Fit:     c.Bool(prefix + "fit"),
		UseMmap: !c.Bool(prefix + "no-mmap"),
		Context: llama.ContextParams{
			Batch: c.Int(prefix + "batch"), UBatch: c.Int(prefix + "ubatch"),
			Threads: c.Int(prefix + "threads"), ThreadsBatch: c.Int(prefix + "threads-batch"),
			FlashAttn: c.String(prefix + "flash-attn"), CacheType: c.String(prefix + "cache-type"),
			ReusePrefix: !c.Bool(prefix + "no-prefix-cache"),
		},
		Sampling: llama.Sampling{
			MinP: float32(c.Float64(prefix + "min-p")), RepeatLastN: c.Int(prefix + "repeat-last-n"),
			Seed: uint32(seed),
		},
		NumPredict: c.Int(prefix + "num-predict"),
	}, nil
}

// target is the model every measuring command is given, and how the run is logged.
func target(c *cli.Context) workflows.Target {
	return workflows.Target{ModelRef: c.String("model"), Source: modelSource(c), CommandLine: strings.Join(os.Args, " "), Log: os.Stderr}
}
