package artifacts

import (
	"slices"
	"strings"
)

// A measure's unit and the direction in which it is better, read from its cells, its header, and the caption
// and headings above its table.

// unitOf is a column's unit from the export's units row or its header: "TTFT (ms)", "Mem [MB]", "tok/s".
func unitOf(t *table, col int) string {
	if t.units != nil && t.units[col] != "" {
		return writtenCase(strings.ToLower(t.units[col]))
	}
	return unitInText(t.columns[col])
}

// commonUnit is the unit most cells of a column write after their numbers.
func commonUnit(cells []cell) string {
	counts := map[string]int{}
	best := ""
	for _, c := range cells {
		if c.unit != "" {
			counts[c.unit]++
			if counts[c.unit] > counts[best] {
				best = c.unit
			}
		}
	}
	return best
}

// unitWords are the units recognised in headers and captions, longest first so that "tokens/s" wins over "s".
var unitWords = []string{"tokens/s", "tokens per second", "tok/s", "t/s", "tokens/sec", "tps", "ms", "µs", "us",
	"gib", "mib", "gb", "mb", "°c", "w", "s", "%", "×"}

// unitInText finds a unit named in a header or caption: in brackets ("TTFT (ms)"), or as a word of its own.
func unitInText(text string) string {
	lower := strings.ToLower(text)
	if open := strings.LastIndexAny(lower, "(["); open >= 0 {
		if close := strings.IndexAny(lower[open:], ")]"); close > 0 {
			if u := strings.TrimSpace(lower[open+1 : open+close]); slices.Contains(unitWords, u) {
				return canonicalUnit(u)
			}
		}
	}
	for _, u := range unitWords {
		if len(u) > 2 && containsWord(lower, u) {
			return canonicalUnit(u)
		}
	}
	return ""
}

func canonicalUnit(u string) string {
	switch u {
	case "tokens/s", "tokens per second", "tok/s", "tokens/sec", "tps":
		return "tok/s"
	}
	return writtenCase(u)
}

// writtenCase spells a lower-cased unit whose case means something as it is written: 12 GB, 210 W, 80 °C.
func writtenCase(u string) string {
	if written, ok := unitCases[u]; ok {
		return written
	}
	return u
}

var unitCases = map[string]string{"kb": "kB", "mb": "MB", "gb": "GB", "tb": "TB", "kib": "KiB", "mib": "MiB",
	"gib": "GiB", "tib": "TiB", "w": "W", "kw": "kW", "wh": "Wh", "kwh": "kWh", "j": "J", "°c": "°C",
	"mhz": "MHz", "ghz": "GHz"}

// containsWord reports whether word occurs in text between non-letters.
func containsWord(text, word string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !isLetter(text[start-1])) && (end == len(text) || !isLetter(text[end])) {
			return true
		}
		i = start + 1
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// directionOf says which way a quantity named by text improves: +1 for rates and speedups, −1 for times,
// latencies, memory, power and errors, 0 when text names neither.
func directionOf(text string) int {
	norm := "_" + normalizeColumn(strings.ReplaceAll(text, "/", " per ")) + "_"
	switch {
	case strings.Contains(norm, "_higher_is_better_"):
		return 1 // a caption that says so: "Decode speed in tokens/s, higher is better."
	case strings.Contains(norm, "_lower_is_better_"):
		return -1
	case hasAnySuffix(norm, "_tokens_s_", "_token_s_", "_tok_s_", "_t_s_"):
		return 1 // tokens_s is tokens per second, written without the slash
	case containsAnyWord(norm, "miss", "misses", "fail", "failed", "failure", "failures", "drop", "dropped", "reject",
		"rejected", "loss", "error", "errors"):
		return -1 // a miss rate or an error count is a rate of something bad
	case strings.Contains(norm, "_per_w_") || strings.Contains(norm, "_per_watt_"):
		return 1 // an efficiency: tok/s per W
	case strings.Contains(norm, "_per_s_") || strings.Contains(norm, "_per_sec_") || strings.Contains(norm, "_per_second_"):
		return 1 // anything per second, MB/s as much as tok/s
	case hasAnySuffix(norm, "_s_", "_ms_", "_us_", "_ns_", "_sec_", "_seconds_") && !strings.Contains(norm, "_per_"):
		return -1 // a time: load_s, ttft_ms
	}
	switch {
	case containsAnyWord(norm, lowerIsBetter...):
		return -1
	case containsAnyWord(norm, higherIsBetterWords...):
		return 1
	}
	return 0
}

var (
	// Checked first: "time per token" is a time even though it names a token rate's parts.
	lowerIsBetter = []string{"ttft", "tbt", "itl", "tpot", "latency", "latencies", "ms", "duration", "time", "elapsed",
		"memory", "mem", "vram", "mb", "gb", "gib", "mib", "power", "watts", "w", "energy", "joules", "errors",
		"error", "error_rate", "temp"}
	higherIsBetterWords = []string{"t_per_s", "tok_per_s", "tokens_per_s", "tokens_per_second", "token_per_s",
		"tps", "throughput", "rate", "speed", "speedup", "efficiency", "gain", "goodput", "qps", "score",
		"accuracy", "ts", "tokens_per_sec"}
)

// containsAnyWord reports whether a normalised name, "_" at both ends, holds one of the words.
func containsAnyWord(norm string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(norm, "_"+w+"_") {
			return true
		}
	}
	return false
}
