package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func benchTiny(t *testing.T, db string) {
	t.Helper()
	got := chimera(t, nil, "--db", db, "bench", "-m", tinyModel, "--num-gpu", "0", "--threads", "1", "-p", "16", "-n", "4",
		"--reps", "3", "--num-ctx", "256", "--batch", "64", "--ubatch", "64")
	if got.status != 0 {
		t.Fatalf("bench: status %d: %s", got.status, got.stderr)
	}
}

func TestRunsDiffComparesTwoBenchRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	benchTiny(t, db)
	benchTiny(t, db)
	runs := recordedRuns(t, db) // newest first
	a, b := fmt.Sprint(runs[1].ID), fmt.Sprint(runs[0].ID)

	table := chimera(t, nil, "--db", db, "runs", "diff", a, b)
	if table.status != 0 {
		t.Fatalf("runs diff: status %d: %s", table.status, table.stderr)
	}
	for _, test := range []string{" pp16 ", " tg4 "} {
		if line := lineWith(table.stdout, test); !hasVerdict(line) {
			t.Errorf("the %s row %q has no verdict:\n%s", test, line, table.stdout)
		}
	}

	asJSON := chimera(t, nil, "--db", db, "runs", "diff", a, b, "--format", "json")
	var report struct {
		A, B struct{ ID int64 }
		Rows []struct {
			Test    string
			Verdict string
		}
	}
	if err := json.Unmarshal([]byte(asJSON.stdout), &report); err != nil {
		t.Fatalf("%v in %q (%s)", err, asJSON.stdout, asJSON.stderr)
	}
	if report.A.ID != runs[1].ID || report.B.ID != runs[0].ID || len(report.Rows) != 2 || !hasVerdict(report.Rows[0].Verdict) {
		t.Errorf("runs diff --format json = %+v, want runs %s and %s and two rows with verdicts", report, a, b)
	}

	generate := chimera(t, nil, "--db", db, "generate", "-m", tinyModel, "--prompt", "hi", "--num-predict", "2", "--threads", "1", "--json")
	var generated struct{ RunID int64 }
	if err := json.Unmarshal([]byte(generate.stdout), &generated); err != nil {
		t.Fatalf("generate: %v in %q (%s)", err, generate.stdout, generate.stderr)
	}
	for name, args := range map[string][]string{
		"missing run":    {a, "4242"},
		"incompatible":   {a, fmt.Sprint(generated.RunID)},
		"one id":         {a},
		"three ids":      {a, b, b},
		"unknown format": {a, b, "--format", "xml"},
	} {
		t.Run(name, func(t *testing.T) {
			got := chimera(t, nil, append([]string{"--db", db, "runs", "diff"}, args...)...)
			lines := strings.Split(strings.TrimSpace(got.stderr), "\n")
			if got.status != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "chimera: ") {
				t.Errorf("status %d, stderr %q: want status 2 and one line", got.status, got.stderr)
			}
		})
	}
}

func lineWith(text, part string) string {
	for line := range strings.Lines(text) {
		if strings.Contains(line, part) {
			return line
		}
	}
	return ""
}

func hasVerdict(text string) bool {
	for _, verdict := range []string{"faster", "slower", "no significant difference", "no p-value"} {
		if strings.Contains(text, verdict) {
			return true
		}
	}
	return false
}

// A bench result recorded before schema v9, whose settings the migration writes from its columns and row JSON,
// names its configuration as one recorded now does, so that runs diff matches the two.
func TestOlderBenchResultsNameTheirSettingsAsNewOnes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "chimera.db")
	got := chimera(t, nil, "--db", db, "bench", "-m", tinyModel, "--num-gpu", "0", "-t", "1", "--threads-batch", "2",
		"-p", "16", "-n", "2", "-r", "2", "--num-ctx", "100", "-b", "64", "-ub", "32", "-fa", "on", "--cache-type", "q8_0",
		"--op-offload", "off")
	if got.status != 0 {
		t.Fatalf("bench: status %d: %s", got.status, got.stderr)
	}
	recorded := recordedBenchSettings(t, db)

	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, statement := range []string{"ALTER TABLE bench_results DROP COLUMN settings_json", "PRAGMA user_version = 8"} {
		if _, err := conn.Exec(statement); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()

	if migrated := recordedBenchSettings(t, db); migrated != recorded {
		t.Errorf("settings written from an older result's columns:\n%s\nwant those recorded with it:\n%s", migrated, recorded)
	}
	if diff := chimera(t, nil, "--db", db, "runs", "diff", "1", "1"); !strings.Contains(diff.stdout, "pp16") ||
		strings.Contains(diff.stdout, "Only in") {
		t.Errorf("runs diff of the migrated run with itself:\n%s%s", diff.stdout, diff.stderr)
	}
}

// recordedBenchSettings are the settings of the bench results of run 1, as runs show gives them.
func recordedBenchSettings(t *testing.T, db string) string {
	t.Helper()
	show := chimera(t, nil, "--db", db, "runs", "show", "1")
	var run struct {
		BenchResults []struct {
			Settings json.RawMessage `json:"settings"`
		} `json:"bench_results"`
	}
	if err := json.Unmarshal([]byte(show.stdout), &run); err != nil || len(run.BenchResults) != 2 {
		t.Fatalf("runs show 1: %v, %d bench results in %q (%s)", err, len(run.BenchResults), show.stdout, show.stderr)
	}
	var settings []string
	for _, r := range run.BenchResults {
		settings = append(settings, string(r.Settings))
	}
	return strings.Join(settings, "\n")
}
