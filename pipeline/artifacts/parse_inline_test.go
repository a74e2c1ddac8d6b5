package artifacts

import (
	"slices"
	"testing"
)

func TestPythonLiteralAsJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{'host': 'it\'s "x"', 'ok': True, 'err': None, 'n': 3}`: `{"host": "it's \"x\"", "ok": true, "err": null, "n": 3}`,
		`{"already": "json", "Truer": false}`:                    `{"already": "json", "Truer": false}`,
		`{"quote": "a 'word' in it"}`:                            `{"quote": "a 'word' in it"}`,
	} {
		if got := pythonLiteralAsJSON(in); got != want {
			t.Errorf("pythonLiteralAsJSON(%s) = %s, want %s", in, got, want)
		}
	}
}

// A training log prints its device's state as a Python dict and an event as JSON: both are records of one
// table, beside the "key: value" measurements.
func TestParseTextReadsObjectsPrintedOnALine(t *testing.T) {
	f := mustParseText(t, "step time: 120 ms\n"+
		"{'device': 'cuda:0', 'vram_used': '1500 MiB', 'busy': True}\n"+
		"step time: 118 ms\n"+
		`{"device": "cuda:0", "vram_used": "2100 MiB", "busy": false}`+"\n"+
		"{not an object}\n")
	if len(f.tables) != 2 {
		t.Fatalf("%d tables, want the step times and the objects", len(f.tables))
	}
	objects := f.tables[1]
	if want := []string{"busy", "device", "vram_used"}; !slices.Equal(objects.columns, want) {
		t.Fatalf("columns %q, want %q", objects.columns, want)
	}
	for _, want := range [][]string{{"true", "cuda:0", "1500 MiB"}, {"false", "cuda:0", "2100 MiB"}} {
		if i := slices.IndexFunc(objects.records, func(r record) bool { return slices.Equal(r.cells, want) }); i < 0 {
			t.Errorf("no record %q among %v", want, objects.records)
		}
	}
}
