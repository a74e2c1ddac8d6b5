package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"testing"
)

func export(t *testing.T, db *DB, ids []int64, format string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := db.Export(context.Background(), &out, ids, format); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestExportJSONRoundTrip(t *testing.T) {
	db, _ := openTestDB(t)
	first := recordSampleRun(t, db, "first")
	second := recordSampleRun(t, db, "second")

	for _, tc := range []struct {
		name string
		ids  []int64
		want []*RunDetail
	}{
		{"all", nil, []*RunDetail{first, second}},
		{"one", []int64{second.ID}, []*RunDetail{second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []*RunDetail
			if err := json.Unmarshal(export(t, db, tc.ids, "json"), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("exported JSON parses back to\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestExportJSONOfEmptyDatabase(t *testing.T) {
	db, _ := openTestDB(t)
	var got []RunDetail
	if err := json.Unmarshal(export(t, db, nil, "json"), &got); err != nil || got == nil || len(got) != 0 {
		t.Errorf("export of an empty database parses back to %v, %v; want an empty array", got, err)
	}
}

func TestExportCSV(t *testing.T) {
	db, _ := openTestDB(t)
	run := recordSampleRun(t, db, "csv")

	records, err := csv.NewReader(bytes.NewReader(export(t, db, nil, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := records[0], records[1:]
	if want := len(run.Calls) + len(run.BenchResults); len(rows) != want {
		t.Fatalf("%d rows, want one per call and bench result: %d", len(rows), want)
	}
	column := make(map[string]int)
	for i, name := range header {
		column[name] = i
	}
	cell := func(row int, name string) string {
		i, ok := column[name]
		if !ok {
			t.Fatalf("no column %q in header %v", name, header)
		}
		return rows[row][i]
	}

	analysis, bench := 1, 2
	for row, want := range map[int]map[string]string{
		analysis: {"record": "call", "run_id": "1", "label": "csv", "agent": "insight", "stage": "analysis",
			"prompt_trimmed": "true", "prompt_tps": "16925.6", "test": ""},
		bench: {"record": "bench", "run_id": "1", "model_sha256": "ab12", "stage": "", "test": "pp",
			"avg_ns": "1000000", "avg_ts": "512000.5", "flash_attn": "true"},
	} {
		for name, value := range want {
			if got := cell(row, name); got != value {
				t.Errorf("row %d %s = %q, want %q", row, name, got, value)
			}
		}
	}
}

func TestExportRefusals(t *testing.T) {
	db, _ := openTestDB(t)
	run := recordSampleRun(t, db, "only")
	var out bytes.Buffer
	err := db.Export(context.Background(), &out, []int64{run.ID, 42}, "json")
	if err == nil || err.Error() != "run 42 not found" {
		t.Errorf("export of a missing run: error = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("export of a missing run wrote %q", out.String())
	}
	if err := db.Export(context.Background(), &out, nil, "xml"); err == nil {
		t.Error("export accepted format xml")
	}
}
