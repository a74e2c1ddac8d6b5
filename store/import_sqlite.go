package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// readSQLiteExport reads every run of a SQLite file that may be crafted. The file is opened read-only (and
// immutable unless a live WAL lies beside it), with trusted_schema off and fields bounded; its schema must be
// exactly chimera's, so that it has no view or trigger to run, and its rows are read by explicit columns. It
// is never attached to the user's database.
func readSQLiteExport(ctx context.Context, path string, limits ImportLimits) ([]*RunDetail, error) {
	file, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	conn, err := file.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := distrust(ctx, conn, limits.MaxFieldBytes); err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := checkFile(ctx, tx, limits.MaxRows); err != nil {
		return nil, err
	}
	ids, err := queryIDs(ctx, tx, "SELECT id FROM runs ORDER BY id")
	if err != nil {
		return nil, err
	}
	details := make([]*RunDetail, 0, len(ids))
	for _, id := range ids {
		d, err := loadRunDetail(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		details = append(details, d)
	}
	return details, nil
}

func openReadOnly(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	params := url.Values{"mode": {"ro"}, "_query_only": {"on"}}
	if _, err := os.Stat(abs + "-wal"); errors.Is(err, os.ErrNotExist) {
		params.Set("immutable", "1") // nothing writes it: read it without locks or a shared-memory file
	}
	return sqlOpen(abs, params), nil
}

// distrust turns trusted_schema off on conn, so that no function of the file's schema runs with side
// effects, and makes SQLite refuse any text or blob longer than max bytes before it allocates it.
func distrust(ctx context.Context, conn *sql.Conn, max int) error {
	if _, err := conn.ExecContext(ctx, "PRAGMA trusted_schema = OFF"); err != nil {
		return err
	}
	return conn.Raw(func(driverConn any) error {
		sqliteConn, ok := driverConn.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected SQLite driver connection %T", driverConn)
		}
		sqliteConn.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, max)
		return nil
	})
}

// checkFile checks, in this order, the file's schema version, its integrity, that its schema is chimera's and
// that no table has more than maxRows rows.
func checkFile(ctx context.Context, tx *sql.Tx, maxRows int) error {
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if err := checkSchemaVersion(version); err != nil {
		return err
	}
	if err := checkIntegrity(ctx, tx); err != nil {
		return err
	}
	if err := checkSchema(ctx, tx); err != nil {
		return err
	}
	return checkRowCounts(ctx, tx, maxRows)
}

// checkIntegrity runs SQLite's quick check, and reports its first problems on one line.
func checkIntegrity(ctx context.Context, tx *sql.Tx) error {
	lines, err := queryAll(ctx, tx, "PRAGMA quick_check(3)", nil, func(rows *sql.Rows, line *string) error { return rows.Scan(line) })
	if err != nil {
		return err
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return nil
	}
	problems := slices.DeleteFunc(lines, func(line string) bool { return strings.HasPrefix(line, "*** in database") })
	return fmt.Errorf("corrupt: %s", strings.ReplaceAll(strings.Join(problems, "; "), "\n", " "))
}

// A schemaObject is one row of sqlite_schema: a table, index, view or trigger.
type schemaObject struct{ kind, name, table, sql string }

// checkSchema requires the file's tables, indexes, views and triggers to be exactly chimera's, compared by the
// SQL that made them. SQLite's own objects (sqlite_sequence) are left out.
func checkSchema(ctx context.Context, tx *sql.Tx) error {
	want, err := chimeraSchema()
	if err != nil {
		return err
	}
	got, err := schemaObjects(ctx, tx)
	if err != nil {
		return err
	}
	for name, object := range got {
		switch expected, ok := want[name]; {
		case !ok:
			return fmt.Errorf("not a chimera log: it has a %s %q that chimera's schema has not", object.kind, name)
		case expected != object:
			return fmt.Errorf("not a chimera log: its %s %q differs from chimera's", object.kind, name)
		}
	}
	for name, object := range want {
		if _, ok := got[name]; !ok {
			return fmt.Errorf("not a chimera log: it lacks the %s %q", object.kind, name)
		}
	}
	return nil
}

// chimeraSchema is the schema of a database built by schemaSteps, made once in memory.
var chimeraSchema = sync.OnceValues(func() (map[string]schemaObject, error) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for i, step := range schemaSteps {
		if _, err := tx.ExecContext(ctx, step); err != nil {
			return nil, fmt.Errorf("schema step %d: %w", i+1, err)
		}
	}
	return schemaObjects(ctx, tx)
})

func schemaObjects(ctx context.Context, tx *sql.Tx) (map[string]schemaObject, error) {
	objects, err := queryAll(ctx, tx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil,
		func(rows *sql.Rows, o *schemaObject) error { return rows.Scan(&o.kind, &o.name, &o.table, &o.sql) })
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	byName := make(map[string]schemaObject, len(objects))
	for _, o := range objects {
		byName[o.name] = o
	}
	return byName, nil
}

func checkRowCounts(ctx context.Context, tx *sql.Tx, maxRows int) error {
	for _, table := range []string{runsTable.name, agentRunsTable.name, callsTable.name, filesTable.name,
		factsTable.name, reportsTable.name, benchResultsTable.name} {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return err
		}
		if n > maxRows {
			return fmt.Errorf("%d rows of %s, over the limit of %d", n, table, maxRows)
		}
	}
	return nil
}
