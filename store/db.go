package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

const (
	// busyTimeout is how long SQLite itself waits for another connection's lock.
	busyTimeout = 10 * time.Second
	// writeRetryWindow bounds how long a write keeps retrying a lock that is
	// still busy after busyTimeout; only a wedged process holds it that long.
	writeRetryWindow = time.Minute
	firstRetryDelay  = 5 * time.Millisecond
	maxRetryDelay    = 500 * time.Millisecond
)

// inputError is a request the store cannot answer because of what was asked: a run that does not exist, a
// database of a newer chimera. BadInput marks it for the CLI, which exits with status 2.
type inputError string

func (e inputError) Error() string { return string(e) }
func (inputError) BadInput()       {}

// ErrNotFound is returned, wrapped, when a run or agent run does not exist.
var ErrNotFound error = inputError("not found")

// ErrNewerSchema is returned, wrapped, by Open for a database written by a
// newer chimera.
var ErrNewerSchema error = inputError("DB was written by a newer chimera")

// ErrUnknownKind is a listing asked for a kind of run that does not exist.
var ErrUnknownKind error = inputError("no such kind of run")

// DB is an open chimera run log.
type DB struct {
	// writer has one connection, whose transactions start with BEGIN
	// IMMEDIATE: a transaction takes the write lock when it begins, where
	// SQLite can wait for it, instead of upgrading a read lock halfway
	// through, which fails at once when another process holds the lock.
	writer *sql.DB
	// reader runs queries in deferred transactions, which take no write
	// lock. It is a separate pool because the driver ignores
	// sql.TxOptions.ReadOnly and would begin every transaction IMMEDIATE.
	reader *sql.DB
}

// Open opens the database at path, creating it and its directory if needed,
// and brings its schema up to date.
func Open(path string) (*DB, error) {
	return open(path, schemaSteps)
}

// open is Open with the schema cut to the given steps, which lets tests make
// databases of an older version.
func open(path string, steps []string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := connect(abs)
	if err := db.migrate(context.Background(), steps); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if len(steps) == len(schemaSteps) { // runs of an older schema have no pid to go by
		if err := db.markAbandoned(context.Background()); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	return db, nil
}

func connect(path string) *DB {
	busyMillis := fmt.Sprint(busyTimeout.Milliseconds())
	writer := sqlOpen(path, url.Values{
		"_busy_timeout": {busyMillis},
		"_foreign_keys": {"on"},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_txlock":       {"immediate"},
	})
	writer.SetMaxOpenConns(1)
	reader := sqlOpen(path, url.Values{
		"_busy_timeout": {busyMillis},
		"_query_only":   {"on"},
	})
	return &DB{writer: writer, reader: reader}
}

// uriPathEscaper escapes the characters that would end the path of a SQLite
// file: URI, so that any file name works.
var uriPathEscaper = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

func sqlOpen(path string, params url.Values) *sql.DB {
	dsn := "file:" + uriPathEscaper.Replace(path) + "?" + params.Encode()
	// sql.Open only validates the driver name, which is registered by import.
	db, _ := sql.Open("sqlite3", dsn)
	return db
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// write runs fn in a write transaction, retrying the whole transaction while
// the database is locked by another process.
//
// The write ignores ctx's cancellation: a run interrupted by Ctrl-C must still
// be able to record what it did and that it was interrupted. It is bounded by
// busyTimeout and writeRetryWindow instead. fn must use the context it is
// given, which is ctx without its cancellation.
func (db *DB) write(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	ctx = context.WithoutCancel(ctx)
	giveUp := time.Now().Add(writeRetryWindow)
	for attempt := 0; ; attempt++ {
		err := db.writeOnce(ctx, fn)
		if !isBusy(err) {
			return err
		}
		if time.Now().After(giveUp) {
			return fmt.Errorf("database still locked after retrying for %v: %w", writeRetryWindow, err)
		}
		time.Sleep(retryDelay(attempt))
	}
}

func (db *DB) writeOnce(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read transaction, which sees one consistent snapshot.
func (db *DB) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func isBusy(err error) bool {
	var sqliteErr sqlite3.Error
	return errors.As(err, &sqliteErr) &&
		(sqliteErr.Code == sqlite3.ErrBusy || sqliteErr.Code == sqlite3.ErrLocked)
}

// retryDelay backs off exponentially, with jitter so that processes which
// collided once do not collide again in lockstep.
func retryDelay(attempt int) time.Duration {
	delay := firstRetryDelay
	for range attempt {
		delay = min(2*delay, maxRetryDelay)
	}
	return delay/2 + rand.N(delay/2)
}
