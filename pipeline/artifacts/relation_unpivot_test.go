package artifacts

import (
	"slices"
	"testing"
)

func TestNewRelationUnpivotsOnOffHeadersIntoTheSetting(t *testing.T) {
	tb := tableOf([]string{"model", "FlashAttn OFF", "FlashAttn ON"},
		[]string{"llama", "100.5", "120.5"},
		[]string{"qwen", "50.0", "65.0"})
	rels := newRelation("r.md", nil, KindMarkdown, tb)
	if len(rels) != 2 {
		t.Fatalf("got %d relations, want the table and its unpivoted group", len(rels))
	}
	if got := measureNames(rels[0]); len(got) != 0 {
		t.Errorf("the wide relation keeps measures %v, want them moved to the long one", got)
	}
	long := rels[1]
	if long.rows != 4 {
		t.Errorf("long rows = %d, want 2 rows × 2 levels = 4", long.rows)
	}
	fa := long.dimNamed("FlashAttn")
	if fa == nil {
		t.Fatalf("long dimensions = %v, want FlashAttn among them", dimNames(long.dims))
	}
	if want := []string{"OFF", "OFF", "ON", "ON"}; !slices.Equal(fa.levels, want) {
		t.Errorf("FlashAttn levels = %q, want %q", fa.levels, want)
	}
	if want := []string{"llama", "qwen", "llama", "qwen"}; !slices.Equal(long.dimNamed("model").levels, want) {
		t.Errorf("model levels = %q, want %q", long.dimNamed("model").levels, want)
	}
	var values []float64
	for _, c := range long.measures[0].cells {
		values = append(values, c.value)
	}
	if want := []float64{100.5, 50.0, 120.5, 65.0}; !slices.Equal(values, want) {
		t.Errorf("values = %v, want %v (each row once per level, in column order)", values, want)
	}
}

func TestNewRelationUnpivotsTestHeaders(t *testing.T) {
	tb := tableOf([]string{"model", "tg 512", "pp 1024"},
		[]string{"llama", "10", "100"},
		[]string{"qwen", "20", "200"})
	rels := newRelation("r.md", nil, KindMarkdown, tb)
	if len(rels) != 2 {
		t.Fatalf("got %d relations, want 2", len(rels))
	}
	long := rels[1]
	level := long.dims[len(long.dims)-1]
	if want := []string{"tg512", "tg512", "pp1024", "pp1024"}; !slices.Equal(level.levels, want) {
		t.Errorf("%s levels = %q, want %q", level.name, level.levels, want)
	}
}

func TestSplitHeader(t *testing.T) {
	tests := []struct {
		header      string
		base, level string
		switchLevel bool
		ok          bool
	}{
		{"FlashAttn ON", "FlashAttn", "ON", true, true},
		{"tg 512", "", "tg512", false, true},
		{"8B Q4_K_M", "", "8B Q4_K_M", false, true},
		{"tok/s pp512", "tok/s", "pp512", false, true},
		{"pp512 @ d4096", "", "pp512 @ d4096", false, true},
		{"ngl=99", "", "ngl=99", false, true},
		{"avg_ts", "", "", false, false},
	}
	for _, tt := range tests {
		h, ok := splitHeader(tt.header)
		if ok != tt.ok || h.base != tt.base || h.level != tt.level || h.switchLevel != tt.switchLevel {
			t.Errorf("splitHeader(%q) = %+v, %v; want base %q, level %q, switch %v, %v",
				tt.header, h, ok, tt.base, tt.level, tt.switchLevel, tt.ok)
		}
	}
}

func TestNewRelationUnpivotsJSONSidesIntoASideDimension(t *testing.T) {
	tb := tableOf([]string{"prompt_len", "baseline.tps", "baseline.ttft_ms", "candidate.tps", "candidate.ttft_ms"},
		[]string{"128", "50.0", "200", "60.0", "150"},
		[]string{"1024", "45.0", "900", "58.0", "600"})
	rels := newRelation("r.json", nil, KindJSON, tb)
	if len(rels) != 3 {
		t.Fatalf("got %d relations, want the table, its sides and the sides' prompt_len rates", len(rels))
	}
	long := rels[1]
	side := long.dimNamed("side")
	if side == nil {
		t.Fatalf("dimensions = %v, want side among them", dimNames(long.dims))
	}
	if want := []string{"baseline", "baseline", "candidate", "candidate"}; !slices.Equal(side.levels, want) {
		t.Errorf("side levels = %q, want %q", side.levels, want)
	}
	if got, want := measureNames(long), []string{"tps", "ttft_ms"}; !slices.Equal(got, want) {
		t.Fatalf("measures = %v, want %v", got, want)
	}
	var ttft []float64
	for _, c := range long.measureNamed("ttft_ms").cells {
		ttft = append(ttft, c.value)
	}
	if want := []float64{200, 900, 150, 600}; !slices.Equal(ttft, want) {
		t.Errorf("ttft_ms = %v, want %v", ttft, want)
	}
	if d := long.measureNamed("ttft_ms").direction; d != -1 {
		t.Errorf("ttft_ms direction = %d, want −1 carried from the sides' columns", d)
	}
}

func TestEntityColumnsUnderAQuantityHeadingBecomeADimension(t *testing.T) {
	f, err := parseMarkdown(`## Output tok/s

### Lane (input=1024)

| C | Max-Q | Workstation Edition | WS/Max-Q | Δ% | Max-Q runs | WS runs |
| --- | --- | --- | --- | --- | --- | --- |
| 1 | **59.43** | **63.50** | 1.068 | +6.8 | 59.80 / 59.43 / 59.30 | 63.53 / 63.48 / 63.50 |
| 8 | **324.48** | **368.42** | 1.135 | +13.5 | 324.74 / 324.45 / 324.48 | 368.50 / 368.42 / 368.24 |
`)
	if err != nil {
		t.Fatal(err)
	}
	rels := newRelation("c.md", nil, KindMarkdown, f.tables[0])
	if len(rels) != 2 || len(rels[0].measures) != 0 {
		t.Fatalf("want the wide table emptied and one long relation, got %d relations, wide measures %v", len(rels),
			measureNames(rels[0]))
	}
	long := rels[1]
	column := long.dimNamed("column")
	m := long.measureNamed("Output tok/s")
	if column == nil || m == nil {
		t.Fatalf("long relation has dimensions %v and measures %v", dimNames(long.dims), measureNames(long))
	}
	// Rows: Max-Q at C=1 and C=8, then Workstation Edition at C=1 and C=8; WS/Max-Q and Δ% compare, so they go.
	if !slices.Equal(column.levels, []string{"Max-Q", "Max-Q", "Workstation Edition", "Workstation Edition"}) {
		t.Errorf("levels %v", column.levels)
	}
	if m.unit != "tok/s" || m.direction != 1 {
		t.Errorf("unit %q, direction %d: the heading names tok/s", m.unit, m.direction)
	}
	// "WS runs" has no measure of its stem: it belongs to the first measure left without repetitions.
	if got := m.cells[3].runs; !slices.Equal(got, []float64{368.50, 368.42, 368.24}) {
		t.Errorf("Workstation Edition at C=8 has runs %v", got)
	}
}

func TestComparesColumns(t *testing.T) {
	for name, want := range map[string]bool{
		"Δ%": true, "WS/Max-Q": true, "Relative gain": true, "Δ (tok/s)": true, "ratio": true,
		"tok/s": false, "Max-Q": false, "TTFT (ms)": false, "avg_ts": false,
	} {
		if got := comparesColumns(name); got != want {
			t.Errorf("comparesColumns(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNumericHeadersAreTheLevelsOfAnOrderedDimension(t *testing.T) {
	// context sizes as headers beside two label columns; Qwen ran at 4096 and ran out of memory at 8192 only.
	rels := newRelation("t.md", nil, KindMarkdown, tableOf([]string{"Model", "Quant", "4096", "8192"},
		[]string{"Llama 3.1 8B", "Q8_0", "36.4", "OOM"},
		[]string{"Qwen2.5 14B", "Q4_K_M", "31.5", "OOM"},
		[]string{"Llama 3.1 8B", "Q4_K_M", "58.2", "56.9"}))
	var long *relation
	for _, rel := range rels {
		if d := rel.dimNamed("column"); d != nil {
			long = rel
		}
	}
	if long == nil {
		t.Fatalf("no relation with the headers as a dimension: %v", measureNames(rels[0]))
	}
	if d := long.dimNamed("column"); !d.ordered || !slices.Equal(d.distinct(), []string{"4096", "8192"}) {
		t.Errorf("column dimension %+v", d)
	}
	in := findFit(long)
	if in == nil {
		t.Fatal("no fit insight")
	}
	text := in.text.String()
	assertInOrder(t, text, []string{"2 of 6 configurations ran out of memory", "Model=Llama 3.1 8B, Quant=Q8_0, column=8192: out of memory",
		"Model=Qwen2.5 14B, Quant=Q4_K_M, column=8192: out of memory, while one setting away value was measured at column=4096 31.5"})
}
