package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"chimera/pipeline/engine"
)

// configsOf parses args as compare's command line and returns its two configurations.
func configsOf(t *testing.T, args ...string) (baseline, chimera engine.Config) {
	t.Helper()
	app := newApp()
	findCommand(app.Commands, "compare").Action = func(c *cli.Context) (err error) {
		if baseline, err = readConfig(c, "baseline-"); err != nil {
			return err
		}
		chimera, err = readConfig(c, "chimera-")
		return err
	}
	if err := app.Run(arrangeArgs(app, append([]string{"chimera", "compare"}, args...))); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return baseline, chimera
}

// A plain flag sets both sides; a side's --baseline-X or --chimera-X overrides X for that side only, whichever
// order they come in; unset, a side has chimera's defaults.
func TestCompareFlagsSetBothSidesAndOverridesOneSide(t *testing.T) {
	b, c := configsOf(t, "--chimera-num-ctx", "2048", "--num-ctx", "1024", "--temp", "0.2", "--baseline-no-mmap",
		"--cache-type", "q8_0", "--chimera-cache-type-v", "f16", "--baseline-seed", "7")
	if b.Context.NumCtx != 1024 || c.Context.NumCtx != 2048 {
		t.Errorf("num_ctx %d and %d, want 1024 and 2048", b.Context.NumCtx, c.Context.NumCtx)
	}
	if b.Sampling.Temperature != 0.2 || c.Sampling.Temperature != 0.2 {
		t.Errorf("temperature %v and %v, want 0.2 on both sides", b.Sampling.Temperature, c.Sampling.Temperature)
	}
	if b.UseMmap || !c.UseMmap {
		t.Errorf("use_mmap %v and %v, want only the baseline without mmap", b.UseMmap, c.UseMmap)
	}
	if b.Context.CacheTypeK != "q8_0" || b.Context.CacheTypeV != "q8_0" || c.Context.CacheTypeK != "q8_0" || c.Context.CacheTypeV != "f16" {
		t.Errorf("cache types %s/%s and %s/%s, want q8_0/q8_0 and q8_0/f16", b.Context.CacheTypeK, b.Context.CacheTypeV,
			c.Context.CacheTypeK, c.Context.CacheTypeV)
	}
	if d := engine.DefaultConfig().Sampling.Seed; b.Sampling.Seed != 7 || c.Sampling.Seed != d {
		t.Errorf("seeds %d and %d, want 7 and the default %d", b.Sampling.Seed, c.Sampling.Seed, d)
	}
	if b, c := configsOf(t); b != c || b.Context.NumCtx != engine.DefaultConfig().Context.NumCtx {
		t.Errorf("without flags the sides differ or are not the defaults: %+v, %+v", b, c)
	}
}

// A side's shorthand is more specific than a plain flag of one of its settings: --baseline-cache-type sets both of
// the baseline's cache types even beside a plain --cache-type-k, which still sets the other side's keys.
func TestASidesShorthandOutranksAPlainSpecificFlag(t *testing.T) {
	b, c := configsOf(t, "--cache-type-k", "q4_0", "--baseline-cache-type", "q8_0")
	if b.Context.CacheTypeK != "q8_0" || b.Context.CacheTypeV != "q8_0" || c.Context.CacheTypeK != "q4_0" || c.Context.CacheTypeV != "f16" {
		t.Errorf("cache types %s/%s and %s/%s, want q8_0/q8_0 and q4_0/f16", b.Context.CacheTypeK, b.Context.CacheTypeV,
			c.Context.CacheTypeK, c.Context.CacheTypeV)
	}
}

// tune chooses the keys' and the values' cache types from its --cache-type default, f16 and q8_0, unless one is
// given; without --num-gpu it leaves the offloads to the model.
func TestTuneSearchesItsDefaultCacheTypes(t *testing.T) {
	app := newApp()
	var axes []engine.Axis
	findCommand(app.Commands, "tune").Action = func(c *cli.Context) (err error) {
		axes, err = tuneAxes(c)
		return err
	}
	if err := app.Run(arrangeArgs(app, []string{"chimera", "tune", "--cache-type-v", "f16"})); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, a := range axes {
		values[a.Setting.Name] = strings.Join(a.Values, ",")
	}
	if values["cache_type_k"] != "f16,q8_0" || values["cache_type_v"] != "f16" || values["num_gpu"] != "" || values["batch"] != "256,512,1024,2048" {
		t.Errorf("tune's axes %v", values)
	}
}
