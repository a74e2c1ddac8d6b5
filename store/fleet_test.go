package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

var allTables = []string{"runs", "agent_runs", "llm_calls", "files", "facts", "reports", "bench_results"}

func tableCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range allTables {
		var n int
		if err := db.reader.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

func TestMigrationGivesOldRunsUUIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chimera.db")
	old, err := open(path, schemaSteps[:7])
	if err != nil {
		t.Fatal(err)
	}
	first, second := insertV1Run(t, old, "one"), insertV1Run(t, old, "two")
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	third := mustStartRun(t, db, Run{Kind: KindBench})
	seen := map[string]bool{}
	for _, id := range []int64{first, second, third} {
		run := mustGetRun(t, db, id)
		parsed, err := uuid.Parse(run.UUID)
		if err != nil || parsed.Version() != 4 || parsed.String() != run.UUID {
			t.Errorf("run %d has uuid %q, want a canonical version 4 UUID", id, run.UUID)
		}
		if seen[run.UUID] {
			t.Errorf("run %d has the uuid of another run, %s", id, run.UUID)
		}
		seen[run.UUID] = true
	}
}

// recordFleet records two agent runs and a sweep of two cells with bench results, as one machine would.
func recordFleet(t *testing.T, db *DB) (sweep int64) {
	t.Helper()
	recordSampleRun(t, db, "first")
	recordSampleRun(t, db, "second")
	ctx := context.Background()
	sweep = mustStartRun(t, db, Run{Kind: KindSweep, Host: "gpu-box-1", GPUs: "CUDA0 NVIDIA H200"})
	for cell := range 2 {
		id := mustStartRun(t, db, Run{Kind: KindBench, ParentID: sweep, Label: fmt.Sprintf("cell %d", cell), Host: "gpu-box-1"})
		if err := db.AddBenchResults(ctx, id, []BenchResult{{Test: "tg", NGen: 16, AvgTS: float64(40 + cell), SamplesTS: []float64{40, 41}}}); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishRun(ctx, id, StatusOK, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishRun(ctx, sweep, StatusOK, ""); err != nil {
		t.Fatal(err)
	}
	return sweep
}

// exportTo writes every run of db to a file in format sqlite or jsonl and returns its path.
func exportTo(t *testing.T, db *DB, format string, ids ...int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export."+format)
	if format == "sqlite" {
		if err := db.ExportSQLite(context.Background(), path, ids); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if err := os.WriteFile(path, export(t, db, ids, format), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withoutIDs is d as it must read in any database: local ids dropped, references to its agent runs by position.
func withoutIDs(d *RunDetail) RunDetail {
	c := *d
	c.ID, c.ParentID, c.Children = 0, 0, nil
	agentIndex := map[int64]int64{0: 0}
	c.AgentRuns = append([]AgentRun(nil), d.AgentRuns...)
	for i := range c.AgentRuns {
		agentIndex[c.AgentRuns[i].ID] = int64(i + 1)
		c.AgentRuns[i].ID, c.AgentRuns[i].RunID = 0, 0
	}
	c.Calls = append([]Call(nil), d.Calls...)
	for i := range c.Calls {
		c.Calls[i].ID, c.Calls[i].RunID, c.Calls[i].AgentRunID = 0, 0, agentIndex[c.Calls[i].AgentRunID]
	}
	c.Reports = append([]Report(nil), d.Reports...)
	for i := range c.Reports {
		c.Reports[i].ID, c.Reports[i].RunID, c.Reports[i].AgentRunID = 0, 0, agentIndex[c.Reports[i].AgentRunID]
	}
	c.Files = append([]FileRecord(nil), d.Files...)
	for i := range c.Files {
		c.Files[i].ID, c.Files[i].RunID = 0, 0
	}
	c.Facts = append([]FactRecord(nil), d.Facts...)
	for i := range c.Facts {
		c.Facts[i].ID, c.Facts[i].RunID = 0, 0
	}
	c.BenchResults = append([]BenchResult(nil), d.BenchResults...)
	for i := range c.BenchResults {
		c.BenchResults[i].ID, c.BenchResults[i].RunID = 0, 0
	}
	return c
}

// runsByUUID reads every run of db in full, by UUID.
func runsByUUID(t *testing.T, db *DB) map[string]*RunDetail {
	t.Helper()
	summaries, err := db.ListRuns(context.Background(), ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]*RunDetail{}
	for _, s := range summaries {
		d := mustGetRun(t, db, s.ID)
		runs[d.UUID] = d
	}
	return runs
}

func TestExportImportRoundTrip(t *testing.T) {
	for _, format := range []string{"sqlite", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			ctx := context.Background()
			src, _ := openTestDB(t)
			recordFleet(t, src)
			dst, _ := openTestDB(t)
			mine := mustStartRun(t, dst, Run{Kind: KindGenerate, Label: "already here"})
			srcCounts, before := tableCounts(t, src), tableCounts(t, dst)

			file := exportTo(t, src, format)
			result, err := dst.Import(ctx, file, DefaultImportLimits)
			if err != nil {
				t.Fatal(err)
			}
			if result.Added != srcCounts["runs"] || result.Present != 0 {
				t.Errorf("import added %d runs and found %d, want %d added", result.Added, result.Present, srcCounts["runs"])
			}
			after := tableCounts(t, dst)
			for _, table := range allTables {
				if after[table] != before[table]+srcCounts[table] {
					t.Errorf("%s: %d rows after the import, want %d here + %d imported", table, after[table], before[table], srcCounts[table])
				}
			}
			t.Logf("rows per table: source %v, destination before %v, after %v", srcCounts, before, after)
			if got := mustGetRun(t, dst, mine); got.Label != "already here" {
				t.Errorf("run %d of the destination became %+v", mine, got.Run)
			}
			checkSameRuns(t, runsByUUID(t, src), runsByUUID(t, dst))

			again, err := dst.Import(ctx, file, DefaultImportLimits)
			if err != nil || again.Added != 0 || again.Present != srcCounts["runs"] {
				t.Errorf("second import: %+v, %v; want every run already present", again, err)
			}
			if got := tableCounts(t, dst); !reflect.DeepEqual(got, after) {
				t.Errorf("a second import changed the row counts from %v to %v", after, got)
			}
		})
	}
}

// checkSameRuns checks that every run of src is in dst with the same content and the same parent.
func checkSameRuns(t *testing.T, src, dst map[string]*RunDetail) {
	t.Helper()
	srcByID, dstByID := map[int64]string{}, map[int64]string{}
	for id, d := range src {
		srcByID[d.ID] = id
	}
	for id, d := range dst {
		dstByID[d.ID] = id
	}
	for id, want := range src {
		got, ok := dst[id]
		if !ok {
			t.Errorf("run %s (%d) was not imported", id, want.ID)
			continue
		}
		if g, w := withoutIDs(got), withoutIDs(want); !reflect.DeepEqual(g, w) {
			t.Errorf("run %s changed on the way:\n got %+v\nwant %+v", id, g, w)
		}
		if srcByID[want.ParentID] != dstByID[got.ParentID] {
			t.Errorf("run %s has parent %q, want %q", id, dstByID[got.ParentID], srcByID[want.ParentID])
		}
	}
}

func TestExportIncludesChildren(t *testing.T) {
	src, _ := openTestDB(t)
	sweep := recordFleet(t, src)
	dst, _ := openTestDB(t)
	if _, err := dst.Import(context.Background(), exportTo(t, src, "sqlite", sweep), DefaultImportLimits); err != nil {
		t.Fatal(err)
	}
	runs, err := dst.ListRuns(context.Background(), ListFilter{Host: "gpu-box-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].ParentID != runs[2].ID || runs[1].ParentID != runs[2].ID {
		t.Errorf("runs of gpu-box-1 after importing the sweep: %+v, want the sweep and its two cells under it", runs)
	}
}

// writeJSONL writes details as a JSONL export of the given schema version.
func writeJSONL(t *testing.T, schema int, details ...*RunDetail) string {
	t.Helper()
	var out bytes.Buffer
	for _, d := range details {
		e := &jsonlExport{w: &out}
		if err := e.write(d); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.ReplaceAll(out.String(), fmt.Sprintf(`{"schema":%d,`, len(schemaSteps)), fmt.Sprintf(`{"schema":%d,`, schema))
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkRefused checks that importing path into a database fails with one line of bad input naming want, and
// writes nothing.
func checkRefused(t *testing.T, path string, limits ImportLimits, want string) {
	t.Helper()
	db, _ := openTestDB(t)
	mustStartRun(t, db, Run{Kind: KindRun})
	before := tableCounts(t, db)
	_, err := db.Import(context.Background(), path, limits)
	var input interface{ BadInput() }
	if err == nil || !errors.As(err, &input) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), want) {
		t.Fatalf("import error = %v, want one line of bad input containing %q", err, want)
	}
	t.Logf("refused: %v", err)
	if after := tableCounts(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused import changed the row counts from %v to %v", before, after)
	}
}

func TestImportIsAtomic(t *testing.T) {
	src, _ := openTestDB(t)
	good := recordSampleRun(t, src, "good")
	bad := recordSampleRun(t, src, "bad")
	bad.Kind = "teleport" // passes the reading, fails when its turn to be written comes, after good's
	checkRefused(t, writeJSONL(t, len(schemaSteps), good, bad), DefaultImportLimits, `run 2: unknown kind "teleport"`)
}

// craftedExport is an SQLite export of one sample run, changed by the statements given.
func craftedExport(t *testing.T, statements ...string) string {
	t.Helper()
	src, _ := openTestDB(t)
	recordSampleRun(t, src, "crafted")
	path := exportTo(t, src, "sqlite")
	file, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, s := range statements {
		if _, err := file.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func TestImportRefusesCraftedFiles(t *testing.T) {
	newer := len(schemaSteps) + 1
	src, _ := openTestDB(t)
	sample := recordSampleRun(t, src, "sample")
	for _, c := range []struct {
		name   string
		path   func(t *testing.T) string
		limits ImportLimits
		want   string
	}{
		{"a trigger that would write", func(t *testing.T) string {
			return craftedExport(t, `CREATE TRIGGER evil AFTER INSERT ON runs BEGIN DELETE FROM llm_calls; END`)
		}, DefaultImportLimits, `has a trigger "evil"`},
		{"a recursive view", func(t *testing.T) string {
			return craftedExport(t, `CREATE VIEW forever AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n`)
		}, DefaultImportLimits, `has a view "forever"`},
		{"a table changed", func(t *testing.T) string {
			return craftedExport(t, `ALTER TABLE facts ADD COLUMN payload BLOB`)
		}, DefaultImportLimits, `its table "facts" differs`},
		{"an oversized field", func(t *testing.T) string {
			return craftedExport(t, `UPDATE llm_calls SET response = zeroblob(200000)`)
		}, ImportLimits{MaxFileBytes: 1 << 30, MaxRows: 100, MaxFieldBytes: 100_000}, "too big"},
		{"an oversized file", func(t *testing.T) string {
			return craftedExport(t)
		}, ImportLimits{MaxFileBytes: 4096, MaxRows: 100, MaxFieldBytes: 1 << 20}, "over the limit of 4096"},
		{"too many rows", func(t *testing.T) string {
			return craftedExport(t)
		}, ImportLimits{MaxFileBytes: 1 << 30, MaxRows: 1, MaxFieldBytes: 1 << 20}, "2 rows of llm_calls, over the limit of 1"},
		{"a newer schema", func(t *testing.T) string {
			return craftedExport(t, fmt.Sprintf("PRAGMA user_version = %d", newer))
		}, DefaultImportLimits, "written by a newer chimera"},
		{"an older schema with a trigger", func(t *testing.T) string {
			return craftedExport(t, "ALTER TABLE bench_results DROP COLUMN settings_json", "PRAGMA user_version = 8",
				`CREATE TRIGGER evil AFTER UPDATE ON bench_results BEGIN DELETE FROM llm_calls; END`)
		}, DefaultImportLimits, `has a trigger "evil"`},
		{"a negative schema version", func(t *testing.T) string {
			return craftedExport(t, "PRAGMA user_version = -1")
		}, DefaultImportLimits, "schema version -1 is none of chimera's"},
		{"a newer schema, JSONL", func(t *testing.T) string {
			return writeJSONL(t, newer, sample)
		}, DefaultImportLimits, "line 1: written by a newer chimera"},
		{"a bad UUID", func(t *testing.T) string {
			return craftedExport(t, `UPDATE runs SET uuid = '../../etc'`)
		}, DefaultImportLimits, `uuid "../../etc" is not a UUID`},
		{"a call of another run's agent", func(t *testing.T) string {
			return craftedExport(t, `UPDATE llm_calls SET agent_run_id = NULL`, `PRAGMA foreign_keys = OFF`,
				`UPDATE llm_calls SET agent_run_id = 77`)
		}, DefaultImportLimits, "agent run 77 is not the run's"},
		{"a truncated file", func(t *testing.T) string {
			path := craftedExport(t)
			truncate(t, path, 3*4096)
			return path
		}, DefaultImportLimits, "import "},
		{"a corrupt file", func(t *testing.T) string {
			path := craftedExport(t)
			overwrite(t, path, 4096, bytes.Repeat([]byte{0xA5}, 2*4096))
			return path
		}, DefaultImportLimits, "import "},
		{"a truncated JSONL file", func(t *testing.T) string {
			path := writeJSONL(t, len(schemaSteps), sample)
			info, _ := os.Stat(path)
			truncate(t, path, info.Size()/2)
			return path
		}, DefaultImportLimits, "line 1: not a chimera JSONL export"},
	} {
		t.Run(c.name, func(t *testing.T) { checkRefused(t, c.path(t), c.limits, c.want) })
	}
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func overwrite(t *testing.T, path string, offset int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, offset); err != nil {
		t.Fatal(err)
	}
}

func TestImportCopiesPathsAsData(t *testing.T) {
	outside := "/etc/shadow"
	path := craftedExport(t, `UPDATE runs SET model_path = '`+outside+`'`, `UPDATE files SET path = '../../../`+outside+`'`,
		`UPDATE reports SET path = '`+outside+`'`)
	db, _ := openTestDB(t)
	if _, err := db.Import(context.Background(), path, DefaultImportLimits); err != nil {
		t.Fatal(err)
	}
	run := mustGetRun(t, db, 1)
	if run.ModelPath != outside || run.Files[0].Path != "../../../"+outside || run.Reports[0].Path != outside {
		t.Errorf("paths were not copied as they were: %q, %q, %q", run.ModelPath, run.Files[0].Path, run.Reports[0].Path)
	}
}

func TestConcurrentImportsBothLand(t *testing.T) {
	var files []string
	var want int
	for range 2 {
		src, _ := openTestDB(t)
		recordFleet(t, src)
		want += tableCounts(t, src)["runs"]
		files = append(files, exportTo(t, src, "sqlite"))
	}
	path := filepath.Join(t.TempDir(), "chimera.db")
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, file := range files {
		wg.Go(func() {
			db, err := Open(path)
			if err == nil {
				_, err = db.Import(context.Background(), file, DefaultImportLimits)
				err = errors.Join(err, db.Close())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := tableCounts(t, db)["runs"]; got != want {
		t.Errorf("%d runs after two concurrent imports, want %d", got, want)
	}
}

// A file of an older schema, here an export rolled back to it, is imported from a migrated copy: its runs land as
// those of a file of this schema would, the file itself is not written, and a second import finds them all.
func TestImportMigratesACopyOfAnOlderFile(t *testing.T) {
	withoutSettings := "ALTER TABLE bench_results DROP COLUMN settings_json"
	for _, c := range []struct {
		version   int
		rollBack  []string
		keepsUUID bool // the file has its runs' UUIDs
	}{
		{8, []string{withoutSettings}, true},
		{7, []string{withoutSettings, "DROP INDEX runs_by_uuid", "ALTER TABLE runs DROP COLUMN uuid", "ALTER TABLE runs DROP COLUMN gpus"}, false},
	} {
		t.Run(fmt.Sprintf("v%d", c.version), func(t *testing.T) {
			ctx := context.Background()
			src, _ := openTestDB(t)
			recordFleet(t, src)
			path := exportTo(t, src, "sqlite")
			rollBack(t, path, c.version, c.rollBack...)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			dst, _ := openTestDB(t)
			srcCounts := tableCounts(t, src)
			result, err := dst.Import(ctx, path, DefaultImportLimits)
			if err != nil || result.Added != srcCounts["runs"] {
				t.Fatalf("import of a v%d file: %+v, %v; want %d runs added", c.version, result, err, srcCounts["runs"])
			}
			if got := tableCounts(t, dst); !reflect.DeepEqual(got, srcCounts) {
				t.Errorf("rows per table: %v imported, %v in the source", got, srcCounts)
			}
			imported := runsByUUID(t, dst)
			for uuid, want := range runsByUUID(t, src) {
				if _, ok := imported[uuid]; ok != c.keepsUUID {
					t.Errorf("run %d (%s): imported under its UUID %v, want %v", want.ID, uuid, ok, c.keepsUUID)
				}
			}
			for _, d := range imported {
				for _, b := range d.BenchResults {
					if want := fmt.Sprintf("num_gpu=%d ", b.NGPULayers); !strings.HasPrefix(b.Settings.String(), want) {
						t.Errorf("a migrated bench result has settings %q, want them named from its columns (%s…)", b.Settings, want)
					}
				}
			}

			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(after, before) {
				t.Errorf("the imported file changed (%v)", err)
			}
			for _, suffix := range []string{"-wal", "-shm", "-journal"} {
				if _, err := os.Stat(path + suffix); err == nil {
					t.Errorf("the import left %s beside the file", path+suffix)
				}
			}
			again, err := dst.Import(ctx, path, DefaultImportLimits)
			if err != nil || again.Added != 0 || again.Present != srcCounts["runs"] {
				t.Errorf("second import of the v%d file: %+v, %v; want every run already present", c.version, again, err)
			}
		})
	}
}

// rollBack turns the chimera database at path into one of an older schema version by the statements given.
func rollBack(t *testing.T, path string, version int, statements ...string) {
	t.Helper()
	file, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, s := range append(statements, fmt.Sprintf("PRAGMA user_version = %d", version)) {
		if _, err := file.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
