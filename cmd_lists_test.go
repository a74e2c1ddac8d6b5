package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"chimera/pipeline/engine"
)

func TestParseIntList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"8", []int{8}},
		{"1,2, 4 ,", []int{1, 2, 4}},
		{"0-3", []int{0, 1, 2, 3}},
		{"2-10+4", []int{2, 6, 10}},
		{"2-11+4", []int{2, 6, 10}},
		{"1-16*2", []int{1, 2, 4, 8, 16}},
		{"3-30*3", []int{3, 9, 27}},
		{"5-5", []int{5}},
		{"1,4-6", []int{1, 4, 5, 6}},
	} {
		got, err := parseIntList("threads", c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("parseIntList(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseIntListRefusesWhatIsNotAList(t *testing.T) {
	for _, in := range []string{"", " , ", "x", "-1", "1.5", "3-1", "1-4+0", "1-4*1", "0-8*2", "1-", "-4", "1-4+x", "1-4/2"} {
		if got, err := parseIntList("threads", in); !engine.IsInputError(err) || !strings.HasPrefix(err.Error(), "--threads") {
			t.Errorf("parseIntList(%q) = %v, %v; want an input error naming --threads", in, got, err)
		}
	}
}

// Ranges are counted before they are built, without overflow: a huge range is refused with the limit, and one
// that ends near the largest int stops there (both used to run until memory ran out).
func TestParseIntListBoundsRanges(t *testing.T) {
	for _, in := range []string{"0-1000000000", "0-9223372036854775807+1"} {
		if got, err := parseIntList("num-ctx", in); !engine.IsInputError(err) || !strings.Contains(err.Error(), fmt.Sprint(maxListValues)) {
			t.Errorf("parseIntList(%q) = %d values, %v; want an input error naming the limit %d", in, len(got), err, maxListValues)
		}
	}
	if got, err := parseIntList("threads", "1-9223372036854775807*2"); err != nil || len(got) != 63 || got[62] != 1<<62 {
		t.Errorf("1-MaxInt*2 = %d values, %v; want the 63 powers of two", len(got), err)
	}
	if got, err := parseIntList("threads", "9223372036854775806-9223372036854775807"); err != nil || len(got) != 2 {
		t.Errorf("a range ending at MaxInt = %v, %v; want its two values", got, err)
	}
	if got, err := parseIntList("batch", "1-1024"); err != nil || len(got) != maxListValues {
		t.Errorf("a range of exactly the limit: %d values, %v", len(got), err)
	}
	many := strings.TrimSuffix(strings.Repeat("1,", maxListValues+1), ",")
	if _, err := parseIntList("batch", many); !engine.IsInputError(err) {
		t.Errorf("%d listed values: %v, want an input error", maxListValues+1, err)
	}
}

func TestParseNumGPUList(t *testing.T) {
	got, err := parseNumGPUList("0,1-2,all,-1,ALL")
	if want := []int{0, 1, 2, engine.AllLayers, engine.AllLayers, engine.AllLayers}; err != nil || !slices.Equal(got, want) {
		t.Errorf("parseNumGPUList = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"", "most", "-2", "all-3"} {
		if _, err := parseNumGPUList(in); !engine.IsInputError(err) {
			t.Errorf("parseNumGPUList(%q): %v, want an input error", in, err)
		}
	}
}

func TestParseFloatList(t *testing.T) {
	got, err := parseFloatList("temp", "0, 0.8,1e-1")
	if want := []float64{0, 0.8, 0.1}; err != nil || !slices.Equal(got, want) {
		t.Errorf("parseFloatList = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"", "warm", "NaN", "inf", "-Inf", "0.8,x"} {
		if _, err := parseFloatList("temp", in); !engine.IsInputError(err) {
			t.Errorf("parseFloatList(%q): %v, want an input error", in, err)
		}
	}
}

func TestParseNumGPU(t *testing.T) {
	for in, want := range map[string]int{"all": engine.AllLayers, "All": engine.AllLayers, "-1": engine.AllLayers, "0": 0, "27": 27} {
		if got, err := parseNumGPU(in); err != nil || got != want {
			t.Errorf("parseNumGPU(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-2", "many", "1.5"} {
		if _, err := parseNumGPU(in); !engine.IsInputError(err) {
			t.Errorf("parseNumGPU(%q): %v, want an input error", in, err)
		}
	}
}
