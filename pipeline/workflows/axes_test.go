package workflows

import (
	"slices"
	"strconv"

	"chimera/pipeline/engine"
)

// with is axes with one setting's values replaced, or the setting added in the table's order, as the commands
// list their axes. The values are taken as given, unchecked, so that tests can give bad ones.
func with(axes []engine.Axis, name string, values ...string) []engine.Axis {
	setting := engine.SettingNamed(name)
	out := slices.Clone(axes)
	if i := slices.IndexFunc(out, func(a engine.Axis) bool { return a.Setting == setting }); i >= 0 {
		out[i].Values = values
		return out
	}
	out = append(out, engine.Axis{Setting: setting, Values: values})
	slices.SortStableFunc(out, func(a, b engine.Axis) int {
		return slices.Index(engine.Settings, a.Setting) - slices.Index(engine.Settings, b.Setting)
	})
	return out
}

// tinyAxes are three offloads of one small configuration.
func tinyAxes() []engine.Axis {
	var axes []engine.Axis
	for _, a := range [][]string{{"num_gpu", "0", "1", "all"}, {"num_ctx", "256"}, {"batch", "64"}, {"ubatch", "64"}, {"threads", "1"},
		{"flash_attn", "auto"}, {"cache_type_k", "f16"}, {"cache_type_v", "f16"}} {
		axes = with(axes, a[0], a[1:]...)
	}
	return axes
}

// countingUpTo is the values 1 to n.
func countingUpTo(n int) []string {
	values := make([]string, n)
	for i := range values {
		values[i] = strconv.Itoa(i + 1)
	}
	return values
}
