package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ExportSQLite writes the runs ids, or every run when ids is empty, with all their descendants and everything
// recorded under them, to a new chimera database at path, which Import reads back losslessly. The runs keep
// their UUIDs; their ids are the new file's. The file appears whole or not at all, and an existing file is
// never replaced.
func (db *DB) ExportSQLite(ctx context.Context, path string, ids []int64) error {
	if _, err := os.Lstat(path); err == nil {
		return inputError(fmt.Sprintf("export to %s: the file exists", path))
	}
	var details []*RunDetail
	err := db.read(ctx, func(tx *sql.Tx) error {
		ids, err := exportIDs(ctx, tx, ids, true)
		if err != nil {
			return err
		}
		for _, id := range ids {
			d, err := loadRunDetail(ctx, tx, id)
			if err != nil {
				return err
			}
			details = append(details, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeExportFile(ctx, path, details)
}

// writeExportFile writes details to a database beside path, then moves it to path.
func writeExportFile(ctx context.Context, path string, details []*RunDetail) error {
	temp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.partial")
	if err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	temp.Close()
	defer removeDatabase(temp.Name())
	if err := fillExportFile(ctx, temp.Name(), details); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	// A hard link, unlike a rename, fails where a file appeared at path meanwhile.
	if err := os.Link(temp.Name(), path); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	return nil
}

// fillExportFile writes details into a new database at path and leaves it a single file, out of WAL mode.
func fillExportFile(ctx context.Context, path string, details []*RunDetail) error {
	out, err := Open(path)
	if err != nil {
		return err
	}
	err = out.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := importRuns(ctx, tx, details)
		return err
	})
	if err = errors.Join(err, out.Close()); err != nil {
		return err
	}
	single := sqlOpen(path, nil)
	defer single.Close()
	_, err = single.ExecContext(ctx, "PRAGMA journal_mode = DELETE")
	return err
}

// removeDatabase removes a database file and its WAL files, where they are.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
