package artifacts

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"chimera/pipeline/stats"
)

// firstTokenRuns is a time to first token by engine and output length, three runs a cell: the output length
// moves nothing (the runs of 64 and 512 overlap), the engine halves the time.
var firstTokenRuns = [][]string{
	{"gpu", "64", "101"}, {"gpu", "64", "99"}, {"gpu", "64", "100"},
	{"gpu", "512", "100"}, {"gpu", "512", "102"}, {"gpu", "512", "98"},
	{"cpu", "64", "201"}, {"cpu", "64", "199"}, {"cpu", "64", "203"},
	{"cpu", "512", "197"}, {"cpu", "512", "200"}, {"cpu", "512", "202"},
}

func firstTokenRelation(rows [][]string) *relation {
	return newRelation("r.csv", nil, KindCSV, tableOf([]string{"engine", "max_tokens", "first_token_ms"}, rows...))[0]
}

func TestASettingThatMovesAMeasureNowhereIsPooledForIt(t *testing.T) {
	rel := firstTokenRelation(firstTokenRuns)
	pooled := rel.pooledDimsOf(rel.measureNamed("first_token_ms"))
	tokens := pooled[rel.dimNamed("max_tokens")]
	if tokens == nil || !slices.Equal(tokens.distinct(), []string{"64 or 512"}) {
		t.Fatalf("max_tokens pooled as %v, want one level 64 or 512", tokens)
	}
	if _, ok := pooled[rel.dimNamed("engine")]; ok {
		t.Error("the engine, which halves the time, pooled")
	}
	// Broken down by engine over the pooled runs: one cell, six runs a side.
	m, engine := rel.measureNamed("first_token_ms"), rel.dimNamed("engine")
	ss := rel.subspacesOf(engine, withPooled(rel.independentDims(), pooled, engine)).series(m, engine)
	if len(ss) != 1 || ss[0].subspace != "max_tokens=64 or 512" {
		t.Fatalf("series %v, want one at max_tokens=64 or 512", ss)
	}
	for _, pt := range ss[0].points {
		var runs []float64
		for _, r := range firstTokenRuns {
			if r[0] == pt.level {
				runs = append(runs, parseCell(r[2]).value)
			}
		}
		if pt.n != 6 || pt.mean != stats.Mean(runs) {
			t.Errorf("%s: n %d mean %v, want the 6 runs' mean %v", pt.level, pt.n, pt.mean, stats.Mean(runs))
		}
	}
}

func TestASettingThatMovesAMeasureSomewhereIsNotPooled(t *testing.T) {
	rows := slices.Clone(firstTokenRuns)
	for i, r := range rows {
		if r[0] == "cpu" && r[1] == "512" {
			rows[i] = []string{r[0], r[1], fmt.Sprint(parseCell(r[2]).value + 100)} // long outputs now slow on cpu
		}
	}
	rel := firstTokenRelation(rows)
	if pooled := rel.pooledDimsOf(rel.measureNamed("first_token_ms")); len(pooled) > 0 {
		t.Errorf("pooled %v although max_tokens moves the cpu's time", pooled)
	}
}

func TestASettingOfSingleRunsIsNotPooled(t *testing.T) {
	rel := firstTokenRelation([][]string{{"gpu", "64", "100"}, {"gpu", "512", "101"}, {"cpu", "64", "200"}, {"cpu", "512", "199"}})
	if pooled := rel.pooledDimsOf(rel.measureNamed("first_token_ms")); len(pooled) > 0 {
		t.Errorf("pooled %v over single runs, whose noise nothing states", pooled)
	}
}

// The effect pairs the table's own cells first; where its sign test says nothing, the pooled cells' own tests
// speak: here the engine matters at long prompts only.
func TestFindEffectFallsBackOnPooledCellsTestedOneByOne(t *testing.T) {
	var rows [][]string
	gpuLong := []float64{500, 505, 495, 502, 498, 500}
	cpuLong := []float64{1000, 1010, 990, 1005, 995, 1000}
	for i, out := range []string{"64", "64", "64", "512", "512", "512"} {
		rows = append(rows,
			[]string{"gpu", "short", out, fmt.Sprint(100 + i%3)}, []string{"cpu", "short", out, fmt.Sprint(101 - i%3)},
			[]string{"gpu", "long", out, fmt.Sprint(gpuLong[i])}, []string{"cpu", "long", out, fmt.Sprint(cpuLong[i])})
	}
	rel := newRelation("r.csv", nil, KindCSV, tableOf([]string{"engine", "prompt_kind", "max_tokens", "first_token_ms"}, rows...))[0]
	m, by := rel.measureNamed("first_token_ms"), rel.dimNamed("engine")
	dims := rel.independentDims()
	b := breakdown{cells: rel.subspacesOf(by, dims).series(m, by),
		series: rel.subspacesOf(by, withPooled(dims, rel.pooledDimsOf(m), by)).series(m, by)}
	in := findEffect(rel, m, by, b)
	if in == nil {
		t.Fatal("no effect")
	}
	p := stats.Welch(gpuLong, cpuLong).P
	assertInOrder(t, in.text.String(), []string{"lower in 1 of 2 matched cells", "yet beyond noise in 1 cell by their own tests (Bonferroni over 2 cells",
		fmt.Sprintf("prompt_kind=long, max_tokens=64 or 512 %.0f → %.0f", stats.Mean(cpuLong), stats.Mean(gpuLong))})
	if want := 1 - 2*p; math.Abs(in.significance-want) > 1e-9 {
		t.Errorf("significance %v, want 1 − 2 × Welch p = %v", in.significance, want)
	}
}

// pooledDimsOf pools a measure over the relation's independent dimensions.
func (rel *relation) pooledDimsOf(m *measure) map[*dimension]*dimension {
	dims := rel.independentDims()
	within, cells := make([]subspaces, len(dims)), make([][]*series, len(dims))
	for i, d := range dims {
		within[i] = rel.subspacesOf(d, dims)
		cells[i] = within[i].series(m, d)
	}
	return rel.pooledDims(dims, within, cells)
}

// Ten engines, each with the same two output lengths: one engine's runs differ at p between 0.05 / 10 and 0.05,
// as one group in ten does by chance. Tested ten times over, the length is still inert at the 0.05 level.
func TestPoolingHoldsManyGroupsToTheLevelOverTheirNumber(t *testing.T) {
	short, long := []float64{100, 101, 102}, []float64{102.5, 103.5, 104.5}
	groups := 10
	if p := stats.Welch(short, long).P; !stats.Significant(p) || p < stats.SignificanceLevel/float64(groups) {
		t.Fatalf("the chance group's p = %v: not between the corrected and the plain level", p)
	}
	var rows [][]string
	for g := range groups {
		second := short
		if g == 0 {
			second = long
		}
		for i := range short {
			engine := fmt.Sprintf("e%d", g)
			rows = append(rows, []string{engine, "64", fmt.Sprint(short[i])}, []string{engine, "512", fmt.Sprint(second[i])})
		}
	}
	rel := firstTokenRelation(rows)
	if rel.pooledDimsOf(rel.measureNamed("first_token_ms"))[rel.dimNamed("max_tokens")] == nil {
		t.Error("max_tokens not pooled: one group in ten at p < 0.05 taken for an effect")
	}
}
