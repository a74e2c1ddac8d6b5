package artifacts

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzFactsTree runs the whole path, Ingest, BuildFacts, WriteFactsText and the report's JSON, on a small tree
// of artifacts that the input decides (see fuzzTree), and checks what any report must hold (see
// checkTreeReport). Trees stay small, so that scripts/fuzz.sh's 100000 runs take minutes.
func FuzzFactsTree(f *testing.F) {
	for _, seed := range fuzzTreeSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		writeFiles(t, dir, fuzzTree(&treeDice{data: data}))
		inv, err := Ingest([]string{dir}, Limits{})
		if err != nil {
			return // nothing parsed: every file was skipped
		}
		checkTableValues(t, inv)
		report := BuildFacts(inv)
		if err := WriteFactsText(io.Discard, report); err != nil {
			t.Fatal(err)
		}
		checkTreeReport(t, report)
	})
}

// zonelessCSVSeed makes one CSV file, a.csv at the root, of a time column of date-times without a zone and a
// tokens_s column: the tree that once crashed addLatestTimestamp (see TestFuzzTreeSeeds).
var zonelessCSVSeed = []byte{
	0,    // 1 file
	0,    // at the root
	0, 0, // named "a", a CSV file
	1, 8, 9, // 2 columns: time and tokens_s
	2,                         // 2 rows
	1, 0, 0, 0, 32, 1, 245, 3, // 2 cells: 2025-11-10 12:00:00 and (1·256+245)/10
	1, 0, 0, 1, 32, 2, 1, 3, // 2025-11-10 12:01:00 and (2·256+1)/10
}

var fuzzTreeSeeds = [][]byte{
	zonelessCSVSeed,
	[]byte("a tree of whatever these bytes make of it, six files at most"),
	{5, 2, 3, 1, 4, 2, 1, 0, 7, 29, 3, 3, 3, 8, 1, 2, 9, 40, 41, 5, 6, 7, 2, 2, 3, 4, 5, 4, 3, 2, 1, 9, 9, 9, 200, 100, 50},
	bytes.Repeat([]byte{3, 1, 2, 5, 4, 6, 7, 0, 11, 250}, 30),
}

// The seeds make the trees they are named for.
func TestFuzzTreeSeeds(t *testing.T) {
	tree := fuzzTree(&treeDice{data: zonelessCSVSeed})
	want := "time,tokens_s\n2025-11-10 12:00:00,50.1\n2025-11-10 12:01:00,51.3\n"
	if len(tree) != 1 || tree["a.csv"] != want {
		t.Errorf("zoneless seed makes %q, want a.csv holding %q", tree, want)
	}
}

// treeDice draws the choices that make a tree from the fuzz input, a byte per choice; an input that has run
// out draws zeros.
type treeDice struct{ data []byte }

func (d *treeDice) roll(n int) int {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return int(b) % n
}

func pick[T any](d *treeDice, options []T) T { return options[d.roll(len(options))] }

const (
	maxFuzzFiles   = 6
	maxFuzzDepth   = 3
	maxFuzzRows    = 30
	maxFuzzColumns = 6
)

// Names of folders and files: settings written into paths, unicode, and names that families share.
var (
	fuzzDirs       = []string{"gpu80_ctx512", "ngl-99", "q4_k_m", "ünïcødé", "模型 ctx=4096", "run 2"}
	fuzzBases      = []string{"a", "results", "summary", "llama-bench", "ollama verbose", "报告"}
	fuzzExtensions = []string{".csv", ".json", ".jsonl", ".md", ".log", ".txt", ".out", ""}
	fuzzColumns    = []string{"model", "backend", "quant", "num_gpu", "num_ctx", "temperature", "ngl", "test", "time",
		"tokens_s", "t/s", "eval rate", "ttft_ms", "load_s", "tokens_s", "eval_count", "prompt_eval_count", "created_at",
		"status", "error", "success", "speedup", "efficiency", "kernel_name", "gpu__time_duration.sum", "completed"}
	fuzzCells = []string{"2025-11-10T12:00:00Z", "2025-11-10 12:00:00", "1762776000", "1762776000000", "", "NaN",
		"1e308", "-1e308", "-5", "12.3 ± 0.4", "OOM", "N/A", "-", "**bold**", "1,234", "45%", "0", "failed", "false",
		"q4_k_m", "llama 8B Q4_K - Medium", "pp512", "tg128", "1.5 ms", "66.97 tokens/s", "timeout", "true", "null",
		"2025-11-10T13:30:00.5+02:00", "inf"}
)

// fuzzTree draws up to maxFuzzFiles files, by path relative to the tree's root. Two draws of one path keep the
// first.
func fuzzTree(d *treeDice) map[string]string {
	files := map[string]string{}
	for range 1 + d.roll(maxFuzzFiles) {
		p, ext := fuzzPath(d)
		if _, taken := files[p]; !taken {
			files[p] = fuzzContent(d, ext)
		}
	}
	return files
}

func fuzzPath(d *treeDice) (string, string) {
	var segments []string
	for range d.roll(maxFuzzDepth) {
		segments = append(segments, pick(d, fuzzDirs))
	}
	base, ext := pick(d, fuzzBases), pick(d, fuzzExtensions)
	return path.Join(append(segments, base+ext)...), ext
}

func fuzzContent(d *treeDice, ext string) string {
	switch ext {
	case ".csv":
		return fuzzCSV(d)
	case ".json":
		return fuzzJSON(d)
	case ".jsonl":
		return fuzzJSONL(d)
	case ".md":
		return fuzzMarkdown(d)
	default:
		return fuzzLog(d)
	}
}

// fuzzCell draws a cell of fuzzCells, a date-time without a zone that varies, or a number of any size.
func fuzzCell(d *treeDice) string {
	switch c := d.roll(64); {
	case c < 2:
		return fmt.Sprintf("2025-11-%02d 12:%02d:00", 10+d.roll(20), d.roll(60))
	case c < 2+len(fuzzCells):
		return fuzzCells[c-2]
	default:
		return fuzzNumber(d)
	}
}

// fuzzNumber draws a number of up to five digits, times 10⁻⁴ to 10⁴.
func fuzzNumber(d *treeDice) string {
	n := float64(d.roll(256)<<8 | d.roll(256))
	if exponent := d.roll(9) - 4; exponent < 0 {
		n /= math.Pow(10, float64(-exponent))
	} else {
		n *= math.Pow(10, float64(exponent))
	}
	return strconv.FormatFloat(n, 'g', -1, 64)
}

func fuzzHeader(d *treeDice) []string {
	header := make([]string, 1+d.roll(maxFuzzColumns))
	for i := range header {
		header[i] = pick(d, fuzzColumns)
	}
	return header
}

// fuzzRows draws up to maxFuzzRows rows, ragged: one cell fewer to one more than the header has.
func fuzzRows(d *treeDice, width int) [][]string {
	rows := make([][]string, d.roll(maxFuzzRows+1))
	for i := range rows {
		rows[i] = make([]string, max(1, width-1+d.roll(3)))
		for j := range rows[i] {
			rows[i][j] = fuzzCell(d)
		}
	}
	return rows
}

func fuzzCSV(d *treeDice) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	header := fuzzHeader(d)
	w.Write(header)
	w.WriteAll(fuzzRows(d, len(header)))
	return b.String()
}

// fuzzRecords draws JSON records: a number where the cell is one in JSON, text otherwise, and a key left
// out now and then.
func fuzzRecords(d *treeDice) []map[string]any {
	header := fuzzHeader(d)
	var records []map[string]any
	for _, row := range fuzzRows(d, len(header)) {
		record := map[string]any{}
		for i, cell := range row[:min(len(row), len(header))] {
			record[header[i]] = jsonCell(cell)
		}
		records = append(records, record)
	}
	return records
}

func jsonCell(cell string) any {
	if _, err := strconv.ParseFloat(cell, 64); err == nil && json.Valid([]byte(cell)) {
		return json.Number(cell)
	}
	return cell
}

// fuzzJSON nests the records under up to 70 levels of objects and arrays, past maxJSONDepth.
func fuzzJSON(d *treeDice) string {
	var v any = map[string]any{"results": fuzzRecords(d), "created_at": jsonCell(fuzzCell(d))}
	for range d.roll(71) {
		if d.roll(2) == 0 {
			v = []any{v}
		} else {
			v = map[string]any{pick(d, fuzzColumns): v}
		}
	}
	return mustJSON(v)
}

func fuzzJSONL(d *treeDice) string {
	var b strings.Builder
	for _, r := range fuzzRecords(d) {
		b.WriteString(mustJSON(r) + "\n")
	}
	return b.String()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func fuzzMarkdown(d *treeDice) string {
	var b strings.Builder
	for range 1 + d.roll(3) {
		if d.roll(2) == 0 {
			b.WriteString("## " + pick(d, fuzzDirs) + "\n\n" + fuzzPipeTable(d) + "\n")
		} else {
			b.WriteString(fuzzLog(d))
		}
	}
	return b.String()
}

func fuzzPipeTable(d *treeDice) string {
	header := fuzzHeader(d)
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|" + strings.Repeat(" --- |", len(header)) + "\n")
	for _, row := range fuzzRows(d, len(header)) {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// fuzzLog draws the saved output of benchmark tools: llama-bench's table, Ollama's --verbose timings, llama.cpp's
// performance lines, "name = value" labels, colours and prose.
func fuzzLog(d *treeDice) string {
	var b strings.Builder
	for range 1 + d.roll(4) {
		b.WriteString(pick(d, fuzzLogParts)(d))
	}
	return b.String()
}

var fuzzLogParts = []func(*treeDice) string{
	fuzzPipeTable,
	func(d *treeDice) string {
		return fmt.Sprintf("total duration:       %s\nload duration:        %s\nprompt eval count:    %s token(s)\n"+
			"eval count:           %s token(s)\neval duration:        %s\neval rate:            %s tokens/s\n",
			pick(d, fuzzDurations), pick(d, fuzzDurations), fuzzCell(d), fuzzCell(d), pick(d, fuzzDurations), fuzzCell(d))
	},
	func(d *treeDice) string {
		return fmt.Sprintf("llama_perf_context_print:        eval time = %10s ms / %5s runs   (%8s ms per token, %8s tokens per second)\n",
			fuzzCell(d), fuzzCell(d), fuzzCell(d), fuzzCell(d))
	},
	func(d *treeDice) string { return "model_name =    " + pick(d, fuzzCells) + "\n" },
	func(d *treeDice) string { return pick(d, fuzzColumns) + ": " + fuzzCell(d) + "\n" },
	func(d *treeDice) string {
		return "\x1b[1;32m" + pick(d, fuzzColumns) + "\x1b[0m: " + fuzzCell(d) + "\n"
	},
	func(d *treeDice) string { return "build: 1a68ec937 (9193) " + fuzzCell(d) + "\n\n" },
}

var fuzzDurations = []string{"1.695155875s", "19.845458ms", "1m2.5s", "850µs", "0s", "-3s", "NaN", "1e308s", ""}

// checkTreeReport asserts what every report must hold: it encodes as JSON, fact IDs are unique and every
// number of a fact is printed in its text (checkFacts); every value and number is finite; and every source is
// a parsed file, a pattern that matches one, a folder that holds one, or "." for the whole inventory.
func checkTreeReport(t *testing.T, r *FactsReport) {
	t.Helper()
	checkFacts(t, r)
	for _, f := range r.Facts {
		if !isFinite(f.Value) || slices.ContainsFunc(f.Numbers, func(x float64) bool { return !isFinite(x) }) {
			t.Errorf("fact %q: value %g, numbers %v are not all finite", f.ID, f.Value, f.Numbers)
		}
		for _, source := range append([]string{f.Source}, f.Sources...) {
			if !namesParsedFiles(source, r.Files) {
				t.Errorf("fact %q: source %q names no parsed file", f.ID, source)
			}
		}
	}
}

func namesParsedFiles(source string, files []FileFacts) bool {
	return source == "." || slices.ContainsFunc(files, func(f FileFacts) bool {
		matched, _ := path.Match(source, f.Path)
		return matched || strings.HasPrefix(f.Path, source+"/")
	})
}
