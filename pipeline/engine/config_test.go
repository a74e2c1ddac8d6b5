package engine

import (
	"errors"
	"fmt"
	"testing"

	"chimera/models"
	"chimera/pipeline/runner"
	"chimera/store"
)

func TestEffectiveNumGPU(t *testing.T) {
	for _, c := range []struct {
		numGPU, blocks int
		hasGPU         bool
		want           int
	}{
		{AllLayers, 26, true, 27}, {30, 26, true, 27}, {27, 26, true, 27}, {10, 26, true, 10}, {0, 26, true, 0},
		{AllLayers, 26, false, 0}, {10, 26, false, 0},
	} {
		if got := EffectiveNumGPU(c.numGPU, c.blocks, c.hasGPU); got != c.want {
			t.Errorf("EffectiveNumGPU(%d, %d, gpu %v) = %d, want %d", c.numGPU, c.blocks, c.hasGPU, got, c.want)
		}
	}
}

func TestDescribePrintsDecimalsAsTyped(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Sampling.Temperature, cfg.Sampling.TopP = 0.8, 0.95
	want := "num_gpu=all, num_ctx=4096, temperature=0.8, top_p=0.95, top_k=40, repeat_penalty=1.1"
	if got := cfg.Describe(); got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
}

func TestValidateRejectsBadSettings(t *testing.T) {
	for name, change := range map[string]func(*Config){
		"num_gpu -2":     func(c *Config) { c.NumGPU = -2 },
		"num_predict -1": func(c *Config) { c.NumPredict = -1 },
		"num_ctx 0":      func(c *Config) { c.Context.NumCtx = 0 },
		"top_p 2":        func(c *Config) { c.Sampling.TopP = 2 },
	} {
		cfg := DefaultConfig()
		change(&cfg)
		if cfg.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the defaults: %v", err)
	}
}

func TestInputErrorsAreTheUsersNotChimeras(t *testing.T) {
	for _, err := range []error{
		Invalid(errors.New("bad flag")),
		fmt.Errorf("wrapped: %w", Invalid(errors.New("bad flag"))),
		&models.Error{Path: "x.gguf", Problem: "not a GGUF file"},
		&runner.PromptTooLongError{},
		fmt.Errorf("run 7: %w", store.ErrNotFound),
	} {
		if !IsInputError(err) {
			t.Errorf("%v: not an input error", err)
		}
	}
	for _, err := range []error{nil, errors.New("disk full"), Invalid(nil)} {
		if IsInputError(err) {
			t.Errorf("%v: an input error", err)
		}
	}
}
