package artifacts

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// columnNames turns a header row into unique column names: cells are trimmed, an empty one becomes
// "column N" and a repeated one gets its position appended, "error (14)".
func columnNames(header []string) []string {
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		switch {
		case name == "":
			name = fmt.Sprintf("column %d", i+1)
		case seen[name]:
			name = fmt.Sprintf("%s (%d)", name, i+1)
		}
		seen[name] = true
		names[i] = name
	}
	return names
}

// normalizeColumn folds a column name for matching: lower case, every run of other characters than letters
// and digits becomes one underscore. "TTFT (s)" → "ttft_s", "tok/s" → "tok_s", "gpu__time_duration.sum" →
// "gpu_time_duration_sum", "Throughput Δ" → "throughput_δ".
func normalizeColumn(name string) string {
	if isNormalColumn(name) {
		return name // most names of data files: tokens_s, ttft_ms
	}
	return foldColumn(name)
}

func foldColumn(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pendingUnderscore := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if pendingUnderscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			pendingUnderscore = false
		} else {
			pendingUnderscore = true
		}
	}
	return b.String()
}

// isNormalColumn reports whether normalizeColumn returns name as it is: lower-case ASCII letters and digits,
// single underscores between them.
func isNormalColumn(name string) bool {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '_' && i > 0 && i < len(name)-1 && name[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// role is what a column measures or describes, recognised from its name.
type role int

const (
	roleNone role = iota
	roleThroughput
	roleTTFT
	roleLoad
	rolePromptEval
	roleEval
	roleNumGPU
	roleNumCtx
	roleTemperature
	roleGroup
	roleLatency
	roleCompileTime
	roleCompleted
	roleAttempted
	roleKernelName
	roleKernelTime
	roleSpeedup    // concurrency speedup: sequential time over concurrent time
	roleEfficiency // speedup per agent, in percent or as a fraction
	roleContention // whether a run saw contention for a shared resource: true/false, yes/no
	roleGenerated  // tokens a call generated
	roleInput      // what a run was given to analyse: prompt tokens, files
)

// groupPreference lists the grouping columns, the one to group by first when several vary. A variant is what
// a family's paths name (see families.go); a column of the data itself comes first.
var groupPreference = []string{"scenario", "quant", "quantization", "tag", "backend", "backends", "runtime", "model_type",
	"model_name", "model", "variant"}

// roleNames maps normalised column names, with the words mean/avg/average taken out, to the roles whose columns
// are known by name. Measured columns are recognised by the words of their names instead (see measuredRole).
var roleNames = byName(map[role][]string{
	roleNumGPU:      {"num_gpu", "n_gpu_layers", "gpu_layers", "ngl"},
	roleNumCtx:      {"num_ctx", "n_ctx", "ctx_size", "context_size", "context_length"},
	roleTemperature: {"temperature", "temp"},
	roleGroup:       groupPreference,
	roleLatency:     {"ms", "time_ms", "latency_ms", "latency_s", "latency"},
	roleCompileTime: {"compile_time_s", "compile_s", "compile_time"},
	roleCompleted:   {"completed", "succeeded", "successful", "completed_count"},
	roleAttempted:   {"prompt_count", "attempted", "total", "total_runs", "requested"},
	roleKernelName:  {"kernel_name", "kernel"},
	roleKernelTime:  {"gpu_time_duration_sum", "gpu_time_duration", "kernel_time", "kernel_time_us"},
})

func byName(namesByRole map[role][]string) map[string]role {
	roles := map[string]role{}
	for r, names := range namesByRole {
		for _, name := range names {
			roles[name] = r
		}
	}
	return roles
}

// roleOf recognises a column by its role name or, failing that, by the words of its name.
func roleOf(column string) role {
	if key := roleName(column); key != "" {
		return roleNames[key]
	}
	return measuredRole(strings.Split(withoutMeanWords(normalizeColumn(lastKey(column))), "_"))
}

// roleName is the key under which roleNames knows a column: its normalised name without mean words, or for a
// JSON path such as "benchmark.mean_time_ms" that of its last key; "" when neither is known.
func roleName(column string) string {
	for _, name := range []string{column, lastKey(column)} {
		if key := withoutMeanWords(normalizeColumn(name)); roleNames[key] != roleNone {
			return key
		}
	}
	return ""
}

// lastKey is the last key of a JSON path, the column itself for other tables.
func lastKey(column string) string { return column[strings.LastIndexByte(column, '.')+1:] }

// withoutMeanWords drops the words that only say a column holds means: "mean_tokens_s" and "eval_s_mean" are
// throughput and eval time like their raw counterparts.
func withoutMeanWords(name string) string {
	words := strings.Split(name, "_")
	words = slices.DeleteFunc(words, func(w string) bool { return w == "mean" || w == "avg" || w == "average" })
	return strings.Join(words, "_")
}

// measuredRole recognises a measured column by the words of its name: a metric word (throughput, ttft,
// speedup, efficiency, contention) anywhere, or a rate unit at its end (tokens_per_sec, tok_s, tps), so
// that collector_throughput, throughput_tokens_per_sec and insight_ttft_ms need no entry of their own. A
// word that makes the column a spread, an extreme or a difference of the metric (stddev_throughput,
// ttft_delta_ms, median_tokens_s) keeps it out.
func measuredRole(words []string) role {
	name := strings.Join(words, "_")
	if slices.ContainsFunc(words, func(w string) bool { return derivedWords[w] }) {
		return roleNone
	}
	for _, rule := range measuredRules {
		if rule.matches(words, name) {
			return rule.role
		}
	}
	return roleNone
}

// derivedWords mark a statistic derived from a metric rather than the metric itself.
var derivedWords = setOf("delta", "δ", "diff", "difference", "change", "std", "stddev", "stdev", "sd", "var", "variance",
	"cv", "median", "p50", "p90", "p95", "p99", "min", "max", "peak", "range", "ratio", "improvement", "gain", "ci")

var measuredRules = []struct {
	role    role
	matches func(words []string, name string) bool
}{
	{roleTTFT, func(w []string, name string) bool {
		return slices.Contains(w, "ttft") || strings.Contains(name, "time_to_first_token")
	}},
	{roleThroughput, func(w []string, name string) bool {
		generation := !slices.Contains(w, "prompt") && !slices.Contains(w, "prefill") && !slices.Contains(w, "sampling")
		return generation && (slices.Contains(w, "throughput") || hasRateUnit(name))
	}},
	{roleSpeedup, func(w []string, _ string) bool { return slices.Contains(w, "speedup") }},
	{roleEfficiency, func(w []string, _ string) bool {
		return slices.Contains(w, "efficiency") && !slices.ContainsFunc(w, func(x string) bool { return resourceWords[x] })
	}},
	{roleContention, func(w []string, _ string) bool { return slices.Contains(w, "contention") }},
	{roleInput, func(w []string, name string) bool {
		counted := !hasRateUnit(name) && (slices.Contains(w, "tokens") || slices.Contains(w, "count"))
		return (slices.Contains(w, "prompt") || slices.Contains(w, "input")) && counted ||
			slices.ContainsFunc(w, func(x string) bool { return x == "files" || x == "artifacts" || x == "inputs" })
	}},
	{roleGenerated, func(w []string, name string) bool {
		return name == "eval_count" || name == "tokens" || name == "n_tokens" ||
			(slices.Contains(w, "tokens") && slices.ContainsFunc(w, func(x string) bool { return generatedWords[x] }))
	}},
	{roleLoad, timingRule("load")},
	{rolePromptEval, timingRule("prompt_eval", "prefill")},
	{roleEval, timingRule("eval", "decode")},
}

// resourceWords make an efficiency one of a resource (tok/s per GB, energy), not of running agents at once.
var resourceWords = setOf("tok", "tokens", "per", "gb", "mb", "vram", "memory", "w", "watt", "watts", "energy", "power", "j")

var generatedWords = setOf("generated", "gen", "output", "completion", "eval")

// hasRateUnit reports whether a name ends in tokens per second, however spelled; the bare "ts" and "t_s" are
// llama-bench's, a longer name ending in _ts is a timestamp.
func hasRateUnit(name string) bool {
	if name == "ts" || name == "t_s" || name == "tps" {
		return true
	}
	return hasAnySuffix(name, "tokens_s", "tok_s", "tokens_sec", "tok_sec", "tokens_per_s", "tokens_per_sec",
		"tokens_per_second", "tok_per_s", "tok_per_sec", "_tps")
}

// timingRule matches a phase's duration: the phase's words, then optionally "duration" or "time", then
// optionally a unit: load_s, load_duration_ms, prompt_eval_time_s.
func timingRule(phases ...string) func(words []string, name string) bool {
	return func(words []string, _ string) bool {
		rest := words
		if len(rest) > 0 && timeUnits[rest[len(rest)-1]] {
			rest = rest[:len(rest)-1]
		}
		if len(rest) > 0 && (rest[len(rest)-1] == "duration" || rest[len(rest)-1] == "time") {
			rest = rest[:len(rest)-1]
		}
		return slices.Contains(phases, strings.Join(rest, "_"))
	}
}

var timeUnits = setOf("s", "ms", "us", "ns", "sec", "secs", "seconds")

func setOf(words ...string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}

// gridRoles are the runtime parameters a tuning sweep varies.
var gridRoles = []role{roleNumGPU, roleNumCtx, roleTemperature}
