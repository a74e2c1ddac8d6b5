package artifacts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPathSettings(t *testing.T) {
	for _, c := range []struct {
		path, template string
		settings       []pathSetting
	}{
		{"run_gpu80_ctx512_temp0p8/results.json", "{gpu,ctx,temp}/results.json",
			[]pathSetting{{"gpu", "80"}, {"ctx", "512"}, {"temp", "0.8"}}},
		{"bvc_gpu120_ctx1024_temp0p6/run_1/metrics.json", "{gpu,ctx,temp,variant}/run_*/metrics.json",
			[]pathSetting{{"gpu", "120"}, {"ctx", "1024"}, {"temp", "0.6"}, {"variant", "bvc"}}},
		{"ngl-99/bench.csv", "{ngl}/bench.csv", []pathSetting{{"ngl", "99"}}},
		{"num_gpu=80/x.json", "{num_gpu}/x.json", []pathSetting{{"num_gpu", "80"}}},
		{"m__q4_k_m__rocm6_4_4__fa1.log", "m__{quant}__{backend}__{fa}.log",
			[]pathSetting{{"quant", "q4_k_m"}, {"backend", "rocm6_4_4"}, {"fa", "1"}}},
		{"ollama/20251002-151824/summary.json", "ollama/*-*/summary.json", nil},
	} {
		settings, template := pathSettings(c.path)
		if template != c.template || !slices.Equal(settings, c.settings) {
			t.Errorf("pathSettings(%q) = %v, %q; want %v, %q", c.path, settings, template, c.settings, c.template)
		}
	}
}

func TestASweepIsOneRelationWithItsPathSettingsAndTheUnionOfItsColumns(t *testing.T) {
	a := &FileFacts{Path: "run_gpu80_ctx512/r.csv", Kind: KindCSV}
	b := &FileFacts{Path: "run_gpu40_ctx512/r.csv", Kind: KindCSV}
	other := &FileFacts{Path: "notes/r.csv", Kind: KindCSV}
	ta := tableOf([]string{"tokens_s", "llm_note"}, []string{"50.0", "fine"})
	tb := tableOf([]string{"tokens_s"}, []string{"30.0"})
	sweeps, singles := findSweeps([]fileTable{{a, ta}, {b, tb}, {other, tb}})
	if len(sweeps) != 1 || len(singles) != 1 || singles[0].file != other {
		t.Fatalf("%d sweeps, singles %v", len(sweeps), singles)
	}
	st := sweeps[0].table()
	if want := []string{"gpu", "ctx", "tokens_s", "llm_note"}; !slices.Equal(st.columns, want) {
		t.Fatalf("columns %v, want %v", st.columns, want)
	}
	if !slices.Equal(st.records[1].cells, []string{"40", "512", "30.0", ""}) {
		t.Errorf("second row %v", st.records[1].cells)
	}
	if src := sweeps[0].sources(); !slices.Equal(src, []string{"run_gpu*0_ctx512/r.csv", a.Path, b.Path}) {
		t.Errorf("sources %v", src)
	}
}

func TestFilesOfOneShapeThatDifferByNameAreComparedByName(t *testing.T) {
	// One verbose log per model, two calls each: the models are told apart by the files' names only.
	log := func(rates ...string) string {
		var b strings.Builder
		for _, r := range rates {
			fmt.Fprintf(&b, "eval count:           200 token(s)\neval rate:            %s tokens/s\n", r)
		}
		return b.String()
	}
	facts := factsFor(t, map[string]string{
		"llama3.1-8b.txt": log("96.52", "96.10", "96.43"),
		"mistral-7b.txt":  log("101.79", "102.94", "101.36"),
		"notes/other.txt": log("50.00", "51.00", "52.00"), // another folder: not one of them
	})
	llama, mistral := (96.52+96.10+96.43)/3, (101.79+102.94+101.36)/3
	var compared []string
	for _, f := range facts {
		if strings.Contains(f.Text, "eval rate") && strings.Contains(f.Text, "mistral") && strings.Contains(f.Text, "llama3.1") {
			compared = append(compared, f.Text)
		}
	}
	if len(compared) == 0 {
		t.Fatalf("no fact compares the two files: %v", facts)
	}
	want := []string{fmt.Sprintf("%.2f", llama), fmt.Sprintf("%.2f", mistral), "Welch p"}
	if !slices.ContainsFunc(compared, func(text string) bool {
		return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(text, w) }) && !strings.Contains(text, "other")
	}) {
		t.Errorf("no comparison prints %v: %q", want, compared)
	}
}

func TestAFileWithSeveralTablesOfOneShapeIsNoSweepOfFiles(t *testing.T) {
	a := &FileFacts{Path: "alpha.md", Kind: KindMarkdown}
	tb := tableOf([]string{"tokens_s"}, []string{"30.0"})
	sweeps, singles := findNamedSweeps([]fileTable{{a, tb}, {a, tb}})
	if len(sweeps) != 0 || len(singles) != 2 {
		t.Errorf("%d sweeps, %d singles", len(sweeps), len(singles))
	}
}
