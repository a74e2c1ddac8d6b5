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
	var b strings.Builder
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
)

// groupPreference lists the grouping columns, the one to group by first when several vary.
var groupPreference = []string{"quant", "quantization", "tag", "variant", "backend", "backends", "model_type", "model_name", "model"}

// roleNames maps normalised column names, with the words mean/avg/average taken out, to roles.
var roleNames = byName(map[role][]string{
	roleThroughput: {"tokens_s", "tok_s", "t_s", "ts", "tps", "tokens_per_s", "tokens_per_sec", "tokens_per_second",
		"tokens_sec", "tok_sec", "throughput", "throughput_tok_s", "throughput_tokens_s"},
	roleTTFT:        {"ttft", "ttft_s", "ttft_ms", "time_to_first_token", "time_to_first_token_s", "time_to_first_token_ms"},
	roleLoad:        {"load_s", "load_ms", "load_time_s", "load_duration_s"},
	rolePromptEval:  {"prompt_eval_s", "prompt_eval_ms", "prompt_eval", "prompt_eval_time_s", "prompt_eval_duration_s", "prefill_s", "prefill_ms"},
	roleEval:        {"eval_s", "eval_ms", "eval_time_s", "eval_duration_s", "decode_s", "decode_ms"},
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

// roleOf recognises a column by its role name.
func roleOf(column string) role { return roleNames[roleName(column)] }

// roleName is the key under which roleNames knows a column: its normalised name without mean words, or for a
// JSON path such as "benchmark.mean_time_ms" that of its last key; "" when neither is known.
func roleName(column string) string {
	for _, name := range []string{column, column[strings.LastIndexByte(column, '.')+1:]} {
		if key := withoutMeanWords(normalizeColumn(name)); roleNames[key] != roleNone {
			return key
		}
	}
	return ""
}

// withoutMeanWords drops the words that only say a column holds means: "mean_tokens_s" and "eval_s_mean" are
// throughput and eval time like their raw counterparts.
func withoutMeanWords(name string) string {
	words := strings.Split(name, "_")
	words = slices.DeleteFunc(words, func(w string) bool { return w == "mean" || w == "avg" || w == "average" })
	return strings.Join(words, "_")
}

// gridRoles are the runtime parameters a tuning sweep varies.
var gridRoles = []role{roleNumGPU, roleNumCtx, roleTemperature}
