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

	"github.com/google/uuid"
	"github.com/mattn/go-sqlite3"
)

// readSQLiteExport reads every run of a SQLite file that may be crafted. The file is opened read-only (and
// immutable unless a live WAL lies beside it), with trusted_schema off and fields bounded; its schema must be
// exactly chimera's, at the file's version, so that it has no view or trigger to run, and its rows are read by
// explicit columns. A file of an older schema is read from a migrated copy. It is never attached to the user's
// database, nor written.
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
	version, err := checkFile(ctx, tx, limits.MaxRows)
	if err != nil {
		return nil, err
	}
	if version < len(schemaSteps) {
		return readMigratedCopy(ctx, conn, version, limits)
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
	return rawSQLite(conn, func(sqliteConn *sqlite3.SQLiteConn) error {
		sqliteConn.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, max)
		return nil
	})
}

// rawSQLite calls fn with conn's SQLite connection.
func rawSQLite(conn *sql.Conn, fn func(*sqlite3.SQLiteConn) error) error {
	return conn.Raw(func(driverConn any) error {
		sqliteConn, ok := driverConn.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected SQLite driver connection %T", driverConn)
		}
		return fn(sqliteConn)
	})
}

// checkFile checks, in this order, the file's schema version (this build's or an older one), its integrity, that
// its schema is chimera's at that version and that no table has more than maxRows rows. It returns the version.
func checkFile(ctx context.Context, tx *sql.Tx, maxRows int) (int, error) {
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	if err := checkNotNewer(version); err != nil {
		return 0, err
	}
	schemas, err := chimeraSchemas()
	if err != nil {
		return 0, err
	}
	if err := checkIntegrity(ctx, tx); err != nil {
		return 0, err
	}
	if err := checkSchema(ctx, tx, schemas[version]); err != nil {
		return 0, err
	}
	return version, checkRowCounts(ctx, tx, schemas[version], maxRows)
}

// readMigratedCopy reads a file of an older schema version, open on conn: SQLite's backup API copies it into a
// temporary database, which the schema steps it lacks bring up to date, and the copy is read as any file is.
func readMigratedCopy(ctx context.Context, conn *sql.Conn, version int, limits ImportLimits) ([]*RunDetail, error) {
	dir, err := os.MkdirTemp("", "chimera-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "copy.db")
	if err := copyDatabase(ctx, conn, path); err != nil {
		return nil, fmt.Errorf("copy schema v%d to migrate it: %w", version, err)
	}
	if err := migrateCopy(ctx, path, version); err != nil {
		return nil, fmt.Errorf("migrate a copy from schema v%d: %w", version, err)
	}
	return readSQLiteExport(ctx, path, limits)
}

// copyDatabase copies the database open on conn into a new database at path, with SQLite's backup API.
func copyDatabase(ctx context.Context, conn *sql.Conn, path string) error {
	dest := sqlOpen(path, nil)
	defer dest.Close()
	destConn, err := dest.Conn(ctx)
	if err != nil {
		return err
	}
	defer destConn.Close()
	return rawSQLite(destConn, func(to *sqlite3.SQLiteConn) error {
		return rawSQLite(conn, func(from *sqlite3.SQLiteConn) error {
			backup, err := to.Backup("main", from, "main")
			if err != nil {
				return err
			}
			_, err = backup.Step(-1)
			return errors.Join(err, backup.Finish())
		})
	})
}

// migrateCopy applies to the copy at path, of schema version, the steps it lacks. The step that gives runs their
// UUIDs draws them at random; a copy's runs get UUIDs derived from what they record instead, so that importing the
// same file again finds them.
func migrateCopy(ctx context.Context, path string, version int) error {
	db := connect(path)
	defer db.Close()
	if err := db.migrate(ctx, schemaSteps); err != nil {
		return err
	}
	if version >= uuidVersion {
		return nil
	}
	return db.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		type recorded struct {
			id   int64
			what string
		}
		runs, err := queryAll(ctx, tx, `SELECT id, concat_ws(char(31), id, kind, started_at, host, command_line) FROM runs`, nil,
			func(rows *sql.Rows, r *recorded) error { return rows.Scan(&r.id, &r.what) })
		if err != nil {
			return err
		}
		for _, r := range runs {
			if _, err := tx.ExecContext(ctx, "UPDATE runs SET uuid = ? WHERE id = ?", uuid.NewSHA1(copiedRunSpace, []byte(r.what)).String(), r.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// copiedRunSpace is the name space of the UUIDs of runs imported from a file older than run UUIDs.
var copiedRunSpace = uuid.MustParse("83b42605-c6d6-4785-a464-b33e1f10b4f8")

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

// checkSchema requires the file's tables, indexes, views and triggers to be exactly those of want, chimera's
// schema at the file's version, compared by the SQL that made them. SQLite's own objects (sqlite_sequence) are
// left out.
func checkSchema(ctx context.Context, tx *sql.Tx, want map[string]schemaObject) error {
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

// chimeraSchemas are the schemas of a database at each version, from 0 (empty) to this build's, built once in
// memory by schemaSteps.
var chimeraSchemas = sync.OnceValues(func() ([]map[string]schemaObject, error) {
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
	schemas := []map[string]schemaObject{{}}
	for i, step := range schemaSteps {
		if _, err := tx.ExecContext(ctx, step); err != nil {
			return nil, fmt.Errorf("schema step %d: %w", i+1, err)
		}
		schema, err := schemaObjects(ctx, tx)
		if err != nil {
			return nil, err
		}
		schemas = append(schemas, schema)
	}
	return schemas, nil
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

// checkRowCounts requires every table of schema, the file's, to have at most maxRows rows.
func checkRowCounts(ctx context.Context, tx *sql.Tx, schema map[string]schemaObject, maxRows int) error {
	for _, table := range tableNames {
		if _, ok := schema[table]; !ok {
			continue // made by a later schema step
		}
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
