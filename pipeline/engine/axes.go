package engine

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// maxListValues bounds what one list may expand to: a range such as 0-1000000000 is refused before anything is
// built, with its size.
const maxListValues = 1024

// maxGridSize bounds the configurations one bench, sweep or tune may ask for. The grid is counted before it is
// built, so lists that multiply out to millions are refused at once, with the size.
const maxGridSize = 10000

// Axis is one setting a bench, sweep or tune varies, with its values, each written as the setting writes it.
type Axis struct {
	Setting *Setting
	Values  []string
}

// MarshalJSON writes the axis by the setting's name.
func (a Axis) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	}{a.Setting.Name, a.Values})
}

// ParseValues reads a comma list of the setting's values: counts also as llama-bench's ranges first-last,
// first-last+step and first-last*mult, layers also as all. Each value is checked and written the setting's way.
func (s *Setting) ParseValues(list string) ([]string, error) {
	ranges := s.Kind == KindCount || s.Kind == KindLayers
	return parseList(s.Flag, list, ranges, func(v string) (string, error) {
		c := DefaultConfig()
		if err := s.Set(&c, v); err != nil {
			return "", err
		}
		return s.Get(c), nil
	})
}

// ParseCounts reads a list of counts the way ParseValues does, for the lists that are not settings (bench's
// depths).
func ParseCounts(flag, list string) ([]int, error) {
	return parseList(flag, list, true, func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, Invalid(fmt.Errorf("--%s: %q is not a count", flag, v))
		}
		return n, nil
	})
}

// parseList splits a comma list, expands its ranges where ranges allows them, and reads each value; it refuses an
// empty list and one longer than maxListValues.
func parseList[T any](flag, list string, ranges bool, read func(string) (T, error)) ([]T, error) {
	var values []T
	for _, item := range splitList(list) {
		expanded := []string{item}
		if ranges {
			var err error
			if expanded, err = expandRange(item); err != nil {
				return nil, Invalid(fmt.Errorf("--%s: %v", flag, err))
			}
		}
		if len(values)+len(expanded) > maxListValues {
			return nil, Invalid(fmt.Errorf("--%s has more than %d values", flag, maxListValues))
		}
		for _, v := range expanded {
			value, err := read(v)
			if err != nil {
				return nil, err
			}
			values = append(values, value)
		}
	}
	if len(values) == 0 {
		return nil, Invalid(fmt.Errorf("--%s needs at least one value", flag))
	}
	return values, nil
}

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

// expandRange expands a range into its counts; anything else is one item, for the setting to read. The range's
// length is counted before it is built: one that would hold more than maxListValues values is refused with its
// size.
func expandRange(item string) ([]string, error) {
	first, rest, isRange := strings.Cut(item, "-")
	if !isRange || first == "" {
		return []string{item}, nil // a count, all, or -1
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
	values := []string{strconv.Itoa(lo)}
	for n, more := next(lo); more; n, more = next(n) {
		if len(values) == maxListValues {
			return nil, fmt.Errorf("%q expands to more than %d values", item, maxListValues)
		}
		values = append(values, strconv.Itoa(n))
	}
	return values, nil
}

// Grid is every combination of the axes' values over base, the first axis varying slowest (llama-bench's order).
// Each configuration's micro-batch is cut to its batch (CutMicroBatch).
func Grid(base Config, axes []Axis) ([]Config, error) {
	if err := CheckGridSize(axes); err != nil {
		return nil, err
	}
	grid := []Config{base}
	for _, a := range axes {
		next := make([]Config, 0, len(grid)*len(a.Values))
		for _, c := range grid {
			for _, v := range a.Values {
				if err := a.Setting.Set(&c, v); err != nil {
					return nil, err
				}
				next = append(next, c)
			}
		}
		grid = next
	}
	for i := range grid {
		grid[i].CutMicroBatch()
	}
	return grid, nil
}

// CutMicroBatch cuts a micro-batch larger than the batch to the batch, as llama.cpp does, so that lists of both
// combine.
func (c *Config) CutMicroBatch() { c.Context.UBatch = min(c.Context.UBatch, c.Context.Batch) }

// CheckGridSize refuses axes whose combinations exceed maxGridSize, naming the axes with more than one value.
func CheckGridSize(axes []Axis) error {
	size := 1.0 // a float: eleven axes of a thousand values overflow an int
	var factors []string
	for _, a := range axes {
		size *= float64(len(a.Values))
		if len(a.Values) > 1 {
			factors = append(factors, fmt.Sprintf("%s %d", a.Setting.Name, len(a.Values)))
		}
	}
	if size == 0 {
		return Invalid(fmt.Errorf("every axis needs at least one value"))
	}
	if size <= maxGridSize {
		return nil
	}
	return Invalid(fmt.Errorf("the grid has %.0f configurations (%s), more than the limit of %d: sweep fewer values",
		size, strings.Join(factors, " × "), maxGridSize))
}
