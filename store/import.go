package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ImportLimits bound what an import reads from a file, which may be crafted.
type ImportLimits struct {
	MaxFileBytes  int64 // the file's size
	MaxRows       int   // the rows of any one table in the file
	MaxFieldBytes int   // any one text or blob field of a SQLite file
}

// DefaultImportLimits are far above any real log: a year of runs on a busy box is tens of MB.
var DefaultImportLimits = ImportLimits{MaxFileBytes: 1 << 30, MaxRows: 1_000_000, MaxFieldBytes: 64 << 20}

// ImportResult counts the runs of a file: those added, and those the database already had (by UUID).
type ImportResult struct {
	Added   int `json:"added"`
	Present int `json:"present"`
}

// badFile is a file to import that cannot be: unreadable, corrupt, crafted or of another schema.
type badFile struct {
	path string
	err  error
}

func (e *badFile) Error() string { return fmt.Sprintf("import %s: %v", e.path, e.err) }
func (e *badFile) Unwrap() error { return e.err }
func (*badFile) BadInput()       {}

// sqliteMagic opens every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Import adds the runs of path, a SQLite export (or another chimera database) or a JSONL export, with
// everything recorded under them. It is idempotent: a run whose UUID the database has is left as it is. Runs
// get new local ids, their parent links follow, and nothing already recorded is renumbered. The whole file is
// read and checked first, then written in one transaction, so a failure leaves the database as it was.
func (db *DB) Import(ctx context.Context, path string, limits ImportLimits) (ImportResult, error) {
	details, err := ReadExport(ctx, path, limits)
	if err != nil {
		return ImportResult{}, err
	}
	return db.ImportRuns(ctx, path, details)
}

// ReadExport reads and checks every run of the file at path, as Import does, and writes nothing: a caller picks
// the runs it wants and gives them to ImportRuns. A file that cannot be read is an input error naming it.
func ReadExport(ctx context.Context, path string, limits ImportLimits) ([]*RunDetail, error) {
	details, err := readExport(ctx, path, limits)
	if err != nil {
		return nil, &badFile{path, err}
	}
	return details, nil
}

// ImportRuns writes details, read from the file at path by ReadExport, the way Import does: idempotent by UUID,
// in one transaction. A run whose parent is not among details becomes a top-level run.
func (db *DB) ImportRuns(ctx context.Context, path string, details []*RunDetail) (ImportResult, error) {
	var result ImportResult
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		result, err = importFile(ctx, tx, FileRuns{path, details})
		return err
	})
	return result, err
}

// FileRuns are runs that ReadExport read from the file at Path.
type FileRuns struct {
	Path string
	Runs []*RunDetail
}

// ImportWithRun imports the runs of files, each as ImportRuns does, and records run, a new run made of them
// (with its reports), all in one transaction: a failure anywhere leaves the database as it was. As StartRun does,
// the store sets the run's UUID, process and boot, and where empty its host and start time; its status must be
// final. It returns the new run's id.
func (db *DB) ImportWithRun(ctx context.Context, files []FileRuns, run *RunDetail) (int64, error) {
	if !run.Status.final() {
		return 0, fmt.Errorf("record run: %q is not a final status", run.Status)
	}
	made := *run
	stamp(&made.Run)
	var id int64
	err := db.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		for _, f := range files {
			if _, err := importFile(ctx, tx, f); err != nil {
				return err
			}
		}
		id, err = insertRun(ctx, tx, &made, 0)
		return err
	})
	return id, err
}

// importFile is importRuns for the runs of one file, a run the store refuses being an error naming the file.
func importFile(ctx context.Context, tx *sql.Tx, f FileRuns) (ImportResult, error) {
	result, err := importRuns(ctx, tx, f.Runs)
	var invalid *invalidRun
	if errors.As(err, &invalid) {
		return ImportResult{}, &badFile{f.Path, err}
	}
	return result, err
}

// readExport reads every run of the file at path, in the format its first bytes say.
func readExport(ctx context.Context, path string, limits ImportLimits) ([]*RunDetail, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > limits.MaxFileBytes {
		return nil, fmt.Errorf("%d bytes, over the limit of %d", info.Size(), limits.MaxFileBytes)
	}
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if bytes.Equal(head[:n], sqliteMagic) {
		return readSQLiteExport(ctx, path, limits)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return readJSONL(f, limits)
}

// readJSONL reads the lines of a JSONL export.
func readJSONL(r io.Reader, limits ImportLimits) ([]*RunDetail, error) {
	decoder := json.NewDecoder(r)
	decoder.DisallowUnknownFields()
	var details []*RunDetail
	counts := map[string]int{}
	for line := 1; ; line++ {
		var exported ExportedRun
		err := decoder.Decode(&exported)
		if errors.Is(err, io.EOF) {
			return details, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: not a chimera JSONL export: %w", line, err)
		}
		if err := checkSchemaVersion(exported.Schema); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if exported.RunDetail == nil {
			return nil, fmt.Errorf("line %d: no run", line)
		}
		if err := countRows(counts, exported.RunDetail, limits.MaxRows); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		details = append(details, exported.RunDetail)
	}
}

// countRows adds d's rows to counts, per table, and fails past max in any.
func countRows(counts map[string]int, d *RunDetail, max int) error {
	for table, n := range map[string]int{runsTable.name: 1, agentRunsTable.name: len(d.AgentRuns),
		callsTable.name: len(d.Calls), filesTable.name: len(d.Files), factsTable.name: len(d.Facts),
		reportsTable.name: len(d.Reports), benchResultsTable.name: len(d.BenchResults)} {
		counts[table] += n
		if counts[table] > max {
			return fmt.Errorf("more than %d rows of %s", max, table)
		}
	}
	return nil
}

// checkSchemaVersion accepts the schema this build writes and refuses any other: a JSONL export is read as it is.
func checkSchemaVersion(version int) error {
	if version < len(schemaSteps) {
		return fmt.Errorf("schema v%d, older than this chimera's v%d: export it again with this chimera, or as SQLite", version, len(schemaSteps))
	}
	return checkNotNewer(version)
}

// checkNotNewer refuses a schema version this build does not know: a newer chimera's, or none of chimera's.
func checkNotNewer(version int) error {
	switch {
	case version > len(schemaSteps):
		return fmt.Errorf("written by a newer chimera (schema v%d, this build knows v%d)", version, len(schemaSteps))
	case version < 0:
		return fmt.Errorf("schema version %d is none of chimera's", version)
	}
	return nil
}
