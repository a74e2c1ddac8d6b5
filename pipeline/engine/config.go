package engine

import (
	"fmt"
	"strconv"
	"strings"

	"chimera/pipeline/generation"
	"chimera/pipeline/runner"
)

// Config is everything that shapes an LLM call: where the layers go, the context, and sampling.
type Config struct {
	NumGPU int `json:"num_gpu"`
	// SplitMode, MainGPU, TensorSplit and Devices place the offloaded layers on several GPUs (llama-bench's -sm,
	// -mg, -ts and -dev). TensorSplit and Devices are written as on the command line, parts joined by "/", and
	// are empty for llama.cpp's choice: every GPU found, split by free memory.
	SplitMode   string `json:"split_mode"`
	MainGPU     int    `json:"main_gpu"`
	TensorSplit string `json:"tensor_split"`
	Devices     string `json:"devices"`
	// Fit lowers NumGPU to the largest offload whose device memory leaves FitTarget MiB free on each GPU it uses.
	Fit        bool                 `json:"fit"`
	FitTarget  int                  `json:"fit_target"`
	UseMmap    bool                 `json:"use_mmap"`
	Context    runner.ContextParams `json:"context"`
	Sampling   generation.Sampling  `json:"sampling"`
	NumPredict int                  `json:"num_predict"`
}

// AllLayers is the num_gpu value that offloads every layer.
const AllLayers = -1

// DefaultConfig offloads everything and uses chimera's context and sampling defaults.
func DefaultConfig() Config {
	return Config{NumGPU: AllLayers, SplitMode: "layer", FitTarget: 512, UseMmap: true, Context: runner.DefaultContextParams(),
		Sampling: generation.DefaultSampling(), NumPredict: 512}
}

// Validate checks every field before anything reaches llama.cpp.
func (c Config) Validate() error {
	if c.NumGPU < AllLayers {
		return fmt.Errorf("num_gpu must be -1 (all) or a layer count, got %d", c.NumGPU)
	}
	if c.FitTarget < 0 {
		return fmt.Errorf("fit_target must not be negative, got %d MiB", c.FitTarget)
	}
	if c.NumPredict < 0 {
		return fmt.Errorf("num_predict must not be negative, got %d", c.NumPredict)
	}
	if err := c.validatePlacement(); err != nil {
		return err
	}
	if err := c.Context.Validate(); err != nil {
		return err
	}
	return c.Sampling.Validate()
}

// headline are the settings a report names a configuration by.
var headline = []string{"num_gpu", "num_ctx", "temperature", "top_p", "top_k", "repeat_penalty"}

// Describe is the configuration in one line, its headline settings by their names, with clean decimals:
// num_gpu=…, num_ctx=…, temperature=…, top_p=…, top_k=…, repeat_penalty=….
func (c Config) Describe() string {
	parts := make([]string, len(headline))
	for i, name := range headline {
		s := SettingNamed(name)
		parts[i] = s.Name + "=" + s.Get(c)
	}
	return strings.Join(parts, ", ")
}

// NumGPULabel prints -1 as "all".
func NumGPULabel(n int) string {
	if n == AllLayers {
		return "all"
	}
	return strconv.Itoa(n)
}

// Decimal prints a float32 option the way it was typed: 0.8, not 0.800000011920929.
func Decimal(f float32) string { return strconv.FormatFloat(float64(f), 'g', -1, 32) }
