package artifacts

import (
	"slices"
	"testing"
)

// tableOf builds a table from its header and rows.
func tableOf(columns []string, rows ...[]string) *table {
	t := &table{name: "t", columns: columns}
	for _, r := range rows {
		t.addRow(r)
	}
	return t
}

func dimNames(dims []*dimension) []string {
	var names []string
	for _, d := range dims {
		names = append(names, d.name)
	}
	return names
}

func measureNames(rel *relation) []string {
	var names []string
	for _, m := range rel.measures {
		names = append(names, m.name)
	}
	return names
}

func (rel *relation) measureNamed(name string) *measure {
	for _, m := range rel.measures {
		if m.name == name {
			return m
		}
	}
	return nil
}

func (rel *relation) dimNamed(name string) *dimension {
	for _, d := range rel.dims {
		if d.name == name {
			return d
		}
	}
	return nil
}

func TestNewRelationClassifiesColumnsAndAttachesSpreads(t *testing.T) {
	tb := tableOf([]string{"git_sha", "model", "n_gpu_layers", "avg_ts", "stddev_ts"},
		[]string{"abc123", "llama", "0", "10.5", "0.2"},
		[]string{"abc123", "llama", "99", "80.25", "1.5"},
		[]string{"abc123", "qwen", "99", "12.0", "0.3"})
	rel := newRelation("bench.csv", nil, KindCSV, tb)[0]

	if got, want := dimNames(rel.dims), []string{"model", "n_gpu_layers"}; !slices.Equal(got, want) {
		t.Errorf("dimensions = %v, want %v (the commit hash identifies, the layer count is a setting)", got, want)
	}
	if got, want := measureNames(rel), []string{"avg_ts"}; !slices.Equal(got, want) {
		t.Fatalf("measures = %v, want %v (stddev_ts is avg_ts's spread)", got, want)
	}
	if d := rel.dimNamed("n_gpu_layers"); !d.ordered {
		t.Errorf("n_gpu_layers is not ordered; its levels are all numbers")
	}
	m := rel.measures[0]
	for row, want := range []float64{0.2, 1.5, 0.3} {
		if m.cells[row].sd != want {
			t.Errorf("avg_ts row %d sd = %v, want %v from stddev_ts", row, m.cells[row].sd, want)
		}
	}
	if m.direction != 1 {
		t.Errorf("avg_ts direction = %d, want +1 (a rate)", m.direction)
	}
}

func TestNewRelationFillsDownBlankDimensionsOfMarkdownTablesOnly(t *testing.T) {
	rows := [][]string{{"llama", "Q4_0", "100"}, {"", "Q8_0", "80"}, {"qwen", "Q4_0", "20"}, {"", "Q8_0", "12"}}
	tests := []struct {
		kind string
		want []string
	}{
		{KindMarkdown, []string{"llama", "llama", "qwen", "qwen"}},
		{KindCSV, []string{"llama", "", "qwen", ""}},
	}
	for _, tt := range tests {
		rel := newRelation("r", nil, tt.kind, tableOf([]string{"model", "quant", "tok/s"}, rows...))[0]
		if got := rel.dimNamed("model").levels; !slices.Equal(got, tt.want) {
			t.Errorf("%s: model levels = %q, want %q", tt.kind, got, tt.want)
		}
	}
}

func TestDirectionOf(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"avg_ts", 1},
		{"tokens/s", 1},
		{"Throughput", 1},
		{"ttft_ms", -1},
		{"load_s", -1},
		{"peak memory", -1},
		{"power W", -1},
		{"time per token", -1},
		{"tokens_s", 1},
		{"Memory bandwidth (GB/s)", 1},
		{"Efficiency (tok/s per W)", 1},
		{"cache_miss_rate", -1},
		{"failure_rate", -1},
		{"requests_per_s", 1},
		{"Prefill in ms per request, higher is better", 1},
		{"mean_tokens_s", 1},
		{"request_output_throughput_token_per_s", 1},
		{"count", 0},
	}
	for _, tt := range tests {
		if got := directionOf(tt.text); got != tt.want {
			t.Errorf("directionOf(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestUnitInText(t *testing.T) {
	tests := []struct{ text, want string }{
		{"TTFT (ms)", "ms"},
		{"Mem [MB]", "MB"},
		{"Decode speed in tokens/s", "tok/s"},
		{"Throughput (tokens per second)", "tok/s"},
		{"model", ""},
		{"ms per token", ""}, // a unit of two letters or fewer counts only in brackets
	}
	for _, tt := range tests {
		if got := unitInText(tt.text); got != tt.want {
			t.Errorf("unitInText(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestNewRelationDropsAMeasureThatRestatesAnother(t *testing.T) {
	// avg_ns = 1e9 / avg_ts per token: the same ranking reversed, so it restates avg_ts. avg_ms ranks the rows
	// 2, 3, 1 and power_w 2, 1, 3 against avg_ts's 1, 2, 3: quantities of their own.
	tb := tableOf([]string{"model", "avg_ts", "avg_ns", "avg_ms", "power_w"},
		[]string{"a", "100", "10000000", "30", "300"},
		[]string{"b", "200", "5000000", "35", "250"},
		[]string{"c", "400", "2500000", "25", "350"})
	rel := newRelation("r", nil, KindCSV, tb)[0]
	if got, want := measureNames(rel), []string{"avg_ts", "avg_ms", "power_w"}; !slices.Equal(got, want) {
		t.Errorf("measures = %v, want %v", got, want)
	}
}

func TestNewRelationDropsConstantsAndNestedSettings(t *testing.T) {
	rel := newRelation("r.json", nil, KindJSON, tableOf([]string{"options.temperature", "opset", "tokens_s"},
		[]string{"0.3", "17", "50.0"}, []string{"0.8", "17", "55.0"}))[0]
	if got := measureNames(rel); !slices.Equal(got, []string{"tokens_s"}) {
		t.Errorf("measures %v: opset is constant, options.temperature a setting", got)
	}
	if rel.dimNamed("options.temperature") == nil {
		t.Errorf("dimensions %v lack the nested temperature", dimNames(rel.dims))
	}
}

func TestNewRelationIgnoresTimestampsAsLevels(t *testing.T) {
	rel := newRelation("r.json", nil, KindJSON, tableOf([]string{"execution_time", "latency_ms"},
		[]string{"2025-10-04 13:37:17.003914", "10"}, []string{"2025-10-04 13:37:18.003927", "12"}))[0]
	if len(rel.dims) != 0 {
		t.Errorf("dimensions %v", dimNames(rel.dims))
	}
}

// A card's VRAM and its power limit are specs of the configuration, whole numbers, not results with a better
// end: they are dimensions. The VRAM a run used is a measure, in GB as written, and so is a VRAM of 1.5 GB,
// what a model took.
func TestCapacitiesDescribeTheConfiguration(t *testing.T) {
	tb := tableOf([]string{"GPU", "VRAM", "Power limit (W)", "VRAM used", "tg128"},
		[]string{"RTX 4090", "24 GB", "450", "10.5 GB", "127.4 t/s"},
		[]string{"RTX 4070 Ti", "12 GB", "285", "10.4 GB", "82.3 t/s"},
		[]string{"Arc A770", "16 GB", "225", "11.1 GB", "41.2 t/s"})
	rel := newRelation("README.md", nil, KindMarkdown, tb)[0]
	if got, want := dimNames(rel.dims), []string{"GPU", "VRAM", "Power limit (W)"}; !slices.Equal(got, want) {
		t.Errorf("dimensions = %v, want %v", got, want)
	}
	if got, want := measureNames(rel), []string{"VRAM used", "tg128"}; !slices.Equal(got, want) {
		t.Fatalf("measures = %v, want %v", got, want)
	}
	if unit := rel.measures[0].unit; unit != "GB" {
		t.Errorf("VRAM used in %q, want GB", unit)
	}
	models := newRelation("README.md", nil, KindMarkdown, tableOf([]string{"Model", "VRAM (GB)", "Throughput (tok/s)"},
		[]string{"270m", "1.5", "303.9"}, []string{"1b", "2.5", "187.2"}, []string{"4b", "5.3", "102.31"}))[0]
	if got, want := measureNames(models), []string{"VRAM (GB)", "Throughput (tok/s)"}; !slices.Equal(got, want) {
		t.Errorf("measures = %v, want %v", got, want)
	}
}
