package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// values reads a list the way setting name reads it.
func values(name, list string) ([]string, error) { return SettingNamed(name).ParseValues(list) }

func itoa(ns ...int) []string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return s
}

func TestParseValuesReadsCountsAndRanges(t *testing.T) {
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
		got, err := values("threads", c.in)
		if err != nil || !slices.Equal(got, itoa(c.want...)) {
			t.Errorf("threads %q = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseValuesRefusesWhatIsNotAList(t *testing.T) {
	for _, in := range []string{"", " , ", "x", "-1", "1.5", "3-1", "1-4+0", "1-4*1", "0-8*2", "1-", "-4", "1-4+x", "1-4/2"} {
		if got, err := values("threads", in); !IsInputError(err) || !strings.HasPrefix(err.Error(), "--threads") {
			t.Errorf("threads %q = %v, %v; want an input error naming --threads", in, got, err)
		}
	}
}

// Ranges are counted before they are built, without overflow: a huge range is refused with the limit, and one
// that ends near the largest int stops there (both used to run until memory ran out).
func TestParseValuesBoundsRanges(t *testing.T) {
	for _, in := range []string{"0-1000000000", "0-9223372036854775807+1"} {
		if got, err := values("num_ctx", in); !IsInputError(err) || !strings.Contains(err.Error(), fmt.Sprint(maxListValues)) {
			t.Errorf("num_ctx %q = %d values, %v; want an input error naming the limit %d", in, len(got), err, maxListValues)
		}
	}
	if got, err := values("threads", "1-9223372036854775807*2"); err != nil || len(got) != 63 || got[62] != strconv.Itoa(1<<62) {
		t.Errorf("1-MaxInt*2 = %d values, %v; want the 63 powers of two", len(got), err)
	}
	if got, err := values("threads", "9223372036854775806-9223372036854775807"); err != nil || len(got) != 2 {
		t.Errorf("a range ending at MaxInt = %v, %v; want its two values", got, err)
	}
	if got, err := values("batch", "1-1024"); err != nil || len(got) != maxListValues {
		t.Errorf("a range of exactly the limit: %d values, %v", len(got), err)
	}
	many := strings.TrimSuffix(strings.Repeat("1,", maxListValues+1), ",")
	if _, err := values("batch", many); !IsInputError(err) {
		t.Errorf("%d listed values: %v, want an input error", maxListValues+1, err)
	}
}

func TestParseValuesReadsLayers(t *testing.T) {
	got, err := values("num_gpu", "0,1-2,all,-1,ALL")
	if want := []string{"0", "1", "2", "all", "all", "all"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("num_gpu = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"", "most", "-2", "all-3"} {
		if _, err := values("num_gpu", in); !IsInputError(err) {
			t.Errorf("num_gpu %q: %v, want an input error", in, err)
		}
	}
}

func TestParseValuesReadsNumbers(t *testing.T) {
	got, err := values("temp", "0, 0.8,1e-1")
	if want := []string{"0", "0.8", "0.1"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("temp = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"", "warm", "NaN", "inf", "-Inf", "0.8,x"} {
		if _, err := values("temp", in); !IsInputError(err) {
			t.Errorf("temp %q: %v, want an input error", in, err)
		}
	}
}

func TestSetReadsOneLayerCount(t *testing.T) {
	numGPU := SettingNamed("num_gpu")
	for in, want := range map[string]int{"all": AllLayers, "All": AllLayers, "-1": AllLayers, "0": 0, "27": 27} {
		var c Config
		if err := numGPU.Set(&c, in); err != nil || c.NumGPU != want {
			t.Errorf("num_gpu %q = %d, %v; want %d", in, c.NumGPU, err, want)
		}
	}
	for _, in := range []string{"", "-2", "many", "1.5"} {
		var c Config
		if err := numGPU.Set(&c, in); !IsInputError(err) {
			t.Errorf("num_gpu %q: %v, want an input error", in, err)
		}
	}
}

// The grid varies the first axis slowest, as llama-bench does, and cuts a micro-batch above its batch to the batch.
func TestGridVariesTheFirstAxisSlowest(t *testing.T) {
	axes := []Axis{{SettingNamed("num_gpu"), []string{"0", "1", "all"}}, {SettingNamed("num_ctx"), []string{"256", "512"}},
		{SettingNamed("batch"), []string{"64"}}, {SettingNamed("ubatch"), []string{"512"}}}
	grid, err := Grid(DefaultConfig(), axes)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range grid {
		got = append(got, Describe(c, []*Setting{SettingNamed("num_gpu"), SettingNamed("num_ctx"), SettingNamed("ubatch")}))
	}
	want := []string{"num_gpu=0 num_ctx=256 ubatch=64", "num_gpu=0 num_ctx=512 ubatch=64", "num_gpu=1 num_ctx=256 ubatch=64",
		"num_gpu=1 num_ctx=512 ubatch=64", "num_gpu=all num_ctx=256 ubatch=64", "num_gpu=all num_ctx=512 ubatch=64"}
	if !slices.Equal(got, want) {
		t.Errorf("grid %q, want %q", got, want)
	}
}

func TestGridRefusesTooManyConfigurationsWithTheirCount(t *testing.T) {
	thousand, _ := values("batch", "1-1000")
	_, err := Grid(DefaultConfig(), []Axis{{SettingNamed("batch"), thousand}, {SettingNamed("ubatch"), thousand}})
	if !IsInputError(err) || !strings.Contains(err.Error(), "1000000 configurations (batch 1000 × ubatch 1000)") {
		t.Errorf("a grid of a million: %v", err)
	}
}
