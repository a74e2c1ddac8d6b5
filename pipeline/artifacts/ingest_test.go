package artifacts

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// sharedDataset is the benchmark-artifact dataset the original system was run on; tests that need it skip
// where it is absent. CHIMERA_REPORTS_DIR overrides its location.
func sharedDataset(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("CHIMERA_REPORTS_DIR"); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			t.Skipf("shared dataset not available: %v", err)
		}
		return dir
	}
	return sharedDatasetNamed(t, "chimera-reports")
}

// sharedDatasetNamed finds a shared dataset where workspaces keep it, /work/shared or ../../../shared beside
// the checkout; a test that needs it skips where neither holds it.
func sharedDatasetNamed(t *testing.T, name string) string {
	t.Helper()
	for _, root := range []string{"/work/shared", "../../../shared"} {
		dir := filepath.Join(root, "datasets", name)
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	t.Skipf("shared dataset %s not available", name)
	return ""
}

// writeFiles creates files under dir; a value starting with "->" makes a symlink to the rest.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func skipReasons(inv *Inventory) map[string]string {
	reasons := map[string]string{}
	for _, s := range inv.Skipped {
		reasons[s.Path] = s.Reason
	}
	return reasons
}

func filePaths(inv *Inventory) []string {
	paths := make([]string, len(inv.Files))
	for i, f := range inv.Files {
		paths[i] = f.Path
	}
	return paths
}

func TestIngestSkipsWithReasons(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.csv":              "x,y\n1,2\n",
		"b.csv":              "->a.csv",
		"sub/loop":           "->..",
		"self.csv":           "->self.csv",
		"gone.csv":           "->missing.csv",
		"bin.csv":            "x\x00y\n",
		"big.json":           `{"padding": "` + strings.Repeat("x", 100) + `"}`,
		"diagram.py":         "",
		"README":             "\x00binary", // a file of no known kind is read only when it holds text
		"empty.md":           "",
		"broken.json":        `{"a": `,
		"name\xff.txt":       "non-UTF-8 name",
		"utf16.csv":          "\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",
		"sub/notes.MARKDOWN": "# Notes\n",
	})
	inv, err := Ingest([]string{dir}, Limits{MaxFileBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"a.csv", "name\uFFFD.txt", "sub/notes.MARKDOWN", "utf16.csv"}
	if got := filePaths(inv); !slices.Equal(got, wantFiles) {
		t.Errorf("files %q, want %q", got, wantFiles)
	}
	wantSkipped := map[string]string{
		"README":      "no file extension",
		"b.csv":       "duplicate of a.csv (same sha256)",
		"big.json":    "larger than the 64-byte limit",
		"bin.csv":     "binary content",
		"broken.json": "invalid json: unexpected end of JSON input",
		"diagram.py":  "unsupported extension .py",
		"empty.md":    "empty file",
		"gone.csv":    "broken symlink",
		"self.csv":    "symlink loop",
		"sub/loop":    "symlink loop",
	}
	if got := skipReasons(inv); !maps.Equal(got, wantSkipped) {
		t.Errorf("skipped %q,\nwant %q", got, wantSkipped)
	}
	for _, f := range inv.Files {
		if !utf8.ValidString(f.Path) {
			t.Errorf("path %q is not valid UTF-8", f.Path)
		}
	}
	if utf16 := inv.Files[3]; utf16.Rows != 1 || !slices.Equal(utf16.Columns, []string{"a", "b"}) {
		t.Errorf("UTF-16 file: rows %d columns %q", utf16.Rows, utf16.Columns)
	}
}

func TestIngestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.csv": "a\n1\n", "locked.csv": "a\n2\n"})
	locked := filepath.Join(dir, "locked.csv")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(locked); err == nil {
		t.Skip("running with permission to read any file")
	}
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := skipReasons(inv)["locked.csv"]; got != "unreadable: permission denied" {
		t.Errorf("reason %q", got)
	}
}

func TestIngestFileLimit(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"1.csv": "a\n1\n", "2.csv": "a\n2\n", "3.csv": "a\n3\n"})
	inv, err := Ingest([]string{dir}, Limits{MaxFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Files) != 2 || len(inv.Notes) != 1 || !strings.Contains(inv.Notes[0], "stopped after 2 files; 3.csv") {
		t.Errorf("files %q notes %q", filePaths(inv), inv.Notes)
	}
	facts := BuildFacts(inv)
	if note := facts.Facts[0]; note.Kind != FactNote || !slices.Equal(note.Numbers, []float64{2}) {
		t.Errorf("first fact %+v, want the note about the limit", note)
	}
}

func TestIngestSeveralRoots(t *testing.T) {
	first, second := filepath.Join(t.TempDir(), "runs"), filepath.Join(t.TempDir(), "more")
	writeFiles(t, first, map[string]string{"a.csv": "a\n1\n"})
	writeFiles(t, second, map[string]string{"sub/b.json": `{"b": 2}`})
	inv, err := Ingest([]string{first, second}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := filePaths(inv); !slices.Equal(got, []string{"runs/a.csv", "more/sub/b.json"}) {
		t.Errorf("files %q", got)
	}
}

func TestIngestErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	if _, err := Ingest([]string{missing}, Limits{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v, want one naming %s", err, missing)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.py": "", "b.py": "", "c.bin": "x\x00"})
	_, err := Ingest([]string{dir}, Limits{})
	want := "no artifacts found in " + dir + " (3 files skipped: 2× unsupported extension .py, 1× unsupported extension .bin)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v,\nwant %s", err, want)
	}
}

func TestIngestSharedDataset(t *testing.T) {
	dir := sharedDataset(t)
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for _, f := range inv.Files {
		found[f.Kind]++
	}
	for _, s := range inv.Skipped {
		found[kindsByExtension[strings.ToLower(filepath.Ext(s.Path))]]++
	}
	want := map[string]int{KindCSV: 24, KindJSON: 30, KindMarkdown: 29, KindText: 3, "": 3}
	if len(found) != len(want) {
		t.Errorf("kinds found %v, want %v", found, want)
	}
	for kind, n := range want {
		if found[kind] != n {
			t.Errorf("%d %q files found, want %d", found[kind], kind, n)
		}
	}

	// The .py file is empty, but its extension already rules it out.
	if info, err := os.Stat(filepath.Join(dir, "integration/mcp_integration_diagram.py")); err != nil || info.Size() != 0 {
		t.Errorf("expected an empty .py file: %v", err)
	}
	wantSkipped := []SkippedFile{
		{Path: "integration/mcp_integration_diagram.py", Reason: "unsupported extension .py"},
		{Path: "ollama/ollama_benchmark_summary.md", Reason: "duplicate of llama3/ollama_benchmark_summary.md (same sha256)",
			DuplicateOf: "llama3/ollama_benchmark_summary.md"},
		{Path: "profiling/ncu_ollama.ncu-rep", Reason: "unsupported extension .ncu-rep"},
		{Path: "profiling/ncu_ollama.sqlite.ncu-rep", Reason: "unsupported extension .ncu-rep"},
	}
	if !slices.Equal(inv.Skipped, wantSkipped) {
		t.Errorf("skipped %+v,\nwant %+v", inv.Skipped, wantSkipped)
	}
	if len(inv.Files) != 85 {
		t.Errorf("%d files parsed, want 85", len(inv.Files))
	}
}

func TestIngestSharedDatasetEncodings(t *testing.T) {
	inv, err := Ingest([]string{sharedDataset(t)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]FileFacts{}
	for _, f := range inv.Files {
		files[f.Path] = f
	}
	// ncu_summary.csv is UTF-16 text whose byte order mark went through a Latin-1 round trip.
	if summary := files["profiling/ncu_summary.csv"]; len(summary.Columns) != 1 ||
		!strings.HasPrefix(summary.Columns[0], "==ERROR== the argument for option '--page' is invalid") {
		t.Errorf("ncu_summary.csv columns %q", summary.Columns)
	}
	raw := files["profiling/ncu_ollama_raw.csv"]
	if raw.Rows != 1 || raw.Fields["device__attribute_clock_rate"].Mean != 2280000 {
		t.Errorf("ncu raw export: rows %d, clock rate %+v", raw.Rows, raw.Fields["device__attribute_clock_rate"])
	}
}

func TestIngestSharedDatasetExcludesFailedPromptSuiteRows(t *testing.T) {
	inv, err := Ingest([]string{sharedDataset(t)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, f := range inv.Files {
		if ok, _ := filepath.Match("ollama/*/prompt_suite_runs.csv", f.Path); !ok {
			continue
		}
		matched++
		tokens, hasTokens := f.Fields["tokens_s"]
		switch f.Path {
		case "ollama/20251002-151824/prompt_suite_runs.csv":
			if f.Failures != 0 || tokens.N != 15 {
				t.Errorf("%s: failures %d, tokens_s n %d; want 0 and 15", f.Path, f.Failures, tokens.N)
			}
		default:
			if f.Failures != 15 || f.Rows != 15 || hasTokens {
				t.Errorf("%s: %d of %d rows failed, tokens_s present %t; want 15 of 15 and absent",
					f.Path, f.Failures, f.Rows, hasTokens)
			}
		}
	}
	if matched != 5 {
		t.Errorf("%d prompt-suite run files, want 5", matched)
	}
}

func TestIngestTenThousandSmallFiles(t *testing.T) {
	dir := t.TempDir()
	for i := range 10_000 {
		name := filepath.Join(dir, fmt.Sprintf("d%02d", i%100), fmt.Sprintf("run%05d.csv", i))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, fmt.Appendf(nil, "tokens_s\n%d\n", i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Files) != DefaultMaxFiles || len(inv.Notes) != 1 {
		t.Errorf("%d files parsed with notes %q, want the default limit of %d and a note", len(inv.Files), inv.Notes, DefaultMaxFiles)
	}
	all, err := Ingest([]string{dir}, Limits{MaxFiles: 20_000})
	if err != nil || len(all.Files) != 10_000 {
		t.Errorf("%d files parsed (%v), want 10000", len(all.Files), err)
	}
}

func TestIngestFollowsSymlinksOnlyInsideTheDataDirectories(t *testing.T) {
	parent := t.TempDir()
	data, more, private := filepath.Join(parent, "data"), filepath.Join(parent, "more"), filepath.Join(parent, "private")
	writeFiles(t, private, map[string]string{"secret.csv": "secret\n1\n"})
	writeFiles(t, more, map[string]string{"b.csv": "b\n2\n"})
	writeFiles(t, data, map[string]string{
		"a.csv":      "a\n1\n",
		"sub/up.csv": "->../a.csv",
		"sub/loop":   "->..",
		"more.csv":   "->../more/b.csv", // into the other data directory: followed
		"secret.csv": "->../private/secret.csv",
		"private":    "->sub/../../private", // out through a directory inside
		"proc.csv":   "->/proc",             // its /proc/<pid>/cwd leads to the whole filesystem
	})
	inv, err := Ingest([]string{data, more}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filePaths(inv), []string{"data/a.csv", "data/more.csv"}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	realPrivate := evalSymlinks(t, private)
	wantSkipped := map[string]string{
		"data/private":    "symlink to " + realPrivate + ", outside the data directories",
		"data/proc.csv":   "symlink to /proc, outside the data directories",
		"data/secret.csv": "symlink to " + filepath.Join(realPrivate, "secret.csv") + ", outside the data directories",
		"data/sub/loop":   "symlink loop",
		"data/sub/up.csv": "duplicate of data/a.csv (same sha256)",
		"more/b.csv":      "duplicate of data/more.csv (same sha256)",
	}
	if got := skipReasons(inv); !maps.Equal(got, wantSkipped) {
		t.Errorf("skipped %q,\nwant %q", got, wantSkipped)
	}
}

func evalSymlinks(t *testing.T, p string) string {
	t.Helper()
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return resolved
}

func TestFIFOsAreSkippedWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "a\n1\n"})
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	returnsPromptly(t, "Ingest", func() {
		inv, err := Ingest([]string{dir}, Limits{})
		if err != nil {
			t.Error(err)
			return
		}
		if got := skipReasons(inv)["pipe.csv"]; got != "named pipe, not a regular file" {
			t.Errorf("reason %q", got)
		}
	})
	// A FIFO swapped in after the walk looked at the entry reaches the read itself.
	returnsPromptly(t, "reading a FIFO", func() {
		if _, err := readRegularFile(fifo, 100); err == nil || err.Error() != "named pipe, not a regular file" {
			t.Errorf("error %v", err)
		}
	})
}

// returnsPromptly runs f and fails the test if it does not return within ten seconds.
func returnsPromptly(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

func TestReadRegularFileRefusesASymlink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "a\n1\n", "link.csv": "->a.csv"})
	if _, err := readRegularFile(filepath.Join(dir, "link.csv"), 100); err == nil || err.Error() != "replaced by a symlink during the walk" {
		t.Errorf("error %v", err)
	}
}

func TestIngestSkipsFilesNestedTooDeepOrTooLargeToFlatten(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"deep.json":  nestedJSON(9998),
		"deep.jsonl": "{\"a\": 1}\n" + nestedJSON(maxJSONDepth+1) + "\n",
		"ok.json":    nestedJSON(maxJSONDepth),
		"padded.csv": strings.Repeat("a,", 1000) + "\n" + strings.Repeat("1\n", 1000),
	})
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := filePaths(inv); !slices.Equal(got, []string{"ok.json"}) {
		t.Errorf("files %q, want ok.json", got)
	}
	wantSkipped := map[string]string{
		"deep.json":  "JSON nested deeper than 64 levels",
		"deep.jsonl": "line 2: JSON nested deeper than 64 levels",
		"padded.csv": "its tables and field names would take more than 64× the file's size",
	}
	if got := skipReasons(inv); !maps.Equal(got, wantSkipped) {
		t.Errorf("skipped %q,\nwant %q", got, wantSkipped)
	}
}

// nestedJSON is depth objects nested in one another around a number: {"k":{"k":1}} for 2.
func nestedJSON(depth int) string {
	return strings.Repeat(`{"k":`, depth) + "1" + strings.Repeat("}", depth)
}

func TestIngestEscapesControlCharactersInNames(t *testing.T) {
	parent := t.TempDir()
	dir, outside := filepath.Join(parent, "data"), filepath.Join(parent, "outside")
	writeFiles(t, outside, map[string]string{"\x1b[2J.csv": "x\n1\n"})
	writeFiles(t, dir, map[string]string{
		"evil\x1b[31m.csv": "a\n1\n",
		"line\nbreak.csv":  "b\n2\n",
		"rlo\u202e.csv":    "c\n3\n", // a bidirectional override
		"bell.\a":          "x\x00",
		"clear.csv":        "->" + filepath.Join(outside, "\x1b[2J.csv"),
	})
	inv, err := Ingest([]string{dir}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filePaths(inv), []string{`evil\x1b[31m.csv`, `line\nbreak.csv`, `rlo\u202e.csv`}; !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	wantSkipped := map[string]string{
		`bell.\a`:   `unsupported extension .\a`,
		"clear.csv": "symlink to " + evalSymlinks(t, outside) + `/\x1b[2J.csv, outside the data directories`,
	}
	if got := skipReasons(inv); !maps.Equal(got, wantSkipped) {
		t.Errorf("skipped %q,\nwant %q", got, wantSkipped)
	}
	var text strings.Builder
	if err := WriteFactsText(&text, BuildFacts(inv)); err != nil {
		t.Fatal(err)
	}
	isControl := func(r rune) bool { return unicode.IsControl(r) && r != '\n' }
	if i := strings.IndexFunc(text.String(), isControl); i >= 0 {
		t.Errorf("control character in the printed report: %q", text.String()[max(0, i-20):])
	}
}

func TestAFileThatVanishesDuringTheWalkIsReportedAsSuch(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"dangling.csv": "->missing.csv"})
	w := &walker{lim: Limits{}.withDefaults(), inv: &Inventory{}}
	// deleted.csv was listed, then deleted before the walk looked at it.
	w.visit(filepath.Join(dir, "deleted.csv"), "deleted.csv", nil)
	w.visit(filepath.Join(dir, "dangling.csv"), "dangling.csv", nil)
	w.finish()
	want := map[string]string{"deleted.csv": "vanished during the walk", "dangling.csv": "broken symlink"}
	if got := skipReasons(w.inv); !maps.Equal(got, want) {
		t.Errorf("skipped %q, want %q", got, want)
	}
	// Deleted after the walk looked at it, before it was opened.
	if _, err := readRegularFile(filepath.Join(dir, "deleted.csv"), 100); err == nil || err.Error() != "vanished during the walk" {
		t.Errorf("reading a deleted file: %v", err)
	}
}
