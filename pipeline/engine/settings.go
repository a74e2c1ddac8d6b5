package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"chimera/llama"
	"chimera/pipeline/generation"
	"chimera/store"
)

// Scope is what a setting shapes, and so which commands can vary it: bench and tune vary load and context
// settings, a sweep also sampling ones.
type Scope string

const (
	ScopeLoad       Scope = "load"       // how the model is loaded: each value is a load of its own
	ScopeContext    Scope = "context"    // the llama.cpp context the tokens are evaluated in
	ScopeSampling   Scope = "sampling"   // how the next token is drawn
	ScopeGeneration Scope = "generation" // how much is generated, and what is kept between calls
)

// Kind is how a setting's value is written on the command line.
type Kind string

const (
	KindCount  Kind = "count"  // a whole number; lists take llama-bench's ranges, 0-32+8
	KindLayers Kind = "layers" // a layer count or all (-1)
	KindNumber Kind = "number" // a decimal number
	KindChoice Kind = "choice" // one of Choices
	KindSwitch Kind = "switch" // a flag that is set or not
	KindParts  Kind = "parts"  // parts joined by "/": a tensor split 3/1, devices CUDA0/CUDA1
)

// Setting is one row of the table every command's flags, Config, axes, reports and JSON are derived from. Its
// value is always read and written as text, through the Config field it binds.
type Setting struct {
	Name    string   `json:"name"`              // snake_case: JSON fields, reports, axes and `runs diff` keys
	Flag    string   `json:"flag"`              // --flag, on every command that takes the setting
	Aliases []string `json:"aliases,omitempty"` // llama-bench's spellings, so its command lines work
	Ollama  string   `json:"ollama,omitempty"`  // the name of the Ollama option it matches
	Scope   Scope    `json:"scope"`
	Kind    Kind     `json:"kind"`
	Axis    bool     `json:"axis"` // bench, sweep and tune may take a list of values
	Unit    string   `json:"unit,omitempty"`
	Help    string   `json:"help"`
	// Sets are the settings this one is shorthand for: --cache-type sets the keys' and the values' types.
	Sets    []string        `json:"sets,omitempty"`
	Choices func() []string `json:"-"`
	get     func(*Config) string
	set     func(*Config, string) error
}

// Settings is the table, in the order flags are listed and grids vary (the first axis slowest, as llama-bench).
var Settings = []*Setting{
	{Name: "num_gpu", Flag: "num-gpu", Aliases: []string{"ngl", "n-gpu-layers"}, Ollama: "num_gpu", Scope: ScopeLoad, Kind: KindLayers,
		Axis: true, Unit: "layers", Help: "layers to offload to the GPU: a count or all",
		get: func(c *Config) string { return NumGPULabel(c.NumGPU) }, set: setLayers(func(c *Config) *int { return &c.NumGPU })},
	{Name: "split_mode", Flag: "split-mode", Aliases: []string{"sm"}, Scope: ScopeLoad, Kind: KindChoice, Axis: true,
		Help: "how layers spread over several GPUs: none (the main GPU only), layer or row", Choices: func() []string { return SplitModes },
		get: text(func(c *Config) *string { return &c.SplitMode }), set: setChoice(func(c *Config) *string { return &c.SplitMode })},
	{Name: "main_gpu", Flag: "main-gpu", Aliases: []string{"mg"}, Ollama: "main_gpu", Scope: ScopeLoad, Kind: KindCount, Axis: true,
		Help: "the GPU, by index among those used, that holds the model with split mode none",
		get:  count(func(c *Config) *int { return &c.MainGPU }), set: setCount(func(c *Config) *int { return &c.MainGPU })},
	{Name: "tensor_split", Flag: "tensor-split", Aliases: []string{"ts"}, Scope: ScopeLoad, Kind: KindParts, Axis: true,
		Help: "the share of the model each GPU holds, such as 3/1, or auto: by free memory",
		get:  parts(func(c *Config) *string { return &c.TensorSplit }), set: setParts(func(c *Config) *string { return &c.TensorSplit })},
	{Name: "devices", Flag: "device", Aliases: []string{"dev"}, Scope: ScopeLoad, Kind: KindParts, Axis: true,
		Help: "the GPUs to offload to, such as CUDA0/CUDA1, none, or auto: every GPU found",
		get:  parts(func(c *Config) *string { return &c.Devices }), set: setParts(func(c *Config) *string { return &c.Devices })},
	{Name: "use_mmap", Flag: "no-mmap", Ollama: "use_mmap", Scope: ScopeLoad, Kind: KindSwitch,
		Help: "read the model into memory instead of mapping it",
		get:  switchOff(func(c *Config) *bool { return &c.UseMmap }), set: setSwitchOff(func(c *Config) *bool { return &c.UseMmap })},
	{Name: "fit", Flag: "fit", Scope: ScopeLoad, Kind: KindSwitch, Help: "lower num_gpu to the largest offload that fits free GPU memory",
		get: switchOn(func(c *Config) *bool { return &c.Fit }), set: setSwitchOn(func(c *Config) *bool { return &c.Fit })},
	{Name: "fit_target", Flag: "fit-target", Aliases: []string{"fitt"}, Scope: ScopeLoad, Kind: KindCount, Unit: "MiB",
		Help: "device memory --fit leaves free on each GPU it offloads to",
		get:  count(func(c *Config) *int { return &c.FitTarget }), set: setCount(func(c *Config) *int { return &c.FitTarget })},
	{Name: "num_ctx", Flag: "num-ctx", Ollama: "num_ctx", Scope: ScopeContext, Kind: KindCount, Axis: true, Unit: "tokens",
		Help: "context window", get: count(func(c *Config) *int { return &c.Context.NumCtx }), set: setCount(func(c *Config) *int { return &c.Context.NumCtx })},
	{Name: "batch", Flag: "batch", Aliases: []string{"b", "batch-size"}, Ollama: "num_batch", Scope: ScopeContext, Kind: KindCount, Axis: true,
		Unit: "tokens", Help: "logical batch size for prompt processing",
		get: count(func(c *Config) *int { return &c.Context.Batch }), set: setCount(func(c *Config) *int { return &c.Context.Batch })},
	{Name: "ubatch", Flag: "ubatch", Aliases: []string{"ub", "ubatch-size"}, Scope: ScopeContext, Kind: KindCount, Axis: true, Unit: "tokens",
		Help: "physical micro-batch size (at most the batch)",
		get:  count(func(c *Config) *int { return &c.Context.UBatch }), set: setCount(func(c *Config) *int { return &c.Context.UBatch })},
	{Name: "threads", Flag: "threads", Aliases: []string{"t"}, Ollama: "num_thread", Scope: ScopeContext, Kind: KindCount, Axis: true,
		Help: "generation threads (0 = all cores)",
		get:  count(func(c *Config) *int { return &c.Context.Threads }), set: setCount(func(c *Config) *int { return &c.Context.Threads })},
	{Name: "threads_batch", Flag: "threads-batch", Aliases: []string{"tb"}, Scope: ScopeContext, Kind: KindCount, Axis: true,
		Help: "prompt-processing threads (0 = --threads)",
		get:  count(func(c *Config) *int { return &c.Context.ThreadsBatch }), set: setCount(func(c *Config) *int { return &c.Context.ThreadsBatch })},
	{Name: "flash_attn", Flag: "flash-attn", Aliases: []string{"fa"}, Scope: ScopeContext, Kind: KindChoice, Axis: true,
		Help: "flash attention: auto, on or off", Choices: func() []string { return []string{"auto", "on", "off"} },
		get: text(func(c *Config) *string { return &c.Context.FlashAttn }), set: setChoice(func(c *Config) *string { return &c.Context.FlashAttn })},
	{Name: "op_offload", Flag: "op-offload", Scope: ScopeContext, Kind: KindChoice, Axis: true,
		Help:    "on: llama.cpp offloads a batch's matrix work to the GPU also for the layers on the CPU; off: num_gpu 0 is the CPU alone",
		Choices: func() []string { return []string{"on", "off"} }, get: onOff(func(c *Config) *bool { return &c.Context.NoOpOffload }),
		set: setOnOff(func(c *Config) *bool { return &c.Context.NoOpOffload })},
	{Name: "cache_type", Flag: "cache-type", Scope: ScopeContext, Kind: KindChoice, Axis: true, Sets: []string{"cache_type_k", "cache_type_v"},
		Help: "KV cache type of keys and values", Choices: llama.CacheTypes,
		get: text(func(c *Config) *string { return &c.Context.CacheTypeK }), set: setCacheTypes},
	{Name: "cache_type_k", Flag: "cache-type-k", Aliases: []string{"ctk"}, Scope: ScopeContext, Kind: KindChoice, Axis: true,
		Help: "KV cache type of the keys (default --cache-type)", Choices: llama.CacheTypes,
		get: text(func(c *Config) *string { return &c.Context.CacheTypeK }), set: setChoice(func(c *Config) *string { return &c.Context.CacheTypeK })},
	{Name: "cache_type_v", Flag: "cache-type-v", Aliases: []string{"ctv"}, Scope: ScopeContext, Kind: KindChoice, Axis: true,
		Help: "KV cache type of the values (default --cache-type)", Choices: llama.CacheTypes,
		get: text(func(c *Config) *string { return &c.Context.CacheTypeV }), set: setChoice(func(c *Config) *string { return &c.Context.CacheTypeV })},
	{Name: "temperature", Flag: "temp", Ollama: "temperature", Scope: ScopeSampling, Kind: KindNumber, Axis: true, Help: "temperature (0 = greedy)",
		get: number(func(c *Config) *float32 { return &c.Sampling.Temperature }), set: setNumber(func(c *Config) *float32 { return &c.Sampling.Temperature })},
	{Name: "top_p", Flag: "top-p", Ollama: "top_p", Scope: ScopeSampling, Kind: KindNumber, Axis: true, Help: "top-p (1 = off)",
		get: number(func(c *Config) *float32 { return &c.Sampling.TopP }), set: setNumber(func(c *Config) *float32 { return &c.Sampling.TopP })},
	{Name: "top_k", Flag: "top-k", Ollama: "top_k", Scope: ScopeSampling, Kind: KindCount, Axis: true, Help: "top-k (0 = off)",
		get: count(func(c *Config) *int { return &c.Sampling.TopK }), set: setCount(func(c *Config) *int { return &c.Sampling.TopK })},
	{Name: "min_p", Flag: "min-p", Ollama: "min_p", Scope: ScopeSampling, Kind: KindNumber, Axis: true, Help: "min-p (0 = off)",
		get: number(func(c *Config) *float32 { return &c.Sampling.MinP }), set: setNumber(func(c *Config) *float32 { return &c.Sampling.MinP })},
	{Name: "repeat_penalty", Flag: "repeat-penalty", Ollama: "repeat_penalty", Scope: ScopeSampling, Kind: KindNumber, Axis: true,
		Help: "repeat penalty (1 = off)", get: number(func(c *Config) *float32 { return &c.Sampling.RepeatPenalty }),
		set: setNumber(func(c *Config) *float32 { return &c.Sampling.RepeatPenalty })},
	{Name: "repeat_last_n", Flag: "repeat-last-n", Ollama: "repeat_last_n", Scope: ScopeSampling, Kind: KindCount, Axis: true, Unit: "tokens",
		Help: "tokens the repeat penalty looks back", get: count(func(c *Config) *int { return &c.Sampling.RepeatLastN }),
		set: setCount(func(c *Config) *int { return &c.Sampling.RepeatLastN })},
	{Name: "seed", Flag: "seed", Ollama: "seed", Scope: ScopeSampling, Kind: KindCount,
		Help: fmt.Sprintf("sampling seed (0 to %d)", generation.MaxSeed), get: func(c *Config) string { return strconv.FormatUint(uint64(c.Sampling.Seed), 10) },
		set: setSeed},
	{Name: "num_predict", Flag: "num-predict", Ollama: "num_predict", Scope: ScopeGeneration, Kind: KindCount, Unit: "tokens",
		Help: "most tokens to generate per call (0 = until the model stops)",
		get:  count(func(c *Config) *int { return &c.NumPredict }), set: setCount(func(c *Config) *int { return &c.NumPredict })},
	{Name: "reuse_prefix", Flag: "no-prefix-cache", Scope: ScopeGeneration, Kind: KindSwitch,
		Help: "evaluate every prompt in full instead of reusing the KV cache of a shared prefix",
		get:  switchOff(func(c *Config) *bool { return &c.Context.ReusePrefix }), set: setSwitchOff(func(c *Config) *bool { return &c.Context.ReusePrefix })},
}

// SettingNamed finds a setting by its name, its flag or one of its aliases; nil when there is none.
func SettingNamed(name string) *Setting {
	for _, s := range Settings {
		if s.Name == name || s.Flag == name || slices.Contains(s.Aliases, name) {
			return s
		}
	}
	return nil
}

// Get is the setting's value in c, as it is written on the command line.
func (s *Setting) Get(c Config) string { return s.get(&c) }

// Set reads value into c. It checks the value's form (a count, a number, one of the choices); Config.Validate
// checks ranges and how settings go together.
func (s *Setting) Set(c *Config, value string) error {
	value = strings.TrimSpace(value)
	if s.Choices != nil && !slices.Contains(s.Choices(), strings.ToLower(value)) {
		return Invalid(fmt.Errorf("--%s must be one of %s, got %q", s.Flag, strings.Join(s.Choices(), ", "), value))
	}
	if err := s.set(c, value); err != nil {
		return Invalid(fmt.Errorf("--%s: %w", s.Flag, err))
	}
	return nil
}

// Default is the value chimera uses when the setting is not given.
func (s *Setting) Default() string { return s.Get(DefaultConfig()) }

// Describe names a configuration by the settings given, in their order: "num_gpu=all batch=512".
func Describe(c Config, settings []*Setting) string {
	parts := make([]string, len(settings))
	for i, s := range settings {
		parts[i] = s.Name + "=" + s.Get(c)
	}
	return strings.Join(parts, " ")
}

// BenchSettings are the settings that tell bench results apart, by name in the table's order: those a bench grid
// varies (the axes of load and context scope), a shorthand's parts rather than the shorthand.
func BenchSettings(c Config) store.Settings {
	var named store.Settings
	for _, s := range Settings {
		if s.Axis && s.Sets == nil && (s.Scope == ScopeLoad || s.Scope == ScopeContext) {
			named = append(named, store.Setting{Name: s.Name, Value: s.Get(c)})
		}
	}
	return named
}

// Flags are the command-line flags that reproduce c: every setting that differs from chimera's defaults, and those
// always named.
func Flags(c Config, always ...*Setting) string {
	var flags []string
	for _, s := range Settings {
		value := s.Get(c)
		switch {
		case s.Sets != nil:
		case s.Kind == KindSwitch && value == "true":
			flags = append(flags, "--"+s.Flag)
		case s.Kind != KindSwitch && (value != s.Default() || slices.Contains(always, s)):
			flags = append(flags, "--"+s.Flag+" "+value)
		}
	}
	return strings.Join(flags, " ")
}

func count(field func(*Config) *int) func(*Config) string {
	return func(c *Config) string { return strconv.Itoa(*field(c)) }
}

func number(field func(*Config) *float32) func(*Config) string {
	return func(c *Config) string { return Decimal(*field(c)) }
}

func text(field func(*Config) *string) func(*Config) string {
	return func(c *Config) string { return *field(c) }
}

// switchOn reads a switch that sets its field; switchOff one that clears it (--no-mmap clears UseMmap).
func switchOn(field func(*Config) *bool) func(*Config) string {
	return func(c *Config) string { return strconv.FormatBool(*field(c)) }
}

func switchOff(field func(*Config) *bool) func(*Config) string {
	return func(c *Config) string { return strconv.FormatBool(!*field(c)) }
}

func setCount(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a count", v)
		}
		*field(c) = n
		return nil
	}
}

func setLayers(field func(*Config) *int) func(*Config, string) error {
	setCount := setCount(field)
	return func(c *Config, v string) error {
		if strings.EqualFold(v, "all") || v == "-1" {
			*field(c) = AllLayers
			return nil
		}
		if setCount(c, v) != nil {
			return fmt.Errorf("%q is not a layer count or all", v)
		}
		return nil
	}
}

func setNumber(field func(*Config) *float32) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 32)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not a number", v)
		}
		*field(c) = float32(f)
		return nil
	}
}

func setChoice(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = strings.ToLower(v)
		return nil // Validate names the choices
	}
}

// autoParts is how parts left to llama.cpp are written: their field is empty.
const autoParts = "auto"

func parts(field func(*Config) *string) func(*Config) string {
	return func(c *Config) string { return cmp.Or(*field(c), autoParts) }
}

func setParts(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if strings.EqualFold(v, autoParts) {
			v = ""
		}
		*field(c) = v
		return nil // Validate reads the parts
	}
}

func setSwitchOn(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		on, err := strconv.ParseBool(v)
		*field(c) = on
		return err
	}
}

func setSwitchOff(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		on, err := strconv.ParseBool(v)
		*field(c) = !on
		return err
	}
}

// onOff writes a setting stored as its negation, NoOpOffload, as on or off.
func onOff(off func(*Config) *bool) func(*Config) string {
	return func(c *Config) string {
		if *off(c) {
			return "off"
		}
		return "on"
	}
}

func setOnOff(off func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		*off(c) = strings.EqualFold(v, "off")
		return nil // Set checked the choice
	}
}

func setCacheTypes(c *Config, v string) error {
	c.Context.CacheTypeK, c.Context.CacheTypeV = strings.ToLower(v), strings.ToLower(v)
	return nil
}

func setSeed(c *Config, v string) error {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > generation.MaxSeed {
		return fmt.Errorf("must be 0 to %d (%d is llama.cpp's random seed), got %q", generation.MaxSeed, generation.RandomSeed, v)
	}
	c.Sampling.Seed = uint32(n)
	return nil
}
