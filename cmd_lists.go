package main

import (
	"chimera/pipeline/engine"
	"fmt"
	"strconv"
	"strings"
)

// splitList splits a comma list, dropping blanks.
func splitList(s string) []string {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// parseIntList reads llama-bench's list syntax: 1,2,4 and ranges first-last, first-last+step, first-last*mult.
func parseIntList(name, s string) ([]int, error) {
	var values []int
	for _, item := range splitList(s) {
		expanded, err := expandRange(item)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--%s: %v", name, err)}
		}
		values = append(values, expanded...)
	}
	if len(values) == 0 {
		return nil, &usageError{fmt.Errorf("--%s needs at least one value", name)}
	}
	return values, nil
}

func expandRange(item string) ([]int, error) {
	first, rest, isRange := strings.Cut(item, "-")
	if !isRange {
		n, err := strconv.Atoi(item)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a count", item)
		}
		return []int{n}, nil
	}
	last, stepText, op := rest, "1", byte('+')
	if i := strings.IndexAny(rest, "+*"); i >= 0 {
		last, stepText, op = rest[:i], rest[i+1:], rest[i]
	}
	lo, errLo := strconv.Atoi(first)
	hi, errHi := strconv.Atoi(last)
	step, errStep := strconv.Atoi(stepText)
	if errLo != nil || errHi != nil || errStep != nil || lo < 0 || hi < lo || step < 1 || (op == '*' && (step < 2 || lo == 0)) {
		return nil, fmt.Errorf("%q is not a range first-last, first-last+step or first-last*mult", item)
	}
	var values []int
	for n := lo; n <= hi; {
		values = append(values, n)
		if op == '*' {
			n *= step
		} else {
			n += step
		}
	}
	return values, nil
}

// parseNumGPUList is parseIntList that also accepts "all".
func parseNumGPUList(s string) ([]int, error) {
	var values []int
	for _, item := range splitList(s) {
		if strings.EqualFold(item, "all") {
			values = append(values, engine.AllLayers)
			continue
		}
		expanded, err := parseIntList("num-gpu", item)
		if err != nil {
			return nil, err
		}
		values = append(values, expanded...)
	}
	if len(values) == 0 {
		return nil, &usageError{fmt.Errorf("--num-gpu needs at least one value")}
	}
	return values, nil
}

// parseFloatList reads a comma list of numbers.
func parseFloatList(name, s string) ([]float64, error) {
	var values []float64
	for _, item := range splitList(s) {
		f, err := strconv.ParseFloat(item, 64)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--%s: %q is not a number", name, item)}
		}
		values = append(values, f)
	}
	if len(values) == 0 {
		return nil, &usageError{fmt.Errorf("--%s needs at least one value", name)}
	}
	return values, nil
}
