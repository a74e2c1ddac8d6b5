package artifacts

import (
	"slices"
	"testing"
)

func TestNormalizeColumn(t *testing.T) {
	for in, want := range map[string]string{
		"TTFT (s)":               "ttft_s",
		"tok/s":                  "tok_s",
		"  Mean latency (ms) ":   "mean_latency_ms",
		"gpu__time_duration.sum": "gpu_time_duration_sum",
		"Throughput Δ":           "throughput_δ",
		"":                       "",
	} {
		if got := normalizeColumn(in); got != want {
			t.Errorf("normalizeColumn(%q) = %q, want %q", in, got, want)
		}
	}
}

// A name that normalizeColumn returns as it is folds to itself: every string of a few characters over an
// alphabet of a letter, a digit, an underscore, an upper-case letter and a space.
func TestNormalColumnsFoldToThemselves(t *testing.T) {
	names, longest := []string{""}, []string{""}
	for range 5 {
		var longer []string
		for _, name := range longest {
			for _, c := range "a1_A " {
				longer = append(longer, name+string(c))
			}
		}
		names, longest = append(names, longer...), longer
	}
	normal := 0
	for _, name := range names {
		if isNormalColumn(name) {
			normal++
			if folded := foldColumn(name); folded != name {
				t.Errorf("%q is taken as normal, but folds to %q", name, folded)
			}
		}
	}
	if normal == 0 || normal == len(names) {
		t.Errorf("%d of %d names taken as normal: the check tells nothing apart", normal, len(names))
	}
}

func TestColumnNames(t *testing.T) {
	got := columnNames([]string{" model ", "", "error", "error"})
	want := []string{"model", "column 2", "error", "error (4)"}
	if !slices.Equal(got, want) {
		t.Errorf("columnNames = %q, want %q", got, want)
	}
}

func TestRoleOf(t *testing.T) {
	for column, want := range map[string]role{
		"tokens_s":               roleThroughput,
		"Tokens/s":               roleThroughput,
		"mean_tokens_s":          roleThroughput,
		"avg_ts":                 roleThroughput, // llama-bench
		"median_tokens_s":        roleNone,
		"Throughput Δ":           roleNone,
		"TTFT (ms)":              roleTTFT,
		"prompt_eval (mean s)":   rolePromptEval,
		"eval_s_mean":            roleEval,
		"benchmark.mean_time_ms": roleLatency,
		"Mean (ms)":              roleLatency,
		"Std (ms)":               roleNone,
		"options.temperature":    roleTemperature,
		"n_gpu_layers":           roleNumGPU,
		"Quant":                  roleGroup,
		"gpu__time_duration.sum": roleKernelTime,
	} {
		if got := roleOf(column); got != want {
			t.Errorf("roleOf(%q) = %d, want %d", column, got, want)
		}
	}
}
