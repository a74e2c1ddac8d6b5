package main

import (
	"fmt"
	"os"
	"strconv"
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

// flagDefault widens a float32 setting to the float64 with the same shortest decimal form, so that help shows 0.8
// rather than 0.800000011920929.
func flagDefault(f float32) float64 {
	v, err := strconv.ParseFloat(engine.Decimal(f), 64)
	if err != nil {
		panic(err) // Decimal prints a finite float32, which always parses
	}
	return v
}

// configFlags declares the settings of one LLM configuration, with chimera's defaults.
func configFlags() []cli.Flag {
	d := engine.DefaultConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "num-gpu", Value: "all", Usage: "layers to offload to the GPU: a count or all"},
		&cli.IntFlag{Name: "num-ctx", Value: d.Context.NumCtx, Usage: "context window in tokens"},
		&cli.IntFlag{Name: "batch", Value: d.Context.Batch, Usage: "logical batch size for prompt processing"},
		&cli.IntFlag{Name: "ubatch", Value: d.Context.UBatch, Usage: "physical micro-batch size"},
		&cli.IntFlag{Name: "threads", Usage: "generation threads (0 = all cores)"},
		&cli.IntFlag{Name: "threads-batch", Usage: "prompt-processing threads (0 = --threads)"},
		&cli.StringFlag{Name: "flash-attn", Value: d.Context.FlashAttn, Usage: "flash attention: auto, on, off"},
		&cli.StringFlag{Name: "cache-type", Value: d.Context.CacheTypeK, Usage: "KV cache type of keys and values: " + strings.Join(llama.CacheTypes(), ", ")},
		&cli.StringFlag{Name: "cache-type-k", Usage: "KV cache type of the keys", DefaultText: "--cache-type"},
		&cli.StringFlag{Name: "cache-type-v", Usage: "KV cache type of the values", DefaultText: "--cache-type"},
		&cli.Float64Flag{Name: "temp", Value: flagDefault(d.Sampling.Temperature), Usage: "temperature (0 = greedy)"},
		&cli.Float64Flag{Name: "top-p", Value: flagDefault(d.Sampling.TopP), Usage: "top-p"},
		&cli.IntFlag{Name: "top-k", Value: d.Sampling.TopK, Usage: "top-k (0 = off)"},
		&cli.Float64Flag{Name: "min-p", Value: flagDefault(d.Sampling.MinP), Usage: "min-p (0 = off)"},
		&cli.Float64Flag{Name: "repeat-penalty", Value: flagDefault(d.Sampling.RepeatPenalty), Usage: "repeat penalty (1 = off)"},
		&cli.IntFlag{Name: "repeat-last-n", Value: d.Sampling.RepeatLastN, Usage: "tokens the repeat penalty looks back"},
		&cli.UintFlag{Name: "seed", Value: uint(d.Sampling.Seed), Usage: "sampling seed"},
		&cli.IntFlag{Name: "num-predict", Value: d.NumPredict, Usage: "most tokens to generate per call (0 = until the model stops)"},
		&cli.BoolFlag{Name: "no-mmap", Usage: "read the model into memory instead of mapping it"},
		&cli.BoolFlag{Name: "no-prefix-cache", Usage: "evaluate every prompt in full instead of reusing the KV cache of a shared prefix"},
		&cli.BoolFlag{Name: "fit", Usage: "lower num_gpu to the largest offload that fits free GPU memory"},
	}
}

// sideFlags are the settings of compare and multi: the plain flags set every side, and each side's --PREFIX-X,
// grouped by side in the help, overrides X for that side alone.
func sideFlags(sides ...side) []cli.Flag {
	flags := configFlags() // uncategorized, so the help lists them first
	for _, s := range sides {
		for _, f := range configFlags() {
			flags = append(flags, overrideFlag(f, s))
		}
	}
	return flags
}

// side is one configuration of compare or multi: its flags are --PREFIX-X.
type side struct{ prefix, name string }

// overrideFlag is f renamed for one side, without a default of its own: unset, the plain flag's value applies.
func overrideFlag(f cli.Flag, s side) cli.Flag {
	name, category, plain := s.prefix+f.Names()[0], s.name+" overrides", "--"+f.Names()[0]
	usage := s.name + ": " + f.(cli.DocGenerationFlag).GetUsage()
	switch f.(type) {
	case *cli.StringFlag:
		return &cli.StringFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	case *cli.IntFlag:
		return &cli.IntFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	case *cli.UintFlag:
		return &cli.UintFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	case *cli.Float64Flag:
		return &cli.Float64Flag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	case *cli.BoolFlag:
		return &cli.BoolFlag{Name: name, Usage: usage, Category: category, DefaultText: plain}
	}
	panic(fmt.Sprintf("no override for flag type %T", f))
}

// settings reads one configuration: every setting from --PREFIX-X where that was given, else from --X. With an
// empty prefix it reads the plain flags.
type settings struct {
	c      *cli.Context
	prefix string
}

func (s settings) name(setting string) string {
	if s.prefix != "" && s.c.IsSet(s.prefix+setting) {
		return s.prefix + setting
	}
	return setting
}

func (s settings) String(setting string) string   { return s.c.String(s.name(setting)) }
func (s settings) Int(setting string) int         { return s.c.Int(s.name(setting)) }
func (s settings) Uint(setting string) uint       { return s.c.Uint(s.name(setting)) }
func (s settings) Float64(setting string) float64 { return s.c.Float64(s.name(setting)) }
func (s settings) Bool(setting string) bool       { return s.c.Bool(s.name(setting)) }

// cacheTypes are the key and value cache types: --cache-type-k and --cache-type-v where given, else --cache-type.
func (s settings) cacheTypes() (k, v string) {
	k, v = s.String("cache-type-k"), s.String("cache-type-v")
	both := s.String("cache-type")
	if k == "" {
		k = both
	}
	if v == "" {
		v = both
	}
	return k, v
}

func readConfig(c *cli.Context, prefix string) (engine.Config, error) {
	s := settings{c, prefix}
	numGPU, err := parseNumGPU(s.String("num-gpu"))
	if err != nil {
		return engine.Config{}, err
	}
	cfg, err := readNonAxisConfig(s)
	if err != nil {
		return engine.Config{}, err
	}
	cfg.NumGPU = numGPU
	cfg.Context.NumCtx = s.Int("num-ctx")
	cfg.Context.CacheTypeK, cfg.Context.CacheTypeV = s.cacheTypes()
	cfg.Sampling.Temperature = float32(s.Float64("temp"))
	cfg.Sampling.TopP = float32(s.Float64("top-p"))
	cfg.Sampling.TopK = s.Int("top-k")
	cfg.Sampling.RepeatPenalty = float32(s.Float64("repeat-penalty"))
	return cfg, engine.Invalid(cfg.Validate())
}

// readNonAxisConfig reads every setting but num_gpu, num_ctx, the cache types and the sampling settings `chimera
// sweep` varies; the sweep sets the context's other axes per cell too.
func readNonAxisConfig(s settings) (engine.Config, error) {
	seed := s.Uint("seed")
	if seed > llama.MaxSeed {
		return engine.Config{}, engine.Invalid(fmt.Errorf("--%s must be 0 to %d (%d is llama.cpp's random seed), got %d",
			s.name("seed"), llama.MaxSeed, llama.RandomSeed, seed))
	}
	return engine.Config{
		Fit:     s.Bool("fit"),
		UseMmap: !s.Bool("no-mmap"),
		Context: llama.ContextParams{
			Batch: s.Int("batch"), UBatch: s.Int("ubatch"), Threads: s.Int("threads"), ThreadsBatch: s.Int("threads-batch"),
			FlashAttn: s.String("flash-attn"), ReusePrefix: !s.Bool("no-prefix-cache"),
		},
		Sampling:   llama.Sampling{MinP: float32(s.Float64("min-p")), RepeatLastN: s.Int("repeat-last-n"), Seed: uint32(seed)},
		NumPredict: s.Int("num-predict"),
	}, nil
}

// target is the model every measuring command is given, and how the run is logged.
func target(c *cli.Context) workflows.Target {
	return workflows.Target{ModelRef: c.String("model"), Source: modelSource(c), CommandLine: strings.Join(os.Args, " "), Log: os.Stderr}
}
