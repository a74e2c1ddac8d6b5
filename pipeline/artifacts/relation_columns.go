package artifacts

import (
	"math"
	"slices"
	"strings"
)

// What a column is: a dimension, a measure, a spread or samples of another, or nothing the insights read
// (identifiers, free text, columns that compare others). Decided by the column's name first, then its cells.

// classifyColumn decides a column's kind from its name first (an identifier, a setting, a spread) and then
// from its cells: mostly numbers is a measure, short repeated words a dimension, long or unique text nothing.
func classifyColumn(name string, cells []cell) columnKind {
	norm := normalizeColumn(name)
	if ignoredByName(name) || !settingName(norm) && linksToDetails(cells) {
		return kindIgnored
	}
	numbers, texts, runs, longText, statements := 0, 0, 0, 0, 0
	for _, c := range cells {
		switch {
		case c.missing == missingStatement:
			statements++
		case c.runs != nil:
			runs++
		case c.isNumber():
			numbers++
		case c.missing == missingText:
			texts++
			if len([]rune(c.text)) > 40 {
				longText++
			}
		}
	}
	switch {
	case statements > 0 && statements >= numbers+texts:
		return kindIgnored
	case runs > 0 && runs >= numbers && spreadStem(norm, samplesMarks) != "":
		return kindSamples
	case numbers > 0 && capacityName(norm) && wholeNumbers(cells):
		return kindDimension
	case numbers+runs > 0 && numbers+runs >= texts:
		return numericKind(name)
	case texts == 0 || 2*longText > texts || moreTimestampsThan(cells, texts/2):
		return kindIgnored // free text, or the times rows were taken at
	}
	return kindDimension
}

// ignoredByName recognises by its name alone a column the insights do not read: one that identifies rows or
// compares other columns, unless it names a setting.
func ignoredByName(name string) bool {
	norm := normalizeColumn(name)
	return !settingName(norm) && (identifierName(norm) || comparesColumns(name))
}

// numericKind is the kind of a column of numbers: a setting by its name or its last key (options.temperature),
// a spread, else a measure.
func numericKind(name string) columnKind {
	norm := normalizeColumn(name)
	switch {
	case settingName(norm) || settingName(normalizeColumn(lastKey(name))):
		return kindDimension
	case spreadStem(norm, spreadMarks) != "":
		return kindSpread
	}
	return kindMeasure
}

// capacityName recognises a spec of the hardware a configuration runs on by its name: a card's VRAM, a
// capacity, a TDP, a power limit. A spec, a whole number (24 GB, 450 W), describes the configuration as a
// setting does rather than measuring a result: no level of it is better. What is used, free, left or at its
// peak of one is a measure, and so is a total, which the headroom of its used part needs (see
// findCapacities), and a VRAM of 1.5 or 5.3 GB, what a model took.
func capacityName(norm string) bool {
	words := strings.Split(norm, "_")
	return slices.ContainsFunc(words, func(w string) bool { return capacityWords[w] }) &&
		!slices.ContainsFunc(words, func(w string) bool { return usageWords[w] })
}

var (
	capacityWords = setOf("vram", "capacity", "tdp", "limit")
	usageWords    = setOf("used", "usage", "use", "peak", "free", "allocated", "reserved", "util", "utilization",
		"consumed", "per", "total", "headroom", "remaining", "left")
)

// wholeNumbers reports whether every number among the cells is a whole one.
func wholeNumbers(cells []cell) bool {
	return !slices.ContainsFunc(cells, func(c cell) bool { return c.isNumber() && c.value != math.Trunc(c.value) })
}

// comparesColumns recognises a column that compares others of its table (Δ%, "WS/Max-Q", "Relative gain"):
// computed from the measurements, not one of them.
func comparesColumns(name string) bool {
	lower := strings.ToLower(name)
	if strings.ContainsAny(lower, "Δδ") {
		return true
	}
	for _, w := range comparisonWords {
		if containsWord(lower, w) {
			return true
		}
	}
	before, after, found := strings.Cut(lower, "/")
	return found && unitInText(lower) == "" && strings.TrimSpace(before) != "" && strings.TrimSpace(after) != ""
}

var comparisonWords = []string{"delta", "diff", "difference", "change", "ratio", "relative", "vs"}

// linksToDetails recognises a column of links that all read the same ("Graph", "data"): they point to each
// row's details and tell the rows apart by their targets alone.
func linksToDetails(cells []cell) bool {
	texts := map[string]bool{}
	for _, c := range cells {
		if c.link {
			texts[c.text] = true
		}
	}
	return len(texts) == 1
}

// identifierName recognises columns that identify a row rather than describe it.
func identifierName(norm string) bool {
	last := norm[strings.LastIndexByte(norm, '_')+1:]
	return norm == "" || identifierNames[norm] || identifierNames[last] && last != "time"
}

var identifierNames = setOf("id", "uuid", "run_id", "timestamp", "date", "datetime", "time", "created_at",
	"started_at", "finished_at", "commit", "build_commit", "sha", "hash", "seed", "url", "link", "path", "file",
	"filename", "idx", "index", "no", "row", "run", "run_number", "rep", "repetition", "trial", "iteration", "gen_text", "prompt", "text", "response", "output_text", "error_msg",
	"error_message", "message", "notes", "note", "comment", "data_link", "plot_link", "gpu_info", "cpu_info")

// settingName recognises the settings a benchmark varies on purpose: they are dimensions even though they are
// numbers, and ordered ones, so a trend can follow them.
func settingName(norm string) bool {
	return settingNames[norm] || settingNames[strings.TrimPrefix(norm, "n_")] || settingNames[strings.TrimPrefix(norm, "num_")]
}

var settingNames = setOf("ngl", "gpu_layers", "n_gpu_layers", "num_gpu", "gpu", "ctx", "ctx_size", "context",
	"context_length", "context_size", "depth", "starting_depth", "ending_context", "kv_depth", "batch",
	"batch_size", "ubatch", "ubatch_size", "threads", "thread", "threads_batch", "concurrency", "max_concurrency",
	"concurrent_requests", "parallel", "prompt", "prefill", "gen", "prompt_len", "prompt_length", "input_len", "output_len",
	"input_length", "output_length", "max_tokens", "predict", "temperature", "temp", "top_k", "top_p", "gpus",
	"gpu_count", "tp", "tensor_parallel", "power_limit", "seq_len", "sequence_length", "request_rate", "c",
	"tokens", "prompts", "requests", "size", "fa", "flash_attn", "mmap", "use_mmap", "no_kv_offload",
	"split_mode", "main_gpu", "type_k", "type_v", "cache_type_k", "cache_type_v", "params", "model_size", "model_params", "model_n_params", "agents", "workers", "clients", "users", "qps")

// Words that mark a column as the spread or the samples of another: stddev_ts describes avg_ts.
var (
	spreadMarks  = setOf("stddev", "std", "sd", "stdev", "std_dev", "stderr")
	samplesMarks = setOf("samples", "runs", "values")
	statWords    = setOf("avg", "mean", "median", "average", "p50")
)

// spreadStem is what a spread or samples column describes: its name without the marking word ("ts" for
// stddev_ts); "" when no word of the set marks it.
func spreadStem(norm string, words map[string]bool) string {
	parts := strings.Split(norm, "_")
	for i, p := range parts {
		if words[p] {
			return strings.Join(slices.Delete(slices.Clone(parts), i, i+1), "_")
		}
	}
	return ""
}

// moreTimestampsThan reports whether more than n cells hold a date and time; it stops counting there.
func moreTimestampsThan(cells []cell, n int) bool {
	found := 0
	for _, c := range cells {
		if mayHoldTimestamp(c.text) && timestampRe.MatchString(c.text) {
			if found++; found > n {
				return true
			}
		}
	}
	return false
}
