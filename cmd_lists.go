package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"chimera/pipeline/engine"
)

// maxListValues bounds what one list flag may expand to: a range such as 0-1000000000 is refused before anything
// is built, with its size.
const maxListValues = 1024

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
	return parseList(name, s, func(item string) ([]int, error) { return expandRange(item, maxListValues) })
}

// parseNumGPUList is parseIntList that also accepts "all" and its spelling -1.
func parseNumGPUList(s string) ([]int, error) {
	return parseList("num-gpu", s, func(item string) ([]int, error) {
		if isAllLayers(item) {
			return []int{engine.AllLayers}, nil
		}
		return expandRange(item, maxListValues)
	})
}

// parseFloatList reads a comma list of finite numbers.
func parseFloatList(name, s string) ([]float64, error) {
	return parseList(name, s, func(item string) ([]float64, error) {
		f, err := strconv.ParseFloat(item, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a number", item)
		}
		return []float64{f}, nil
	})
}

// parseList expands each item of a comma list and refuses an empty list or one longer than maxListValues.
func parseList[T any](name, s string, expand func(item string) ([]T, error)) ([]T, error) {
	var values []T
	for _, item := range splitList(s) {
		expanded, err := expand(item)
		if err != nil {
			return nil, engine.Invalid(fmt.Errorf("--%s: %v", name, err))
		}
		if len(values)+len(expanded) > maxListValues {
			return nil, engine.Invalid(fmt.Errorf("--%s has more than %d values", name, maxListValues))
		}
		values = append(values, expanded...)
	}
	if len(values) == 0 {
		return nil, engine.Invalid(fmt.Errorf("--%s needs at least one value", name))
	}
	return values, nil
}

// expandRange reads a count or a range. The range's length is counted before it is built: one that would hold
// more than limit values is refused with its size.
func expandRange(item string, limit int) ([]int, error) {
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
	next := func(n int) (int, bool) { return n + step, n <= hi-step } // hi-step cannot overflow: hi ≥ 0, step ≥ 1
	if op == '*' {
		next = func(n int) (int, bool) { return n * step, n <= hi/step }
	}
	values := []int{lo}
	for n, more := next(lo); more; n, more = next(n) {
		if len(values) == limit {
			return nil, fmt.Errorf("%q expands to more than %d values", item, limit)
		}
		values = append(values, n)
	}
	return values, nil
}

// parseNumGPU accepts a layer count or "all" (-1).
func parseNumGPU(s string) (int, error) {
	if isAllLayers(s) {
		return engine.AllLayers, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, engine.Invalid(fmt.Errorf("num_gpu must be a layer count or all, got %q", s))
	}
	return n, nil
}

func isAllLayers(s string) bool { return strings.EqualFold(s, "all") || s == "-1" }
