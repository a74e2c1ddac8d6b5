package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setHost makes every run of db look recorded on another machine.
func setHost(t *testing.T, db, host string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec("UPDATE runs SET host = ?", host); err != nil {
		t.Fatal(err)
	}
}

func TestRunsExportImportAcrossMachines(t *testing.T) {
	here, there := filepath.Join(t.TempDir(), "here.db"), filepath.Join(t.TempDir(), "there.db")
	benchTiny(t, here)
	benchTiny(t, there)
	setHost(t, there, "box-b")

	file := filepath.Join(t.TempDir(), "box-b.sqlite")
	succeed(t, "--db", there, "runs", "export", "1", "--format", "sqlite", "--out", file)
	jsonl := writeFile(t, "box-b.jsonl", []byte(succeed(t, "--db", there, "runs", "export", "--all", "--format", "jsonl")))
	if got := succeed(t, "--db", here, "runs", "import", file); !strings.Contains(got, "1 runs added, 0 already here") {
		t.Errorf("runs import %s printed %q", file, got)
	}
	if got := succeed(t, "--db", here, "runs", "import", jsonl); !strings.Contains(got, "0 runs added, 1 already here") {
		t.Errorf("runs import of the same run as JSONL printed %q", got)
	}

	fromB := succeed(t, "--db", here, "runs", "list", "--host", "box-b")
	if !strings.Contains(fromB, "\n2 ") || strings.Contains(fromB, "\n1 ") {
		t.Errorf("runs list --host box-b:\n%s\nwant the imported run alone, numbered 2", fromB)
	}
	diff := succeed(t, "--db", here, "runs", "diff", "1", "2")
	t.Logf("runs diff 1 2 after the import:\n%s", diff)
	if !strings.Contains(lineWith(diff, "B "), "box-b") || !strings.Contains(diff, "warning: the runs differ in their hosts") {
		t.Errorf("runs diff across machines names box-b for B and warns that the hosts differ:\n%s", diff)
	}

	truncated, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bad := writeFile(t, "truncated.sqlite", truncated[:len(truncated)/2])
	for name, args := range map[string][]string{
		"a truncated file":      {"runs", "import", bad},
		"an existing file":      {"runs", "export", "1", "--format", "sqlite", "--out", file},
		"sqlite without --out":  {"runs", "export", "1", "--format", "sqlite"},
		"no file":               {"runs", "import"},
		"a file that is absent": {"runs", "import", filepath.Join(t.TempDir(), "absent.sqlite")},
	} {
		got := chimera(t, nil, append([]string{"--db", here}, args...)...)
		if got.status != 2 || strings.Count(strings.TrimSpace(got.stderr), "\n") != 0 {
			t.Errorf("%s: status %d, stderr %q; want 2 and one line", name, got.status, got.stderr)
		}
	}
	if runs := recordedRuns(t, here); len(runs) != 2 {
		t.Errorf("%d runs after the refused commands, want 2", len(runs))
	}
}
