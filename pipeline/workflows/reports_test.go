package workflows

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chimera/store"
)

// blockReport makes writing the report name in dir fail: a directory stands where the file would be renamed to.
func blockReport(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// assertOneStatus checks that the result, the store and the JSON file (when it was written) give the same status.
func assertOneStatus(t *testing.T, db *store.DB, runID int64, resultStatus, jsonPath, want string) {
	t.Helper()
	run, err := db.GetRun(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	if resultStatus != want || string(run.Status) != want {
		t.Errorf("result says %s, store says %s; want %s in both", resultStatus, run.Status, want)
	}
	data, err := os.ReadFile(jsonPath)
	if os.IsNotExist(err) {
		return
	}
	var written struct{ Status string }
	if err != nil || json.Unmarshal(data, &written) != nil || written.Status != want {
		t.Errorf("%s says %q (%v), want %s", jsonPath, written.Status, err, want)
	}
}

func TestCompareThatCannotWriteItsReportIsFailedEverywhere(t *testing.T) {
	db, out := openTestDB(t), t.TempDir()
	blockReport(t, out, "comparison.md")
	result, err := Compare(context.Background(), db, CompareOptions{Target: Target{ModelRef: tinyModel}, Baseline: tinyConfig(),
		Chimera: tinyConfig(), Runs: 1, Data: testData(), OutDir: out})
	if err == nil || !strings.Contains(err.Error(), "comparison.md") {
		t.Fatalf("got %v, want the report's write error", err)
	}
	assertOneStatus(t, db, result.RunID, result.Status, filepath.Join(out, "comparison.json"), string(store.StatusFailed))
}

func TestMultiThatCannotWriteItsReportsIsFailedEverywhere(t *testing.T) {
	db, out := openTestDB(t), t.TempDir()
	blockReport(t, out, "collector_report.md")
	result, err := Multi(context.Background(), db, MultiOptions{Scenario: ScenarioChimeraHomo, Target: Target{ModelRef: tinyModel},
		ConfigA: tinyConfig(), ConfigB: tinyConfig(), Data: testData(), OutDir: out})
	if err == nil || !strings.Contains(err.Error(), "collector_report.md") {
		t.Fatalf("got %v, want the report's write error", err)
	}
	assertOneStatus(t, db, result.RunID, result.Status, filepath.Join(out, "metrics.json"), string(store.StatusFailed))
}
